package provider

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// restoreConfigWithTimestamp is a restore's configuration holding only plan_timestamp.
func restoreConfigWithTimestamp(t *testing.T, planTimestamp tftypes.Value) tfsdk.Config {
	t.Helper()
	s := mediaRestoreSchema()
	typ := objectType(t, s.Type().TerraformType(t.Context()))
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	values["plan_timestamp"] = planTimestamp
	return tfsdk.Config{Schema: s, Raw: tftypes.NewValue(typ, values)}
}

func TestPlanSeenAt(t *testing.T) {
	asOf := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	tests := []struct {
		name          string
		planTimestamp tftypes.Value
		wantSeenAt    time.Time
		wantKnown     bool
		// wantError is the error's summary and detail, joined by ": "; "" for no error.
		wantError string
	}{
		{name: "unset: the listing is not bounded", planTimestamp: tftypes.NewValue(tftypes.String, nil), wantKnown: true},
		{name: "unknown", planTimestamp: tftypes.NewValue(tftypes.String, tftypes.UnknownValue)},
		{name: "after as_of", planTimestamp: str("2026-11-28T12:00:00Z"), wantSeenAt: asOf.Add(150 * time.Minute), wantKnown: true},
		{name: "after as_of, in another zone", planTimestamp: str("2026-11-28T13:00:00+01:00"), wantSeenAt: asOf.Add(150 * time.Minute), wantKnown: true},
		{name: "equal to as_of", planTimestamp: str("2026-11-28T09:30:00Z"), wantSeenAt: asOf, wantKnown: true},
		{
			name:          "before as_of",
			planTimestamp: str("2026-11-28T09:29:59Z"),
			wantError: `plan_timestamp is before as_of: plan_timestamp = "2026-11-28T09:29:59Z" is before as_of = ` +
				`"2026-11-28T09:30:00Z", so the plan could not see any change to undo. Set plan_timestamp = plantimestamp(), ` +
				`the time of the plan.`,
		},
		{
			// Reading the value runs the type's validation, so the user sees the same message as at validate.
			name:          "not a time",
			planTimestamp: str("now"),
			wantError:     `Invalid time: plan_timestamp: "now" is not an RFC 3339 time`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seenAt, known, diags := planSeenAt(t.Context(), restoreConfigWithTimestamp(t, tc.planTimestamp), asOf)
			if known != tc.wantKnown || !seenAt.Equal(tc.wantSeenAt) {
				t.Errorf("seen at %s, known %t; want %s, %t", seenAt, known, tc.wantSeenAt, tc.wantKnown)
			}
			checkDiagnostics(t, diags, tc.wantError)
		})
	}
}

// Whether remove_delete_markers can work under the bucket's guard, with the caller handed in as the provider
// hands it STS's answer.
func TestMarkerRemovalGuard(t *testing.T) {
	const terraform = "arn:aws:iam::123456789012:role/terraform"
	const breakGlass = "arn:aws:iam::123456789012:role/break-glass"
	session := "arn:aws:sts::123456789012:assumed-role/terraform/ci-run-42"
	app := "arn:aws:iam::123456789012:user/django-app"
	tests := []struct {
		name      string
		exempt    []string
		caller    string
		callerErr error
		want      diag.Severity // 0: no diagnostic
		says      []string
	}{
		{"no guard", nil, app, nil, 0, nil},
		{"no guard, caller unknown", nil, "", errors.New("no STS endpoint"), 0, nil},
		{"caller's role exempt", []string{breakGlass, terraform}, session, nil, 0, nil},
		{"wildcard covers the caller", []string{"arn:aws:iam::123456789012:role/terra*"}, session, nil, 0, nil},
		{
			"caller not exempt", []string{breakGlass, terraform}, app, nil, diag.SeverityError,
			[]string{`Bucket "example-media" has a guard policy (guard_exempt_principals of its protectedmedia_bucket_pair) that ` +
				`denies s3:DeleteObjectVersion to every principal except "` + breakGlass + `", "` + terraform + `". ` +
				`remove_delete_markers removes delete markers by deleting their versions, which needs that permission, and ` +
				`Terraform runs as ` + app + `, which the guard does not exempt: S3 would refuse the first removal with ` +
				`AccessDenied, half-way through the apply. Nothing was changed.`, `Use method = "copy" (the default)`},
		},
		{"a guard that exempts no one", []string{}, terraform, nil, diag.SeverityError, []string{"to every principal. remove_delete_markers"}},
		{
			"caller unknown", []string{terraform}, "", errors.New("no STS endpoint"), diag.SeverityWarning,
			[]string{"who Terraform runs as cannot be told: no STS endpoint", `method = "copy" (the default)`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			diags := markerRemovalGuard("example-media", tc.exempt, tc.caller, tc.callerErr)
			if tc.want == 0 {
				if len(diags) != 0 {
					t.Fatalf("diagnostics %v, want none", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Severity() != tc.want {
				t.Fatalf("diagnostics %v, want one of severity %v", diags, tc.want)
			}
			if d, ok := diags[0].(diag.DiagnosticWithPath); !ok || !d.Path().Equal(path.Root("method")) {
				t.Errorf("the diagnostic is not on method: %v", diags[0])
			}
			for _, part := range tc.says {
				if !strings.Contains(diags[0].Detail(), part) {
					t.Errorf("detail %q\ndoes not say %q", diags[0].Detail(), part)
				}
			}
		})
	}
}

// The warning about keys S3 will not copy names each with its reason, and for archived versions gives the
// restore-object command of one of them, the days and tiers to choose, and what to apply afterwards.
func TestBlockedWarning(t *testing.T) {
	action := func(key, version, class string) recovery.Action {
		return recovery.Action{Kind: recovery.CopyVersion, Key: key, Source: recovery.Version{Key: key, VersionID: version, StorageClass: class}}
	}
	blocked := func(a recovery.Action, why string) recovery.Action { a.Blocked = why; return a }
	archived := func(a recovery.Action, why string) recovery.Action { a.Blocked, a.Archived = why, true; return a }
	tally := func(limit int, actions ...recovery.Action) *recovery.Tally {
		t := recovery.NewTally(limit)
		for _, a := range actions {
			t.BlockedCount++
			t.Blocked.Add(a)
		}
		return t
	}
	tests := []struct {
		name     string
		tally    *recovery.Tally
		applied  bool
		says     []string
		saysNot  []string
		noneWant bool
	}{
		{name: "nothing blocked", tally: recovery.NewTally(10), noneWant: true},
		{
			name:    "too large only: no archive advice",
			tally:   tally(10, blocked(action("videos/big.mov", "v9", "STANDARD"), "larger than 5 GiB")),
			says:    []string{"1 object will not be restored, because S3 refuses to copy it:\n  - videos/big.mov (version v9): larger than 5 GiB"},
			saysNot: []string{"restore-object"},
		},
		{
			name: "archived, at plan time",
			tally: tally(10,
				archived(action("invoices/it's.pdf", "3HL4kq.rmSp", recovery.ClassGlacier), "in the GLACIER storage class and not restored from the archive"),
				archived(action("invoices/b.pdf", "v2", recovery.ClassDeepArchive), "in the DEEP_ARCHIVE storage class, and its restore from the archive has not completed yet"),
			),
			says: []string{
				"2 objects will not be restored, because S3 refuses to copy them:\n" +
					"  - invoices/b.pdf (version v2): in the DEEP_ARCHIVE storage class, and its restore from the archive has not completed yet\n" +
					"  - invoices/it's.pdf (version 3HL4kq.rmSp): in the GLACIER storage class and not restored from the archive",
				// The first archived key in key order, quoted for the shell.
				"  aws s3api restore-object --bucket example-media --key invoices/b.pdf --version-id v2 \\\n" +
					`    --restore-request '{"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}}'`,
				"Expedited (1-5 minutes", "Bulk (the cheapest",
				"Once the restores have completed, apply; or apply now and, once they have completed, restore the rest with terraform apply -replace=",
			},
		},
		{
			name:    "refused at apply time, Intelligent-Tiering: no Days",
			tally:   tally(10, archived(action("a b/c.jpg", "v1", recovery.ClassIntelligentTiering), "in an archive access tier of the INTELLIGENT_TIERING storage class")),
			applied: true,
			says: []string{
				"1 object was not restored, because S3 refuses to copy it:",
				`--key 'a b/c.jpg' --version-id v1 \` + "\n" + `    --restore-request '{"GlacierJobParameters": {"Tier": "Standard"}}'`,
				"Once the restores have completed, run terraform apply -replace=<this resource's address>: what this apply restored counts as unchanged",
			},
		},
		{
			name: "more than the sample",
			tally: func() *recovery.Tally {
				t := tally(1, blocked(action("a", "v", ""), "why"))
				t.BlockedCount = 4
				return t
			}(),
			says: []string{"4 objects will not be restored", "  - a (version v): why\n  ... and 3 more"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			addBlockedWarning(&diags, tc.tally, "example-media", tc.applied)
			if tc.noneWant {
				if len(diags) != 0 {
					t.Fatalf("diagnostics %v, want none", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || diags[0].Summary() != "Some objects cannot be restored by copy" {
				t.Fatalf("diagnostics %v, want one warning", diags)
			}
			for _, part := range tc.says {
				if !strings.Contains(diags[0].Detail(), part) {
					t.Errorf("detail:\n%s\ndoes not say:\n%s", diags[0].Detail(), part)
				}
			}
			for _, part := range tc.saysNot {
				if strings.Contains(diags[0].Detail(), part) {
					t.Errorf("detail:\n%s\nsays %q", diags[0].Detail(), part)
				}
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"invoices/2026/acme-0042.pdf": "invoices/2026/acme-0042.pdf",
		"3HL4kqtJlcpXroDTDmJ.rmSpXd3": "3HL4kqtJlcpXroDTDmJ.rmSpXd3",
		"a b.jpg":                     "'a b.jpg'",
		"it's $HOME.txt":              `'it'\''s $HOME.txt'`,
		"":                            "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
