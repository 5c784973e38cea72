package bucketstate

import (
	"fmt"
	"slices"
	"strings"
)

// CORSRule is one rule of a bucket's CORS configuration, as S3 stores it. S3 evaluates the rules in order
// and the first one that matches a request's origin, method and headers answers it.
type CORSRule struct {
	AllowedOrigins []string
	AllowedMethods []string
	AllowedHeaders []string
	ExposeHeaders  []string
	// MaxAgeSeconds is how long a browser may cache a preflight answer; 0 leaves it to the browser.
	MaxAgeSeconds int
}

// CORSMethods are the methods S3 accepts in AllowedMethod (PutBucketCors in the Amazon S3 API Reference).
func CORSMethods() []string { return []string{"GET", "PUT", "POST", "DELETE", "HEAD"} }

// DefaultStaticCORS is the static bucket's rule when the configuration names none: any site may fetch
// static files with GET and HEAD. Browsers fetch fonts (Django's admin pulls its own through fonts.css)
// with CORS, and the site and the bucket are different origins; static files are public by design, so no
// origin needs keeping out. Three thousand seconds is the preflight cache S3's documentation uses.
func DefaultStaticCORS() []CORSRule {
	return []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}, MaxAgeSeconds: 3000}}
}

// CORSEqual compares two configurations. Rule order matters (the first match answers); within a rule each
// list is a set, as S3 matches against any of its members.
func CORSEqual(a, b []CORSRule) bool {
	return slices.EqualFunc(a, b, func(x, y CORSRule) bool {
		return sameSet(x.AllowedOrigins, y.AllowedOrigins) && sameSet(x.AllowedMethods, y.AllowedMethods) &&
			sameSet(x.AllowedHeaders, y.AllowedHeaders) && sameSet(x.ExposeHeaders, y.ExposeHeaders) &&
			x.MaxAgeSeconds == y.MaxAgeSeconds
	})
}

func sameSet(a, b []string) bool {
	return slices.Equal(setOf(a), setOf(b))
}

func setOf(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// describeCORS says what a configuration allows in a few words, for the drift line.
func describeCORS(rules []CORSRule) string {
	if len(rules) == 0 {
		return "absent"
	}
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = fmt.Sprintf("%s from %s", strings.Join(r.AllowedMethods, "/"), strings.Join(r.AllowedOrigins, ", "))
		if len(r.AllowedHeaders) > 0 {
			parts[i] += " with headers " + strings.Join(r.AllowedHeaders, ", ")
		}
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// CORSProblems checks rules the way S3's PutBucketCors does, so a plan fails with the reason instead of
// an apply with S3's MalformedXML: at least one origin and one method per rule, known methods, at most one
// * in an origin or an allowed header, at most 100 rules. Each problem names the rule by its position.
func CORSProblems(rules []CORSRule) []string {
	var out []string
	if len(rules) > maxCORSRules {
		out = append(out, fmt.Sprintf("S3 allows at most %d CORS rules per bucket, got %d", maxCORSRules, len(rules)))
	}
	for i, r := range rules {
		where := fmt.Sprintf("rule %d", i+1)
		if len(r.AllowedOrigins) == 0 {
			out = append(out, where+": allowed_origins needs at least one origin, for example \"https://www.example.com\" or \"*\"")
		}
		if len(r.AllowedMethods) == 0 {
			out = append(out, where+": allowed_methods needs at least one of "+strings.Join(CORSMethods(), ", "))
		}
		for _, m := range r.AllowedMethods {
			if !slices.Contains(CORSMethods(), m) {
				out = append(out, fmt.Sprintf("%s: allowed_methods has %q; S3 allows only %s (upper case)", where, m, strings.Join(CORSMethods(), ", ")))
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				out = append(out, fmt.Sprintf("%s: allowed_origins has %q; S3 allows at most one * in an origin", where, o))
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				out = append(out, fmt.Sprintf("%s: allowed_headers has %q; S3 allows at most one * in a header", where, h))
			}
		}
		if r.MaxAgeSeconds < 0 {
			out = append(out, fmt.Sprintf("%s: max_age_seconds must not be negative, got %d", where, r.MaxAgeSeconds))
		}
	}
	return out
}

// maxCORSRules is S3's limit ("You can add up to 100 rules to the configuration", Amazon S3 User Guide,
// CORS configuration).
const maxCORSRules = 100
