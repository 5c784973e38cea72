package bench

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// setupConcurrency is how many requests the benchmark's own setup (writing, deleting, overwriting the
// objects, directly against SeaweedFS) keeps in flight.
const setupConcurrency = 64

// pending50 is how the plan shows the restore's pending count.
var pending50 = regexp.MustCompile(`pending_count\s+= 50\b`)

const restoreConfig = `terraform {
  required_providers {
    protectedmedia = { source = "protectedmedia/protectedmedia" }
  }
}

provider "protectedmedia" {}

resource "protectedmedia_media_restore" "r" {
  bucket = %q
  prefix = "media/"
  as_of  = %q
}
`

// BenchmarkRestore measures point-in-time restores run by the real terraform and the real provider through
// the counting proxy: 60% of the objects deleted and 40% overwritten after as_of.
//
//   - objects=50/plan: `terraform plan` of the restore (one listing): ns/op is its wall time, terraform
//     included; list-calls the S3 calls it made.
//   - objects=10000/apply: `terraform apply` (plan, the final re-plan, the restore and a confirming listing):
//     objects/s over the whole apply, restore-objects/s over the restore phase alone (from the provider's
//     log), calls/object every S3 call the apply made per restored object, provider-cpu-s the CPU time of
//     the provider processes (the rest of the machine's CPU goes to SeaweedFS and terraform). With
//     latency=20ms every S3 call takes a round trip more, as on AWS.
func BenchmarkRestore(b *testing.B) {
	requireHarness(b)
	b.Run("objects=50/plan", func(b *testing.B) {
		bucket, asOf := restoreFixture(b, 50)
		w := restoreWorkspace(b, bucket, asOf)
		harness.env.Proxy.ResetCounts()
		b.ResetTimer()
		for range b.N {
			out := w.terraform(b, "plan", "-input=false", "-lock=false")
			if !pending50.MatchString(out) {
				b.Fatalf("the plan does not show 50 objects to restore:\n%s", out)
			}
		}
		b.StopTimer()
		calls, _ := totalCalls()
		b.ReportMetric(float64(calls)/float64(b.N), "list-calls/op")
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "plan-ms")
	})
	rclone, rcloneErr := exec.LookPath("rclone")
	for _, latency := range []time.Duration{0, injectedLatency} {
		b.Run(fmt.Sprintf("objects=10000/apply/latency=%s", latency), func(b *testing.B) {
			const n = 10000
			var restoreTime, applyTime, providerCPU time.Duration
			calls := 0
			ops := map[string]int{}
			for range b.N {
				b.StopTimer()
				bucket, asOf := restoreFixture(b, n)
				w := restoreWorkspace(b, bucket, asOf)
				logFile := filepath.Join(w.dir, "provider.log")
				b.Setenv("TF_LOG_PROVIDER", "INFO")
				b.Setenv("TF_LOG_PATH", logFile)
				var fault *s3proxy.Injection
				if latency > 0 {
					fault = harness.env.Proxy.Inject(s3proxy.Fault{Latency: latency})
				}
				harness.env.Proxy.ResetCounts()
				resetProviderStats(b)
				start := time.Now()
				b.StartTimer()
				out := w.terraform(b, "apply", "-auto-approve", "-input=false", "-lock=false")
				b.StopTimer()
				applyTime += time.Since(start)
				if fault != nil {
					fault.Remove()
				}
				providerCPU += readProviderStats(b).cpu
				c, byOp := totalCalls()
				calls += c
				for op, k := range byOp {
					ops[op] += k
				}
				if !strings.Contains(out, "Apply complete! Resources: 1 added") {
					b.Fatalf("apply:\n%s", out)
				}
				restored, elapsed := restoreLog(b, logFile)
				if restored != n {
					b.Fatalf("restored %d objects, want %d", restored, n)
				}
				restoreTime += elapsed
				os.Unsetenv("TF_LOG_PATH")
				dropBenchBucket(b, bucket)
			}
			b.ReportMetric(float64(n*b.N)/applyTime.Seconds(), "objects/s")
			b.ReportMetric(float64(n*b.N)/restoreTime.Seconds(), "restore-objects/s")
			b.ReportMetric(float64(calls)/float64(n*b.N), "calls/object")
			b.ReportMetric(float64(ops["CopyObject"])/float64(n*b.N), "copies/object")
			b.ReportMetric(providerCPU.Seconds()/float64(b.N), "provider-cpu-s/op")
			b.Logf("S3 calls per apply by operation: %s", perPair(ops, b.N))
		})
		b.Run(fmt.Sprintf("objects=10000/rclone/latency=%s", latency), func(b *testing.B) {
			if rcloneErr != nil {
				b.Skipf("rclone is not on PATH (scripts/ensure-rclone.sh installs it): %v", rcloneErr)
			}
			rcloneRestore(b, rclone, 10000, latency)
		})
	}
}

// rcloneConcurrency is what rclone is given for transfers and checkers: what the provider's restore keeps
// in flight (s3api.DefaultRestoreConcurrency).
const rcloneConcurrency = s3api.DefaultRestoreConcurrency

// rcloneRestore measures rclone doing what the restore does, on the same fixture through the same proxy:
// copying the view of the bucket at as_of (--s3-version-at, remote "then") onto the bucket as it is now
// (remote "now"), server-side (--server-side-across-configs: two remotes with the same endpoint and
// credentials). It reports objects/s, calls/object and copies/object, and fails unless every object is back
// as it was at as_of.
func rcloneRestore(b *testing.B, rclone string, n int, latency time.Duration) {
	var wall time.Duration
	calls := 0
	ops := map[string]int{}
	for range b.N {
		b.StopTimer()
		bucket, asOf := restoreFixture(b, n)
		// rclone's SDK reads AWS_CA_BUNDLE and fails on it with rclone's own transport: --ca-cert says it.
		env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "AWS_") })
		for _, remote := range []string{"THEN", "NOW"} {
			env = append(env,
				"RCLONE_CONFIG_"+remote+"_TYPE=s3",
				"RCLONE_CONFIG_"+remote+"_PROVIDER=Other",
				"RCLONE_CONFIG_"+remote+"_ENDPOINT="+harness.env.ProxyURL,
				"RCLONE_CONFIG_"+remote+"_ACCESS_KEY_ID="+harness.env.Server.AccessKey,
				"RCLONE_CONFIG_"+remote+"_SECRET_ACCESS_KEY="+harness.env.Server.SecretKey,
				"RCLONE_CONFIG_"+remote+"_REGION=us-east-1",
				"RCLONE_CONFIG_"+remote+"_FORCE_PATH_STYLE=true",
				"RCLONE_CONFIG_"+remote+"_NO_CHECK_BUCKET=true",
			)
		}
		env = append(env, "RCLONE_CONFIG_THEN_VERSION_AT="+asOf, "RCLONE_CONFIG=/dev/null")
		cmd := exec.Command(rclone, "copy", "then:"+bucket+"/media", "now:"+bucket+"/media",
			"--server-side-across-configs", "--fast-list", "--ca-cert", harness.env.Server.CAFile,
			"--transfers", strconv.Itoa(rcloneConcurrency), "--checkers", strconv.Itoa(rcloneConcurrency), "--retries", "1")
		cmd.Env = env
		var fault *s3proxy.Injection
		if latency > 0 {
			fault = harness.env.Proxy.Inject(s3proxy.Fault{Latency: latency})
		}
		harness.env.Proxy.ResetCounts()
		start := time.Now()
		b.StartTimer()
		out, err := cmd.CombinedOutput()
		b.StopTimer()
		wall += time.Since(start)
		if fault != nil {
			fault.Remove()
		}
		if err != nil {
			b.Fatalf("rclone copy: %v\n%s", err, out)
		}
		c, byOp := totalCalls()
		calls += c
		for op, k := range byOp {
			ops[op] += k
		}
		checkRestored(b, bucket, n)
		dropBenchBucket(b, bucket)
	}
	b.ReportMetric(float64(n*b.N)/wall.Seconds(), "objects/s")
	b.ReportMetric(float64(calls)/float64(n*b.N), "calls/object")
	b.ReportMetric(float64(ops["CopyObject"])/float64(n*b.N), "copies/object")
	b.Logf("S3 calls per rclone copy by operation: %s", perPair(ops, b.N))
}

// checkRestored fails unless bucket's current objects under media/ are the n the fixture wrote, each with
// its content at as_of.
func checkRestored(tb testing.TB, bucket string, n int) {
	tb.Helper()
	ctx := tb.Context()
	p := s3.NewListObjectsV2Paginator(harness.env.Direct, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("media/")})
	var keys []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	if len(keys) != n {
		tb.Fatalf("%d current objects after the restore, want %d", len(keys), n)
	}
	// Every fifth key was overwritten, the others deleted: a sample of both kinds.
	for i := 0; i < n; i += n / 20 {
		for _, k := range []string{keys[i], keys[min(i+1, n-1)]} {
			got, err := harness.env.Direct.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
			if err != nil {
				tb.Fatal(err)
			}
			body, err := io.ReadAll(got.Body)
			got.Body.Close()
			if err != nil {
				tb.Fatal(err)
			}
			if want := "original " + k; string(body) != want {
				tb.Fatalf("%s holds %q after the restore, want %q", k, body, want)
			}
		}
	}
}

// restoreFixture creates a versioned bucket with n objects under media/, records as_of, then deletes 60%
// of them and overwrites the rest, all directly against SeaweedFS (not counted). It returns the bucket and
// as_of.
func restoreFixture(tb testing.TB, n int) (string, string) {
	tb.Helper()
	ctx := tb.Context()
	c := harness.env.Direct
	r := make([]byte, 4)
	rand.Read(r)
	bucket := "bench-restore-" + hex.EncodeToString(r)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		tb.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		tb.Fatal(err)
	}
	key := func(i int) string { return fmt.Sprintf("media/uploads/%05d.jpg", i) }
	forEachIndex(tb, n, func(i int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key(i)), Body: strings.NewReader("original " + key(i))})
		return err
	})
	at := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(at.Add(time.Second + 50*time.Millisecond)))
	forEachIndex(tb, n, func(i int) error {
		var err error
		if i%5 < 3 {
			_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key(i))})
		} else {
			_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key(i)), Body: strings.NewReader("overwritten")})
		}
		return err
	})
	return bucket, at.UTC().Format(time.RFC3339)
}

// forEachIndex runs fn for 0..n-1 with setupConcurrency in flight and fails on the first error.
func forEachIndex(tb testing.TB, n int, fn func(i int) error) {
	tb.Helper()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	sem := make(chan struct{}, setupConcurrency)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(i); err != nil {
				once.Do(func() { first = err })
			}
		})
	}
	wg.Wait()
	if first != nil {
		tb.Fatal(first)
	}
}

func restoreWorkspace(tb testing.TB, bucket, asOf string) *workspace {
	tb.Helper()
	w := &workspace{dir: tb.TempDir()}
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), fmt.Appendf(nil, restoreConfig, bucket, asOf), 0o600); err != nil {
		tb.Fatal(err)
	}
	return w
}

func dropBenchBucket(tb testing.TB, bucket string) {
	tb.Helper()
	ctx := tb.Context()
	if _, err := s3api.EmptyBucket(ctx, harness.env.Direct, bucket, s3api.MFA{}); err != nil {
		tb.Fatal(err)
	}
	if err := s3api.DeleteBucket(ctx, harness.env.Direct, bucket); err != nil {
		tb.Fatal(err)
	}
}

func totalCalls() (int, map[string]int) {
	counts := harness.env.Proxy.Counts()
	total := 0
	for _, c := range counts {
		total += c
	}
	return total, counts
}

// restoreLog reads the provider's "point-in-time restore: done" log line: how many objects it restored
// and how long the restore itself took.
func restoreLog(tb testing.TB, file string) (int, time.Duration) {
	tb.Helper()
	f, err := os.Open(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "point-in-time restore: done")
		if i < 0 {
			continue
		}
		// Terraform writes the provider's fields after the message as key=value pairs.
		fields := map[string]string{}
		for _, kv := range strings.Fields(line[i:]) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				fields[k] = strings.Trim(v, `"`)
			}
		}
		var restored, ms int
		if err := json.Unmarshal([]byte(fields["restored"]), &restored); err != nil {
			tb.Fatalf("no restored count in %q", line)
		}
		if err := json.Unmarshal([]byte(fields["elapsed_ms"]), &ms); err != nil {
			tb.Fatalf("no elapsed_ms in %q", line)
		}
		return restored, time.Duration(ms) * time.Millisecond
	}
	tb.Fatalf("no restore log line in %s", file)
	return 0, 0
}
