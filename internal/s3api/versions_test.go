package s3api

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
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
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/awsbehaviour"
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
			{Key: aws.String("g"), VersionId: aws.String("g1"), StorageClass: "GLACIER", RestoreStatus: &types.RestoreStatus{IsRestoreInProgress: aws.Bool(true)}},
			{Key: aws.String("h"), VersionId: aws.String("h1"), StorageClass: "DEEP_ARCHIVE",
				RestoreStatus: &types.RestoreStatus{IsRestoreInProgress: aws.Bool(false), RestoreExpiryDate: aws.Time(now.Add(48 * time.Hour))}},
		},
		DeleteMarkers: []types.DeleteMarkerEntry{{Key: aws.String("k"), VersionId: aws.String("m1"), IsLatest: aws.Bool(true), LastModified: aws.Time(now.Add(time.Second))}},
	}
	got := fromListing(page)
	want := []recovery.Version{
		{Key: "k", VersionID: "v2", LastModified: now, Size: 7, ETag: `"e"`, StorageClass: "STANDARD"},
		{Key: "j"},
		{Key: "g", VersionID: "g1", StorageClass: "GLACIER", RestoreInProgress: true},
		{Key: "h", VersionID: "h1", StorageClass: "DEEP_ARCHIVE", RestoredUntil: now.Add(48 * time.Hour)},
		{Key: "k", VersionID: "m1", IsDeleteMarker: true, IsLatest: true, LastModified: now.Add(time.Second)},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fromListing:\n got  %+v\n want %+v", got, want)
	}
}

// listInts is a listing for forEachListed that hands it 0, 1, ... n-1 and records how many start took
// and the error that stopped it, if any.
type listInts struct {
	n       int
	started atomic.Int32  // items start took
	refusal error         // what start returned when it refused an item
	done    chan struct{} // closed when the listing returns
}

func newListInts(n int) *listInts { return &listInts{n: n, done: make(chan struct{})} }

func (l *listInts) list(_ context.Context, start func(int) error) error {
	defer close(l.done)
	for i := range l.n {
		if err := start(i); err != nil {
			l.refusal = err
			return err
		}
		l.started.Add(1)
	}
	return nil
}

func TestForEachListedBoundsConcurrency(t *testing.T) {
	const limit, items = 4, 40
	l := newListInts(items)
	release := make(chan struct{})
	var running, peak, visited atomic.Int32
	errc := make(chan error, 1)
	go func() {
		errc <- forEachListed(t.Context(), limit, l.list, func(ctx context.Context, _ int) error {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			<-release
			time.Sleep(time.Millisecond)
			running.Add(-1)
			visited.Add(1)
			return ctx.Err() // a successful walk never cancels a visit's context
		})
	}()

	// A full pool holds the listing back: with every visit waiting, start takes limit items and no more.
	waitFor(t, func() bool { return running.Load() == limit })
	time.Sleep(20 * time.Millisecond) // room for a listing that wrongly runs ahead
	if got := l.started.Load(); got != limit {
		t.Fatalf("the listing got %d items past a full pool of %d", got, limit)
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if v := visited.Load(); v != items {
		t.Fatalf("visited %d of %d items", v, items)
	}
	if p := peak.Load(); p != limit {
		t.Fatalf("peak concurrency %d, want %d", p, limit)
	}
}

func TestForEachListedStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	l := newListInts(100)
	var visitedAfter atomic.Int32 // visits of items after the failing one
	var inFlight error            // what the sibling in flight saw
	err := forEachListed(t.Context(), 2, l.list, func(ctx context.Context, i int) error {
		switch {
		case i == 2:
			// In flight when item 3 fails: it must be let finish, with its context intact.
			<-l.done
			time.Sleep(5 * time.Millisecond)
			inFlight = ctx.Err()
			return nil
		case i == 3:
			return boom
		case i > 3:
			visitedAfter.Add(1)
		}
		time.Sleep(time.Millisecond)
		return nil
	})
	if err != boom { // the very error visit returned, not a "context canceled" wrapping it
		t.Fatalf("forEachListed = %v, want boom", err)
	}
	if !errors.Is(l.refusal, boom) {
		t.Fatalf("the listing was stopped by %v, want boom", l.refusal)
	}
	if n := visitedAfter.Load(); n != 0 || l.started.Load() >= 100 {
		t.Fatalf("kept starting after the failure: %d items visited after it, %d started", n, l.started.Load())
	}
	if inFlight != nil {
		t.Fatalf("the visit in flight saw its context end (%v): a sibling's failure cancelled it", inFlight)
	}
}

func TestForEachListedHonoursContext(t *testing.T) {
	t.Run("visits that end with the context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		l := newListInts(1000)
		var visited atomic.Int32
		errc := make(chan error, 1)
		go func() {
			errc <- forEachListed(ctx, 2, l.list, func(ctx context.Context, _ int) error {
				visited.Add(1)
				<-ctx.Done()
				return ctx.Err()
			})
		}()
		waitFor(t, func() bool { return visited.Load() == 2 })
		cancel()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("forEachListed after cancel = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("forEachListed still running after its context was cancelled")
		}
		if v := visited.Load(); v != 2 {
			t.Fatalf("%d visits, want the 2 started before the cancel", v)
		}
		if !errors.Is(l.refusal, context.Canceled) {
			t.Fatalf("the listing was stopped by %v, want context.Canceled", l.refusal)
		}
	})
	t.Run("a full pool of visits that ignore it", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		l := newListInts(1000)
		release := make(chan struct{})
		var visited atomic.Int32
		errc := make(chan error, 1)
		go func() {
			errc <- forEachListed(ctx, 1, l.list, func(context.Context, int) error {
				visited.Add(1)
				<-release
				return nil
			})
		}()
		waitFor(t, func() bool { return visited.Load() == 1 })
		cancel()
		time.Sleep(20 * time.Millisecond)
		close(release)
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("forEachListed after cancel = %v", err)
		}
		if v := visited.Load(); v != 1 {
			t.Fatalf("%d visits, want only the one started before the cancel", v)
		}
		if !errors.Is(l.refusal, context.Canceled) {
			t.Fatalf("the listing was stopped by %v, want context.Canceled", l.refusal)
		}
	})
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// --- against a real SeaweedFS (skipped unless PROTECTEDMEDIA_WEED names a weed binary) ---

// startVersionsServer starts SeaweedFS for one test and returns a function that makes a fresh versioned
// bucket on it.
func startVersionsServer(t *testing.T) func(t *testing.T) (*s3.Client, string) {
	t.Helper()
	_, newBucket := startSeaweedFS(t)
	return func(t *testing.T) (*s3.Client, string) { return newBucket(t) }
}

// startSeaweedFS starts SeaweedFS for one test and returns it, with a function that makes a fresh versioned
// bucket on it and returns a client talking to it directly.
func startSeaweedFS(t testing.TB) (*locals3.Server, func(t testing.TB) (*s3.Client, string)) {
	t.Helper()
	bin := os.Getenv("PROTECTEDMEDIA_WEED")
	if bin == "" {
		t.Skip("PROTECTEDMEDIA_WEED is not set; set it to a weed binary (scripts/ensure-seaweedfs.sh prints one)")
	}
	ctx := t.Context()
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
	c, err := New(ctx, Config{SkipBucketOwnerCheck: true, Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CABundle: srv.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	return srv, func(t testing.TB) (*s3.Client, string) {
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

// archiveBench is SeaweedFS behind the test proxy with the AWS behaviour layer, which archives the versions
// a test names: a client through the proxy (as the provider's) and one straight to SeaweedFS.
type archiveBench struct {
	layer          *awsbehaviour.Layer
	proxy          *s3proxy.Proxy
	client, direct *s3.Client
	bucket         string
}

// startArchiveBench starts the bench with a fresh versioned bucket. testenv starts the same, but it imports
// this package, which this package's own tests cannot.
func startArchiveBench(t *testing.T) *archiveBench {
	t.Helper()
	srv, newBucket := startSeaweedFS(t) // skips without PROTECTEDMEDIA_WEED
	direct, bucket := newBucket(t)
	layer := awsbehaviour.New(awsbehaviour.Options{})
	proxy, proxyURL := startProxy(t, srv, layer.Semantics())
	c, err := New(t.Context(), Config{SkipBucketOwnerCheck: true, Endpoint: proxyURL, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CABundle: srv.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	return &archiveBench{layer: layer, proxy: proxy, client: c.S3, direct: direct, bucket: bucket}
}

// startProxy puts the test proxy with semantics in front of srv, over HTTPS with a certificate of srv's CA,
// for the test's duration.
func startProxy(t testing.TB, srv *locals3.Server, semantics s3proxy.Semantics) (*s3proxy.Proxy, string) {
	t.Helper()
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := s3proxy.New(target, &http.Transport{TLSClientConfig: srv.TLSConfig()}, s3proxy.WithSemantics(semantics))
	cert, err := srv.IssueCert("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(proxy)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return proxy, ts.URL
}

// TestRestoreArchivedVersionsAgainstSeaweedFS restores keys whose versions at as_of are archived, as
// Amazon S3 reports and refuses them (the AWS behaviour layer in front of SeaweedFS): a GLACIER version
// never restored and a DEEP_ARCHIVE one still being restored are blocked without a request; a restored
// GLACIER version is copied, into STANDARD; an INTELLIGENT_TIERING version in an archive tier, which the
// listing cannot tell, is refused by the copy and reported, and the rest of the restore goes on.
func TestRestoreArchivedVersionsAgainstSeaweedFS(t *testing.T) {
	b := startArchiveBench(t)
	ctx := t.Context()
	keys := []string{"media/deep.jpg", "media/glacier.jpg", "media/plain.jpg", "media/thawed.jpg", "media/tiered.jpg"}
	versions := map[string]string{}
	for _, k := range keys {
		out, err := b.direct.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.bucket, Key: aws.String(k), Body: strings.NewReader("original " + k)})
		mustVersions(t, err)
		versions[k] = aws.ToString(out.VersionId)
	}
	asOf := nextWholeSecond()
	for _, k := range keys {
		mustVersions(t, LayDeleteMarker(ctx, b.direct, b.bucket, k))
	}
	b.layer.Archive(b.bucket, "media/glacier.jpg", versions["media/glacier.jpg"], awsbehaviour.Archived{StorageClass: awsbehaviour.Glacier})
	b.layer.Archive(b.bucket, "media/deep.jpg", versions["media/deep.jpg"], awsbehaviour.Archived{StorageClass: awsbehaviour.DeepArchive, RestoreInProgress: true})
	b.layer.Archive(b.bucket, "media/thawed.jpg", versions["media/thawed.jpg"], awsbehaviour.Archived{StorageClass: awsbehaviour.Glacier, RestoredUntil: time.Now().Add(48 * time.Hour)})
	b.layer.Archive(b.bucket, "media/tiered.jpg", versions["media/tiered.jpg"], awsbehaviour.Archived{StorageClass: awsbehaviour.IntelligentTiering, AccessTier: awsbehaviour.ArchiveAccess})

	var mu sync.Mutex
	var asked []string // x-amz-optional-object-attributes of each listing
	copies := map[string]string{}
	listings := b.proxy.Inject(s3proxy.Fault{Operation: "ListObjectVersions", Before: func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, r.Header.Get("X-Amz-Optional-Object-Attributes"))
	}})
	copyRequests := b.proxy.Inject(s3proxy.Fault{Operation: "CopyObject", Before: func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		src, _ := url.PathUnescape(strings.TrimPrefix(r.Header.Get("X-Amz-Copy-Source"), "/"))
		copies[src] = r.Header.Get("X-Amz-Storage-Class")
	}})

	opts := RestoreOptions{AsOf: asOf, Recovery: recovery.Options{Method: recovery.MethodCopy}, SampleSize: 10, DryRun: true}
	plan, err := Restore(ctx, b.client, b.bucket, "media/", opts)
	mustVersions(t, err)
	// The plan cannot tell that tiered.jpg is in an archive tier: it counts it as pending.
	if got := plan.Tally.PendingKeys.Items(); plan.Tally.Pending != 3 || !slices.Equal(got, []string{"media/plain.jpg", "media/thawed.jpg", "media/tiered.jpg"}) {
		t.Fatalf("plan: pending %d %q", plan.Tally.Pending, got)
	}
	if got := blockedKeys(plan.Tally); !slices.Equal(got, []string{"media/deep.jpg: in the DEEP_ARCHIVE storage class, and its restore from the archive has not completed yet",
		"media/glacier.jpg: in the GLACIER storage class and not restored from the archive"}) {
		t.Fatalf("plan: blocked %q", got)
	}
	if plan.Tally.Deleted != 5 || len(plan.Refused) != 0 || len(copies) != 0 {
		t.Fatalf("plan: deleted %d, refused %v, copies %v", plan.Tally.Deleted, plan.Refused, copies)
	}

	opts.DryRun = false
	done, err := Restore(ctx, b.client, b.bucket, "media/", opts)
	if err != nil {
		t.Fatalf("a refused copy of an archived version failed the whole restore: %v", err)
	}
	if done.Restored != 2 || done.Tally.Pending != 2 || done.Tally.Refused != 1 || done.Tally.BlockedCount != 3 {
		t.Fatalf("restore: restored %d, pending %d, refused %d, blocked %d", done.Restored, done.Tally.Pending, done.Tally.Refused, done.Tally.BlockedCount)
	}
	if want := map[string]string{"media/tiered.jpg": versions["media/tiered.jpg"]}; !maps.Equal(done.Refused, want) {
		t.Fatalf("refused %v, want %v", done.Refused, want)
	}
	if got := blockedKeys(done.Tally); !slices.Contains(got, "media/tiered.jpg: in an archive access tier of the INTELLIGENT_TIERING storage class (S3 refused the copy: InvalidObjectState)") || len(got) != 3 {
		t.Fatalf("restore: blocked %q", got)
	}
	// Only the copyable versions and the one the listing could not tell were asked for; the restored
	// GLACIER version was copied into STANDARD (no storage class sent), the INTELLIGENT_TIERING one kept
	// its class.
	wantCopies := map[string]string{
		b.bucket + "/media/plain.jpg?versionId=" + versions["media/plain.jpg"]:   "",
		b.bucket + "/media/thawed.jpg?versionId=" + versions["media/thawed.jpg"]: "",
		b.bucket + "/media/tiered.jpg?versionId=" + versions["media/tiered.jpg"]: "INTELLIGENT_TIERING",
	}
	mu.Lock()
	if !maps.Equal(copies, wantCopies) || b.layer.Refusals() != 1 {
		t.Fatalf("copy requests %v (the layer refused %d),\nwant %v", copies, b.layer.Refusals(), wantCopies)
	}
	for _, h := range asked {
		if h != "RestoreStatus" {
			t.Fatalf("a listing asked for %q, want RestoreStatus", h)
		}
	}
	mu.Unlock()
	for k, want := range map[string]string{"media/plain.jpg": "original media/plain.jpg", "media/thawed.jpg": "original media/thawed.jpg", "media/glacier.jpg": "NoSuchKey", "media/tiered.jpg": "NoSuchKey"} {
		if got := getBody(ctx, b.direct, b.bucket, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	// A check after the restore, told what S3 refused, sees nothing left to do; without that it would
	// count the refused key as pending again.
	opts.DryRun, opts.Refused = true, done.Refused
	check, err := Restore(ctx, b.client, b.bucket, "media/", opts)
	mustVersions(t, err)
	if check.Tally.Pending != 0 || check.Tally.BlockedCount != 3 {
		t.Fatalf("check: pending %d %q, blocked %d", check.Tally.Pending, check.Tally.PendingKeys.Items(), check.Tally.BlockedCount)
	}

	// Once the archive restores have completed, restoring again copies the three that were left.
	b.layer.Archive(b.bucket, "media/glacier.jpg", versions["media/glacier.jpg"], awsbehaviour.Archived{StorageClass: awsbehaviour.Glacier, RestoredUntil: time.Now().Add(time.Hour)})
	b.layer.Archive(b.bucket, "media/deep.jpg", versions["media/deep.jpg"], awsbehaviour.Archived{StorageClass: awsbehaviour.DeepArchive, RestoredUntil: time.Now().Add(time.Hour)})
	b.layer.Archive(b.bucket, "media/tiered.jpg", versions["media/tiered.jpg"], awsbehaviour.Archived{}) // back in the Frequent Access tier
	opts.DryRun, opts.Refused = false, nil
	again, err := Restore(ctx, b.client, b.bucket, "media/", opts)
	mustVersions(t, err)
	if again.Restored != 3 || again.Tally.BlockedCount != 0 || again.Tally.Pending != 3 {
		t.Fatalf("again: restored %d, pending %d, blocked %q", again.Restored, again.Tally.Pending, blockedKeys(again.Tally))
	}
	for _, k := range keys {
		if got := getBody(ctx, b.direct, b.bucket, k); got != "original "+k {
			t.Errorf("%s = %q after the archive restores", k, got)
		}
	}
	if listings.Hits() == 0 || copyRequests.Hits() != 6 {
		t.Fatalf("listings seen %d, copy requests seen %d, want 6", listings.Hits(), copyRequests.Hits())
	}
}

// blockedKeys lists a tally's blocked actions as "key: why".
func blockedKeys(t *recovery.Tally) []string {
	var out []string
	for _, a := range t.Blocked.Items() {
		out = append(out, a.Key+": "+a.Blocked)
	}
	return out
}

// getBody returns the current content of key, or the S3 error code.
func getBody(ctx context.Context, c *s3.Client, bucket, key string) string {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return errorCode(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
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
	ctx := t.Context()
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
	objectVersions := func() (objects int) {
		mustVersions(t, ListVersions(ctx, c, bucket, "", func(page []recovery.Version) error {
			for _, v := range page {
				if !v.IsDeleteMarker {
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
	objectsBefore := objectVersions()

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
	objectsAfter := objectVersions()
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
	ctx := t.Context()
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
	ctx := t.Context()
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
