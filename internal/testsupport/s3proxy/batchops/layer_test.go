package batchops

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

const account = "123456789012"

// fakeStore holds objects in memory; a copy of a version it does not hold fails as S3 would.
type fakeStore struct {
	mu       sync.Mutex
	objects  map[string][]byte // bucket/key
	etags    map[string]string
	versions map[string]bool // bucket/key?versionId
	copies   []string
}

func newFakeStore() *fakeStore {
	return &fakeStore{objects: map[string][]byte{}, etags: map[string]string{}, versions: map[string]bool{}}
}

func (f *fakeStore) ETag(_ context.Context, bucket, key string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.etags[bucket+"/"+key]
	if !ok {
		return "", errors.New("404 NotFound")
	}
	return e, nil
}

func (f *fakeStore) Get(_ context.Context, bucket, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objects[bucket+"/"+key], nil
}

func (f *fakeStore) Put(_ context.Context, bucket, key string, body []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[bucket+"/"+key] = body
	f.etags[bucket+"/"+key] = `"etag-` + key + `"`
	return nil
}

func (f *fakeStore) Copy(_ context.Context, target, from, key, versionID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.versions[from+"/"+key+"?"+versionID] {
		return &TaskError{Code: "NoSuchVersion", Status: http.StatusNotFound, Message: "The specified version does not exist."}
	}
	f.copies = append(f.copies, target+"<-"+from+"/"+key+"?"+versionID)
	return nil
}

// bench starts a proxy with the layer in front of an upstream that must never be reached, and an S3 Control
// client of the SDK that reaches the proxy whatever host it puts the account in front of.
func bench(t *testing.T, store Store) (*Layer, *s3control.Client) {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a job request reached the server: %s %s", r.Method, r.URL)
		w.WriteHeader(http.StatusNotImplemented)
	}))
	t.Cleanup(upstream.Close)
	target, _ := url.Parse(upstream.URL)
	layer := New(Options{Account: account})
	layer.SetStore(store)
	front := httptest.NewServer(s3proxy.New(target, nil, s3proxy.WithSemantics(layer.Semantics())))
	t.Cleanup(front.Close)
	addr := strings.TrimPrefix(front.URL, "http://")
	client := s3control.New(s3control.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(front.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}},
		RetryMaxAttempts: 1,
	})
	return layer, client
}

func jobInput(token, manifestETag string) *s3control.CreateJobInput {
	return &s3control.CreateJobInput{
		AccountId: aws.String(account), ClientRequestToken: aws.String(token), ConfirmationRequired: aws.Bool(false),
		Priority: aws.Int32(10), RoleArn: aws.String("arn:aws:iam::" + account + ":role/batch-restore"),
		Operation: &types.JobOperation{S3PutObjectCopy: &types.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::media")}},
		Manifest: &types.JobManifest{
			Spec: &types.JobManifestSpec{Format: types.JobManifestFormatS3BatchOperationsCsv20180820,
				Fields: []types.JobManifestFieldName{"Bucket", "Key", "VersionId"}},
			Location: &types.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::ops/m.csv"), ETag: aws.String(manifestETag)},
		},
		Report: &types.JobReport{Enabled: true, Bucket: aws.String("arn:aws:s3:::ops"), Prefix: aws.String("reports"),
			Format: types.JobReportFormatReportCsv20180820, ReportScope: types.JobReportScopeFailedTasksOnly},
	}
}

func code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// A job copies each listed version onto its key (a URL-encoded key included), counts a version that is gone
// as a failed task, reports it, and ends Complete; the same token answers the same job.
func TestJobRuns(t *testing.T) {
	store := newFakeStore()
	store.versions["media/a b.jpg?v1"] = true
	store.versions["media/c.jpg?v3"] = true
	_ = store.Put(t.Context(), "ops", "m.csv", []byte("media,a%20b.jpg,v1\nmedia,c.jpg,v3\nmedia,gone.jpg,v9\n"))
	layer, client := bench(t, store)

	out, err := client.CreateJob(t.Context(), jobInput("token-1", `"etag-m.csv"`))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.JobId)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := layer.Wait(ctx, id); err != nil {
		t.Fatal(err)
	}
	d, err := client.DescribeJob(t.Context(), &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	p := d.Job.ProgressSummary
	if d.Job.Status != types.JobStatusComplete || aws.ToInt64(p.TotalNumberOfTasks) != 3 || aws.ToInt64(p.NumberOfTasksSucceeded) != 2 || aws.ToInt64(p.NumberOfTasksFailed) != 1 {
		t.Fatalf("job %s: %d total, %d succeeded, %d failed", d.Job.Status, aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed))
	}
	if got := strings.Join(store.copies, " "); got != "media<-media/a b.jpg?v1 media<-media/c.jpg?v3" {
		t.Errorf("copies %s", got)
	}
	if aws.ToString(d.Job.Report.Prefix) != "reports" || d.Job.CreationTime == nil {
		t.Errorf("report %+v, created %v", d.Job.Report, d.Job.CreationTime)
	}
	var report string
	for k, v := range store.objects {
		if strings.HasPrefix(k, "ops/reports/job-"+id+"/results/") {
			report = string(v)
		}
	}
	if !strings.Contains(report, "media,gone.jpg,v9,failed,NoSuchVersion,404,") || strings.Contains(report, "c.jpg") {
		t.Errorf("report %q, want the failed task only", report)
	}
	if _, ok := store.objects["ops/reports/job-"+id+"/manifest.json"]; !ok {
		t.Error("no report manifest.json")
	}

	again, err := client.CreateJob(t.Context(), jobInput("token-1", `"etag-m.csv"`))
	if err != nil || aws.ToString(again.JobId) != id {
		t.Fatalf("same token: job %v, %v, want %s", aws.ToString(again.JobId), err, id)
	}
	if _, err := client.CreateJob(t.Context(), jobInput("token-1", `"other"`)); code(err) != "IdempotencyException" {
		t.Errorf("token reused with other parameters: %v", err)
	}
	if ids := layer.JobIDs("media"); len(ids) != 1 {
		t.Errorf("jobs %v, want one", ids)
	}
}

// What CreateJob refuses, and a job whose manifest is not the one it names.
func TestJobRefusals(t *testing.T) {
	store := newFakeStore()
	_ = store.Put(t.Context(), "ops", "m.csv", []byte("media,a.jpg,v1\n"))
	layer, client := bench(t, store)

	noRole := jobInput("t2", `"etag-m.csv"`)
	noRole.RoleArn = aws.String("batch-restore")
	if _, err := client.CreateJob(t.Context(), noRole); code(err) != "BadRequestException" {
		t.Errorf("role that is no ARN: %v", err)
	}
	other := jobInput("t3", `"etag-m.csv"`)
	other.AccountId = aws.String("210987654321")
	if _, err := client.CreateJob(t.Context(), other); code(err) != "AccessDenied" {
		t.Errorf("another account: %v", err)
	}
	if _, err := client.DescribeJob(t.Context(), &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String("nope")}); code(err) != "NotFoundException" {
		t.Errorf("unknown job: %v", err)
	}
	if layer.Refused() != 3 {
		t.Errorf("refused %d, want 3", layer.Refused())
	}

	for name, etag := range map[string]string{"stale ETag": `"changed"`} {
		out, err := client.CreateJob(t.Context(), jobInput("t-"+name, etag))
		if err != nil {
			t.Fatal(err)
		}
		j, err := layer.Wait(t.Context(), aws.ToString(out.JobId))
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != "Failed" || len(j.Failures) != 1 || j.Failures[0].Code != "ManifestETagMismatch" || len(store.copies) != 0 {
			t.Errorf("%s: job %s %+v, copies %v", name, j.Status, j.Failures, store.copies)
		}
	}
	missing := jobInput("t-missing", `"x"`)
	missing.Manifest.Location.ObjectArn = aws.String("arn:aws:s3:::ops/none.csv")
	out, err := client.CreateJob(t.Context(), missing)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := layer.Wait(t.Context(), aws.ToString(out.JobId))
	d, err := client.DescribeJob(t.Context(), &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: out.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != "Failed" || d.Job.Status != types.JobStatusFailed || len(d.Job.FailureReasons) != 1 || aws.ToString(d.Job.FailureReasons[0].FailureCode) != "ManifestNotFound" {
		t.Errorf("missing manifest: %s %+v", d.Job.Status, d.Job.FailureReasons)
	}
}
