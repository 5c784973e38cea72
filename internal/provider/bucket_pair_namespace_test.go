package provider

// The account regional namespace: buckets created where no other account can ever take their names, and
// names checked against it at plan time.

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
)

// accountRegionalConfig is a pair in the account regional namespace of account in region.
func accountRegionalConfig(t *testing.T, account, region string) pairConfig {
	t.Helper()
	return pairConfig{
		Media:         bucketname.AccountRegionalName(bucketName(t, "media"), account, region),
		Static:        bucketname.AccountRegionalName(bucketName(t, "static"), account, region),
		ResourceExtra: fmt.Sprintf("  bucket_namespace = %q\n", bucketname.NamespaceAccountRegional),
	}
}

func checkNamespace(want string, buckets ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, b := range buckets {
			if got := awsLayer.NamespaceOf(b); got != want {
				return fmt.Errorf("bucket %s was created in namespace %q, want %q", b, got, want)
			}
		}
		return nil
	}
}

// A pair in the account regional namespace is created there, imports as such, and plans nothing after.
func TestAccBucketPair_accountRegionalNamespace(t *testing.T) {
	awsLayer.EnforceBucketNamespaces(true)
	t.Cleanup(func() { awsLayer.EnforceBucketNamespaces(false) })
	cfg := accountRegionalConfig(t, seaweedAccount, locals3.Region)
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("bucket_namespace"), knownvalue.StringExact(bucketname.NamespaceAccountRegional)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkNamespace(bucketname.NamespaceAccountRegional, cfg.Media, cfg.Static),
				checkMediaLocked(cfg.Media),
				checkStaticBucket(cfg.Static, false),
			),
		},
		{
			ResourceName:      pairAddr,
			ImportState:       true,
			ImportStateId:     cfg.Media + "," + cfg.Static,
			ImportStateVerify: true,
		},
		{
			Config:           cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	})
}

// A pair in the global namespace is created there, as before the argument existed.
func TestAccBucketPair_globalNamespace(t *testing.T) {
	awsLayer.EnforceBucketNamespaces(true)
	t.Cleanup(func() { awsLayer.EnforceBucketNamespaces(false) })
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{{
		Config: cfg.String(),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("bucket_namespace"), knownvalue.StringExact(bucketname.NamespaceGlobal)),
		},
		Check: checkNamespace(bucketname.NamespaceGlobal, cfg.Media, cfg.Static),
	}})
}

// Names that do not fit the namespace are refused by the plan, before anything is created, with the
// argument and the name to use.
func TestAccBucketPair_namespaceNames(t *testing.T) {
	wrongRegion := accountRegionalConfig(t, seaweedAccount, "eu-west-1")
	wrongAccount := accountRegionalConfig(t, "111122223333", locals3.Region)
	pairTest(t, wrongRegion, []resource.TestStep{
		{
			Config:   wrongRegion.String(),
			PlanOnly: true,
			ExpectError: phrase(fmt.Sprintf(`Bucket name does not fit its namespace media_bucket = %q names region eu-west-1, but the buckets are created in region us-east-1; name it %q`,
				wrongRegion.Media, bucketname.AccountRegionalName(bucketName0(wrongRegion.Media), seaweedAccount, locals3.Region))),
		},
		{
			Config:      wrongAccount.String(),
			PlanOnly:    true,
			ExpectError: phrase("static_bucket names account 111122223333, but the provider's credentials belong to account 000000000000"),
		},
	})
}

// bucketName0 is the prefix of an account regional name.
func bucketName0(name string) string {
	n, _ := bucketname.ParseAccountRegional(name)
	return n.Prefix
}

// The namespace rules that need no provider are checked by validate.
func TestAccBucketPair_namespaceConfig(t *testing.T) {
	accountRegional := fmt.Sprintf("  bucket_namespace = %q\n", bucketname.NamespaceAccountRegional)
	cases := map[string]struct {
		config pairConfig
		want   string
	}{
		"-an in the global namespace": {pairConfig{Media: "shop-media-an", Static: "ok-static"},
			`media_bucket = "shop-media-an" ends with "-an", which S3 keeps for buckets in an account regional namespace: to create the bucket there, set bucket_namespace = "account-regional"`},
		"account regional form in the global namespace": {pairConfig{Media: "ok-media", Static: "ok-static-000000000000-us-east-1-an"},
			`static_bucket = "ok-static-000000000000-us-east-1-an" ends with "-an"`},
		"a global name in the account regional namespace": {pairConfig{Media: "ok-media-000000000000-us-east-1-an", Static: "ok-static", ResourceExtra: accountRegional},
			`static_bucket = "ok-static" is not a name in an account regional namespace: with bucket_namespace = "account-regional" a name must be <prefix>-<12-digit account ID>-<region>-an`},
		"an unknown namespace": {pairConfig{Media: "ok-media", Static: "ok-static", ResourceExtra: "  bucket_namespace = \"regional\"\n"},
			`bucket_namespace value must be one of: ["global" "account-regional"]`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.config.String(), PlanOnly: true, ExpectError: phrase(tc.want)}},
			})
		})
	}
}

// Changing the namespace replaces the pair; a state from before the argument does not.
func TestReplaceUnlessUnset(t *testing.T) {
	ctx := t.Context()
	schema := bucketPairSchema(ctx)
	// An existing pair: an object whose attributes are all null, which the modifier does not read.
	objType, ok := schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("the schema's type is %T", schema.Type().TerraformType(ctx))
	}
	attrs := make(map[string]tftypes.Value, len(objType.AttributeTypes))
	for name, typ := range objType.AttributeTypes {
		attrs[name] = tftypes.NewValue(typ, nil)
	}
	existing := tftypes.NewValue(objType, attrs)
	for _, tc := range []struct {
		name         string
		state, plan  types.String
		wantReplaced bool
	}{
		{"changed", types.StringValue(bucketname.NamespaceGlobal), types.StringValue(bucketname.NamespaceAccountRegional), true},
		{"unchanged", types.StringValue(bucketname.NamespaceGlobal), types.StringValue(bucketname.NamespaceGlobal), false},
		{"from before the argument", types.StringNull(), types.StringValue(bucketname.NamespaceGlobal), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := planmodifier.StringRequest{Path: path.Root("bucket_namespace"), StateValue: tc.state, PlanValue: tc.plan, ConfigValue: types.StringNull(),
				State: tfsdk.State{Schema: schema, Raw: existing}, Plan: tfsdk.Plan{Schema: schema, Raw: existing}}
			resp := &planmodifier.StringResponse{PlanValue: tc.plan}
			replaceUnlessUnset().PlanModifyString(ctx, req, resp)
			if resp.Diagnostics.HasError() || resp.RequiresReplace != tc.wantReplaced {
				t.Fatalf("RequiresReplace %t (%v), want %t", resp.RequiresReplace, resp.Diagnostics, tc.wantReplaced)
			}
		})
	}
}

// S3 tells no bucket's namespace: an imported pair, or one from before the argument, reads it from the
// media bucket's name; a known value stays.
func TestBucketPairNamespaceReadBack(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		media string
		prior types.String
		want  string
	}{
		{"pm-media", types.StringNull(), bucketname.NamespaceGlobal},
		{"pm-media-111122223333-eu-west-1-an", types.StringNull(), bucketname.NamespaceAccountRegional},
		{"pm-media-an", types.StringNull(), bucketname.NamespaceGlobal},
		{"pm-media-111122223333-eu-west-1-an", types.StringValue(bucketname.NamespaceAccountRegional), bucketname.NamespaceAccountRegional},
	} {
		m := appliedPair(t)
		m.MediaBucket, m.BucketNamespace = types.StringValue(tc.media), tc.prior
		if diags := m.setObserved(ctx, "eu-west-1", false, matching(t, m), nil); diags.HasError() {
			t.Fatal(diags)
		}
		if got := m.BucketNamespace.ValueString(); got != tc.want {
			t.Errorf("%s (prior %s): bucket_namespace %q, want %q", tc.media, tc.prior, got, tc.want)
		}
	}
}
