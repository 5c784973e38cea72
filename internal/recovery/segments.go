package recovery

// Listing a large prefix in parallel: S3 lists one page after another, each request naming where the last
// one stopped, so one listing is one chain of round trips. A listing with a delimiter ("/") answers one level
// of the key tree instead: the keys directly under the prefix, and the common prefixes below it, in the same
// order as a full listing would meet them. Each common prefix can then be listed on its own, side by side,
// and the pages handed on in that order are the pages of the full listing: the keys of a common prefix
// sort together, before every key that sorts after the prefix and after every key before it.

import (
	"slices"
	"strings"
)

// Segment is one contiguous range of a listing, in key order: either entries already listed (the keys directly
// under a level, with every one of their versions), or a Prefix still to be listed whole.
type Segment struct {
	Entries []Version
	Prefix  string
	// List says the segment is Prefix, to list; otherwise it is Entries.
	List bool
}

// LevelSegments orders one level of a delimited listing: entries (the versions and delete markers of the keys
// directly under the level, in the order S3 listed them) and prefixes (its common prefixes) become the segments
// a full listing of the level would meet, in its order. Consecutive keys form one Entries segment; within a
// key, S3's order of its entries is kept.
func LevelSegments(entries []Version, prefixes []string) []Segment {
	entries = slices.Clone(entries)
	slices.SortStableFunc(entries, func(a, b Version) int { return strings.Compare(a.Key, b.Key) })
	prefixes = slices.Clone(prefixes)
	slices.Sort(prefixes)
	prefixes = slices.Compact(prefixes)
	var out []Segment
	for len(entries) > 0 || len(prefixes) > 0 {
		// A key and a prefix never tie: a key directly under the level holds no delimiter past it, and a
		// common prefix ends with one, so a key that sorts before the prefix sorts before all its keys.
		if len(prefixes) == 0 || len(entries) > 0 && entries[0].Key < prefixes[0] {
			n := len(entries)
			if len(prefixes) > 0 {
				n, _ = slices.BinarySearchFunc(entries, prefixes[0], func(v Version, p string) int { return strings.Compare(v.Key, p) })
			}
			out = append(out, Segment{Entries: entries[:n:n]})
			entries = entries[n:]
			continue
		}
		out = append(out, Segment{Prefix: prefixes[0], List: true})
		prefixes = prefixes[1:]
	}
	return out
}

// ToList counts the segments still to be listed.
func ToList(segments []Segment) int {
	n := 0
	for _, s := range segments {
		if s.List {
			n++
		}
	}
	return n
}

// SoleParent is the directory (the key up to its last "/", "" at the top) that every entry's key is directly
// in; false when they are in more than one, or there are none.
func SoleParent(entries []Version) (string, bool) {
	if len(entries) == 0 {
		return "", false
	}
	parent := entries[0].Key[:strings.LastIndex(entries[0].Key, "/")+1]
	for _, e := range entries[1:] {
		if e.Key[:strings.LastIndex(e.Key, "/")+1] != parent {
			return "", false
		}
	}
	return parent, true
}
