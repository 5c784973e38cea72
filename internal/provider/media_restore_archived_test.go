package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/awsbehaviour"
)

// Versions that were archived after as_of, as Amazon S3 reports and refuses them (the harness's AWS
// behaviour layer): the plan counts what can be copied and warns about the GLACIER version never restored
// and the DEEP_ARCHIVE one still being restored, with the restore-object command; the apply restores the
// rest (a restored GLACIER version among them), reports the INTELLIGENT_TIERING version in an archive tier
// that S3 refused to copy instead of failing, and once the archive restores have completed, applying again
// with the resource replaced restores the three that were left.
func TestAccMediaRestore_archivedVersions(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	cfg := restoreConfig{Pair: pair, Prefix: "scans/", Changes: true}
	var asOf string
	vars := asOfVars(&asOf)
	keys := []string{"scans/deep.pdf", "scans/glacier.pdf", "scans/plain.pdf", "scans/thawed.pdf", "scans/tiered.pdf"}
	versions := map[string]string{}
	original := map[string]string{}
	archive := func(key string, a awsbehaviour.Archived) { awsLayer.Archive(pair.Media, key, versions[key], a) }
	t.Cleanup(func() {
		for _, k := range keys {
			archive(k, awsbehaviour.Archived{}) // the layer is shared: every mark goes
		}
	})
	var refusalsBefore int
	log := &diagLog{typeName: "protectedmedia_media_restore"}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: log.factories(),
		CheckDestroy:             checkBucketsGone(pair.Media, pair.Static),
		Steps: []resource.TestStep{
			{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
			{
				PreConfig: func() {
					for _, k := range keys {
						original[k] = "scan " + k
						versions[k] = m.put(k, original[k])
					}
					asOf = markAsOf()
					for _, k := range keys {
						m.delete(k)
					}
					// A lifecycle rule moved the old versions to the archive classes since.
					archive("scans/glacier.pdf", awsbehaviour.Archived{StorageClass: awsbehaviour.Glacier})
					archive("scans/deep.pdf", awsbehaviour.Archived{StorageClass: awsbehaviour.DeepArchive, RestoreInProgress: true})
					archive("scans/thawed.pdf", awsbehaviour.Archived{StorageClass: awsbehaviour.Glacier, RestoredUntil: time.Now().Add(48 * time.Hour)})
					archive("scans/tiered.pdf", awsbehaviour.Archived{StorageClass: awsbehaviour.IntelligentTiering, AccessTier: awsbehaviour.ArchiveAccess})
					refusalsBefore = awsLayer.Refusals()
					log.reset()
					resetCounts()
				},
				Config:          cfg.String(),
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("deleted_count"), knownvalue.Int64Exact(5)),
						// The listing cannot tell that tiered.pdf is in an archive tier: it is pending.
						plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(3)),
						plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_keys"),
							knownvalue.ListExact(stringChecks([]string{"scans/plain.pdf", "scans/thawed.pdf", "scans/tiered.pdf"}))),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(3)),
					// The changes data source, read after the restore, shows what is still deleted and its class.
					statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("deleted"), knownvalue.ListExact([]knownvalue.Check{
						deletedIn("scans/deep.pdf", "DEEP_ARCHIVE"), deletedIn("scans/glacier.pdf", "GLACIER"),
						deletedIn("scans/tiered.pdf", "INTELLIGENT_TIERING"),
					})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkObjects(m, map[string]string{
						"scans/plain.pdf": "scan scans/plain.pdf", "scans/thawed.pdf": "scan scans/thawed.pdf",
						"scans/glacier.pdf": "<NoSuchKey>", "scans/deep.pdf": "<NoSuchKey>", "scans/tiered.pdf": "<NoSuchKey>",
					}),
					// No request for the versions the listing showed archived; one, refused, for tiered.pdf.
					checkCalls(map[string]int{"CopyObject": 3}),
					func(*terraform.State) error {
						if n := awsLayer.Refusals() - refusalsBefore; n != 1 {
							return fmt.Errorf("the AWS layer refused %d requests, want the one copy of tiered.pdf", n)
						}
						return nil
					},
					log.checkWarning("plan", "Some objects cannot be restored by copy", func() []string {
						return []string{
							"2 objects will not be restored, because S3 refuses to copy them:\n" +
								"  - scans/deep.pdf (version " + versions["scans/deep.pdf"] + "): in the DEEP_ARCHIVE storage class, and its restore from the archive has not completed yet\n" +
								"  - scans/glacier.pdf (version " + versions["scans/glacier.pdf"] + "): in the GLACIER storage class and not restored from the archive\n\n",
							"  aws s3api restore-object --bucket " + pair.Media + " --key scans/deep.pdf --version-id " + versions["scans/deep.pdf"] + " \\\n" +
								`    --restore-request '{"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}}'`,
							"apply now and, once they have completed, restore the rest with terraform apply -replace=",
						}
					}),
					log.checkWarning("apply", "Some objects cannot be restored by copy", func() []string {
						return []string{
							"3 objects were not restored, because S3 refuses to copy them:\n",
							"  - scans/tiered.pdf (version " + versions["scans/tiered.pdf"] + "): in an archive access tier of the " +
								"INTELLIGENT_TIERING storage class (S3 refused the copy: InvalidObjectState)",
							"run terraform apply -replace=<this resource's address>",
						}
					}),
					// The refused key is neither a change between plan and apply nor a change during the restore.
					log.checkNoWarning("apply", "The bucket changed between plan and apply"),
					log.checkNoWarning("apply", "Objects changed while the restore ran"),
				),
			},
			{
				// The archive restores have completed: the GLACIER and DEEP_ARCHIVE versions have restored
				// copies, the INTELLIGENT_TIERING one is back in the Frequent Access tier.
				PreConfig: func() {
					archive("scans/glacier.pdf", awsbehaviour.Archived{StorageClass: awsbehaviour.Glacier, RestoredUntil: time.Now().Add(7 * 24 * time.Hour)})
					archive("scans/deep.pdf", awsbehaviour.Archived{StorageClass: awsbehaviour.DeepArchive, RestoredUntil: time.Now().Add(7 * 24 * time.Hour)})
					archive("scans/tiered.pdf", awsbehaviour.Archived{})
					log.reset()
					resetCounts()
				},
				Taint:           []string{restoreAddr}, // terraform apply -replace
				Config:          cfg.String(),
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionReplace),
						plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_keys"),
							knownvalue.ListExact(stringChecks([]string{"scans/deep.pdf", "scans/glacier.pdf", "scans/tiered.pdf"}))),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(3)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkObjects(m, original),
					checkCalls(map[string]int{"CopyObject": 3}),
					log.checkNoWarning("plan", "Some objects cannot be restored by copy"),
					log.checkNoWarning("apply", "Some objects cannot be restored by copy"),
				),
			},
		},
	})
}

// deletedIn checks an entry of the changes data source's deleted list: its key and storage class.
func deletedIn(key, storageClass string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"key": knownvalue.StringExact(key), "storage_class": knownvalue.StringExact(storageClass),
	})
}

// diagLog records the diagnostics the provider returns when it plans and applies one resource type, for
// the warnings a user reads, which terraform-plugin-testing does not expose. It wraps the harness's
// provider server; everything else passes through.
type diagLog struct {
	typeName string

	mu      sync.Mutex
	entries []loggedDiagnostic
}

// loggedDiagnostic is one diagnostic and the call that returned it: "validate", "plan" or "apply".
type loggedDiagnostic struct {
	call string
	*tfprotov6.Diagnostic
}

func (l *diagLog) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"protectedmedia": func() (tfprotov6.ProviderServer, error) {
			server, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				return nil, err
			}
			return diagRecorder{ProviderServer: server, log: l}, nil
		},
	}
}

func (l *diagLog) add(call, typeName string, diags []*tfprotov6.Diagnostic) {
	if typeName != l.typeName {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range diags {
		l.entries = append(l.entries, loggedDiagnostic{call, d})
	}
}

func (l *diagLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}

// find returns the diagnostics call returned with summary.
func (l *diagLog) find(call, summary string) []loggedDiagnostic {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []loggedDiagnostic
	for _, e := range l.entries {
		if e.call == call && e.Summary == summary {
			out = append(out, e)
		}
	}
	return out
}

// checkWarning fails unless call returned a warning with summary whose detail holds every part. parts is
// called when the check runs, after the step's PreConfig has written what they name.
func (l *diagLog) checkWarning(call, summary string, parts func() []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		found := l.find(call, summary)
		if len(found) == 0 {
			return fmt.Errorf("no %q warning from %s (diagnostics: %v)", summary, call, l.all())
		}
		for _, d := range found {
			if d.Severity != tfprotov6.DiagnosticSeverityWarning {
				return fmt.Errorf("%s: %q is not a warning but %v", call, summary, d.Severity)
			}
			for _, p := range parts() {
				if !strings.Contains(d.Detail, p) {
					return fmt.Errorf("the %s warning %q:\n%s\ndoes not say:\n%s", call, summary, d.Detail, p)
				}
			}
		}
		return nil
	}
}

// checkNoWarning fails if call returned a diagnostic with summary.
func (l *diagLog) checkNoWarning(call, summary string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if found := l.find(call, summary); len(found) > 0 {
			return fmt.Errorf("%s warned %q: %s", call, summary, found[0].Detail)
		}
		return nil
	}
}

func (l *diagLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.entries {
		out = append(out, e.call+": "+e.Summary)
	}
	return out
}

// diagRecorder is a provider server that logs what ValidateResourceConfig, PlanResourceChange and
// ApplyResourceChange return.
type diagRecorder struct {
	tfprotov6.ProviderServer
	log *diagLog
}

func (r diagRecorder) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	resp, err := r.ProviderServer.ValidateResourceConfig(ctx, req)
	if resp != nil {
		r.log.add("validate", req.TypeName, resp.Diagnostics)
	}
	return resp, err
}

func (r diagRecorder) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := r.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		r.log.add("plan", req.TypeName, resp.Diagnostics)
	}
	return resp, err
}

func (r diagRecorder) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := r.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		r.log.add("apply", req.TypeName, resp.Diagnostics)
	}
	return resp, err
}
