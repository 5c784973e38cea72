package bucketpolicy

// This file holds what protects the media bucket's history from the app's own keys: the IAM identity policies
// users attach to their app and deploy principals, and the guard statement of the media bucket policy with
// the rules for who it exempts.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Sids of the provider's statements. They are part of the documents users attach and read in the console,
// so they never change once released.
const (
	sidMediaList           = "MediaList"
	sidMediaObjects        = "MediaObjects"
	sidStaticList          = "StaticList"
	sidStaticRead          = "StaticRead"
	sidStaticObjects       = "StaticObjects"
	sidDenyHistoryRewrites = "DenyMediaHistoryAndConfigChanges"
	sidGuardVersions       = "GuardVersions"
	sidMediaKey            = "MediaKey"
	sidStaticKey           = "StaticKey"
	sidDenyMediaKeyLoss    = "DenyMediaKeyLoss"
)

// guardConditionOperator and guardConditionKey exempt principals from the guard. ArnNotLike on
// aws:PrincipalArn matches a role session through its role's ARN, so the exempt list names roles, not sessions.
const (
	guardConditionOperator = "ArnNotLike"
	guardConditionKey      = "aws:PrincipalArn"
)

// GuardedActions are what the media bucket's guard statement denies to every principal not exempted: the
// actions that destroy versions or switch the protection off. Object Lock's default retention, its GOVERNANCE
// bypass and the replica's configuration are among them: each would let a principal outside the list erase
// history that Object Lock or the replica keeps. A fresh slice each call, so documentation and validators
// read the same list and no caller can change it for another.
func GuardedActions() []string {
	return []string{
		"s3:DeleteObjectVersion",
		"s3:PutBucketVersioning",
		"s3:PutLifecycleConfiguration",
		"s3:PutBucketPolicy",
		"s3:DeleteBucketPolicy",
		"s3:PutBucketObjectLockConfiguration",
		"s3:BypassGovernanceRetention",
		"s3:PutReplicationConfiguration",
	}
}

// appDeniedActions are denied to the app on the media bucket whatever else grants them: the guarded actions
// (Object Lock's default retention and GOVERNANCE bypass among them, so media_object_lock holds against the
// app's keys) plus every other setting whose change would expose or remove the media.
func appDeniedActions() []string {
	return append(GuardedActions(),
		"s3:PutBucketPublicAccessBlock",
		"s3:PutBucketOwnershipControls",
		"s3:PutEncryptionConfiguration",
		"s3:DeleteBucket",
	)
}

// iamStatement is a statement of the documents in this file. Principal is omitted in identity policies.
// Action and Resource are always arrays, so a user comparing the documents sees one shape throughout.
type iamStatement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Principal string                         `json:"Principal,omitempty"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

type iamDocument struct {
	Version   string         `json:"Version"`
	Statement []iamStatement `json:"Statement"`
}

// AppPolicy returns the identity policy (compact JSON) for the application at runtime: it reads, writes,
// lists and deletes media (a delete only adds a delete marker on the versioned bucket) and reads static
// files. An explicit Deny of everything that would remove versions or loosen the media bucket follows, so
// a broader grant elsewhere on the same principal cannot give those back.
//
// mediaKey and staticKey are the buckets' KMS key ARNs, "" for SSE-S3. With SSE-KMS, S3 uses the key on the
// caller's behalf, with the caller's permissions: writing an object needs kms:GenerateDataKey, reading one
// kms:Decrypt, and so does a multipart upload, whose parts S3 decrypts to assemble the object. The app gets
// both on the media key, kms:Decrypt on the static key, and a Deny of what would make the media key, and
// so every version encrypted under it, unusable.
func AppPolicy(mediaARN, staticARN, mediaKey, staticKey string) string {
	media := []string{mediaARN, mediaARN + "/*"}
	statements := []iamStatement{
		allow(sidMediaList, []string{mediaARN}, "s3:ListBucket", "s3:GetBucketLocation"),
		allow(sidMediaObjects, []string{mediaARN + "/*"},
			"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"),
	}
	if mediaKey != "" {
		statements = append(statements, allow(sidMediaKey, []string{mediaKey}, kmsReadWriteActions()...))
	}
	statements = append(statements,
		allow(sidStaticList, []string{staticARN}, "s3:ListBucket"),
		allow(sidStaticRead, []string{staticARN + "/*"}, "s3:GetObject"),
	)
	if staticKey != "" {
		statements = append(statements, allow(sidStaticKey, []string{staticKey}, "kms:Decrypt"))
	}
	statements = append(statements, iamStatement{Sid: sidDenyHistoryRewrites, Effect: "Deny", Action: appDeniedActions(), Resource: media})
	if mediaKey != "" {
		statements = append(statements, iamStatement{Sid: sidDenyMediaKeyLoss, Effect: "Deny", Action: MediaKeyDeniedActions(), Resource: []string{mediaKey}})
	}
	return mustMarshal(iamDocument{Version: policyVersion, Statement: statements})
}

// DeployPolicy returns the identity policy (compact JSON) for the deploy step (collectstatic): it lists,
// reads, writes and deletes static files, and grants nothing on the media bucket. staticKey is the static
// bucket's KMS key ARN, "" for SSE-S3; with one, collectstatic needs kms:GenerateDataKey to write and
// kms:Decrypt to read files back (and to finish multipart uploads).
func DeployPolicy(staticARN, staticKey string) string {
	statements := []iamStatement{
		allow(sidStaticList, []string{staticARN}, "s3:ListBucket"),
		allow(sidStaticObjects, []string{staticARN + "/*"},
			"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"),
	}
	if staticKey != "" {
		statements = append(statements, allow(sidStaticKey, []string{staticKey}, kmsReadWriteActions()...))
	}
	return mustMarshal(iamDocument{Version: policyVersion, Statement: statements})
}

// kmsReadWriteActions are what reading and writing objects under SSE-KMS need on the key (Amazon S3 User
// Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)" and "Multipart upload API and
// permissions"). kms:Encrypt is not among them: S3 encrypts with the data key GenerateDataKey returns.
func kmsReadWriteActions() []string { return []string{"kms:Decrypt", "kms:GenerateDataKey"} }

// MediaKeyDeniedActions are denied to the app on the media bucket's KMS key: each would leave every version
// encrypted under the key unreadable (a disabled key, a key scheduled for deletion, imported key material
// deleted) or lock its owners out of it (a new key policy). A fresh slice each call.
func MediaKeyDeniedActions() []string {
	return []string{"kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:DeleteImportedKeyMaterial", "kms:PutKeyPolicy"}
}

func allow(sid string, resources []string, actions ...string) iamStatement {
	return iamStatement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

// DesiredMedia returns the media bucket's policy: the TLS-only policy of Desired, plus, when exempt names
// anyone, the guard statement denying GuardedActions to every principal whose ARN matches none of exempt.
// With exempt empty it is exactly Desired(bucketARN, false), so a bucket without the guard keeps the policy
// it always had. The exempt list is sorted and deduplicated, so its order in the configuration never shows
// as a change.
func DesiredMedia(bucketARN string, exempt []string) string {
	base := Desired(bucketARN, false)
	if len(exempt) == 0 {
		return base
	}
	// Extend Desired's own output rather than rebuilding the TLS statement, so the two cannot diverge.
	var doc struct {
		Version   string            `json:"Version"`
		Statement []json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(base), &doc); err != nil {
		panic("bucketpolicy: Desired produced invalid JSON: " + err.Error())
	}
	guard := mustMarshal(iamStatement{
		Sid:       sidGuardVersions,
		Effect:    "Deny",
		Principal: "*",
		Action:    GuardedActions(),
		Resource:  []string{bucketARN, bucketARN + "/*"},
		Condition: map[string]map[string][]string{
			guardConditionOperator: {guardConditionKey: sortedSet(slices.Clone(exempt))},
		},
	})
	doc.Statement = append(doc.Statement, json.RawMessage(guard))
	return mustMarshal(doc)
}

func mustMarshal(v any) string {
	out, err := marshal(v)
	if err != nil {
		// Only strings, slices and maps of strings are marshalled; this cannot fail.
		panic("bucketpolicy: marshal policy: " + err.Error())
	}
	return out
}

// Exempts reports whether the guard statement with this exempt list lets callerARN (as STS GetCallerIdentity
// returns it) through, evaluating ArnNotLike on aws:PrincipalArn as AWS does:
//   - a role session (arn:aws:sts::111122223333:assumed-role/Role/session) is its role,
//     arn:aws:iam::111122223333:role/<path>Role. The session ARN omits the path, so a pattern covers the
//     session when its last segment matches the role name and what precedes it fits some path: role names
//     are unique within an account whatever their path. What this cannot see is an entry whose path is
//     wrong (role/ci/Terraform for a role Terraform whose path is /): it counts as exempt, but AWS will not
//     match it. A wildcard is not taken to stand for part of the unknown path and the name at once
//     (role/Terraform-* does not cover a role App under a path /Terraform-x/);
//   - IAM users, the account root and any other principal compare as they are;
//   - wildcards in exempt (* any run of characters, ? one character) match within each of the six
//     colon-separated parts of an ARN, case-sensitively.
func Exempts(exempt []string, callerARN string) bool {
	principal, ok := principalOf(callerARN)
	if !ok {
		return false
	}
	for _, pattern := range exempt {
		if principal.matchedBy(pattern) {
			return true
		}
	}
	return false
}

// arnParts is the number of colon-separated parts of an ARN; the last, the resource, may contain colons.
const arnParts = 6

// principalARN is the aws:PrincipalArn of a caller. For a role session the resource part is unknown beyond
// the role's name; role is set and parts[5] is empty.
type principalARN struct {
	parts [arnParts]string
	role  string
}

// principalOf returns the aws:PrincipalArn that callerARN has, or false when callerARN is not an ARN.
func principalOf(callerARN string) (principalARN, bool) {
	var p principalARN
	parts := strings.SplitN(callerARN, ":", arnParts)
	if len(parts) != arnParts || parts[0] != "arn" || parts[5] == "" {
		return p, false
	}
	copy(p.parts[:], parts)
	session, isSession := strings.CutPrefix(parts[5], "assumed-role/")
	if parts[2] != "sts" || !isSession {
		return p, true
	}
	// Neither role names nor session names contain a slash.
	role, name, ok := strings.Cut(session, "/")
	if !ok || role == "" || name == "" || strings.Contains(name, "/") {
		return p, false
	}
	p.parts[2], p.parts[3], p.parts[5], p.role = "iam", "", "", role
	return p, true
}

// matchedBy reports whether the ArnLike pattern matches the principal.
func (p principalARN) matchedBy(pattern string) bool {
	parts := strings.SplitN(pattern, ":", arnParts)
	if len(parts) != arnParts {
		return false
	}
	for i := range arnParts - 1 {
		if !wildcardMatch(parts[i], p.parts[i]) {
			return false
		}
	}
	if p.role == "" {
		return wildcardMatch(parts[5], p.parts[5])
	}
	if wildcardMatch(parts[5], "role/"+p.role) {
		return true // the role without a path, or a pattern such as * that covers any role
	}
	// role/<path>/Name: the last segment is the name, what precedes it "role/" and the path's segments.
	cut := strings.LastIndex(parts[5], "/")
	if cut < 0 || !wildcardMatch(parts[5][cut+1:], p.role) {
		return false
	}
	return globsIntersect(wildcards(parts[5][:cut]), append(literal("role/"), globToken{anyRun: true}))
}

// wildcardMatch reports whether the IAM pattern (* and ? wildcards) matches s.
func wildcardMatch(pattern, s string) bool {
	return globsIntersect(wildcards(pattern), literal(s))
}

// globToken is one element of a glob: a literal character, any one character, or any run of characters.
type globToken struct {
	char    rune
	anyOne  bool
	anyRun  bool
	literal bool
}

func literal(s string) []globToken {
	out := make([]globToken, 0, len(s))
	for _, r := range s {
		out = append(out, globToken{char: r, literal: true})
	}
	return out
}

// wildcards reads an IAM pattern: * is any run of characters, ? any one character, the rest literal.
func wildcards(s string) []globToken {
	out := make([]globToken, 0, len(s))
	for _, r := range s {
		switch r {
		case '*':
			out = append(out, globToken{anyRun: true})
		case '?':
			out = append(out, globToken{anyOne: true})
		default:
			out = append(out, globToken{char: r, literal: true})
		}
	}
	return out
}

// globsIntersect reports whether some string matches both globs. It walks the product of the two
// patterns' positions: a run wildcard may be skipped, and one character may be read by both sides at once
// when they agree on it (two literals must be equal; a wildcard agrees with anything).
func globsIntersect(a, b []globToken) bool {
	type state struct{ i, j int }
	seen := map[state]bool{}
	stack := []state{{0, 0}}
	push := func(s state) {
		if !seen[s] {
			seen[s] = true
			stack = append(stack, s)
		}
	}
	seen[state{0, 0}] = true
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.i == len(a) && s.j == len(b) {
			return true
		}
		if s.i < len(a) && a[s.i].anyRun {
			push(state{s.i + 1, s.j})
		}
		if s.j < len(b) && b[s.j].anyRun {
			push(state{s.i, s.j + 1})
		}
		if s.i == len(a) || s.j == len(b) {
			continue
		}
		ta, tb := a[s.i], b[s.j]
		if ta.literal && tb.literal && ta.char != tb.char {
			continue
		}
		next := state{s.i + 1, s.j + 1}
		if ta.anyRun {
			next.i = s.i
		}
		if tb.anyRun {
			next.j = s.j
		}
		if next != s {
			push(next)
		}
	}
	return false
}

// Compiled on first use rather than at start-up: Terraform starts the provider three times per plan.
var (
	partitionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^aws(-[a-z]+)*$`) })
	accountPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	// A role or user name, its path segments before it; * and ? are ArnLike wildcards.
	principalNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([!-.0-~]+/)*[\w+=,.@*?-]+$`) })
)

// exampleExemptARN shows the expected form in messages.
const exampleExemptARN = "arn:aws:iam::111122223333:role/BreakGlass"

// ValidPrincipalARN checks one entry of the guard's exempt list at plan time: an IAM role, user or account
// root ARN, with ArnLike wildcards allowed in the name. The error says what to write instead.
func ValidPrincipalARN(s string) error {
	if s == "" {
		return fmt.Errorf("the ARN is empty: name an IAM role, user or account root, such as %s", exampleExemptARN)
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%q has leading or trailing spaces: remove them", s)
	}
	if strings.Trim(s, "*?") == "" {
		return fmt.Errorf("%q would exempt every principal, so the guard would protect nothing: name the break-glass principal, such as %s", s, exampleExemptARN)
	}
	parts := strings.SplitN(s, ":", arnParts)
	if len(parts) != arnParts || parts[0] != "arn" {
		return fmt.Errorf("%q is not an ARN: name an IAM role, user or account root, such as %s", s, exampleExemptARN)
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if !partitionPattern().MatchString(partition) {
		return fmt.Errorf("%q has the partition %q: write aws (or aws-cn, aws-us-gov, ...) after \"arn:\"", s, partition)
	}
	if service == "sts" && strings.HasPrefix(resource, "assumed-role/") {
		role, _, _ := strings.Cut(strings.TrimPrefix(resource, "assumed-role/"), "/")
		return fmt.Errorf("%q is a role session; a session's aws:PrincipalArn is its role's ARN: write arn:%s:iam::%s:role/%s (with the role's path, if it has one, before the name)",
			s, partition, account, role)
	}
	if service != "iam" {
		return fmt.Errorf("%q is not an IAM ARN: name an IAM role, user or account root, such as %s", s, exampleExemptARN)
	}
	if region != "" {
		return fmt.Errorf("%q has a region, which IAM ARNs never have: write arn:%s:iam::%s", s, partition, strings.Join(parts[4:], ":"))
	}
	if !accountPattern().MatchString(account) {
		return fmt.Errorf("%q has the account %q: write the 12-digit account ID (a wildcard there would exempt principals of other accounts)", s, account)
	}
	if resource == "root" {
		return nil
	}
	kind, name, ok := strings.Cut(resource, "/")
	if !ok || (kind != "role" && kind != "user") {
		return fmt.Errorf("%q does not name a principal: write role/<name>, user/<name> or root after the account ID, such as %s", s, exampleExemptARN)
	}
	if !principalNamePattern().MatchString(name) {
		return fmt.Errorf("%q has the %s name %q, which IAM does not allow: use the letters, digits and +=,.@_- of the name, any path as path/to/name, and * or ? as wildcards", s, kind, name)
	}
	return nil
}

// GuardExempt returns the exempt principals of the guard statement in a media bucket policy, or nil when
// the policy has no guard: a Deny whose condition is ArnNotLike on aws:PrincipalArn. Read uses it to report
// the guard as S3 has it. A user's extra statements may have the same shape, so the statement with the
// guard's Sid is taken first, then one without a Sid (for a server that drops Sids); a statement with
// another Sid is never the guard.
func GuardExempt(doc string) []string {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return nil
	}
	var stmts []struct {
		Sid       string
		Effect    string
		Condition map[string]map[string]json.RawMessage
	}
	if json.Unmarshal(p.Statement, &stmts) != nil {
		return nil
	}
	for _, sid := range []string{sidGuardVersions, ""} {
		for _, st := range stmts {
			if st.Sid != sid || st.Effect != "Deny" {
				continue
			}
			if exempt, ok := principalArnNotLike(st.Condition); ok {
				return exempt
			}
		}
	}
	return nil
}

// principalArnNotLike returns the values, sorted and deduplicated, of a condition's ArnNotLike on
// aws:PrincipalArn, and whether it has one. Values that are neither a string nor strings read as none.
func principalArnNotLike(condition map[string]map[string]json.RawMessage) ([]string, bool) {
	for key, raw := range condition[guardConditionOperator] {
		if !strings.EqualFold(key, guardConditionKey) {
			continue
		}
		var list []string
		if json.Unmarshal(raw, &list) != nil {
			var one string
			if json.Unmarshal(raw, &one) != nil {
				return nil, true
			}
			list = []string{one}
		}
		slices.Sort(list)
		return slices.Compact(list), true
	}
	return nil, false
}
