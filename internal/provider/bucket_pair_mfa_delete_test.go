package provider

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

func withCode(code string) config.Variables {
	return config.Variables{"mfa_code": config.StringVariable(code)}
}

// Enable with a valid code, see MFA Delete turned off and on outside Terraform as drift, repair both ways,
// and repair versioning on an MFA Delete bucket. The code is in no state, no plan, and no log.
func TestAccBucketPair_mfaDelete(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "terraform-trace.log")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	cfg := newPair(t)
	cfg.MFADelete, cfg.MFASerial = true, testMFASerial
	off := cfg
	off.MFADelete = false
	code := validMFACode()
	noSecret := func(where string, doc any) error { return mustNotContain(where, doc, code) }

	pairTest(t, cfg, []resource.TestStep{
		{
			Config:          cfg.String(),
			ConfigVariables: withCode(code),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{planCheck(func(p *tfjson.Plan) error { return noSecret("the saved plan", p) })},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("mfa_delete"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("mfa_code"), knownvalue.Null()),
				stateCheck(func(s *tfjson.State) error { return noSecret("the state", s) }),
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkMFADelete(cfg.Media, true), checkMediaLocked(cfg.Media)),
		},
		{
			// Switched off outside Terraform: the plan shows it, apply with a code turns it back on.
			PreConfig:       func() { mfaLayer.SetEnabled(cfg.Media, false) },
			Config:          cfg.String(),
			ConfigVariables: withCode(code),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("mfa_delete"), knownvalue.Bool(true)),
				},
			},
			Check: checkMFADelete(cfg.Media, true),
		},
		{
			// Versioning suspended behind Terraform's back on an MFA Delete bucket: repaired with the code.
			PreConfig:       func() { putVersioning(t, cfg.Media, s3types.BucketVersioningStatusSuspended) },
			Config:          cfg.String(),
			ConfigVariables: withCode(code),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_versioning"), knownvalue.StringExact("Enabled"))},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkVersioning(cfg.Media, "Enabled"), checkMFADelete(cfg.Media, true)),
		},
		{
			// Disabled by configuration.
			Config:          off.String(),
			ConfigVariables: withCode(code),
			Check:           checkMFADelete(cfg.Media, false),
		},
		{
			// Switched on outside Terraform: drift in the other direction, repaired too.
			PreConfig:       func() { mfaLayer.SetEnabled(cfg.Media, true) },
			Config:          off.String(),
			ConfigVariables: withCode(code),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("mfa_delete"), knownvalue.Bool(false)),
				},
			},
			Check: checkMFADelete(cfg.Media, false),
		},
	})

	// TF_LOG=trace of every command above, Terraform's and the provider's: never the code. The log must
	// hold the provider's own trace lines, or this check would prove nothing.
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "protectedmedia_bucket_pair") || !strings.Contains(string(log), "repairing drift") {
		t.Fatalf("the trace log (%d bytes) does not hold the provider's logs; the secret check would be empty", len(log))
	}
	if strings.Contains(string(log), code) {
		t.Fatalf("the MFA code appears in the TF_LOG=trace output")
	}
}

// A change that needs MFA fails clearly without a code, with a wrong code, or without a serial, and the
// bucket does not change.
func TestAccBucketPair_mfaDeleteRefused(t *testing.T) {
	cfg := newPair(t)
	on := cfg
	on.MFADelete, on.MFASerial = true, testMFASerial
	noSerial := on
	noSerial.MFASerial = ""
	unchanged := resource.ComposeAggregateTestCheckFunc(checkMFADelete(cfg.Media, false), checkMediaLocked(cfg.Media))
	pairTest(t, cfg, []resource.TestStep{
		{Config: cfg.String()},
		{
			Config:      on.String(),
			ExpectError: regexp.MustCompile(`(?s)MFA code required.*ephemeral.*terraform apply -var mfa_code=`),
		},
		{
			PreConfig:       func() { mustHold(t, unchanged) },
			Config:          on.String(),
			ConfigVariables: withCode(wrongMFACode()),
			ExpectError:     errorText("S3 refused the write: MFA Delete requires a valid one-time code"),
		},
		{
			PreConfig:       func() { mustHold(t, unchanged) },
			Config:          on.String(),
			ConfigVariables: withCode("12ab"),
			PlanOnly:        true,
			ExpectError:     regexp.MustCompile(`(?s)Invalid MFA code.*6-digit`),
		},
		{
			Config:          noSerial.String(),
			ConfigVariables: withCode(validMFACode()),
			PlanOnly:        true,
			ExpectError:     regexp.MustCompile(`(?s)MFA device serial missing.*mfa_serial`),
		},
		{
			// Back to the applied configuration: nothing to do, nothing changed.
			Config: cfg.String(),
			Check:  unchanged,
		},
	})
}

// With MFA Delete on, the proxy refuses a version DELETE without a code as AWS would, and force destroy
// needs the provider-level code: without it nothing is deleted.
func TestAccBucketPair_mfaDeleteForceDestroy(t *testing.T) {
	cfg := newPair(t)
	cfg.MFADelete, cfg.MFASerial, cfg.ForceDestroy = true, testMFASerial, true
	withProviderCode := cfg
	withProviderCode.ProviderMFA = true
	ctx := t.Context()
	var versionID string
	pairTest(t, cfg, []resource.TestStep{
		{
			Config:          cfg.String(),
			ConfigVariables: withCode(validMFACode()),
			Check: func(*terraform.State) error {
				c := viaProxy(t)
				out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String("uploads/a.txt"), Body: strings.NewReader("1")})
				if err != nil {
					return err
				}
				versionID = aws.ToString(out.VersionId)
				_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String("uploads/a.txt"), VersionId: out.VersionId})
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
					return fmt.Errorf("version DELETE without a code: got %v, want AccessDenied", err)
				}
				return checkContents(cfg.Media, s3api.Contents{Objects: 1, Versions: 1})(nil)
			},
		},
		{
			Config:          cfg.String(),
			ConfigVariables: withCode(validMFACode()),
			Destroy:         true,
			ExpectError:     regexp.MustCompile(`(?s)MFA code required.*provider block`),
		},
		{
			// Nothing was deleted.
			Config:          cfg.String(),
			ConfigVariables: withCode(validMFACode()),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkContents(cfg.Media, s3api.Contents{Objects: 1, Versions: 1}),
				func(*terraform.State) error {
					if !exists(t, cfg.Static) || versionID == "" {
						return fmt.Errorf("the static bucket was deleted by a refused destroy")
					}
					return nil
				},
			),
		},
		{
			// The provider block carries the code; the test's final destroy then deletes every version.
			Config:          withProviderCode.String(),
			ConfigVariables: withCode(validMFACode()),
		},
	})
}

// viaProxy is a client that goes through the proxy, and so meets its MFA Delete semantics.
func viaProxy(t *testing.T) *s3.Client {
	c, err := proxyClient(t.Context(), accEnv.Server.AccessKey, accEnv.Server.SecretKey)
	must(t, err)
	return c
}

func checkMFADelete(bucket string, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := mfaLayer.Enabled(bucket); got != want {
			return fmt.Errorf("%s: MFA Delete %t, want %t", bucket, got, want)
		}
		return nil
	}
}

func mustHold(t *testing.T, check resource.TestCheckFunc) {
	t.Helper()
	if err := check(nil); err != nil {
		t.Fatal(err)
	}
}

// errorText matches a phrase in Terraform's output, which wraps long lines wherever a space was.
func errorText(phrase string) *regexp.Regexp {
	words := strings.Fields(phrase)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(words, `\s+`))
}
