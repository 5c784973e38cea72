// Package bucketname checks names against the Amazon S3 naming rules for general purpose buckets, so a bad
// name is rejected at plan time with an explanation instead of by CreateBucket halfway through an apply.
//
// Rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
package bucketname

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	minLength = 3
	maxLength = 63
	// maxListed caps how many disallowed characters one message quotes, so pasting a sentence as a name
	// does not produce an error longer than the sentence.
	maxListed = 8
)

// ReservedPrefixes are the prefixes S3 reserves: a general purpose bucket name must not start with any of
// them. Exported so documentation lists them from the same source as the check; do not modify.
var ReservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}

// ReservedSuffixes are the suffixes S3 reserves: a general purpose bucket name must not end with any of them.
// Exported so documentation lists them from the same source as the check; do not modify.
var ReservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}

// reservedUse says what each reserved prefix or suffix belongs to, so the message explains why a name that
// looks fine is refused.
var reservedUse = map[string]string{
	"xn--":          "used for internationalized domain names",
	"sthree-":       "used by Amazon S3 itself",
	"amzn-s3-demo-": "used for AWS documentation examples",
	"-s3alias":      "used for access point aliases",
	"--ol-s3":       "used for Object Lambda Access Point aliases",
	".mrap":         "used for Multi-Region Access Point names",
	"--x-s3":        "used for directory bucket names",
	"--table-s3":    "used for S3 table buckets",
}

// Problems returns every naming rule that name breaks, as short human-readable sentences that say what is
// wrong and how to fix it (e.g. `is 2 characters long; a bucket name must be 3 to 63 characters`), in a
// stable order. It returns nil for a valid name.
//
// All rules are checked, not just the first broken one, so a user fixes the name in one round trip.
func Problems(name string) []string {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	// Counted in characters rather than bytes because that is what the user sees; the two differ only for
	// non-ASCII names, which the character rule rejects anyway.
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		add("is empty; a bucket name must be %d to %d characters", minLength, maxLength)
	case n == 1:
		add("is 1 character long; a bucket name must be %d to %d characters", minLength, maxLength)
	case n < minLength || n > maxLength:
		add("is %d characters long; a bucket name must be %d to %d characters", n, minLength, maxLength)
	}

	if p := characterProblem(name); p != "" {
		add("%s", p)
	}

	if p := edgeProblem(name); p != "" {
		add("%s; a bucket name must begin and end with a letter or digit", p)
	}

	if strings.Contains(name, "..") {
		add("contains two adjacent periods (%q); put a letter or digit between them or remove one", "..")
	}

	var mixed []string
	for _, pair := range []string{".-", "-."} {
		if strings.Contains(name, pair) {
			mixed = append(mixed, fmt.Sprintf("%q", pair))
		}
	}
	if len(mixed) > 0 {
		add("contains %s; a period must not be next to a hyphen, so remove one of them",
			strings.Join(mixed, " and "))
	}

	if looksLikeIPv4(name) {
		add("is formatted as an IP address; a bucket name must not look like one (e.g. 192.168.5.4), " +
			"so include a letter")
	}

	// Compared case-insensitively so "XN--data" is told about the prefix now, not after the user has
	// lowercased it as the character rule asks.
	lower := asciiLower(name)
	for _, p := range ReservedPrefixes {
		if strings.HasPrefix(lower, p) {
			add("starts with %q, a reserved prefix %s; choose a name that does not start with %q",
				p, reservedUse[p], p)
		}
	}
	for _, s := range ReservedSuffixes {
		if strings.HasSuffix(lower, s) {
			add("ends with %q, a reserved suffix %s; choose a name that does not end with %q",
				s, reservedUse[s], s)
		}
	}

	return problems
}

// Valid reports whether Problems(name) is empty.
func Valid(name string) bool {
	return len(Problems(name)) == 0
}

// characterProblem describes the characters outside a-z, 0-9, '.' and '-', each quoted once in order of
// first appearance, with hints for the two usual mistakes; "" when there are none.
func characterProblem(name string) string {
	var bad []string
	seen := map[string]bool{}
	upper, underscore := false, false
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		// Slicing the bytes rather than converting r keeps an invalid UTF-8 byte visible as "\xff"
		// instead of turning it into U+FFFD.
		c := name[i : i+size]
		i += size
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '.', r == '-':
			continue
		case 'A' <= r && r <= 'Z':
			upper = true
		case r == '_':
			underscore = true
		}
		if !seen[c] {
			seen[c] = true
			bad = append(bad, c)
		}
	}
	if len(bad) == 0 {
		return ""
	}

	quoted := make([]string, 0, maxListed+1)
	for i, c := range bad {
		if i == maxListed {
			quoted = append(quoted, fmt.Sprintf("and %d more", len(bad)-maxListed))
			break
		}
		quoted = append(quoted, fmt.Sprintf("%q", c))
	}
	what := "characters that are"
	if len(bad) == 1 {
		what = "a character that is"
	}
	msg := fmt.Sprintf("contains %s not allowed (%s); use only lowercase letters a-z, digits 0-9, "+
		"periods (.) and hyphens (-)", what, strings.Join(quoted, ", "))
	if upper {
		msg += "; use lowercase instead of uppercase letters"
	}
	if underscore {
		msg += "; use hyphens instead of underscores"
	}
	return msg
}

// edgeProblem says which end of name is not a letter or digit; "" when both are fine or name is empty.
// Uppercase letters pass here: the character rule already asks for lowercase, and lowercasing fixes both.
func edgeProblem(name string) string {
	if name == "" {
		return ""
	}
	_, firstSize := utf8.DecodeRuneInString(name)
	_, lastSize := utf8.DecodeLastRuneInString(name)
	first, last := name[:firstSize], name[len(name)-lastSize:]
	badFirst, badLast := !isASCIIAlnum(first), !isASCIIAlnum(last)
	switch {
	case len(name) == firstSize && badFirst:
		return fmt.Sprintf("is only %q", first)
	case badFirst && badLast:
		return fmt.Sprintf("begins with %q and ends with %q", first, last)
	case badFirst:
		return fmt.Sprintf("begins with %q", first)
	case badLast:
		return fmt.Sprintf("ends with %q", last)
	}
	return ""
}

// looksLikeIPv4 reports whether name has the shape of a dotted-quad IPv4 address. The rule says "formatted
// as" an IP address, so the shape counts, not just real addresses: groups like 999 or 010 are refused too.
func looksLikeIPv4(name string) bool {
	groups := strings.Split(name, ".")
	if len(groups) != 4 {
		return false
	}
	for _, g := range groups {
		if len(g) < 1 || len(g) > 3 {
			return false
		}
		for i := 0; i < len(g); i++ {
			if g[i] < '0' || g[i] > '9' {
				return false
			}
		}
	}
	return true
}

func isASCIIAlnum(c string) bool {
	if len(c) != 1 {
		return false
	}
	b := c[0]
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// asciiLower lowercases only A-Z, the letters the character rule tells the user to lowercase; unlike
// strings.ToLower it cannot fold a non-ASCII look-alike (the Kelvin sign) into a reserved prefix or suffix.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
