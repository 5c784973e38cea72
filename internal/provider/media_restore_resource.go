package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var (
	_ resource.Resource               = (*mediaRestoreResource)(nil)
	_ resource.ResourceWithConfigure  = (*mediaRestoreResource)(nil)
	_ resource.ResourceWithModifyPlan = (*mediaRestoreResource)(nil)
	_ validator.String                = rfc3339Validator{}
)

// maxPendingKeys bounds the keys a plan lists, so that a plan of a 10,000-object restore stays readable;
// the counts are always complete.
const maxPendingKeys = 100

// maxPrefixLength is S3's limit on a key, and so on a useful prefix.
const maxPrefixLength = 1024

// progressInterval is how often a long restore logs how far it has got.
const progressInterval = 5 * time.Second

// NewMediaRestoreResource is the factory the provider registers.
func NewMediaRestoreResource() resource.Resource { return &mediaRestoreResource{now: time.Now} }

type mediaRestoreResource struct {
	client *s3api.Client
	// now is the clock as_of is checked against; tests may replace it.
	now func() time.Time
}

type mediaRestoreModel struct {
	ID                 types.String `tfsdk:"id"`
	Bucket             types.String `tfsdk:"bucket"`
	Prefix             types.String `tfsdk:"prefix"`
	AsOf               types.String `tfsdk:"as_of"`
	Method             types.String `tfsdk:"method"`
	DeleteCreatedAfter types.Bool   `tfsdk:"delete_created_after"`
	// PlanTimestamp is write-only: only the configuration has it.
	PlanTimestamp     types.String `tfsdk:"plan_timestamp"`
	DeletedCount      types.Int64  `tfsdk:"deleted_count"`
	OverwrittenCount  types.Int64  `tfsdk:"overwritten_count"`
	PendingCount      types.Int64  `tfsdk:"pending_count"`
	PendingKeys       types.List   `tfsdk:"pending_keys"`
	CreatedAfterCount types.Int64  `tfsdk:"created_after_count"`
	RestoredCount     types.Int64  `tfsdk:"restored_count"`
}

func (r *mediaRestoreResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_media_restore"
}

func (r *mediaRestoreResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	computedCount := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Point-in-time restore of a versioned bucket: puts every object under `prefix` that was " +
			"deleted or overwritten after `as_of` back as it was at `as_of`.\n\n" +
			"`terraform plan` lists the bucket's versions and shows what the apply would restore (`pending_count`, " +
			"`pending_keys`), so the plan is the dry run. `terraform apply` restores it once and records that in the " +
			"state; a later plan with the same arguments shows no change. Changing any argument plans a new restore. " +
			"No object version is ever permanently deleted, and destroying the resource only removes the record " +
			"from the state: it changes nothing in S3.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<bucket>/<prefix>@<as_of>`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The versioned bucket to restore in, typically a pair's `media_bucket`. Its " +
					"versioning must be `Enabled`.",
				Validators:    []validator.String{bucketNameValidator{}},
				PlanModifiers: replace,
			},
			"prefix": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(""),
				MarkdownDescription: "Only keys starting with this are restored, for example `uploads/invoices/`, or " +
					"one file's full key. Defaults to `\"\"`, the whole bucket.",
				Validators:    []validator.String{stringvalidator.LengthAtMost(maxPrefixLength)},
				PlanModifiers: replace,
			},
			"as_of": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The moment to go back to, as an RFC 3339 time such as `2026-11-28T09:30:00Z` or " +
					"`2026-11-28T10:30:00+01:00`; it must be in the past. S3 records changes to the whole second and a " +
					"change stamped at `as_of` counts as before it, so choose a time at least a second before the first " +
					"unwanted change.",
				Validators:    []validator.String{rfc3339Validator{}},
				PlanModifiers: replace,
			},
			"method": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(recovery.Methods[0]),
				MarkdownDescription: "How deleted objects come back: " + choiceList(recovery.Methods) + ". `copy` (the " +
					"default) copies the version current at `as_of` on top as a new current version: the delete marker " +
					"or unwanted version stays in the history below it, and it works on buckets with MFA Delete. " +
					"`remove_delete_markers` removes the delete markers laid after `as_of` when they are the only " +
					"change to a key, so no copy is made; that permanently deletes the markers (never object data), which " +
					"S3 refuses on a bucket with MFA Delete. Overwritten objects are always restored by copy.",
				Validators:    []validator.String{stringvalidator.OneOf(recovery.Methods...)},
				PlanModifiers: replace,
			},
			"delete_created_after": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Also hide objects that did not exist at `as_of` (created, or re-created, after it), " +
					"so the prefix looks exactly as it did then: each gets a delete marker and stays in the history as a " +
					"noncurrent version. Defaults to `false`: such objects are left alone and only counted in " +
					"`created_after_count`.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"plan_timestamp": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				MarkdownDescription: "Set it to `plantimestamp()`. The plan then counts the changes made up to that " +
					"moment only, so files deleted or overwritten between `terraform plan` and `terraform apply` (on a " +
					"live site) cannot make Terraform stop the apply with *Provider produced inconsistent final plan*. " +
					"The apply still restores everything that differs from `as_of` when it runs, and warns when that " +
					"is more than the plan showed. An RFC 3339 time, not before `as_of`. Write-only (Terraform 1.11 and " +
					"later): never stored, so a new timestamp in every plan changes nothing.",
				Validators: []validator.String{rfc3339Validator{}},
			},
			"deleted_count": computedCount("Objects that existed at `as_of` and are deleted now (their current version " +
				"is a delete marker). Known at plan time."),
			"overwritten_count": computedCount("Objects that existed at `as_of` and hold other content now. Known at plan time."),
			"pending_count": computedCount("Objects the apply changes: the deleted and overwritten ones (and, with " +
				"`delete_created_after`, those created after `as_of`), less any S3 cannot copy (see the plan's warnings). " +
				"Known at plan time."),
			"pending_keys": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: fmt.Sprintf("The first %d keys (in key order) the apply changes; `pending_count` "+
					"has the full number. Known at plan time.", maxPendingKeys),
			},
			"created_after_count": computedCount("Objects under the prefix that did not exist at `as_of` and exist now, " +
				"as found by the apply. Left alone unless `delete_created_after` is set."),
			"restored_count": computedCount("Objects the apply put back (or hid, with `delete_created_after`)."),
		},
	}
}

func (r *mediaRestoreResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		r.client = data.client
	}
}

// restoreSpec is a restore in plain Go types.
type restoreSpec struct {
	Bucket, Prefix string
	AsOf           time.Time
	Options        recovery.Options
}

// toRestoreSpec converts the configured arguments. It reports false when one of them is not known yet.
// A non-zero now also checks that as_of is in the past (at plan time; by apply it still is).
func toRestoreSpec(m mediaRestoreModel, now time.Time) (restoreSpec, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	for _, v := range []interface{ IsUnknown() bool }{m.Bucket, m.Prefix, m.AsOf, m.Method, m.DeleteCreatedAfter} {
		if v.IsUnknown() {
			return restoreSpec{}, false, nil
		}
	}
	asOf, err := time.Parse(time.RFC3339, m.AsOf.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("as_of"), "Invalid as_of", rfc3339Detail(m.AsOf.ValueString()))
		return restoreSpec{}, false, diags
	}
	if !now.IsZero() && asOf.After(now) {
		diags.AddAttributeError(path.Root("as_of"), "as_of is in the future",
			fmt.Sprintf("as_of = %q is after the current time, %s. A restore puts objects back as they were at a past "+
				"moment: set as_of to a time before the first unwanted change, for example %s.",
				m.AsOf.ValueString(), now.UTC().Format(time.RFC3339), now.UTC().Add(-time.Hour).Truncate(time.Minute).Format(time.RFC3339)))
		return restoreSpec{}, false, diags
	}
	method := m.Method.ValueString()
	if method == "" {
		method = string(recovery.MethodCopy)
	}
	return restoreSpec{
		Bucket: m.Bucket.ValueString(),
		Prefix: m.Prefix.ValueString(),
		AsOf:   asOf,
		Options: recovery.Options{
			Method:             recovery.Method(method),
			DeleteCreatedAfter: m.DeleteCreatedAfter.ValueBool(),
		},
	}, true, diags
}

// restoreID is the resource ID: what, where and as of when.
func restoreID(m mediaRestoreModel) string {
	return m.Bucket.ValueString() + "/" + m.Prefix.ValueString() + "@" + m.AsOf.ValueString()
}

// setTally records what a listing found: at plan time, or at apply when the plan could not list.
func (m *mediaRestoreModel) setTally(t *recovery.Tally) {
	m.DeletedCount = types.Int64Value(int64(t.Deleted))
	m.OverwrittenCount = types.Int64Value(int64(t.Overwritten))
	m.PendingCount = types.Int64Value(int64(t.Pending))
	m.PendingKeys = keyList(t.PendingKeys.Items())
}

func keyList(items []string) types.List {
	values := make([]attr.Value, len(items))
	for i, s := range items {
		values[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, values)
}

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
	seenAt, known, diags := planSeenAt(ctx, req.Config, spec.AsOf)
	resp.Diagnostics.Append(diags...)
	if !known {
		return
	}
	plan.ID = types.StringValue(restoreID(plan))

	start := time.Now()
	if ok := r.checkBucket(ctx, spec, true, &resp.Diagnostics); !ok {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		}
		return
	}
	report, err := s3api.Restore(ctx, r.client.S3, spec.Bucket, spec.Prefix, s3api.RestoreOptions{
		AsOf: spec.AsOf, Recovery: spec.Options, DryRun: true, SampleSize: maxPendingKeys, SeenAt: seenAt,
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Cannot list the bucket's versions",
			r.detail(err, fmt.Sprintf("Planning the restore of bucket %q needs s3:ListBucketVersions (and, for objects whose copies S3 gave a new ETag, s3:GetObjectVersionTagging).", spec.Bucket)))
		return
	}
	plan.setTally(report.Tally)
	tflog.Info(ctx, "planned point-in-time restore", map[string]any{
		"bucket": spec.Bucket, "prefix": spec.Prefix, "as_of": spec.AsOf.Format(time.RFC3339), "keys": report.Keys,
		"pending": report.Tally.Pending, "deleted": report.Tally.Deleted, "overwritten": report.Tally.Overwritten,
		"created_after": report.Tally.CreatedAfter, "elapsed_ms": time.Since(start).Milliseconds(),
	})
	addBlockedWarning(&resp.Diagnostics, report.Tally, "will not be restored")
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planSeenAt reads plan_timestamp from the configuration: the moment the plan's listing is bounded to
// (zero when unset). It reports false when the value is not known yet or is invalid.
func planSeenAt(ctx context.Context, config configGetter, asOf time.Time) (time.Time, bool, diag.Diagnostics) {
	var ts types.String
	diags := config.GetAttribute(ctx, path.Root("plan_timestamp"), &ts)
	switch {
	case diags.HasError() || ts.IsUnknown():
		return time.Time{}, false, diags
	case ts.IsNull():
		return time.Time{}, true, diags
	}
	seenAt, err := time.Parse(time.RFC3339, ts.ValueString())
	if err != nil {
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
// remove_delete_markers, it has no MFA Delete. At plan time (planning) a bucket that does not exist yet is
// only a warning: this apply may create it, and then there is nothing to restore. It reports whether the
// restore can go on.
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
			r.detail(err, fmt.Sprintf("A restore needs s3:GetBucketVersioning on bucket %q.", spec.Bucket)))
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
	}
	return true
}

func (r *mediaRestoreResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan mediaRestoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, _, diags := toRestoreSpec(plan, time.Time{})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.checkBucket(ctx, spec, false, &resp.Diagnostics) {
		return
	}

	fields := map[string]any{"bucket": spec.Bucket, "prefix": spec.Prefix, "as_of": spec.AsOf.Format(time.RFC3339), "method": string(spec.Options.Method)}
	tflog.Info(ctx, "point-in-time restore: starting", fields)
	start := time.Now()
	var mu sync.Mutex
	lastLog := start
	report, err := s3api.Restore(ctx, r.client.S3, spec.Bucket, spec.Prefix, s3api.RestoreOptions{
		AsOf: spec.AsOf, Recovery: spec.Options, SampleSize: maxPendingKeys,
		Progress: func(p s3api.RestoreProgress) {
			mu.Lock()
			defer mu.Unlock()
			if time.Since(lastLog) < progressInterval {
				return
			}
			lastLog = time.Now()
			tflog.Info(ctx, "point-in-time restore: progress", restoreLogFields(fields, map[string]any{
				"keys_listed": p.Keys, "restored": p.Restored, "elapsed_s": int(time.Since(start).Seconds()),
			}))
		},
	})
	if err != nil {
		// Nothing is recorded: the resource is not created, and the next plan shows what is still to restore.
		resp.Diagnostics.AddError("Restore stopped before it was complete", r.detail(err, fmt.Sprintf(
			"%s of bucket %q were restored before the failure. No version was deleted. Fix the cause and apply "+
				"again: the restore starts over from a fresh listing, and what is already restored counts as unchanged, "+
				"so the plan shows only what is left.", plural(report.Restored, "object"), spec.Bucket)))
		return
	}
	tflog.Info(ctx, "point-in-time restore: done", restoreLogFields(fields, map[string]any{
		"keys_listed": report.Keys, "restored": report.Restored, "elapsed_ms": time.Since(start).Milliseconds(),
	}))
	if plan.PendingCount.IsUnknown() {
		plan.setTally(report.Tally) // the plan could not list (the bucket was unknown or did not exist yet)
	} else if int64(report.Tally.Pending) != plan.PendingCount.ValueInt64() {
		resp.Diagnostics.AddWarning("The bucket changed between plan and apply",
			fmt.Sprintf("The plan counted %d objects to restore; at apply time there were %d, and all of them were "+
				"restored. pending_count and pending_keys keep what the plan showed; restored_count is what was done.",
				plan.PendingCount.ValueInt64(), report.Tally.Pending))
	}
	plan.CreatedAfterCount = types.Int64Value(int64(report.Tally.CreatedAfter))
	plan.RestoredCount = types.Int64Value(int64(report.Restored))
	plan.ID = types.StringValue(restoreID(plan))
	addBlockedWarning(&resp.Diagnostics, report.Tally, "were not restored")
	r.confirm(ctx, spec, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// confirm lists the prefix again and warns about anything still not as it was at as_of: objects changed
// while the restore ran.
func (r *mediaRestoreResource) confirm(ctx context.Context, spec restoreSpec, diags *diag.Diagnostics) {
	check, err := s3api.Restore(ctx, r.client.S3, spec.Bucket, spec.Prefix, s3api.RestoreOptions{
		AsOf: spec.AsOf, Recovery: spec.Options, DryRun: true, SampleSize: 10,
	})
	switch {
	case err != nil:
		diags.AddWarning("Cannot confirm the restore", r.detail(err, "The restore finished, but listing the versions again failed."))
	case check.Tally.Pending > 0:
		diags.AddWarning("Objects changed while the restore ran",
			fmt.Sprintf("After the restore, %s under %q in bucket %q still differ from as_of, for example %s: they were "+
				"deleted or overwritten while the restore ran. Restore them with terraform apply -replace=<this resource>.",
				plural(check.Tally.Pending, "object"), spec.Prefix, spec.Bucket, strings.Join(quoteAll(check.Tally.PendingKeys.Items()), ", ")))
	}
}

// Read changes nothing: the resource records a restore that was done, and S3 holds nothing that could
// drift from it. Reading the bucket here would only cost a listing on every refresh, and resp.State
// already holds the state as it was, so there is not even a copy to make.
func (r *mediaRestoreResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update is never reached with a change (every argument replaces the resource); it keeps the record.
func (r *mediaRestoreResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan mediaRestoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete forgets the record. It makes no S3 request: restored objects stay restored and no version is
// removed.
func (r *mediaRestoreResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state mediaRestoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	tflog.Info(ctx, "forgetting a point-in-time restore record; nothing in S3 changes", map[string]any{"id": state.ID.ValueString()})
}

func (r *mediaRestoreResource) detail(err error, advice string) string {
	return errorDetail(r.client, err, advice)
}

// addBlockedWarning names the objects S3 would refuse to copy, with why.
func addBlockedWarning(diags *diag.Diagnostics, t *recovery.Tally, what string) {
	if t.BlockedCount == 0 {
		return
	}
	var lines []string
	for _, a := range t.Blocked.Items() {
		lines = append(lines, fmt.Sprintf("  - %s (version %s): %s", a.Key, a.Source.VersionID, a.Blocked))
	}
	more := ""
	if n := t.BlockedCount - len(lines); n > 0 {
		more = fmt.Sprintf("\n  ... and %d more", n)
	}
	diags.AddWarning("Some objects cannot be restored by copy",
		fmt.Sprintf("%s %s, because S3 refuses to copy them:\n%s%s", plural(t.BlockedCount, "object"), what, strings.Join(lines, "\n"), more))
}

func restoreLogFields(base, extra map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// rfc3339Validator rejects times Go's RFC 3339 parser does not accept, at validate time.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return "must be an RFC 3339 time, such as 2026-11-28T09:30:00Z"
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid time", fmt.Sprintf("%s: %s", req.Path, rfc3339Detail(req.ConfigValue.ValueString())))
	}
}

func rfc3339Detail(got string) string {
	return fmt.Sprintf("%q is not an RFC 3339 time. Write the date, a \"T\", the time and a zone: "+
		"\"2026-11-28T09:30:00Z\" (UTC) or \"2026-11-28T10:30:00+01:00\".", got)
}
