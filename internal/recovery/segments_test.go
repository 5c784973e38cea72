package recovery

import (
	"slices"
	"strings"
	"testing"
)

// describe renders segments as "[key key]" for listed entries (one name per entry) and "<prefix>" for a
// prefix to list.
func describe(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.List {
			b.WriteString("<" + s.Prefix + ">")
			continue
		}
		keys := make([]string, 0, len(s.Entries))
		for _, e := range s.Entries {
			keys = append(keys, e.Key+"@"+e.VersionID)
		}
		b.WriteString("[" + strings.Join(keys, " ") + "]")
	}
	return b.String()
}

func TestLevelSegments(t *testing.T) {
	v := func(key, id string) Version { return Version{Key: key, VersionID: id} }
	for _, c := range []struct {
		name     string
		entries  []Version
		prefixes []string
		want     string
	}{
		{"nothing", nil, nil, ""},
		{"keys only", []Version{v("u/b", "1"), v("u/a", "1")}, nil, "[u/a@1 u/b@1]"},
		{"prefixes only", nil, []string{"u/y/", "u/x/"}, "<u/x/><u/y/>"},
		{
			// "." sorts before "/" and "0" after it: u/b.jpg comes before everything under u/b/, u/b0 after.
			"keys between prefixes",
			[]Version{v("u/b0", "1"), v("u/b.jpg", "1"), v("u/a", "1"), v("u/z", "1")},
			[]string{"u/b/", "u/c/"},
			"[u/a@1 u/b.jpg@1]<u/b/>[u/b0@1]<u/c/>[u/z@1]",
		},
		{
			// S3 lists a key's versions newest first, then (fromListing) its delete markers: that order stays.
			"a key's entries keep S3's order",
			[]Version{v("u/a", "3"), v("u/b", "2"), v("u/a", "2"), v("u/a", "1")},
			[]string{"u/a/"},
			"[u/a@3 u/a@2 u/a@1]<u/a/>[u/b@2]",
		},
		{"a prefix listed twice (two pages) is one segment", nil, []string{"u/x/", "u/x/"}, "<u/x/>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := slices.Clone(c.entries)
			segs := LevelSegments(c.entries, c.prefixes)
			if got := describe(segs); got != c.want {
				t.Errorf("LevelSegments = %s, want %s", got, c.want)
			}
			if !slices.Equal(in, c.entries) {
				t.Error("LevelSegments changed its argument")
			}
			if n := ToList(segs); n != strings.Count(c.want, "<") {
				t.Errorf("ToList = %d", n)
			}
		})
	}
}

func TestSoleParent(t *testing.T) {
	v := func(key string) Version { return Version{Key: key} }
	for _, c := range []struct {
		name    string
		entries []Version
		want    string
		ok      bool
	}{
		{"none", nil, "", false},
		{"one directory", []Version{v("media/uploads/a.jpg"), v("media/uploads/b.jpg"), v("media/uploads/b.jpg")}, "media/uploads/", true},
		{"the top", []Version{v("a.txt"), v("b.txt")}, "", true},
		{"two directories", []Version{v("media/uploads/a.jpg"), v("media/uploads/x/b.jpg")}, "", false},
		{"the top and a directory", []Version{v("a.txt"), v("media/b.jpg")}, "", false},
		// A delimited listing of media/ lists the marker "media/" among its keys.
		{"a directory marker is in its own level", []Version{v("media/"), v("media/a.jpg")}, "media/", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, ok := SoleParent(c.entries); got != c.want || ok != c.ok {
				t.Errorf("SoleParent = %q, %t; want %q, %t", got, ok, c.want, c.ok)
			}
		})
	}
}
