package provider

// noncurrent_version_transitions: moving old media versions to cheaper storage classes.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

var pathTransitions = path.Root("noncurrent_version_transitions")

type transitionModel struct {
	Days         types.Int64  `tfsdk:"days"`
	StorageClass types.String `tfsdk:"storage_class"`
}

var transitionAttrTypes = map[string]attr.Type{"days": types.Int64Type, "storage_class": types.StringType}

func transitionsAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true,
		MarkdownDescription: "Move media versions to cheaper storage some days after they stopped being current " +
			"(overwritten or deleted), for example to `STANDARD_IA` after 30 days and `GLACIER_IR` after 90. They stay " +
			"versions of the bucket: `protectedmedia_media_restore` brings them back (from `GLACIER` and `DEEP_ARCHIVE` " +
			"only once restored from the archive; see the recovery guide). In S3's order of storage classes (" +
			choiceList(bucketstate.TransitionStorageClasses()) + "), each class once, days increasing; " +
			"`STANDARD_IA` and `ONEZONE_IA` after 30 days or more; all before `noncurrent_version_retention_days`. " +
			"A lifecycle rule, so S3 refuses it together with `mfa_delete`.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"days": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "Days after a version stopped being current.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"storage_class": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Storage class to move it to: " + choiceList(bucketstate.TransitionStorageClasses()) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(bucketstate.TransitionStorageClasses()...)},
			},
		}},
		Validators: []validator.List{listvalidator.SizeAtMost(len(bucketstate.TransitionStorageClasses()))},
	}
}

// transitionsOf converts the attribute; known is false while any part is unknown.
func transitionsOf(ctx context.Context, l types.List) ([]bucketstate.Transition, bool, diag.Diagnostics) {
	if l.IsNull() {
		return nil, true, nil
	}
	if l.IsUnknown() {
		return nil, false, nil
	}
	var models []transitionModel
	if diags := l.ElementsAs(ctx, &models, false); diags.HasError() {
		return nil, false, diags
	}
	out := make([]bucketstate.Transition, len(models))
	for i, m := range models {
		if m.Days.IsUnknown() || m.StorageClass.IsUnknown() {
			return nil, false, nil
		}
		out[i] = bucketstate.Transition{Days: int(m.Days.ValueInt64()), StorageClass: m.StorageClass.ValueString()}
	}
	return out, true, nil
}

// transitionsValue is the attribute's value for transitions read from S3; none is null.
func transitionsValue(ts []bucketstate.Transition) types.List {
	if len(ts) == 0 {
		return types.ListNull(types.ObjectType{AttrTypes: transitionAttrTypes})
	}
	elems := make([]attr.Value, len(ts))
	for i, t := range ts {
		elems[i] = types.ObjectValueMust(transitionAttrTypes, map[string]attr.Value{
			"days": types.Int64Value(int64(t.Days)), "storage_class": types.StringValue(t.StorageClass),
		})
	}
	return types.ListValueMust(types.ObjectType{AttrTypes: transitionAttrTypes}, elems)
}

// transitionProblems fails the plan for transitions S3 would refuse.
func transitionProblems(ts []bucketstate.Transition, expireDays int) diag.Diagnostics {
	var diags diag.Diagnostics
	if problems := bucketstate.TransitionProblems(ts, expireDays); len(problems) > 0 {
		diags.AddAttributeError(pathTransitions, "Invalid noncurrent version transitions",
			fmt.Sprintf("S3 would refuse noncurrent_version_transitions:\n  - %s", strings.Join(problems, "\n  - ")))
	}
	return diags
}
