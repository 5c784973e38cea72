package s3api

// Restoring through S3 Batch Operations (recovery.MethodBatchOperations): the provider lists the bucket as
// for any restore, writes the versions to copy into a manifest object, and creates an S3 Batch Operations job
// (S3 Control CreateJob, operation S3PutObjectCopy) that copies each of them onto its own key inside AWS.
// DescribeJob then tells how far the job has got.
//
// Sources (Amazon S3 API Reference and User Guide): CreateJob needs AccountId (sent as x-amz-account-id),
// Operation, Report, ClientRequestToken (1 to 64 characters), Priority and RoleArn, and a Manifest whose
// Location names the object's ARN and ETag; a CSV manifest (S3BatchOperations_CSV_20180820) lists bucket, key
// (URL-encoded) and, with a VersionId field, the version. Requests go to
// https://{account-id}.s3-control.{region}.amazonaws.com. A job goes New → Preparing → Ready → Active →
// Complete (or Failed, Cancelled; Suspended while waiting for a confirmation), and is kept 90 days after it
// ends; DescribeJob of an unknown or expired job answers NotFoundException.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// S3 Control's answers about jobs, read only through hasCode.
const (
	codeJobNotFound = "NotFoundException"
	codeNoSuchJob   = "NoSuchJob" // the name the User Guide's troubleshooting page uses
)

// maxJobCreateAttempts bounds the new tokens tried when S3 answers a CreateJob with a job that had already
// ended before the apply began (see recovery.JobToken): one such job is the usual case, a second would mean
// S3 keeps answering with old jobs, which the apply reports rather than loop on.
const maxJobCreateAttempts = 3

// ErrJobNotFound says S3 knows no such job: never created in this account, or expired 90 days after it ended.
var ErrJobNotFound = errors.New("no such S3 Batch Operations job")

// newControlClient is the S3 Control client for Batch Operations jobs. An S3 Control endpoint configured the
// standard way (AWS_ENDPOINT_URL_S3_CONTROL, AWS_ENDPOINT_URL, a profile's endpoint_url) is used as it is;
// otherwise an S3-compatible server's endpoint (customEndpoint) serves S3 Control too, as the test proxy does;
// on AWS the SDK resolves https://{account-id}.s3-control.{region}.amazonaws.com itself.
func newControlClient(cfg aws.Config, customEndpoint string) (*s3control.Client, string) {
	client := s3control.NewFromConfig(cfg)
	if base := client.Options().BaseEndpoint; base != nil {
		return client, *base
	}
	return client, customEndpoint
}

// controlOptions pin a request to the configured endpoint, with no account ID put in front of its host name,
// which a local server or a VPC endpoint would not resolve.
func (c *Client) controlOptions(o *s3control.Options) {
	if c.controlEndpoint != "" {
		o.EndpointResolverV2 = fixedEndpoint{c.controlEndpoint}
		o.APIOptions = append(o.APIOptions, disableHostPrefix)
	}
}

// BatchRestoreOptions say where a batch restore writes its manifest and report, and which role the job runs as.
type BatchRestoreOptions struct {
	// RoleARN is the IAM role S3 Batch Operations assumes to copy.
	RoleARN string
	// ManifestBucket and ManifestKey are where the manifest is written.
	ManifestBucket, ManifestKey string
	// ReportBucket and ReportPrefix are where S3 writes the completion report of the failed tasks.
	ReportBucket, ReportPrefix string
	// Priority is the job's priority (higher runs first).
	Priority int32
	// Description is the job's description, shown in the console.
	Description string
}

// BatchJob is what S3 says of a job.
type BatchJob struct {
	ID, Status, StatusReason   string
	Total, Succeeded, Failed   int64
	Failures                   []string // FailureReasons, each "code: reason"
	Created                    time.Time
	ReportBucket, ReportPrefix string
}

// BatchRestoreReport is what a batch restore found, wrote and started.
type BatchRestoreReport struct {
	*RestoreReport
	// Rows is how many versions the manifest lists; Job is the job, zero when there was nothing to copy (no
	// manifest is written then, and no job created).
	Rows int
	Job  BatchJob
}

// StartBatchRestore lists the bucket as Restore does (o as for Restore; DryRun is implied, nothing is copied
// here), writes every version to copy into the manifest and creates the job that copies them. It does not
// wait for the job. A retried call for the same restore writes the same manifest and gets the job the first
// call created, not a second one (recovery.JobToken).
func StartBatchRestore(ctx context.Context, c *Client, bucket, prefix string, o RestoreOptions, b BatchRestoreOptions) (*BatchRestoreReport, error) {
	started := time.Now()
	account, err := accountFrom(FindCallerARN(c))
	if err != nil {
		return nil, fmt.Errorf("a Batch Operations job is created in the caller's account, which is unknown: %w", err)
	}
	f, err := os.CreateTemp("", "protectedmedia-manifest-*.csv")
	if err != nil {
		return nil, fmt.Errorf("creating the manifest's temporary file: %w", err)
	}
	defer func() { _ = f.Close(); _ = os.Remove(f.Name()) }()

	from := bucket
	if o.Source != "" {
		from = o.Source
	}
	rows := 0
	o.DryRun = true
	o.Concurrency = 1 // keys in listing order, so the same bucket writes the same manifest (and token)
	o.Pending = func(a recovery.Action) error {
		if a.Kind != recovery.CopyVersion {
			return fmt.Errorf("%s of %q cannot be done by a copy job", a.Kind, a.Key)
		}
		rows++
		_, err := io.WriteString(f, recovery.ManifestRow(from, a.Key, a.Source.VersionID))
		return err
	}
	report, err := Restore(ctx, c.S3, bucket, prefix, o)
	r := &BatchRestoreReport{RestoreReport: report, Rows: rows}
	if err != nil || rows == 0 {
		return r, err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return r, err
	}
	etag, err := putManifest(ctx, c, b.ManifestBucket, b.ManifestKey, f, size)
	if err != nil {
		return r, err
	}
	partition := partitionOf(c)
	in := &s3control.CreateJobInput{
		AccountId:            aws.String(account),
		ConfirmationRequired: aws.Bool(false),
		Description:          aws.String(b.Description),
		Priority:             aws.Int32(b.Priority),
		RoleArn:              aws.String(b.RoleARN),
		Operation: &controltypes.JobOperation{S3PutObjectCopy: &controltypes.S3CopyObjectOperation{
			TargetResource:    aws.String(bucketARN(partition, bucket)),
			MetadataDirective: controltypes.S3MetadataDirectiveCopy,
		}},
		Manifest: &controltypes.JobManifest{
			Spec: &controltypes.JobManifestSpec{
				Format: controltypes.JobManifestFormatS3BatchOperationsCsv20180820,
				Fields: []controltypes.JobManifestFieldName{controltypes.JobManifestFieldNameBucket, controltypes.JobManifestFieldNameKey, controltypes.JobManifestFieldNameVersionId},
			},
			Location: &controltypes.JobManifestLocation{ObjectArn: aws.String(bucketARN(partition, b.ManifestBucket) + "/" + b.ManifestKey), ETag: aws.String(etag)},
		},
		Report: &controltypes.JobReport{
			Enabled: true, Bucket: aws.String(bucketARN(partition, b.ReportBucket)), Prefix: aws.String(strings.TrimSuffix(b.ReportPrefix, "/")),
			Format: controltypes.JobReportFormatReportCsv20180820, ReportScope: controltypes.JobReportScopeFailedTasksOnly,
		},
	}
	parts := []string{account, bucket, b.ManifestBucket, b.ManifestKey, etag, b.RoleARN, b.ReportBucket, b.ReportPrefix, fmt.Sprint(b.Priority)}
	after := ""
	for attempt := 1; ; attempt++ {
		in.ClientRequestToken = aws.String(recovery.JobToken(after, parts...))
		out, err := c.control.CreateJob(ctx, in, c.controlOptions)
		if err != nil {
			return r, fmt.Errorf("S3 Control CreateJob in account %s: %w", account, err)
		}
		job, err := FindBatchJob(ctx, c, aws.ToString(out.JobId))
		if err != nil {
			return r, fmt.Errorf("reading the job just created: %w", err)
		}
		r.Job = job
		// S3 answered with a job that had ended before this call began: an earlier run of the same manifest
		// that restored nothing (it failed, or was cancelled). This run gets a job of its own.
		if !recovery.JobEnded(job.Status) || !job.Created.Before(started.Add(-time.Second)) {
			return r, nil
		}
		if attempt == maxJobCreateAttempts {
			return r, fmt.Errorf("S3 answered %d CreateJob requests with jobs that had already ended (the last %s, %s)", attempt, job.ID, job.Status)
		}
		after = job.ID
	}
}

// putManifest writes the manifest, size bytes of f, and returns its ETag, which CreateJob must name. A manifest
// of more than uploadLimits.PutLimit bytes (tens of millions of rows can take more than the 5 GiB one PutObject
// holds) is written in parts.
func putManifest(ctx context.Context, c *Client, bucket, key string, f *os.File, size int64) (string, error) {
	etag, err := putFile(ctx, c, bucket, key, f, size)
	if err != nil {
		return "", fmt.Errorf("writing the manifest s3://%s/%s (%d bytes): %w", bucket, key, size, bucketGone(bucket, err))
	}
	return etag, nil
}

// FindBatchJob returns what S3 says of a job of the caller's account; an unknown or expired job is
// ErrJobNotFound.
func FindBatchJob(ctx context.Context, c *Client, id string) (BatchJob, error) {
	account, err := accountFrom(FindCallerARN(c))
	if err != nil {
		return BatchJob{}, err
	}
	out, err := c.control.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)}, c.controlOptions)
	switch {
	case hasCode(err, codeJobNotFound, codeNoSuchJob):
		return BatchJob{}, fmt.Errorf("job %s in account %s: %w", id, account, ErrJobNotFound)
	case err != nil:
		return BatchJob{}, fmt.Errorf("S3 Control DescribeJob %s in account %s: %w", id, account, err)
	case out.Job == nil:
		return BatchJob{}, fmt.Errorf("S3 Control DescribeJob %s answered no job", id)
	}
	return fromJobDescriptor(out.Job), nil
}

// fromJobDescriptor converts DescribeJob's answer.
func fromJobDescriptor(d *controltypes.JobDescriptor) BatchJob {
	j := BatchJob{
		ID: aws.ToString(d.JobId), Status: string(d.Status), StatusReason: aws.ToString(d.StatusUpdateReason),
		Created: aws.ToTime(d.CreationTime),
	}
	if p := d.ProgressSummary; p != nil {
		j.Total, j.Succeeded, j.Failed = aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed)
	}
	for _, f := range d.FailureReasons {
		j.Failures = append(j.Failures, aws.ToString(f.FailureCode)+": "+aws.ToString(f.FailureReason))
	}
	if rep := d.Report; rep != nil {
		j.ReportBucket = bucketOfARN(aws.ToString(rep.Bucket))
		j.ReportPrefix = aws.ToString(rep.Prefix)
	}
	return j
}

// ReportLocation is where S3 writes a job's completion report: s3://bucket/prefix/job-<id>/.
func (j BatchJob) ReportLocation() string {
	if j.ReportBucket == "" {
		return ""
	}
	prefix := j.ReportPrefix
	if prefix != "" {
		prefix += "/"
	}
	return "s3://" + j.ReportBucket + "/" + prefix + "job-" + j.ID + "/"
}

// partitionOf is the AWS partition of the caller (aws, aws-cn, aws-us-gov), which ARNs of buckets name.
func partitionOf(c *Client) string {
	arn, err := FindCallerARN(c)
	if parts := strings.SplitN(arn, ":", 3); err == nil && len(parts) == 3 && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}

func bucketARN(partition, bucket string) string { return "arn:" + partition + ":s3:::" + bucket }

// bucketOfARN is the bucket an S3 bucket ARN names.
func bucketOfARN(arn string) string {
	if i := strings.LastIndex(arn, ":::"); i >= 0 {
		return arn[i+3:]
	}
	return arn
}
