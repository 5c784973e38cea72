package bucketpolicy

// This file holds what users add to the provider's bucket policies: the CloudFront origin access control
// (OAC) read statement, and statements of their own, which are checked at plan time so that none of them
// can quietly undo what the provider's statements protect.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Roles of the buckets, as CheckExtra takes them; the same words as bucketstate's roles.
const (
	RoleMedia  = "media"
	RoleStatic = "static"
)

// sidCloudFrontOACRead labels the statement letting the CDN read objects.
const sidCloudFrontOACRead = "CloudFrontOACRead"

// cloudFrontServicePrincipal is the principal that OAC-signed requests from CloudFront arrive as.
const cloudFrontServicePrincipal = "cloudfront.amazonaws.com"

// ReservedSids returns the Sids of the statements the provider itself writes into bucket policies. A user's
// statement may not take one: a reader of the policy in the console would take it for the provider's, and
// GuardExempt finds the guard by its Sid. A fresh slice each call; a test builds every bucket policy the
// provider writes and fails when a Sid in them is missing here.
func ReservedSids() []string {
	return []string{sidDenyInsecureTransport, sidPublicReadGetObject, sidGuardVersions, sidCloudFrontOACRead}
}

// CloudFrontReadStatement returns the statement (compact JSON) that lets the CloudFront distribution
// distributionARN read the objects of the bucket bucketARN through origin access control, as AWS's guide
// "Restrict access to an Amazon S3 origin" writes it: the CloudFront service principal, s3:GetObject on the
// objects, and a StringEquals condition on AWS:SourceArn so that no other distribution, in any account, can
// use the grant.
//
// s3:ListBucket is deliberately not granted. S3's GetObject reference says a missing key is a 404 for a
// caller with s3:ListBucket and a 403 for one without (S3 does not tell a caller that may not list whether
// a key exists), so the CDN shows a 403 for a missing file; a distribution can turn that into a 404 page with
// a custom error response. Granting it would let any viewer list the bucket through the CDN (a request for
// the root path becomes a ListObjects call) and tell which keys exist, and media keys must never be
// listable. Nor is s3:GetObjectVersion granted: the CDN serves current versions only, so the media bucket's
// history is not readable through it.
//
// CloudFront fetches from an S3 origin with the protocol the viewer used, and every bucket policy of the
// provider denies plain HTTP, so the distribution must redirect viewers to HTTPS (or accept HTTPS only).
func CloudFrontReadStatement(bucketARN, distributionARN string) string {
	return mustMarshal(cloudFrontRead(bucketARN, distributionARN))
}

// oacStatement has Principal as an object, which the other statement types of this package cannot hold.
type oacStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition"`
}

func cloudFrontRead(bucketARN, distributionARN string) oacStatement {
	return oacStatement{
		Sid:       sidCloudFrontOACRead,
		Effect:    "Allow",
		Principal: map[string]string{"Service": cloudFrontServicePrincipal},
		Action:    "s3:GetObject",
		Resource:  bucketARN + "/*",
		// The key as AWS's guide spells it; condition keys are case-insensitive.
		Condition: map[string]map[string]string{"StringEquals": {"AWS:SourceArn": distributionARN}},
	}
}

// exampleDistributionARN shows the expected form in messages.
const exampleDistributionARN = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"

// Compiled on first use rather than at start-up: Terraform starts the provider three times per plan.
// distributionIDPattern is a distribution ID as CloudFront issues them.
var distributionIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z0-9]+$`) })

// ValidDistributionARN checks a CloudFront distribution ARN at plan time:
// arn:<partition>:cloudfront::<12-digit account>:distribution/<ID>. The error says what to write instead.
// No wildcards: the condition that uses it compares with StringEquals, so a pattern would match nothing.
func ValidDistributionARN(s string) error {
	const hint = "write the distribution's ARN (the arn attribute of aws_cloudfront_distribution), such as " + exampleDistributionARN
	if s == "" {
		return errors.New("the distribution ARN is empty: " + hint)
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%q has leading or trailing spaces: remove them", s)
	}
	if distributionIDPattern().MatchString(s) {
		return fmt.Errorf("%q is a distribution ID, not its ARN: write arn:aws:cloudfront::<account ID>:distribution/%s", s, s)
	}
	parts := strings.SplitN(s, ":", arnParts)
	if len(parts) != arnParts || parts[0] != "arn" {
		return fmt.Errorf("%q is not an ARN: %s", s, hint)
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if !partitionPattern().MatchString(partition) {
		return fmt.Errorf("%q has the partition %q: write aws (or aws-cn, aws-us-gov, ...) after \"arn:\"", s, partition)
	}
	if service != "cloudfront" {
		return fmt.Errorf("%q is not a CloudFront ARN: %s", s, hint)
	}
	if region != "" {
		return fmt.Errorf("%q has a region, which CloudFront ARNs never have: write arn:%s:cloudfront::%s", s, partition, strings.Join(parts[4:], ":"))
	}
	if !accountPattern().MatchString(account) {
		return fmt.Errorf("%q has the account %q: write the 12-digit ID of the account that owns the distribution", s, account)
	}
	kind, id, ok := strings.Cut(resource, "/")
	if !ok || kind != "distribution" {
		return fmt.Errorf("%q does not name a distribution (the bucket policy names the distribution, not its origin access control): %s", s, hint)
	}
	if !distributionIDPattern().MatchString(id) {
		return fmt.Errorf("%q has the distribution ID %q: an ID is uppercase letters and digits, such as EDFDVBD6EXAMPLE", s, id)
	}
	return nil
}

// Additions are what a bucket's policy carries beyond the provider's own statements.
type Additions struct {
	// BucketARN is the bucket the policy is for; the CloudFront statement grants reads of its objects.
	// Needed only with DistributionARN.
	BucketARN string
	// DistributionARN, when set, adds CloudFrontReadStatement for this distribution.
	DistributionARN string
	// Extra, when set, is a policy document of the user's (as aws_iam_policy_document's json or jsonencode
	// writes it) whose statements are added. Check it with CheckExtra at plan time.
	Extra string
}

// WithAdditions returns policy, a document Desired or DesiredMedia returned, with the CloudFront statement
// and the statements of add.Extra appended, in that order, as compact JSON. A user's statement is kept as
// written (only its whitespace goes), a single Statement object counts as a list of one, and the extra
// document's Version and Id are dropped: the statements join the provider's 2012-10-17 document. With
// nothing to add it returns policy unchanged, byte for byte, so buckets without additions keep the policy
// they always had.
//
// It checks only what it needs to merge; CheckExtra is what refuses statements that would loosen a bucket.
func WithAdditions(policy string, add Additions) (string, error) {
	var added []json.RawMessage
	if add.DistributionARN != "" {
		if add.BucketARN == "" {
			return "", errors.New("bucketpolicy: a CloudFront statement needs the bucket ARN")
		}
		if err := ValidDistributionARN(add.DistributionARN); err != nil {
			return "", fmt.Errorf("invalid CloudFront distribution ARN: %w", err)
		}
		added = append(added, json.RawMessage(CloudFrontReadStatement(add.BucketARN, add.DistributionARN)))
	}
	if add.Extra != "" {
		extra, err := splitExtra(add.Extra)
		if err != nil {
			return "", fmt.Errorf("invalid extra policy: %w", err)
		}
		added = append(added, extra.statements...)
	}
	if len(added) == 0 {
		return policy, nil
	}

	var doc struct {
		Version   string            `json:"Version"`
		Statement []json.RawMessage `json:"Statement"`
	}
	dec := json.NewDecoder(strings.NewReader(policy))
	// Anything but Version and Statement would be lost in the re-encoding; the provider writes nothing else.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return "", fmt.Errorf("bucketpolicy: the provider's policy is not a policy document: %w", err)
	}
	doc.Statement = append(doc.Statement, added...)
	// The encoder compacts each raw statement and, as marshal is set up, leaves HTML characters as written.
	return marshal(doc)
}

// extraDocument is a user's policy document: its top-level members and its statements, each kept raw.
type extraDocument struct {
	top        map[string]json.RawMessage
	statements []json.RawMessage
}

// splitExtra reads the user's document as far as merging needs: one JSON object whose Statement is an
// object or an array of objects.
func splitExtra(extra string) (extraDocument, error) {
	var doc extraDocument
	dec := json.NewDecoder(strings.NewReader(extra))
	if err := dec.Decode(&doc.top); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return doc, fmt.Errorf("the policy must be a JSON object, got %s", jsonKind(typeErr.Value))
		}
		return doc, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return doc, errors.New("not valid JSON: unexpected data after the top-level value")
	}
	if doc.top == nil {
		return doc, errors.New("the policy must be a JSON object, got null")
	}
	raw, ok := doc.top["Statement"]
	if !ok {
		return doc, errors.New("missing Statement")
	}
	switch trimmed := bytes.TrimSpace(raw); {
	case len(trimmed) > 0 && trimmed[0] == '{':
		doc.statements = []json.RawMessage{trimmed}
	case len(trimmed) > 0 && trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &doc.statements); err != nil {
			return doc, fmt.Errorf("Statement: %w", err)
		}
	default:
		return doc, fmt.Errorf("Statement must be an object or an array of objects, got %s", jsonKind(string(trimmed)))
	}
	for i, s := range doc.statements {
		if t := bytes.TrimSpace(s); len(t) == 0 || t[0] != '{' {
			return doc, fmt.Errorf("Statement[%d] must be an object, got %s", i, jsonKind(string(t)))
		}
	}
	return doc, nil
}

// jsonKind names the JSON type of a raw value, or of the type name an UnmarshalTypeError reports.
func jsonKind(v string) string {
	switch {
	case v == "null":
		return "null"
	case v == "true" || v == "false" || v == "bool":
		return "a boolean"
	case v == "array" || strings.HasPrefix(v, "["):
		return "an array"
	case v == "object" || strings.HasPrefix(v, "{"):
		return "an object"
	case v == "string" || strings.HasPrefix(v, `"`):
		return "a string"
	default:
		return "a number"
	}
}

// Problem is one thing wrong with an extra policy document, for a plan-time diagnostic.
type Problem struct {
	// Statement is the index of the statement in the document's Statement list, or -1 for the document.
	Statement int
	// Message names what is wrong (and the statement, by index and Sid) and what to write instead.
	Message string
}

func (p Problem) String() string { return p.Message }

// Actions that anyone (Principal "*") may be granted: reads. Every other action changes the bucket or
// what is in it.
var publicReadPrefixes = []string{"s3:get", "s3:list"}

// CheckExtra checks, at plan time, a user's extra policy document for the bucket of the given role
// (RoleMedia or RoleStatic) and returns its problems, none when it may be added. Beyond the shape S3
// requires (a 2012-10-17 document; statements with Effect, a principal, actions and resources; Sids that are
// unique and not the provider's), it refuses an Allow to anyone that grants more than reads, and on the media
// bucket, before that, one that grants any action the media bucket's guard protects.
//
// "Anyone" is Principal "*" (or "*" among the principals of any type), and any NotPrincipal, which in an
// Allow grants everyone not named. A Condition does not make such a grant acceptable: conditions a public
// principal can meet are the common case (a Referer, a source IP), the ones that do pin the caller
// (aws:PrincipalAccount, aws:PrincipalOrgID) are better written as named principals, and telling them
// apart is more policy evaluation than a plan check should guess at. Resource is not considered either: a
// narrower resource still grants the action on what it names.
func CheckExtra(role, extra string) []Problem {
	if role != RoleMedia && role != RoleStatic {
		panic(fmt.Sprintf("bucketpolicy: CheckExtra role %q, want %q or %q", role, RoleMedia, RoleStatic))
	}
	if extra == "" {
		return nil
	}
	doc, err := splitExtra(extra)
	if err != nil {
		return []Problem{{Statement: -1, Message: "The extra policy is not a policy document: " + err.Error() +
			`. Write a JSON object such as {"Version":"2012-10-17","Statement":[...]}, for example with jsonencode or the json of an aws_iam_policy_document.`}}
	}

	var problems []Problem
	report := func(i int, format string, args ...any) {
		problems = append(problems, Problem{Statement: i, Message: fmt.Sprintf(format, args...)})
	}
	for _, key := range sortedKeys(doc.top) {
		if key != "Version" && key != "Id" && key != "Statement" {
			report(-1, "The extra policy has the member %q, which a policy document does not have: a policy has Version, Statement and optionally Id.", key)
		}
	}
	var version string
	if raw, ok := doc.top["Version"]; !ok || json.Unmarshal(raw, &version) != nil || version != policyVersion {
		got := "no Version"
		if ok {
			got = "the Version " + string(raw)
		}
		report(-1, `The extra policy has %s: write "Version": %q. Its statements join the provider's %s policy, and the older 2008-10-17 language lacks policy variables.`,
			got, policyVersion, policyVersion)
	}
	if len(doc.statements) == 0 {
		report(-1, "The extra policy has no statements: add the statements to grant, or leave the argument unset.")
	}

	reserved := ReservedSids()
	firstBySid := map[string]int{}
	for i, raw := range doc.statements {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var st map[string]any
		if err := dec.Decode(&st); err != nil {
			report(i, "Statement[%d] is not valid JSON: %v.", i, err)
			continue
		}
		name := fmt.Sprintf("Statement[%d]", i)
		if sidV, ok := st["Sid"]; ok {
			sid, isString := sidV.(string)
			switch {
			case !isString:
				report(i, "%s has a Sid that is %s: a Sid is a string, such as \"AllowPartnerRead\".", name, kind(sidV))
			case slices.ContainsFunc(reserved, func(r string) bool { return strings.EqualFold(r, sid) }):
				report(i, "%s has the Sid %q, which the provider uses for its own statements (%s): choose another Sid, so the policy shows which statements are yours.",
					name, sid, strings.Join(reserved, ", "))
			case sid == "":
				// An empty Sid labels nothing, like none.
			default:
				if first, dup := firstBySid[sid]; dup {
					report(i, "%s has the Sid %q, as Statement[%d] does: give each statement its own Sid (IAM requires Sids to be unique within a policy) or leave it out.",
						name, sid, first)
				} else {
					firstBySid[sid] = i
				}
			}
			if isString && sid != "" {
				name += fmt.Sprintf(" (Sid %q)", sid)
			}
		}
		problems = append(problems, checkStatement(role, i, name, st)...)
	}
	return problems
}

// statementKeys are the members a bucket policy statement may have.
var statementKeys = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// checkStatement checks one user statement's shape, then what it grants to anyone.
func checkStatement(role string, i int, name string, st map[string]any) []Problem {
	var problems []Problem
	report := func(format string, args ...any) {
		problems = append(problems, Problem{Statement: i, Message: name + " " + fmt.Sprintf(format, args...)})
	}
	for _, key := range sortedKeys(st) {
		if !slices.Contains(statementKeys, key) {
			report("has the member %q, which a statement does not have: use %s.", key, strings.Join(statementKeys, ", "))
		}
	}
	if effect, ok := st["Effect"].(string); !ok || (effect != "Allow" && effect != "Deny") {
		report(`needs "Effect": "Allow" or "Effect": "Deny", spelled so.`)
		return problems
	}
	// The same reading Equivalent will give the merged policy; what fails here would fail there.
	if _, err := statementOf(st); err != nil {
		report("is not valid: %v.", err)
		return problems
	}
	shaped := true
	for _, pair := range [][2]string{{"Principal", "NotPrincipal"}, {"Action", "NotAction"}, {"Resource", "NotResource"}} {
		_, has := st[pair[0]]
		_, hasNot := st[pair[1]]
		switch {
		case has && hasNot:
			report("has both %s and %s: keep one.", pair[0], pair[1])
			shaped = false
		case !has && !hasNot:
			report("has no %s: a bucket policy statement names %s (or %s).", pair[0], strings.ToLower(pair[0])+"s", pair[1])
			shaped = false
		}
	}
	if !shaped || st["Effect"] != "Allow" {
		return problems
	}
	if p, ok := publicGrant(role, name, st); ok {
		problems = append(problems, Problem{Statement: i, Message: p})
	}
	return problems
}

// publicGrant returns the problem with an Allow statement (of a valid shape) that grants anyone more than
// reads, and whether there is one.
func publicGrant(role, name string, st map[string]any) (string, bool) {
	who, public := anyone(st)
	if !public {
		return "", false
	}
	actionKey := "Action"
	_, negated := st["NotAction"]
	if negated {
		actionKey = "NotAction"
	}
	// checkStatement has read the statement with statementOf, so this cannot fail.
	patterns, _ := stringSet(st[actionKey], strings.ToLower)
	grants := func(action string) bool {
		matched := slices.ContainsFunc(patterns, func(p string) bool { return wildcardMatch(p, strings.ToLower(action)) })
		return matched != negated
	}
	const fix = `Name the principals that need them instead (an account, role or user ARN, such as {"AWS": "arn:aws:iam::111122223333:role/Uploader"}), or drop them.`

	if role == RoleMedia {
		var protected []string
		for _, a := range appDeniedActions() {
			if grants(a) {
				protected = append(protected, a)
			}
		}
		if len(protected) > 0 {
			return fmt.Sprintf("%s allows %s to %s: on the media bucket that would let anyone erase the media's history or loosen the bucket's protection (its versioning, lifecycle, policy, public access block, ownership, encryption, Object Lock or replication), whatever the Condition. %s",
				name, who, strings.Join(protected, ", "), fix), true
		}
	}

	var writes []string
	if negated {
		writes = []string{"every action NotAction does not list"}
	} else {
		for _, p := range patterns {
			if !readOnly(p) {
				writes = append(writes, fmt.Sprintf("%q", p))
			}
		}
	}
	if len(writes) == 0 {
		return "", false
	}
	harm := map[string]string{
		RoleMedia:  "anyone could upload to the media bucket, overwrite or delete media, or fill the bucket at your expense",
		RoleStatic: "anyone could deface the site, delete its files, or fill the bucket at your expense",
	}[role]
	return fmt.Sprintf("%s allows %s more than reads (%s): %s, whatever the Condition. Grant anyone only reads (s3:GetObject, s3:List*). %s",
		name, who, strings.Join(writes, ", "), harm, fix), true
}

// anyone reports whether a statement's principal is everyone, and describes it for a message.
func anyone(st map[string]any) (string, bool) {
	if _, ok := st["NotPrincipal"]; ok {
		return "everyone not named in NotPrincipal", true
	}
	if s, ok := st["Principal"].(string); ok && s == "*" {
		return `anyone (Principal "*")`, true
	}
	p, err := principal(st["Principal"])
	if err != nil {
		return "", false
	}
	for _, typ := range sortedKeys(p) {
		if slices.Contains(p[typ], "*") {
			return fmt.Sprintf(`anyone (Principal {%q: "*"})`, typ), true
		}
	}
	return "", false
}

// readOnly reports whether every action the (lower-cased) pattern matches is a read: the part before its
// first wildcard already starts with a read prefix. A pattern such as s3:?etObject counts as more than a
// read, which errs on the side of a problem.
func readOnly(pattern string) bool {
	literalPart, _, _ := strings.Cut(strings.ReplaceAll(pattern, "?", "*"), "*")
	return slices.ContainsFunc(publicReadPrefixes, func(prefix string) bool { return strings.HasPrefix(literalPart, prefix) })
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
