package s3api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
)

func TestCopySource(t *testing.T) {
	tests := []struct{ key, version, want string }{
		{"media/a.jpg", "v1", "b/media/a.jpg?versionId=v1"},
		{"media/space and+plus.jpg", "null", "b/media/space%20and%2Bplus.jpg?versionId=null"},
		{"q?x=1&y#z%.txt", "a/b+c=", "b/q%3Fx%3D1%26y%23z%25.txt?versionId=a/b%2Bc%3D"},
		{"ü/日本.png", "v", "b/%C3%BC/%E6%97%A5%E6%9C%AC.png?versionId=v"},
		{"a~b_c-d.e", "v", "b/a~b_c-d.e?versionId=v"},
	}
	for _, tc := range tests {
		got := copySource("b", tc.key, tc.version)
		if got != tc.want {
			t.Errorf("copySource(%q, %q) = %q, want %q", tc.key, tc.version, got, tc.want)
		}
		// What S3 decodes must be the key itself.
		path, _, _ := strings.Cut(got, "?")
		if dec, err := url.PathUnescape(strings.TrimPrefix(path, "b/")); err != nil || dec != tc.key {
			t.Errorf("%q decodes to %q, %v", got, dec, err)
		}
	}
}

func TestFromListing(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	page := &s3.ListObjectVersionsOutput{
		Versions: []types.ObjectVersion{
			{Key: aws.String("k"), VersionId: aws.String("v2"), IsLatest: aws.Bool(false), LastModified: aws.Time(now), Size: aws.Int64(7), ETag: aws.String(`"e"`), StorageClass: types.ObjectVersionStorageClassStandard},
			{Key: aws.String("j")}, // every field S3 may leave out
		},
		DeleteMarkers: []types.DeleteMarkerEntry{{Key: aws.String("k"), VersionId: aws.String("m1"), IsLatest: aws.Bool(true), LastModified: aws.Time(now.Add(time.Second))}},
	}
	got := fromListing(page)
	want := []recovery.Version{
		{Key: "k", VersionID: "v2", LastModified: now, Size: 7, ETag: `"e"`, StorageClass: "STANDARD"},
		{Key: "j"},
		{Key: "k", VersionID: "m1", IsDeleteMarker: true, IsLatest: true, LastModified: now.Add(time.Second)},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fromListing:\n got  %+v\n want %+v", got, want)
	}
}

func TestBoundedGroupBoundsConcurrency(t *testing.T) {
	g := newBoundedGroup(4)
	var running, peak atomic.Int32
	for range 40 {
		if err := g.Go(context.Background(), func() error {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			running.Add(-1)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p > 4 || p < 2 {
		t.Fatalf("peak concurrency %d, want 2..4", p)
	}
}

func TestBoundedGroupStopsAtFirstError(t *testing.T) {
	g := newBoundedGroup(2)
	boom := errors.New("boom")
	var started atomic.Int32
	var refused error
	for i := range 100 {
		err := g.Go(context.Background(), func() error {
			started.Add(1)
			if i == 3 {
				return boom
			}
			time.Sleep(time.Millisecond)
			return nil
		})
		if err != nil {
			refused = err
			break
		}
	}
	if err := g.Wait(); !errors.Is(err, boom) {
		t.Fatalf("Wait = %v, want boom", err)
	}
	if !errors.Is(refused, boom) || started.Load() >= 100 {
		t.Fatalf("kept starting after the failure: started %d, refusal %v", started.Load(), refused)
	}
}

func TestBoundedGroupHonoursContext(t *testing.T) {
	g := newBoundedGroup(1)
	release := make(chan struct{})
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(g.Go(context.Background(), func() error { <-release; return nil }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Go(ctx, func() error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Go with a full pool and a cancelled context = %v", err)
	}
	close(release)
	must(g.Wait())
}

// --- against a real SeaweedFS (skipped unless PROTECTEDMEDIA_WEED names a weed binary) ---

// startVersionsServer starts SeaweedFS for one test and returns a function that makes a fresh versioned
// bucket on it.
func startVersionsServer(t *testing.T) func(t *testing.T) (*s3.Client, string) {
	t.Helper()
	bin := os.Getenv("PROTECTEDMEDIA_WEED")
	if bin == "" {
		t.Skip("PROTECTEDMEDIA_WEED is not set; set it to a weed binary (scripts/ensure-seaweedfs.sh prints one)")
	}
	ctx := context.Background()
	srv, err := locals3.Start(ctx, locals3.Options{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Error(err)
		}
	})
	isolateAWS(t)
	c, err := New(ctx, Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CABundle: srv.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T) (*s3.Client, string) {
		b := make([]byte, 4)
		rand.Read(b)
		bucket := "pm-versions-" + hex.EncodeToString(b)
		if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		return c.S3, bucket
	}
}

// TestVersionsAgainstSeaweedFS runs the finder, the writes and the restore walk against a real server.
func TestVersionsAgainstSeaweedFS(t *testing.T) {
	newBucket := startVersionsServer(t)
	t.Run("restore", func(t *testing.T) { testRestore(t, newBucket) })
	t.Run("remove delete markers", func(t *testing.T) { testRemoveDeleteMarkers(t, newBucket) })
	t.Run("restore tag", func(t *testing.T) { testRestoreTag(t, newBucket) })
}

// nextWholeSecond returns a whole second after every write so far and before every later one, as S3
// stamps versions to the second.
func nextWholeSecond() time.Time {
	asOf := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(asOf.Add(time.Second + 50*time.Millisecond)))
	return asOf
}

func testRestore(t *testing.T, newBucket func(*testing.T) (*s3.Client, string)) {
	c, bucket := newBucket(t)
	ctx := context.Background()
	put := func(key, body string) string {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	get := func(key string) string {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			return "error: " + errorCode(err)
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return string(b)
	}
	del := func(key string) {
		if err := LayDeleteMarker(ctx, c, bucket, key); err != nil {
			t.Fatal(err)
		}
	}
	versions := func() (objects, markers int) {
		mustVersions(t, ListVersions(ctx, c, bucket, "", func(page []recovery.Version) error {
			for _, v := range page {
				if v.IsDeleteMarker {
					markers++
				} else {
					objects++
				}
			}
			return nil
		}))
		return
	}

	// More than one page (1000 entries) under the prefix, so the scan crosses page boundaries.
	const bulk = 1100
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range bulk {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			put(fmt.Sprintf("media/bulk/%04d", i), "bulk")
		})
	}
	special := []string{"media/space and+plus.jpg", "media/q?x=1&y#z%.txt", "media/ü/日本.png"}
	for _, k := range append(special, "media/over.txt", "media/gone.txt", "media/twice.txt", "other/gone.txt") {
		put(k, "original "+k)
	}
	wg.Wait()
	asOf := nextWholeSecond()

	for _, k := range special {
		del(k)
	}
	del("media/gone.txt")
	del("other/gone.txt") // outside the prefix: left alone
	put("media/over.txt", "overwritten")
	put("media/twice.txt", "first overwrite")
	del("media/twice.txt")
	put("media/new.txt", "created after as_of")
	put("media/bulk/0999", "overwritten bulk")
	del("media/bulk/1000")
	objectsBefore, _ := versions()

	opts := RestoreOptions{AsOf: asOf, Recovery: recovery.Options{Method: recovery.MethodCopy}, SampleSize: 100, DryRun: true}
	plan, err := Restore(ctx, c, bucket, "media/", opts)
	mustVersions(t, err)
	wantPending := append(slices.Clone(special), "media/bulk/0999", "media/bulk/1000", "media/gone.txt", "media/over.txt", "media/twice.txt")
	slices.Sort(wantPending)
	if got := plan.Tally.PendingKeys.Items(); !slices.Equal(got, wantPending) || plan.Tally.Pending != len(wantPending) {
		t.Fatalf("dry run pending %d %q,\nwant %q", plan.Tally.Pending, got, wantPending)
	}
	if plan.Tally.Deleted != 6 || plan.Tally.Overwritten != 2 || plan.Tally.CreatedAfter != 1 || plan.Restored != 0 {
		t.Fatalf("dry run tally %+v restored %d", plan.Tally, plan.Restored)
	}
	if plan.Keys != bulk+len(special)+4 {
		t.Fatalf("dry run saw %d keys", plan.Keys)
	}

	var progressCalls atomic.Int32
	opts.DryRun = false
	opts.Progress = func(RestoreProgress) { progressCalls.Add(1) }
	done, err := Restore(ctx, c, bucket, "media/", opts)
	mustVersions(t, err)
	if done.Restored != len(wantPending) || progressCalls.Load() == 0 {
		t.Fatalf("restored %d, want %d (progress calls %d)", done.Restored, len(wantPending), progressCalls.Load())
	}
	for _, k := range append(special, "media/over.txt", "media/gone.txt", "media/twice.txt") {
		if got := get(k); got != "original "+k {
			t.Errorf("%s = %q after restore", k, got)
		}
	}
	if got := get("media/bulk/0999"); got != "bulk" {
		t.Errorf("bulk/0999 = %q", got)
	}
	if got := get("media/new.txt"); got != "created after as_of" {
		t.Errorf("new.txt = %q: objects created after as_of must be left alone", got)
	}
	if got := get("other/gone.txt"); got != "error: NoSuchKey" {
		t.Errorf("other/gone.txt outside the prefix = %q", got)
	}
	objectsAfter, _ := versions()
	if objectsAfter != objectsBefore+len(wantPending) {
		t.Errorf("object versions %d -> %d: want one new copy per restored key and none lost", objectsBefore, objectsAfter)
	}

	again, err := Restore(ctx, c, bucket, "media/", opts)
	mustVersions(t, err)
	if again.Tally.Pending != 0 || again.Restored != 0 {
		t.Fatalf("second restore: pending %d %q, restored %d", again.Tally.Pending, again.Tally.PendingKeys.Items(), again.Restored)
	}

	changes, err := FindChanges(ctx, c, bucket, "media/", asOf, 2)
	mustVersions(t, err)
	if changes.DeletedCount != 0 || changes.OverwrittenCount != 0 || changes.CreatedCount != 1 {
		t.Fatalf("changes after restore: %+v", changes)
	}
}

func testRemoveDeleteMarkers(t *testing.T, newBucket func(*testing.T) (*s3.Client, string)) {
	c, bucket := newBucket(t)
	ctx := context.Background()
	key := "media/report.pdf"
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("report")})
	mustVersions(t, err)
	asOf := nextWholeSecond()
	mustVersions(t, LayDeleteMarker(ctx, c, bucket, key))
	mustVersions(t, LayDeleteMarker(ctx, c, bucket, key))

	opts := RestoreOptions{AsOf: asOf, Recovery: recovery.Options{Method: recovery.MethodRemoveDeleteMarkers}}
	r, err := Restore(ctx, c, bucket, "media/", opts)
	mustVersions(t, err)
	if r.Restored != 1 {
		t.Fatalf("restored %d", r.Restored)
	}
	var entries []recovery.Version
	mustVersions(t, ListVersions(ctx, c, bucket, "", func(p []recovery.Version) error { entries = append(entries, p...); return nil }))
	if len(entries) != 1 || entries[0].IsDeleteMarker || !entries[0].IsLatest {
		t.Fatalf("after removing the markers: %+v, want the one original version, current", entries)
	}
	// A marker already gone is not an error.
	mustVersions(t, RemoveDeleteMarker(ctx, c, bucket, key, "0000000000000000000000000000dead"))
}

func testRestoreTag(t *testing.T, newBucket func(*testing.T) (*s3.Client, string)) {
	c, bucket := newBucket(t)
	ctx := context.Background()
	key := "media/video.mp4"
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("video"), Tagging: aws.String("owner=alice")})
	mustVersions(t, err)
	src := recovery.Version{Key: key, VersionID: aws.ToString(out.VersionId), ETag: aws.ToString(out.ETag)}
	copied, err := CopyVersion(ctx, c, bucket, src)
	mustVersions(t, err)
	if from, err := FindRestoredFrom(ctx, c, bucket, key, copied.VersionID); err != nil || from != "" {
		t.Fatalf("untagged copy: restored from %q, %v", from, err)
	}
	// What the provider does when S3 gives a copy a new ETag (multipart uploads on AWS): tag it, keeping
	// the tags the copy carried.
	mustVersions(t, markRestored(ctx, c, bucket, key, copied, src.VersionID))
	from, err := FindRestoredFrom(ctx, c, bucket, key, copied.VersionID)
	mustVersions(t, err)
	if from != src.VersionID {
		t.Fatalf("restored from %q, want %q", from, src.VersionID)
	}
	tags, err := findVersionTags(ctx, c, bucket, key, copied.VersionID)
	mustVersions(t, err)
	if len(tags) != 2 {
		t.Fatalf("tags %v: want owner=alice kept and the restore tag", tags)
	}
	if from, err := FindRestoredFrom(ctx, c, bucket, key, "0000000000000000000000000000dead"); err != nil || from != "" {
		t.Fatalf("missing version: %q, %v", from, err)
	}
	_, err = CopyVersion(ctx, c, bucket, recovery.Version{Key: key, VersionID: "0000000000000000000000000000dead"})
	var gone *VersionNotFoundError
	if !errors.As(err, &gone) {
		t.Fatalf("copy of a missing version: %v, want *VersionNotFoundError", err)
	}
	if err := ListVersions(ctx, c, "pm-no-such-bucket-x", "", func([]recovery.Version) error { return nil }); !IsNotFound(err) {
		t.Fatalf("listing a missing bucket: %v, want not found", err)
	}
}

func mustVersions(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
