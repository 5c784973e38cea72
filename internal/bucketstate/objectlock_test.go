package bucketstate

import (
	"slices"
	"testing"
	"time"
)

// observedLocked is the media bucket exactly as desired, Object Lock included: on with want's default
// retention, or off when want has none.
func observedLocked(want Desired) *Settings {
	s := observedAs(want)
	if want.ObjectLock != nil {
		r := *want.ObjectLock
		s.ObjectLock = ObjectLock{Enabled: true, Default: &r}
	}
	return s
}

func TestObjectLockMatches(t *testing.T) {
	gov30 := &LockRetention{Mode: LockGovernance, Days: 30}
	tests := []struct {
		name     string
		want     *LockRetention
		observed ObjectLock
		match    bool
	}{
		{"none wanted, bucket without Object Lock", nil, ObjectLock{}, true},
		// S3 cannot turn Object Lock off: a bucket that has it and no default retention is all the pair can ask.
		{"none wanted, Object Lock on without default", nil, ObjectLock{Enabled: true}, true},
		{"none wanted, a default retention", nil, ObjectLock{Enabled: true, Default: gov30}, false},
		{"wanted, the same", gov30, ObjectLock{Enabled: true, Default: &LockRetention{Mode: LockGovernance, Days: 30}}, true},
		{"wanted, bucket without Object Lock", gov30, ObjectLock{}, false},
		{"wanted, Object Lock on without default", gov30, ObjectLock{Enabled: true}, false},
		{"wanted, another mode", gov30, ObjectLock{Enabled: true, Default: &LockRetention{Mode: LockCompliance, Days: 30}}, false},
		{"wanted, another period", gov30, ObjectLock{Enabled: true, Default: &LockRetention{Mode: LockGovernance, Days: 31}}, false},
		// A year is not 365 days to S3 (it counts calendar years): another configuration.
		{"wanted in days, years on S3", &LockRetention{Mode: LockGovernance, Days: 365}, ObjectLock{Enabled: true, Default: &LockRetention{Mode: LockGovernance, Years: 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ObjectLockMatches(tt.want, tt.observed); got != tt.match {
				t.Errorf("ObjectLockMatches = %t, want %t", got, tt.match)
			}
		})
	}
}

// Object Lock is one drift line on the media bucket, saying what S3 has and what the pair wants.
func TestDiffObjectLock(t *testing.T) {
	want := MediaDesired(mediaBucket, mediaARN, false, nil, Retention{}, nil)
	want.ObjectLock = &LockRetention{Mode: LockGovernance, Days: 30}
	if d := Diff(want, observedLocked(want)); len(d) != 0 {
		t.Fatalf("a bucket exactly as desired drifts: %v", Strings(d))
	}
	tests := []struct {
		name     string
		want     *LockRetention
		observed ObjectLock
		line     string
	}{
		{"never enabled", want.ObjectLock, ObjectLock{},
			`media bucket "pm-media": Object Lock is disabled, want enabled with GOVERNANCE for 30 days retention`},
		{"default retention removed out of band", want.ObjectLock, ObjectLock{Enabled: true},
			`media bucket "pm-media": Object Lock is enabled without default retention, want enabled with GOVERNANCE for 30 days retention`},
		{"mode changed out of band", want.ObjectLock, ObjectLock{Enabled: true, Default: &LockRetention{Mode: LockCompliance, Days: 30}},
			`media bucket "pm-media": Object Lock is enabled with COMPLIANCE for 30 days retention, want enabled with GOVERNANCE for 30 days retention`},
		{"period changed out of band", want.ObjectLock, ObjectLock{Enabled: true, Default: &LockRetention{Mode: LockGovernance, Years: 1}},
			`media bucket "pm-media": Object Lock is enabled with GOVERNANCE for 1 year retention, want enabled with GOVERNANCE for 30 days retention`},
		{"argument removed", nil, ObjectLock{Enabled: true, Default: &LockRetention{Mode: LockGovernance, Days: 1}},
			`media bucket "pm-media": Object Lock is enabled with GOVERNANCE for 1 day retention, want no default retention`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := want
			w.ObjectLock = tt.want
			observed := observedAs(w)
			observed.ObjectLock = tt.observed
			drifts := Diff(w, observed)
			if got := Strings(drifts); !slices.Equal(got, []string{tt.line}) {
				t.Errorf("drift:\n got  %q\n want %q", got, tt.line)
			}
			if got := SettingsOf(drifts); !slices.Equal(got, []Setting{SettingObjectLock}) {
				t.Errorf("settings to repair = %v, want only %s", got, SettingObjectLock)
			}
		})
	}
	// The static bucket's Object Lock is never read nor wanted: nothing to compare.
	static := StaticDesired(staticBucket, staticARN, true, nil, Retention{})
	if d := Diff(static, observedAs(static)); len(d) != 0 {
		t.Errorf("the static bucket drifts: %v", Strings(d))
	}
}

func TestLifecycleOutlivedByLock(t *testing.T) {
	tests := []struct {
		name           string
		noncurrentDays int
		lock           *LockRetention
		want           bool
	}{
		{"no lock", 30, nil, false},
		{"versions kept forever", 0, &LockRetention{Mode: LockGovernance, Days: 30}, false},
		{"expired sooner than locked", 7, &LockRetention{Mode: LockGovernance, Days: 30}, true},
		{"expired when the lock ends", 30, &LockRetention{Mode: LockGovernance, Days: 30}, false},
		{"expired later", 90, &LockRetention{Mode: LockCompliance, Days: 30}, false},
		{"a year is at least 365 days", 364, &LockRetention{Mode: LockCompliance, Years: 1}, true},
		{"a year is at most what S3 keeps", 365, &LockRetention{Mode: LockCompliance, Years: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LifecycleOutlivedByLock(tt.noncurrentDays, tt.lock); got != tt.want {
				t.Errorf("LifecycleOutlivedByLock(%d, %v) = %t, want %t", tt.noncurrentDays, tt.lock, got, tt.want)
			}
		})
	}
}

func TestLockedVersions(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	versions := []VersionLock{
		{}, // never locked
		{Mode: LockGovernance, RetainUntil: now.Add(-time.Second)}, // retention past: deletable
		{Mode: LockGovernance, RetainUntil: now.Add(2 * day)},
		{Mode: LockCompliance, RetainUntil: now.Add(9 * day)},
		{Mode: LockCompliance, RetainUntil: now.Add(day)},
		{LegalHold: true}, // no date: held until someone lifts it
		{Mode: LockGovernance, RetainUntil: now.Add(-day), LegalHold: true}, // retention past, still held
		{Mode: LockCompliance, RetainUntil: now},                            // ends exactly now: deletable
	}
	var got LockedVersions
	for _, v := range versions {
		got.Add(v, now)
	}
	want := LockedVersions{Count: 5, Governance: 1, Compliance: 2, LegalHolds: 2, LatestRetainUntil: now.Add(9 * day)}
	if got != want {
		t.Errorf("tally:\n got  %+v\n want %+v", got, want)
	}

	var held LockedVersions
	held.Add(VersionLock{LegalHold: true}, now)
	if held.Count != 1 || !held.LatestRetainUntil.IsZero() {
		t.Errorf("legal holds alone: %+v, want one version and no retain-until date", held)
	}
}

func TestLockRetentionString(t *testing.T) {
	for r, want := range map[LockRetention]string{
		{Mode: LockGovernance, Days: 1}:   "GOVERNANCE for 1 day",
		{Mode: LockGovernance, Days: 30}:  "GOVERNANCE for 30 days",
		{Mode: LockCompliance, Years: 1}:  "COMPLIANCE for 1 year",
		{Mode: LockCompliance, Years: 10}: "COMPLIANCE for 10 years",
	} {
		if got := r.String(); got != want {
			t.Errorf("%+v: %q, want %q", r, got, want)
		}
	}
}
