package recovery

import (
	"slices"
	"strings"
	"time"
)

// Tally counts what a restore finds and keeps a bounded, sorted sample of the keys it will change, for a
// plan that must stay readable with 10,000 keys. Keys may be added in any order; the sample is always the
// first keys in key order. It is not safe for concurrent use.
type Tally struct {
	Deleted, Overwritten, CreatedAfter, Unchanged int
	// Pending counts the keys the restore changes (actions that are not blocked).
	Pending     int
	PendingKeys Sample[string]
	// Blocked are the actions S3 would refuse (see Action.Blocked), sampled; BlockedCount counts them all.
	Blocked      Sample[Action]
	BlockedCount int
	// Refused counts the blocked actions that S3 refused only when they were carried out (see Refuse):
	// they were counted as pending first, so Pending + Refused is what a listing alone would count.
	Refused int
}

// NewTally returns a tally keeping at most limit pending keys and limit blocked actions.
func NewTally(limit int) *Tally {
	return &Tally{
		PendingKeys: NewSample(limit, strings.Compare),
		Blocked:     NewSample(limit, func(a, b Action) int { return strings.Compare(a.Key, b.Key) }),
	}
}

// Add counts one key and the action it needs (ok false: none).
func (t *Tally) Add(ks KeyState, a Action, ok bool) {
	switch ks.Change {
	case DeletedAfter:
		t.Deleted++
	case OverwrittenAfter:
		t.Overwritten++
	case CreatedAfter:
		t.CreatedAfter++
	default:
		t.Unchanged++
	}
	switch {
	case !ok:
	case a.Blocked != "":
		t.BlockedCount++
		t.Blocked.Add(a)
	default:
		t.Pending++
		t.PendingKeys.Add(a.Key)
	}
}

// Refuse moves an action counted as pending to the blocked ones: S3 refused it when it was carried out
// (a is CopyRefused's result). The pending sample may then hold fewer keys than its limit while more are
// pending: a key it dropped for this one is not known any more.
func (t *Tally) Refuse(a Action) {
	t.Pending--
	t.PendingKeys.Remove(a.Key)
	t.Refused++
	t.BlockedCount++
	t.Blocked.Add(a)
}

// Sample keeps the smallest limit items seen, sorted by cmp.
type Sample[T any] struct {
	limit int
	cmp   func(a, b T) int
	items []T
}

// NewSample returns an empty sample of at most limit items.
func NewSample[T any](limit int, cmp func(a, b T) int) Sample[T] {
	return Sample[T]{limit: max(limit, 0), cmp: cmp}
}

// Add offers one item.
func (s *Sample[T]) Add(v T) {
	i, _ := slices.BinarySearchFunc(s.items, v, s.cmp)
	if i >= s.limit {
		return
	}
	s.items = slices.Insert(s.items, i, v)
	if len(s.items) > s.limit {
		s.items = s.items[:s.limit]
	}
}

// Remove drops the item that compares equal to v, if the sample holds one.
func (s *Sample[T]) Remove(v T) {
	if i, found := slices.BinarySearchFunc(s.items, v, s.cmp); found {
		s.items = slices.Delete(s.items, i, i+1)
	}
}

// Items returns the sample in order.
func (s Sample[T]) Items() []T { return slices.Clone(s.items) }

// DeletedObject is a key whose current version is a delete marker laid after since.
type DeletedObject struct {
	Key string
	// Version is the newest object version before the delete: the content that was deleted.
	Version Version
	// Marker is the current delete marker.
	Marker Version
	// ExistedAtSince is true when the key held an object at since, so a restore with as_of = since brings
	// it back. A key created and deleted after since needs an as_of between the two.
	ExistedAtSince bool
}

// OverwrittenObject is a key that held an object at since and holds other content now.
type OverwrittenObject struct {
	Key string
	// AtSince is the version that was current at since; Current the current one.
	AtSince, Current Version
}

// Changes is what changed under a prefix since a point in time, with bounded lists and full counts. It is
// not safe for concurrent use.
type Changes struct {
	Since            time.Time
	Deleted          Sample[DeletedObject]
	DeletedCount     int
	Overwritten      Sample[OverwrittenObject]
	OverwrittenCount int
	CreatedCount     int
	// Keys counts every key under the prefix that has any version.
	Keys int
}

// NewChanges returns an empty report keeping at most limit entries in each list.
func NewChanges(since time.Time, limit int) *Changes {
	return &Changes{
		Since:       since,
		Deleted:     NewSample(limit, func(a, b DeletedObject) int { return strings.Compare(a.Key, b.Key) }),
		Overwritten: NewSample(limit, func(a, b OverwrittenObject) int { return strings.Compare(a.Key, b.Key) }),
	}
}

// Add records one key, classified with as_of = since.
func (c *Changes) Add(ks KeyState) {
	c.Keys++
	cur := ks.Current
	switch {
	case cur.IsDeleteMarker && cur.LastModified.After(c.Since) && ks.LastObject != nil:
		c.DeletedCount++
		c.Deleted.Add(DeletedObject{Key: ks.Key, Version: *ks.LastObject, Marker: cur, ExistedAtSince: ks.Change == DeletedAfter})
	case ks.Change == OverwrittenAfter:
		c.OverwrittenCount++
		c.Overwritten.Add(OverwrittenObject{Key: ks.Key, AtSince: *ks.AtAsOf, Current: cur})
	case ks.Change == CreatedAfter:
		c.CreatedCount++
	}
}

// Truncated reports whether a list holds fewer entries than its count.
func (c *Changes) Truncated() bool {
	return len(c.Deleted.items) < c.DeletedCount || len(c.Overwritten.items) < c.OverwrittenCount
}
