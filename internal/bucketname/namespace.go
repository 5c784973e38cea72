package bucketname

// Bucket namespaces. Since March 2026 an account can create general purpose buckets in its own account
// regional namespace, where nobody else can ever take or squat a name: CreateBucket with the header
// x-amz-bucket-namespace: account-regional, and a name of the form <prefix>-<12-digit account ID>-<region>-an
// (for example amzn-s3-demo-bucket-111122223333-us-west-2-an). A name ending in -an is for that namespace
// only; the suffix counts towards the 63 characters of the whole name.
//
// Rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html#account-regional-naming-rules
// and https://docs.aws.amazon.com/AmazonS3/latest/userguide/gpbucketnamespaces.html

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The namespaces a general purpose bucket can be created in, as CreateBucket's x-amz-bucket-namespace
// names them.
const (
	NamespaceGlobal          = "global"
	NamespaceAccountRegional = "account-regional"
)

// Namespaces lists both, the default first, for validators and documentation; do not modify.
var Namespaces = []string{NamespaceGlobal, NamespaceAccountRegional}

// AccountRegionalSuffix ends every name in an account regional namespace.
const AccountRegionalSuffix = "-an"

// NamespaceUnavailableRegions are the regions where S3 offers no account regional namespace (Middle East
// (Bahrain) and Middle East (UAE)); do not modify.
var NamespaceUnavailableRegions = []string{"me-south-1", "me-central-1"}

// Compiled on first use rather than at start-up: Terraform starts the provider three times per plan.
// accountRegionalPattern is <prefix>-<12-digit account ID>-<region code>-an. A region code is lowercase
// words and a number joined by hyphens (us-east-1, ap-southeast-2, us-gov-west-1, eusc-de-east-1). The
// prefix is matched greedily, so a 12-digit group inside it is never taken for the account.
var accountRegionalPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(.+)-([0-9]{12})-([a-z]{2,}(?:-[a-z]+)+-[0-9]+)-an$`)
})

// AccountRegional is a name in an account regional namespace, taken apart.
type AccountRegional struct {
	Prefix, Account, Region string
}

// ParseAccountRegional takes apart a name of the account regional form; ok is false for any other name.
func ParseAccountRegional(name string) (n AccountRegional, ok bool) {
	m := accountRegionalPattern().FindStringSubmatch(name)
	if m == nil {
		return AccountRegional{}, false
	}
	return AccountRegional{Prefix: m[1], Account: m[2], Region: m[3]}, true
}

// AccountRegionalName is prefix in account's namespace in region.
func AccountRegionalName(prefix, account, region string) string {
	return prefix + "-" + account + "-" + region + AccountRegionalSuffix
}

// NamespaceOf says which namespace a bucket called name must have been created in: the account regional
// one for a name of its form (S3 creates no other bucket with such a name), else the global one.
func NamespaceOf(name string) string {
	if _, ok := ParseAccountRegional(name); ok {
		return NamespaceAccountRegional
	}
	return NamespaceGlobal
}

// NamespaceProblems returns what is wrong with name for a bucket in namespace, as sentences that say how to
// fix it; nil when nothing is. option names the setting that chooses the namespace, for the messages (for
// example `bucket_namespace`). In the global namespace a name must not end in -an; in the account regional
// one it must have the account regional form. Whether the account and region in the name are the right ones
// is for AccountRegionalProblems, once they are known.
func NamespaceProblems(name, namespace, option string) []string {
	switch namespace {
	case NamespaceGlobal:
		if strings.HasSuffix(asciiLower(name), AccountRegionalSuffix) {
			return []string{fmt.Sprintf("ends with %q, which S3 keeps for buckets in an account regional namespace: "+
				"to create the bucket there, set %s = %q and name it <prefix>-<12-digit account ID>-<region>-an; "+
				"otherwise choose a name that does not end with %q", AccountRegionalSuffix, option, NamespaceAccountRegional, AccountRegionalSuffix)}
		}
	case NamespaceAccountRegional:
		if _, ok := ParseAccountRegional(name); !ok {
			return []string{fmt.Sprintf("is not a name in an account regional namespace: with %s = %q a name must be "+
				"<prefix>-<12-digit account ID>-<region>-an, for example %q (the suffix counts towards the 63 characters); "+
				"or set %s = %q", option, NamespaceAccountRegional, AccountRegionalName(examplePrefix(name), "111122223333", "us-west-2"),
				option, NamespaceGlobal)}
		}
	}
	return nil
}

// AccountRegionalProblems returns what is wrong with the account and region in name, a name of the account
// regional form, for a bucket created in region by account; "" for either means not known, and not checked.
// It returns nil for a name of another form (NamespaceProblems reports those).
func AccountRegionalProblems(name, account, region string) []string {
	n, ok := ParseAccountRegional(name)
	if !ok {
		return nil
	}
	var problems []string
	if region != "" && slices.Contains(NamespaceUnavailableRegions, region) {
		problems = append(problems, fmt.Sprintf("is in an account regional namespace, which S3 does not offer in region %s "+
			"(nor in %s); create the pair in another region, or in the global namespace", region, strings.Join(NamespaceUnavailableRegions, " or ")))
	}
	right := AccountRegionalName(n.Prefix, orDefault(account, n.Account), orDefault(region, n.Region))
	switch {
	case region != "" && n.Region != region && account != "" && n.Account != account:
		problems = append(problems, fmt.Sprintf("names account %s and region %s, but the buckets are created by account %s in "+
			"region %s, whose namespace is the only one it may use; name it %q", n.Account, n.Region, account, region, right))
	case region != "" && n.Region != region:
		problems = append(problems, fmt.Sprintf("names region %s, but the buckets are created in region %s; name it %q, or "+
			"create the pair in %s (the provider's region)", n.Region, region, right, n.Region))
	case account != "" && n.Account != account:
		problems = append(problems, fmt.Sprintf("names account %s, but the provider's credentials belong to account %s, whose "+
			"namespace is the only one they may create buckets in; name it %q", n.Account, account, right))
	}
	return problems
}

// examplePrefix is name without an -an suffix, for an example of the account regional form; or "media".
func examplePrefix(name string) string {
	p := strings.TrimSuffix(name, AccountRegionalSuffix)
	if p == "" || !Valid(p) {
		return "media"
	}
	return p
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
