package bucketname

import (
	"strings"
	"testing"
)

func TestParseAccountRegional(t *testing.T) {
	tests := []struct {
		name string
		want AccountRegional // zero: not of the form
	}{
		{"amzn-s3-demo-bucket-111122223333-us-west-2-an", AccountRegional{"amzn-s3-demo-bucket", "111122223333", "us-west-2"}},
		{"media-012345678910-ap-southeast-2-an", AccountRegional{"media", "012345678910", "ap-southeast-2"}},
		{"shop-123456789012-us-gov-west-1-an", AccountRegional{"shop", "123456789012", "us-gov-west-1"}},
		{"shop-123456789012-eusc-de-east-1-an", AccountRegional{"shop", "123456789012", "eusc-de-east-1"}},
		{"shop-123456789012-cn-north-1-an", AccountRegional{"shop", "123456789012", "cn-north-1"}},
		// A 12-digit group in the prefix is not the account.
		{"backup-999999999999-media-111122223333-eu-west-1-an", AccountRegional{"backup-999999999999-media", "111122223333", "eu-west-1"}},
		{"a-111122223333-eu-west-1-an", AccountRegional{"a", "111122223333", "eu-west-1"}},
		{"media-an", AccountRegional{}},
		{"111122223333-eu-west-1-an", AccountRegional{}},        // no prefix
		{"media-11112222333-eu-west-1-an", AccountRegional{}},   // 11 digits
		{"media-1111222233334-eu-west-1-an", AccountRegional{}}, // 13 digits
		{"media-111122223333-eu-west-an", AccountRegional{}},    // no region number
		{"media-111122223333-eu-west-1", AccountRegional{}},     // no -an
		{"media-111122223333-EU-WEST-1-an", AccountRegional{}},
		{"media-111122223333-eu-west-1-an-x", AccountRegional{}},
		{"example-media", AccountRegional{}},
	}
	for _, tt := range tests {
		got, ok := ParseAccountRegional(tt.name)
		if ok != (tt.want != AccountRegional{}) || got != tt.want {
			t.Errorf("ParseAccountRegional(%q) = %+v, %t; want %+v", tt.name, got, ok, tt.want)
		}
		wantNS := NamespaceGlobal
		if ok {
			wantNS = NamespaceAccountRegional
			if back := AccountRegionalName(got.Prefix, got.Account, got.Region); back != tt.name {
				t.Errorf("AccountRegionalName(%+v) = %q, want %q", got, back, tt.name)
			}
		}
		if ns := NamespaceOf(tt.name); ns != wantNS {
			t.Errorf("NamespaceOf(%q) = %q, want %q", tt.name, ns, wantNS)
		}
	}
}

func TestNamespaceProblems(t *testing.T) {
	const option = "bucket_namespace"
	tests := []struct {
		name, namespace string
		want            []string // substrings of the one problem; nil: none
	}{
		{"example-media", NamespaceGlobal, nil},
		{"media-111122223333-us-west-2-an", NamespaceAccountRegional, nil},
		{"shop-an", NamespaceGlobal, []string{`ends with "-an"`, `set bucket_namespace = "account-regional"`, "<prefix>-<12-digit account ID>-<region>-an"}},
		{"media-111122223333-us-west-2-an", NamespaceGlobal, []string{`ends with "-an"`, `bucket_namespace = "account-regional"`}},
		{"SHOP-AN", NamespaceGlobal, []string{`ends with "-an"`}},
		{"japan", NamespaceGlobal, nil},
		{"example-media", NamespaceAccountRegional, []string{`is not a name in an account regional namespace: with bucket_namespace = "account-regional"`,
			`for example "example-media-111122223333-us-west-2-an"`, `or set bucket_namespace = "global"`}},
		{"media-an", NamespaceAccountRegional, []string{`for example "media-111122223333-us-west-2-an"`}},
		{"Bad_Name", NamespaceAccountRegional, []string{`for example "media-111122223333-us-west-2-an"`}},
		{"media-1111-us-west-2-an", NamespaceAccountRegional, []string{"is not a name in an account regional namespace"}},
	}
	for _, tt := range tests {
		got := NamespaceProblems(tt.name, tt.namespace, option)
		if tt.want == nil {
			if got != nil {
				t.Errorf("NamespaceProblems(%q, %q) = %q, want none", tt.name, tt.namespace, got)
			}
			continue
		}
		if len(got) != 1 {
			t.Errorf("NamespaceProblems(%q, %q) = %q, want one problem", tt.name, tt.namespace, got)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got[0], w) {
				t.Errorf("NamespaceProblems(%q, %q) = %q, want it to say %q", tt.name, tt.namespace, got[0], w)
			}
		}
	}
}

func TestAccountRegionalProblems(t *testing.T) {
	const name = "media-111122223333-eu-west-1-an"
	tests := []struct {
		what, name, account, region string
		want                        []string // substrings, one per problem; nil: none
	}{
		{"matches", name, "111122223333", "eu-west-1", nil},
		{"nothing known", name, "", "", nil},
		{"account unknown", name, "", "eu-west-1", nil},
		{"not of the form", "example-media", "111122223333", "us-east-1", nil},
		{"another region", name, "111122223333", "us-east-1", []string{
			`names region eu-west-1, but the buckets are created in region us-east-1; name it "media-111122223333-us-east-1-an", or create the pair in eu-west-1`}},
		{"another region, account unknown", name, "", "us-east-1", []string{`name it "media-111122223333-us-east-1-an"`}},
		{"another account", name, "999988887777", "eu-west-1", []string{
			`names account 111122223333, but the provider's credentials belong to account 999988887777`, `name it "media-999988887777-eu-west-1-an"`}},
		{"both", name, "999988887777", "us-east-1", []string{
			`names account 111122223333 and region eu-west-1, but the buckets are created by account 999988887777 in region us-east-1`,
			`name it "media-999988887777-us-east-1-an"`}},
		{"no namespace in the region", "media-111122223333-me-south-1-an", "111122223333", "me-south-1", []string{
			"which S3 does not offer in region me-south-1 (nor in me-south-1 or me-central-1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			got := AccountRegionalProblems(tt.name, tt.account, tt.region)
			if len(got) != 0 && tt.want == nil || tt.want != nil && len(got) != 1 {
				t.Fatalf("AccountRegionalProblems = %q, want %d problem(s) like %q", got, len(tt.want), tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("problem %q, want it to say %q", got[0], w)
				}
			}
		})
	}
}

// Every name of the account regional form that fits the general rules is valid as a bucket name: the
// namespace rules add to those, never contradict them.
func TestAccountRegionalNamesAreValidNames(t *testing.T) {
	for _, region := range []string{"us-east-1", "ap-southeast-2", "us-gov-west-1", "eusc-de-east-1"} {
		name := AccountRegionalName("shop-media", "111122223333", region)
		if p := Problems(name); p != nil {
			t.Errorf("%s: %q", name, p)
		}
	}
}
