package s3api_test

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/awsbehaviour"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// A media bucket that lost history is restored from its replica: what each key held at as_of comes from the
// replica, is compared with what the media bucket holds now, and is copied across; the replica is only read.
// SeaweedFS does not replicate, so the replica's versions are written into it directly.
func TestRestoreFromSourceAgainstSeaweedFS(t *testing.T) {
	b := startPairBench(t)
	ctx := t.Context()
	direct := b.env.Direct
	spec := newSpec(t)
	media, replica := spec.Media.Bucket, spec.Static.Bucket // two fresh names
	for _, bucket := range []string{media, replica} {
		if _, err := direct.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		if _, err := direct.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(bucket, key, body string) {
		t.Helper()
		if _, err := direct.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	// Before as_of, both buckets held the same; the media bucket has since lost gone.jpg's whole history and
	// a.jpg's old version (permanently deleted, as a leaked key with s3:DeleteObjectVersion can), and a.jpg
	// was overwritten. The replica kept everything, and a later version of b.jpg arrived in it after as_of.
	for _, kv := range [][2]string{{"a.jpg", "original a"}, {"b.jpg", "original b"}, {"gone.jpg", "original gone"}} {
		put(replica, kv[0], kv[1])
		put(media, kv[0], kv[1])
	}
	time.Sleep(1100 * time.Millisecond) // S3 stamps versions to the second
	asOf := time.Now()
	time.Sleep(1100 * time.Millisecond)
	put(media, "a.jpg", "vandalised a")
	put(media, "extra.jpg", "new after as_of")
	put(replica, "b.jpg", "later b")
	put(media, "b.jpg", "later b")
	put(media, "b.jpg", "original b") // restored by hand: same content as the replica's at as_of
	for _, key := range []string{"gone.jpg", "a.jpg"} {
		out, err := direct.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(media), Prefix: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			if key == "gone.jpg" || !aws.ToBool(v.IsLatest) {
				if _, err := direct.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(media), Key: v.Key, VersionId: v.VersionId}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	replicaVersions := countVersions(t, direct, replica)

	// From its own history the media bucket cannot be restored: the versions are gone.
	own, err := s3api.Restore(ctx, b.client, media, "", s3api.RestoreOptions{AsOf: asOf, DryRun: true, SampleSize: 10})
	if err != nil || own.Tally.Pending != 0 {
		t.Fatalf("restore from the media bucket's own history: %d pending (%v), want nothing it can do", own.Tally.Pending, err)
	}

	opts := s3api.RestoreOptions{AsOf: asOf, DryRun: true, SampleSize: 10, Source: replica}
	plan, err := s3api.Restore(ctx, b.client, media, "", opts)
	if err != nil {
		t.Fatalf("dry run from the replica: %v", err)
	}
	tally := plan.Tally
	if tally.Deleted != 1 || tally.Overwritten != 1 || tally.CreatedAfter != 1 || tally.Unchanged != 1 || tally.Pending != 2 ||
		!slices.Equal(tally.PendingKeys.Items(), []string{"a.jpg", "gone.jpg"}) {
		t.Fatalf("dry run: deleted %d, overwritten %d, created %d, unchanged %d, pending %v; want 1, 1, 1, 1, [a.jpg gone.jpg]",
			tally.Deleted, tally.Overwritten, tally.CreatedAfter, tally.Unchanged, tally.PendingKeys.Items())
	}

	opts.DryRun = false
	done, err := s3api.Restore(ctx, b.client, media, "", opts)
	if err != nil || done.Restored != 2 {
		t.Fatalf("restore from the replica: %d restored (%v), want 2", done.Restored, err)
	}
	for key, want := range map[string]string{"a.jpg": "original a", "gone.jpg": "original gone", "b.jpg": "original b", "extra.jpg": "new after as_of"} {
		if got := currentBody(t, direct, media, key); got != want {
			t.Errorf("media %s = %q after the restore, want %q", key, got, want)
		}
	}
	if n := countVersions(t, direct, replica); n != replicaVersions {
		t.Errorf("the replica has %d versions after the restore, want its %d: a restore only reads it", n, replicaVersions)
	}
	opts.DryRun = true
	if again, err := s3api.Restore(ctx, b.client, media, "", opts); err != nil || again.Tally.Pending != 0 {
		t.Errorf("a second dry run: %d pending (%v), want nothing left", again.Tally.Pending, err)
	}
	// delete_created_after hides what the replica did not have at as_of.
	opts.Recovery = recovery.Options{DeleteCreatedAfter: true}
	if hide, err := s3api.Restore(ctx, b.client, media, "extra", opts); err != nil || hide.Tally.Pending != 1 {
		t.Errorf("dry run with delete_created_after: %+v (%v), want extra.jpg", hide.Tally, err)
	}

	// A replica in another account is only read when the request names that account as its owner.
	b.aws.ForeignBucket(replica, awsbehaviour.Foreign{Owner: "444455556666", Accessible: true})
	_, err = s3api.Restore(ctx, b.client, media, "", s3api.RestoreOptions{AsOf: asOf, DryRun: true, Source: replica})
	layertest.ExpectCode(t, "listing another account's replica as the provider's own", err, "AccessDenied")
	foreign, err := s3api.Restore(ctx, b.client, media, "", s3api.RestoreOptions{AsOf: asOf, DryRun: true, Source: replica, SourceOwner: "444455556666"})
	if err != nil || foreign.Keys != 4 {
		t.Errorf("dry run naming the replica's owner: %d keys (%v), want 4", foreign.Keys, err)
	}
	if _, err := direct.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(media), Key: aws.String("a.jpg")}); err != nil {
		t.Fatal(err)
	}
	if cross, err := s3api.Restore(ctx, b.client, media, "a.jpg", s3api.RestoreOptions{AsOf: asOf, Source: replica, SourceOwner: "444455556666"}); err != nil || cross.Restored != 1 {
		t.Errorf("copy from another account's replica: %d restored (%v), want 1", cross.Restored, err)
	}
}

func countVersions(t *testing.T, c *s3.Client, bucket string) int {
	t.Helper()
	n := 0
	if err := s3api.ListVersions(t.Context(), c, bucket, "", func(page []recovery.Version) error { n += len(page); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func currentBody(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
