package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

func TestProtectionsLost(t *testing.T) {
	onAWS := &s3api.Client{Caps: s3api.NewCapabilities(true, nil)}
	if d := protectionsLost(onAWS); len(d) != 0 {
		t.Errorf("Amazon S3 lacks nothing, got %v", d)
	}

	declared := bucketstate.Features{bucketstate.FeaturePublicAccessBlock: true, bucketstate.FeatureLifecycle: true}
	a := &s3api.Client{Endpoint: "https://s3.example.com", Caps: s3api.NewCapabilities(false, declared)}
	b := &s3api.Client{Endpoint: "https://s3.example.com", Caps: s3api.NewCapabilities(false, declared)}
	da, db := protectionsLost(a), protectionsLost(b)
	if len(da) != 1 || da.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", da)
	}
	// Terraform folds diagnostics with the same summary and detail into one, however many pairs show them.
	if !da[0].Equal(db[0]) || da[0].Summary() != protectionsLostSummary {
		t.Errorf("the warnings of two pairs differ: %v / %v", da, db)
	}
	for _, want := range []string{"https://s3.example.com", "`public_access_block`, `lifecycle`",
		"no public access block: a bucket policy or ACL mistake can expose media", "no lifecycle rules"} {
		if !strings.Contains(da[0].Detail(), want) {
			t.Errorf("detail does not say %q:\n%s", want, da[0].Detail())
		}
	}
	if strings.Contains(da[0].Detail(), "answered 501") {
		t.Errorf("nothing was detected, yet the detail says so:\n%s", da[0].Detail())
	}
}

func TestUnsupportedOnAWS(t *testing.T) {
	declared := bucketstate.Features{bucketstate.FeatureCORS: true}
	if d := unsupportedOnAWS(&s3api.Client{Endpoint: "https://minio.internal:9000", Caps: s3api.NewCapabilities(false, declared)}, declared); d.HasError() {
		t.Errorf("an S3-compatible endpoint refused: %v", d)
	}
	for _, endpoint := range []string{"", "https://s3.eu-west-1.amazonaws.com"} {
		c := &s3api.Client{Endpoint: endpoint, AWSEndpoint: endpoint != ""}
		if d := unsupportedOnAWS(c, declared); !d.HasError() || !strings.Contains(d[0].Detail(), "`cors`") {
			t.Errorf("endpoint %q: unsupported_features accepted on Amazon S3: %v", endpoint, d)
		}
	}
}

func TestConfigured(t *testing.T) {
	for _, tt := range []struct {
		v    attr.Value
		want bool
	}{
		{types.BoolNull(), false},
		{types.BoolValue(false), false},
		{types.BoolValue(true), true},
		{types.StringValue(""), false},
		{types.StringValue("arn:aws:kms:us-east-1:1:key/x"), true},
		{types.StringUnknown(), true},
		{types.ListValueMust(types.StringType, nil), false},
		{types.ListValueMust(types.StringType, []attr.Value{types.StringValue("a")}), true},
		{types.MapValueMust(types.StringType, map[string]attr.Value{}), false},
		{types.Int64Value(30), true},
		{types.Int64Null(), false},
	} {
		if got := configured(tt.v); got != tt.want {
			t.Errorf("configured(%v) = %t, want %t", tt.v, got, tt.want)
		}
	}
}
