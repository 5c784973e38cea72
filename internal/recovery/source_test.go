package recovery

import "testing"

// ClassifyFromSource takes the past from the replica and the present from the media bucket, whatever history
// the media bucket has left.
func TestClassifyFromSource(t *testing.T) {
	// The replica's history of k: version r1 (etag a) until as_of, then r2 (etag b) replicated after it.
	replica := []Version{obj("r1", -60, "a", 1), latest(obj("r2", 5, "b", 2))}
	tests := []struct {
		name          string
		source        []Version
		target        []Version
		want          Change
		atAsOf        string // source's version at as_of; "" = none
		current       string // target's current entry; "" = none
		copiesRestore bool   // ActionFor copies the source's version
	}{
		{"target lost every version", replica, nil, DeletedAfter, "r1", "", true},
		{"target's versions deleted, a marker left", replica, []Version{latest(marker("m1", 9))}, DeletedAfter, "r1", "m1", true},
		// The media bucket's own copy of r1 is the same content (a replica keeps the ETag).
		{"target holds the content", replica, []Version{obj("v1", -60, "a", 1), latest(obj("v2", 5, "b", 2)), obj("v3", 7, "a", 1)},
			OverwrittenAfter, "r1", "v2", true},
		{"target holds it as current", replica, []Version{latest(obj("v1", -60, "a", 1))}, Unchanged, "r1", "v1", false},
		{"target restored from the replica", replica, []Version{marker("m1", 3), latest(obj("c1", 9, "a", 1))}, Unchanged, "r1", "c1", false},
		{"target overwritten", replica, []Version{latest(obj("v9", 9, "z", 5))}, OverwrittenAfter, "r1", "v9", true},
		{"replica had nothing at as_of, target has it", []Version{latest(obj("r2", 5, "b", 2))}, []Version{latest(obj("v2", 5, "b", 2))}, CreatedAfter, "", "v2", false},
		{"key only on the target", nil, []Version{latest(obj("v1", -60, "a", 1))}, CreatedAfter, "", "v1", false},
		{"replica had it deleted by as_of, target too", []Version{obj("r1", -60, "a", 1), latest(marker("rm", -5))}, nil, Unchanged, "", "", false},
		{"replica had it deleted by as_of, target holds it", []Version{obj("r1", -60, "a", 1), latest(marker("rm", -5))},
			[]Version{latest(obj("v1", -60, "a", 1))}, CreatedAfter, "", "v1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks := ClassifyFromSource(asOf, tt.source, tt.target)
			if ks.Change != tt.want || ks.Key != "k" {
				t.Errorf("Change = %v (key %q), want %v", ks.Change, ks.Key, tt.want)
			}
			if got := versionID(ks.AtAsOf); got != tt.atAsOf {
				t.Errorf("AtAsOf = %q, want the replica's %q", got, tt.atAsOf)
			}
			if ks.Current.VersionID != tt.current {
				t.Errorf("Current = %q, want the target's %q", ks.Current.VersionID, tt.current)
			}
			if len(ks.After) != 0 {
				t.Errorf("After = %v, want none: the target's markers are never removed for a source's version", ks.After)
			}
			// Whatever the method, a restore from another bucket copies: no delete marker of the target is removed.
			for _, m := range []Method{MethodCopy, MethodRemoveDeleteMarkers} {
				a, ok := ActionFor(ks, Options{Method: m})
				copies := ok && a.Kind == CopyVersion && a.Source.VersionID == tt.atAsOf
				if copies != tt.copiesRestore || (ok && a.Kind == RemoveDeleteMarkers) {
					t.Errorf("method %s: action %+v (%t), want a copy of %q: %t", m, a, ok, tt.atAsOf, tt.copiesRestore)
				}
			}
		})
	}
}

func versionID(v *Version) string {
	if v == nil {
		return ""
	}
	return v.VersionID
}
