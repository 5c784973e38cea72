package bucketname

import (
	"slices"
	"strings"
	"testing"
)

// Each rule is recognised by a substring that appears in its message and in no other, so the tests can
// say which rules a name breaks without pinning the full wording.
const (
	ruleLength     = "a bucket name must be 3 to 63 characters"
	ruleCharacters = "not allowed"
	ruleEdges      = "must begin and end with a letter or digit"
	rulePeriods    = "two adjacent periods"
	rulePeriodDash = "a period must not be next to a hyphen"
	ruleIP         = "formatted as an IP address"
	rulePrefix     = "reserved prefix"
	ruleSuffix     = "reserved suffix"
)

var allRules = []string{
	ruleLength, ruleCharacters, ruleEdges, rulePeriods, rulePeriodDash, ruleIP, rulePrefix, ruleSuffix,
}

// rulesOf maps each message to the one rule it reports, in message order.
func rulesOf(t *testing.T, problems []string) []string {
	t.Helper()
	var rules []string
	for _, p := range problems {
		var matched []string
		for _, r := range allRules {
			if strings.Contains(p, r) {
				matched = append(matched, r)
			}
		}
		if len(matched) != 1 {
			t.Fatalf("message %q matches rules %q, want exactly one", p, matched)
		}
		rules = append(rules, matched[0])
	}
	return rules
}

func TestValidNames(t *testing.T) {
	names := []string{
		"abc",                   // shortest allowed
		strings.Repeat("a", 63), // longest allowed
		"123",                   // digits only
		"0-9",
		"a-b",
		"a.b.c",
		"my-bucket",
		"my.bucket",
		"my--bucket", // doubled hyphens are fine; only doubled periods are not
		"assets.example.com",
		"docexamplebucket1",
		"log-delivery-march-2020",
		"a1b2c3d4-5678-90ab-cdef-example11111",
		"1.2.3",     // three groups: not an IP address
		"1.2.3.4.5", // five groups
		"1.2.3.4a",
		"1234.1.1.1", // a four-digit group is not dotted-quad shaped
		// Reserved strings anywhere but the reserved end, or without their full spelling.
		"data-xn--archive",
		"xn-abc",
		"my-sthree-bucket",
		"sthree",
		"amzn-s3-demo",
		"copy-of-amzn-s3-demo-bucket",
		"logs-s3alias-2024",
		"s3alias",
		"app--ol-s3-cache",
		"site.mrap.backup",
		"mrap",
		"bucket-x-s3",
		"cache--x-s3-old",
		"x--table-s3-y",
	}
	for _, name := range names {
		if got := Problems(name); got != nil {
			t.Errorf("Problems(%q) = %q, want nil", name, got)
		}
		if !Valid(name) {
			t.Errorf("Valid(%q) = false, want true", name)
		}
	}
}

func TestInvalidNames(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"", []string{ruleLength}},
		{"a", []string{ruleLength}},
		{"ab", []string{ruleLength}},
		{strings.Repeat("a", 64), []string{ruleLength}},
		{strings.Repeat("a.", 40) + "a", []string{ruleLength}},
		{"MyBucket", []string{ruleCharacters}},
		{"my_bucket", []string{ruleCharacters}},
		{"my bucket", []string{ruleCharacters}},
		{"bücket", []string{ruleCharacters}},
		{"my\nbucket", []string{ruleCharacters}},
		{"bucket!", []string{ruleCharacters, ruleEdges}},
		{"\xffbucket", []string{ruleCharacters, ruleEdges}},
		{"A", []string{ruleLength, ruleCharacters}},
		{"_", []string{ruleLength, ruleCharacters, ruleEdges}},
		{"-bucket", []string{ruleEdges}},
		{"bucket-", []string{ruleEdges}},
		{".bucket", []string{ruleEdges}},
		{"bucket.", []string{ruleEdges}},
		{"...", []string{ruleEdges, rulePeriods}},
		{"my..bucket", []string{rulePeriods}},
		{"my.-bucket", []string{rulePeriodDash}},
		{"my-.bucket", []string{rulePeriodDash}},
		{"a.-b-.c", []string{rulePeriodDash}},
		{"-.-", []string{ruleEdges, rulePeriodDash}},
		{"192.168.5.4", []string{ruleIP}},
		{"0.0.0.0", []string{ruleIP}},
		{"999.999.999.999", []string{ruleIP}},
		{"010.001.000.001", []string{ruleIP}},
		{"10.0.0.1.", []string{ruleEdges}}, // trailing period: not IP shaped, but a bad last character
		{"xn--bucket", []string{rulePrefix}},
		{"xn--", []string{ruleEdges, rulePrefix}},
		{"XN--bucket", []string{ruleCharacters, rulePrefix}},
		{"sthree-bucket", []string{rulePrefix}},
		{"sthree-configurator", []string{rulePrefix}},
		{"amzn-s3-demo-bucket", []string{rulePrefix}},
		{"bucket-s3alias", []string{ruleSuffix}},
		{"-s3alias", []string{ruleEdges, ruleSuffix}},
		{"bucket--ol-s3", []string{ruleSuffix}},
		{"bucket.mrap", []string{ruleSuffix}},
		{"bucket.MRAP", []string{ruleCharacters, ruleSuffix}},
		{"bucket-.mrap", []string{rulePeriodDash, ruleSuffix}},
		{"bucket--usw2-az1--x-s3", []string{ruleSuffix}},
		{"bucket--table-s3", []string{ruleSuffix}},
	}
	for _, tt := range tests {
		got := Problems(tt.name)
		if rules := rulesOf(t, got); !slices.Equal(rules, tt.want) {
			t.Errorf("Problems(%q) reports rules %q, want %q\nmessages: %q", tt.name, rules, tt.want, got)
		}
		if Valid(tt.name) {
			t.Errorf("Valid(%q) = true, want false", tt.name)
		}
	}
}

func TestProblemsReportsEveryBrokenRuleInOrder(t *testing.T) {
	// Breaks length, characters, adjacent periods, period next to hyphen, a reserved prefix and a
	// reserved suffix at once.
	name := "xn--My_Bucket..name.-" + strings.Repeat("x", 40) + "-s3alias"
	got := Problems(name)
	want := []string{ruleLength, ruleCharacters, rulePeriods, rulePeriodDash, rulePrefix, ruleSuffix}
	if rules := rulesOf(t, got); !slices.Equal(rules, want) {
		t.Fatalf("Problems(%q) reports rules %q, want %q\nmessages: %q", name, rules, want, got)
	}
	if again := Problems(name); !slices.Equal(again, got) {
		t.Errorf("Problems is not stable: %q then %q", got, again)
	}
}

func TestMessages(t *testing.T) {
	tests := []struct {
		name string
		want []string // substrings of the joined messages
	}{
		{"ab", []string{"is 2 characters long; a bucket name must be 3 to 63 characters"}},
		{"a", []string{"is 1 character long"}},
		{"", []string{"is empty"}},
		{strings.Repeat("a", 64), []string{"is 64 characters long"}},
		{"My_Bucket", []string{
			`characters that are not allowed ("M", "_", "B")`,
			"use lowercase instead of uppercase letters",
			"use hyphens instead of underscores",
		}},
		{"my bucket", []string{`a character that is not allowed (" ")`}},
		{"my\nbucket", []string{`"\n"`}},
		{"bucket\xff", []string{`"\xff"`, `ends with "\xff"`}},
		{"abcdefghijKLMNOPQRSTUVWXYZ", []string{`"K", "L", "M", "N", "O", "P", "Q", "R", and 8 more`}},
		{"-abc.", []string{`begins with "-" and ends with "."`}},
		{"_", []string{`is only "_"`}},
		{"a.-b-.c", []string{`contains ".-" and "-."`}},
		{"sthree-data", []string{`starts with "sthree-"`, "used by Amazon S3"}},
		{"data.mrap", []string{`ends with ".mrap"`, "Multi-Region Access Point"}},
	}
	for _, tt := range tests {
		got := strings.Join(Problems(tt.name), "\n")
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("Problems(%q) = %q, want it to contain %q", tt.name, got, w)
			}
		}
	}
}

func TestHintsOnlyForTheirMistake(t *testing.T) {
	// Hints are only for the mistakes they name.
	got := strings.Join(Problems("my bucket"), "\n")
	for _, hint := range []string{"lowercase instead", "hyphens instead"} {
		if strings.Contains(got, hint) {
			t.Errorf("Problems(%q) = %q, should not hint %q", "my bucket", got, hint)
		}
	}
}

func TestReservedAffixes(t *testing.T) {
	for _, p := range ReservedPrefixes {
		if reservedUse[p] == "" {
			t.Errorf("reserved prefix %q has no reservedUse entry", p)
		}
		name := p + "bucket1"
		if rules := rulesOf(t, Problems(name)); !slices.Equal(rules, []string{rulePrefix}) {
			t.Errorf("Problems(%q) reports rules %q, want only the prefix rule", name, rules)
		}
	}
	for _, s := range ReservedSuffixes {
		if reservedUse[s] == "" {
			t.Errorf("reserved suffix %q has no reservedUse entry", s)
		}
		name := "bucket1" + s
		if rules := rulesOf(t, Problems(name)); !slices.Equal(rules, []string{ruleSuffix}) {
			t.Errorf("Problems(%q) reports rules %q, want only the suffix rule", name, rules)
		}
	}
	if got, want := len(reservedUse), len(ReservedPrefixes)+len(ReservedSuffixes); got != want {
		t.Errorf("reservedUse has %d entries, want %d (one per reserved prefix and suffix)", got, want)
	}
}
