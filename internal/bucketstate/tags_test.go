package bucketstate

import (
	"maps"
	"strconv"
	"strings"
	"testing"
)

var stackTags = map[string]string{
	"aws:cloudformation:stack-name":               "media",
	"AWS:servicecatalog:provisioningPrincipalArn": "arn:aws:iam::123456789012:role/catalog",
}

func TestIsSystemTagKey(t *testing.T) {
	for k, want := range map[string]bool{
		"aws:cloudformation:stack-name": true,
		"AWS:x":                         true,
		"Aws:":                          true,
		"aws":                           false,
		"aws-team":                      false,
		"app:aws:x":                     false,
		"":                              false,
	} {
		if got := IsSystemTagKey(k); got != want {
			t.Errorf("IsSystemTagKey(%q) = %t, want %t", k, got, want)
		}
	}
}

func TestUserAndSystemTags(t *testing.T) {
	all := MergeTags(stackTags, map[string]string{"app": "shop"})
	if got := UserTags(all); !maps.Equal(got, map[string]string{"app": "shop"}) {
		t.Errorf("UserTags = %v", got)
	}
	if got := SystemTags(all); !maps.Equal(got, stackTags) {
		t.Errorf("SystemTags = %v", got)
	}
	if UserTags(stackTags) != nil || SystemTags(map[string]string{"app": "shop"}) != nil || UserTags(nil) != nil {
		t.Error("an empty selection is not nil")
	}
}

// The bucket's tags are the defaults with the pair's own on top; a system tag on the bucket is no drift,
// and the drift line shows only user tags.
func TestDiffLeavesSystemTagsOut(t *testing.T) {
	want := MediaDesired(mediaBucket, mediaARN, false, map[string]string{"app": "shop"}, Retention{}, nil)
	observed := observedAs(want)
	maps.Copy(observed.Tags, stackTags)
	if d := Diff(want, observed); len(d) != 0 {
		t.Fatalf("system tags show as drift: %v", Strings(d))
	}
	observed.Tags["app"] = "blog"
	d := Diff(want, observed)
	if len(d) != 1 || d[0].Observed != `{app="blog"}` || d[0].Want != `{app="shop"}` {
		t.Fatalf("drift %v, want the user tags alone", Strings(d))
	}
	// Only system tags left: the user's tags are gone.
	observed.Tags = maps.Clone(stackTags)
	if d := Diff(want, observed); len(d) != 1 || d[0].Observed != "{}" {
		t.Fatalf("drift %v, want {} observed", Strings(d))
	}
	none := MediaDesired(mediaBucket, mediaARN, false, nil, Retention{}, nil)
	if d := Diff(none, observedAs(none)); len(d) != 0 {
		t.Fatalf("drift %v", Strings(d))
	}
}

func TestMergeTags(t *testing.T) {
	tests := []struct {
		name                string
		defaults, own, want map[string]string
	}{
		{"neither", nil, nil, map[string]string{}},
		{"defaults only", map[string]string{"team": "web"}, nil, map[string]string{"team": "web"}},
		{"own only", nil, map[string]string{"app": "shop"}, map[string]string{"app": "shop"}},
		{"both", map[string]string{"team": "web"}, map[string]string{"app": "shop"}, map[string]string{"team": "web", "app": "shop"}},
		{"the pair's own wins", map[string]string{"env": "prod", "team": "web"}, map[string]string{"env": "test"}, map[string]string{"env": "test", "team": "web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MergeTags(tt.defaults, tt.own)
			if got == nil || !maps.Equal(got, tt.want) {
				t.Errorf("MergeTags = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOwnTags(t *testing.T) {
	defaults := map[string]string{"env": "prod", "team": "web"}
	tests := []struct {
		name                  string
		observed, prior, want map[string]string
	}{
		{"as applied, own and defaults", map[string]string{"env": "prod", "team": "web", "app": "shop"}, map[string]string{"app": "shop"}, map[string]string{"app": "shop"}},
		{"as applied, defaults only", map[string]string{"env": "prod", "team": "web"}, map[string]string{}, map[string]string{}},
		{"a default configured on the pair too", map[string]string{"env": "prod", "team": "web"}, map[string]string{"env": "prod"}, map[string]string{"env": "prod"}},
		{"the pair's value over a default", map[string]string{"env": "test", "team": "web"}, map[string]string{"env": "test"}, map[string]string{"env": "test"}},
		{"a tag added out of band", map[string]string{"env": "prod", "team": "web", "stray": "x"}, map[string]string{}, map[string]string{"stray": "x"}},
		{"the pair's tag changed out of band", map[string]string{"env": "prod", "team": "web", "app": "blog"}, map[string]string{"app": "shop"}, map[string]string{"app": "blog"}},
		{"the pair's tag removed out of band", map[string]string{"env": "prod", "team": "web"}, map[string]string{"app": "shop"}, map[string]string{}},
		// Those show in the merged set and the drift, where they belong.
		{"a default changed out of band", map[string]string{"env": "dev", "team": "web"}, map[string]string{}, map[string]string{}},
		{"a default removed out of band", map[string]string{"team": "web"}, map[string]string{}, map[string]string{}},
		// An import knows nothing of the pair's own tags: a default's key with another value is the pair's.
		{"import: the defaults as they are", map[string]string{"env": "prod", "team": "web", "app": "shop"}, nil, map[string]string{"app": "shop"}},
		{"import: a default's key with another value", map[string]string{"env": "test", "team": "web", "app": "shop"}, nil, map[string]string{"app": "shop", "env": "test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OwnTags(tt.observed, defaults, tt.prior); !maps.Equal(got, tt.want) {
				t.Errorf("OwnTags = %v, want %v", got, tt.want)
			}
		})
	}
	// Without defaults every user tag is the pair's own.
	if got := OwnTags(map[string]string{"app": "shop"}, nil, nil); !maps.Equal(got, map[string]string{"app": "shop"}) {
		t.Errorf("OwnTags without defaults = %v", got)
	}
}

func TestTagProblems(t *testing.T) {
	many := make(map[string]string)
	for i := range MaxTagsPerBucket + 2 {
		many["k"+strconv.Itoa(i)] = "v"
	}
	fifty := make(map[string]string)
	for i := range MaxTagsPerBucket {
		fifty["k"+strconv.Itoa(i)] = "v"
	}
	tests := []struct {
		name string
		tags map[string]string
		want []string // substrings of each problem, in order; nil: none
	}{
		{"none", nil, nil},
		{"ordinary", map[string]string{"app": "shop", "Cost Center": "4711", "owner": "web-team@example.com"}, nil},
		{"every allowed symbol", map[string]string{"a_.:/=+-@ b": "_.:/=+-@ "}, nil},
		{"unicode letters and digits", map[string]string{"Größe": "٣ 三", "équipe": "données"}, nil},
		{"empty value", map[string]string{"flag": ""}, nil},
		{"50 tags", fifty, nil},
		{"limits exactly", map[string]string{strings.Repeat("k", MaxTagKeyLength): strings.Repeat("v", MaxTagValueLength)}, nil},
		{"limits counted in characters", map[string]string{strings.Repeat("ä", MaxTagKeyLength): strings.Repeat("é", MaxTagValueLength)}, nil},
		{"52 tags", many, []string{"there are 52 tags; S3 allows at most 50 per bucket, so remove 2"}},
		{"empty key", map[string]string{"": "x"}, []string{"a key is empty; a key must be 1 to 128 characters"}},
		{"long key", map[string]string{strings.Repeat("k", 129): "x"}, []string{"is 129 characters long; a key must be 1 to 128 characters"}},
		{"long value", map[string]string{"k": strings.Repeat("v", 257)}, []string{`the value of "k" is 257 characters long; a value must be at most 256 characters`}},
		{"aws: key", map[string]string{"aws:cloudformation:stack-name": "x"}, []string{`key "aws:cloudformation:stack-name" starts with "aws:", which AWS reserves`}},
		{"AWS: key", map[string]string{"AWS:mine": "x"}, []string{`starts with "AWS:"`}},
		{"bad key characters", map[string]string{"a#b$c#": "x"}, []string{`key "a#b$c#" contains characters S3 does not allow ('#', '$'); use only letters, digits, spaces and _ . : / = + - @`}},
		{"bad value character", map[string]string{"k": "a,b"}, []string{`the value of "k" contains a character S3 does not allow (',')`}},
		{"a tab is not a space", map[string]string{"k": "a\tb"}, []string{`('\t')`}},
		{"every problem, the count first then by key", func() map[string]string {
			m := map[string]string{"z*": "ok", "aws:x": "v!"}
			for k, v := range many {
				m[k] = v
			}
			return m
		}(), []string{"there are 54 tags", `key "aws:x" starts with`, `the value of "aws:x" contains a character`, `key "z*" contains a character`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TagProblems(tt.tags)
			if len(got) != len(tt.want) {
				t.Fatalf("TagProblems = %q, want %d problems like %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to say %q", i, got[i], w)
				}
			}
		})
	}
}
