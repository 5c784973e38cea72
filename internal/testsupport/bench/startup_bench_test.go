package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// startupPairs is the size of the configuration whose plan is compared with an empty configuration's.
const startupPairs = 10

// Configurations whose plans BenchmarkStartup compares; each is a whole main.tf.
const (
	// emptyConfig starts no provider at all: Terraform's own fixed cost of a plan.
	emptyConfig = "terraform {}\n"
	// providerOnlyConfig configures the provider and uses none of its resources.
	providerOnlyConfig = `terraform {
  required_providers {
    protectedmedia = { source = "protectedmedia/protectedmedia" }
  }
}

provider "protectedmedia" {}
`
	// terraformDataConfig has as many resources as the pairs case, all of Terraform's built-in
	// terraform_data, which no provider serves: Terraform's own cost per resource, with no launch.
	terraformDataConfig = `resource "terraform_data" "d" {
  count = %d
  input = { media = "m${count.index}", static = "s${count.index}" }
}
`
	// trivialConfig has as many resources as the pairs case, of trivprov's trivial_pair: the same plugin
	// framework, handshake and launches as the real provider, with almost nothing of its own.
	trivialConfig = `terraform {
  required_providers {
    trivial = { source = "protectedmedia/trivial" }
  }
}

resource "trivial_pair" "p" {
  count         = %d
  media_bucket  = "m${count.index}"
  static_bucket = "s${count.index}"
  tags = {
    bench = "startup"
  }
}
`
)

// BenchmarkStartup measures what a plan costs beyond Terraform's own work: starting the provider (the
// plugin handshake, the schema, Configure) once per phase of the plan that needs it. Every case is
// reported against a plan of an empty configuration measured just before it with the same build
// (x-empty), with the provider processes' count (launches/op), their CPU time per process
// (cpu-ms/launch) and the median time from their start to the plugin handshake (startup-ms).
func BenchmarkStartup(b *testing.B) {
	requireHarness(b)
	empty := map[string]time.Duration{}
	emptyW := writtenWorkspace(b, emptyConfig)
	providerW := writtenWorkspace(b, providerOnlyConfig)
	dataW := writtenWorkspace(b, fmt.Sprintf(terraformDataConfig, startupPairs))
	dataW.terraform(b, "apply", "-auto-approve", "-input=false")
	pairsW := newWorkspace(b, startupPairs)
	trivial := trivialProvider(b)
	trivialW := writtenWorkspace(b, fmt.Sprintf(trivialConfig, startupPairs))

	cases := []struct {
		name  string
		w     *workspace
		extra []string
	}{
		{"config=provider-only", providerW, nil},
		{fmt.Sprintf("config=terraform_data-%d", startupPairs), dataW, nil},
		{fmt.Sprintf("config=pairs-%d/refresh=false", startupPairs), pairsW, []string{"-refresh=false"}},
		{fmt.Sprintf("config=pairs-%d/refresh=true", startupPairs), pairsW, nil},
	}
	b.Run("config=empty", func(b *testing.B) {
		eachBuild(b, func(b *testing.B, build string) {
			empty[build] = measurePlans(b, emptyW, nil)
		})
	})
	b.Run(fmt.Sprintf("config=trivial-%d", startupPairs), func(b *testing.B) {
		// Not per build: the trivial provider is the same for both; its plans are measured against the
		// empty plan of the last build.
		b.Setenv("TF_CLI_CONFIG_FILE", trivial.tfrc)
		b.Setenv("PROTECTEDMEDIA_BENCH_PROVIDER", trivial.binary)
		trivialW.terraform(b, "apply", "-auto-approve", "-input=false")
		for _, refresh := range []string{"false", "true"} {
			b.Run("refresh="+refresh, func(b *testing.B) {
				perPlan := measurePlans(b, trivialW, []string{"-refresh=" + refresh})
				if e := empty[harness.builds[len(harness.builds)-1].name]; e > 0 {
					b.ReportMetric(float64(perPlan)/float64(e), "x-empty")
					b.ReportMetric(float64(perPlan-e)/float64(time.Millisecond), "above-empty-ms")
				}
			})
		}
	})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			eachBuild(b, func(b *testing.B, build string) {
				c.w.settle(b)
				perPlan := measurePlans(b, c.w, c.extra)
				if e := empty[build]; e > 0 {
					b.ReportMetric(float64(perPlan)/float64(e), "x-empty")
					b.ReportMetric(float64(perPlan-e)/float64(time.Millisecond), "above-empty-ms")
				}
			})
		})
	}
}

// writtenWorkspace is a working directory holding body as its configuration, with nothing applied.
func writtenWorkspace(tb testing.TB, body string) *workspace {
	tb.Helper()
	w := &workspace{dir: tb.TempDir()}
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return w
}

// measurePlans plans w b.N times and returns the wall time per plan, reporting the provider processes
// the plans started.
func measurePlans(b *testing.B, w *workspace, extra []string) time.Duration {
	w.plan(b, extra...) // warm: the binaries and the configuration are in the page cache for every build
	resetProviderStats(b)
	b.ResetTimer()
	for range b.N {
		w.plan(b, extra...)
	}
	b.StopTimer()
	perPlan := b.Elapsed() / time.Duration(b.N)
	s := readProviderStats(b)
	b.ReportMetric(float64(len(s.startups))/float64(b.N), "launches/op")
	if len(s.startups) > 0 {
		startups := slices.Clone(s.startups)
		slices.Sort(startups)
		b.ReportMetric(float64(startups[len(startups)/2])/float64(time.Millisecond), "startup-ms")
		b.ReportMetric(float64(s.cpu)/float64(len(s.startups))/float64(time.Millisecond), "cpu-ms/launch")
	}
	b.ReportMetric(float64(commandCPU-s.cpu)/float64(b.N)/float64(time.Millisecond), "terraform-cpu-ms/op")
	return perPlan
}

// trivialBuild is trivprov, built and installed for Terraform next to the real provider.
type trivialBuild struct{ binary, tfrc string }

// trivialProvider builds trivprov, puts provwrap in front of it under its provider name, and writes a CLI
// configuration whose dev_overrides name both providers.
func trivialProvider(tb testing.TB) trivialBuild {
	tb.Helper()
	dir := tb.TempDir()
	bin := filepath.Join(dir, "bin")
	t := trivialBuild{binary: filepath.Join(dir, "trivprov"), tfrc: filepath.Join(dir, "terraformrc")}
	for _, args := range [][]string{
		{"build", "-o", t.binary, "github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/bench/trivprov"},
		{"build", "-o", filepath.Join(bin, "terraform-provider-trivial"), "github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/bench/provwrap"},
	} {
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			tb.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n}\n",
		"registry.terraform.io/protectedmedia/protectedmedia", filepath.Join(filepath.Dir(harness.tfrc), "bin"),
		"registry.terraform.io/protectedmedia/trivial", bin)
	if err := os.WriteFile(t.tfrc, []byte(rc), 0o600); err != nil {
		tb.Fatal(err)
	}
	return t
}
