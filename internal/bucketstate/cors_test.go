package bucketstate

import (
	"strings"
	"testing"
)

func TestCORSEqual(t *testing.T) {
	rule := func(origins ...string) CORSRule {
		return CORSRule{AllowedOrigins: origins, AllowedMethods: []string{"GET", "HEAD"}, MaxAgeSeconds: 3000}
	}
	tests := []struct {
		name string
		a, b []CORSRule
		want bool
	}{
		{"none and empty", nil, []CORSRule{}, true},
		{"same", []CORSRule{rule("*")}, []CORSRule{rule("*")}, true},
		{"origins in another order", []CORSRule{rule("https://a.example", "https://b.example")}, []CORSRule{rule("https://b.example", "https://a.example")}, true},
		{"methods in another order", []CORSRule{rule("*")}, []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD", "GET"}, MaxAgeSeconds: 3000}}, true},
		// The first matching rule answers, so rules in another order are another configuration.
		{"rules in another order", []CORSRule{rule("https://a.example"), rule("*")}, []CORSRule{rule("*"), rule("https://a.example")}, false},
		{"another origin", []CORSRule{rule("*")}, []CORSRule{rule("https://a.example")}, false},
		{"another max age", []CORSRule{rule("*")}, []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}}}, false},
		{"a header more", []CORSRule{rule("*")}, []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}, AllowedHeaders: []string{"*"}, MaxAgeSeconds: 3000}}, false},
		{"one rule and none", []CORSRule{rule("*")}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CORSEqual(tt.a, tt.b); got != tt.want {
				t.Errorf("CORSEqual = %t, want %t", got, tt.want)
			}
		})
	}
}

// A CORS configuration changed out of band is one drift line saying what S3 has and what the pair wants.
func TestDiffCORS(t *testing.T) {
	want := StaticDesired(staticBucket, staticARN, true, nil, Retention{})
	want.CORS = DefaultStaticCORS()
	observed := observedAs(want)
	if d := Diff(want, observed); len(d) != 0 {
		t.Fatalf("matching bucket drifts: %v", d)
	}
	observed.CORS = nil
	d := Diff(want, observed)
	if len(d) != 1 || d[0].Setting != SettingCORS {
		t.Fatalf("Diff = %v, want one CORS drift", d)
	}
	if got, wantLine := d[0].String(), `static bucket "pm-static": CORS is absent, want [GET/HEAD from *]`; got != wantLine {
		t.Errorf("drift line %q, want %q", got, wantLine)
	}
}

func TestCORSProblems(t *testing.T) {
	tests := []struct {
		name  string
		rules []CORSRule
		want  []string // substrings, one per problem, in order
	}{
		{"default", DefaultStaticCORS(), nil},
		{"no origin", []CORSRule{{AllowedMethods: []string{"GET"}}}, []string{"rule 1: allowed_origins needs at least one origin"}},
		{"no method", []CORSRule{{AllowedOrigins: []string{"*"}}}, []string{"rule 1: allowed_methods needs at least one"}},
		{"lower-case method", []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"get"}}}, []string{`allowed_methods has "get"`}},
		{"two wildcards", []CORSRule{DefaultStaticCORS()[0], {AllowedOrigins: []string{"https://*.*.example"}, AllowedMethods: []string{"GET"},
			AllowedHeaders: []string{"x-*-*"}}}, []string{`rule 2: allowed_origins has "https://*.*.example"`, `rule 2: allowed_headers has "x-*-*"`}},
		{"negative max age", []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, MaxAgeSeconds: -1}}, []string{"max_age_seconds must not be negative"}},
		{"too many", make101Rules(), []string{"at most 100 CORS rules"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CORSProblems(tt.rules)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d %q does not contain %q", i, got[i], w)
				}
			}
		})
	}
}

func make101Rules() []CORSRule {
	rules := make([]CORSRule, 101)
	for i := range rules {
		rules[i] = DefaultStaticCORS()[0]
	}
	return rules
}
