package s3api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// splitFixture is a key tree with what a split listing must get right: keys directly under every level, keys
// that sort just before and just after a common prefix ("b.jpg" < "b/" < "b0.jpg"), a directory marker
// ("media/"), an empty level ("media//"), non-ASCII keys, deep date directories, and keys with several
// versions and delete markers, whose entries span pages.
func splitFixture() map[string]int {
	keys := map[string]int{ // key: versions written (a negative count ends with a delete marker)
		"a.txt": 2, "media/": 1, "media/x.jpg": 3, "media/b.jpg": 1, "media/b/1.jpg": -2, "media/b/2.jpg": 1,
		"media/b0.jpg": 2, "media/b-c/9.jpg": 1, "media//double.jpg": 1, "media/é/ü.jpg": -1, "z/last.jpg": 1,
	}
	for d := range 4 {
		for i := range 6 {
			keys[fmt.Sprintf("media/photos/2024/0%d/p%d.jpg", d+1, i)] = 1 + i%3
		}
	}
	for i := range 7 {
		keys[fmt.Sprintf("media/docs/%d.pdf", i)] = -(1 + i%2)
	}
	return keys
}

// writeSplitFixture writes splitFixture into a versioned bucket.
func writeSplitFixture(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	ctx := t.Context()
	for key, n := range splitFixture() {
		for i := range max(n, -n) {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key), Body: strings.NewReader(fmt.Sprint(key, i))})
			mustVersions(t, err)
		}
		if n < 0 {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(key)})
			mustVersions(t, err)
		}
	}
}

// scanned is a listing as the restore sees it: each key, in the order they were handed on, with its entries
// in the order Classify reads them.
func scanned(t *testing.T, list func(fn func([]recovery.Version) error) error) []string {
	t.Helper()
	var out []string
	var scanner recovery.Scanner
	emit := func(key string, entries []recovery.Version) error { //nolint:unparam // the Scanner's callback
		ids := make([]string, 0, len(entries))
		// Within a key, where a page ends decides how its versions and delete markers interleave (each page
		// has the versions first), in one chain as in a split; the order Classify reads them in does not.
		for _, e := range recovery.Sorted(entries) {
			ids = append(ids, fmt.Sprintf("%s:%t:%t", e.VersionID, e.IsDeleteMarker, e.IsLatest))
		}
		out = append(out, key+" "+strings.Join(ids, ","))
		return nil
	}
	mustVersions(t, list(func(page []recovery.Version) error { return scanner.Page(page, emit) }))
	mustVersions(t, scanner.Flush(emit))
	return out
}

// checkSplitListing lists the fixture under several prefixes with tiny pages, one chain and split, and
// checks both hand on the same keys with the same entries in the same order, and that the split did split
// (delimited requests counts the requests with a delimiter). It does so with pages enough to split the whole
// tree, with few enough that some directories stay whole, and with one, where "media/" cannot be split at all
// and the listing goes on as one chain from the first page.
func checkSplitListing(t *testing.T, c *s3.Client, bucket string, delimited *atomic.Int64) {
	for _, levelPages := range []int{40, 3, 1} {
		t.Run(fmt.Sprintf("level pages=%d", levelPages), func(t *testing.T) {
			checkSplitListingWith(t, c, bucket, delimited, levelPages)
		})
	}
}

func checkSplitListingWith(t *testing.T, c *s3.Client, bucket string, delimited *atomic.Int64, levelPages int) {
	saved := splitListing
	t.Cleanup(func() { splitListing = saved })
	splitListing.PageSize, splitListing.Want, splitListing.Workers, splitListing.Ahead = 4, 6, 3, 1
	splitListing.MaxLevelPages = levelPages
	page := func(in *s3.ListObjectVersionsInput) { in.MaxKeys = aws.Int32(4) }
	for _, c2 := range []struct {
		prefix string
		splits bool
	}{
		{"", true}, {"media/", true}, {"media/photos/", true},
		{"media/b/", false},    // one page
		{"media/docs/", false}, // its first page is all directly in media/docs/: a flat directory is not split
		{"nothing/", false},
	} {
		t.Run("prefix="+c2.prefix, func(t *testing.T) {
			ctx := t.Context()
			flat := scanned(t, func(fn func([]recovery.Version) error) error {
				return ListVersions(ctx, c, bucket, c2.prefix, fn, page)
			})
			before := delimited.Load()
			split := scanned(t, func(fn func([]recovery.Version) error) error { return listVersionsSplit(ctx, c, bucket, c2.prefix, fn) })
			if !slices.Equal(flat, split) {
				t.Errorf("the split listing differs from one chain:\none chain:\n  %s\nsplit:\n  %s", strings.Join(flat, "\n  "), strings.Join(split, "\n  "))
			}
			if did := delimited.Load() > before; did != c2.splits {
				t.Errorf("split along the tree: %t, want %t", did, c2.splits)
			}
			want := 0
			for key := range splitFixture() {
				if strings.HasPrefix(key, c2.prefix) {
					want++
				}
			}
			if len(flat) != want {
				t.Errorf("%d keys listed, want %d", len(flat), want)
			}
		})
	}
}

// TestListVersionsSplit: against SeaweedFS through the test proxy, a split listing hands on what one chain
// does; a listing that fails in a worker returns the failure; a caller that stops returns its own error.
func TestListVersionsSplit(t *testing.T) {
	srv, newBucket := startSeaweedFS(t) // skips without PROTECTEDMEDIA_WEED
	_, bucket := newBucket(t)
	proxy, proxyURL := startProxy(t, srv, func(w http.ResponseWriter, r *http.Request, _ s3proxy.Operation, next http.Handler) {
		next.ServeHTTP(w, r)
	})
	ctx := t.Context()
	cl, err := New(ctx, Config{SkipBucketOwnerCheck: true, Endpoint: proxyURL, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CABundle: srv.CAFile})
	mustVersions(t, err)
	writeSplitFixture(t, cl.S3, bucket)
	var delimited atomic.Int64
	c := s3.New(cl.S3.Options(), func(o *s3.Options) { o.APIOptions = append(o.APIOptions, countDelimited(&delimited)) })
	checkSplitListing(t, c, bucket, &delimited)

	saved := splitListing
	t.Cleanup(func() { splitListing = saved })
	splitListing.PageSize, splitListing.Want, splitListing.Workers, splitListing.Ahead = 4, 6, 3, 1
	t.Run("a failing listing", func(t *testing.T) {
		// The first page and the levels pass; then the prefixes' listings fail.
		in := proxy.Inject(s3proxy.Fault{Operation: "ListObjectVersions", Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Skip: 8})
		defer in.Remove()
		err := listVersionsSplit(ctx, c, bucket, "", func([]recovery.Version) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "ServiceUnavailable") {
			t.Fatalf("listing with failing requests: %v, want ServiceUnavailable", err)
		}
	})
	t.Run("a caller that stops", func(t *testing.T) {
		stop := fmt.Errorf("enough")
		n := 0
		err := listVersionsSplit(ctx, c, bucket, "", func([]recovery.Version) error {
			if n++; n == 5 {
				return stop
			}
			return nil
		})
		if err != stop { //nolint:errorlint // the very error fn returned
			t.Fatalf("listing whose caller stopped: %v, want %v", err, stop)
		}
	})
}

// countDelimited counts the client's ListObjectVersions requests with a delimiter, the levels of a split.
func countDelimited(n *atomic.Int64) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("countDelimited", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if l, ok := in.Parameters.(*s3.ListObjectVersionsInput); ok && l.Delimiter != nil {
				n.Add(1)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	}
}
