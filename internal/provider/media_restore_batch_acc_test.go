package provider

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/batchops"
)

const batchRole = "arn:aws:iam::000000000000:role/media-restore"

// batchRestoreConfig restores the pair's media bucket with a Batch Operations job whose manifest and report go
// to the pair's static bucket.
func batchRestoreConfig(pair pairConfig, prefix string) restoreConfig {
	return restoreConfig{Pair: pair, Prefix: prefix, Method: "batch_operations", Extra: fmt.Sprintf(`  batch_operations = {
    role_arn        = %q
    manifest_bucket = protectedmedia_bucket_pair.test.static_bucket
    manifest_prefix = "restores/"
  }
`, batchRole)}
}

// waitForJob waits until the newest of the jobs that copy into bucket, of which there must be want, has ended,
// and returns it.
func waitForJob(t *testing.T, bucket string, want int) batchops.Job {
	t.Helper()
	ids := batchLayer.JobIDs(bucket)
	if len(ids) != want {
		t.Fatalf("jobs copying into %s: %v, want %d", bucket, ids, want)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	j, err := batchLayer.Wait(ctx, ids[len(ids)-1])
	must(t, err)
	return j
}

// progress is job_progress as a state check.
func progress(total, succeeded, failed int64) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"total": knownvalue.Int64Exact(total), "succeeded": knownvalue.Int64Exact(succeeded), "failed": knownvalue.Int64Exact(failed),
	})
}

// Keys deleted and overwritten after as_of come back through a Batch Operations job: the plan counts the
// manifest's rows, the apply writes the manifest (keys URL-encoded) and creates one job without copying
// anything itself, and a later apply reads the job Complete with every task succeeded, the bytes back.
func TestAccMediaRestore_batchOperations(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	cfg := batchRestoreConfig(pair, "uploads/")
	var asOf string
	original := map[string]string{}
	keys := []string{"uploads/a.jpg", "uploads/with space+plus.jpg", "uploads/b,comma.pdf", "uploads/c.png", "uploads/d.txt", "uploads/é.gif"}
	var jobID string
	vars := asOfVars(&asOf)

	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				for _, k := range keys {
					original[k] = "original " + k
					m.put(k, original[k])
				}
				m.put("uploads/untouched.jpg", "untouched")
				asOf = markAsOf()
				for i, k := range keys {
					if i%2 == 0 {
						m.delete(k)
					} else {
						m.put(k, "overwritten, longer "+k)
					}
				}
				m.put("uploads/new.jpg", "created after as_of")
				resetCounts()
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(6)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("method"), knownvalue.StringExact("batch_operations")),
					plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("job_id")),
					plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("job_status")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_id"), knownvalue.StringFunc(func(v string) error {
					jobID = v
					if v == "" {
						return fmt.Errorf("no job")
					}
					return nil
				})),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("created_after_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_status"), knownvalue.StringFunc(func(v string) error {
					if recovery.JobEnded(v) {
						return fmt.Errorf("the apply waited for the job: %s", v)
					}
					return nil
				})),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("manifest"), knownvalue.StringFunc(func(v string) error {
					if want := "s3://" + pair.Static + "/" + recovery.ManifestKey("restores/", pair.Media+"/uploads/@"+asOf); v != want {
						return fmt.Errorf("%q, want %q", v, want)
					}
					return nil
				})),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_report"), knownvalue.StringFunc(func(v string) error {
					if want := "s3://" + pair.Static + "/restores/job-" + jobID + "/"; v != want {
						return fmt.Errorf("%q, want %q", v, want)
					}
					return nil
				})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				// The provider copied nothing itself: one PutObject, the manifest, and no CopyObject.
				checkCalls(map[string]int{"PutObject": 1}),
				func(*terraform.State) error {
					if n := accEnv.Proxy.Count("CreateJob"); n != 1 {
						return fmt.Errorf("%d CreateJob requests, want 1", n)
					}
					return checkManifest(pair.Static, pair.Media, keys)
				},
			),
		},
		{
			// The job has run: a refresh reads it Complete, every task succeeded, and the plan stays empty.
			PreConfig: func() {
				if j := waitForJob(t, pair.Media, 1); j.ID != jobID || j.Status != recovery.JobComplete {
					t.Fatalf("job %s %s, want %s Complete", j.ID, j.Status, jobID)
				}
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_status"), knownvalue.StringExact("Complete")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_progress"), progress(6, 6, 0)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(6)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_failures"), knownvalue.ListSizeExact(0)),
			},
			Check: func(s *terraform.State) error { // original is filled in by the previous step's PreConfig
				want := map[string]string{"uploads/untouched.jpg": "untouched", "uploads/new.jpg": "created after as_of"}
				for _, k := range keys {
					want[k] = original[k]
				}
				return checkObjects(m, want)(s)
			},
		},
		{
			// Nothing is left to restore: a new plan of the same restore (a copy, to list afresh) finds nothing. The
			// ended job is not asked about again.
			PreConfig:       resetCounts,
			Config:          restoreConfig{Pair: pair, Prefix: "uploads/"}.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(0)),
				},
			},
			Check: func(*terraform.State) error {
				if n := accEnv.Proxy.Count("DescribeJob"); n != 0 {
					return fmt.Errorf("%d DescribeJob requests for an ended job, want none", n)
				}
				return nil
			},
		},
	})
}

// readAll is the whole body, or the error reading it.
func readAll(r io.Reader) string {
	b, err := io.ReadAll(r)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// checkManifest fails unless the manifest in bucket under restores/ lists exactly keys, each a row of the media
// bucket, its URL-encoded key and a version ID.
func checkManifest(bucket, media string, keys []string) error {
	out, err := accEnv.Direct.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("restores/")})
	if err != nil {
		return err
	}
	if len(out.Contents) != 1 {
		return fmt.Errorf("%d objects under restores/, want the manifest alone", len(out.Contents))
	}
	got, err := accEnv.Direct.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: out.Contents[0].Key})
	if err != nil {
		return err
	}
	defer got.Body.Close()
	manifest := readAll(got.Body)
	rows := strings.Split(strings.TrimSuffix(manifest, "\n"), "\n")
	if len(rows) != len(keys) {
		return fmt.Errorf("manifest %q has %d rows, want %d", manifest, len(rows), len(keys))
	}
	listed := map[string]bool{}
	for _, row := range rows {
		cols := strings.Split(row, ",")
		key, ok := recovery.DecodeManifestKey(cols[1])
		if len(cols) != 3 || cols[0] != media || !ok || cols[2] == "" {
			return fmt.Errorf("manifest row %q", row)
		}
		listed[key] = true
	}
	for _, k := range keys {
		if !listed[k] {
			return fmt.Errorf("manifest %q does not list %q", manifest, k)
		}
	}
	return nil
}

// A version the manifest lists that is permanently deleted before the job copies it is a failed task: the job
// still completes, a refresh reports the failure and where the report is, and the report names the key.
func TestAccMediaRestore_batchOperationsFailedTask(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	cfg := batchRestoreConfig(pair, "docs/")
	var asOf, goneVersion string
	vars := asOfVars(&asOf)
	t.Cleanup(func() { batchLayer.SetBeforeTasks(nil) })

	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				m.put("docs/kept.pdf", "kept")
				goneVersion = m.put("docs/vanishing.pdf", "vanishing")
				asOf = markAsOf()
				m.delete("docs/kept.pdf")
				m.delete("docs/vanishing.pdf")
				// Once the job is running, the version it is to copy is permanently deleted.
				batchLayer.SetBeforeTasks(func(j batchops.Job) {
					if j.Target != pair.Media {
						return
					}
					_, err := accEnv.Direct.DeleteObject(t.Context(), &s3.DeleteObjectInput{
						Bucket: aws.String(pair.Media), Key: aws.String("docs/vanishing.pdf"), VersionId: aws.String(goneVersion)})
					if err != nil {
						t.Errorf("deleting the version: %v", err)
					}
				})
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(2))},
			},
		},
		{
			PreConfig: func() {
				if j := waitForJob(t, pair.Media, 1); j.Status != recovery.JobComplete || j.Failed != 1 {
					t.Fatalf("job %s, %d failed", j.Status, j.Failed)
				}
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_status"), knownvalue.StringExact("Complete")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_progress"), progress(2, 1, 1)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(1)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjects(m, map[string]string{"docs/kept.pdf": "kept", "docs/vanishing.pdf": "<NoSuchKey>"}),
				func(s *terraform.State) error {
					report := s.RootModule().Resources[restoreAddr].Primary.Attributes["job_report"]
					prefix := strings.TrimPrefix(report, "s3://"+pair.Static+"/")
					out, err := accEnv.Direct.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(pair.Static), Prefix: aws.String(prefix + "results/")})
					if err != nil || len(out.Contents) != 1 {
						return fmt.Errorf("report under %s: %v, %v", report, out, err)
					}
					got, err := accEnv.Direct.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(pair.Static), Key: out.Contents[0].Key})
					if err != nil {
						return err
					}
					defer got.Body.Close()
					if body := readAll(got.Body); !strings.Contains(body, pair.Media+",docs/vanishing.pdf,"+goneVersion+",failed,") || strings.Contains(body, "kept") {
						return fmt.Errorf("report %q", body)
					}
					return nil
				},
			),
		},
	})
}

// A job that failed without restoring anything (its role could not read the manifest) is reported by the
// refresh; the rerun the warning advises (-replace) writes the same manifest, and S3 answering the same token
// with that old, ended job does not stop it: the apply creates a job of its own, which restores.
func TestAccMediaRestore_batchOperationsRerun(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	cfg := batchRestoreConfig(pair, "media/")
	var asOf, firstJob string
	vars := asOfVars(&asOf)
	t.Cleanup(func() { batchLayer.FailPreparing(nil) })
	noRead := &batchops.Failure{Code: "AccessDenied", Reason: "Reading the manifest is forbidden: the role may not s3:GetObject it"}

	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				m.put("media/a.jpg", "a")
				m.put("media/b.jpg", "b")
				asOf = markAsOf()
				m.delete("media/a.jpg")
				m.delete("media/b.jpg")
				batchLayer.FailPreparing(noRead)
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_id"), knownvalue.StringFunc(func(v string) error {
					firstJob = v
					return nil
				})),
			},
		},
		{
			PreConfig: func() {
				if j := waitForJob(t, pair.Media, 1); j.Status != recovery.JobFailed {
					t.Fatalf("job %s, want Failed", j.Status)
				}
				batchLayer.FailPreparing(nil)
			},
			Config:           cfg.String(),
			ConfigVariables:  vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_status"), knownvalue.StringExact("Failed")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_failures"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(noRead.Code + ": " + noRead.Reason)})),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(0)),
			},
			Check: checkObjects(m, map[string]string{"media/a.jpg": "<NoSuchKey>", "media/b.jpg": "<NoSuchKey>"}),
		},
		{
			PreConfig:       resetCounts,
			Taint:           []string{restoreAddr},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_id"), knownvalue.StringFunc(func(v string) error {
					if v == "" || v == firstJob {
						return fmt.Errorf("job %q, want a new one (the failed one was %s)", v, firstJob)
					}
					return nil
				})),
			},
			Check: func(*terraform.State) error {
				// The first CreateJob got the failed job back (same manifest, same token), the second a new one.
				if n := accEnv.Proxy.Count("CreateJob"); n != 2 {
					return fmt.Errorf("%d CreateJob requests, want 2", n)
				}
				return nil
			},
		},
		{
			PreConfig: func() {
				if j := waitForJob(t, pair.Media, 2); j.Status != recovery.JobComplete {
					t.Fatalf("second job %s, want Complete", j.Status)
				}
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_status"), knownvalue.StringExact("Complete")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_progress"), progress(2, 2, 0)),
			},
			Check: checkObjects(m, map[string]string{"media/a.jpg": "a", "media/b.jpg": "b"}),
		},
	})
}
