package bucketstate

// Bucket tags: the user's and AWS's, the provider's defaults merged with a pair's own, and the rules S3
// applies to them.
//
// AWS puts system tags, keys starting with "aws:", on buckets its services create (CloudFormation's
// aws:cloudformation:stack-name, Service Catalog's aws:servicecatalog:...). Nobody else may add, change or
// remove them, so they belong to no configuration: they are left out of every comparison and carried
// through every write unchanged.
//
// Rules: "Using cost allocation S3 bucket tags" (S3 User Guide: at most 50 tags per bucket) and "Tag naming
// limits and requirements" (Tagging AWS Resources: keys of 1 to 128 and values of 0 to 256 Unicode
// characters, letters, digits, spaces and _ . : / = + - @; the aws: prefix is reserved for AWS, in any case).

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// S3's limits on a bucket's tags.
const (
	MaxTagsPerBucket  = 50
	MaxTagKeyLength   = 128
	MaxTagValueLength = 256
)

// SystemTagPrefix starts every tag key AWS reserves for itself, in any case.
const SystemTagPrefix = "aws:"

// TagSymbols are the characters other than letters, digits and spaces that tag keys and values may hold.
const TagSymbols = "_.:/=+-@"

// IsSystemTagKey reports whether k is a system tag's key: it starts with "aws:" in any case.
func IsSystemTagKey(k string) bool {
	return len(k) >= len(SystemTagPrefix) && strings.EqualFold(k[:len(SystemTagPrefix)], SystemTagPrefix)
}

// UserTags are tags without the system tags; nil when none are left.
func UserTags(tags map[string]string) map[string]string {
	return filterTags(tags, false)
}

// SystemTags are only the system tags of tags; nil when there are none.
func SystemTags(tags map[string]string) map[string]string {
	return filterTags(tags, true)
}

func filterTags(tags map[string]string, system bool) map[string]string {
	var out map[string]string
	for k, v := range tags {
		if IsSystemTagKey(k) != system {
			continue
		}
		if out == nil {
			out = make(map[string]string)
		}
		out[k] = v
	}
	return out
}

// MergeTags is what a bucket of a pair carries: the provider's default tags and the pair's own, the pair's
// value winning on a key both have. It never returns nil, so "no tags" reads the same everywhere.
func MergeTags(defaults, own map[string]string) map[string]string {
	out := make(map[string]string, len(defaults)+len(own))
	maps.Copy(out, defaults)
	maps.Copy(out, own)
	return out
}

// OwnTags reads a pair's own tags back from the user tags a bucket carries: every tag but those whose key
// is one of the provider's defaults, unless the pair's own tags had that key before (configured on the pair
// as well). So an applied pair reads back exactly its configured tags, whatever the defaults; a tag added
// out of band shows as one of the pair's own, to be removed; and a default tag changed or removed out of
// band shows in the merged set (tags_all) and the drift, not as a tag of the pair's own.
//
// prior is nil when nothing is known of the pair's own tags (an import; an empty map is "none"): then a
// default's key counts as the default's only with the default's value, since only the pair's own tags can
// have given it another.
func OwnTags(observed, defaults, prior map[string]string) map[string]string {
	out := make(map[string]string, len(observed))
	for k, v := range observed {
		if d, isDefault := defaults[k]; isDefault {
			_, own := prior[k]
			if prior != nil && !own || prior == nil && v == d {
				continue
			}
		}
		out[k] = v
	}
	return out
}

// TagProblems returns every S3 tagging rule tags break, one sentence each that says how to fix it, in a
// stable order (the count first, then by key); nil when there is none. System tags are not the user's to
// set, so a key with the aws: prefix is a problem too.
func TagProblems(tags map[string]string) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if n := len(tags); n > MaxTagsPerBucket {
		add("there are %d tags; S3 allows at most %d per bucket, so remove %d", n, MaxTagsPerBucket, n-MaxTagsPerBucket)
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		switch n := utf8.RuneCountInString(k); {
		case n == 0:
			add("a key is empty; a key must be 1 to %d characters", MaxTagKeyLength)
		case n > MaxTagKeyLength:
			add("key %q is %d characters long; a key must be 1 to %d characters", k, n, MaxTagKeyLength)
		}
		if IsSystemTagKey(k) {
			add("key %q starts with %q, which AWS reserves for its own tags (in any case); choose another key", k, k[:len(SystemTagPrefix)])
		}
		if bad := badTagCharacters(k); bad != "" {
			add("key %q contains %s; %s", k, bad, allowedTagCharacters)
		}
		v := tags[k]
		if n := utf8.RuneCountInString(v); n > MaxTagValueLength {
			add("the value of %q is %d characters long; a value must be at most %d characters", k, n, MaxTagValueLength)
		}
		if bad := badTagCharacters(v); bad != "" {
			add("the value of %q contains %s; %s", k, bad, allowedTagCharacters)
		}
	}
	return problems
}

// allowedTagCharacters says what a key or value may hold.
var allowedTagCharacters = "use only letters, digits, spaces and " + strings.Join(strings.Split(TagSymbols, ""), " ")

// badTagCharacters quotes the characters of s outside AWS's tag pattern [\p{L}\p{Z}\p{N}_.:/=+\-@], each once
// in order of first appearance, with what they are; "" when there are none.
func badTagCharacters(s string) string {
	var bad []string
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r) || strings.ContainsRune(TagSymbols, r) {
			continue
		}
		if q := fmt.Sprintf("%q", r); !slices.Contains(bad, q) {
			bad = append(bad, q)
		}
	}
	switch len(bad) {
	case 0:
		return ""
	case 1:
		return "a character S3 does not allow (" + bad[0] + ")"
	}
	return "characters S3 does not allow (" + strings.Join(bad, ", ") + ")"
}
