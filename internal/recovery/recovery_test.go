package recovery

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// asOf is the point in time of every table; versions are stamped relative to it, in whole seconds as S3
// stamps them.
var asOf = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func at(seconds int) time.Time { return asOf.Add(time.Duration(seconds) * time.Second) }

// obj and marker build entries of key "k"; latest marks S3's IsLatest.
func obj(id string, seconds int, etag string, size int64) Version {
	return Version{Key: "k", VersionID: id, LastModified: at(seconds), ETag: `"` + etag + `"`, Size: size, StorageClass: "STANDARD"}
}

func marker(id string, seconds int) Version {
	return Version{Key: "k", VersionID: id, IsDeleteMarker: true, LastModified: at(seconds)}
}

func latest(v Version) Version { v.IsLatest = true; return v }

func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		asOf    time.Time // zero: asOf
		entries []Version // oldest first; the test hands them over as S3 would (see interleave)
		want    Change
		atAsOf  string   // version ID current at as_of; "" = absent
		after   []string // entries newer than as_of, newest first
	}{
		{"untouched before as_of", time.Time{}, []Version{latest(obj("v1", -60, "a", 1))}, Unchanged, "v1", nil},
		{"written exactly at as_of counts as before", time.Time{}, []Version{latest(obj("v1", 0, "a", 1))}, Unchanged, "v1", nil},
		{"written a second after as_of", time.Time{}, []Version{latest(obj("v1", 1, "a", 1))}, CreatedAfter, "", []string{"v1"}},
		{"deleted after as_of", time.Time{}, []Version{obj("v1", -60, "a", 1), latest(marker("m1", 1))}, DeletedAfter, "v1", []string{"m1"}},
		{"deleted exactly at as_of counts as before", time.Time{}, []Version{obj("v1", -60, "a", 1), latest(marker("m1", 0))}, Unchanged, "", nil},
		{"deleted before as_of, absent then and now", time.Time{}, []Version{obj("v1", -60, "a", 1), latest(marker("m1", -1))}, Unchanged, "", nil},
		{"overwritten after as_of", time.Time{}, []Version{obj("v1", -60, "a", 1), latest(obj("v2", 5, "b", 2))}, OverwrittenAfter, "v1", []string{"v2"}},
		{"overwritten with identical content", time.Time{}, []Version{obj("v1", -60, "a", 1), latest(obj("v2", 5, "a", 1))}, Unchanged, "v1", []string{"v2"}},
		{"same ETag, other size is other content", time.Time{}, []Version{obj("v1", -60, "a", 1), latest(obj("v2", 5, "a", 2))}, OverwrittenAfter, "v1", []string{"v2"}},
		{"already restored by copy", time.Time{}, []Version{obj("v1", -60, "a", 1), obj("v2", 5, "b", 2), latest(obj("v3", 9, "a", 1))}, Unchanged, "v1", []string{"v3", "v2"}},
		{"deleted, then restored by copy", time.Time{}, []Version{obj("v1", -60, "a", 1), marker("m1", 5), latest(obj("v2", 9, "a", 1))}, Unchanged, "v1", []string{"v2", "m1"}},
		{"overwritten twice then deleted", time.Time{}, []Version{obj("v1", -60, "a", 1), obj("v2", -30, "b", 2), obj("v3", 3, "c", 3), marker("m1", 4), latest(marker("m2", 8))}, DeletedAfter, "v2", []string{"m2", "m1", "v3"}},
		{"re-created after a delete before as_of", time.Time{}, []Version{obj("v1", -60, "a", 1), marker("m1", -30), latest(obj("v2", 3, "a", 1))}, CreatedAfter, "", []string{"v2"}},
		{"created and deleted after as_of", time.Time{}, []Version{obj("v1", 2, "a", 1), latest(marker("m1", 3))}, Unchanged, "", []string{"m1", "v1"}},
		{
			// Upload and delete in the same second, both before as_of: the marker is taken as newer.
			"same-second upload and delete before as_of", time.Time{},
			[]Version{obj("v0", -60, "z", 9), obj("v1", -1, "a", 1), marker("m1", -1), latest(obj("v2", 4, "b", 2))},
			CreatedAfter, "", []string{"v2"},
		},
		{
			// Two versions in one second: S3's listing order (newest first) decides.
			"two versions in the same second", time.Time{},
			[]Version{obj("older", -1, "b", 2), obj("newer", -1, "a", 1), latest(obj("vC", 3, "c", 3))},
			OverwrittenAfter, "newer", []string{"vC"},
		},
		{
			// S3's IsLatest wins over a clock that went backwards.
			"IsLatest is authoritative", time.Time{},
			[]Version{obj("v1", 10, "a", 1), latest(obj("v2", -5, "b", 2))},
			Unchanged, "v2", nil,
		},
		{
			"as_of with a fraction of a second", asOf.Add(500 * time.Millisecond),
			[]Version{obj("v1", 0, "a", 1), latest(marker("m1", 1))},
			DeletedAfter, "v1", []string{"m1"},
		},
		{
			"as_of in another time zone", asOf.In(time.FixedZone("CEST", 2*3600)),
			[]Version{obj("v1", 0, "a", 1), latest(obj("v2", 1, "b", 1))},
			OverwrittenAfter, "v1", []string{"v2"},
		},
		{"pre-versioning null version", time.Time{}, []Version{obj("null", -600, "a", 1), latest(marker("m1", 2))}, DeletedAfter, "null", []string{"m1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			when := tc.asOf
			if when.IsZero() {
				when = asOf
			}
			// The order entries arrive in must not matter beyond the documented tie rules: shuffle keeping
			// the relative order of each list (object versions, delete markers) as S3 gives it.
			for range 5 {
				ks := Classify(when, interleave(tc.entries))
				if ks.Change != tc.want {
					t.Fatalf("change = %v, want %v", ks.Change, tc.want)
				}
				got := ""
				if ks.AtAsOf != nil {
					got = ks.AtAsOf.VersionID
				}
				if got != tc.atAsOf {
					t.Fatalf("version at as_of = %q, want %q", got, tc.atAsOf)
				}
				if ids := versionIDs(ks.After); !slices.Equal(ids, tc.after) {
					t.Fatalf("after = %v, want %v", ids, tc.after)
				}
				if !ks.Current.IsLatest {
					t.Fatalf("current %v is not the latest", ks.Current)
				}
			}
		})
	}
}

// interleave merges the object versions and delete markers of entries in a random way that keeps each
// list's own order, as two SDK lists put together would.
func interleave(entries []Version) []Version {
	var objs, marks []Version
	for _, v := range entries {
		if v.IsDeleteMarker {
			marks = append(marks, v)
		} else {
			objs = append(objs, v)
		}
	}
	// The tables list entries oldest first; S3 lists each kind newest first.
	slices.Reverse(objs)
	slices.Reverse(marks)
	var out []Version
	for len(objs)+len(marks) > 0 {
		if len(marks) == 0 || (len(objs) > 0 && rand.IntN(2) == 0) {
			out, objs = append(out, objs[0]), objs[1:]
		} else {
			out, marks = append(out, marks[0]), marks[1:]
		}
	}
	return out
}

func versionIDs(vs []Version) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.VersionID)
	}
	return ids
}

func TestClassifyLastObject(t *testing.T) {
	ks := Classify(asOf, []Version{obj("v1", -60, "a", 1), obj("v2", 2, "b", 2), marker("m1", 3), latest(marker("m2", 4))})
	if ks.LastObject == nil || ks.LastObject.VersionID != "v2" {
		t.Fatalf("last object = %v, want v2 (the content that was deleted)", ks.LastObject)
	}
	if ks := Classify(asOf, []Version{latest(marker("m1", 3))}); ks.LastObject != nil || ks.Change != Unchanged {
		t.Fatalf("a key with only a delete marker: %+v", ks)
	}
	if ks := Classify(asOf, nil); ks.Key != "" {
		t.Fatalf("no entries: %+v", ks)
	}
}

func TestMaybeRestored(t *testing.T) {
	// A multipart upload copied on AWS gets a plain ETag: same size, other ETag.
	ks := Classify(asOf, []Version{obj("v1", -60, "abc-2", 100), obj("v2", 5, "zzz", 7), latest(obj("v3", 9, "def", 100))})
	if ks.Change != OverwrittenAfter || !ks.MaybeRestored() {
		t.Fatalf("change %v, maybe restored %t: want overwritten and maybe restored", ks.Change, ks.MaybeRestored())
	}
	ks.ConfirmRestored()
	if ks.Change != Unchanged {
		t.Fatalf("after ConfirmRestored: %v", ks.Change)
	}
	other := Classify(asOf, []Version{obj("v1", -60, "abc-2", 100), latest(obj("v2", 5, "zzz", 99))})
	if other.MaybeRestored() {
		t.Fatal("a version of another size cannot be a restore")
	}
	deleted := Classify(asOf, []Version{obj("v1", -60, "a", 1), latest(marker("m", 5))})
	deleted.ConfirmRestored()
	if deleted.MaybeRestored() || deleted.Change != DeletedAfter {
		t.Fatalf("a deleted key is never a completed restore: %+v", deleted)
	}
}

func TestActionFor(t *testing.T) {
	deleted := []Version{obj("v1", -60, "a", 1), marker("m1", 2), latest(marker("m2", 3))}
	overwritten := []Version{obj("v1", -60, "a", 1), latest(obj("v2", 2, "b", 2))}
	overwrittenThenDeleted := []Version{obj("v1", -60, "a", 1), obj("v2", 2, "b", 2), latest(marker("m1", 3))}
	created := []Version{latest(obj("v1", 2, "a", 1))}
	big := []Version{obj("v1", -60, "a", MaxCopySize+1), latest(marker("m1", 2))}
	archived := []Version{{Key: "k", VersionID: "v1", LastModified: at(-60), ETag: `"a"`, Size: 1, StorageClass: "DEEP_ARCHIVE"}, latest(marker("m1", 2))}
	copyOpts := Options{Method: MethodCopy}
	markerOpts := Options{Method: MethodRemoveDeleteMarkers}

	tests := []struct {
		name     string
		entries  []Version
		opts     Options
		wantOK   bool
		kind     ActionKind
		source   string
		markers  []string
		blocked  string
		wantKind Change
	}{
		{"deleted, copy", deleted, copyOpts, true, CopyVersion, "v1", nil, "", DeletedAfter},
		{"deleted, remove markers", deleted, markerOpts, true, RemoveDeleteMarkers, "v1", []string{"m2", "m1"}, "", DeletedAfter},
		{"overwritten, remove markers still copies", overwritten, markerOpts, true, CopyVersion, "v1", nil, "", OverwrittenAfter},
		{"overwritten then deleted, remove markers copies", overwrittenThenDeleted, markerOpts, true, CopyVersion, "v1", nil, "", DeletedAfter},
		{"created after as_of is left alone", created, copyOpts, false, 0, "", nil, "", CreatedAfter},
		{"created after as_of, delete_created_after", created, Options{Method: MethodCopy, DeleteCreatedAfter: true}, true, LayDeleteMarker, "", nil, "", CreatedAfter},
		{"unchanged", []Version{latest(obj("v1", -60, "a", 1))}, Options{Method: MethodCopy, DeleteCreatedAfter: true}, false, 0, "", nil, "", Unchanged},
		{"over 5 GiB cannot be copied", big, copyOpts, true, CopyVersion, "v1", nil, "larger than 5 GiB", DeletedAfter},
		{"over 5 GiB, markers removed instead", big, markerOpts, true, RemoveDeleteMarkers, "v1", []string{"m1"}, "", DeletedAfter},
		{"archived cannot be copied", archived, copyOpts, true, CopyVersion, "v1", nil, "DEEP_ARCHIVE", DeletedAfter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := Classify(asOf, tc.entries)
			if ks.Change != tc.wantKind {
				t.Fatalf("change %v, want %v", ks.Change, tc.wantKind)
			}
			a, ok := ActionFor(ks, tc.opts)
			if ok != tc.wantOK {
				t.Fatalf("ok = %t, want %t (%+v)", ok, tc.wantOK, a)
			}
			if !ok {
				return
			}
			if a.Kind != tc.kind || a.Source.VersionID != tc.source || !slices.Equal(a.Markers, tc.markers) || a.Key != "k" {
				t.Fatalf("action %v source %q markers %v, want %v %q %v", a.Kind, a.Source.VersionID, a.Markers, tc.kind, tc.source, tc.markers)
			}
			if (tc.blocked == "") != (a.Blocked == "") || !strings.Contains(a.Blocked, tc.blocked) {
				t.Fatalf("blocked %q, want containing %q", a.Blocked, tc.blocked)
			}
		})
	}
}

// After the action is carried out, the key classifies as unchanged: restores are idempotent.
func TestActionThenUnchanged(t *testing.T) {
	for _, m := range []Method{MethodCopy, MethodRemoveDeleteMarkers} {
		for name, entries := range map[string][]Version{
			"deleted":     {obj("v1", -60, "a", 1), latest(marker("m1", 2))},
			"overwritten": {obj("v1", -60, "a", 1), latest(obj("v2", 2, "b", 2))},
		} {
			t.Run(string(m)+"/"+name, func(t *testing.T) {
				a, ok := ActionFor(Classify(asOf, entries), Options{Method: m})
				if !ok {
					t.Fatal("no action")
				}
				after := apply(entries, a, 10)
				if ks := Classify(asOf, after); ks.Change != Unchanged {
					t.Fatalf("after %v: %v", a.Kind, ks.Change)
				}
				if _, ok := ActionFor(Classify(asOf, after), Options{Method: m}); ok {
					t.Fatal("a second restore would act again")
				}
			})
		}
	}
}

// apply simulates S3 carrying out a on a key's entries at second now.
func apply(entries []Version, a Action, now int) []Version {
	var out []Version
	for _, v := range entries {
		if a.Kind == RemoveDeleteMarkers && slices.Contains(a.Markers, v.VersionID) {
			continue
		}
		v.IsLatest = false
		out = append(out, v)
	}
	switch a.Kind {
	case CopyVersion:
		c := a.Source
		c.VersionID, c.LastModified, c.IsLatest = "copy", at(now), true
		out = append(out, c)
	case LayDeleteMarker:
		out = append(out, latest(marker("new-marker", now)))
	case RemoveDeleteMarkers:
		newest := Sorted(out)[0].VersionID
		for i := range out {
			out[i].IsLatest = out[i].VersionID == newest
		}
	}
	return out
}

func TestScanner(t *testing.T) {
	mk := func(key, id string) Version { return Version{Key: key, VersionID: id} }
	pages := [][]Version{
		{mk("a", "1"), mk("b", "1"), mk("b", "2")},
		{mk("b", "3"), mk("c", "1"), mk("c", "2")}, // b spans pages; c continues
		{mk("c", "3")},
		{mk("d", "1"), mk("e/f g", "1"), mk("e/f g", "2"), mk("d", "m")}, // markers come after versions
	}
	var got []string
	emit := func(key string, vs []Version) error {
		got = append(got, key+"="+strings.Join(versionIDs(vs), ","))
		return nil
	}
	var s Scanner
	for i, p := range pages {
		if err := s.Page(p, emit); err != nil {
			t.Fatal(err)
		}
		if i == 0 && !slices.Equal(got, []string{"a=1"}) {
			t.Fatalf("after the first page: %v (b may continue)", got)
		}
	}
	if err := s.Flush(emit); err != nil {
		t.Fatal(err)
	}
	want := []string{"a=1", "b=1,2,3", "c=1,2,3", "d=1,m", "e/f g=1,2"}
	if !slices.Equal(got, want) {
		t.Fatalf("emitted %v, want %v", got, want)
	}
	if err := s.Flush(emit); err != nil || len(got) != len(want) {
		t.Fatalf("a second flush emitted again: %v %v", got, err)
	}
	stop := fmt.Errorf("stop")
	var s2 Scanner
	if err := s2.Page(pages[0], func(string, []Version) error { return stop }); err != stop {
		t.Fatalf("emit error not returned: %v", err)
	}
}

func TestSample(t *testing.T) {
	s := NewSample(3, strings.Compare)
	for _, k := range rand.Perm(50) {
		s.Add(fmt.Sprintf("k%02d", k))
	}
	if got := s.Items(); !slices.Equal(got, []string{"k00", "k01", "k02"}) {
		t.Fatalf("sample %v", got)
	}
	empty := NewSample(0, strings.Compare)
	empty.Add("x")
	if len(empty.Items()) != 0 {
		t.Fatal("a zero-size sample kept an item")
	}
}

func TestTally(t *testing.T) {
	tally := NewTally(2)
	opts := Options{Method: MethodCopy}
	add := func(key string, entries ...Version) {
		for i := range entries {
			entries[i].Key = key
		}
		ks := Classify(asOf, entries)
		a, ok := ActionFor(ks, opts)
		tally.Add(ks, a, ok)
	}
	add("d2", obj("v1", -60, "a", 1), latest(marker("m1", 2)))
	add("d1", obj("v1", -60, "a", 1), latest(marker("m1", 2)))
	add("o1", obj("v1", -60, "a", 1), latest(obj("v2", 2, "b", 2)))
	add("c1", latest(obj("v1", 2, "a", 1)))
	add("u1", latest(obj("v1", -2, "a", 1)))
	add("big", obj("v1", -60, "a", MaxCopySize+1), latest(marker("m1", 2)))
	if tally.Deleted != 3 || tally.Overwritten != 1 || tally.CreatedAfter != 1 || tally.Unchanged != 1 {
		t.Fatalf("counts %+v", tally)
	}
	if tally.Pending != 3 || !slices.Equal(tally.PendingKeys.Items(), []string{"d1", "d2"}) {
		t.Fatalf("pending %d %v, want 3 [d1 d2]", tally.Pending, tally.PendingKeys.Items())
	}
	if tally.BlockedCount != 1 || tally.Blocked.Items()[0].Key != "big" {
		t.Fatalf("blocked %d %v", tally.BlockedCount, tally.Blocked.Items())
	}
}

func TestChanges(t *testing.T) {
	c := NewChanges(asOf, 1)
	add := func(key string, entries ...Version) {
		for i := range entries {
			entries[i].Key = key
		}
		c.Add(Classify(asOf, entries))
	}
	add("del-b", obj("v1", -60, "a", 1), latest(marker("m1", 2)))
	add("del-a", obj("v1", -60, "a", 1), obj("v2", 1, "b", 5), latest(marker("m1", 2)))
	add("created-then-deleted", obj("v1", 1, "a", 1), latest(marker("m1", 2)))
	add("deleted-before", obj("v1", -60, "a", 1), latest(marker("m1", -5)))
	add("marker-only", latest(marker("m1", 5)))
	add("over", obj("v1", -60, "a", 1), latest(obj("v2", 3, "b", 2)))
	add("created", latest(obj("v1", 3, "b", 2)))
	add("same", latest(obj("v1", -3, "b", 2)))
	if c.DeletedCount != 3 || c.OverwrittenCount != 1 || c.CreatedCount != 1 || c.Keys != 8 {
		t.Fatalf("counts deleted %d overwritten %d created %d keys %d", c.DeletedCount, c.OverwrittenCount, c.CreatedCount, c.Keys)
	}
	d := c.Deleted.Items()
	if len(d) != 1 || d[0].Key != "created-then-deleted" || d[0].ExistedAtSince || d[0].Version.VersionID != "v1" || d[0].Marker.VersionID != "m1" {
		t.Fatalf("deleted sample %+v", d)
	}
	if !c.Truncated() {
		t.Fatal("not truncated")
	}
	full := NewChanges(asOf, 10)
	for _, e := range [][]Version{
		{obj("v1", -60, "a", 1), obj("v2", 1, "b", 5), latest(marker("m1", 2))},
	} {
		full.Add(Classify(asOf, e))
	}
	got := full.Deleted.Items()[0]
	if !got.ExistedAtSince || got.Version.VersionID != "v2" {
		t.Fatalf("deleted entry %+v: want the last content (v2) and existed at since", got)
	}
	if full.Truncated() {
		t.Fatal("truncated")
	}
}

func TestSeenAt(t *testing.T) {
	// Deleted at +10 (before the plan at +20), then overwritten at +30 and deleted again at +40 while the
	// plan waited for its apply.
	history := []Version{
		obj("v1", -60, "a", 1), marker("m1", 10), obj("v2", 30, "b", 2), latest(marker("m2", 40)),
	}
	tests := []struct {
		name   string
		seenAt int
		want   []string
		change Change
	}{
		{"at the plan: only the first delete", 20, []string{"v1", "m1"}, DeletedAfter},
		{"stamped exactly at the bound counts", 30, []string{"v1", "m1", "v2"}, OverwrittenAfter},
		{"after everything: the whole history", 50, []string{"v1", "m1", "v2", "m2"}, DeletedAfter},
		{"before the key existed: nothing", -61, nil, Unchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := SeenAt(at(tt.seenAt), history)
			if got := versionIDs(seen); !slices.Equal(got, tt.want) {
				t.Fatalf("SeenAt = %v, want %v", got, tt.want)
			}
			if len(seen) == 0 {
				return
			}
			if ks := Classify(asOf, seen); ks.Change != tt.change {
				t.Errorf("classified as %v, want %v", ks.Change, tt.change)
			}
		})
	}
	if len(history) != 4 || history[3].VersionID != "m2" {
		t.Error("SeenAt changed its argument")
	}
}

// What the listing tells of an archived version decides whether a restore can copy it: an archive class
// without a completed, unexpired restore blocks the copy (and says why); a restore in progress blocks it in
// any class; INTELLIGENT_TIERING is copyable as far as the listing can tell; removing markers copies nothing.
func TestActionForArchived(t *testing.T) {
	now := at(3600)
	version := func(class string, inProgress bool, restoredUntil time.Time, size int64) []Version {
		v := obj("v1", -60, "a", size)
		v.StorageClass, v.RestoreInProgress, v.RestoredUntil = class, inProgress, restoredUntil
		return []Version{v, latest(marker("m1", 2))}
	}
	copyAt := Options{Method: MethodCopy, Now: now}
	tests := []struct {
		name          string
		entries       []Version
		opts          Options
		kind          ActionKind
		blocked       string // a part of Blocked; "" = not blocked
		wantArchived  bool
		wantCopyClass string
	}{
		{"standard", version("STANDARD", false, time.Time{}, 1), copyAt, CopyVersion, "", false, ""},
		{"Glacier Instant Retrieval is not archived", version("GLACIER_IR", false, time.Time{}, 1), copyAt, CopyVersion, "", false, "GLACIER_IR"},
		{"Glacier, never restored", version(ClassGlacier, false, time.Time{}, 1), copyAt, CopyVersion, "in the GLACIER storage class and not restored from the archive", true, ""},
		{"Deep Archive, never restored", version(ClassDeepArchive, false, time.Time{}, 1), copyAt, CopyVersion, "in the DEEP_ARCHIVE storage class and not restored", true, ""},
		{"Glacier, restore in progress", version(ClassGlacier, true, time.Time{}, 1), copyAt, CopyVersion, "its restore from the archive has not completed yet", true, ""},
		{"Deep Archive, restored until tomorrow", version(ClassDeepArchive, false, now.Add(24*time.Hour), 1), copyAt, CopyVersion, "", false, ""},
		{"Glacier, restored copy expired", version(ClassGlacier, false, now.Add(-time.Second), 1), copyAt, CopyVersion, "its copy restored from the archive expired at 2026-11-28T12:59:59Z", true, ""},
		{"Glacier, restored copy expires at now", version(ClassGlacier, false, now, 1), copyAt, CopyVersion, "expired", true, ""},
		{"Glacier, restored, no clock", version(ClassGlacier, false, now.Add(-time.Hour), 1), Options{Method: MethodCopy}, CopyVersion, "", false, ""},
		{"Intelligent-Tiering: the listing cannot tell", version(ClassIntelligentTiering, false, time.Time{}, 1), copyAt, CopyVersion, "", false, ClassIntelligentTiering},
		{"Intelligent-Tiering, restore in progress", version(ClassIntelligentTiering, true, time.Time{}, 1), copyAt, CopyVersion, "in the INTELLIGENT_TIERING storage class, and its restore from the archive has not completed yet", true, ClassIntelligentTiering},
		{"archived and too large: the archive first", version(ClassGlacier, false, time.Time{}, MaxCopySize+1), copyAt, CopyVersion, "not restored from the archive", true, ""},
		{"restored but too large", version(ClassGlacier, false, now.Add(time.Hour), MaxCopySize+1), copyAt, CopyVersion, "larger than 5 GiB", false, ""},
		{"archived, markers removed instead", version(ClassDeepArchive, false, time.Time{}, 1), Options{Method: MethodRemoveDeleteMarkers, Now: now}, RemoveDeleteMarkers, "", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := ActionFor(Classify(asOf, tc.entries), tc.opts)
			if !ok || a.Kind != tc.kind {
				t.Fatalf("action %v (ok %t), want %v", a.Kind, ok, tc.kind)
			}
			if (tc.blocked == "") != (a.Blocked == "") || !strings.Contains(a.Blocked, tc.blocked) {
				t.Fatalf("blocked %q, want containing %q", a.Blocked, tc.blocked)
			}
			if a.Archived != tc.wantArchived {
				t.Fatalf("archived %t, want %t", a.Archived, tc.wantArchived)
			}
			if got := CopyStorageClass(a.Source); got != tc.wantCopyClass {
				t.Fatalf("copy storage class %q, want %q", got, tc.wantCopyClass)
			}
		})
	}
}

// A copy S3 refused with InvalidObjectState becomes a blocked, archived action saying why, whatever the
// listing said of the class.
func TestCopyRefused(t *testing.T) {
	for class, want := range map[string]string{
		ClassIntelligentTiering: "in an archive access tier of the INTELLIGENT_TIERING storage class (S3 refused the copy: InvalidObjectState)",
		ClassGlacier:            "in the GLACIER storage class, and no copy restored from the archive is left (S3 refused the copy: InvalidObjectState)",
		"STANDARD":              "archived and not restored from the archive (S3 refused the copy: InvalidObjectState)",
	} {
		a := CopyRefused(Action{Kind: CopyVersion, Key: "k", Source: Version{Key: "k", VersionID: "v1", StorageClass: class}})
		if a.Blocked != want || !a.Archived || a.Kind != CopyVersion || a.Source.VersionID != "v1" {
			t.Errorf("%s: %+v, want blocked %q", class, a, want)
		}
	}
}

// A refusal at apply time moves the key from the pending to the blocked ones, and is counted as such.
func TestTallyRefuse(t *testing.T) {
	tally := NewTally(10)
	for _, key := range []string{"a", "b", "c"} {
		entries := []Version{obj("v1", -60, "a", 1), latest(marker("m1", 2))}
		for i := range entries {
			entries[i].Key = key
		}
		entries[0].StorageClass = ClassIntelligentTiering
		ks := Classify(asOf, entries)
		a, ok := ActionFor(ks, Options{Method: MethodCopy, Now: at(60)})
		tally.Add(ks, a, ok)
		if key == "b" {
			tally.Refuse(CopyRefused(a))
		}
	}
	if tally.Pending != 2 || !slices.Equal(tally.PendingKeys.Items(), []string{"a", "c"}) {
		t.Fatalf("pending %d %v, want 2 [a c]", tally.Pending, tally.PendingKeys.Items())
	}
	if tally.BlockedCount != 1 || tally.Refused != 1 || tally.Blocked.Items()[0].Key != "b" || !tally.Blocked.Items()[0].Archived {
		t.Fatalf("blocked %d refused %d %+v", tally.BlockedCount, tally.Refused, tally.Blocked.Items())
	}
	if tally.Deleted != 3 {
		t.Fatalf("deleted %d: a refusal changes what the key is, not what happened to it", tally.Deleted)
	}
}

func TestSampleRemove(t *testing.T) {
	s := NewSample(3, strings.Compare)
	for _, k := range []string{"c", "a", "b", "d"} {
		s.Add(k)
	}
	s.Remove("b")
	s.Remove("x") // not held: nothing happens
	if got := s.Items(); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("sample %v, want [a c]", got)
	}
}
