package bucketstate

import "testing"

func TestPlannedMFAWrite(t *testing.T) {
	tests := []struct {
		name                        string
		creating, priorMFA, wantMFA bool
		priorVersioning             string
		want                        string
	}{
		{"new pair without MFA Delete", true, false, false, "", ""},
		{"new pair with MFA Delete", true, false, true, "", "creates a media bucket with MFA Delete"},
		{"turning it on", false, false, true, VersioningEnabled, "enables MFA Delete on the media bucket"},
		{"turning it off", false, true, false, VersioningEnabled, "disables MFA Delete on the media bucket"},
		{"on and versioning suspended out of band", false, true, true, VersioningSuspended, "repairs versioning on a media bucket with MFA Delete"},
		{"on and the bucket gone (no versioning read)", false, true, true, "", "repairs versioning on a media bucket with MFA Delete"},
		{"on and nothing to repair", false, true, true, VersioningEnabled, ""},
		{"off and versioning suspended: no code needed", false, false, false, VersioningSuspended, ""},
		// Turned on out of band and still wanted off: the plan turns it off, which needs the code.
		{"on out of band, wanted off", false, true, false, VersioningSuspended, "disables MFA Delete on the media bucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			what, guarded := PlannedMFAWrite(tt.creating, tt.priorMFA, tt.wantMFA, tt.priorVersioning)
			if what != tt.want || guarded != (tt.want != "") {
				t.Errorf("PlannedMFAWrite = %q, %t; want %q, %t", what, guarded, tt.want, tt.want != "")
			}
		})
	}
}

func TestNeedsMFA(t *testing.T) {
	d := func(s Setting) Drift { return Drift{Role: Media, Bucket: mediaBucket, Setting: s} }
	mfaOn := &Settings{Versioning: VersioningEnabled, MFADelete: true}
	mfaOff := &Settings{Versioning: VersioningEnabled}
	tests := []struct {
		name     string
		observed *Settings
		drifts   []Drift
		want     bool
	}{
		{"no drift", mfaOn, nil, false},
		{"MFA delete drifts", mfaOff, []Drift{d(SettingMFADelete)}, true},
		{"MFA delete drifts after others", mfaOff, []Drift{d(SettingTags), d(SettingMFADelete)}, true},
		{"versioning while MFA delete is on", mfaOn, []Drift{d(SettingVersioning)}, true},
		{"versioning while MFA delete is off", mfaOff, []Drift{d(SettingVersioning)}, false},
		{"other settings while MFA delete is on", mfaOn, []Drift{d(SettingPolicy), d(SettingTags), d(SettingPublicAccessBlock)}, false},
		{"bucket absent", nil, []Drift{d(SettingExistence)}, false},
		{"versioning, nothing observed", nil, []Drift{d(SettingVersioning)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsMFA(tt.observed, tt.drifts); got != tt.want {
				t.Errorf("NeedsMFA = %v, want %v", got, tt.want)
			}
		})
	}
}
