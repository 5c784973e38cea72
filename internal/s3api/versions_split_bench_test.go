package s3api

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// BenchmarkListVersions lists the versions under a prefix as a restore's plan does, in one chain
// (ListVersions) and split along the key tree (listVersionsSplit), side by side in every iteration, against
// SeaweedFS through the test proxy with 20 ms added to every listing request, and with 100 ms, where the
// waiting outweighs this machine's own work per page (SeaweedFS spends about 20 ms of CPU on a page here, and
// the two cores it shares with the client cap what listing side by side can gain). The fixture is a Django media tree of
// 10,000 keys (media/uploads/YYYY/MM/DD/, 336 days, one key in ten overwritten once). Pages hold 100 entries
// instead of S3's 1,000, so the bench stands for a bucket ten times its size (110,000 entries) at the same
// number of round trips. Metrics: chain-ms and split-ms per listing, speedup (their ratio), chain-requests and
// split-requests, keys/s of each.
func BenchmarkListVersions(b *testing.B) {
	srv, newBucket := startSeaweedFS(b) // skips without PROTECTEDMEDIA_WEED
	_, bucket := newBucket(b)
	proxy, proxyURL := startProxy(b, srv, func(w http.ResponseWriter, r *http.Request, _ s3proxy.Operation, next http.Handler) {
		next.ServeHTTP(w, r)
	})
	cl, err := New(b.Context(), Config{SkipBucketOwnerCheck: true, Endpoint: proxyURL, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CABundle: srv.CAFile})
	if err != nil {
		b.Fatal(err)
	}
	c := cl.S3
	const keys = 10000
	ctx := b.Context()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for i := range keys {
		key := fmt.Sprintf("media/uploads/2024/%02d/%02d/photo-%05d.jpg", 1+i%12, 1+(i/12)%28, i)
		g.Go(func() error {
			for range 1 + btoi(i%10 == 0) {
				if _, err := c.PutObject(gctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(key)}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	saved := splitListing
	b.Cleanup(func() { splitListing = saved })
	splitListing.PageSize = 100
	for _, latency := range []time.Duration{20 * time.Millisecond, 100 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			var requests atomic.Int64
			defer proxy.Inject(s3proxy.Fault{Operation: "ListObjectVersions", Latency: latency, Before: func(*http.Request) { requests.Add(1) }}).Remove()
			compareListings(b, c, bucket, keys, &requests)
		})
	}
}

// compareListings lists bucket's media/ b.N times each way, side by side, and reports the metrics of
// BenchmarkListVersions; requests counts the listing requests.
func compareListings(b *testing.B, c *s3.Client, bucket string, keys int, requests *atomic.Int64) {
	ctx := b.Context()
	page := func(in *s3.ListObjectVersionsInput) { in.MaxKeys = aws.Int32(splitListing.PageSize) }

	list := func(split bool) (time.Duration, int64) {
		start, before := time.Now(), requests.Load()
		var scanner recovery.Scanner
		n := 0
		emit := func(string, []recovery.Version) error { n++; return nil } //nolint:unparam // the Scanner's callback
		fn := func(p []recovery.Version) error { return scanner.Page(p, emit) }
		var err error
		if split {
			err = listVersionsSplit(ctx, c, bucket, "media/", fn)
		} else {
			err = ListVersions(ctx, c, bucket, "media/", fn, page)
		}
		if err == nil {
			err = scanner.Flush(emit)
		}
		if err != nil {
			b.Fatal(err)
		}
		if n != keys {
			b.Fatalf("listed %d keys, want %d", n, keys)
		}
		return time.Since(start), requests.Load() - before
	}
	var chain, split time.Duration
	var chainReq, splitReq int64
	b.ResetTimer()
	for range b.N {
		d, r := list(false)
		chain, chainReq = chain+d, chainReq+r
		d, r = list(true)
		split, splitReq = split+d, splitReq+r
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(chain.Milliseconds())/n, "chain-ms")
	b.ReportMetric(float64(split.Milliseconds())/n, "split-ms")
	b.ReportMetric(float64(chain)/float64(split), "speedup")
	b.ReportMetric(float64(chainReq)/n, "chain-requests")
	b.ReportMetric(float64(splitReq)/n, "split-requests")
	b.ReportMetric(float64(keys)*n/chain.Seconds(), "chain-keys/s")
	b.ReportMetric(float64(keys)*n/split.Seconds(), "split-keys/s")
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}
