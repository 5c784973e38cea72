package provider

// A restore through S3 Batch Operations (method = "batch_operations"): the argument, its rules, the apply that
// writes the manifest and creates the job, and the refresh that tracks the job.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var pathBatch = path.Root("batch_operations")

// defaultJobPriority is the job's priority when batch_operations leaves it out: S3 runs jobs of higher
// priority first; 10 leaves room on either side.
const defaultJobPriority = 10

var batchAttrTypes = map[string]attr.Type{
	"role_arn":        types.StringType,
	"manifest_bucket": types.StringType,
	"manifest_prefix": types.StringType,
	"report_bucket":   types.StringType,
	"report_prefix":   types.StringType,
	"priority":        types.Int64Type,
}

var jobProgressAttrTypes = map[string]attr.Type{
	"total":     types.Int64Type,
	"succeeded": types.Int64Type,
	"failed":    types.Int64Type,
}

func batchOperationsAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Where and as whom the S3 Batch Operations job of `method = \"batch_operations\"` runs; " +
			"required with that method, refused with any other. The apply lists the bucket as for `copy`, writes the " +
			"versions to copy into a manifest (a CSV of bucket, URL-encoded key and version ID, " +
			"`<manifest_prefix>protectedmedia-restore-<hash>.csv` in `manifest_bucket`), and creates a job (S3 Control " +
			"`CreateJob`, operation `S3PutObjectCopy`, in the account of the provider's credentials, without confirmation) " +
			"that copies each of them onto its own key, as the new current version, inside S3; the apply returns once " +
			"the job exists, and each later refresh reads how far it has got (`job_status`, `job_progress`). S3 Control " +
			"requests go to `AWS_ENDPOINT_URL_S3_CONTROL` when it is set, else, with an S3-compatible `endpoint`, to that " +
			"endpoint, else to AWS's `https://<account>.s3-control.<region>.amazonaws.com`. The copies are written in the " +
			"bucket's default storage class (`STANDARD`), whatever class the old version had, and a copy S3 gives a new " +
			"ETag (objects uploaded in parts, SSE-KMS) carries no restore tag, so a later restore of the same prefix counts " +
			"it as overwritten again (copying it again is harmless). A retried apply that writes the same manifest gets the " +
			"job the first one created, not a second (the job's `ClientRequestToken` is made from the manifest's ETag and " +
			"these arguments). Changing any of them plans a new restore.",
		PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
		Attributes: map[string]schema.Attribute{
			"role_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the IAM role S3 Batch Operations assumes to run the job, such as " +
					"`arn:aws:iam::111122223333:role/media-restore`. Its trust policy must allow `batchoperations.s3.amazonaws.com`; " +
					"its permissions `s3:GetObject`, `s3:GetObjectVersion`, `s3:GetObjectTagging`, `s3:GetObjectVersionTagging` " +
					"on the bucket's objects, `s3:PutObject` and `s3:PutObjectTagging` on them too, `s3:GetObject` and " +
					"`s3:GetObjectVersion` on the manifest, and `s3:PutObject` where the report goes. Terraform's principal needs " +
					"`s3:CreateJob`, `s3:DescribeJob` and `iam:PassRole` on the role.",
				Validators: []validator.String{batchRoleValidator},
			},
			"manifest_bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Bucket the manifest is written to, in the same region as `bucket`; a bucket of its own or " +
					"the pair's static bucket rather than the media bucket, so the manifest is not one more version in the " +
					"history being restored.",
				Validators: []validator.String{bucketNameValidator{}},
			},
			"manifest_prefix": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Prefix of the manifest's key, such as `restores/`. Defaults to `\"\"`.",
				Validators:          []validator.String{stringvalidator.LengthAtMost(maxPrefixLength)},
			},
			"report_bucket": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Bucket S3 writes the job's completion report to (the tasks that failed, with S3's error " +
					"for each). Defaults to `manifest_bucket`.",
				Validators: []validator.String{bucketNameValidator{}},
			},
			"report_prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Prefix of the report: S3 writes it under `<report_prefix>/job-<job_id>/`. Defaults to " +
					"`manifest_prefix` without its trailing `/`.",
				Validators: []validator.String{stringvalidator.LengthAtMost(maxPrefixLength)},
			},
			"priority": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The job's priority: S3 runs jobs of higher priority first. Defaults to "+
					"`%d`.", defaultJobPriority),
				Validators: []validator.Int64{int64validator.Between(0, 2147483647)},
			},
		},
	}
}

// The computed attributes a batch restore records; null for the other methods.
func batchComputedAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"manifest": schema.StringAttribute{Computed: true, MarkdownDescription: "With `batch_operations`: the manifest the " +
			"apply wrote, `s3://<manifest_bucket>/<key>`; `\"\"` when nothing needed restoring (no manifest, no job)."},
		"job_id": schema.StringAttribute{Computed: true, MarkdownDescription: "With `batch_operations`: the S3 Batch " +
			"Operations job's ID (`aws s3control describe-job --account-id <account> --job-id <job_id>`); `\"\"` when nothing " +
			"needed restoring."},
		"job_status": schema.StringAttribute{Computed: true, MarkdownDescription: "With `batch_operations`: the job's " +
			"status as S3 reported it at the last refresh: `New`, `Preparing`, `Ready`, `Active` while it copies, " +
			"`Complete` when every task ran (see `job_progress` for failed ones), `Failed` or `Cancelled` (see " +
			"`job_failures`), or `Suspended`, `Paused` and the `-ing` statuses on the way. Once it has ended it is not read " +
			"again (S3 forgets a job 90 days after it ended)."},
		"job_progress": schema.SingleNestedAttribute{
			Computed: true,
			MarkdownDescription: "With `batch_operations`: the job's tasks at the last refresh (one task a version in the " +
				"manifest; `total` is known once S3 has read the manifest).",
			Attributes: map[string]schema.Attribute{
				"total":     schema.Int64Attribute{Computed: true, MarkdownDescription: "Tasks in the job."},
				"succeeded": schema.Int64Attribute{Computed: true, MarkdownDescription: "Versions copied back."},
				"failed": schema.Int64Attribute{Computed: true, MarkdownDescription: "Tasks that failed: their keys and S3's " +
					"errors are in the completion report, `job_report`."},
			},
		},
		"job_failures": schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "With " +
			"`batch_operations`: why the job failed, as S3 says it (`FailureReasons`, each `<code>: <reason>`); empty while it " +
			"has not failed."},
		"job_report": schema.StringAttribute{Computed: true, MarkdownDescription: "With `batch_operations`: where S3 writes " +
			"the completion report of the failed tasks, `s3://<report_bucket>/<report_prefix>/job-<job_id>/`."},
	}
}

// batchRoleValidator checks batch_operations' role_arn.
var batchRoleValidator = stringCheck{"must be an IAM role ARN such as arn:aws:iam::111122223333:role/media-restore",
	"Invalid Batch Operations role ARN", bucketpolicy.ValidRoleARN}

// batchSpec is batch_operations in plain Go types, defaults applied.
type batchSpec struct {
	RoleARN, ManifestBucket, ManifestPrefix, ReportBucket, ReportPrefix string
	Priority                                                            int32
}

// batchOf converts batch_operations; known is false while any part is unknown. A null argument is nil.
func batchOf(o types.Object) (spec *batchSpec, known bool) {
	if o.IsNull() {
		return nil, true
	}
	if o.IsUnknown() {
		return nil, false
	}
	r := readObject(o)
	s := batchSpec{
		RoleARN: r.str("role_arn"), ManifestBucket: r.str("manifest_bucket"), ManifestPrefix: r.str("manifest_prefix"),
		ReportBucket: r.str("report_bucket"), ReportPrefix: r.str("report_prefix"), Priority: defaultJobPriority,
	}
	if p, ok := o.Attributes()["priority"].(types.Int64); ok && !p.IsNull() {
		s.Priority = int32(r.number("priority"))
	}
	if !r.known {
		return nil, false
	}
	if s.ReportBucket == "" {
		s.ReportBucket = s.ManifestBucket
	}
	if s.ReportPrefix == "" {
		s.ReportPrefix = strings.TrimSuffix(s.ManifestPrefix, "/")
	}
	return &s, true
}

// batchProblems checks method and batch_operations against each other and the other arguments, all known.
func batchProblems(m mediaRestoreModel, method recovery.Method) diag.Diagnostics {
	var diags diag.Diagnostics
	batch := !m.BatchOperations.IsNull()
	switch {
	case method == recovery.MethodBatchOperations && !batch:
		diags.AddAttributeError(path.Root("method"), "batch_operations arguments missing",
			"method = \"batch_operations\" creates an S3 Batch Operations job, which needs to know where to write its "+
				"manifest and which role runs it. Add batch_operations = { role_arn = \"arn:aws:iam::<account>:role/<name>\", "+
				"manifest_bucket = \"<bucket>\" }, or remove method to copy in the provider itself.")
	case method != recovery.MethodBatchOperations && batch:
		diags.AddAttributeError(pathBatch, "batch_operations without method = \"batch_operations\"",
			fmt.Sprintf("batch_operations configures the S3 Batch Operations job of method = \"batch_operations\", and "+
				"method is %q. Set method = \"batch_operations\", or remove batch_operations.", method))
	case !batch:
	case m.DeleteCreatedAfter.ValueBool():
		diags.AddAttributeError(path.Root("delete_created_after"), "delete_created_after cannot be done by a batch job",
			"A Batch Operations job copies versions; it cannot lay the delete markers that hide objects created after "+
				"as_of. Remove delete_created_after here, and once job_status is Complete, hide those objects with a second "+
				"protectedmedia_media_restore of the same bucket, prefix and as_of with method = \"copy\" and "+
				"delete_created_after = true: by then the job has restored the rest, so that restore only lays the markers.")
	case m.SourceBucket.ValueString() != "":
		diags.AddAttributeError(pathSourceBucket, "source_bucket with batch_operations is not supported",
			"A restore from another bucket's history copies from it with the provider's own requests. Remove "+
				"method (or set method = \"copy\") to restore from source_bucket, or remove source_bucket.")
	}
	return diags
}

// setNoJob records that a restore made no job: another method, or nothing to restore ("" values).
func (m *mediaRestoreModel) setNoJob(batch bool) {
	if !batch {
		m.Manifest, m.JobID, m.JobStatus, m.JobReport = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
		m.JobProgress = types.ObjectNull(jobProgressAttrTypes)
		m.JobFailures = types.ListNull(types.StringType)
		return
	}
	m.Manifest, m.JobID, m.JobStatus, m.JobReport = types.StringValue(""), types.StringValue(""), types.StringValue(""), types.StringValue("")
	m.setJob(s3api.BatchJob{})
}

// setJob records what S3 says of the job.
func (m *mediaRestoreModel) setJob(j s3api.BatchJob) {
	if j.ID != "" {
		m.JobID, m.JobStatus, m.JobReport = types.StringValue(j.ID), types.StringValue(j.Status), types.StringValue(j.ReportLocation())
	}
	m.JobProgress = types.ObjectValueMust(jobProgressAttrTypes, map[string]attr.Value{
		"total": types.Int64Value(j.Total), "succeeded": types.Int64Value(j.Succeeded), "failed": types.Int64Value(j.Failed),
	})
	m.JobFailures = keyList(j.Failures)
	m.RestoredCount = types.Int64Value(j.Succeeded)
}

// createBatch is Create for method = "batch_operations": the manifest and the job, not waited for.
func (r *mediaRestoreResource) createBatch(ctx context.Context, plan mediaRestoreModel, spec restoreSpec, resp *resource.CreateResponse) {
	b, _ := batchOf(plan.BatchOperations)
	manifestKey := recovery.ManifestKey(b.ManifestPrefix, restoreID(plan))
	report, err := s3api.StartBatchRestore(ctx, r.client, spec.Bucket, spec.Prefix, restoreOptions(spec, s3api.RestoreOptions{SampleSize: maxPendingKeys}),
		s3api.BatchRestoreOptions{
			RoleARN: b.RoleARN, ManifestBucket: b.ManifestBucket, ManifestKey: manifestKey,
			ReportBucket: b.ReportBucket, ReportPrefix: b.ReportPrefix, Priority: b.Priority,
			Description: "protectedmedia_media_restore " + restoreID(plan),
		})
	if err != nil {
		resp.Diagnostics.AddError("Batch restore not started", errorDetail(r.client, err, fmt.Sprintf(
			"Nothing in bucket %q was changed. Listing the bucket needs s3:ListBucketVersions, writing the manifest "+
				"s3:PutObject on s3://%s/%s, creating the job s3:CreateJob, s3:DescribeJob and iam:PassRole on %s. Fix the "+
				"cause and apply again: the same manifest gets the same job, never a second one.",
			spec.Bucket, b.ManifestBucket, manifestKey, b.RoleARN)))
		return
	}
	tflog.Info(ctx, "point-in-time restore: batch job created", map[string]any{
		"bucket": spec.Bucket, "manifest_rows": report.Rows, "job_id": report.Job.ID, "job_status": report.Job.Status,
	})
	if plan.PendingCount.IsUnknown() {
		plan.setTally(report.Tally)
	} else if int64(report.Tally.Pending) != plan.PendingCount.ValueInt64() {
		resp.Diagnostics.AddWarning("The bucket changed between plan and apply",
			fmt.Sprintf("The plan counted %d objects to restore; at apply time there were %d, and the job's manifest "+
				"lists all of them. pending_count and pending_keys keep what the plan showed; job_progress tracks the job.",
				plan.PendingCount.ValueInt64(), report.Tally.Pending))
	}
	plan.CreatedAfterCount = types.Int64Value(int64(report.Tally.CreatedAfter))
	plan.ID = types.StringValue(restoreID(plan))
	if report.Rows == 0 {
		plan.setNoJob(true)
	} else {
		plan.Manifest = types.StringValue("s3://" + b.ManifestBucket + "/" + manifestKey)
		plan.setJob(report.Job)
	}
	addBlockedWarning(&resp.Diagnostics, report.Tally, spec.Bucket, true)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// readJob refreshes a batch restore's job, until it has ended: an ended job changes no more, so later refreshes
// send nothing (and warn no more). A job S3 no longer knows (90 days after it ended) keeps what was last read.
// A job that ended with failures says where they are listed, once.
func (r *mediaRestoreResource) readJob(ctx context.Context, state *mediaRestoreModel, diags *diag.Diagnostics) {
	id := state.JobID.ValueString()
	if id == "" || r.client == nil || recovery.JobEnded(state.JobStatus.ValueString()) {
		return
	}
	job, err := s3api.FindBatchJob(ctx, r.client, id)
	switch {
	case errors.Is(err, s3api.ErrJobNotFound):
		tflog.Info(ctx, "batch restore job no longer known to S3; keeping its last status", map[string]any{"job_id": id})
		return
	case err != nil:
		diags.AddWarning("Cannot read the batch restore's job", errorDetail(r.client, err,
			fmt.Sprintf("job_status and job_progress keep what was last read of job %s. Reading it needs s3:DescribeJob.", id)))
		return
	}
	state.setJob(job)
	switch {
	case job.Status == recovery.JobFailed || job.Status == recovery.JobCancelled:
		diags.AddWarning("The batch restore's job did not complete",
			fmt.Sprintf("S3 Batch Operations job %s is %s (%s): %s. %d of %d objects were restored; the failed tasks, if any "+
				"ran, are listed in %s. Fix the cause and restore the rest with terraform apply -replace=<this resource>: the "+
				"new manifest lists only what is still not as it was at as_of.",
				id, job.Status, job.StatusReason, strings.Join(job.Failures, "; "), job.Succeeded, job.Total, job.ReportLocation()))
	case job.Status == recovery.JobComplete && job.Failed > 0:
		diags.AddWarning("Some objects were not restored",
			fmt.Sprintf("S3 Batch Operations job %s is Complete: %d of %d objects restored, %d failed. The failed keys, with "+
				"S3's error for each, are in the completion report under %s (a version permanently deleted since the plan "+
				"fails with NoSuchVersion; AccessDenied means the role's permissions). Restore what is left with terraform "+
				"apply -replace=<this resource>.", id, job.Succeeded, job.Total, job.Failed, job.ReportLocation()))
	}
}
