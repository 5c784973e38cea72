package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var (
	_ resource.Resource               = (*mediaRestoreResource)(nil)
	_ resource.ResourceWithConfigure  = (*mediaRestoreResource)(nil)
	_ resource.ResourceWithModifyPlan = (*mediaRestoreResource)(nil)
)

// maxPendingKeys bounds the keys a plan lists, so that a plan of a 10,000-object restore stays readable;
// the counts are always complete.
const maxPendingKeys = 100

// progressInterval is how often a long restore logs how far it has got.
const progressInterval = 5 * time.Second

// NewMediaRestoreResource is the factory the provider registers.
func NewMediaRestoreResource() resource.Resource { return &mediaRestoreResource{} }

// mediaRestoreResource is the Terraform side of a point-in-time restore: it converts the arguments and
// records the report of s3api.Restore, which owns the listing and the copies. The schema is in
// media_restore_schema.go, the conversions in media_restore_model.go and the dry run in media_restore_plan.go.
type mediaRestoreResource struct {
	client *s3api.Client
	// now is the provider's clock, which as_of and the expiry of archived versions' restored copies are
	// checked against.
	now func() time.Time
	// callerARN says which principal Terraform runs as, for the guard check of remove_delete_markers.
	callerARN func() (string, error)
}

func (r *mediaRestoreResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_media_restore"
}

func (r *mediaRestoreResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = mediaRestoreSchema()
}

func (r *mediaRestoreResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		r.client, r.now, r.callerARN = data.client, data.now, data.callerARN
	}
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
	spec.Options.Now = r.now()
	if !r.checkBucket(ctx, spec, false, &resp.Diagnostics) {
		return
	}
	if spec.Options.Method == recovery.MethodBatchOperations {
		r.createBatch(ctx, plan, spec, resp)
		return
	}
	plan.setNoJob(false)

	fields := map[string]any{"bucket": spec.Bucket, "prefix": spec.Prefix, "as_of": spec.AsOf.Format(time.RFC3339), "method": string(spec.Options.Method), "source_bucket": spec.Source}
	tflog.Info(ctx, "point-in-time restore: starting", fields)
	start := time.Now()
	var mu sync.Mutex
	lastLog := start
	report, err := s3api.Restore(ctx, r.client.S3, spec.Bucket, spec.Prefix, restoreOptions(spec, s3api.RestoreOptions{
		SampleSize: maxPendingKeys,
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
	}))
	if err != nil {
		// Nothing is recorded: the resource is not created, and the next plan shows what is still to restore.
		resp.Diagnostics.AddError("Restore stopped before it was complete", errorDetail(r.client, err, fmt.Sprintf(
			"%s of bucket %q were restored before the failure. No version was deleted. Fix the cause and apply "+
				"again: the restore starts over from a fresh listing, and what is already restored counts as unchanged, "+
				"so the plan shows only what is left.", plural(report.Restored, "object"), spec.Bucket)))
		return
	}
	tflog.Info(ctx, "point-in-time restore: done", restoreLogFields(fields, map[string]any{
		"keys_listed": report.Keys, "restored": report.Restored, "not_copyable": report.Tally.BlockedCount,
		"elapsed_ms": time.Since(start).Milliseconds(),
	}))
	// Keys S3 refused to copy only when asked (archived versions no listing reports) were pending in the
	// plan too: they are no change of the bucket.
	if plan.PendingCount.IsUnknown() {
		plan.setTally(report.Tally) // the plan could not list (the bucket was unknown or did not exist yet)
	} else if int64(report.Tally.Pending+report.Tally.Refused) != plan.PendingCount.ValueInt64() {
		resp.Diagnostics.AddWarning("The bucket changed between plan and apply",
			fmt.Sprintf("The plan counted %d objects to restore; at apply time there were %d, and all of them were "+
				"restored. pending_count and pending_keys keep what the plan showed; restored_count is what was done.",
				plan.PendingCount.ValueInt64(), report.Tally.Pending+report.Tally.Refused))
	}
	plan.CreatedAfterCount = types.Int64Value(int64(report.Tally.CreatedAfter))
	plan.RestoredCount = types.Int64Value(int64(report.Restored))
	plan.ID = types.StringValue(restoreID(plan))
	addBlockedWarning(&resp.Diagnostics, report.Tally, spec.Bucket, true)
	r.confirm(ctx, spec, report.Refused, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read reads nothing of the bucket: the resource records a restore that was done, and S3 holds nothing that
// could drift from it (a listing on every refresh would only cost). A batch restore's job is read: how far it
// has got is what a refresh is for.
func (r *mediaRestoreResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state mediaRestoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.JobID.ValueString() == "" {
		return
	}
	r.readJob(ctx, &state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

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

// confirm lists the prefix again and warns about anything still not as it was at as_of: objects changed
// while the restore ran. The keys S3 refused to copy (refused) were reported already.
func (r *mediaRestoreResource) confirm(ctx context.Context, spec restoreSpec, refused map[string]string, diags *diag.Diagnostics) {
	check, err := s3api.Restore(ctx, r.client.S3, spec.Bucket, spec.Prefix, restoreOptions(spec, s3api.RestoreOptions{
		DryRun: true, SampleSize: 10, Refused: refused,
	}))
	switch {
	case err != nil:
		diags.AddWarning("Cannot confirm the restore", errorDetail(r.client, err, "The restore finished, but listing the versions again failed."))
	case check.Tally.Pending > 0:
		diags.AddWarning("Objects changed while the restore ran",
			fmt.Sprintf("After the restore, %s under %q in bucket %q still differ from as_of, for example %s: they were "+
				"deleted or overwritten while the restore ran. Restore them with terraform apply -replace=<this resource>.",
				plural(check.Tally.Pending, "object"), spec.Prefix, spec.Bucket, quotedList(check.Tally.PendingKeys.Items())))
	}
}

// restoreLogFields is a log line's fields: the restore's, and the line's own.
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
