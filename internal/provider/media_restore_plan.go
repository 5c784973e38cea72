package provider

// Plan-time work of the restore: the dry run that lists the bucket and plans the counts, the plan_timestamp
// bound, and the check of what a restore needs of the bucket (versioning, and for remove_delete_markers no
// MFA Delete and no guard policy that denies the caller).

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// ModifyPlan is the dry run: for a new restore it lists the bucket's versions under the prefix once and
// plans the counts and keys the apply will change. An existing restore is a record of something done: it
// plans nothing (changing an argument replaces it, and Terraform then plans the replacement as new).
func (r *mediaRestoreResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() || r.client == nil {
		return // destroy, an existing record, or the provider is not configured yet (validate)
	}
	var plan mediaRestoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, known, diags := toRestoreSpec(plan, r.now())
	resp.Diagnostics.Append(diags...)
	if !known {
		return // unknown arguments: everything is known after apply
	}
	spec.Options.Now = r.now()
	seenAt, known, diags := planSeenAt(ctx, req.Config, spec.AsOf)
	resp.Diagnostics.Append(diags...)
	if !known {
		return
	}
	plan.ID = types.StringValue(restoreID(plan))
	if spec.Options.Method != recovery.MethodBatchOperations {
		plan.setNoJob(false) // no job: known, and null, at plan time
	}

	start := time.Now()
	if ok := r.checkBucket(ctx, spec, true, &resp.Diagnostics); !ok {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		}
		return
	}
	report, err := s3api.Restore(ctx, r.client.S3, spec.Bucket, spec.Prefix, restoreOptions(spec, s3api.RestoreOptions{
		DryRun: true, SampleSize: maxPendingKeys, SeenAt: seenAt,
	}))
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Cannot list the bucket's versions",
			errorDetail(r.client, err, fmt.Sprintf("Planning the restore of bucket %q needs s3:ListBucketVersions (and, for objects whose copies S3 gave a new ETag, s3:GetObjectVersionTagging).", spec.Bucket)))
		return
	}
	plan.setTally(report.Tally)
	tflog.Info(ctx, "planned point-in-time restore", map[string]any{
		"bucket": spec.Bucket, "prefix": spec.Prefix, "as_of": spec.AsOf.Format(time.RFC3339), "keys": report.Keys,
		"pending": report.Tally.Pending, "deleted": report.Tally.Deleted, "overwritten": report.Tally.Overwritten,
		"created_after": report.Tally.CreatedAfter, "elapsed_ms": time.Since(start).Milliseconds(),
	})
	addBlockedWarning(&resp.Diagnostics, report.Tally, spec.Bucket, false)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planSeenAt reads plan_timestamp from the configuration: the moment the plan's listing is bounded to
// (zero when unset). It reports false when the value is not known yet or is invalid.
func planSeenAt(ctx context.Context, config configGetter, asOf time.Time) (time.Time, bool, diag.Diagnostics) {
	var ts rfc3339Value
	diags := config.GetAttribute(ctx, path.Root("plan_timestamp"), &ts)
	switch {
	case diags.HasError() || ts.IsUnknown():
		return time.Time{}, false, diags
	case ts.IsNull():
		return time.Time{}, true, diags
	}
	seenAt, parseDiags := ts.ValueRFC3339Time()
	if parseDiags.HasError() {
		diags.AddAttributeError(path.Root("plan_timestamp"), "Invalid plan_timestamp", rfc3339Detail(ts.ValueString()))
		return time.Time{}, false, diags
	}
	if seenAt.Before(asOf) {
		diags.AddAttributeError(path.Root("plan_timestamp"), "plan_timestamp is before as_of",
			fmt.Sprintf("plan_timestamp = %q is before as_of = %q, so the plan could not see any change to undo. Set "+
				"plan_timestamp = plantimestamp(), the time of the plan.", ts.ValueString(), asOf.Format(time.RFC3339)))
		return time.Time{}, false, diags
	}
	return seenAt, true, diags
}

// checkBucket checks what a restore needs of the bucket: it exists, its versioning is Enabled (a copy into a
// bucket with versioning suspended would overwrite the "null" version for good), and, for
// remove_delete_markers, it has no MFA Delete and no guard policy denying the caller (checkGuard). At plan
// time (planning) a bucket that does not exist yet is only a warning: this apply may create it, and then
// there is nothing to restore. It reports whether the restore can go on.
//
// It lives with the plan because it is a plan-time check first: the plan is where a user should learn that a
// restore cannot work. Create runs it again because the bucket may have changed since, or not existed yet.
func (r *mediaRestoreResource) checkBucket(ctx context.Context, spec restoreSpec, planning bool, diags *diag.Diagnostics) bool {
	v, err := s3api.FindVersioning(ctx, r.client.S3, spec.Bucket)
	switch {
	case s3api.IsNotFound(err) && planning:
		diags.AddAttributeWarning(path.Root("bucket"), "Bucket does not exist yet",
			fmt.Sprintf("Bucket %q does not exist, so there is nothing to list. If this apply creates it, there is "+
				"nothing to restore either; otherwise the apply fails. The counts are known after apply.", spec.Bucket))
		return false
	case s3api.IsNotFound(err):
		diags.AddAttributeError(path.Root("bucket"), "Bucket does not exist",
			fmt.Sprintf("Bucket %q does not exist, so nothing can be restored in it. Check the name.", spec.Bucket))
		return false
	case err != nil:
		diags.AddAttributeError(path.Root("bucket"), "Cannot read the bucket's versioning",
			errorDetail(r.client, err, fmt.Sprintf("A restore needs s3:GetBucketVersioning on bucket %q.", spec.Bucket)))
		return false
	case v.Status != bucketstate.VersioningEnabled:
		diags.AddAttributeError(path.Root("bucket"), "Bucket versioning is not enabled",
			fmt.Sprintf("Bucket %q has versioning %s. A restore copies old versions on top as new versions, which "+
				"only keeps every version while versioning is Enabled (with versioning suspended, a copy would "+
				"overwrite the \"null\" version for good). Enable versioning first: for a protectedmedia_bucket_pair, "+
				"apply it, which repairs the media bucket's versioning. Nothing was changed.", spec.Bucket, v.Status))
		return false
	case v.MFADelete && spec.Options.Method == recovery.MethodRemoveDeleteMarkers:
		diags.AddAttributeError(path.Root("method"), "remove_delete_markers is refused under MFA Delete",
			fmt.Sprintf("Bucket %q has MFA Delete, so S3 only removes a delete marker with a one-time code from the "+
				"root user's MFA device, which a restore of many objects cannot supply. Use method = \"copy\" (the "+
				"default): it restores the same content without deleting anything, and keeps the markers in the "+
				"history. Nothing was changed.", spec.Bucket))
		return false
	case spec.Options.Method == recovery.MethodRemoveDeleteMarkers:
		return r.checkGuard(ctx, spec.Bucket, diags)
	}
	return r.checkSource(ctx, spec, planning, diags)
}

// checkGuard reads the bucket's policy and, when it has the guard of a protectedmedia_bucket_pair, checks
// that it lets the principal running Terraform remove delete markers (markerRemovalGuard). A policy that
// cannot be read only warns: the restore may still work. It reports whether the restore can go on.
func (r *mediaRestoreResource) checkGuard(ctx context.Context, bucket string, diags *diag.Diagnostics) bool {
	doc, err := s3api.FindPolicy(ctx, r.client.S3, bucket)
	if err != nil {
		diags.AddAttributeWarning(path.Root("method"), "Cannot check the bucket policy's guard",
			errorDetail(r.client, err, fmt.Sprintf("remove_delete_markers removes delete markers, which needs "+
				"s3:DeleteObjectVersion; a guard policy (guard_exempt_principals of a protectedmedia_bucket_pair) denies "+
				"that to every principal it does not exempt. Reading the policy of bucket %q needs s3:GetBucketPolicy; "+
				"without it the plan cannot tell whether S3 will refuse the removals half-way through the apply. "+
				"method = \"copy\" (the default) deletes nothing and works under the guard.", bucket)))
		return true
	}
	exempt := bucketpolicy.GuardExempt(doc)
	if exempt == nil {
		return true // no guard
	}
	caller, callerErr := "", errors.New("the provider is not configured")
	if r.callerARN != nil {
		caller, callerErr = r.callerARN()
	}
	d := markerRemovalGuard(bucket, exempt, caller, callerErr)
	diags.Append(d...)
	return !d.HasError()
}

// markerRemovalGuard decides whether remove_delete_markers can work under a bucket's guard policy, whose
// exempt principals are exempt (bucketpolicy.GuardExempt; nil when the bucket has no guard). Removing a
// delete marker is DeleteObject with a version ID, which needs s3:DeleteObjectVersion, and the guard denies
// that to every principal it does not exempt: the plan fails when caller, the principal running Terraform,
// is not exempt, and warns when callerErr says who that is cannot be told.
func markerRemovalGuard(bucket string, exempt []string, caller string, callerErr error) diag.Diagnostics {
	var diags diag.Diagnostics
	if exempt == nil {
		return diags
	}
	who := "every principal"
	if len(exempt) > 0 {
		who += " except " + quotedList(exempt)
	}
	switch {
	case callerErr != nil:
		diags.AddAttributeWarning(path.Root("method"), "Cannot check the guard against the caller",
			fmt.Sprintf("Bucket %q has a guard policy that denies s3:DeleteObjectVersion, which remove_delete_markers "+
				"needs to remove delete markers, to %s; who Terraform runs as cannot be told: %v.\n\n"+
				"If it is not exempt, S3 refuses the first removal with AccessDenied, half-way through the apply. "+
				"method = \"copy\" (the default) restores the same content without deleting anything, and works "+
				"under the guard.", bucket, who, callerErr))
	case !bucketpolicy.Exempts(exempt, caller):
		diags.AddAttributeError(path.Root("method"), "The bucket's guard denies remove_delete_markers",
			fmt.Sprintf("Bucket %q has a guard policy (guard_exempt_principals of its protectedmedia_bucket_pair) "+
				"that denies s3:DeleteObjectVersion to %s. remove_delete_markers removes delete markers by deleting "+
				"their versions, which needs that permission, and Terraform runs as %s, which the guard does not "+
				"exempt: S3 would refuse the first removal with AccessDenied, half-way through the apply. Nothing "+
				"was changed.\n\n"+
				"Use method = \"copy\" (the default): it restores the same content without deleting anything, so the "+
				"guard does not stop it. Or run this restore as a principal the guard exempts (a provider block "+
				"with its credentials, and provider = on this resource).", bucket, who, caller))
	}
	return diags
}
