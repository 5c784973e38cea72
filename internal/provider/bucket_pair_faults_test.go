package provider

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// injected collects the faults a step adds, so the test can check each one really fired, and removes
// them all afterwards.
type injected []*s3proxy.Injection

func (in *injected) add(f s3proxy.Fault) { *in = append(*in, accEnv.Proxy.Inject(f)) }

// fired checks that every fault hit exactly its Times (the provider retried through all of them), then
// removes them.
func (in *injected) fired() resource.TestCheckFunc {
	return func(*terraform.State) error {
		defer in.clear()
		for _, i := range *in {
			if i.Hits() == 0 {
				return fmt.Errorf("an injected fault never fired: %+v", i)
			}
		}
		return nil
	}
}

func (in *injected) clear() {
	for _, i := range *in {
		i.Remove()
	}
	*in = nil
}

func transient(op, bucket string, status int, code string) s3proxy.Fault {
	return s3proxy.Fault{Operation: op, Bucket: bucket, Status: status, Code: code, Times: 2}
}

// Throttling, 5xx, OperationAborted, dropped connections and latency in every phase: create, refresh,
// update and destroy all succeed through bounded retries, which are logged.
func TestAccBucketPair_transientFaults(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG", "DEBUG")
	t.Setenv("TF_LOG", "DEBUG")
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	cfg := newPair(t)
	retagged := cfg
	retagged.Tags = map[string]string{"env": "test"}
	var faults injected
	t.Cleanup(faults.clear)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			func(s *terraform.State) error { return faults.fired()(s) },
			checkBucketsGone(cfg.Media, cfg.Static),
		),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					faults.add(transient("CreateBucket", cfg.Media, http.StatusServiceUnavailable, "SlowDown"))
					faults.add(transient("PutBucketPolicy", cfg.Static, http.StatusInternalServerError, "InternalError"))
					faults.add(transient("PutPublicAccessBlock", cfg.Media, http.StatusConflict, "OperationAborted"))
					faults.add(s3proxy.Fault{Operation: "PutBucketEncryption", Bucket: cfg.Media, Reset: true, Times: 2})
					faults.add(s3proxy.Fault{Operation: "PutBucketVersioning", Latency: 500 * time.Millisecond, Times: 2})
				},
				Config: cfg.String(),
				Check:  resource.ComposeAggregateTestCheckFunc(faults.fired(), checkMediaLocked(cfg.Media), checkStaticBucket(cfg.Static, false)),
			},
			{
				// Refresh through throttling: the plan is still empty.
				PreConfig: func() {
					faults.add(transient("GetBucketPolicy", cfg.Media, http.StatusServiceUnavailable, "SlowDown"))
					faults.add(transient("GetBucketVersioning", cfg.Static, http.StatusInternalServerError, "InternalError"))
				},
				Config: cfg.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: faults.fired(),
			},
			{
				PreConfig: func() {
					faults.add(transient("PutBucketTagging", cfg.Media, http.StatusServiceUnavailable, "SlowDown"))
					faults.add(transient("PutBucketTagging", cfg.Static, http.StatusConflict, "OperationAborted"))
				},
				Config: retagged.String(),
				Check:  resource.ComposeAggregateTestCheckFunc(faults.fired(), checkTags(cfg.Media, retagged.Tags), checkTags(cfg.Static, retagged.Tags)),
			},
			{
				// Faults for the test case's destroy, checked by CheckDestroy.
				PreConfig: func() {
					faults.add(transient("DeleteBucket", cfg.Static, http.StatusServiceUnavailable, "SlowDown"))
					faults.add(transient("DeleteBucket", cfg.Media, http.StatusInternalServerError, "InternalError"))
				},
				Config: retagged.String(),
			},
		},
	})

	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), "S3: retrying request"); n < 10 {
		t.Fatalf("expected the retries in Terraform's log, found %d lines", n)
	}
}

// A fault that does not go away: the apply fails with the error named, after a bounded number of
// attempts; what was created is in state; nothing untracked is left; the next apply converges.
func TestAccBucketPair_persistentFaults(t *testing.T) {
	cfg := newPair(t)
	cfg.ProviderExtra = "  max_retries = 1\n"
	var faults injected
	t.Cleanup(faults.clear)
	pairTest(t, cfg, []resource.TestStep{
		{
			PreConfig: func() {
				faults.add(s3proxy.Fault{Operation: "PutBucketPolicy", Bucket: cfg.Static, Status: 503, Code: "SlowDown"})
			},
			Config:      cfg.String(),
			ExpectError: errorText("only partly created"),
		},
		{
			// Two attempts (max_retries = 1) per policy write, no more; both buckets are tracked.
			PreConfig: func() {
				if hits := faults[0].Hits(); hits != 2 {
					t.Fatalf("PutBucketPolicy was tried %d times, want 2", hits)
				}
				faults.clear()
				if !exists(t, cfg.Media) || !exists(t, cfg.Static) {
					t.Fatal("both buckets should exist, tracked as tainted")
				}
			},
			Config: cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionDestroyBeforeCreate)},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkMediaLocked(cfg.Media), checkStaticBucket(cfg.Static, false)),
		},
		{
			// Refresh failing for good: the plan fails, clearly, and writes nothing.
			PreConfig: func() {
				faults.add(s3proxy.Fault{Operation: "GetBucketTagging", Bucket: cfg.Media, Status: 500, Code: "InternalError"})
			},
			Config:      cfg.String(),
			PlanOnly:    true,
			ExpectError: errorText("Cannot read the bucket pair"),
		},
		{
			PreConfig: faults.clear,
			Config:    pairConfig{Media: cfg.Media, Static: cfg.Static, ForceDestroy: true, ProviderExtra: cfg.ProviderExtra}.String(),
		},
		{
			// Destroy failing on the media bucket after the static one went: the pair stays in state,
			// the next refresh sees the static bucket missing, and media is intact.
			PreConfig: func() {
				putObject(t, cfg.Media, "uploads/keep.txt", "precious")
				faults.add(s3proxy.Fault{Operation: "DeleteObjects", Bucket: cfg.Media, Status: 500, Code: "InternalError"})
			},
			Config:      pairConfig{Media: cfg.Media, Static: cfg.Static, ForceDestroy: true, ProviderExtra: cfg.ProviderExtra}.String(),
			Destroy:     true,
			ExpectError: errorText("Cannot delete the media bucket"),
		},
		{
			PreConfig: func() { faults.clear() },
			Config:    pairConfig{Media: cfg.Media, Static: cfg.Static, ForceDestroy: true, ProviderExtra: cfg.ProviderExtra}.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate)},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkContents(cfg.Media, s3api.Contents{Objects: 1, Versions: 1}),
				checkStaticBucket(cfg.Static, false),
			),
		},
	})
}

// Right after CreateBucket, S3 may answer NoSuchBucket for a while: create waits it out.
func TestAccBucketPair_eventualConsistency(t *testing.T) {
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{{
		PreConfig: func() {
			accEnv.Proxy.SetCreateLag(2 * time.Second)
			t.Cleanup(func() { accEnv.Proxy.SetCreateLag(0) })
		},
		Config: cfg.String(),
		Check: resource.ComposeAggregateTestCheckFunc(
			func(*terraform.State) error { accEnv.Proxy.SetCreateLag(0); return nil },
			checkMediaLocked(cfg.Media), checkStaticBucket(cfg.Static, false),
		),
	},
	})
}

// Retries honour the context: a read timeout cuts a slow refresh short with a clear error.
func TestAccBucketPair_timeouts(t *testing.T) {
	cfg := newPair(t)
	slow := cfg
	slow.ResourceExtra = "  timeouts {\n    read = \"1s\"\n  }\n"
	var faults injected
	t.Cleanup(faults.clear)
	pairTest(t, cfg, []resource.TestStep{
		{Config: slow.String()},
		{
			PreConfig: func() {
				faults.add(s3proxy.Fault{Operation: "GetBucketPolicy", Latency: 5 * time.Second})
			},
			Config:      slow.String(),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Cannot read the bucket pair.*(deadline exceeded|canceled)`),
		},
		{
			PreConfig: faults.clear,
			Config:    slow.String(),
		},
	})
}

func putObject(t *testing.T, bucket, key, body string) {
	t.Helper()
	must(t, putObjectCheck(bucket, key, body)(nil))
}
