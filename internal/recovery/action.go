package recovery

import "slices"

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
var Methods = []string{string(MethodCopy), string(MethodRemoveDeleteMarkers)}

// Options say what a restore does.
type Options struct {
	Method Method
	// DeleteCreatedAfter lays a delete marker on every key that was absent at as_of and holds an object
	// now, so the prefix looks exactly as it did at as_of. The objects stay as noncurrent versions.
	DeleteCreatedAfter bool
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

// archiveClasses are storage classes whose versions S3 refuses to copy until they are restored from the
// archive (RestoreObject). Glacier Instant Retrieval copies like any other class.
var archiveClasses = []string{"GLACIER", "DEEP_ARCHIVE"}

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
		a.Blocked = copyBlocked(a.Source)
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

func copyBlocked(v Version) string {
	switch {
	case v.Size > MaxCopySize:
		return "larger than 5 GiB, the most S3 copies in one request: download the version (aws s3api get-object --version-id ...) and upload it again (aws s3 cp uploads in parts)"
	case slices.Contains(archiveClasses, v.StorageClass):
		return "in the " + v.StorageClass + " storage class: restore the version from the archive first (aws s3api restore-object --version-id ...), then apply again"
	}
	return ""
}
