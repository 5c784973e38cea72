package provider

// The provider's unsupported_features: what an S3-compatible service is declared not to implement, checked at
// plan time, and the diagnostics a pair shows about what its service cannot do.

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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
			"[S3-compatible services guide](https://registry.terraform.io/providers/protectedmedia/protectedmedia/latest/docs/guides/s3-compatible).",
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

// usedArguments lists the pair's arguments that some service may lack a feature for and that the
// configuration sets (a default, such as the static bucket's CORS rules, is left out where the service cannot
// have it); static_public_read counts as planned, since a new pair's default is public-read.
func usedArguments(ctx context.Context, config configGetter, staticPublicRead types.Bool, defaultTags map[string]string) ([]string, diag.Diagnostics) {
	var used []string
	var diags diag.Diagnostics
	for _, name := range bucketstate.NeedingArguments() {
		inUse := false
		switch name {
		case "static_public_read":
			inUse = staticPublicRead.ValueBool()
		case "default_tags":
			inUse = len(defaultTags) > 0
		default:
			var v attr.Value
			diags.Append(config.GetAttribute(ctx, path.Root(name), &v)...)
			inUse = configured(v)
		}
		if inUse {
			used = append(used, name)
		}
	}
	return used, diags
}

// configured says whether a configuration value asks for something: not null, not false, not empty.
func configured(v attr.Value) bool {
	if v == nil || v.IsNull() {
		return false
	}
	if v.IsUnknown() {
		return true
	}
	switch x := v.(type) {
	case types.Bool:
		return x.ValueBool()
	case types.String:
		return x.ValueString() != ""
	case types.List:
		return len(x.Elements()) > 0
	case types.Set:
		return len(x.Elements()) > 0
	case types.Map:
		return len(x.Elements()) > 0
	}
	return true
}

// unsupportedArguments fails for each argument in use that needs a feature the service lacks.
func unsupportedArguments(ctx context.Context, c *s3api.Client, staticPublicRead types.Bool, config configGetter, defaultTags map[string]string) diag.Diagnostics {
	unsupported := c.Caps.Unsupported()
	if len(unsupported) == 0 {
		return nil // Amazon S3, or a service known to lack nothing: no argument to look at
	}
	used, diags := usedArguments(ctx, config, staticPublicRead, defaultTags)
	for _, n := range bucketstate.UnmetNeeds(used, unsupported) {
		if n.Argument == "default_tags" {
			diags.AddError("Argument needs a feature the S3 service lacks", "The provider's "+n.String()+
				". Remove the default_tags block, or use a service that implements tagging.")
			continue
		}
		diags.AddAttributeError(path.Root(n.Argument), "Argument needs a feature the S3 service lacks", n.String()+". Remove "+
			n.Argument+advice(n.Argument)+", or use a service that implements "+string(n.Feature)+".")
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
