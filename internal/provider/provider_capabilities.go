package provider

// The provider's unsupported_features: what an S3-compatible service is declared not to implement, checked at
// plan time, and the diagnostics a pair shows about what its service cannot do.

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// unsupportedFeaturesAttribute is the provider argument; its valid names come from bucketstate.
func unsupportedFeaturesAttribute() schema.SetAttribute {
	return schema.SetAttribute{
		ElementType: types.StringType,
		Optional:    true,
		MarkdownDescription: "Bucket features the S3-compatible service at `endpoint` does not implement, which the " +
			"pairs then never read, write or report as drift: any of " + bucketstate.FeatureNames(bucketstate.OptionalFeatures()) +
			". Without it the provider learns the same from the service: a read answered `501 NotImplemented` marks " +
			"the feature missing for the rest of the run. Every plan names the protections the service cannot give, " +
			"and an argument that needs a missing feature is an error. `versioning` cannot be missing, and on Amazon " +
			"S3 (no `endpoint`, or one of AWS's own) nothing can: there every `NotImplemented` is an error. See the " +
			"S3-compatible services guide.",
	}
}

// unsupportedFeaturesOf parses the argument; nil when it is null.
func unsupportedFeaturesOf(ctx context.Context, set types.Set) (bucketstate.Features, diag.Diagnostics) {
	names, _, diags := knownStrings(ctx, set)
	if names == nil || diags.HasError() {
		return nil, diags
	}
	features, err := bucketstate.ParseFeatures(names)
	if err != nil {
		diags.AddAttributeError(path.Root("unsupported_features"), "Invalid unsupported_features", err.Error()+".")
	}
	return features, diags
}

// unsupportedOnAWS refuses features declared missing on Amazon S3, which implements them all.
func unsupportedOnAWS(c *s3api.Client, declared bucketstate.Features) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(declared) > 0 && c.OnAWS() {
		diags.AddAttributeError(path.Root("unsupported_features"), "Amazon S3 implements every feature",
			"unsupported_features names "+bucketstate.FeatureNames(declared.Sorted())+", but the provider talks to "+
				"Amazon S3 ("+c.Describe()+"), which implements them all: nothing is skipped there. Remove the "+
				"argument, or set endpoint to the S3-compatible service it describes.")
	}
	return diags
}

// protectionsLostSummary is the same for every pair, so Terraform shows the warning once however many pairs
// share the provider.
const protectionsLostSummary = "The S3 service cannot give every protection"

// protectionsLost is the plan's warning about what the service lacks; none when it lacks nothing.
func protectionsLost(c *s3api.Client) diag.Diagnostics {
	var diags diag.Diagnostics
	unsupported := c.Caps.Unsupported()
	if len(unsupported) == 0 {
		return diags
	}
	how := "declared in the provider's unsupported_features"
	if detected := c.Caps.Detected(); len(detected) > 0 {
		how += ", or answered 501 NotImplemented when asked (" + bucketstate.FeatureNames(detected.Sorted()) + ")"
	}
	diags.AddWarning(protectionsLostSummary,
		"The S3-compatible service at "+c.Endpoint+" does not implement "+bucketstate.FeatureNames(unsupported.Sorted())+
			" ("+how+"). The bucket pairs manage everything else, and cannot give media these protections:\n  - "+
			strings.Join(bucketstate.ProtectionsLost(unsupported), ";\n  - ")+".\n\nProtect media by other means where "+
			"these matter (least-privilege credentials for the app, backups), or use a service that implements them.")
	return diags
}

// usedArguments lists the pair's arguments in use that some service may lack a feature for.
// abortConfigured says abort_incomplete_uploads_days is in the configuration (it always has a value).
func usedArguments(ctx context.Context, m bucketPairModel, abortConfigured bool, defaultTags map[string]string) []string {
	var used []string
	use := func(name string, inUse bool) {
		if inUse {
			used = append(used, name)
		}
	}
	set := func(v interface{ IsNull() bool }) bool { return !v.IsNull() }
	nonEmpty := func(v stringElements) bool { return !v.IsNull() && (v.IsUnknown() || len(v.Elements()) > 0) }
	str := func(v types.String) bool { return !v.IsNull() && v.ValueString() != "" }
	tags, _, _ := knownStringMap(ctx, m.Tags)
	use("mfa_delete", m.MFADelete.ValueBool())
	use("static_public_read", m.StaticPublicRead.ValueBool())
	use("guard_exempt_principals", nonEmpty(m.GuardExemptPrincipals))
	use("media_extra_policy_json", str(m.MediaExtraPolicyJSON))
	use("static_extra_policy_json", str(m.StaticExtraPolicyJSON))
	use("media_cdn", set(m.MediaCDN))
	use("static_cdn", set(m.StaticCDN))
	use("media_kms_key_arn", str(m.MediaKMSKeyARN))
	use("static_kms_key_arn", str(m.StaticKMSKeyARN))
	use("tags", len(tags) > 0 || (m.Tags.IsUnknown()))
	use("default_tags", len(defaultTags) > 0)
	use("noncurrent_version_retention_days", set(m.NoncurrentVersionRetentionDays))
	use("noncurrent_versions_to_keep", set(m.NoncurrentVersionsToKeep))
	use("noncurrent_version_transitions", nonEmpty(m.NoncurrentVersionTransitions))
	use("abort_incomplete_uploads_days", abortConfigured)
	use("media_cors_rules", nonEmpty(m.MediaCORSRules))
	use("static_cors_rules", nonEmpty(m.StaticCORSRules))
	use("media_object_lock", set(m.MediaObjectLock))
	use("media_replication", set(m.MediaReplication))
	return used
}

// unsupportedArguments fails for each argument in use that needs a feature the service lacks.
func unsupportedArguments(ctx context.Context, c *s3api.Client, m bucketPairModel, config configGetter, defaultTags map[string]string) diag.Diagnostics {
	var abort types.Int64
	diags := config.GetAttribute(ctx, path.Root("abort_incomplete_uploads_days"), &abort)
	for _, n := range bucketstate.UnmetNeeds(usedArguments(ctx, m, !abort.IsNull(), defaultTags), c.Caps.Unsupported()) {
		at := path.Root(n.Argument)
		if n.Argument == "default_tags" {
			diags.AddError("Argument needs a feature the S3 service lacks", "The provider's "+n.String()+
				". Remove the default_tags block, or name the service where tags work.")
			continue
		}
		diags.AddAttributeError(at, "Argument needs a feature the S3 service lacks", n.String()+". Remove "+n.Argument+
			advice(n.Argument)+", or use a service that implements "+string(n.Feature)+".")
	}
	return diags
}

// advice is what to write instead of an argument the service cannot honour, where that is not plain removal.
func advice(argument string) string {
	switch argument {
	case "static_public_read":
		return " (set static_public_read = false: only a bucket policy can make the static bucket public-read)"
	case "mfa_delete":
		return " (set mfa_delete = false)"
	}
	return ""
}
