package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// awsProviderEnv names a terraform-provider-aws binary. When set, BenchmarkApply measures beside each of
// its cases the same pair composed of hashicorp/aws resources, against the same server through the same
// proxy. The binary is installed through a filesystem mirror: nothing is downloaded.
const awsProviderEnv = "PROTECTEDMEDIA_BENCH_AWS_PROVIDER"

// applyCase is one way of building pairs: this provider's protectedmedia_bucket_pair, or the composition
// of hashicorp/aws resources that makes the same two buckets.
type applyCase struct {
	name string
	// config renders the configuration of n pairs named after prefix.
	config func(n int, prefix string) string
	// provider is the binary provwrap starts; "" keeps the one under measurement.
	provider string
	// env is added to terraform's environment, and init runs before the first apply when set.
	env  []string
	init bool
	// beforeDestroy runs, untimed, before the destroy.
	beforeDestroy func(tb testing.TB, w *workspace)
}

// BenchmarkApply measures creating and then destroying N pairs (`terraform apply` and `terraform destroy`
// at -parallelism=10), with and without 20 ms added to every S3 call. With PROTECTEDMEDIA_BENCH_AWS_PROVIDER
// set each case is measured twice in a row, impl=protectedmedia and impl=aws, so their ratio is taken on the
// same machine at the same moment. ns/op is create and destroy together; per command:
//
//   - create-ms, destroy-ms: wall time, terraform included.
//   - create-calls/pair, destroy-calls/pair: S3 calls per pair (by operation in the log).
//   - create-cpu-ms/pair, destroy-cpu-ms/pair: CPU time of the provider processes per pair.
//   - create-rtt, destroy-rtt (one pair, latency=20ms): S3 round trips on the critical path, the longest chain of
//     calls of which each started after the previous had answered (s3proxy.CriticalPath).
//   - create-rtt-est, destroy-rtt-est (latency=20ms): the same from the wall time, (wall at 20 ms − wall at
//     0 ms) / 20 ms, which also counts the round trips Terraform waits on between resources.
func BenchmarkApply(b *testing.B) {
	requireHarness(b)
	cases := []applyCase{{name: "protectedmedia", config: pairConfig}}
	if bin := os.Getenv(awsProviderEnv); bin != "" {
		cases = append(cases, awsCase(b, bin))
	} else {
		b.Logf("%s is not set: the hashicorp/aws composition is not measured", awsProviderEnv)
	}
	wallAt0 := map[string][2]time.Duration{}
	for _, n := range []int{1, 10} {
		for _, latency := range []time.Duration{0, injectedLatency} {
			for _, c := range cases {
				b.Run(fmt.Sprintf("pairs=%d/latency=%s/impl=%s", n, latency, c.name), func(b *testing.B) {
					key := fmt.Sprintf("%s/%d", c.name, n)
					wall := applyDestroy(b, c, n, latency)
					if latency == 0 {
						wallAt0[key] = wall
					} else if at0, ok := wallAt0[key]; ok {
						b.ReportMetric(float64(wall[0]-at0[0])/float64(latency), "create-rtt-est")
						b.ReportMetric(float64(wall[1]-at0[1])/float64(latency), "destroy-rtt-est")
					}
				})
			}
		}
	}
}

// applyDestroy runs b.N create-and-destroy rounds of n pairs built as c says and reports their metrics. It
// returns the mean wall time of a create and of a destroy.
func applyDestroy(b *testing.B, c applyCase, n int, latency time.Duration) [2]time.Duration {
	if c.provider != "" {
		b.Setenv("PROTECTEDMEDIA_BENCH_PROVIDER", c.provider) // provwrap starts it; restored after
	}
	if latency > 0 {
		defer harness.env.Proxy.Inject(s3proxy.Fault{Latency: latency}).Remove()
	}
	names := [2]string{"create", "destroy"}
	var wall, cpu [2]time.Duration
	var rtt [2]int
	calls := [2]map[string]int{{}, {}}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		w := &workspace{dir: b.TempDir(), pairs: n, prefix: randomPrefix("bench")}
		if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(c.config(n, w.prefix)), 0o600); err != nil {
			b.Fatal(err)
		}
		w.env = c.env
		if c.init {
			w.terraform(b, "init", "-input=false")
		}
		destroyed := false
		b.Cleanup(func() {
			if !destroyed {
				w.terraform(b, "destroy", "-auto-approve", "-input=false", "-parallelism=10")
			}
		})
		for i, cmd := range names {
			args := []string{"apply", "-auto-approve", "-input=false", "-parallelism=10"}
			if cmd == "destroy" {
				args = []string{"destroy", "-auto-approve", "-input=false", "-parallelism=10"}
				if c.beforeDestroy != nil {
					c.beforeDestroy(b, w)
				}
			}
			resetProviderStats(b)
			harness.env.Proxy.ResetCounts()
			harness.env.Proxy.StartTrace()
			start := time.Now()
			b.StartTimer()
			w.terraform(b, args...)
			b.StopTimer()
			wall[i] += time.Since(start)
			trace := harness.env.Proxy.StopTrace()
			rtt[i] += s3proxy.CriticalPath(trace)
			cpu[i] += readProviderStats(b).cpu
			for op, k := range harness.env.Proxy.Counts() {
				calls[i][op] += k
			}
		}
		destroyed = true
	}
	var mean [2]time.Duration
	for i, cmd := range names {
		total := 0
		for _, k := range calls[i] {
			total += k
		}
		mean[i] = wall[i] / time.Duration(b.N)
		b.ReportMetric(float64(mean[i])/float64(time.Millisecond), cmd+"-ms")
		b.ReportMetric(float64(total)/float64(b.N*n), cmd+"-calls/pair")
		b.ReportMetric(float64(cpu[i])/float64(b.N*n)/float64(time.Millisecond), cmd+"-cpu-ms/pair")
		if n == 1 && latency > 0 {
			// Without injected latency calls issued at once may not overlap: the trace says nothing then.
			b.ReportMetric(float64(rtt[i])/float64(b.N), cmd+"-rtt")
		}
		b.Logf("S3 calls per pair per %s by operation: %s", cmd, perPair(calls[i], b.N*n))
	}
	return mean
}

// pairConfig is n protectedmedia_bucket_pair resources, each with its defaults.
func pairConfig(n int, prefix string) string {
	return fmt.Sprintf(config, n, prefix, prefix, prefix)
}

// awsConfig builds what a pair is from hashicorp/aws resources: per bucket a public access block, owner
// enforced object ownership, SSE-S3 default encryption, a policy refusing requests without TLS, tags and a
// lifecycle configuration, and versioning on the media bucket. The policies and lifecycle rules are those of
// the pair in substance (a pair's policies deny more, which costs nothing more to write).
const awsConfig = `terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  endpoints {
    s3 = %q
  }
}

locals {
  buckets = merge(
    { for i in range(%d) : "m${i}" => { name = "%s-m${i}", media = true } },
    { for i in range(%d) : "s${i}" => { name = "%s-s${i}", media = false } },
  )
}

resource "aws_s3_bucket" "b" {
  for_each      = local.buckets
  bucket        = each.value.name
  force_destroy = true
  tags          = { bench = "%s" }
}

resource "aws_s3_bucket_versioning" "media" {
  for_each = { for k, v in local.buckets : k => v if v.media }
  bucket   = aws_s3_bucket.b[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "b" {
  for_each                = local.buckets
  bucket                  = aws_s3_bucket.b[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "b" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.b[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.b[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_policy" "b" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.b[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::${each.value.name}", "arn:aws:s3:::${each.value.name}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.b]
}

resource "aws_s3_bucket_lifecycle_configuration" "b" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.b[each.key].id
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  depends_on = [aws_s3_bucket_versioning.media]
}
`

// awsVersion reads the version from a provider binary's name, terraform-provider-aws_v5.100.0_x5.
var awsVersion = regexp.MustCompile(`^terraform-provider-aws_v([0-9][^_]*)_x[0-9]+$`)

// awsCase installs bin through a filesystem mirror in a CLI configuration of its own, with provwrap in front
// of it so its CPU and memory are recorded as the protectedmedia provider's are.
func awsCase(b *testing.B, bin string) applyCase {
	m := awsVersion.FindStringSubmatch(filepath.Base(bin))
	if m == nil {
		b.Fatalf("%s=%s: the file name does not say the version (terraform-provider-aws_vX.Y.Z_x5)", awsProviderEnv, bin)
	}
	dir := b.TempDir()
	platform := filepath.Join(dir, "mirror", "registry.terraform.io", "hashicorp", "aws", m[1], "linux_amd64")
	if err := os.MkdirAll(platform, 0o700); err != nil {
		b.Fatal(err)
	}
	wrapper, err := os.ReadFile(filepath.Join(filepath.Dir(harness.tfrc), "bin", "terraform-provider-protectedmedia"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(platform, filepath.Base(bin)), wrapper, 0o700); err != nil {
		b.Fatal(err)
	}
	rc := filepath.Join(dir, "terraformrc")
	body := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n", filepath.Join(dir, "mirror"))
	if err := os.WriteFile(rc, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	endpoint := harness.env.ProxyURL
	return applyCase{
		name: "aws",
		config: func(n int, prefix string) string {
			return fmt.Sprintf(awsConfig, endpoint, n, prefix, n, prefix, prefix)
		},
		provider: bin,
		env:      []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_PLUGIN_CACHE_DIR="},
		init:     true,
		// SeaweedFS accepts DeleteBucketOwnershipControls and DeleteBucketLifecycle but still reports both
		// configurations afterwards, which hashicorp/aws waits two minutes on before failing. Those two
		// resources leave the state before the destroy (the buckets take their configurations with them):
		// the composition's destroy is measured doing less than it would on AWS, which favours it.
		beforeDestroy: func(tb testing.TB, w *workspace) {
			w.terraform(tb, "state", "rm", "aws_s3_bucket_ownership_controls.b", "aws_s3_bucket_lifecycle_configuration.b")
		},
	}
}
