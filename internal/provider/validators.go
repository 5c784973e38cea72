package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// bucketNameValidator rejects names S3 would refuse, at plan time, listing every rule broken.
type bucketNameValidator struct{}

var _ validator.String = bucketNameValidator{}

func (bucketNameValidator) Description(context.Context) string {
	return "must be a valid S3 general purpose bucket name"
}

func (v bucketNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (bucketNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	problems := bucketname.Problems(name)
	if len(problems) == 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid S3 bucket name",
		fmt.Sprintf("%s = %q breaks the S3 bucket naming rules:\n  - %s", req.Path, name, strings.Join(problems, "\n  - ")))
}

// mfaCodeValidator checks the shape of a one-time code at plan time; only S3 can say whether it is valid.
type mfaCodeValidator struct{}

var _ validator.String = mfaCodeValidator{}

func (mfaCodeValidator) Description(context.Context) string { return "must be a 6-digit code" }

func (v mfaCodeValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (mfaCodeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	code := req.ConfigValue.ValueString()
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		// The value is a secret: the message describes it without repeating it.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid MFA code",
			fmt.Sprintf("%s must be the 6-digit code your MFA device shows now (got %d characters).", req.Path, len(code)))
	}
}

// Compiled on first use rather than at start-up: Terraform starts the provider three times per plan.
// mfaSerialPattern accepts what S3's x-amz-mfa takes as a device serial: a virtual device's ARN, or a
// hardware token's serial number.
var mfaSerialPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(arn:aws[a-z-]*:iam::\d{12}:mfa/[\w+=,.@/-]+|[A-Z0-9]{6,32})$`)
})

// mfaSerialValidator checks the shape of an MFA device serial at plan time.
type mfaSerialValidator struct{}

var _ validator.String = mfaSerialValidator{}

func (mfaSerialValidator) Description(context.Context) string {
	return "must be an MFA device ARN (arn:aws:iam::<12-digit account>:mfa/<name>) or a hardware token serial"
}

func (v mfaSerialValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v mfaSerialValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || mfaSerialPattern().MatchString(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid MFA device serial",
		fmt.Sprintf("%s = %q %s, for example arn:aws:iam::123456789012:mfa/root-account-mfa-device. The IAM console "+
			"shows it under Security credentials, Multi-factor authentication.", req.Path, req.ConfigValue.ValueString(), v.Description(ctx)))
}

// stringCheck is a string attribute's plan-time check by one of the pure packages' functions, whose error
// says what is wrong and what to write instead.
type stringCheck struct {
	description string
	summary     string
	check       func(string) error
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string { return v.description }

func (v stringCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("%s: %v.", req.Path, err))
	}
}

// The checks of ARNs and account IDs.
var (
	// principalARNValidator checks one guard exemption.
	principalARNValidator = stringCheck{"must be an IAM role, user or root ARN", "Invalid principal ARN", bucketpolicy.ValidPrincipalARN}
	// distributionARNValidator checks a CDN's distribution_arn.
	distributionARNValidator = stringCheck{"must be a CloudFront distribution ARN", "Invalid CloudFront distribution ARN",
		bucketpolicy.ValidDistributionARN}
	// replicationRoleValidator checks media_replication's role_arn.
	replicationRoleValidator = stringCheck{"must be an IAM role ARN such as arn:aws:iam::111122223333:role/media-replication",
		"Invalid replication role ARN", bucketpolicy.ValidRoleARN}
	// accountIDValidator checks an account ID: 12 digits.
	accountIDValidator = stringCheck{"must be a 12-digit AWS account ID", "Invalid account ID", bucketpolicy.ValidAccountID}
	// kmsKeyARNValidator checks the form of a key ARN; whether the key exists, and may be used, only KMS can
	// tell when objects are written.
	kmsKeyARNValidator = stringCheck{"must be a KMS key ARN, arn:<partition>:kms:<region>:<account>:key/<key ID>",
		"Invalid KMS key ARN", func(s string) error { _, err := bucketstate.ParseKMSKeyARN(s); return err }}
)

// tagsValidator checks a map of tags against S3's tagging rules at plan time, listing every rule broken.
// Values not known yet are checked once they are; a pair's tags together with the provider's default_tags
// are counted by the plan (tooManyTags).
type tagsValidator struct{}

var _ validator.Map = tagsValidator{}

func (tagsValidator) Description(context.Context) string {
	return fmt.Sprintf("at most %d tags; keys of 1 to %d and values of up to %d letters, digits, spaces and %s; no key starting with %s",
		bucketstate.MaxTagsPerBucket, bucketstate.MaxTagKeyLength, bucketstate.MaxTagValueLength,
		strings.Join(strings.Split(bucketstate.TagSymbols, ""), " "), bucketstate.SystemTagPrefix)
}

func (v tagsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (tagsValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	tags := make(map[string]string, len(req.ConfigValue.Elements()))
	for k, v := range req.ConfigValue.Elements() {
		s, ok := v.(types.String)
		if ok && !s.IsUnknown() {
			tags[k] = s.ValueString()
		} else {
			tags[k] = "" // a value not known yet breaks no rule yet
		}
	}
	if problems := bucketstate.TagProblems(tags); len(problems) > 0 {
		resp.Diagnostics.Append(invalidTags(req.Path, problems))
	}
}

// tagRulesMarkdown states the tagging rules for the documentation, from the values the validator checks.
func tagRulesMarkdown() string {
	symbols := strings.Split(bucketstate.TagSymbols, "")
	return fmt.Sprintf("At most %d tags per bucket, counting the default tags and the pair's own; keys of 1 to %d "+
		"characters, values of up to %d, made of letters, digits, spaces and `%s`; no key may start with `%s` (in any "+
		"case), which AWS keeps for its own tags.", bucketstate.MaxTagsPerBucket, bucketstate.MaxTagKeyLength,
		bucketstate.MaxTagValueLength, strings.Join(symbols, "` `"), bucketstate.SystemTagPrefix)
}

// extraPolicyValidator checks media_extra_policy_json or static_extra_policy_json at plan time: a policy
// document, none of the pair's own Sids, and nothing that lets anyone erase media history.
type extraPolicyValidator struct{ role bucketstate.Role }

var _ validator.String = extraPolicyValidator{}

func (v extraPolicyValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a policy document whose statements may join the %s bucket's policy", v.role)
}

func (v extraPolicyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v extraPolicyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	problems := bucketpolicy.CheckExtra(string(v.role), req.ConfigValue.ValueString())
	if len(problems) == 0 {
		return
	}
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = p.String()
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Extra policy statements refused",
		fmt.Sprintf("%s cannot join the %s bucket's policy:\n  - %s", req.Path, v.role, strings.Join(lines, "\n  - ")))
}
