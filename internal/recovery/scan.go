package recovery

import (
	"slices"
	"strings"
)

// Scanner turns ListObjectVersions pages into one history per key while the listing runs, so memory holds
// a page and the keys it has not finished, not the whole bucket. S3 lists entries in key order (UTF-8 byte
// order, as Go compares strings), so once a page has been seen, every key before the page's last key is
// complete; the last key may continue on the next page.
type Scanner struct {
	open []Version
}

// Page adds one page of entries (object versions and delete markers, in any order) and calls emit with
// the entries of every key the page completed, in key order. It stops at the first error emit returns.
func (s *Scanner) Page(entries []Version, emit func(key string, entries []Version) error) error {
	if len(entries) == 0 {
		return nil
	}
	last := entries[0].Key
	for _, v := range entries[1:] {
		last = max(last, v.Key)
	}
	s.open = append(s.open, entries...)
	return s.emitBefore(&last, emit)
}

// Flush emits every key still open: call it after the last page.
func (s *Scanner) Flush(emit func(key string, entries []Version) error) error {
	return s.emitBefore(nil, emit)
}

// emitBefore emits the keys before *limit (all keys when limit is nil) and keeps the rest open.
func (s *Scanner) emitBefore(limit *string, emit func(string, []Version) error) error {
	// Stable: within a key the order S3 listed the entries in is kept, for Classify's tie rule.
	slices.SortStableFunc(s.open, func(a, b Version) int { return strings.Compare(a.Key, b.Key) })
	start := 0
	for start < len(s.open) {
		key := s.open[start].Key
		if limit != nil && key >= *limit {
			break
		}
		end := start + 1
		for end < len(s.open) && s.open[end].Key == key {
			end++
		}
		if err := emit(key, slices.Clone(s.open[start:end])); err != nil {
			return err
		}
		start = end
	}
	s.open = slices.Delete(s.open, 0, start)
	return nil
}
