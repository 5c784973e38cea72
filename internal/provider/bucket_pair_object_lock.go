package provider

// media_object_lock: S3 Object Lock on the media bucket with a default retention. Its schema, the conversions
// between the attribute and bucketstate.LockRetention, its plan-time checks (how it meets lifecycle retention,
// media_force_destroy and MFA Delete) and the plan's warning when it is removed, which S3 cannot undo.

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

var pathObjectLock = path.Root("media_object_lock")

var objectLockAttrTypes = map[string]attr.Type{"mode": types.StringType, "days": types.Int64Type, "years": types.Int64Type}

func objectLockAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Turn on S3 Object Lock for the media bucket, with this default retention for every new object " +
			"version: S3 then refuses to delete or overwrite a version (403 `AccessDenied`) until `days` or `years` after it " +
			"was written. In `GOVERNANCE` mode only a principal with `s3:BypassGovernanceRetention` that sends " +
			"`x-amz-bypass-governance-retention: true` may (`app_policy_json` denies it to the app, and neither it nor " +
			"`deploy_policy_json` grants it); in `COMPLIANCE` mode nobody may, the account's root user included. A new pair's " +
			"media bucket is created with Object Lock; an existing one gets it turned on (S3 needs versioning enabled for that, " +
			"which the media bucket always has), and the versions it already holds stay unlocked. Copies a restore makes " +
			"(`protectedmedia_media_restore`) are new versions and get the default retention. **S3 cannot turn Object Lock " +
			"off**: removing this argument only removes the default retention (the plan warns), Object Lock stays on " +
			"(`media_object_lock_enabled`), and versions already locked stay so until their retain-until dates. Read back on " +
			"every refresh (one more request per pair, on the media bucket only): a retention changed or removed outside " +
			"Terraform shows in `drift` and is put back. S3 allows it beside `mfa_delete`. Lifecycle rules cannot delete " +
			"a locked version: with `noncurrent_version_retention_days` shorter than the retention, S3 keeps (and bills) " +
			"such versions until their retention has passed, and the plan warns. With `media_force_destroy`, a destroy " +
			"first asks S3 which versions are still locked (a HeadObject per object version) and, if any is, deletes " +
			"nothing and says until when.",
		Attributes: map[string]schema.Attribute{
			"mode": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Retention mode of new versions: " + choiceList(bucketstate.LockModes()) + ". `GOVERNANCE` " +
					"protects them from everyone without `s3:BypassGovernanceRetention`; `COMPLIANCE` from everyone, for good " +
					"until the period ends: choose it only when a regulation asks for it.",
				Validators: []validator.String{stringvalidator.OneOf(bucketstate.LockModes()...)},
			},
			"days": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Retention period in days from when a version is written (1 to %d). "+
					"Set exactly one of `days` and `years`.", bucketstate.MaxLockDays),
				Validators: []validator.Int64{
					int64validator.Between(1, bucketstate.MaxLockDays),
					int64validator.ExactlyOneOf(path.MatchRelative().AtParent().AtName("years")),
				},
			},
			"years": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Retention period in years from when a version is written (1 to %d). "+
					"Set exactly one of `days` and `years`.", bucketstate.MaxLockYears),
				Validators: []validator.Int64{int64validator.Between(1, bucketstate.MaxLockYears)},
			},
		},
	}
}

func objectLockEnabledAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Computed: true,
		MarkdownDescription: "Whether the media bucket has S3 Object Lock, as last read from S3 " +
			"(`GetObjectLockConfiguration`). Once `true` it stays so: S3 cannot turn Object Lock off, even after " +
			"`media_object_lock` is removed.",
	}
}

// objectLockOf converts media_object_lock; known is false while any part is unknown. Null is no retention.
func objectLockOf(o types.Object) (r *bucketstate.LockRetention, known bool) {
	if o.IsNull() {
		return nil, true
	}
	if o.IsUnknown() {
		return nil, false
	}
	rd := readObject(o)
	r = &bucketstate.LockRetention{Mode: rd.str("mode"), Days: rd.number("days"), Years: rd.number("years")}
	if !rd.known {
		return nil, false
	}
	return r, true
}

// objectLockValue is the attribute's value for a default retention read from S3; none is null.
func objectLockValue(r *bucketstate.LockRetention) types.Object {
	if r == nil {
		return types.ObjectNull(objectLockAttrTypes)
	}
	return types.ObjectValueMust(objectLockAttrTypes, map[string]attr.Value{
		"mode":  types.StringValue(r.Mode),
		"days":  optionalInt(r.Days),
		"years": optionalInt(r.Years),
	})
}

// plannedObjectLockEnabled is media_object_lock_enabled in a plan: on once the bucket has it (S3 never turns it
// off), or once the plan asks for a default retention.
func plannedObjectLockEnabled(creating bool, state, plan bucketPairModel) types.Bool {
	if !creating && state.MediaObjectLockEnabled.ValueBool() {
		return types.BoolValue(true)
	}
	if plan.MediaObjectLock.IsUnknown() {
		return types.BoolUnknown()
	}
	return types.BoolValue(!plan.MediaObjectLock.IsNull())
}

// objectLockProblems are the plan-time checks of media_object_lock against the arguments it meets (the schema's
// validators check the argument itself). None is an error: S3 accepts each combination, MFA Delete included,
// and the warnings say what it then does.
func objectLockProblems(ctx context.Context, config configGetter, mfaDelete types.Bool, retention types.Int64) diag.Diagnostics {
	var lock types.Object
	var forceDestroy types.Bool
	diags := config.GetAttribute(ctx, pathObjectLock, &lock)
	diags.Append(config.GetAttribute(ctx, path.Root("media_force_destroy"), &forceDestroy)...)
	want, known := objectLockOf(lock)
	if diags.HasError() || !known || want == nil {
		return diags
	}
	if !retention.IsUnknown() && !mfaDelete.ValueBool() && bucketstate.LifecycleOutlivedByLock(int(retention.ValueInt64()), want) {
		diags.Append(lifecycleOutlivedByLock(int(retention.ValueInt64()), *want))
	}
	if forceDestroy.ValueBool() {
		diags.Append(forceDestroyMeetsLock(*want))
	}
	return diags
}

// objectLockRemoval warns, in a plan that removes media_object_lock, that S3 keeps Object Lock on.
func objectLockRemoval(state, plan bucketPairModel) diag.Diagnostics {
	prior, known := objectLockOf(state.MediaObjectLock)
	if !known || prior == nil || !plan.MediaObjectLock.IsNull() {
		return nil
	}
	return diag.Diagnostics{objectLockStaysOn(state.MediaBucket.ValueString(), *prior)}
}
