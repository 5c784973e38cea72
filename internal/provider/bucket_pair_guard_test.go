package provider

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

const breakGlassRole = "arn:aws:iam::000000000000:role/break-glass"

func guarded(cfg pairConfig, exempt ...string) pairConfig {
	quoted := make([]string, len(exempt))
	for i, e := range exempt {
		quoted[i] = fmt.Sprintf("%q", e)
	}
	cfg.ResourceExtra += "  guard_exempt_principals = [" + strings.Join(quoted, ", ") + "]\n"
	return cfg
}

// With the guard, the app's keys can no longer delete versions or touch versioning, while the principal
// running Terraform still applies, repairs and destroys. Removing the guard outside Terraform is drift.
func TestAccBucketPair_guard(t *testing.T) {
	testAccPreCheck(t)
	cfg := newPair(t)
	cfg.ForceDestroy = true
	terraformPrincipal := "arn:aws:iam::000000000000:user/admin-*"
	g := guarded(cfg, terraformPrincipal, breakGlassRole)
	want := []string{terraformPrincipal, breakGlassRole}
	slices.Sort(want)
	ctx := t.Context()
	var versionID *string

	pairTest(t, cfg, []resource.TestStep{
		{
			Config: g.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("guard_exempt_principals"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(terraformPrincipal), knownvalue.StringExact(breakGlassRole)})),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
			},
			Check: func(*terraform.State) error {
				doc, ok := guardLayer.Policy(cfg.Media)
				if !ok || !slices.Equal(bucketpolicy.GuardExempt(doc), want) {
					return fmt.Errorf("the media bucket has no guard for %v: %q", want, doc)
				}
				app := appClient(t)
				out, err := app.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String("uploads/a.txt"), Body: strings.NewReader("v1")})
				if err != nil {
					return fmt.Errorf("the app may still upload: %w", err)
				}
				versionID = out.VersionId
				if _, err := app.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String("uploads/a.txt"), VersionId: versionID}); !accessDenied(err) {
					return fmt.Errorf("the app's version DELETE: got %v, want AccessDenied", err)
				}
				if _, err := app.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(cfg.Media),
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); !accessDenied(err) {
					return fmt.Errorf("the app suspending versioning: got %v, want AccessDenied", err)
				}
				// An ordinary delete still works: it only lays a delete marker.
				if _, err := app.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String("uploads/a.txt")}); err != nil {
					return fmt.Errorf("the app's plain DELETE: %w", err)
				}
				return checkContents(cfg.Media, s3api.Contents{Objects: 0, Versions: 1, DeleteMarkers: 1})(nil)
			},
		},
		{
			ResourceName:            pairAddr,
			ImportState:             true,
			ImportStateId:           cfg.Media + "," + cfg.Static,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"media_force_destroy"},
		},
		{
			// The guard removed outside Terraform (by a principal it exempts): the plan shows it, apply restores it.
			PreConfig: func() {
				_, err := viaProxy(t).DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(cfg.Media)})
				must(t, err)
			},
			Config: g.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate)},
			},
			Check: func(*terraform.State) error {
				if doc, ok := guardLayer.Policy(cfg.Media); !ok || len(bucketpolicy.GuardExempt(doc)) != 2 {
					return fmt.Errorf("the guard was not restored: %q", doc)
				}
				return nil
			},
		},
		{
			// A list that leaves out the principal running Terraform fails at plan time.
			Config:      guarded(cfg, breakGlassRole).String(),
			PlanOnly:    true,
			ExpectError: phrase("The guard would lock Terraform out Terraform runs as arn:aws:iam::000000000000:user/admin- not in guard_exempt_principals"),
		},
		// The test case's destroy runs as the exempt principal and deletes every version (CheckDestroy).
	})
}

// appClient signs with the app identity's keys and goes through the proxy, where the guard is enforced.
func appClient(t *testing.T) *s3.Client {
	c, err := proxyClient(t.Context(), appIdentity.AccessKey, appIdentity.SecretKey)
	must(t, err)
	return c
}

func accessDenied(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDenied"
}
