package bucketstate

// When a change to the media bucket is a write S3 guards with MFA Delete. Plans decide it from the last
// refresh and the configuration, to ask for a code before apply; apply decides it again from a fresh read.

// PlannedMFAWrite says whether applying a plan makes a write S3 guards with MFA Delete, and which, in words
// for the plan's messages ("enables MFA Delete on the media bucket"). creating is a new pair; priorMFA and
// priorVersioning are the media bucket's MFA Delete and versioning as the last refresh read them; wantMFA is
// the configuration's mfa_delete.
func PlannedMFAWrite(creating, priorMFA, wantMFA bool, priorVersioning string) (what string, guarded bool) {
	switch {
	case creating && wantMFA:
		return "creates a media bucket with MFA Delete", true
	case creating:
		return "", false
	case priorMFA != wantMFA && wantMFA:
		return "enables MFA Delete on the media bucket", true
	case priorMFA != wantMFA:
		return "disables MFA Delete on the media bucket", true
	case priorMFA && priorVersioning != VersioningEnabled:
		return "repairs versioning on a media bucket with MFA Delete", true
	}
	return "", false
}

// NeedsMFA reports whether repairing drifts on a bucket is a write S3 guards with an MFA code: a change
// of MFA Delete itself, or any versioning change while MFA Delete is on.
func NeedsMFA(observed *Settings, drifts []Drift) bool {
	for _, d := range drifts {
		switch d.Setting {
		case SettingMFADelete:
			return true
		case SettingVersioning:
			if observed != nil && observed.MFADelete {
				return true
			}
		}
	}
	return false
}
