package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakeclock"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

const (
	restoreAddr = "protectedmedia_media_restore.test"
	changesAddr = "data.protectedmedia_media_changes.test"
)

// --- unit tests: no server (the conversions are in media_restore_model_test.go) ---

// Configure hands the resource the provider's clock and its way to ask who the caller is; the constructor
// sets neither.
func TestMediaRestoreConfigureTakesTheProviderClock(t *testing.T) {
	at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	r, ok := NewMediaRestoreResource().(*mediaRestoreResource)
	if !ok {
		t.Fatal("NewMediaRestoreResource does not return a *mediaRestoreResource")
	}
	if r.now != nil {
		t.Fatal("the constructor set a clock: only the provider's may be used")
	}
	if r.callerARN != nil {
		t.Fatal("the constructor set a caller: only the provider's may be used")
	}
	resp := &fwresource.ConfigureResponse{}
	caller := func() (string, error) { return "arn:aws:iam::123456789012:role/terraform", nil }
	r.Configure(t.Context(), fwresource.ConfigureRequest{ProviderData: &providerData{now: fakeclock.New(at).Now, callerARN: caller}}, resp)
	if resp.Diagnostics.HasError() || r.now == nil || !r.now().Equal(at) {
		t.Fatalf("diagnostics %v; clock set %t", resp.Diagnostics, r.now != nil)
	}
	if r.callerARN == nil {
		t.Fatal("Configure did not take the provider's caller")
	}
	if arn, err := r.callerARN(); err != nil || arn != "arn:aws:iam::123456789012:role/terraform" {
		t.Fatalf("caller %q, %v", arn, err)
	}
}

// --- acceptance tests ---

// restoreConfig is a bucket pair plus, unless NoRestore, a restore of its media bucket and, with Changes,
// the changes data source for the same window. as_of comes from var.as_of, which the tests set once
// their objects are written (see asOfVariable).
type restoreConfig struct {
	Pair               pairConfig
	Prefix             string
	Method             string
	DeleteCreatedAfter bool
	NoRestore          bool
	PlanTimestamp      bool // plan_timestamp = plantimestamp()
	Changes            bool
	MaxKeys            int
	// Extra are more lines for the restore.
	Extra string
}

func (c restoreConfig) String() string {
	var b strings.Builder
	b.WriteString(c.Pair.String())
	b.WriteString(`
variable "as_of" {
  type    = string
  default = null
}
`)
	if !c.NoRestore {
		fmt.Fprintf(&b, `
resource "protectedmedia_media_restore" "test" {
  bucket = protectedmedia_bucket_pair.test.media_bucket
  prefix = %q
  as_of  = var.as_of
`, c.Prefix)
		if c.Method != "" {
			fmt.Fprintf(&b, "  method = %q\n", c.Method)
		}
		if c.DeleteCreatedAfter {
			b.WriteString("  delete_created_after = true\n")
		}
		if c.PlanTimestamp {
			b.WriteString("  plan_timestamp = plantimestamp()\n")
		}
		b.WriteString(c.Extra)
		b.WriteString("}\n")
	}
	if c.Changes {
		fmt.Fprintf(&b, `
data "protectedmedia_media_changes" "test" {
  bucket = protectedmedia_bucket_pair.test.media_bucket
  prefix = %q
  since  = var.as_of
`, c.Prefix)
		if c.MaxKeys > 0 {
			fmt.Fprintf(&b, "  max_keys = %d\n", c.MaxKeys)
		}
		if !c.NoRestore {
			b.WriteString("  depends_on = [protectedmedia_media_restore.test]\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// asOfVariable is var.as_of, read when Terraform's variables file is written: after the step's PreConfig,
// which writes the objects and records the time.
type asOfVariable struct{ value *string }

func (v asOfVariable) MarshalJSON() ([]byte, error) { return json.Marshal(*v.value) }

func asOfVars(asOf *string) config.Variables { return config.Variables{"as_of": asOfVariable{asOf}} }

func newRestorePair(t *testing.T) pairConfig {
	cfg := newPair(t)
	cfg.ForceDestroy = true // the test's destroy removes every version it made
	return cfg
}

// media is the test's view of one media bucket, through the direct client (no proxy, not counted).
type media struct {
	t      *testing.T
	bucket string
}

func (m media) put(key, body string) string {
	m.t.Helper()
	out, err := accEnv.Direct.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(m.bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	must(m.t, err)
	return aws.ToString(out.VersionId)
}

func (m media) delete(key string) string {
	m.t.Helper()
	out, err := accEnv.Direct.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(m.bucket), Key: aws.String(key)})
	must(m.t, err)
	return aws.ToString(out.VersionId)
}

// get returns the current content of key, or "<code>" when S3 answers with an error.
func (m media) get(key string) string {
	out, err := accEnv.Direct.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(m.bucket), Key: aws.String(key)})
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return "<" + apiErr.ErrorCode() + ">"
		}
		return "<" + err.Error() + ">"
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// versions returns every entry of the bucket by version ID.
func (m media) versions() map[string]recovery.Version {
	m.t.Helper()
	all := map[string]recovery.Version{}
	must(m.t, s3api.ListVersions(context.Background(), accEnv.Direct, m.bucket, "", func(page []recovery.Version) error {
		for _, v := range page {
			all[v.VersionID] = v
		}
		return nil
	}))
	return all
}

// markAsOf waits until a whole second after every write so far has passed and returns that second as
// RFC 3339: S3 stamps versions to the second, so every write before the call is at or before it, and
// every write after the call is after it.
func markAsOf() string {
	asOf := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(asOf.Add(time.Second + 50*time.Millisecond)))
	return asOf.UTC().Format(time.RFC3339)
}

// removeBucket deletes a bucket the test made outside Terraform, with every version. A cleanup passes a
// context that outlives the test's: t.Context() ends before cleanups run.
func removeBucket(t *testing.T, ctx context.Context, bucket string) {
	t.Helper()
	_, err := s3api.EmptyBucket(ctx, accEnv.Direct, bucket, s3api.MFA{})
	must(t, err)
	must(t, s3api.DeleteBucket(ctx, accEnv.Direct, bucket))
}

// checkNoVersionLost fails unless every object version in before still exists with its content, and
// exactly wantNew object versions were added: restores only ever add versions.
func checkNoVersionLost(m media, before *map[string]recovery.Version, wantNew int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		after := m.versions()
		for id, v := range *before {
			got, ok := after[id]
			if !v.IsDeleteMarker && (!ok || got.ETag != v.ETag) {
				return fmt.Errorf("object version %s of %q was lost or changed", id, v.Key)
			}
		}
		added := 0
		for id, v := range after {
			if _, ok := (*before)[id]; !ok && !v.IsDeleteMarker {
				added++
			}
		}
		if added != wantNew {
			return fmt.Errorf("%d new object versions, want %d", added, wantNew)
		}
		return nil
	}
}

// checkObjects fails unless each key holds the content given ("<NoSuchKey>" for a deleted key).
func checkObjects(m media, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if got := m.get(k); got != want[k] {
				return fmt.Errorf("%s = %q, want %q", k, got, want[k])
			}
		}
		return nil
	}
}

// checkCalls fails unless the provider made exactly the given S3 write calls since the last ResetCounts
// (reads are not checked).
func checkCalls(want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := accEnv.Proxy.Counts()
		for _, op := range []string{"PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "PutObjectTagging"} {
			if got[op] != want[op] {
				return fmt.Errorf("%s calls: %d, want %d (all calls: %v)", op, got[op], want[op], got)
			}
		}
		return nil
	}
}

// resetCounts zeroes the proxy's request counts (accEnv is only set when the acceptance harness runs).
func resetCounts() { accEnv.Proxy.ResetCounts() }

func stringChecks(values []string) []knownvalue.Check {
	out := make([]knownvalue.Check, len(values))
	for i, v := range values {
		out[i] = knownvalue.StringExact(v)
	}
	return out
}

// The scenario: 50 objects, 30 deleted and 20 overwritten after a recorded time; the plan shows
// exactly those 50, apply brings back the original bytes of each, a second plan is empty, no version is
// lost, and removing the resource changes nothing in S3.
func TestAccMediaRestore_basic(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	cfg := restoreConfig{Pair: pair, Prefix: "media/"}
	var asOf string
	var before map[string]recovery.Version
	var keys []string
	original, restored := map[string]string{}, map[string]string{}
	for i := range 50 {
		keys = append(keys, fmt.Sprintf("media/uploads/file-%02d.jpg", i))
	}
	created := []string{"media/later/a.jpg", "media/later/b.jpg", "media/later/c.jpg", "media/later/d.jpg", "media/later/e.jpg"}

	setup := func() {
		for i, k := range keys {
			original[k] = fmt.Sprintf("original bytes of %s %s", k, strings.Repeat("x", i))
			m.put(k, original[k])
		}
		m.put("media/untouched.jpg", "untouched")
		m.put("elsewhere/deleted.jpg", "outside the prefix")
		asOf = markAsOf()
		for i, k := range keys {
			if i < 30 {
				m.delete(k)
			} else {
				m.put(k, "overwritten "+strings.Repeat("y", i)) // other content, other size
			}
		}
		m.delete(keys[0]) // a key with two delete markers
		for _, k := range created {
			m.put(k, "created after as_of")
		}
		m.delete("elsewhere/deleted.jpg")
		before = m.versions()
		maps.Copy(restored, original)
		for _, k := range created {
			restored[k] = "created after as_of"
		}
		restored["media/untouched.jpg"] = "untouched"
		restored["elsewhere/deleted.jpg"] = "<NoSuchKey>"
		accEnv.Proxy.ResetCounts()
	}
	vars := asOfVars(&asOf)
	withChanges := cfg
	withChanges.Changes = true
	pairOnly := cfg
	pairOnly.NoRestore = true

	pairTest(t, pair, []resource.TestStep{
		{Config: pairOnly.String(), ConfigVariables: vars},
		{
			PreConfig:       setup,
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(50)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("deleted_count"), knownvalue.Int64Exact(30)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("overwritten_count"), knownvalue.Int64Exact(20)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_keys"), knownvalue.ListExact(stringChecks(keys))),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("method"), knownvalue.StringExact("copy")),
					plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("restored_count")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(50)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("created_after_count"), knownvalue.Int64Exact(5)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(50)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("id"), knownvalue.StringFunc(func(v string) error {
					if v != pair.Media+"/media/@"+asOf {
						return fmt.Errorf("id %q", v)
					}
					return nil
				})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjects(m, restored),
				checkNoVersionLost(m, &before, 50),
				checkCalls(map[string]int{"CopyObject": 50}), // one request per object, no tagging on SeaweedFS
			),
		},
		{
			// Nothing left: the plan is empty, and the changes since as_of are only the 5 new objects.
			PreConfig:       resetCounts,
			Config:          withChanges.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("deleted_count"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("overwritten_count"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("created_count"), knownvalue.Int64Exact(5)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("key_count"), knownvalue.Int64Exact(56)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkCalls(nil), checkObjects(m, restored)),
		},
		{
			// Removing the resource only forgets the record: no S3 write, nothing un-restored.
			PreConfig:       resetCounts,
			Config:          pairOnly.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionDestroy)},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkCalls(nil), checkObjects(m, restored), checkNoVersionLost(m, &before, 50)),
		},
	})
}

// An apply that fails part-way records nothing; the next plan shows only what is left, and the next apply
// finishes the job without copying anything twice.
func TestAccMediaRestore_interrupted(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	cfg := restoreConfig{Pair: pair, Prefix: "uploads/"}
	var asOf string
	var before map[string]recovery.Version
	want := map[string]string{}
	var fault *s3proxy.Injection
	remaining := -1
	vars := asOfVars(&asOf)

	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				for i := range 20 {
					k := fmt.Sprintf("uploads/%02d.pdf", i)
					want[k] = "pdf " + k
					m.put(k, want[k])
				}
				asOf = markAsOf()
				for k := range want {
					m.delete(k)
				}
				before = m.versions()
				// S3 refuses the first three copies (403 is not retried): the apply fails part-way.
				fault = accEnv.Proxy.Inject(s3proxy.Fault{Operation: "CopyObject", Bucket: pair.Media, Status: 403, Code: "AccessDenied", Times: 3})
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ExpectError:     errorText("Restore stopped before it was complete"),
		},
		{
			PreConfig: func() {
				fault.Remove()
				remaining = 0
				for k, body := range want {
					if m.get(k) != body {
						remaining++
					}
				}
				t.Logf("after the failed apply: %d of 20 objects still to restore", remaining)
				accEnv.Proxy.ResetCounts()
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Func(func(v int64) error {
						if v != int64(remaining) || v < 3 {
							return fmt.Errorf("pending_count %d, want the %d objects not yet restored (at least the 3 refused)", v, remaining)
						}
						return nil
					})),
				},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjects(m, want),
				checkNoVersionLost(m, &before, 20), // 20 copies in all, over both applies
				func(s *terraform.State) error { return checkCalls(map[string]int{"CopyObject": remaining})(s) },
			),
		},
	})
}

// Files deleted on a live site between the plan and the apply: without plan_timestamp the apply's own
// re-plan counts them and Terraform stops; with plan_timestamp = plantimestamp() the plan stays as it was,
// the apply restores everything that differs by then, and says that it did more than the plan showed.
func TestAccMediaRestore_changedBetweenPlanAndApply(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	var asOf string
	vars := asOfVars(&asOf)
	want := map[string]string{}
	key := func(i int) string { return fmt.Sprintf("live/%d.jpg", i) }
	// deleteBetween deletes key(i) when the apply re-plans: at the second listing of the media bucket's
	// versions (the first is the plan's), a whole second after the plan began, as a user would.
	deleteBetween := func(i int) *s3proxy.Injection {
		return accEnv.Proxy.Inject(s3proxy.Fault{Operation: "ListObjectVersions", Bucket: pair.Media, Skip: 1, Times: 1, Before: func(*http.Request) {
			time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
			m.delete(key(i))
		}})
	}
	var between *s3proxy.Injection

	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				for i := range 6 {
					want[key(i)] = "photo " + key(i)
					m.put(key(i), want[key(i)])
				}
				asOf = markAsOf()
				for i := range 3 {
					m.delete(key(i))
				}
				between = deleteBetween(3)
			},
			Config:          restoreConfig{Pair: pair, Prefix: "live/"}.String(),
			ConfigVariables: vars,
			ExpectError:     errorText("inconsistent final plan"),
		},
		{
			PreConfig: func() {
				if between.Hits() != 1 {
					t.Fatalf("the deletion between plan and apply ran %d times, want 1", between.Hits())
				}
				between.Remove()
				between = deleteBetween(4)
				accEnv.Proxy.ResetCounts()
			},
			Config:          restoreConfig{Pair: pair, Prefix: "live/", PlanTimestamp: true}.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					// k0-k3 deleted when the plan was made; key 4 is deleted after it.
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(4)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_keys"),
						knownvalue.ListExact(stringChecks([]string{key(0), key(1), key(2), key(3)}))),
				},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(restoreAddr, "pending_count", "4"),
				resource.TestCheckResourceAttr(restoreAddr, "restored_count", "5"),
				resource.TestCheckNoResourceAttr(restoreAddr, "plan_timestamp"),
				checkObjects(m, want),
				checkCalls(map[string]int{"CopyObject": 5}),
				func(*terraform.State) error {
					if between.Hits() != 1 {
						return fmt.Errorf("the deletion between plan and apply ran %d times, want 1", between.Hits())
					}
					return nil
				},
			),
		},
		{
			// A later plan, with a new plantimestamp(), changes nothing: the argument is never stored.
			PreConfig:          func() { between.Remove() },
			Config:             restoreConfig{Pair: pair, Prefix: "live/", PlanTimestamp: true}.String(),
			ConfigVariables:    vars,
			PlanOnly:           true,
			ExpectNonEmptyPlan: false,
		},
	})
}

// remove_delete_markers brings deleted objects back by removing the markers, without a copy; overwritten
// objects are still restored by copy.
func TestAccMediaRestore_removeDeleteMarkers(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	cfg := restoreConfig{Pair: pair, Method: "remove_delete_markers"}
	var asOf string
	var before map[string]recovery.Version
	var markers []string
	want := map[string]string{}
	vars := asOfVars(&asOf)
	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				for _, k := range []string{"d1", "d2", "d3", "d4", "o1", "o2"} {
					want["avatars/"+k] = "avatar " + k
					m.put("avatars/"+k, want["avatars/"+k])
				}
				asOf = markAsOf()
				for _, k := range []string{"d1", "d2", "d3", "d4", "d4"} {
					markers = append(markers, m.delete("avatars/"+k))
				}
				m.put("avatars/o1", "changed")
				m.put("avatars/o2", "changed too")
				before = m.versions()
				accEnv.Proxy.ResetCounts()
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(6)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("deleted_count"), knownvalue.Int64Exact(4)),
				},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjects(m, want),
				checkNoVersionLost(m, &before, 2),
				checkCalls(map[string]int{"CopyObject": 2, "DeleteObject": 5}),
				func(*terraform.State) error {
					after := m.versions()
					for _, id := range markers {
						if _, ok := after[id]; ok {
							return fmt.Errorf("delete marker %s is still there", id)
						}
					}
					return nil
				},
			),
		},
	})
}

// With MFA Delete on the media bucket, removing delete markers is refused at plan time with the way out,
// and the copy method restores everything without a code.
func TestAccMediaRestore_mfaDelete(t *testing.T) {
	pair := newRestorePair(t)
	pair.MFADelete, pair.MFASerial, pair.ProviderMFA = true, testMFASerial, true
	m := media{t, pair.Media}
	var asOf string
	var before map[string]recovery.Version
	want := map[string]string{}
	code := validMFACode()
	vars := asOfVars(&asOf)
	vars["mfa_code"] = config.StringVariable(code)
	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars, Check: checkMFADelete(pair.Media, true)},
		{
			PreConfig: func() {
				for _, k := range []string{"a", "b", "c"} {
					want["docs/"+k] = "doc " + k
					m.put("docs/"+k, want["docs/"+k])
				}
				asOf = markAsOf()
				m.delete("docs/a")
				m.delete("docs/b")
				m.put("docs/c", "vandalised")
				before = m.versions()
			},
			Config:          restoreConfig{Pair: pair, Method: "remove_delete_markers"}.String(),
			ConfigVariables: vars,
			PlanOnly:        true,
			ExpectError:     errorText(`remove_delete_markers is refused under MFA Delete`),
		},
		{
			Config:          restoreConfig{Pair: pair}.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(3))},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkObjects(m, want), checkNoVersionLost(m, &before, 3)),
		},
	})
}

// delete_created_after hides what did not exist at as_of behind delete markers; the objects stay as
// noncurrent versions.
func TestAccMediaRestore_deleteCreatedAfter(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	cfg := restoreConfig{Pair: pair, Prefix: "tmp/", DeleteCreatedAfter: true}
	var asOf string
	var before map[string]recovery.Version
	vars := asOfVars(&asOf)
	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				m.put("tmp/kept", "kept")
				asOf = markAsOf()
				m.put("tmp/junk-1", "junk")
				m.put("tmp/junk-2", "junk")
				before = m.versions()
				accEnv.Proxy.ResetCounts()
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_keys"), knownvalue.ListExact(stringChecks([]string{"tmp/junk-1", "tmp/junk-2"}))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("created_after_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(2)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjects(m, map[string]string{"tmp/kept": "kept", "tmp/junk-1": "<NoSuchKey>", "tmp/junk-2": "<NoSuchKey>"}),
				checkNoVersionLost(m, &before, 0),
				checkCalls(map[string]int{"DeleteObject": 2}),
			),
		},
		{
			// Changing an argument plans a new restore, with its own dry run: the junk is hidden already,
			// so there is nothing left to do.
			PreConfig:       resetCounts,
			Config:          restoreConfig{Pair: pair, Prefix: "tmp/"}.String(),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(0)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_keys"), knownvalue.ListSizeExact(0)),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(0)),
			},
			Check: checkCalls(nil),
		},
	})
}

// Bad input fails at plan time, naming the attribute and the fix; so do buckets a restore cannot work in.
func TestAccMediaRestore_invalidConfig(t *testing.T) {
	unversioned := bucketName(t, "plain")
	ctx := t.Context()
	createUnversioned := func() {
		_, err := accEnv.Direct.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(unversioned)})
		must(t, err)
		t.Cleanup(func() { removeBucket(t, context.WithoutCancel(ctx), unversioned) })
	}
	missing := bucketName(t, "missing")

	restore := func(bucket, asOf, extra string) string {
		return fmt.Sprintf("resource \"protectedmedia_media_restore\" \"test\" {\n  bucket = %q\n  as_of  = %q\n%s}\n", bucket, asOf, extra)
	}
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		name, config, want string
	}{
		{"as_of not RFC 3339", restore(missing, "2026-11-28 09:30", ""), `as_of: "2026-11-28 09:30" is not an RFC 3339 time`},
		{"as_of without a zone", restore(missing, "2026-11-28T09:30:00", ""), `not an RFC 3339 time`},
		{"as_of in the future", restore(missing, time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339), ""), `as_of is in the future`},
		{"bucket name invalid", restore("Bad_Bucket", past, ""), `Invalid S3 bucket name`},
		{"method unknown", restore(missing, past, "  method = \"undelete\"\n"), `method value must be one of`},
		{"prefix too long", restore(missing, past, fmt.Sprintf("  prefix = %q\n", strings.Repeat("p", 1025))), `prefix string length must be at most 1024`},
		{"versioning not enabled", restore(unversioned, past, ""), `Bucket versioning is not enabled`},
		{"plan_timestamp not RFC 3339", restore(missing, past, "  plan_timestamp = \"now\"\n"), `plan_timestamp: "now" is not an RFC 3339 time`},
		{"plan_timestamp before as_of", restore(missing, past, "  plan_timestamp = \"2020-01-01T00:00:00Z\"\n"), `plan_timestamp is before as_of`},
		{"changes since not RFC 3339", fmt.Sprintf("data \"protectedmedia_media_changes\" \"x\" {\n  bucket = %q\n  since  = \"yesterday\"\n}\n", unversioned), `since: "yesterday" is not an RFC 3339 time`},
		{"changes max_keys too large", fmt.Sprintf("data \"protectedmedia_media_changes\" \"x\" {\n  bucket   = %q\n  since    = %q\n  max_keys = 5000\n}\n", unversioned, past), `max_keys value must be between 0 and 1000`},
	}
	var steps []resource.TestStep
	for i, tc := range tests {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				if i == 0 {
					createUnversioned()
				}
				t.Logf("bad input: %s", tc.name)
			},
			Config:      tc.config,
			PlanOnly:    true,
			ExpectError: errorText(tc.want),
		})
	}
	// A bucket that does not exist is only a warning at plan time (this apply might create it), and an
	// error at apply.
	steps = append(steps, resource.TestStep{Config: restore(missing, past, ""), ExpectError: errorText(fmt.Sprintf(`Bucket %q does not exist`, missing))})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    steps,
	})
}

// "In the past" is the provider's clock, handed to the resource in Configure: with the clock stopped in 2020,
// an as_of in 2021 (long past by the wall clock) is refused as being in the future, with the time and the
// suggestion taken from that clock; once the clock moves past it, the same configuration plans.
func TestAccMediaRestore_clock(t *testing.T) {
	clock := fakeclock.New(time.Date(2020, 6, 1, 12, 0, 0, 0, time.UTC))
	config := fmt.Sprintf("resource \"protectedmedia_media_restore\" \"test\" {\n  bucket = %q\n  as_of  = \"2021-01-01T00:00:00Z\"\n}\n",
		bucketName(t, "clock"))
	resource.Test(t, resource.TestCase{
		PreCheck: func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"protectedmedia": providerserver.NewProtocol6WithError(newWithClock("test", clock.Now)()),
		},
		Steps: []resource.TestStep{
			{
				Config:   config,
				PlanOnly: true,
				ExpectError: errorText(`as_of = "2021-01-01T00:00:00Z" is after the current time, 2020-06-01T12:00:00Z. A ` +
					`restore puts objects back as they were at a past moment: set as_of to a time before the first ` +
					`unwanted change, for example 2020-06-01T11:00:00Z.`),
			},
			{
				// The bucket does not exist: a warning, and the restore is planned with its counts unknown.
				PreConfig:          func() { clock.Set(time.Date(2021, 1, 1, 0, 0, 1, 0, time.UTC)) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
