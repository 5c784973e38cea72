package recovery

// Restoring from another bucket's history: a replica of the media bucket keeps the versions the media bucket
// may have lost (permanently deleted, or gone with the bucket). The replica says what each key held at as_of;
// the media bucket says what it holds now.

import "time"

// ClassifyFromSource computes one key's state from two histories: source, the entries of a bucket that kept
// the key's history (a replica), and target, the entries of the bucket restored into. What the key held at
// as_of is taken from source alone; what it holds now from target alone. Either may be empty: a key the
// target lost entirely is DeletedAfter when source had it at as_of, and a key source never had is
// CreatedAfter when target holds it now.
//
// The state's AtAsOf is source's version, to copy from source; Current, LastObject and After describe target
// (After is empty: the delete markers of target have nothing to do with source's versions, so restoring
// never removes them and always copies). Content is compared as Classify compares it (SameContent): a
// replica keeps its source's ETag, and so does a copy of it, except with SSE-KMS or multipart objects, for
// which a restored copy carries RestoredFromTag (MaybeRestored).
func ClassifyFromSource(asOf time.Time, source, target []Version) KeyState {
	var ks KeyState
	if len(source) > 0 {
		ks = Classify(asOf, source)
	}
	atAsOf := ks.AtAsOf
	ks = KeyState{AtAsOf: atAsOf}
	if len(target) > 0 {
		sorted := Sorted(target)
		ks.Key, ks.Current = sorted[0].Key, sorted[0]
		for _, v := range sorted {
			if !v.IsDeleteMarker {
				ks.LastObject = &v
				break
			}
		}
	} else if len(source) > 0 {
		ks.Key = source[0].Key
	}
	present := len(target) > 0 && !ks.Current.IsDeleteMarker
	switch {
	case atAsOf == nil && !present:
		ks.Change = Unchanged // absent then and now
	case atAsOf == nil:
		ks.Change = CreatedAfter
	case !present:
		ks.Change = DeletedAfter
	case SameContent(ks.Current, *atAsOf):
		ks.Change = Unchanged
	default:
		ks.Change = OverwrittenAfter
	}
	return ks
}
