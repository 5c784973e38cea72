package recovery

import (
	"slices"
	"time"
)

// Method is how a deleted object is brought back.
type Method string

const (
	// MethodCopy copies the version that was current at as_of on top, as a new current version. It keeps
	// the whole history (the delete marker or the unwanted version stays, below the copy) and needs no
	// permanent delete, so it also works on a bucket with MFA Delete.
	MethodCopy Method = "copy"
	// MethodRemoveDeleteMarkers removes the delete markers laid after as_of when they are the only
	// entries after it, so the old version becomes current again without a new copy. Removing a marker is a
	// permanent delete of that marker (never of object data): S3 refuses it under MFA Delete without a
	// code. Keys overwritten after as_of are still restored by copy.
	MethodRemoveDeleteMarkers Method = "remove_delete_markers"
)

// Methods are the accepted methods, default first: the validator and the documentation use this list.
var Methods = []string{string(MethodCopy), string(MethodRemoveDeleteMarkers), string(MethodBatchOperations)}

// Options say what a restore does.
type Options struct {
	Method Method
	// DeleteCreatedAfter lays a delete marker on every key that was absent at as_of and holds an object
	// now, so the prefix looks exactly as it did at as_of. The objects stay as noncurrent versions.
	DeleteCreatedAfter bool
	// Now is when the restore runs: a restored copy of an archived version that expired before then no
	// longer makes the version copyable. Zero takes every restored copy S3 lists as readable.
	Now time.Time
}

// ActionKind is what the S3 layer does for one key.
type ActionKind int

const (
	// CopyVersion copies Source onto the key, as the new current version.
	CopyVersion ActionKind = iota + 1
	// RemoveDeleteMarkers deletes the delete markers Markers (version IDs, newest first).
	RemoveDeleteMarkers
	// LayDeleteMarker deletes the key without a version ID, which in a versioned bucket only lays a marker.
	LayDeleteMarker
)

func (k ActionKind) String() string {
	switch k {
	case CopyVersion:
		return "copy version"
	case RemoveDeleteMarkers:
		return "remove delete markers"
	case LayDeleteMarker:
		return "lay delete marker"
	}
	return "no action"
}

// MaxCopySize is the largest object CopyObject copies in one request (5 GiB); larger ones need a
// multipart copy, which the provider does not do.
const MaxCopySize = 5 << 30

// The storage classes whose versions may be archived. A version in GLACIER or DEEP_ARCHIVE is copyable only
// while a copy restored from the archive (RestoreObject) exists, which ListObjectVersions reports as its
// RestoreStatus. An INTELLIGENT_TIERING version is not copyable while it sits in one of the class's archive
// access tiers, which no listing reports: a copy refused with InvalidObjectState is the only sign (see
// CopyRefused). GLACIER_IR (Glacier Instant Retrieval) copies like any other class.
const (
	ClassGlacier            = "GLACIER"
	ClassDeepArchive        = "DEEP_ARCHIVE"
	ClassIntelligentTiering = "INTELLIGENT_TIERING"
)

// archiveClasses are the classes whose every version is archived until restored.
var archiveClasses = []string{ClassGlacier, ClassDeepArchive}

// Action is what it takes to put one key back as it was at as_of.
type Action struct {
	Kind   ActionKind
	Key    string
	Change Change
	// Source is the version to copy (CopyVersion) or the version that becomes current again
	// (RemoveDeleteMarkers); zero for LayDeleteMarker.
	Source Version
	// Markers are the delete markers to remove (RemoveDeleteMarkers), newest first.
	Markers []string
	// Blocked says why S3 would refuse the action ("" when it can be done): the provider reports such
	// keys and leaves them alone rather than failing the whole restore.
	Blocked string
	// Archived says Blocked is because Source is archived and not restored: once a restore from the
	// archive (RestoreObject) has completed, the version can be copied, and restoring again restores it.
	Archived bool
}

// ActionFor returns the action that puts a key back as it was at as_of, and false when there is none:
// the key is unchanged, or was created after as_of and the options keep such keys.
func ActionFor(ks KeyState, o Options) (Action, bool) {
	a := Action{Key: ks.Key, Change: ks.Change}
	switch ks.Change {
	case DeletedAfter, OverwrittenAfter:
		a.Source = *ks.AtAsOf
		if o.Method == MethodRemoveDeleteMarkers && onlyMarkers(ks.After) {
			a.Kind = RemoveDeleteMarkers
			for _, v := range ks.After {
				a.Markers = append(a.Markers, v.VersionID)
			}
			return a, true // no copy: nothing stops it for size or storage class
		}
		a.Kind = CopyVersion
		a.Blocked, a.Archived = copyBlocked(a.Source, o.Now)
		return a, true
	case CreatedAfter:
		if o.DeleteCreatedAfter {
			a.Kind = LayDeleteMarker
			return a, true
		}
	}
	return Action{}, false
}

func onlyMarkers(vs []Version) bool {
	return len(vs) > 0 && !slices.ContainsFunc(vs, func(v Version) bool { return !v.IsDeleteMarker })
}

// copyBlocked says why S3 would refuse to copy v at now, and whether that is because v is archived.
func copyBlocked(v Version, now time.Time) (reason string, archived bool) {
	if reason := archivedReason(v, now); reason != "" {
		return reason, true
	}
	if v.Size > MaxCopySize {
		return "larger than 5 GiB, the most S3 copies in one request: download the version (aws s3api get-object --version-id ...) and upload it again (aws s3 cp uploads in parts)", false
	}
	return "", false
}

// archivedReason says why v, if archived, cannot be copied at now; "" when it can, as far as the listing
// tells.
func archivedReason(v Version, now time.Time) string {
	inClass := "in the " + v.StorageClass + " storage class"
	switch {
	case v.RestoreInProgress && (slices.Contains(archiveClasses, v.StorageClass) || v.StorageClass == ClassIntelligentTiering):
		return inClass + ", and its restore from the archive has not completed yet"
	case !slices.Contains(archiveClasses, v.StorageClass):
		return "" // INTELLIGENT_TIERING: the listing does not say whether it is in an archive tier
	case v.RestoredUntil.IsZero():
		return inClass + " and not restored from the archive"
	case !now.IsZero() && !now.Before(v.RestoredUntil):
		return inClass + ", and its copy restored from the archive expired at " + v.RestoredUntil.UTC().Format(time.RFC3339)
	}
	return "" // restored, and the restored copy is still there
}

// CopyRefused returns a, a CopyVersion action that S3 refused because its source is archived (403
// InvalidObjectState), as a blocked action saying why. That refusal is how an INTELLIGENT_TIERING version in
// an archive access tier shows, which no listing reports, and a version whose restored copy expired after
// it was listed.
func CopyRefused(a Action) Action {
	a.Archived = true
	const refused = " (S3 refused the copy: InvalidObjectState)"
	switch {
	case a.Source.StorageClass == ClassIntelligentTiering:
		a.Blocked = "in an archive access tier of the INTELLIGENT_TIERING storage class" + refused
	case slices.Contains(archiveClasses, a.Source.StorageClass):
		a.Blocked = "in the " + a.Source.StorageClass + " storage class, and no copy restored from the archive is left" + refused
	default:
		a.Blocked = "archived and not restored from the archive" + refused
	}
	return a
}

// CopyStorageClass is the storage class a restoring copy of v is written in, "" for the bucket's default
// (STANDARD): v's own, so that a restore keeps what a lifecycle rule or an upload chose, except for GLACIER
// and DEEP_ARCHIVE. A copy in those would be archived again at once, so the site could not read the file it
// just got back: it goes to STANDARD, as AWS advises for a permanent copy of a restored object.
func CopyStorageClass(v Version) string {
	if v.StorageClass == "STANDARD" || slices.Contains(archiveClasses, v.StorageClass) {
		return ""
	}
	return v.StorageClass
}
