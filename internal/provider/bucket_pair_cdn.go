package provider

// A CloudFront distribution in front of either bucket: the schema of static_cdn and media_cdn, their model,
// and what they change (the bucket policy's origin access control statement, and the Django configuration's
// custom_domain and CloudFront signing key).

import (
	"context"
	"fmt"
	"regexp"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// cdn is a CDN's plain form; the zero value means none.
type cdn struct {
	DistributionARN, CustomDomain, CloudFrontKeyID string
}

func cdnAttributes(media bool) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"distribution_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "ARN of the CloudFront distribution (`aws_cloudfront_distribution.<name>.arn`), which must reach " +
				"the bucket through an origin access control. The bucket policy gets the standard statement letting that " +
				"distribution, and no other, read objects (`s3:GetObject` for the service principal `cloudfront.amazonaws.com`, " +
				"on the condition `AWS:SourceArn`), owned and repaired like the rest of the policy.",
			Validators: []validator.String{distributionARNValidator},
		},
		"custom_domain": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Host name Django puts in the files' URLs: the distribution's `domain_name` or one of its " +
				"aliases, for example `static.example.com`. Rendered as `custom_domain` in `django_storages`.",
			Validators: []validator.String{hostNameValidator{}},
		},
	}
	if media {
		attrs["cloudfront_key_id"] = schema.StringAttribute{
			Required: true,
			MarkdownDescription: "ID of the CloudFront public key (`aws_cloudfront_public_key.<name>.id`) whose private key " +
				"signs media URLs. Media is private, so the distribution must require signed URLs (a trusted key group) " +
				"and Django must sign them: it is rendered as `cloudfront_key_id` in `django_storages`. The private key " +
				"itself never passes through Terraform: the app supplies it as `cloudfront_key` (see the Django guide).",
		}
	}
	return attrs
}

func cdnAttrTypes(media bool) map[string]attr.Type {
	t := map[string]attr.Type{"distribution_arn": types.StringType, "custom_domain": types.StringType}
	if media {
		t["cloudfront_key_id"] = types.StringType
	}
	return t
}

func staticCDNAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "A CloudFront distribution serving the static bucket. With it the static bucket stays private " +
			"(`static_public_read` defaults to `false`), CloudFront reads it through its origin access control, and Django " +
			"builds unsigned URLs on `custom_domain`. The distribution itself belongs in your `hashicorp/aws` configuration " +
			"(see the CDN guide). For the admin's fonts, its cache policy must have the `Origin` header in the cache key, " +
			"which also passes it on to S3.",
		Attributes: cdnAttributes(false),
	}
}

func mediaCDNAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "A CloudFront distribution serving the media bucket. The bucket stays private and locked down; " +
			"CloudFront reads it through its origin access control, and Django hands out CloudFront-signed URLs on " +
			"`custom_domain`. See the CDN guide.",
		Attributes: cdnAttributes(true),
	}
}

// cdnOf converts static_cdn or media_cdn; known is false while any part is unknown.
func cdnOf(o types.Object) (c cdn, known bool) {
	if o.IsNull() {
		return cdn{}, true
	}
	if o.IsUnknown() {
		return cdn{}, false
	}
	r := readObject(o)
	c = cdn{DistributionARN: r.str("distribution_arn"), CustomDomain: r.str("custom_domain"), CloudFrontKeyID: r.str("cloudfront_key_id")}
	if !r.known {
		return cdn{}, false
	}
	return c, true
}

// policyAdditions is what a CDN and the extra policy add to the policy of the bucket bucketARN.
func policyAdditions(bucketARN string, c cdn, extra string) bucketpolicy.Additions {
	return bucketpolicy.Additions{BucketARN: bucketARN, DistributionARN: c.DistributionARN, Extra: extra}
}

// Compiled on first use rather than at start-up: Terraform starts the provider three times per plan.
// hostName is a DNS name of labels of letters, digits and hyphens; custom_domain takes no scheme or path.
var hostName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
})

// hostNameValidator checks custom_domain: a host name, without scheme, port or path.
type hostNameValidator struct{}

var _ validator.String = hostNameValidator{}

func (hostNameValidator) Description(context.Context) string {
	return "must be a host name such as static.example.com"
}

func (v hostNameValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (hostNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if v := req.ConfigValue.ValueString(); !hostName().MatchString(v) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid custom domain",
			fmt.Sprintf("%s = %q is not a host name. Give the name alone, for example \"static.example.com\" or "+
				"\"d111111abcdef8.cloudfront.net\", without https:// or a path.", req.Path, v))
	}
}

// additionsProblems checks at apply what plan-time validation could not see because it was unknown then:
// the extra policy documents and the distribution ARNs, which go into the bucket policies as written.
func additionsProblems(s pairSpec) []string {
	var out []string
	for _, b := range []struct {
		role  bucketstate.Role
		extra string
		cdn   cdn
	}{{bucketstate.Media, s.MediaExtraPolicy, s.MediaCDN}, {bucketstate.Static, s.StaticExtraPolicy, s.StaticCDN}} {
		if b.extra != "" {
			for _, p := range bucketpolicy.CheckExtra(string(b.role), b.extra) {
				out = append(out, fmt.Sprintf("%s_extra_policy_json: %s", b.role, p))
			}
		}
		if b.cdn.DistributionARN != "" {
			if err := bucketpolicy.ValidDistributionARN(b.cdn.DistributionARN); err != nil {
				out = append(out, fmt.Sprintf("%s_cdn.distribution_arn: %v", b.role, err))
			}
		}
	}
	return out
}
