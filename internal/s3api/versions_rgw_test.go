package s3api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/localrgw"
)

// TestRestoreTagAgainstRGW: Ceph RGW 16.2 answers CopyObject without the new version's id. When the copy has a
// new ETag the restore tags it with the version it was made from; with no id given, the tag goes on the
// key's current version, which the copy has just become.
func TestRestoreTagAgainstRGW(t *testing.T) {
	srv := localrgw.StartT(t)
	ctx := t.Context()
	isolateAWS(t)
	cl, err := New(ctx, Config{SkipBucketOwnerCheck: true, Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CABundle: srv.CAFile})
	mustVersions(t, err)
	c := cl.S3
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	bucket := "pm-rgw-versions-" + hex.EncodeToString(b)
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket})
	mustVersions(t, err)
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx)
		_, err := EmptyBucket(ctx, c, bucket, MFA{})
		mustVersions(t, err)
		mustVersions(t, DeleteBucket(ctx, c, bucket))
	})
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	mustVersions(t, err)

	key := "media/video.mp4"
	first, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("video"), Tagging: aws.String("owner=alice")})
	mustVersions(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("overwritten")})
	mustVersions(t, err)
	src := recovery.Version{Key: key, VersionID: aws.ToString(first.VersionId), ETag: aws.ToString(first.ETag)}
	copied, err := CopyVersion(ctx, c, bucket, src)
	mustVersions(t, err)
	if copied.VersionID != "" {
		t.Fatalf("RGW answered CopyObject with version id %q: this test is about its answering none", copied.VersionID)
	}
	mustVersions(t, markRestored(ctx, c, bucket, key, copied, src.VersionID))

	current, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	mustVersions(t, err)
	from, err := FindRestoredFrom(ctx, c, bucket, key, aws.ToString(current.VersionId))
	mustVersions(t, err)
	if from != src.VersionID {
		t.Fatalf("the current version (the copy) is restored from %q, want %q", from, src.VersionID)
	}
	tags, err := findVersionTags(ctx, c, bucket, key, aws.ToString(current.VersionId))
	mustVersions(t, err)
	if len(tags) != 2 {
		t.Fatalf("tags %v: want owner=alice kept and the restore tag", tags)
	}
}
