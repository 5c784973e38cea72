package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// batchObject is a batch_operations value with the given attributes set (the rest null).
func batchObject(set map[string]attr.Value) types.Object {
	attrs := map[string]attr.Value{
		"role_arn": types.StringNull(), "manifest_bucket": types.StringNull(), "manifest_prefix": types.StringNull(),
		"report_bucket": types.StringNull(), "report_prefix": types.StringNull(), "priority": types.Int64Null(),
	}
	for k, v := range set {
		attrs[k] = v
	}
	return types.ObjectValueMust(batchAttrTypes, attrs)
}

var minimalBatch = map[string]attr.Value{
	"role_arn": types.StringValue("arn:aws:iam::111122223333:role/media-restore"), "manifest_bucket": types.StringValue("ops"),
}

func TestBatchOf(t *testing.T) {
	if b, known := batchOf(types.ObjectNull(batchAttrTypes)); b != nil || !known {
		t.Errorf("null: %+v %t", b, known)
	}
	if _, known := batchOf(types.ObjectUnknown(batchAttrTypes)); known {
		t.Error("unknown object is known")
	}
	if _, known := batchOf(batchObject(map[string]attr.Value{"role_arn": types.StringUnknown()})); known {
		t.Error("unknown role_arn is known")
	}
	// Defaults: report where the manifest goes, the prefix without its slash, priority 10.
	b, known := batchOf(batchObject(map[string]attr.Value{
		"role_arn": minimalBatch["role_arn"], "manifest_bucket": minimalBatch["manifest_bucket"], "manifest_prefix": types.StringValue("restores/"),
	}))
	want := batchSpec{RoleARN: "arn:aws:iam::111122223333:role/media-restore", ManifestBucket: "ops", ManifestPrefix: "restores/",
		ReportBucket: "ops", ReportPrefix: "restores", Priority: 10}
	if !known || b == nil || *b != want {
		t.Errorf("defaults: %+v, want %+v", b, want)
	}
	b, _ = batchOf(batchObject(map[string]attr.Value{
		"role_arn": minimalBatch["role_arn"], "manifest_bucket": minimalBatch["manifest_bucket"],
		"report_bucket": types.StringValue("logs"), "report_prefix": types.StringValue("r"), "priority": types.Int64Value(0),
	}))
	if b.ReportBucket != "logs" || b.ReportPrefix != "r" || b.Priority != 0 {
		t.Errorf("set: %+v", b)
	}
}

// method and batch_operations go together, and the arguments a copy job cannot do are refused, each naming
// the argument and the fix.
func TestBatchProblems(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	base := func() mediaRestoreModel {
		return mediaRestoreModel{
			Bucket: types.StringValue("example-media"), Prefix: types.StringValue(""), AsOf: rfc3339Of("2026-11-28T10:30:00Z"),
			Method: types.StringValue("batch_operations"), DeleteCreatedAfter: types.BoolValue(false),
			BatchOperations: batchObject(minimalBatch),
		}
	}
	tests := []struct {
		name      string
		change    func(*mediaRestoreModel)
		wantKnown bool
		wantError string
		wantPath  string
	}{
		{name: "batch with its arguments", wantKnown: true},
		{name: "batch without arguments", change: func(m *mediaRestoreModel) { m.BatchOperations = types.ObjectNull(batchAttrTypes) },
			wantError: `batch_operations arguments missing: method = "batch_operations" creates an S3 Batch Operations job`, wantPath: "method"},
		{name: "arguments without batch", change: func(m *mediaRestoreModel) { m.Method = types.StringValue("copy") },
			wantError: `batch_operations without method = "batch_operations": batch_operations configures`, wantPath: "batch_operations"},
		{name: "delete_created_after", change: func(m *mediaRestoreModel) { m.DeleteCreatedAfter = types.BoolValue(true) },
			wantError: "delete_created_after cannot be done by a batch job: A Batch Operations job copies versions", wantPath: "delete_created_after"},
		{name: "source_bucket", change: func(m *mediaRestoreModel) { m.SourceBucket = types.StringValue("example-replica") },
			wantError: "source_bucket with batch_operations is not supported", wantPath: "source_bucket"},
		{name: "unknown batch_operations", change: func(m *mediaRestoreModel) { m.BatchOperations = types.ObjectUnknown(batchAttrTypes) }},
		{name: "unknown role", change: func(m *mediaRestoreModel) {
			m.BatchOperations = batchObject(map[string]attr.Value{"role_arn": types.StringUnknown(), "manifest_bucket": types.StringValue("ops")})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			if tc.change != nil {
				tc.change(&m)
			}
			spec, known, diags := toRestoreSpec(m, now)
			if known != tc.wantKnown {
				t.Errorf("known %t, want %t", known, tc.wantKnown)
			}
			checkDiagnostics(t, diags, tc.wantError)
			if tc.wantPath != "" && len(diags) == 1 {
				d, ok := diags[0].(diag.DiagnosticWithPath)
				if !ok || d.Path().String() != tc.wantPath {
					t.Errorf("diagnostic %v, want one at %s", diags[0], tc.wantPath)
				}
			}
			if tc.wantKnown && spec.Options.Method != recovery.MethodBatchOperations {
				t.Errorf("method %s", spec.Options.Method)
			}
		})
	}
}

// What a refresh records of the job: status, progress, failures, the report's place, and restored_count.
func TestSetJob(t *testing.T) {
	var m mediaRestoreModel
	m.setJob(s3api.BatchJob{ID: "j-1", Status: "Complete", Total: 5, Succeeded: 4, Failed: 1,
		Failures: []string{"X: y"}, ReportBucket: "ops", ReportPrefix: "restores"})
	if m.JobID.ValueString() != "j-1" || m.JobStatus.ValueString() != "Complete" || m.RestoredCount.ValueInt64() != 4 ||
		m.JobReport.ValueString() != "s3://ops/restores/job-j-1/" || len(m.JobFailures.Elements()) != 1 {
		t.Errorf("%+v", m)
	}
	want := types.ObjectValueMust(jobProgressAttrTypes, map[string]attr.Value{
		"total": types.Int64Value(5), "succeeded": types.Int64Value(4), "failed": types.Int64Value(1)})
	if !m.JobProgress.Equal(want) {
		t.Errorf("progress %v", m.JobProgress)
	}
	var none mediaRestoreModel
	none.setNoJob(false)
	if !none.JobID.IsNull() || !none.JobProgress.IsNull() || !none.JobFailures.IsNull() {
		t.Errorf("no batch: %+v", none)
	}
	none.setNoJob(true)
	if none.JobID.ValueString() != "" || none.JobID.IsNull() || none.Manifest.IsNull() {
		t.Errorf("nothing to restore: %+v", none)
	}
}
