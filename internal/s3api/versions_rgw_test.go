package s3api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/localrgw"
)

// TestVersionsAgainstRGW runs what Ceph RGW 16.2 does differently, or could, on one cluster: see each subtest.
func TestVersionsAgainstRGW(t *testing.T) {
	srv := localrgw.StartT(t)
	isolateAWS(t)
	cl, err := New(t.Context(), Config{SkipBucketOwnerCheck: true, Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CABundle: srv.CAFile})
	mustVersions(t, err)
	t.Run("restore tag", func(t *testing.T) { testRestoreTagAgainstRGW(t, cl.S3, newRGWBucket(t, cl.S3)) })
	t.Run("split listing", func(t *testing.T) {
		// RGW's delimited version listings split the tree as SeaweedFS's do.
		bucket := newRGWBucket(t, cl.S3)
		writeSplitFixture(t, cl.S3, bucket)
		var delimited atomic.Int64
		c := s3.New(cl.S3.Options(), func(o *s3.Options) { o.APIOptions = append(o.APIOptions, countDelimited(&delimited)) })
		checkSplitListing(t, c, bucket, &delimited)
	})
}

// newRGWBucket is a fresh versioned bucket, emptied and deleted after the test.
func newRGWBucket(t *testing.T, c *s3.Client) string {
	t.Helper()
	ctx := t.Context()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	bucket := "pm-rgw-versions-" + hex.EncodeToString(b)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket})
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
	return bucket
}

// testRestoreTagAgainstRGW: Ceph RGW 16.2 answers CopyObject without the new version's id. When the copy has a
// new ETag the restore tags it with the version it was made from; with no id given, the tag goes on the
// key's current version, which the copy has just become.
func testRestoreTagAgainstRGW(t *testing.T, c *s3.Client, bucket string) {
	ctx := t.Context()
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
