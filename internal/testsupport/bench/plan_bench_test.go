package bench

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// emptyPlan is the wall time of planning an empty configuration with each build, measured first in the
// same run, so every other result can be read as a ratio to it on this (noisy) machine.
var emptyPlan = map[string]time.Duration{}

// injectedLatency is one network round trip to S3, added by the proxy to every call.
const injectedLatency = 20 * time.Millisecond

// BenchmarkPlan measures `terraform plan` (a full refresh) of N pairs, with and without 20 ms of latency on
// every S3 call. Metrics: ns/op is the plan's wall time, terraform included; x-empty its ratio to the
// empty configuration; provider-ms the part above the empty plan; calls/pair the S3 calls per pair per
// refresh; startup-ms the provider's time to its plugin handshake; peak-MiB the provider's peak memory;
// provider-cpu-ms/op the CPU time the provider processes used per plan; terraform-cpu-ms/op Terraform's own;
// s3-cpu-ms/op that of SeaweedFS and the proxy: all three compete for this machine's two cores.
func BenchmarkPlan(b *testing.B) {
	requireHarness(b)
	set := "" // the big run's cases are named big/pairs=N, apart from the small run's
	if os.Getenv(bigPlansEnv) != "" {
		set = "big/"
	}
	b.Run(set+"pairs=0", func(b *testing.B) {
		w := newWorkspace(b, 0)
		eachBuild(b, func(b *testing.B, build string) {
			resetProviderStats(b)
			b.ResetTimer()
			for range b.N {
				w.plan(b)
			}
			b.StopTimer()
			emptyPlan[build] = b.Elapsed() / time.Duration(b.N)
			reportProvider(b)
		})
	})
	for _, n := range planSizes() {
		b.Run(fmt.Sprintf("%spairs=%d", set, n), func(b *testing.B) {
			w := newWorkspace(b, n)
			b.Run("refresh=false", func(b *testing.B) {
				// Terraform's own cost for n resources, with no S3 call at all: what the refresh adds is the
				// difference to latency=0s.
				eachBuild(b, func(b *testing.B, build string) {
					w.settle(b)
					resetProviderStats(b)
					b.ResetTimer()
					for range b.N {
						w.plan(b, "-refresh=false")
					}
					b.StopTimer()
					if empty := emptyPlan[build]; empty > 0 {
						b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(empty), "x-empty")
					}
					reportProvider(b)
				})
			})
			for _, latency := range []time.Duration{0, injectedLatency} {
				b.Run("latency="+latency.String(), func(b *testing.B) {
					eachBuild(b, func(b *testing.B, build string) { planRefresh(b, w, latency, emptyPlan[build]) })
				})
			}
		})
	}
}

// bigPlansEnv adds big workspaces to BenchmarkPlan: 100 and 200 pairs. Each of their plans takes seconds
// and their setup (applying and destroying 300 pairs) minutes, so `make bench` runs them in a run of their
// own with fewer iterations (-benchtime 2x) than the small ones.
const bigPlansEnv = "PROTECTEDMEDIA_BENCH_BIG"

// planSizes are the workspaces BenchmarkPlan measures: 1, 10 and 50 pairs, or with PROTECTEDMEDIA_BENCH_BIG
// set 10, 50, 100 and 200 (10 and 50 again, so per-pair costs are compared within the run).
func planSizes() []int {
	if os.Getenv(bigPlansEnv) != "" {
		return []int{10, 50, 100, 200}
	}
	return []int{1, 10, 50}
}

// planRefresh measures plans of w's pairs with a refresh, with latency added to every S3 call.
func planRefresh(b *testing.B, w *workspace, latency, empty time.Duration) {
	n := w.pairs
	w.settle(b)
	if latency > 0 {
		defer harness.env.Proxy.Inject(s3proxy.Fault{Latency: latency}).Remove()
	}
	resetProviderStats(b)
	harness.env.Proxy.ResetCounts()
	b.ResetTimer()
	for range b.N {
		w.plan(b)
	}
	b.StopTimer()
	perPlan := b.Elapsed() / time.Duration(b.N)
	counts := harness.env.Proxy.Counts()
	total := 0
	for _, c := range counts {
		total += c
	}
	b.ReportMetric(float64(total)/float64(b.N*n), "calls/pair")
	if empty > 0 {
		b.ReportMetric(float64(perPlan)/float64(empty), "x-empty")
		b.ReportMetric(float64(perPlan-empty)/float64(time.Millisecond), "provider-ms")
	}
	reportProvider(b)
	b.Logf("S3 calls per pair per refresh by operation: %s", perPair(counts, b.N*n))
	s := readProviderStats(b)
	b.ReportMetric(float64(s.cpu)/float64(b.N*n)/float64(time.Millisecond), "provider-cpu-ms/pair")
}

// reportProvider reports the median start-up and the largest peak memory of the provider processes.
func reportProvider(b *testing.B) {
	s := readProviderStats(b)
	if len(s.startups) == 0 {
		return
	}
	startups := slices.Clone(s.startups)
	slices.Sort(startups)
	b.ReportMetric(float64(startups[len(startups)/2])/float64(time.Millisecond), "startup-ms")
	b.ReportMetric(float64(slices.Max(s.peakKiB))/1024, "peak-MiB")
	b.ReportMetric(float64(s.cpu)/float64(b.N)/float64(time.Millisecond), "provider-cpu-ms/op")
	b.ReportMetric(float64(commandCPU-s.cpu)/float64(b.N)/float64(time.Millisecond), "terraform-cpu-ms/op")
	b.ReportMetric(float64(serverCPU()-serverCPUAtReset)/float64(b.N)/float64(time.Millisecond), "s3-cpu-ms/op")
}

func perPair(counts map[string]int, refreshes int) string {
	ops := slices.Collect(maps.Keys(counts))
	sort.Strings(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s=%.1f", op, float64(counts[op])/float64(refreshes))
	}
	return strings.Join(parts, " ")
}
