// Package bench measures the provider as users run it: the real provider binary, started by the real
// terraform, refreshing pairs on a real SeaweedFS through the counting, latency-injecting test proxy.
// `make bench` runs the benchmarks; `make test` runs the call-count guard in calls_test.go.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/testenv"
)

// harness is set up once by TestMain: a running server and proxy, the provider built behind provwrap, and
// a Terraform CLI configuration whose dev_overrides point at it.
var harness struct {
	env       *testenv.Env
	tfrc      string
	statsFile string
	skip      string
	// builds are the provider binaries measured: the working tree's, and first the one built from the
	// revision named by PROTECTEDMEDIA_BENCH_BASELINE when it is set, so both are measured in one run.
	builds []build
}

type build struct{ name, path string }

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv(testenv.WeedEnv) == "" {
		harness.skip = testenv.WeedEnv + " is not set; run through `make test` or `make bench`"
		return m.Run()
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		harness.skip = "terraform is not on PATH"
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "protectedmedia-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := buildProvider(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	env, err := testenv.Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer env.Stop()
	harness.env = env
	harness.statsFile = filepath.Join(dir, "provider-stats")
	if err := env.SetProcessEnv(harness.tfrc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("PROTECTEDMEDIA_BENCH_STATS", harness.statsFile)
	os.Setenv("TF_IN_AUTOMATION", "1")
	return m.Run()
}

// buildProvider builds the provider and provwrap into dir/bin (provwrap under the provider's name, since
// that is the binary Terraform starts) and writes dir/terraformrc with dev_overrides pointing there.
func buildProvider(dir string) error {
	bin := filepath.Join(dir, "bin")
	realProvider := filepath.Join(dir, "real-provider")
	pkg := "github.com/protectedmedia/terraform-provider-protectedmedia"
	if os.Getenv("PROTECTEDMEDIA_CPUPROFILE_DIR") != "" || os.Getenv("PROTECTEDMEDIA_MEMPROFILE_DIR") != "" {
		pkg += "/internal/testsupport/bench/profprov" // the same provider, writing profiles per process
	}
	for _, b := range [][]string{
		{"build", "-o", realProvider, pkg},
		{"build", "-o", filepath.Join(bin, "terraform-provider-protectedmedia"), "github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/bench/provwrap"},
	} {
		if out, err := exec.Command("go", b...).CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(b, " "), err, out)
		}
	}
	os.Setenv("PROTECTEDMEDIA_BENCH_PROVIDER", realProvider)
	harness.builds = []build{{"current", realProvider}}
	if rev := os.Getenv("PROTECTEDMEDIA_BENCH_BASELINE"); rev != "" {
		baseline := filepath.Join(dir, "baseline-provider")
		if err := buildRevision(rev, filepath.Join(dir, "baseline-src"), baseline); err != nil {
			return err
		}
		harness.builds = []build{{"baseline", baseline}, {"current", realProvider}}
	}
	harness.tfrc = filepath.Join(dir, "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/protectedmedia/protectedmedia\" = %q\n  }\n}\n", bin)
	return os.WriteFile(harness.tfrc, []byte(rc), 0o600)
}

// buildRevision builds the provider as it was at the git revision rev, from a copy of its tree in src.
func buildRevision(rev, src, out string) error {
	if err := os.MkdirAll(src, 0o700); err != nil {
		return err
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return fmt.Errorf("finding the repository: %w", err)
	}
	// From the top: git archive run in a subdirectory archives only that subdirectory.
	archive := exec.Command("git", "archive", "--format=tar", rev)
	archive.Dir = strings.TrimSpace(string(top))
	tar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return err
	}
	tar.Stdin = pipe
	var stderr bytes.Buffer
	archive.Stderr, tar.Stderr = &stderr, &stderr
	if err := tar.Start(); err != nil {
		return err
	}
	if err := archive.Run(); err != nil {
		return fmt.Errorf("git archive %s: %v\n%s", rev, err, stderr.String())
	}
	if err := tar.Wait(); err != nil {
		return fmt.Errorf("unpacking %s: %v\n%s", rev, err, stderr.String())
	}
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %v\n%s", rev, err, b)
	}
	return nil
}

// eachBuild runs fn once per build being measured, as a sub-benchmark named after the build when there
// is more than one. Workspaces are applied with the current build; the baseline must share its schema.
func eachBuild(b *testing.B, fn func(b *testing.B, name string)) {
	if len(harness.builds) == 1 {
		fn(b, harness.builds[0].name)
		return
	}
	for _, bld := range harness.builds {
		b.Run("build="+bld.name, func(b *testing.B) {
			b.Setenv("PROTECTEDMEDIA_BENCH_PROVIDER", bld.path) // provwrap starts what this names; restored after
			fn(b, bld.name)
		})
	}
}

func requireHarness(tb testing.TB) {
	tb.Helper()
	if harness.skip != "" {
		tb.Skip(harness.skip)
	}
}

// workspace is a Terraform working directory with n pairs.
type workspace struct {
	dir    string
	pairs  int
	prefix string
	env    []string // added to terraform's environment
}

const config = `terraform {
  required_providers {
    protectedmedia = { source = "protectedmedia/protectedmedia" }
  }
}

provider "protectedmedia" {}

resource "protectedmedia_bucket_pair" "p" {
  count               = %d
  media_bucket        = "%s-m${count.index}"
  static_bucket       = "%s-s${count.index}"
  media_force_destroy = true
  tags = {
    bench = "%s"
  }
}
`

// newWorkspace writes a configuration with n pairs (0 is the empty-configuration baseline) and applies it.
func newWorkspace(tb testing.TB, n int) *workspace {
	tb.Helper()
	w := &workspace{dir: tb.TempDir(), pairs: n, prefix: randomPrefix("bench")}
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(pairConfig(n, w.prefix)), 0o600); err != nil {
		tb.Fatal(err)
	}
	if n > 0 {
		w.terraform(tb, "apply", "-auto-approve", "-input=false", "-parallelism=10")
		tb.Cleanup(func() { w.terraform(tb, "destroy", "-auto-approve", "-input=false", "-parallelism=10") })
	}
	return w
}

// settle applies the configuration with the build under measurement, when there are two: a build whose
// computed values differ from the other's (a new default, a new output) would otherwise plan an update
// of the other's state, and only an empty plan measures a refresh.
func (w *workspace) settle(tb testing.TB) {
	tb.Helper()
	if w.pairs > 0 && len(harness.builds) > 1 {
		w.terraform(tb, "apply", "-auto-approve", "-input=false", "-parallelism=10")
	}
}

// terraform runs one command and fails the test on error.
func (w *workspace) terraform(tb testing.TB, args ...string) string {
	tb.Helper()
	cmd := exec.Command("terraform", append(args, "-no-color")...)
	cmd.Dir = w.dir
	if len(w.env) > 0 {
		cmd.Env = append(os.Environ(), w.env...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if cmd.ProcessState != nil {
		// The kernel counts the CPU of reaped descendants in here too: the providers Terraform started.
		commandCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		tb.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// plan runs `terraform plan` (which refreshes every pair) and fails unless the plan is empty.
func (w *workspace) plan(tb testing.TB, extra ...string) {
	tb.Helper()
	out := w.terraform(tb, append([]string{"plan", "-input=false", "-lock=false", "-detailed-exitcode"}, extra...)...)
	if w.pairs > 0 && !strings.Contains(out, "No changes.") {
		tb.Fatalf("expected an empty plan:\n%s", out)
	}
}

// randomPrefix is prefix and 8 random hex digits, for bucket names no other run uses.
func randomPrefix(prefix string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// providerStats are what provwrap recorded for every provider process started since the last reset.
type providerStats struct {
	startups []time.Duration
	peakKiB  []int64
	cpu      time.Duration // summed over the processes
}

// commandCPU is the CPU time of the terraform commands run since the last reset, providers included.
var commandCPU time.Duration

// serverCPUAtReset is the CPU time SeaweedFS and this process (the proxy) had used at the last reset.
var serverCPUAtReset time.Duration

// serverCPU is the CPU time used so far by the S3 side of the bench: SeaweedFS, and this process, which
// runs the proxy. On a machine with two cores it competes with terraform and the provider.
func serverCPU() time.Duration {
	var self syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	total := time.Duration(self.Utime.Nano() + self.Stime.Nano())
	// Fields 14 and 15 of /proc/PID/stat: user and system time in clock ticks (100 per second on Linux).
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", harness.env.Server.PID)); err == nil {
		if i := bytes.LastIndexByte(stat, ')'); i > 0 {
			if f := strings.Fields(string(stat[i+1:])); len(f) > 12 {
				utime, _ := strconv.ParseInt(f[11], 10, 64)
				stime, _ := strconv.ParseInt(f[12], 10, 64)
				total += time.Duration(utime+stime) * 10 * time.Millisecond
			}
		}
	}
	return total
}

func resetProviderStats(tb testing.TB) {
	commandCPU = 0
	serverCPUAtReset = serverCPU()
	if err := os.WriteFile(harness.statsFile, nil, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func readProviderStats(tb testing.TB) providerStats {
	f, err := os.Open(harness.statsFile)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var s providerStats
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			continue
		}
		us, _ := strconv.ParseInt(fields[0], 10, 64)
		kib, _ := strconv.ParseInt(fields[1], 10, 64)
		cpuUS, _ := strconv.ParseInt(fields[2], 10, 64)
		s.cpu += time.Duration(cpuUS) * time.Microsecond
		s.startups = append(s.startups, time.Duration(us)*time.Microsecond)
		s.peakKiB = append(s.peakKiB, kib)
	}
	return s
}
