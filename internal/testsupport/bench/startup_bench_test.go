package bench

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
	// trivialConfig has as many resources as the pairs case of one of trivprov's resources (the first verb):
	// trivial_pair, the same plugin framework, handshake and launches as the real provider with almost nothing
	// of its own, or trivial_wide_pair, which has the real pair's schema and takes the pairs case's arguments
	// (the third verb adds those trivial_pair lacks).
	trivialConfig = `terraform {
  required_providers {
    trivial = { source = "protectedmedia/trivial" }
  }
}

resource "%s" "p" {
  count         = %d
  media_bucket  = "m${count.index}"
  static_bucket = "s${count.index}"%s
  tags = {
    bench = "startup"
  }
}
`
)

// BenchmarkStartup measures what a plan costs beyond Terraform's own work: starting the provider (the
// plugin handshake, the schema, Configure) once per phase of the plan that needs it, and the provider's
// work per resource. Each iteration plans an empty configuration (no provider at all) right before the
// case: x-empty is the ratio of the two wall times summed over the iterations, so a load that drifts
// while the benchmark runs affects both; x-empty-cpu is the ratio of their CPU time (Terraform's and the
// providers'), which waiting for a busy core does not inflate. ns/op is the case's plan alone;
// launches/op the provider processes it started, cpu-ms/launch their CPU time each, startup-ms the
// median time from their start to the plugin handshake. The trivial cases are the floor: the same number
// of resources of a provider on the same framework that does nothing of its own, trivial-10 with a schema
// of four attributes, trivial-wide-10 with the real pair's schema (what the framework spends on a schema that
// wide, whoever serves it).
func BenchmarkStartup(b *testing.B) {
	requireHarness(b)
	emptyW := writtenWorkspace(b, emptyConfig)
	providerW := writtenWorkspace(b, providerOnlyConfig)
	dataW := writtenWorkspace(b, fmt.Sprintf(terraformDataConfig, startupPairs))
	dataW.terraform(b, "apply", "-auto-approve", "-input=false")
	pairsW := newWorkspace(b, startupPairs)
	trivial := trivialProvider(b)
	// The wide resource copies the real pair's schema, as Terraform prints it.
	b.Setenv("TRIVPROV_WIDE_SCHEMA", pairSchemaFile(b, pairsW)) // trivprov.WideSchemaEnv (a main package)
	for _, c := range []struct{ name, resource, extra string }{
		{fmt.Sprintf("config=trivial-%d", startupPairs), "trivial_pair", ""},
		{fmt.Sprintf("config=trivial-wide-%d", startupPairs), "trivial_wide_pair", "\n  media_force_destroy = true"},
	} {
		w := writtenWorkspace(b, fmt.Sprintf(trivialConfig, c.resource, startupPairs, c.extra))
		b.Run(c.name, func(b *testing.B) {
			// Not per build: the trivial provider is the same for both.
			b.Setenv("TF_CLI_CONFIG_FILE", trivial.tfrc)
			b.Setenv("PROTECTEDMEDIA_BENCH_PROVIDER", trivial.binary)
			w.terraform(b, "apply", "-auto-approve", "-input=false")
			for _, refresh := range []string{"false", "true"} {
				b.Run("refresh="+refresh, func(b *testing.B) {
					measurePlans(b, w, emptyW, "-refresh="+refresh)
				})
			}
		})
	}
	for _, c := range []struct {
		name  string
		w     *workspace
		extra []string
	}{
		{fmt.Sprintf("config=terraform_data-%d", startupPairs), dataW, nil},
		{"config=provider-only", providerW, nil},
		{fmt.Sprintf("config=pairs-%d/refresh=false", startupPairs), pairsW, []string{"-refresh=false"}},
		{fmt.Sprintf("config=pairs-%d/refresh=true", startupPairs), pairsW, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			eachBuild(b, func(b *testing.B, _ string) {
				c.w.settle(b)
				measurePlans(b, c.w, emptyW, c.extra...)
			})
		})
	}
}

// pairSchemaFile writes the block of protectedmedia_bucket_pair's schema, from `terraform providers schema
// -json` in w, to a file for trivprov's trivial_wide_pair, and returns its path.
func pairSchemaFile(tb testing.TB, w *workspace) string {
	tb.Helper()
	var schemas struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]struct {
				Block json.RawMessage `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	out := w.terraform(tb, "providers", "schema", "-json")
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &schemas); err != nil {
		tb.Fatalf("terraform providers schema -json: %v", err)
	}
	block := schemas.ProviderSchemas["registry.terraform.io/protectedmedia/protectedmedia"].ResourceSchemas["protectedmedia_bucket_pair"].Block
	if len(block) == 0 {
		tb.Fatal("terraform providers schema -json has no protectedmedia_bucket_pair")
	}
	file := filepath.Join(tb.TempDir(), "pair-schema.json")
	if err := os.WriteFile(file, block, 0o600); err != nil {
		tb.Fatal(err)
	}
	return file
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

// measurePlans plans w b.N times, each right after a plan of empty, and reports the ratio and difference
// of the two, and the provider processes w's plans started.
func measurePlans(b *testing.B, w, empty *workspace, extra ...string) {
	w.plan(b, extra...) // warm: the binaries and the configuration are in the page cache for every build
	empty.plan(b)
	resetProviderStats(b)
	var emptyWall, emptyCPU time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		start, cpu := time.Now(), commandCPU
		empty.plan(b)
		emptyWall += time.Since(start)
		emptyCPU += commandCPU - cpu
		b.StartTimer()
		w.plan(b, extra...)
	}
	b.StopTimer()
	perPlan := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(b.Elapsed())/float64(emptyWall), "x-empty")
	// The same ratio in CPU time (Terraform's and the providers'), which waiting for a busy core does not
	// inflate.
	b.ReportMetric(float64(commandCPU-emptyCPU)/float64(emptyCPU), "x-empty-cpu")
	b.ReportMetric(float64(perPlan-emptyWall/time.Duration(b.N))/float64(time.Millisecond), "above-empty-ms")
	s := readProviderStats(b)
	b.ReportMetric(float64(len(s.startups))/float64(b.N), "launches/op")
	if len(s.startups) > 0 {
		startups := slices.Clone(s.startups)
		slices.Sort(startups)
		b.ReportMetric(float64(startups[len(startups)/2])/float64(time.Millisecond), "startup-ms")
		b.ReportMetric(float64(s.cpu)/float64(len(s.startups))/float64(time.Millisecond), "cpu-ms/launch")
		b.ReportMetric(float64(slices.Max(s.peakKiB))/1024, "peak-MiB")
	}
	b.ReportMetric(float64(commandCPU-emptyCPU-s.cpu)/float64(b.N)/float64(time.Millisecond), "terraform-cpu-ms/op")
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

// BenchmarkLaunch starts each provider binary as Terraform does (go-plugin's handshake with automatic
// mutual TLS) and kills it as soon as it has answered with its handshake line: the fixed cost of one
// launch, which a plan pays three times. Each iteration launches every build once, the trivial provider
// (the floor for a provider on the same framework) included, so the builds share the machine's load.
// Metrics per build: <build>-ms, the median time to the handshake, and <build>-cpu-ms, the mean CPU time
// of the process.
func BenchmarkLaunch(b *testing.B) {
	requireHarness(b)
	env := launchEnv(b)
	trivial := trivialProvider(b)
	binaries := append(slices.Clone(harness.builds), build{"trivial", trivial.binary})
	walls := make([][]time.Duration, len(binaries))
	cpus := make([]time.Duration, len(binaries))
	for _, bin := range binaries {
		launch(b, bin.path, env) // warm: the binary is in the page cache
	}
	b.ResetTimer()
	for range b.N {
		for i, bin := range binaries {
			wall, cpu := launch(b, bin.path, env)
			walls[i] = append(walls[i], wall)
			cpus[i] += cpu
		}
	}
	b.StopTimer()
	for i, bin := range binaries {
		slices.Sort(walls[i])
		b.ReportMetric(float64(walls[i][b.N/2])/float64(time.Millisecond), bin.name+"-ms")
		b.ReportMetric(float64(cpus[i])/float64(b.N)/float64(time.Millisecond), bin.name+"-cpu-ms")
	}
}

// launchEnv is the environment Terraform gives a provider it starts: the magic cookie, the protocol
// version and a client certificate, which makes the provider generate its own for mutual TLS.
func launchEnv(tb testing.TB) []string {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	return append(os.Environ(),
		"TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		"PLUGIN_PROTOCOL_VERSIONS=6", "PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000",
		"PLUGIN_CLIENT_CERT="+string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}

// launch starts the provider at path, waits for its handshake line and kills it, returning the time to
// the handshake and the CPU time of the process.
func launch(b *testing.B, path string, env []string) (wall, cpu time.Duration) {
	b.Helper()
	cmd := exec.Command(path)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	wall = time.Since(start)
	if err != nil || strings.Count(line, "|") < 5 {
		b.Fatalf("%s: no handshake (%q): %v", path, line, err)
	}
	_ = cmd.Process.Kill() // go-plugin servers ignore interrupts: Terraform stops them over gRPC
	_ = cmd.Wait()
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// initBudget is the most a package of this module may allocate while it initializes. Every launch pays
// for it before the handshake, three times per plan; a compiled regular expression or a table built at
// package level costs tens of kilobytes, so such things are built on first use instead.
const initBudget = 16 << 10

// TestStartupInitIsLight runs the provider binary with the runtime's init trace and fails when one of the
// module's own packages does heavy work at start-up. Without Terraform's magic cookie the binary stops
// right after initializing.
func TestStartupInitIsLight(t *testing.T) {
	requireHarness(t)
	cmd := exec.Command(harness.builds[len(harness.builds)-1].path)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, _ := cmd.CombinedOutput() // exits 1: not started by Terraform
	const module = "github.com/protectedmedia/terraform-provider-protectedmedia"
	seen := 0
	for line := range strings.Lines(string(out)) {
		// init <package> @<start> ms, <clock> ms clock, <bytes> bytes, <allocs> allocs
		f := strings.Fields(line)
		if len(f) < 10 || f[0] != "init" || !strings.HasPrefix(f[1], module) {
			continue
		}
		seen++
		bytes, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("unexpected init trace line %q", line)
		}
		if bytes > initBudget {
			t.Errorf("%s allocates %d bytes while initializing (budget %d): build it on first use", f[1], bytes, initBudget)
		}
	}
	if seen == 0 {
		t.Fatalf("no init trace of the module's packages in:\n%s", out)
	}
}
