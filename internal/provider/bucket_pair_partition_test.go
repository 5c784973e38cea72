package provider

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// What a pair derives from its region and the provider's endpoint, in every partition and behind every kind
// of endpoint: ARNs in the region's partition, the regional host name on AWS whatever AWS endpoint the
// provider uses, and an endpoint in django_storages only for an S3-compatible server. The clients are built
// as s3api.New builds them (see its TestNewWithAWSEndpoint).
func TestBucketPairAddressesFollowPartitionAndEndpoint(t *testing.T) {
	const vpce = "https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com"
	tests := []struct {
		name       string
		client     s3api.Client
		region     string
		arn        string // the media bucket's
		domain     string // the media bucket's
		endpoint   string // django_storages endpoint_url; "" for none
		addressing string // django_storages addressing_style; "" for none
	}{
		{"aws", s3api.Client{Region: "eu-west-1"}, "eu-west-1",
			"arn:aws:s3:::pm-media", "pm-media.s3.eu-west-1.amazonaws.com", "", ""},
		{"aws-cn", s3api.Client{Region: "cn-north-1"}, "cn-north-1",
			"arn:aws-cn:s3:::pm-media", "pm-media.s3.cn-north-1.amazonaws.com.cn", "", ""},
		{"aws-us-gov", s3api.Client{Region: "us-gov-west-1"}, "us-gov-west-1",
			"arn:aws-us-gov:s3:::pm-media", "pm-media.s3.us-gov-west-1.amazonaws.com", "", ""},
		{"aws-iso", s3api.Client{Region: "us-iso-east-1"}, "us-iso-east-1",
			"arn:aws-iso:s3:::pm-media", "pm-media.s3.us-iso-east-1.c2s.ic.gov", "", ""},
		{"aws-iso-b", s3api.Client{Region: "us-isob-east-1"}, "us-isob-east-1",
			"arn:aws-iso-b:s3:::pm-media", "pm-media.s3.us-isob-east-1.sc2s.sgov.gov", "", ""},
		{"aws-iso-e", s3api.Client{Region: "eu-isoe-west-1"}, "eu-isoe-west-1",
			"arn:aws-iso-e:s3:::pm-media", "pm-media.s3.eu-isoe-west-1.cloud.adc-e.uk", "", ""},
		{"aws-iso-f", s3api.Client{Region: "us-isof-south-1"}, "us-isof-south-1",
			"arn:aws-iso-f:s3:::pm-media", "pm-media.s3.us-isof-south-1.csp.hci.ic.gov", "", ""},
		{"aws-eusc", s3api.Client{Region: "eusc-de-east-1"}, "eusc-de-east-1",
			"arn:aws-eusc:s3:::pm-media", "pm-media.s3.eusc-de-east-1.amazonaws.eu", "", ""},
		{"a pair kept in its own region", s3api.Client{Region: "eu-west-1"}, "cn-northwest-1",
			"arn:aws-cn:s3:::pm-media", "pm-media.s3.cn-northwest-1.amazonaws.com.cn", "", ""},
		{"FIPS endpoint", s3api.Client{Region: "us-gov-west-1", Endpoint: "https://s3-fips.us-gov-west-1.amazonaws.com", AWSEndpoint: true}, "us-gov-west-1",
			"arn:aws-us-gov:s3:::pm-media", "pm-media.s3.us-gov-west-1.amazonaws.com", "", ""},
		{"dual-stack endpoint", s3api.Client{Region: "eu-west-1", Endpoint: "https://s3.dualstack.eu-west-1.amazonaws.com", AWSEndpoint: true}, "eu-west-1",
			"arn:aws:s3:::pm-media", "pm-media.s3.eu-west-1.amazonaws.com", "", ""},
		{"China regional endpoint", s3api.Client{Region: "cn-north-1", Endpoint: "https://s3.cn-north-1.amazonaws.com.cn", AWSEndpoint: true}, "cn-north-1",
			"arn:aws-cn:s3:::pm-media", "pm-media.s3.cn-north-1.amazonaws.com.cn", "", ""},
		{"VPC interface endpoint", s3api.Client{Region: "us-east-1", Endpoint: vpce, AWSEndpoint: true}, "us-east-1",
			"arn:aws:s3:::pm-media", "pm-media.s3.us-east-1.amazonaws.com", "", ""},
		{"AWS endpoint with path style forced", s3api.Client{Region: "us-east-1", Endpoint: vpce, AWSEndpoint: true, PathStyle: true}, "us-east-1",
			"arn:aws:s3:::pm-media", "pm-media.s3.us-east-1.amazonaws.com", "", ""},
		{"S3-compatible server, path style", s3api.Client{Region: "us-east-1", Endpoint: "https://s3.example.com:8443", PathStyle: true}, "us-east-1",
			"arn:aws:s3:::pm-media", "s3.example.com:8443", "https://s3.example.com:8443", "path"},
		{"S3-compatible server, virtual-hosted", s3api.Client{Region: "garage", Endpoint: "https://s3.example.com"}, "garage",
			"arn:aws:s3:::pm-media", "pm-media.s3.example.com", "https://s3.example.com", "virtual"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := bucketPairModel{MediaBucket: types.StringValue("pm-media"), StaticBucket: types.StringValue("pm-static"),
				StaticPublicRead: types.BoolValue(true)}
			if diags := m.setDerived(&tt.client, tt.region); diags.HasError() {
				t.Fatalf("setDerived: %v", diags)
			}
			if got := m.MediaBucketARN.ValueString(); got != tt.arn {
				t.Errorf("media_bucket_arn = %q, want %q", got, tt.arn)
			}
			if got := m.MediaBucketDomainName.ValueString(); got != tt.domain {
				t.Errorf("media_bucket_domain_name = %q, want %q", got, tt.domain)
			}
			if !strings.Contains(m.AppPolicyJSON.ValueString(), `"`+tt.arn+`/*"`) {
				t.Errorf("app_policy_json does not grant on %s/*: %s", tt.arn, m.AppPolicyJSON.ValueString())
			}

			var storages map[string]struct{ OPTIONS map[string]any }
			if err := json.Unmarshal([]byte(m.DjangoStorages.ValueString()), &storages); err != nil {
				t.Fatalf("django_storages: %v", err)
			}
			for alias, s := range storages {
				endpoint, hasEndpoint := s.OPTIONS["endpoint_url"]
				style, hasStyle := s.OPTIONS["addressing_style"]
				if hasEndpoint != (tt.endpoint != "") || (hasEndpoint && endpoint != tt.endpoint) {
					t.Errorf("%s endpoint_url = %v (present: %v), want %q", alias, endpoint, hasEndpoint, tt.endpoint)
				}
				if hasStyle != (tt.addressing != "") || (hasStyle && style != tt.addressing) {
					t.Errorf("%s addressing_style = %v (present: %v), want %q", alias, style, hasStyle, tt.addressing)
				}
			}

			// The policies the pair writes name the same ARNs, so the static bucket's policy reads back as
			// written (static_public_read stays true, no drift).
			spec := mustPair(t, pairSpec{Media: "pm-media", Static: "pm-static", Region: tt.region, StaticPublicRead: true})
			if !strings.Contains(spec.Media.Policy, `"`+tt.arn+`"`) {
				t.Errorf("the media bucket's policy does not name %s: %s", tt.arn, spec.Media.Policy)
			}
			if pr, ok := bucketstate.PublicReadOf(m.StaticBucketARN.ValueString(), spec.Static.Policy, bucketpolicy.Additions{}, false); !ok || !pr {
				t.Errorf("the static policy the pair writes does not read back as public: %v, %v", pr, ok)
			}
		})
	}
}
