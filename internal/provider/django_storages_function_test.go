package provider

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/djangoconfig"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// runDjangoStorages calls the function as the framework would, with the given argument values.
func runDjangoStorages(t *testing.T, media, static, region attr.Value, options types.Dynamic) *function.RunResponse {
	t.Helper()
	f := NewDjangoStoragesFunction()
	resp := &function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	f.Run(t.Context(), function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{media, static, region, options}),
	}, resp)
	return resp
}

func objectOptions(attrs map[string]attr.Value) types.Dynamic {
	typ := map[string]attr.Type{}
	for k, v := range attrs {
		typ[k] = v.Type(context.Background())
	}
	return types.DynamicValue(types.ObjectValueMust(typ, attrs))
}

func mustRender(t *testing.T, c djangoconfig.Config) string {
	t.Helper()
	s, err := djangoconfig.Render(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDjangoStoragesFunction_run(t *testing.T) {
	// The defaults are the resource's: a public-read static bucket.
	base := djangoconfig.Config{MediaBucket: "shop-media", StaticBucket: "shop-static", Region: "eu-west-1", StaticPublicRead: true}
	with := func(f func(*djangoconfig.Config)) djangoconfig.Config { c := base; f(&c); return c }

	for name, tc := range map[string]struct {
		options types.Dynamic
		want    djangoconfig.Config
	}{
		"null options":   {types.DynamicNull(), base},
		"empty object":   {objectOptions(map[string]attr.Value{}), base},
		"public static":  {objectOptions(map[string]attr.Value{"static_public_read": types.BoolValue(true)}), base},
		"private static": {objectOptions(map[string]attr.Value{"static_public_read": types.BoolValue(false)}), with(func(c *djangoconfig.Config) { c.StaticPublicRead = false })},
		"s3 backend, manifest": {
			objectOptions(map[string]attr.Value{"backend": types.StringValue("s3"), "static_manifest": types.BoolValue(true)}),
			with(func(c *djangoconfig.Config) { c.Backend, c.StaticManifest = djangoconfig.BackendS3, true }),
		},
		"s3boto3 named": {objectOptions(map[string]attr.Value{"backend": types.StringValue("s3boto3")}), base},
		"CDNs, private static bucket": {
			objectOptions(map[string]attr.Value{
				"static_public_read":      types.BoolValue(false),
				"static_custom_domain":    types.StringValue("static.example.com"),
				"media_custom_domain":     types.StringValue("media.example.com"),
				"media_cloudfront_key_id": types.StringValue("K2JCJMDEHXQW5F"),
			}),
			with(func(c *djangoconfig.Config) {
				c.StaticPublicRead = false
				c.StaticCustomDomain, c.MediaCustomDomain, c.MediaCloudFrontKeyID = "static.example.com", "media.example.com", "K2JCJMDEHXQW5F"
			}),
		},
		"endpoint, path style": {
			objectOptions(map[string]attr.Value{
				"endpoint_url":     types.StringValue("https://s3.example.internal:8443"),
				"addressing_style": types.StringValue("path"),
			}),
			with(func(c *djangoconfig.Config) {
				c.EndpointURL, c.AddressingStyle = "https://s3.example.internal:8443", "path"
			}),
		},
		"endpoint, boto3 decides": {
			objectOptions(map[string]attr.Value{"endpoint_url": types.StringValue("http://127.0.0.1:9000")}),
			with(func(c *djangoconfig.Config) { c.EndpointURL = "http://127.0.0.1:9000" }),
		},
		"null members count as absent": {
			objectOptions(map[string]attr.Value{
				"endpoint_url":       types.StringNull(),
				"addressing_style":   types.DynamicNull(),
				"static_public_read": types.BoolNull(),
				"backend":            types.StringNull(),
				"static_manifest":    types.BoolNull(),
			}),
			base,
		},
		"empty endpoint is AWS": {objectOptions(map[string]attr.Value{"endpoint_url": types.StringValue("")}), base},
		// AWS's own endpoints are left out, as the resource leaves them out; an addressing style given with
		// one stays, as it does without an endpoint.
		"AWS regional endpoint is AWS": {objectOptions(map[string]attr.Value{"endpoint_url": types.StringValue("https://s3.eu-west-1.amazonaws.com")}), base},
		"AWS FIPS endpoint is AWS":     {objectOptions(map[string]attr.Value{"endpoint_url": types.StringValue("https://s3-fips.eu-west-1.amazonaws.com")}), base},
		"AWS VPC endpoint is AWS, style kept": {
			objectOptions(map[string]attr.Value{
				"endpoint_url":     types.StringValue("https://bucket.vpce-0a1b2c3d4e5f6a7b8-abcdefgh.s3.eu-west-1.vpce.amazonaws.com"),
				"addressing_style": types.StringValue("virtual"),
			}),
			with(func(c *djangoconfig.Config) { c.AddressingStyle = "virtual" }),
		},
		"a load balancer under amazonaws.com is not AWS's S3": {
			objectOptions(map[string]attr.Value{"endpoint_url": types.StringValue("https://minio-1234.eu-west-1.elb.amazonaws.com")}),
			with(func(c *djangoconfig.Config) { c.EndpointURL = "https://minio-1234.eu-west-1.elb.amazonaws.com" }),
		},
		"map of strings": {
			types.DynamicValue(types.MapValueMust(types.StringType, map[string]attr.Value{
				"addressing_style":   types.StringValue("virtual"),
				"static_public_read": types.StringValue("false"),
				"static_manifest":    types.StringValue("true"),
			})),
			with(func(c *djangoconfig.Config) {
				c.AddressingStyle, c.StaticPublicRead, c.StaticManifest = "virtual", false, true
			}),
		},
	} {
		t.Run(name, func(t *testing.T) {
			resp := runDjangoStorages(t, types.StringValue(base.MediaBucket), types.StringValue(base.StaticBucket),
				types.StringValue(base.Region), tc.options)
			if resp.Error != nil {
				t.Fatalf("error: %s", resp.Error)
			}
			want := types.StringValue(mustRender(t, tc.want))
			if got := resp.Result.Value(); !got.Equal(want) {
				t.Errorf("result\n%s\nwant (djangoconfig.Render)\n%s", got, want)
			}
		})
	}
}

func TestDjangoStoragesFunction_unknownOption(t *testing.T) {
	resp := runDjangoStorages(t, types.StringValue("shop-media"), types.StringValue("shop-static"), types.StringValue("eu-west-1"),
		objectOptions(map[string]attr.Value{"endpoint_url": types.StringUnknown()}))
	if resp.Error != nil {
		t.Fatalf("error: %s", resp.Error)
	}
	if !resp.Result.Value().IsUnknown() {
		t.Errorf("result %s, want unknown", resp.Result.Value())
	}
}

func TestDjangoStoragesFunction_errors(t *testing.T) {
	for name, tc := range map[string]struct {
		media, static, region string
		options               types.Dynamic
		position              int64
		text                  string // a substring of the error
	}{
		"empty media bucket":  {"", "shop-static", "eu-west-1", types.DynamicNull(), argMediaBucket, "is empty"},
		"bad media bucket":    {"Shop_Media", "shop-static", "eu-west-1", types.DynamicNull(), argMediaBucket, `"Shop_Media" is not a valid S3 bucket name`},
		"empty static bucket": {"shop-media", "", "eu-west-1", types.DynamicNull(), argStaticBucket, "is empty"},
		"same buckets":        {"shop", "shop", "eu-west-1", types.DynamicNull(), argStaticBucket, "static_bucket must differ from media_bucket"},
		"empty region":        {"shop-media", "shop-static", "", types.DynamicNull(), argRegion, "region must not be empty"},
		"bad addressing style": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"addressing_style": types.StringValue("dns")}), argOptions, `options.addressing_style must be one of`},
		"bad endpoint": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"endpoint_url": types.StringValue("s3.example.internal")}), argOptions, "options.endpoint_url must be an absolute http(s) URL"},
		"misspelled option": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"static_public": types.BoolValue(true)}), argOptions,
			`static_public is not an option; the options are "endpoint_url", "addressing_style", "static_public_read", "backend", ` +
				`"static_manifest", "static_custom_domain", "media_custom_domain", "media_cloudfront_key_id"`},
		"unknown backend": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"backend": types.StringValue("storages.backends.s3.S3Storage")}), argOptions, `options.backend must be one of ["s3boto3" "s3"]`},
		"static domain with scheme": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"static_custom_domain": types.StringValue("https://static.example.com")}), argOptions, "options.static_custom_domain must be a host name"},
		"media domain without key": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"media_custom_domain": types.StringValue("media.example.com")}), argOptions,
			"options.media_cloudfront_key_id must be set with options.media_custom_domain"},
		"key without media domain": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"media_cloudfront_key_id": types.StringValue("K2JCJMDEHXQW5F")}), argOptions,
			"options.media_cloudfront_key_id needs options.media_custom_domain"},
		"wrong type for a string option": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"backend": types.BoolValue(true)}), argOptions, "backend must be a string, got a bool"},
		"wrong option type": {"shop-media", "shop-static", "eu-west-1",
			objectOptions(map[string]attr.Value{"static_public_read": types.NumberValue(big.NewFloat(1))}), argOptions, "static_public_read must be a bool"},
		"options not an object": {"shop-media", "shop-static", "eu-west-1",
			types.DynamicValue(types.StringValue("path")), argOptions, "must be an object"},
	} {
		t.Run(name, func(t *testing.T) {
			resp := runDjangoStorages(t, types.StringValue(tc.media), types.StringValue(tc.static), types.StringValue(tc.region), tc.options)
			if resp.Error == nil {
				t.Fatalf("no error; result %s", resp.Result.Value())
			}
			if resp.Error.FunctionArgument == nil || *resp.Error.FunctionArgument != tc.position {
				t.Errorf("error attributed to argument %v, want %d: %s", resp.Error.FunctionArgument, tc.position, resp.Error)
			}
			if !strings.Contains(resp.Error.Text, tc.text) {
				t.Errorf("error %q does not contain %q", resp.Error.Text, tc.text)
			}
		})
	}
}

// The function through Terraform itself: a configuration with outputs only, no server and no TF_ACC.
func TestDjangoStoragesFunction_terraform(t *testing.T) {
	aws := mustRender(t, djangoconfig.Config{MediaBucket: "shop-media", StaticBucket: "shop-static", Region: "eu-west-1", StaticPublicRead: true})
	endpoint := mustRender(t, djangoconfig.Config{
		MediaBucket: "shop-media", StaticBucket: "shop-static", Region: "us-east-1",
		EndpointURL: "https://s3.example.internal:8443", AddressingStyle: "path", StaticPublicRead: true,
	})
	cdns := mustRender(t, djangoconfig.Config{
		MediaBucket: "shop-media", StaticBucket: "shop-static", Region: "eu-west-1", Backend: djangoconfig.BackendS3, StaticManifest: true,
		StaticCustomDomain: "static.example.com", MediaCustomDomain: "media.example.com", MediaCloudFrontKeyID: "K2JCJMDEHXQW5F",
	})
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
variable "options" {
  type = object({
    endpoint_url       = optional(string)
    addressing_style   = optional(string)
    static_public_read = optional(bool, false)
  })
  default = {
    endpoint_url     = "https://s3.example.internal:8443"
    addressing_style = "path"
    static_public_read = true
  }
}

output "aws_empty" {
  value = provider::protectedmedia::django_storages("shop-media", "shop-static", "eu-west-1", {})
}

output "aws_null_member" {
  value = provider::protectedmedia::django_storages("shop-media", "shop-static", "eu-west-1", { endpoint_url = null })
}

output "endpoint_literal" {
  value = provider::protectedmedia::django_storages("shop-media", "shop-static", "us-east-1", {
    endpoint_url       = "https://s3.example.internal:8443"
    addressing_style   = "path"
    static_public_read = true
  })
}

output "endpoint_variable" {
  value = provider::protectedmedia::django_storages("shop-media", "shop-static", "us-east-1", var.options)
}

output "cdns" {
  value = provider::protectedmedia::django_storages("shop-media", "shop-static", "eu-west-1", {
    backend                 = "s3"
    static_manifest         = true
    static_public_read      = false
    static_custom_domain    = "static.example.com"
    media_custom_domain     = "media.example.com"
    media_cloudfront_key_id = "K2JCJMDEHXQW5F"
  })
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("aws_empty", knownvalue.StringExact(aws)),
					statecheck.ExpectKnownOutputValue("aws_null_member", knownvalue.StringExact(aws)),
					statecheck.ExpectKnownOutputValue("endpoint_literal", knownvalue.StringExact(endpoint)),
					statecheck.ExpectKnownOutputValue("endpoint_variable", knownvalue.StringExact(endpoint)),
					statecheck.ExpectKnownOutputValue("cdns", knownvalue.StringExact(cdns)),
				},
			},
		},
	})
}

// A literal null for the options. OpenTofu (1.12.6) never passes a null argument to a provider function: a
// literal null leaves the result unknown at plan and null after apply, so its users pass {} (guides/opentofu).
func TestDjangoStoragesFunction_terraformNullOptions(t *testing.T) {
	skipUnderOpenTofu(t, "OpenTofu does not pass a null argument to a provider function (a literal null leaves the result unknown, then null); the OpenTofu guide tells users to pass {}")
	aws := mustRender(t, djangoconfig.Config{MediaBucket: "shop-media", StaticBucket: "shop-static", Region: "eu-west-1", StaticPublicRead: true})
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
output "aws_null" {
  value = provider::protectedmedia::django_storages("shop-media", "shop-static", "eu-west-1", null)
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("aws_null", knownvalue.StringExact(aws)),
				},
			},
		},
	})
}

func TestDjangoStoragesFunction_terraformErrors(t *testing.T) {
	call := func(args string) string {
		return fmt.Sprintf("output \"x\" {\n  value = provider::protectedmedia::django_storages(%s)\n}\n", args)
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      call(`"", "shop-static", "eu-west-1", {}`),
				ExpectError: regexp.MustCompile(`Invalid value for "media_bucket" parameter`),
			},
			{
				Config:      call(`"shop-media", "shop-static", "eu-west-1", { addressing_style = "dns" }`),
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "options" parameter.*options.addressing_style must be\s+one\s+of`),
			},
		},
	})
}

// The function and the resource side by side: for the same buckets, region, endpoint and options, the
// function's output is byte-identical to the resource's django_storages.
func TestAccDjangoStoragesFunction_matchesResource(t *testing.T) {
	cfg := newPair(t)
	config := func(publicRead bool, backend string, manifest bool) string {
		c := cfg
		c.PublicRead = publicRead
		c.ResourceExtra = fmt.Sprintf("  django_storages_backend = %q\n  static_manifest = %t\n", backend, manifest)
		return c.String() + fmt.Sprintf(`
output "same" {
  value = protectedmedia_bucket_pair.test.django_storages == provider::protectedmedia::django_storages(
    protectedmedia_bucket_pair.test.media_bucket,
    protectedmedia_bucket_pair.test.static_bucket,
    protectedmedia_bucket_pair.test.region,
    {
      endpoint_url       = %q
      addressing_style   = "path"
      static_public_read = %t
      backend            = %q
      static_manifest    = %t
    },
  )
}
`, os.Getenv(s3api.EndpointEnv), publicRead, backend, manifest)
	}
	same := []statecheck.StateCheck{statecheck.ExpectKnownOutputValue("same", knownvalue.Bool(true))}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkBucketsGone(cfg.Media, cfg.Static),
		Steps: []resource.TestStep{
			{Config: config(false, djangoconfig.BackendS3Boto3, false), ConfigStateChecks: same},
			{Config: config(true, djangoconfig.BackendS3Boto3, false), ConfigStateChecks: same},
			{Config: config(true, djangoconfig.BackendS3, true), ConfigStateChecks: same},
		},
	})
}

// A known service's endpoint gets the region it signs for and its documented addressing style, as the
// resource's attribute does: R2's "auto" whatever region is passed, Spaces' virtual-hosted style unless one is
// given.
func TestDjangoStoragesFunction_services(t *testing.T) {
	for name, tc := range map[string]struct {
		region, endpoint string
		style            attr.Value
		want             []string
	}{
		"R2":                 {"us-east-1", "https://0123456789abcdef.r2.cloudflarestorage.com", types.StringNull(), []string{`"region_name": "auto"`, `"addressing_style": null`}},
		"Spaces":             {"eu-west-1", "https://ams3.digitaloceanspaces.com", types.StringNull(), []string{`"region_name": "ams3"`, `"addressing_style": "virtual"`}},
		"Spaces, path given": {"ams3", "https://ams3.digitaloceanspaces.com", types.StringValue("path"), []string{`"region_name": "ams3"`, `"addressing_style": "path"`}},
		"MinIO keeps region": {"eu-west-1", "https://minio.example.internal:9000", types.StringValue("path"), []string{`"region_name": "eu-west-1"`, `"addressing_style": "path"`}},
	} {
		t.Run(name, func(t *testing.T) {
			resp := runDjangoStorages(t, types.StringValue("shop-media"), types.StringValue("shop-static"), types.StringValue(tc.region),
				objectOptions(map[string]attr.Value{"endpoint_url": types.StringValue(tc.endpoint), "addressing_style": tc.style}))
			if resp.Error != nil {
				t.Fatalf("error: %s", resp.Error)
			}
			got, ok := resp.Result.Value().(types.String)
			if !ok {
				t.Fatalf("result %T", resp.Result.Value())
			}
			for _, want := range tc.want {
				if strings.Count(got.ValueString(), want) != 2 {
					t.Errorf("result does not say %s for both storages:\n%s", want, got.ValueString())
				}
			}
		})
	}
}
