package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

func TestToClientConfigChecksums(t *testing.T) {
	if got := toClientConfig(providerModel{Checksums: types.StringNull()}).Checksums; got != "" {
		t.Errorf("checksums unset: %q, want the S3 layer's default", got)
	}
	if got := toClientConfig(providerModel{Checksums: types.StringValue(s3api.ChecksumsWhenSupported)}).Checksums; got != s3api.ChecksumsWhenSupported {
		t.Errorf("checksums = when_supported: %q", got)
	}
}

// Against the harness's endpoint (an S3-compatible server's), the default sends checksums only when
// required: objects uploaded through a layer that refuses the SDK's default checksums as Backblaze B2 does
// get there, and the pair and a restore of its media bucket work behind the same layer. The provider itself
// uploads and downloads nothing (a restore copies), so when_supported changes none of its requests: the
// refresh still passes. A value outside the list fails at plan time.
func TestAccProvider_checksums(t *testing.T) {
	pair := newRestorePair(t)
	checksumLayer.Add(pair.Media)
	checksumLayer.Add(pair.Static)
	t.Cleanup(func() { checksumLayer.Remove(pair.Media); checksumLayer.Remove(pair.Static) })
	cfg := restoreConfig{Pair: pair, Prefix: "media/"}
	pairOnly := cfg
	pairOnly.NoRestore = true
	supported := cfg
	supported.Pair.ProviderExtra = "  checksums = \"when_supported\"\n"
	invalid := pairOnly
	invalid.Pair.ProviderExtra = "  checksums = \"WHEN_REQUIRED\"\n"
	var asOf string
	vars := asOfVars(&asOf)
	m := media{t, pair.Media}
	refusedBefore := checksumLayer.Refused()
	upload := func(key, body string) {
		t.Helper()
		// As the Django app's client would, with the provider's own client settings for this endpoint.
		c, err := proxyClient(t.Context(), accEnv.Server.AccessKey, accEnv.Server.SecretKey)
		must(t, err)
		_, err = c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(pair.Media), Key: aws.String(key), Body: strings.NewReader(body)})
		must(t, err)
	}
	layerChecks := func(wantUploads int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if n := checksumLayer.Refused() - refusedBefore; n != 0 {
				return fmt.Errorf("the checksum layer refused %d requests", n)
			}
			if n := checksumLayer.Uploads(); n < wantUploads {
				return fmt.Errorf("the checksum layer let %d uploads through, want at least %d: it was not in the way", n, wantUploads)
			}
			return nil
		}
	}

	pairTest(t, pair, []resource.TestStep{
		{Config: invalid.String(), ConfigVariables: vars, PlanOnly: true,
			ExpectError: phrase(`checksums value must be one of: ["when_required" "when_supported"], got: "WHEN_REQUIRED"`)},
		{Config: pairOnly.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				upload("media/a.jpg", "original")
				asOf = markAsOf()
				upload("media/a.jpg", "overwritten")
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			Check:           resource.ComposeAggregateTestCheckFunc(checkObjects(m, map[string]string{"media/a.jpg": "original"}), layerChecks(2)),
		},
		{
			Config:           supported.String(),
			ConfigVariables:  vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check:            layerChecks(2),
		},
	})
}

func TestServiceRegionWarning(t *testing.T) {
	r2 := "https://0123456789abcdef.r2.cloudflarestorage.com"
	if d := serviceRegionWarning(&s3api.Client{Endpoint: r2, Region: "auto"}); len(d) != 0 {
		t.Errorf("R2 signed for auto: %v, want no warning", d)
	}
	if d := serviceRegionWarning(&s3api.Client{Endpoint: "https://minio.example.internal", Region: "eu-west-1"}); len(d) != 0 {
		t.Errorf("an unknown endpoint: %v, want no warning", d)
	}
	if d := serviceRegionWarning(&s3api.Client{Region: "auto"}); len(d) != 0 {
		t.Errorf("AWS: %v, want no warning", d)
	}
	d := serviceRegionWarning(&s3api.Client{Endpoint: r2, Region: "us-east-1"})
	if len(d) != 1 || d.HasError() {
		t.Fatalf("R2 signed for us-east-1: %v, want one warning", d)
	}
	for _, want := range []string{"Cloudflare R2", `region_name = "auto"`, `Set the provider argument region = "auto"`, `provider's region is "us-east-1"`} {
		if !strings.Contains(d[0].Detail(), want) {
			t.Errorf("warning %q does not say %q", d[0].Detail(), want)
		}
	}
}
