package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// Retention round-trips through S3, drift in it is repaired, and MFA Delete swaps it out cleanly.
func TestAccBucketPair_retention(t *testing.T) {
	cfg := newPair(t)
	retained := cfg
	retained.ResourceExtra = "  noncurrent_version_retention_days = 30\n  noncurrent_versions_to_keep       = 3\n  abort_incomplete_uploads_days     = 2\n"
	want := bucketstate.Lifecycle{NoncurrentDays: 30, KeepNoncurrent: 3, ExpiredDeleteMarkers: true, AbortIncompleteDays: 2}
	pairTest(t, cfg, []resource.TestStep{
		{
			// By default: only abandoned uploads are cleaned up, after 7 days; versions are kept forever.
			Config: cfg.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkLifecycle(cfg.Media, bucketstate.Lifecycle{AbortIncompleteDays: 7}),
				checkLifecycle(cfg.Static, bucketstate.Lifecycle{AbortIncompleteDays: 7}),
			),
		},
		{
			Config: retained.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("noncurrent_version_retention_days"), knownvalue.Int64Exact(30)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkLifecycle(cfg.Media, want),
				checkLifecycle(cfg.Static, bucketstate.Lifecycle{AbortIncompleteDays: 2}),
			),
		},
		{
			ResourceName:      pairAddr,
			ImportState:       true,
			ImportStateId:     cfg.Media + "," + cfg.Static,
			ImportStateVerify: true,
		},
		{
			// Someone shortens retention to 1 day behind Terraform's back: the plan shows it, apply repairs.
			PreConfig: func() {
				_, err := accEnv.Direct.DeleteBucketLifecycle(t.Context(), &s3.DeleteBucketLifecycleInput{Bucket: aws.String(cfg.Media)})
				must(t, err)
			},
			Config: retained.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("noncurrent_version_retention_days"), knownvalue.Int64Exact(30)),
				},
			},
			Check: checkLifecycle(cfg.Media, want),
		},
		{
			// Retention removed from the configuration: back to the default rule.
			Config: cfg.String(),
			Check:  checkLifecycle(cfg.Media, bucketstate.Lifecycle{AbortIncompleteDays: 7}),
		},
		{
			// Enabling MFA Delete removes the media bucket's lifecycle first, as S3 requires.
			Config:          pairConfig{Media: cfg.Media, Static: cfg.Static, MFADelete: true, MFASerial: testMFASerial}.String(),
			ConfigVariables: withCode(validMFACode()),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkMFADelete(cfg.Media, true),
				checkLifecycle(cfg.Media, bucketstate.Lifecycle{}),
				checkLifecycle(cfg.Static, bucketstate.Lifecycle{AbortIncompleteDays: 7}),
			),
		},
		{
			// With MFA Delete, retention is refused at plan time with the choices spelled out.
			Config: pairConfig{Media: cfg.Media, Static: cfg.Static, MFADelete: true, MFASerial: testMFASerial,
				ResourceExtra: "  noncurrent_version_retention_days = 30\n"}.String(),
			PlanOnly:    true,
			ExpectError: phrase("Retention conflicts with MFA Delete S3 refuses Choose one keep mfa_delete = true set mfa_delete = false"),
		},
		{
			Config:          pairConfig{Media: cfg.Media, Static: cfg.Static, MFASerial: testMFASerial}.String(),
			ConfigVariables: withCode(validMFACode()),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkMFADelete(cfg.Media, false),
				checkLifecycle(cfg.Media, bucketstate.Lifecycle{AbortIncompleteDays: 7}),
			),
		},
	})
}

// A wrong code while enabling MFA Delete leaves the lifecycle rule exactly as it was.
func TestAccBucketPair_mfaDeleteRefusedKeepsLifecycle(t *testing.T) {
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{
		{Config: cfg.String()},
		{
			Config:          pairConfig{Media: cfg.Media, Static: cfg.Static, MFADelete: true, MFASerial: testMFASerial}.String(),
			ConfigVariables: withCode(wrongMFACode()),
			ExpectError:     errorText("S3 refused the write"),
		},
		{
			Config: cfg.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkMFADelete(cfg.Media, false),
				checkLifecycle(cfg.Media, bucketstate.Lifecycle{AbortIncompleteDays: 7}),
			),
		},
	})
}

// checkLifecycle reads the lifecycle through the proxy, as the provider does: SeaweedFS implements no
// transitions, and the proxy's AWS layer keeps a configuration that has them (see StoreLifecycleTransitions).
func checkLifecycle(bucket string, want bucketstate.Lifecycle) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		c, err := proxyClient(ctx, accEnv.Server.AccessKey, accEnv.Server.SecretKey)
		if err != nil {
			return err
		}
		got, err := s3api.FindLifecycle(ctx, c, bucket)
		if err != nil {
			return err
		}
		if !got.Equal(want) {
			return fmt.Errorf("%s lifecycle: %s, want %s", bucket, got, want)
		}
		return nil
	}
}
