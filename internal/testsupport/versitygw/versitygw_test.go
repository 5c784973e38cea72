package versitygw

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// TestStartServesVersionedBuckets checks the gateway comes up with working credentials and versioning, which
// the posix backend only has with a versioning directory, and that Stop ends it.
func TestStartServesVersionedBuckets(t *testing.T) {
	start := time.Now()
	s := StartT(t)
	t.Logf("versitygw ready in %s at %s", time.Since(start).Round(time.Millisecond), s.Endpoint)
	c, err := s3api.New(t.Context(), s3api.Config{Endpoint: s.Endpoint, AccessKey: s.AccessKey, SecretKey: s.SecretKey,
		Region: Region, SkipBucketOwnerCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("probe")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{Bucket: aws.String("probe"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v, err := s3api.FindVersioning(t.Context(), c.S3, "probe")
	if err != nil || v.Status != bucketstate.VersioningEnabled {
		t.Fatalf("versioning %+v, %v", v, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	default:
		t.Error("the gateway still runs after Stop")
	}
}
