package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// On a media bucket with the guard policy, a remove_delete_markers restore run as a principal the guard
// does not exempt (the app's keys) fails at plan time, saying why and what to do, and deletes nothing;
// method = "copy" restores the same files as that principal; the exempt principal may still plan
// remove_delete_markers.
//
// The bucket carries the media policy a protectedmedia_bucket_pair with guard_exempt_principals writes
// (bucketpolicy.DesiredMedia), set up by the test rather than by a pair in the configuration: the restore
// must run with other credentials than the pair, and the harness serves one provider instance, which every
// provider block in a configuration would configure in turn.
func TestAccMediaRestore_guard(t *testing.T) {
	testAccPreCheck(t)
	bucket := newGuardedBucket(t, "arn:aws:iam::000000000000:user/admin-*", breakGlassRole)
	m := media{t, bucket}
	var asOf string
	vars := asOfVars(&asOf)
	var before map[string]recovery.Version
	var markers []string
	// checkMarkersKept fails unless every delete marker laid after as_of is still there.
	checkMarkersKept := func(*terraform.State) error {
		after := m.versions()
		for _, id := range markers {
			if _, ok := after[id]; !ok {
				return fmt.Errorf("delete marker %s was removed", id)
			}
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					for _, k := range []string{"a", "b", "c"} {
						m.put("docs/"+k, "doc "+k)
					}
					asOf = markAsOf()
					markers = append(markers, m.delete("docs/a"), m.delete("docs/b"))
					m.put("docs/c", "vandalised")
					before = m.versions()
					resetCounts()
				},
				Config:          guardedRestoreConfig(bucket, "remove_delete_markers", true),
				ConfigVariables: vars,
				PlanOnly:        true,
				ExpectError: regexp.MustCompile(errorText(`Error: The bucket's guard denies remove_delete_markers`).String() + `.*` + errorText(
					fmt.Sprintf(`Bucket %q has a guard policy (guard_exempt_principals of its protectedmedia_bucket_pair) `, bucket)+
						`that denies s3:DeleteObjectVersion to every principal except "`+breakGlassRole+`", `+
						`"arn:aws:iam::000000000000:user/admin-*". remove_delete_markers removes delete markers by deleting `+
						`their versions, which needs that permission, and Terraform runs as arn:aws:iam::000000000000:user/app, `+
						`which the guard does not exempt: S3 would refuse the first removal with AccessDenied, half-way through `+
						`the apply. Nothing was changed. Use method = "copy" (the default)`).String()),
			},
			{
				// Nothing was deleted by the refused plan; copy works under the guard, as the same principal.
				PreConfig: func() {
					if err := checkMarkersKept(nil); err != nil {
						t.Fatalf("after the refused plan: %v", err)
					}
					if n := accEnv.Proxy.Counts()["DeleteObject"]; n != 0 {
						t.Fatalf("the refused plan sent %d DeleteObject requests", n)
					}
					resetCounts()
				},
				Config:          guardedRestoreConfig(bucket, "copy", true),
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("method"), knownvalue.StringExact("copy")),
						plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(3)),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkObjects(m, map[string]string{"docs/a": "doc a", "docs/b": "doc b", "docs/c": "doc c"}),
					checkNoVersionLost(m, &before, 3),
					checkMarkersKept,
					checkCalls(map[string]int{"CopyObject": 3}),
				),
			},
			{
				// The principal the guard exempts passes the check (and plans a new restore for the new method).
				Config:             guardedRestoreConfig(bucket, "remove_delete_markers", false),
				ConfigVariables:    vars,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
	if !slices.Contains(bucketpolicy.GuardedActions(), "s3:DeleteObjectVersion") {
		t.Fatal("the guard no longer denies s3:DeleteObjectVersion: this test and the plan check are moot")
	}
}

// newGuardedBucket creates a versioned bucket whose policy is the media policy of a pair with
// guard_exempt_principals = exempt, and deletes it with every version when the test ends.
func newGuardedBucket(t *testing.T, exempt ...string) string {
	t.Helper()
	ctx := t.Context()
	bucket := bucketName(t, "media")
	_, err := accEnv.Direct.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	must(t, err)
	admin := viaProxy(t) // the exempt principal, through the guard
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx) // t.Context() ends before cleanups run
		// Through the proxy, so the guard layer forgets the policy.
		_, err := admin.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)})
		must(t, err)
		removeBucket(t, ctx, bucket)
	})
	_, err = accEnv.Direct.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	must(t, err)
	_, err = admin.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket),
		Policy: aws.String(bucketpolicy.DesiredMedia("arn:aws:s3:::"+bucket, exempt))})
	must(t, err)
	if doc, ok := guardLayer.Policy(bucket); !ok || len(bucketpolicy.GuardExempt(doc)) != len(exempt) {
		t.Fatalf("the bucket has no guard: %q", doc)
	}
	return bucket
}

// guardedRestoreConfig restores bucket as of var.as_of with method, as the app identity (asApp) or as the
// harness's admin.
func guardedRestoreConfig(bucket, method string, asApp bool) string {
	var b strings.Builder
	if asApp {
		fmt.Fprintf(&b, "provider \"protectedmedia\" {\n  access_key = %q\n  secret_key = %q\n}\n\n", appIdentity.AccessKey, appIdentity.SecretKey)
	}
	fmt.Fprintf(&b, `variable "as_of" {
  type = string
}

resource "protectedmedia_media_restore" "test" {
  bucket = %q
  as_of  = var.as_of
  method = %q
}
`, bucket, method)
	return b.String()
}
