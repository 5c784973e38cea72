package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// lockObject is media_object_lock as a configuration writes it; 0 leaves days or years unset.
func lockObject(mode string, days, years int) types.Object {
	return types.ObjectValueMust(objectLockAttrTypes, map[string]attr.Value{
		"mode": types.StringValue(mode), "days": optionalInt(days), "years": optionalInt(years),
	})
}

func TestObjectLockConversions(t *testing.T) {
	for _, r := range []bucketstate.LockRetention{
		{Mode: bucketstate.LockGovernance, Days: 30},
		{Mode: bucketstate.LockCompliance, Years: 7},
	} {
		v := objectLockValue(&r)
		got, known := objectLockOf(v)
		if !known || got == nil || *got != r {
			t.Errorf("%+v: round trip through %s gives %+v (known %t)", r, v, got, known)
		}
		if !v.Equal(lockObject(r.Mode, r.Days, r.Years)) {
			t.Errorf("%+v read from S3 is %s, which differs from the configuration's %s: a refresh would plan a change", r, v, lockObject(r.Mode, r.Days, r.Years))
		}
	}
	if v := objectLockValue(nil); !v.IsNull() {
		t.Errorf("no default retention is %s, want null (an unset argument)", v)
	}
	if r, known := objectLockOf(types.ObjectNull(objectLockAttrTypes)); !known || r != nil {
		t.Errorf("null: %+v, known %t; want none, known", r, known)
	}
	if _, known := objectLockOf(types.ObjectUnknown(objectLockAttrTypes)); known {
		t.Error("an unknown argument counts as known")
	}
	partly := types.ObjectValueMust(objectLockAttrTypes, map[string]attr.Value{
		"mode": types.StringValue(bucketstate.LockGovernance), "days": types.Int64Unknown(), "years": types.Int64Null(),
	})
	if _, known := objectLockOf(partly); known {
		t.Error("an argument with an unknown period counts as known")
	}
}

// The argument reaches the media bucket's desired settings, and only the media bucket's.
func TestObjectLockInSpec(t *testing.T) {
	m := appliedPair(t)
	m.MediaObjectLock = lockObject(bucketstate.LockGovernance, 30, 0)
	spec, diags := toSpec(t.Context(), m, "eu-west-1", nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	p := mustPair(t, spec)
	if p.Media.ObjectLock == nil || *p.Media.ObjectLock != (bucketstate.LockRetention{Mode: bucketstate.LockGovernance, Days: 30}) {
		t.Errorf("media ObjectLock %+v", p.Media.ObjectLock)
	}
	if p.Static.ObjectLock != nil {
		t.Errorf("static ObjectLock %+v, want none", p.Static.ObjectLock)
	}
}

// A refresh reads the default retention and the Object Lock switch back, and the drift list compares S3 with
// what was applied.
func TestObjectLockObserved(t *testing.T) {
	applied := appliedPair(t)
	applied.MediaObjectLock = lockObject(bucketstate.LockGovernance, 30, 0)
	observed := matching(t, applied)
	observed.Media.ObjectLock = bucketstate.ObjectLock{Enabled: true, Default: &bucketstate.LockRetention{Mode: bucketstate.LockCompliance, Days: 30}}

	m := applied
	if diags := m.setObserved(t.Context(), "eu-west-1", false, observed, nil); diags.HasError() {
		t.Fatal(diags)
	}
	if !m.MediaObjectLock.Equal(lockObject(bucketstate.LockCompliance, 30, 0)) || !m.MediaObjectLockEnabled.ValueBool() {
		t.Errorf("read back: media_object_lock %s, enabled %s", m.MediaObjectLock, m.MediaObjectLockEnabled)
	}
	want := `media bucket "pm-media": Object Lock is enabled with COMPLIANCE for 30 days retention, want enabled with GOVERNANCE for 30 days retention`
	if got := driftOf(t, m); len(got) != 1 || got[0] != want {
		t.Errorf("drift %q, want %q", got, want)
	}

	// The default retention removed out of band: the argument reads null, Object Lock stays on.
	observed.Media.ObjectLock = bucketstate.ObjectLock{Enabled: true}
	m = applied
	if diags := m.setObserved(t.Context(), "eu-west-1", false, observed, nil); diags.HasError() {
		t.Fatal(diags)
	}
	if !m.MediaObjectLock.IsNull() || !m.MediaObjectLockEnabled.ValueBool() {
		t.Errorf("after removal out of band: media_object_lock %s, enabled %s", m.MediaObjectLock, m.MediaObjectLockEnabled)
	}

	// A pair without the argument on a bucket without Object Lock: null and false, no drift.
	plain := appliedPair(t)
	plain.MediaObjectLock = types.ObjectNull(objectLockAttrTypes)
	m = plain
	if diags := m.setObserved(t.Context(), "eu-west-1", false, matching(t, plain), nil); diags.HasError() {
		t.Fatal(diags)
	}
	if !m.MediaObjectLock.IsNull() || m.MediaObjectLockEnabled.ValueBool() || len(driftOf(t, m)) != 0 {
		t.Errorf("plain pair: media_object_lock %s, enabled %s, drift %q", m.MediaObjectLock, m.MediaObjectLockEnabled, driftOf(t, m))
	}
}

func TestPlannedObjectLockEnabled(t *testing.T) {
	with := bucketPairModel{MediaObjectLock: lockObject(bucketstate.LockGovernance, 1, 0)}
	without := bucketPairModel{MediaObjectLock: types.ObjectNull(objectLockAttrTypes)}
	unknown := bucketPairModel{MediaObjectLock: types.ObjectUnknown(objectLockAttrTypes)}
	on := bucketPairModel{MediaObjectLockEnabled: types.BoolValue(true)}
	off := bucketPairModel{MediaObjectLockEnabled: types.BoolValue(false)}
	tests := []struct {
		name     string
		creating bool
		state    bucketPairModel
		plan     bucketPairModel
		want     types.Bool
	}{
		{"new pair with it", true, bucketPairModel{}, with, types.BoolValue(true)},
		{"new pair without it", true, bucketPairModel{}, without, types.BoolValue(false)},
		{"new pair, not known yet", true, bucketPairModel{}, unknown, types.BoolUnknown()},
		{"turned on", false, off, with, types.BoolValue(true)},
		// S3 cannot turn it off: removing the argument leaves it on.
		{"argument removed", false, on, without, types.BoolValue(true)},
		{"on, argument not known yet", false, on, unknown, types.BoolValue(true)},
		{"never on", false, off, without, types.BoolValue(false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plannedObjectLockEnabled(tt.creating, tt.state, tt.plan); !got.Equal(tt.want) {
				t.Errorf("planned media_object_lock_enabled %s, want %s", got, tt.want)
			}
		})
	}
}

func TestObjectLockRemoval(t *testing.T) {
	state := bucketPairModel{MediaBucket: types.StringValue("pm-media"), MediaObjectLock: lockObject(bucketstate.LockCompliance, 0, 7)}
	removed := bucketPairModel{MediaObjectLock: types.ObjectNull(objectLockAttrTypes)}
	diags := objectLockRemoval(state, removed)
	if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || diags[0].Summary() != "Object Lock stays on" {
		t.Fatalf("diagnostics %v, want the warning", diags)
	}
	for _, part := range []string{`"pm-media"`, "COMPLIANCE for 7 years", "cannot turn Object Lock off", "stay locked until their retain-until dates"} {
		if !strings.Contains(diags[0].Detail(), part) {
			t.Errorf("the warning does not say %q:\n%s", part, diags[0].Detail())
		}
	}
	for name, plan := range map[string]bucketPairModel{
		"kept":    {MediaObjectLock: lockObject(bucketstate.LockCompliance, 0, 7)},
		"changed": {MediaObjectLock: lockObject(bucketstate.LockGovernance, 30, 0)},
		"unknown": {MediaObjectLock: types.ObjectUnknown(objectLockAttrTypes)},
	} {
		if d := objectLockRemoval(state, plan); len(d) != 0 {
			t.Errorf("%s: %v, want no warning", name, d)
		}
	}
	if d := objectLockRemoval(bucketPairModel{MediaObjectLock: types.ObjectNull(objectLockAttrTypes)}, removed); len(d) != 0 {
		t.Errorf("never set: %v, want no warning", d)
	}
}

// fakeConfig answers GetAttribute from values by path, for the plan-time checks.
type fakeConfig map[string]attr.Value

func (f fakeConfig) GetAttribute(_ context.Context, p path.Path, target any) diag.Diagnostics {
	v, ok := f[p.String()]
	switch t := target.(type) {
	case *types.Object:
		*t = types.ObjectNull(objectLockAttrTypes)
		if ok {
			*t, _ = v.(types.Object)
		}
	case *types.Bool:
		*t = types.BoolNull()
		if ok {
			*t, _ = v.(types.Bool)
		}
	default:
		return diag.Diagnostics{diag.NewErrorDiagnostic("fakeConfig", fmt.Sprintf("cannot read %s into %T", p, target))}
	}
	return nil
}

func TestObjectLockProblems(t *testing.T) {
	gov30 := lockObject(bucketstate.LockGovernance, 30, 0)
	comp1y := lockObject(bucketstate.LockCompliance, 0, 1)
	type want struct {
		attr, summary string
		says          []string
	}
	tests := []struct {
		name      string
		lock      types.Object
		force     bool
		mfaDelete bool
		retention types.Int64
		want      []want
	}{
		{"no lock", types.ObjectNull(objectLockAttrTypes), true, false, types.Int64Value(1), nil},
		{"lock not known yet", types.ObjectUnknown(objectLockAttrTypes), true, false, types.Int64Value(1), nil},
		{"lock alone", gov30, false, false, types.Int64Null(), nil},
		// S3 allows Object Lock and MFA Delete on one bucket.
		{"beside MFA Delete", gov30, false, true, types.Int64Null(), nil},
		{"lifecycle retention longer", gov30, false, false, types.Int64Value(30), nil},
		{"lifecycle retention shorter", gov30, false, false, types.Int64Value(7), []want{{"noncurrent_version_retention_days",
			"Locked versions outlive the lifecycle retention", []string{"noncurrent_version_retention_days = 7", "GOVERNANCE for 30 days", "30 or more"}}}},
		{"a year is 365 days or more", comp1y, false, false, types.Int64Value(300), []want{{"noncurrent_version_retention_days",
			"Locked versions outlive the lifecycle retention", []string{"365 or more"}}}},
		{"lifecycle retention not known yet", gov30, false, false, types.Int64Unknown(), nil},
		{"force destroy, governance", gov30, true, false, types.Int64Null(), []want{{"media_force_destroy",
			"Destroy cannot finish while media versions are locked", []string{"GOVERNANCE mode", "30 days", "s3:BypassGovernanceRetention", "deletes nothing"}}}},
		{"force destroy, compliance", comp1y, true, false, types.Int64Null(), []want{{"media_force_destroy",
			"Destroy cannot finish while media versions are locked", []string{"COMPLIANCE mode", "1 year", "root user"}}}},
		{"both", comp1y, true, false, types.Int64Value(30), []want{
			{"noncurrent_version_retention_days", "Locked versions outlive the lifecycle retention", nil},
			{"media_force_destroy", "Destroy cannot finish while media versions are locked", nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := fakeConfig{"media_object_lock": tt.lock, "media_force_destroy": types.BoolValue(tt.force)}
			diags := objectLockProblems(t.Context(), config, types.BoolValue(tt.mfaDelete), tt.retention)
			if len(diags) != len(tt.want) {
				t.Fatalf("diagnostics %v, want %d", diags, len(tt.want))
			}
			for i, w := range tt.want {
				d, ok := diags[i].(diag.DiagnosticWithPath)
				if !ok || d.Severity() != diag.SeverityWarning || d.Summary() != w.summary || !d.Path().Equal(path.Root(w.attr)) {
					t.Errorf("diagnostic %d: %v, want a warning %q on %s", i, diags[i], w.summary, w.attr)
					continue
				}
				for _, part := range w.says {
					if !strings.Contains(d.Detail(), part) {
						t.Errorf("%q does not say %q:\n%s", w.summary, part, d.Detail())
					}
				}
			}
		})
	}
}

func TestMediaLockedDiagnostic(t *testing.T) {
	until := time.Date(2026, 12, 24, 9, 30, 0, 0, time.UTC)
	e := &s3api.MediaLockedError{Bucket: "pm-media", Static: "pm-static", Versions: 12,
		Locked:  bucketstate.LockedVersions{Count: 5, Governance: 3, Compliance: 1, LegalHolds: 2, LatestRetainUntil: until},
		Default: &bucketstate.LockRetention{Mode: bucketstate.LockGovernance, Days: 30}}
	diags := destroyPairFailed(nil, "pm-media", "pm-static", nil, e)
	if len(diags) != 1 || diags[0].Severity() != diag.SeverityError || diags[0].Summary() != "Media bucket holds locked versions" {
		t.Fatalf("diagnostics %v", diags)
	}
	for _, part := range []string{
		`5 object versions of the 12 object versions in the media bucket "pm-media"`,
		"3 versions under GOVERNANCE retention, 1 version under COMPLIANCE retention, 2 versions with a legal hold",
		"deleted nothing", `"pm-static" is untouched`, "2026-12-24T09:30:00Z",
		"remove it and apply first",
		"aws s3api delete-object --bucket pm-media --key <key> --version-id <id> --bypass-governance-retention",
		"the account's root user included",
		"--legal-hold Status=OFF", "terraform state rm",
	} {
		if !strings.Contains(diags[0].Detail(), part) {
			t.Errorf("the error does not say %q:\n%s", part, diags[0].Detail())
		}
	}

	// Only what locks the versions is explained.
	e.Locked, e.Default = bucketstate.LockedVersions{Count: 1, LegalHolds: 1}, nil
	detail := destroyPairFailed(nil, "pm-media", "pm-static", nil, e)[0].Detail()
	for _, part := range []string{"Only legal holds lock them", "no default retention any more", "Status=OFF"} {
		if !strings.Contains(detail, part) {
			t.Errorf("the error does not say %q:\n%s", part, detail)
		}
	}
	for _, absent := range []string{"bypass-governance-retention", "COMPLIANCE"} {
		if strings.Contains(detail, absent) {
			t.Errorf("the error for legal holds alone mentions %q:\n%s", absent, detail)
		}
	}
}

// --- acceptance tests ---

// withObjectLock is cfg with media_object_lock set to mode for days.
func withObjectLock(cfg pairConfig, mode string, days int) pairConfig {
	cfg.ResourceExtra += fmt.Sprintf("  media_object_lock = {\n    mode = %q\n    days = %d\n  }\n", mode, days)
	return cfg
}

// lockDiagLog records the pair's diagnostics, for the warnings terraform-plugin-testing does not expose.
func lockDiagLog() *diagLog { return &diagLog{typeName: "protectedmedia_bucket_pair"} }

// Created with Object Lock: the bucket has it, a locked version cannot be deleted through the S3 API, drift
// in the default retention is shown and repaired, a force destroy is refused with the count and deletes
// nothing, and removing the argument warns and leaves Object Lock on.
func TestAccBucketPair_objectLock(t *testing.T) {
	cfg := newPair(t)
	cfg.ForceDestroy = true
	locked := withObjectLock(cfg, bucketstate.LockGovernance, 1)
	gov1 := &bucketstate.LockRetention{Mode: bucketstate.LockGovernance, Days: 1}
	log := lockDiagLog()
	lockState := knownvalue.ObjectExact(map[string]knownvalue.Check{
		"mode": knownvalue.StringExact(bucketstate.LockGovernance), "days": knownvalue.Int64Exact(1), "years": knownvalue.Null(),
	})
	driftPrefix := fmt.Sprintf("media bucket %q: Object Lock is ", cfg.Media)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: log.factories(),
		CheckDestroy:             checkBucketsGone(cfg.Media, cfg.Static),
		Steps: []resource.TestStep{
			{
				Config: locked.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock"), lockState),
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkObjectLock(cfg.Media, bucketstate.ObjectLock{Enabled: true, Default: gov1}),
					checkObjectLock(cfg.Static, bucketstate.ObjectLock{}),
					checkVersioning(cfg.Media, bucketstate.VersioningEnabled),
					log.checkWarning("validate", "Destroy cannot finish while media versions are locked", func() []string {
						return []string{"GOVERNANCE mode", "1 day", "s3:BypassGovernanceRetention"}
					}),
					putObjectCheck(cfg.Media, "uploads/a.jpg", "first"),
					putObjectCheck(cfg.Media, "uploads/a.jpg", "second"),
					checkCurrentVersionLocked(cfg.Media, "uploads/a.jpg", bucketstate.LockGovernance),
					checkLockedVersionsRefused(t, cfg.Media, "uploads/a.jpg"),
				),
			},
			{
				ResourceName:            pairAddr,
				ImportState:             true,
				ImportStateId:           cfg.Media + "," + cfg.Static,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"media_force_destroy"},
			},
			{
				// Mode and period changed out of band: the refresh shows it, in the argument and in drift.
				PreConfig: func() {
					putLockConfig(t, cfg.Media, &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeCompliance, Days: aws.Int32(2)})
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pairAddr, "drift.#", "1"),
					resource.TestCheckResourceAttr(pairAddr, "drift.0", driftPrefix+
						"enabled with COMPLIANCE for 2 days retention, want enabled with GOVERNANCE for 1 day retention"),
					resource.TestCheckResourceAttr(pairAddr, "media_object_lock.mode", bucketstate.LockCompliance),
					resource.TestCheckResourceAttr(pairAddr, "media_object_lock.days", "2"),
				),
				RefreshPlanChecks: resource.RefreshPlanChecks{
					PostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate)},
				},
			},
			{
				// Apply puts it back.
				Config: locked.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock"), lockState),
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				},
				Check: checkObjectLock(cfg.Media, bucketstate.ObjectLock{Enabled: true, Default: gov1}),
			},
			{
				// The default retention removed out of band: planned back, and repaired.
				PreConfig: func() { putLockConfig(t, cfg.Media, nil) },
				Config:    locked.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock"), lockState),
					},
				},
				Check: checkObjectLock(cfg.Media, bucketstate.ObjectLock{Enabled: true, Default: gov1}),
			},
			{
				// A force destroy finds both versions locked, says so, and deletes nothing.
				Config:      locked.String(),
				Destroy:     true,
				ExpectError: errorText("Media bucket holds locked versions S3 Object Lock protects 2 object versions of the 2 object versions"),
			},
			{
				PreConfig: func() {
					must(t, checkContents(cfg.Media, s3api.Contents{Objects: 1, Versions: 2})(nil))
					if e, err := s3api.FindExistence(t.Context(), accEnv.Direct, cfg.Static); err != nil || e != s3api.OwnedByCaller {
						t.Fatalf("the static bucket is gone after a refused destroy (%v, %v)", e, err)
					}
					// What an administrator with s3:BypassGovernanceRetention can do, and the provider never does.
					unlockBucket(t, cfg.Media)
				},
				// The argument removed: a warning, no failure, the default retention gone and Object Lock still on.
				Config: cfg.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock"), knownvalue.Null()),
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					log.checkWarning("plan", "Object Lock stays on", func() []string {
						return []string{"GOVERNANCE for 1 day", "cannot turn Object Lock off", "retain-until dates"}
					}),
					checkObjectLock(cfg.Media, bucketstate.ObjectLock{Enabled: true}),
					// Not locked any more: the test's force destroy goes through the lock check and deletes it.
					putObjectCheck(cfg.Media, "uploads/later.jpg", "unlocked"),
					checkCurrentVersionLocked(cfg.Media, "uploads/later.jpg", ""),
				),
			},
		},
	})
}

// Turned on for an existing pair: versions written before stay unlocked, new ones are locked.
func TestAccBucketPair_objectLockOnExistingPair(t *testing.T) {
	cfg := newPair(t)
	cfg.ForceDestroy = true
	locked := withObjectLock(cfg, bucketstate.LockGovernance, 1)
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock"), knownvalue.Null()),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock_enabled"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjectLock(cfg.Media, bucketstate.ObjectLock{}),
				putObjectCheck(cfg.Media, "uploads/old.jpg", "before"),
			),
		},
		{
			Config: locked.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock_enabled"), knownvalue.Bool(true)),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_object_lock_enabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjectLock(cfg.Media, bucketstate.ObjectLock{Enabled: true, Default: &bucketstate.LockRetention{Mode: bucketstate.LockGovernance, Days: 1}}),
				checkCurrentVersionLocked(cfg.Media, "uploads/old.jpg", ""),
				putObjectCheck(cfg.Media, "uploads/new.jpg", "after"),
				checkCurrentVersionLocked(cfg.Media, "uploads/new.jpg", bucketstate.LockGovernance),
			),
		},
		{
			PreConfig: func() { unlockBucket(t, cfg.Media) },
			Config:    locked.String(),
		},
	})
}

// A restore's copy is a new version and gets the default retention; the changes data source reports each
// listed version's retain-until date.
func TestAccMediaRestore_objectLock(t *testing.T) {
	pair := withObjectLock(newRestorePair(t), bucketstate.LockGovernance, 1)
	m := media{t, pair.Media}
	cfg := restoreConfig{Pair: pair, Prefix: "media/"}
	pairOnly := cfg
	pairOnly.NoRestore = true
	changes := pairOnly
	changes.Changes = true
	var asOf string
	setup := func() {
		m.put("media/a.jpg", "original")
		asOf = markAsOf()
		m.put("media/a.jpg", "overwritten")
	}
	vars := asOfVars(&asOf)
	pairTest(t, pair, []resource.TestStep{
		{Config: pairOnly.String(), ConfigVariables: vars},
		{
			PreConfig:       setup,
			Config:          changes.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("overwritten"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"key":          knownvalue.StringExact("media/a.jpg"),
						"retain_until": knownvalue.StringFunc(aboutADayFromNow),
					}),
				})),
			},
		},
		{
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(1)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjects(m, map[string]string{"media/a.jpg": "original"}),
				// S3 applies the bucket's default retention to the copy, as to any new version.
				checkCurrentVersionLocked(pair.Media, "media/a.jpg", bucketstate.LockGovernance),
			),
		},
		{
			PreConfig:       func() { unlockBucket(t, pair.Media) },
			Config:          pairOnly.String(),
			ConfigVariables: vars,
		},
	})
}

// aboutADayFromNow checks an RFC 3339 time a one-day retention that began moments ago ends at.
func aboutADayFromNow(v string) error {
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return err
	}
	if d := time.Until(at); d < 23*time.Hour || d > 25*time.Hour {
		return fmt.Errorf("retain-until %s is %s from now, want about a day", v, d.Round(time.Minute))
	}
	return nil
}

// checkObjectLock reads the bucket's Object Lock straight from SeaweedFS.
func checkObjectLock(bucket string, want bucketstate.ObjectLock) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := s3api.FindObjectLock(context.Background(), accEnv.Direct, bucket)
		if err != nil {
			return err
		}
		if got.Enabled != want.Enabled || !bucketstate.ObjectLockMatches(want.Default, got) {
			return fmt.Errorf("%s Object Lock: %+v (default %v), want %+v (default %v)", bucket, got, got.Default, want, want.Default)
		}
		return nil
	}
}

// checkCurrentVersionLocked fails unless key's current version is under a retention in mode ending about a
// day from now, or, for mode "", under none.
func checkCurrentVersionLocked(bucket, key, mode string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		head, err := accEnv.Direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return err
		}
		lock, err := s3api.FindVersionLock(ctx, accEnv.Direct, bucket, key, aws.ToString(head.VersionId))
		if err != nil {
			return err
		}
		switch {
		case lock.Mode != mode:
			return fmt.Errorf("%s: retention mode %q, want %q", key, lock.Mode, mode)
		case mode == "":
			return nil
		}
		return aboutADayFromNow(lock.RetainUntil.UTC().Format(time.RFC3339))
	}
}

// checkLockedVersionsRefused deletes each version of key through the S3 API, as the bucket's owner and as the
// app, and fails unless S3 refuses every request with AccessDenied and every version is still there.
func checkLockedVersionsRefused(t *testing.T, bucket, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := t.Context()
		versions, err := accEnv.Direct.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
		if err != nil {
			return err
		}
		if len(versions.Versions) == 0 {
			return fmt.Errorf("%s has no version to try", key)
		}
		app := appClient(t)
		for _, v := range versions.Versions {
			id := aws.ToString(v.VersionId)
			_, err := accEnv.Direct.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: &id})
			if !accessDenied(err) {
				return fmt.Errorf("DeleteObject of locked version %s of %s by the owner: %v, want AccessDenied", id, key, err)
			}
			// The app's keys lack s3:BypassGovernanceRetention (app_policy_json denies it on AWS), so asking
			// for the bypass changes nothing.
			_, err = app.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: &id,
				BypassGovernanceRetention: aws.Bool(true)})
			if !accessDenied(err) {
				return fmt.Errorf("DeleteObject of locked version %s of %s by the app, asking for the bypass: %v, want AccessDenied", id, key, err)
			}
			out, err := accEnv.Direct.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket),
				Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String(key), VersionId: &id}}, Quiet: aws.Bool(true)}})
			if err != nil || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
				return fmt.Errorf("DeleteObjects of locked version %s: %v %+v, want AccessDenied for the key", id, err, out)
			}
		}
		after, err := accEnv.Direct.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
		if err != nil {
			return err
		}
		if len(after.Versions) != len(versions.Versions) {
			return fmt.Errorf("%d versions of %s after the refused deletes, want %d", len(after.Versions), key, len(versions.Versions))
		}
		return nil
	}
}

// putLockConfig sets the bucket's Object Lock configuration out of band: d as the default retention, none
// for nil.
func putLockConfig(t *testing.T, bucket string, d *s3types.DefaultRetention) {
	t.Helper()
	cfg := &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled}
	if d != nil {
		cfg.Rule = &s3types.ObjectLockRule{DefaultRetention: d}
	}
	_, err := accEnv.Direct.PutObjectLockConfiguration(t.Context(), &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket), ObjectLockConfiguration: cfg})
	must(t, err)
}

// unlockBucket deletes every version and delete marker with the governance retention bypassed, after lifting
// any legal hold: what an administrator with s3:BypassGovernanceRetention and s3:PutObjectLegalHold can do,
// and the provider never does. The tests lock in GOVERNANCE mode only: COMPLIANCE could not be undone.
func unlockBucket(t *testing.T, bucket string) {
	t.Helper()
	ctx := t.Context()
	out, err := accEnv.Direct.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	must(t, err)
	var ids []s3types.ObjectIdentifier
	for _, v := range out.Versions {
		_, err := accEnv.Direct.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId,
			LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOff}})
		must(t, err)
		ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
	}
	for _, d := range out.DeleteMarkers {
		ids = append(ids, s3types.ObjectIdentifier{Key: d.Key, VersionId: d.VersionId})
	}
	if len(ids) == 0 {
		return
	}
	res, err := accEnv.Direct.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), BypassGovernanceRetention: aws.Bool(true),
		Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
	must(t, err)
	if len(res.Errors) > 0 {
		t.Fatalf("deleting with the governance retention bypassed: %s %s", aws.ToString(res.Errors[0].Code), aws.ToString(res.Errors[0].Message))
	}
}
