package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// mediaRestoreModel is the resource's Terraform data.
type mediaRestoreModel struct {
	ID                 types.String `tfsdk:"id"`
	Bucket             types.String `tfsdk:"bucket"`
	Prefix             types.String `tfsdk:"prefix"`
	AsOf               rfc3339Value `tfsdk:"as_of"`
	Method             types.String `tfsdk:"method"`
	DeleteCreatedAfter types.Bool   `tfsdk:"delete_created_after"`
	SourceBucket       types.String `tfsdk:"source_bucket"`
	SourceBucketOwner  types.String `tfsdk:"source_bucket_owner"`
	// PlanTimestamp is write-only: only the configuration has it.
	PlanTimestamp     rfc3339Value `tfsdk:"plan_timestamp"`
	DeletedCount      types.Int64  `tfsdk:"deleted_count"`
	OverwrittenCount  types.Int64  `tfsdk:"overwritten_count"`
	PendingCount      types.Int64  `tfsdk:"pending_count"`
	PendingKeys       types.List   `tfsdk:"pending_keys"`
	CreatedAfterCount types.Int64  `tfsdk:"created_after_count"`
	RestoredCount     types.Int64  `tfsdk:"restored_count"`
	// BatchOperations and the job's attributes: method = "batch_operations" (media_restore_batch.go).
	BatchOperations types.Object `tfsdk:"batch_operations"`
	Manifest        types.String `tfsdk:"manifest"`
	JobID           types.String `tfsdk:"job_id"`
	JobStatus       types.String `tfsdk:"job_status"`
	JobProgress     types.Object `tfsdk:"job_progress"`
	JobFailures     types.List   `tfsdk:"job_failures"`
	JobReport       types.String `tfsdk:"job_report"`
}

// restoreSpec is a restore in plain Go types.
type restoreSpec struct {
	Bucket, Prefix string
	AsOf           time.Time
	Options        recovery.Options
	// Source is the bucket whose history is restored from, "" for Bucket's own; SourceOwner its account, ""
	// for the provider's.
	Source, SourceOwner string
}

// toRestoreSpec converts the configured arguments. It reports false when one of them is not known yet.
// A null method, prefix or delete_created_after means the default. A non-zero now also checks that as_of is
// in the past (at plan time; by apply it still is).
func toRestoreSpec(m mediaRestoreModel, now time.Time) (restoreSpec, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	for _, v := range []interface{ IsUnknown() bool }{m.Bucket, m.Prefix, m.AsOf, m.Method, m.DeleteCreatedAfter, m.SourceBucket, m.SourceBucketOwner, m.BatchOperations} {
		if v.IsUnknown() {
			return restoreSpec{}, false, nil
		}
	}
	asOf, parseDiags := m.AsOf.ValueRFC3339Time() // a null as_of (it is required) fails here too
	if parseDiags.HasError() {
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
	if d := append(sourceProblems(m, recovery.Method(method)), batchProblems(m, recovery.Method(method))...); d.HasError() {
		return restoreSpec{}, false, append(diags, d...)
	}
	if _, known := batchOf(m.BatchOperations); !known {
		return restoreSpec{}, false, diags
	}
	return restoreSpec{
		Bucket: m.Bucket.ValueString(),
		Prefix: m.Prefix.ValueString(),
		AsOf:   asOf,
		Options: recovery.Options{
			Method:             recovery.Method(method),
			DeleteCreatedAfter: m.DeleteCreatedAfter.ValueBool(),
		},
		Source:      m.SourceBucket.ValueString(),
		SourceOwner: m.SourceBucketOwner.ValueString(),
	}, true, diags
}

// restoreID is the resource ID: what, where and as of when.
func restoreID(m mediaRestoreModel) string {
	id := m.Bucket.ValueString() + "/" + m.Prefix.ValueString() + "@" + m.AsOf.ValueString()
	if src := m.SourceBucket.ValueString(); src != "" {
		id += " from " + src
	}
	return id
}

// setTally records what a listing found: at plan time, or at apply when the plan could not list.
func (m *mediaRestoreModel) setTally(t *recovery.Tally) {
	m.DeletedCount = types.Int64Value(int64(t.Deleted))
	m.OverwrittenCount = types.Int64Value(int64(t.Overwritten))
	m.PendingCount = types.Int64Value(int64(t.Pending))
	m.PendingKeys = keyList(t.PendingKeys.Items())
}

// keyList is a list of keys as a Terraform list; empty, never null, when there are none.
func keyList(items []string) types.List { return stringListValue(items, false) }
