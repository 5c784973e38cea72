package provider

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// Runtime problems with the provider's configuration fail fast, with the source of the setting named.
func TestAccProvider_configurationErrors(t *testing.T) {
	cfg := newPair(t)
	var faults injected
	t.Cleanup(faults.clear)
	var started time.Time
	pairTest(t, cfg, []resource.TestStep{
		{
			// Nothing listens there: no minute of backoff, just the error.
			PreConfig:   func() { started = time.Now() },
			Config:      pairConfig{Media: cfg.Media, Static: cfg.Static, ProviderExtra: "  endpoint = \"https://127.0.0.1:1\"\n"}.String(),
			ExpectError: phrase("the S3 endpoint cannot be reached endpoint https://127.0.0.1:1 (from provider argument endpoint)"),
		},
		{
			PreConfig: func() {
				if d := time.Since(started); d > time.Minute {
					t.Fatalf("an unreachable endpoint took %s to fail", d)
				} else {
					t.Logf("unreachable endpoint: plan and failed apply took %s", d.Round(time.Millisecond))
				}
			},
			Config:      pairConfig{Media: cfg.Media, Static: cfg.Static, ProviderExtra: "  access_key = \"AKIAWRONGWRONGWRONG1\"\n  secret_key = \"wrong-secret\"\n"}.String(),
			ExpectError: phrase("S3 does not know the access key credentials from the provider arguments access_key/secret_key"),
		},
		{
			PreConfig: func() {
				faults.add(s3proxy.Fault{Operation: "HeadBucket", Bucket: cfg.Media, Status: http.StatusMovedPermanently})
			},
			Config: cfg.String(),
			// A name that redirects is taken: no region would make it free, so the advice is another name.
			ExpectError: phrase("Bucket name is taken already exists, in another region choose another name The provider's region is not the problem"),
		},
		{
			PreConfig: func() {
				faults.clear()
				// Another account's bucket: HEAD says 403, a GET says AccessDenied.
				faults.add(s3proxy.Fault{Operation: "HeadBucket", Bucket: cfg.Static, Status: http.StatusForbidden})
				faults.add(s3proxy.Fault{Operation: "GetBucketLocation", Bucket: cfg.Static, Status: http.StatusForbidden, Code: "AccessDenied"})
			},
			Config:      cfg.String(),
			ExpectError: phrase("Bucket name is taken another account owns it Nothing was created"),
		},
		{
			PreConfig: func() {
				faults.clear()
				if exists(t, cfg.Media) || exists(t, cfg.Static) {
					t.Fatal("a failed create left a bucket behind")
				}
			},
			Config: cfg.String(),
		},
		{
			// A refresh signed for the wrong region.
			PreConfig: func() {
				faults.add(s3proxy.Fault{Operation: "GetBucketPolicy", Bucket: cfg.Media, Status: http.StatusBadRequest, Code: "AuthorizationHeaderMalformed",
					Message: "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'"})
			},
			Config:      cfg.String(),
			PlanOnly:    true,
			ExpectError: phrase("different region than the provider's expecting 'eu-west-1'"),
		},
		{PreConfig: faults.clear, Config: cfg.String()},
	})
}

// Access key, secret key and MFA code given to the provider appear in no state, no saved plan, and no
// TF_LOG=trace output.
// sessionToken stands for the session token of temporary credentials.
const sessionToken = "IQoJb3JpZ2luX2VjEXAMPLE-session-token-protectedmedia-test"

func TestAccProvider_secretsStayOut(t *testing.T) {
	testAccPreCheck(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	// Only the provider block supplies credentials.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")

	cfg := newPair(t)
	cfg.ProviderMFA = true
	cfg.ProviderExtra = "  access_key = var.access_key\n  secret_key = var.secret_key\n  token      = var.token\n"
	body := cfg.String() + `
variable "access_key" {
  type      = string
  ephemeral = true
  sensitive = true
}

variable "secret_key" {
  type      = string
  ephemeral = true
  sensitive = true
}

variable "token" {
  type      = string
  ephemeral = true
  sensitive = true
}
`
	secrets := map[string]string{
		"access key": accEnv.Server.AccessKey,
		"secret key": accEnv.Server.SecretKey,
		"MFA code":   validMFACode(),
		// SeaweedFS ignores session tokens; the proxy checks below that the provider sent it.
		"session token": sessionToken,
	}
	vars := config.Variables{
		"access_key": config.StringVariable(accEnv.Server.AccessKey),
		"secret_key": config.StringVariable(accEnv.Server.SecretKey),
		"token":      config.StringVariable(sessionToken),
		"mfa_code":   config.StringVariable(validMFACode()),
	}
	var mu sync.Mutex
	tokens := map[string]int{} // X-Amz-Security-Token values on requests for the media bucket
	defer accEnv.Proxy.Inject(s3proxy.Fault{Bucket: cfg.Media, Before: func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		tokens[r.Header.Get("X-Amz-Security-Token")]++
	}}).Remove()
	noSecrets := func(where string, doc any) error {
		for _, s := range secrets {
			if err := mustNotContain(where, doc, s); err != nil {
				return err
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkBucketsGone(cfg.Media, cfg.Static),
		Steps: []resource.TestStep{{
			Config:          body,
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{planCheck(func(p *tfjson.Plan) error { return noSecrets("the saved plan", p) })},
			},
			ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(s *tfjson.State) error { return noSecrets("the state", s) })},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkMediaLocked(cfg.Media),
				func(*terraform.State) error {
					mu.Lock()
					defer mu.Unlock()
					if len(tokens) != 1 || tokens[sessionToken] == 0 {
						return fmt.Errorf("requests for the media bucket by session token: %v; want every one with the configured token", tokens)
					}
					return nil
				},
			),
		}},
	})

	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "protectedmedia_bucket_pair") || !strings.Contains(string(log), "created bucket") {
		t.Fatalf("the trace log (%d bytes) does not hold the provider's logs; the check would be empty", len(log))
	}
	for what, s := range secrets {
		if strings.Contains(string(log), s) {
			t.Errorf("the %s appears in the TF_LOG=trace output", what)
		}
	}
}
