// Package batchops is test infrastructure: an s3proxy semantics layer that adds Amazon S3 Batch Operations
// (S3 Control CreateJob and DescribeJob) to a local S3 server, which has no S3 Control at all. With the
// layer in front, a job the provider creates runs as on AWS, against the real server: its manifest is read,
// each listed object version is copied onto its key in the target bucket (operation S3PutObjectCopy), the
// job moves through AWS's statuses, and a completion report of the failed tasks is written.
//
// Sources (Amazon S3 API Reference: CreateJob, DescribeJob, JobManifestSpec, JobReport; User Guide:
// "Creating an S3 Batch Operations job", "Tracking job status and completion reports", "Troubleshooting
// Batch Operations"):
//   - Requests: POST /v20180820/jobs with the account in x-amz-account-id and a CreateJobRequest document;
//     GET /v20180820/jobs/{id}. Errors come as <ErrorResponse><Error><Code>: CreateJob's are
//     BadRequestException, IdempotencyException, TooManyRequestsException, InternalServiceException;
//     DescribeJob's add NotFoundException (also for a job expired 90 days after it ended).
//   - CreateJob requires ClientRequestToken (1-64 characters), Operation, Report, Priority (0 or more) and
//     RoleArn, and a Manifest naming its object's ARN and ETag; the same token sent again answers the job it
//     created.
//   - A CSV manifest (S3BatchOperations_CSV_20180820) has one object a line: the columns its Fields name
//     (Bucket, Key, VersionId), with the key URL-encoded; no header line.
//   - Statuses: New, then Preparing while S3 reads the manifest, Ready, Active while tasks run, Completing,
//     Complete; a manifest that cannot be read fails the job (Failed, with FailureReasons); a task that fails
//     (a version that no longer exists) is counted in NumberOfTasksFailed and listed in the report, and the job
//     still completes.
//   - The completion report goes to <report prefix>/job-<id>/: results/<file>.csv with one line a task
//     (bucket, key, version ID, task status, error code, HTTP status, message) and manifest.json naming the
//     result files.
//
// Chosen where AWS documents nothing exact: the manifest (its existence and ETag) is checked once the job is
// Preparing, not by CreateJob itself, and failure codes and messages are the layer's own words; a reused token
// with different parameters answers 409 IdempotencyException. Not reproduced: IAM (the role is checked for
// its shape only; the copies run with the server's admin keys), confirmation (jobs that require it are
// refused), priorities and concurrency (one job's tasks run one after another), the rule that fails a job
// once more than half of at least 1,000 tasks failed, other operations (501), ListJobs, UpdateJobStatus and
// tags.
package batchops

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// Store is what the layer needs of the S3 server behind the proxy to run jobs. S3Store implements it with an
// SDK client; tests of the layer alone pass a fake.
type Store interface {
	// ETag is the object's ETag as S3 reports it (quotes included); an error for an object that does not exist.
	ETag(ctx context.Context, bucket, key string) (string, error)
	Get(ctx context.Context, bucket, key string) ([]byte, error)
	Put(ctx context.Context, bucket, key string, body []byte) error
	// Copy copies a version of key in from onto key in target; a failure is a *TaskError.
	Copy(ctx context.Context, target, from, key, versionID string) error
}

// TaskError is why one task failed, as the completion report lists it.
type TaskError struct {
	Code    string
	Status  int
	Message string
}

func (e *TaskError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Options configure a layer.
type Options struct {
	// Account is the account jobs belong to; a request for another answers 403 AccessDenied.
	Account string
	// Step is how long a job stays in each status before the next; 0 moves on at once.
	Step time.Duration
}

// Job is what the layer knows of one job.
type Job struct {
	ID, Status                      string
	Total, Succeeded, Failed        int64
	Failures                        []Failure
	Created, Ended                  time.Time
	ReportBucket, ReportPrefix      string
	Target, ManifestBucket, RoleARN string
	token                           string
	failing                         *Failure
	request                         createJobRequest
	done                            chan struct{}
}

// Failure is one of a job's FailureReasons.
type Failure struct{ Code, Reason string }

// Layer answers S3 Control's job requests itself and passes every other request on; safe for concurrent use.
type Layer struct {
	o Options

	mu          sync.Mutex
	store       Store
	beforeTasks func(Job)
	failing     *Failure // see FailPreparing
	jobs        map[string]*Job
	byToken     map[string]string
	refused     s3proxy.Refusals
}

// New returns a layer with no store: SetStore before the first job runs.
func New(o Options) *Layer {
	return &Layer{o: o, jobs: map[string]*Job{}, byToken: map[string]string{}}
}

// SetStore sets the server jobs run against (the server starts after the proxy's layers are made).
func (l *Layer) SetStore(s Store) {
	l.mu.Lock()
	l.store = s
	l.mu.Unlock()
}

// SetBeforeTasks has f called with each job once it is Active, before its first task: a test changes the
// bucket there (removes a version the manifest lists) to see what a job meets. nil removes it.
func (l *Layer) SetBeforeTasks(f func(Job)) {
	l.mu.Lock()
	l.beforeTasks = f
	l.mu.Unlock()
}

// FailPreparing makes every job created from now on fail while Preparing with f, as a job whose role may
// not read the manifest does on AWS; nil lets jobs run again.
func (l *Layer) FailPreparing(f *Failure) {
	l.mu.Lock()
	l.failing = f
	l.mu.Unlock()
}

// Semantics returns the layer as an s3proxy semantics hook.
func (l *Layer) Semantics() s3proxy.Semantics { return l.serve }

// Refused counts the requests the layer refused.
func (l *Layer) Refused() int { return l.refused.Count() }

// JobIDs are the IDs of the jobs created that copy into target ("" for every job), oldest first.
func (l *Layer) JobIDs(target string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var jobs []*Job
	for _, j := range l.jobs {
		if target == "" || j.Target == target {
			jobs = append(jobs, j)
		}
	}
	slices.SortFunc(jobs, func(a, b *Job) int { return a.Created.Compare(b.Created) })
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	return ids
}

// Wait waits until job id has ended and returns it.
func (l *Layer) Wait(ctx context.Context, id string) (Job, error) {
	l.mu.Lock()
	j, ok := l.jobs[id]
	l.mu.Unlock()
	if !ok {
		return Job{}, fmt.Errorf("batchops: no job %s", id)
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		return Job{}, ctx.Err()
	}
	return l.snapshot(id), nil
}

func (l *Layer) snapshot(id string) Job {
	l.mu.Lock()
	defer l.mu.Unlock()
	j := *l.jobs[id]
	j.Failures = append([]Failure(nil), j.Failures...)
	return j
}

func (l *Layer) serve(w http.ResponseWriter, r *http.Request, op s3proxy.Operation, next http.Handler) {
	switch op.Name {
	case "CreateJob", "DescribeJob", "ListJobs":
	default:
		next.ServeHTTP(w, r)
		return
	}
	if account := r.Header.Get("X-Amz-Account-Id"); account != l.o.Account {
		l.refuse(w, http.StatusForbidden, "AccessDenied", "Access Denied: the job's account "+account+" is not the caller's")
		return
	}
	switch op.Name {
	case "CreateJob":
		l.create(w, r)
	case "DescribeJob":
		l.describe(w, strings.TrimPrefix(r.URL.Path, s3proxy.JobsPath+"/"))
	default:
		l.refuse(w, http.StatusNotImplemented, "NotImplemented", "s3proxy batchops: "+op.Name+" is not implemented")
	}
}

// createJobRequest is the CreateJob document, as far as the layer reads it.
type createJobRequest struct {
	XMLName              xml.Name `xml:"CreateJobRequest"`
	ClientRequestToken   string
	ConfirmationRequired *bool
	Description          string
	Priority             *int
	RoleArn              string
	Manifest             *struct {
		Spec struct {
			Format string
			Fields []string `xml:"Fields>member"`
		}
		Location struct {
			ObjectArn, ETag string
			ObjectVersionID string `xml:"ObjectVersionId"`
		}
	}
	Operation *struct {
		S3PutObjectCopy *struct {
			TargetResource, MetadataDirective, StorageClass string
		}
		Others []struct{ XMLName xml.Name } `xml:",any"`
	}
	Report *struct {
		Bucket, Format, Prefix, ReportScope string
		Enabled                             bool
	}
}

// roleARN is the shape of an IAM role's ARN.
var roleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)

// manifestFields are the columns the layer reads; a manifest must name Bucket and Key.
var manifestFields = []string{"Ignore", "Bucket", "Key", "VersionId"}

func (l *Layer) create(w http.ResponseWriter, r *http.Request) {
	body, rerr := s3proxy.ReadBody(r)
	if rerr != nil {
		l.refuse(w, rerr.Status, rerr.Code, rerr.Message)
		return
	}
	var req createJobRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		l.refuse(w, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed: "+err.Error())
		return
	}
	if msg := invalid(req); msg != "" {
		l.refuse(w, http.StatusBadRequest, "BadRequestException", msg)
		return
	}
	if req.Operation.S3PutObjectCopy == nil {
		l.refuse(w, http.StatusNotImplemented, "NotImplemented", "s3proxy batchops runs S3PutObjectCopy jobs only")
		return
	}
	if req.ConfirmationRequired != nil && *req.ConfirmationRequired {
		l.refuse(w, http.StatusNotImplemented, "NotImplemented", "s3proxy batchops runs jobs without confirmation only")
		return
	}
	l.mu.Lock()
	if id, ok := l.byToken[req.ClientRequestToken]; ok {
		same := reflect.DeepEqual(l.jobs[id].request, req)
		l.mu.Unlock()
		if !same {
			l.refuse(w, http.StatusConflict, "IdempotencyException", "The ClientRequestToken was used before with other parameters.")
			return
		}
		writeXML(w, http.StatusOK, createJobResult{JobID: id})
		return
	}
	j := &Job{
		ID: newJobID(), Status: "New", Created: time.Now().UTC(), token: req.ClientRequestToken, request: req,
		Target: bucketOf(req.Operation.S3PutObjectCopy.TargetResource), RoleARN: req.RoleArn,
		ManifestBucket: bucketOf(req.Manifest.Location.ObjectArn), done: make(chan struct{}), failing: l.failing,
	}
	if req.Report.Enabled {
		j.ReportBucket, j.ReportPrefix = bucketOf(req.Report.Bucket), req.Report.Prefix
	}
	l.jobs[j.ID] = j
	l.byToken[req.ClientRequestToken] = j.ID
	store := l.store
	l.mu.Unlock()
	go l.run(j, store)
	writeXML(w, http.StatusOK, createJobResult{JobID: j.ID})
}

// invalid says what CreateJob would refuse in req, "" for nothing.
func invalid(req createJobRequest) string {
	switch {
	case req.ClientRequestToken == "" || len(req.ClientRequestToken) > 64:
		return "ClientRequestToken must be 1 to 64 characters long"
	case !roleARN.MatchString(req.RoleArn):
		return fmt.Sprintf("RoleArn %q is not the ARN of an IAM role", req.RoleArn)
	case req.Priority == nil || *req.Priority < 0:
		return "Priority is required and must be 0 or more"
	case req.Operation == nil || (req.Operation.S3PutObjectCopy == nil && len(req.Operation.Others) == 0):
		return "Operation is required"
	case req.Operation.S3PutObjectCopy != nil && !strings.HasPrefix(req.Operation.S3PutObjectCopy.TargetResource, "arn:"):
		return "S3PutObjectCopy needs a TargetResource bucket ARN"
	case req.Manifest == nil || req.Manifest.Spec.Format != "S3BatchOperations_CSV_20180820":
		return "Manifest with Spec Format S3BatchOperations_CSV_20180820 is required (the only format the layer reads)"
	case !strings.Contains(req.Manifest.Location.ObjectArn, ":::") || req.Manifest.Location.ETag == "":
		return "Manifest Location needs the manifest's ObjectArn and ETag"
	case req.Report == nil:
		return "Report is required"
	case req.Report.Enabled && (req.Report.Bucket == "" || req.Report.Format != "Report_CSV_20180820"):
		return "an enabled Report needs a Bucket and Format Report_CSV_20180820"
	}
	for _, f := range req.Manifest.Spec.Fields {
		if !slices.Contains(manifestFields, f) {
			return "Manifest Spec Fields: unknown field " + f
		}
	}
	if f := req.Manifest.Spec.Fields; !slices.Contains(f, "Bucket") || !slices.Contains(f, "Key") {
		return "Manifest Spec Fields must name Bucket and Key"
	}
	return ""
}

func (l *Layer) describe(w http.ResponseWriter, id string) {
	l.mu.Lock()
	j, ok := l.jobs[id]
	var d jobDescriptor
	if ok {
		d = descriptor(l.o.Account, j)
	}
	l.mu.Unlock()
	if !ok {
		l.refuse(w, http.StatusNotFound, "NotFoundException", "The specified job does not exist: "+id)
		return
	}
	writeXML(w, http.StatusOK, describeJobResult{Job: d})
}

// set changes a job under the lock.
func (l *Layer) set(j *Job, f func(*Job)) {
	l.mu.Lock()
	f(j)
	l.mu.Unlock()
}

// run moves a job through its statuses and does its tasks.
func (l *Layer) run(j *Job, store Store) {
	ctx := context.Background()
	defer close(j.done)
	step := func(status string) {
		time.Sleep(l.o.Step)
		l.set(j, func(j *Job) { j.Status = status })
	}
	fail := func(code, reason string) {
		l.set(j, func(j *Job) {
			j.Status, j.Ended = "Failed", time.Now().UTC()
			j.Failures = append(j.Failures, Failure{Code: code, Reason: reason})
		})
	}
	step("Preparing")
	l.mu.Lock()
	failing := j.failing
	l.mu.Unlock()
	if failing != nil {
		fail(failing.Code, failing.Reason)
		return
	}
	if store == nil {
		fail("InternalError", "s3proxy batchops: no store set")
		return
	}
	rows, code, reason := readManifest(ctx, store, j.request)
	if code != "" {
		fail(code, reason)
		return
	}
	l.set(j, func(j *Job) { j.Total = int64(len(rows)) })
	step("Ready")
	step("Active")
	l.mu.Lock()
	hook := l.beforeTasks
	l.mu.Unlock()
	if hook != nil {
		hook(l.snapshot(j.ID))
	}
	var report bytes.Buffer
	for _, row := range rows {
		err := store.Copy(ctx, j.Target, row.bucket, row.key, row.versionID)
		l.set(j, func(j *Job) {
			if err != nil {
				j.Failed++
			} else {
				j.Succeeded++
			}
		})
		if te, ok := err.(*TaskError); ok {
			fmt.Fprintf(&report, "%s,%s,%s,failed,%s,%d,%s\n", row.bucket, row.rawKey, row.versionID, te.Code, te.Status, csvField(te.Message))
		} else if err != nil {
			fmt.Fprintf(&report, "%s,%s,%s,failed,InternalError,500,%s\n", row.bucket, row.rawKey, row.versionID, csvField(err.Error()))
		}
	}
	step("Completing")
	if j.ReportBucket != "" {
		if err := writeReport(ctx, store, j, report.Bytes()); err != nil {
			fail("ReportWriteFailed", "Writing the completion report failed: "+err.Error())
			return
		}
	}
	time.Sleep(l.o.Step)
	l.set(j, func(j *Job) { j.Status, j.Ended = "Complete", time.Now().UTC() })
}

// manifestRow is one task.
type manifestRow struct{ bucket, key, rawKey, versionID string }

// readManifest reads and parses a job's manifest; code and reason say why the job fails instead.
func readManifest(ctx context.Context, store Store, req createJobRequest) (rows []manifestRow, code, reason string) {
	loc := req.Manifest.Location
	bucket, key, _ := strings.Cut(loc.ObjectArn[strings.Index(loc.ObjectArn, ":::")+3:], "/")
	etag, err := store.ETag(ctx, bucket, key)
	if err != nil {
		return nil, "ManifestNotFound", fmt.Sprintf("Reading the manifest %s failed: %v", loc.ObjectArn, err)
	}
	if strings.Trim(etag, `"`) != strings.Trim(loc.ETag, `"`) {
		return nil, "ManifestETagMismatch", fmt.Sprintf("The manifest %s has ETag %s, not the %s the job names", loc.ObjectArn, etag, loc.ETag)
	}
	body, err := store.Get(ctx, bucket, key)
	if err != nil {
		return nil, "ManifestNotFound", fmt.Sprintf("Reading the manifest %s failed: %v", loc.ObjectArn, err)
	}
	fields := req.Manifest.Spec.Fields
	for n, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
		cols := strings.Split(strings.TrimSuffix(line, "\r"), ",")
		if len(cols) != len(fields) {
			return nil, "ManifestParseFailure", fmt.Sprintf("Line %d of the manifest has %d fields, not the %d its Fields name", n+1, len(cols), len(fields))
		}
		var row manifestRow
		for i, f := range fields {
			switch f {
			case "Bucket":
				row.bucket = cols[i]
			case "Key":
				row.rawKey = cols[i]
				k, ok := decodeKey(cols[i])
				if !ok {
					return nil, "ManifestParseFailure", fmt.Sprintf("Line %d of the manifest has a key that is not URL-encoded: %q", n+1, cols[i])
				}
				row.key = k
			case "VersionId":
				v, ok := decodeKey(cols[i])
				if !ok {
					return nil, "ManifestParseFailure", fmt.Sprintf("Line %d of the manifest has a broken version ID: %q", n+1, cols[i])
				}
				row.versionID = v
			}
		}
		rows = append(rows, row)
	}
	return rows, "", ""
}

// writeReport writes the completion report: the failed tasks, and the manifest.json naming the result file.
func writeReport(ctx context.Context, store Store, j *Job, failed []byte) error {
	base := j.ReportPrefix
	if base != "" {
		base += "/"
	}
	base += "job-" + j.ID + "/"
	result := base + "results/" + newJobID() + ".csv"
	if err := store.Put(ctx, j.ReportBucket, result, failed); err != nil {
		return err
	}
	manifest := fmt.Sprintf(`{"Format":"Report_CSV_20180820","ReportCreationDate":%q,"Results":[{"TaskExecutionStatus":"failed","Bucket":%q,"Key":%q}],"ReportSchema":"Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"}`,
		time.Now().UTC().Format(time.RFC3339), j.ReportBucket, result)
	return store.Put(ctx, j.ReportBucket, base+"manifest.json", []byte(manifest))
}

type createJobResult struct {
	XMLName xml.Name `xml:"CreateJobResult"`
	JobID   string   `xml:"JobId"`
}

type describeJobResult struct {
	XMLName xml.Name      `xml:"DescribeJobResult"`
	Job     jobDescriptor `xml:"Job"`
}

type jobDescriptor struct {
	JobID                string `xml:"JobId"`
	JobArn               string
	Status               string
	Description          string
	Priority             int
	RoleArn              string
	ConfirmationRequired bool
	CreationTime         string
	TerminationDate      string `xml:",omitempty"`
	ProgressSummary      struct {
		TotalNumberOfTasks, NumberOfTasksSucceeded, NumberOfTasksFailed int64
	}
	FailureReasons []struct{ FailureCode, FailureReason string } `xml:"FailureReasons>member"`
	Report         *struct {
		Bucket, Format, Prefix, ReportScope string
		Enabled                             bool
	}
}

func descriptor(account string, j *Job) jobDescriptor {
	d := jobDescriptor{
		JobID: j.ID, JobArn: "arn:aws:s3:us-east-1:" + account + ":job/" + j.ID, Status: j.Status,
		Description: j.request.Description, Priority: *j.request.Priority, RoleArn: j.RoleARN,
		CreationTime: j.Created.Format(time.RFC3339), Report: j.request.Report,
	}
	if !j.Ended.IsZero() {
		d.TerminationDate = j.Ended.Format(time.RFC3339)
	}
	d.ProgressSummary.TotalNumberOfTasks, d.ProgressSummary.NumberOfTasksSucceeded, d.ProgressSummary.NumberOfTasksFailed = j.Total, j.Succeeded, j.Failed
	for _, f := range j.Failures {
		d.FailureReasons = append(d.FailureReasons, struct{ FailureCode, FailureReason string }{f.Code, f.Reason})
	}
	return d
}

// errorResponse is S3 Control's error document: the Error element wrapped in ErrorResponse.
type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Error     struct{ Code, Message string }
	RequestID string `xml:"RequestId"`
}

func (l *Layer) refuse(w http.ResponseWriter, status int, code, message string) {
	l.refused.Add()
	var e errorResponse
	e.Error.Code, e.Error.Message, e.RequestID = code, message, newJobID()
	writeXML(w, status, e)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		panic("batchops: encoding an answer: " + err.Error())
	}
	body = append([]byte(xml.Header), body...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func newJobID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// bucketOf is the bucket of an S3 ARN (arn:aws:s3:::bucket or arn:aws:s3:::bucket/key).
func bucketOf(arn string) string {
	i := strings.Index(arn, ":::")
	if i < 0 {
		return ""
	}
	b, _, _ := strings.Cut(arn[i+3:], "/")
	return b
}

// decodeKey URL-decodes a manifest key, reading "+" as a space as AWS's examples encode it.
func decodeKey(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 2
		case '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// csvField keeps a message inside one CSV field.
func csvField(s string) string {
	return `"` + strings.NewReplacer(`"`, `""`, "\n", " ").Replace(s) + `"`
}
