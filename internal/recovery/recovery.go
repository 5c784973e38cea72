// Package recovery decides, from the version history S3 keeps in a versioned bucket, what changed under a
// prefix since a point in time and what it takes to put every object back as it was then. It is pure logic
// (standard library only): the S3 layer feeds it plain version records and carries out the actions it
// returns, so every rule here is unit-tested without a server.
//
// Times: S3 stamps versions and delete markers to the whole second (ListObjectVersions on AWS and on
// SeaweedFS). A change stamped at or before as_of counts as before it, so a change made in the same
// second as as_of is taken to precede it. Users should choose as_of at least a second before the accident.
package recovery

import (
	"cmp"
	"slices"
	"time"
)

// Version is one entry of ListObjectVersions: an object version or a delete marker.
type Version struct {
	Key            string
	VersionID      string
	IsDeleteMarker bool
	IsLatest       bool
	LastModified   time.Time
	Size           int64  // 0 for a delete marker
	ETag           string // as S3 lists it, quotes included; "" for a delete marker
	StorageClass   string // "" for a delete marker
	// RestoreInProgress and RestoredUntil are S3's RestoreStatus of an archived version (listed only when
	// asked for): a restore from the archive was requested and has not completed; or it has, and the
	// restored copy can be read, and so copied, until RestoredUntil. Both are zero when S3 reported no
	// restore.
	RestoreInProgress bool
	RestoredUntil     time.Time
}

// Change is what happened to one key between as_of and now.
type Change int

const (
	// Unchanged: the key holds the content it held at as_of, or it was absent then and is absent now.
	Unchanged Change = iota
	// DeletedAfter: an object existed at as_of and the key's current version is a delete marker.
	DeletedAfter
	// OverwrittenAfter: an object existed at as_of and a version with other content is current now.
	OverwrittenAfter
	// CreatedAfter: the key was absent at as_of (no version yet, or a delete marker) and holds an object now.
	CreatedAfter
)

func (c Change) String() string {
	switch c {
	case Unchanged:
		return "unchanged"
	case DeletedAfter:
		return "deleted after as_of"
	case OverwrittenAfter:
		return "overwritten after as_of"
	case CreatedAfter:
		return "created after as_of"
	}
	return "unknown change"
}

// KeyState is one key's history seen from as_of.
type KeyState struct {
	Key    string
	Change Change
	// Current is the key's current version (the newest entry): an object version or a delete marker.
	Current Version
	// AtAsOf is the object version that was current at as_of; nil when the key was absent then.
	AtAsOf *Version
	// LastObject is the newest object version, whatever its time; nil when the key never held an object.
	// For a deleted key it is the content that was deleted.
	LastObject *Version
	// After are the entries newer than as_of, newest first.
	After []Version
}

// SameContent reports whether two object versions hold the same bytes, as far as S3's listing can tell:
// equal size and equal ETag. A copy of a single-part object made by CopyObject keeps the source's ETag
// (unless the object is encrypted with SSE-KMS or SSE-C); a copy of a multipart upload gets a new one on
// AWS, which is why restores of such objects are also recognised by a tag (see MaybeRestored).
func SameContent(a, b Version) bool {
	return !a.IsDeleteMarker && !b.IsDeleteMarker && a.ETag != "" && a.ETag == b.ETag && a.Size == b.Size
}

// Classify computes one key's state at as_of and now from all its entries (in the order S3 listed them:
// object versions before delete markers within a page, each newest first).
//
// S3 lists object versions and delete markers of a key newest first, but the SDK hands them over as two
// lists and the timestamps have one-second resolution, so entries are ordered by time, newest first, and
// ties are broken: the entry S3 flags as latest first; then a delete marker before an object version (in
// the same second, "uploaded, then deleted" is what happens; treating the marker as newer never brings
// back a file that may have been deleted before as_of); then S3's own order within each list.
func Classify(asOf time.Time, entries []Version) KeyState {
	if len(entries) == 0 {
		return KeyState{}
	}
	sorted := Sorted(entries)
	ks := KeyState{Key: sorted[0].Key, Current: sorted[0]}
	at := len(sorted)
	for i, v := range sorted {
		if !v.LastModified.After(asOf) {
			at = i
			break
		}
	}
	ks.After = sorted[:at:at]
	if at < len(sorted) && !sorted[at].IsDeleteMarker {
		v := sorted[at]
		ks.AtAsOf = &v
	}
	for _, v := range sorted {
		if !v.IsDeleteMarker {
			ks.LastObject = &v
			break
		}
	}

	switch {
	case ks.AtAsOf == nil && ks.Current.IsDeleteMarker:
		ks.Change = Unchanged // absent then and now
	case ks.AtAsOf == nil:
		ks.Change = CreatedAfter
	case ks.Current.IsDeleteMarker:
		ks.Change = DeletedAfter
	case ks.Current.VersionID == ks.AtAsOf.VersionID, SameContent(ks.Current, *ks.AtAsOf):
		ks.Change = Unchanged
	default:
		ks.Change = OverwrittenAfter
	}
	return ks
}

// SeenAt returns the entries of one key that existed at t: those stamped at or before it, by the same rule
// as as_of. Classifying them gives the key's state as a listing made at t showed it, so a plan bounded by
// t does not change when the key changes later. No entry left means the key did not exist yet.
func SeenAt(t time.Time, entries []Version) []Version {
	return slices.DeleteFunc(slices.Clone(entries), func(v Version) bool { return v.LastModified.After(t) })
}

// Sorted returns a copy of one key's entries, newest first, with the tie rules of Classify.
func Sorted(entries []Version) []Version {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b Version) int {
		if c := b.LastModified.Compare(a.LastModified); c != 0 {
			return c
		}
		if c := cmpTrueFirst(a.IsLatest, b.IsLatest); c != 0 {
			return c
		}
		return cmpTrueFirst(a.IsDeleteMarker, b.IsDeleteMarker)
	})
	// S3's IsLatest is authoritative for which entry is current, whatever the clocks said.
	if i := slices.IndexFunc(sorted, func(v Version) bool { return v.IsLatest }); i > 0 {
		latest := sorted[i]
		copy(sorted[1:i+1], sorted[:i])
		sorted[0] = latest
	}
	return sorted
}

func cmpTrueFirst(a, b bool) int {
	return cmp.Compare(boolRank(b), boolRank(a))
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MaybeRestored reports whether an overwritten key might in fact be a completed restore whose copy S3 gave
// a new ETag (multipart uploads on AWS, SSE-KMS): the current version is the same size as the version at
// as_of. Only then is it worth asking S3 for the restore tag the copy carries (RestoredFromTag).
func (ks KeyState) MaybeRestored() bool {
	return ks.Change == OverwrittenAfter && ks.AtAsOf != nil && ks.Current.Size == ks.AtAsOf.Size
}

// ConfirmRestored records that the current version is a restore of the version at as_of (its restore tag
// names that version): the key is as it was at as_of.
func (ks *KeyState) ConfirmRestored() {
	if ks.Change == OverwrittenAfter {
		ks.Change = Unchanged
	}
}

// RestoredFromTag is the object tag a restoring copy carries when its ETag differs from its source's. Its
// value is the version ID the copy was made from.
const RestoredFromTag = "protectedmedia-restored-from"
