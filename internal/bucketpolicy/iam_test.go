package bucketpolicy

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const (
	testMediaARN  = "arn:aws:s3:::pm-media"
	testStaticARN = "arn:aws:s3:::pm-static"
)

// parsedStatement is a statement as a user's tooling would read it: Action and Resource as sets whatever
// their JSON shape, everything else kept so unexpected fields fail the comparison.
type parsedStatement struct {
	Sid       string
	Effect    string
	Principal any
	Action    []string
	Resource  []string
	Condition any
	Other     map[string]any
}

// parseDocument decodes doc strictly: it must be compact JSON of a 2012-10-17 policy.
func parseDocument(t *testing.T, doc string) []parsedStatement {
	t.Helper()
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(doc)); err != nil {
		t.Fatalf("not valid JSON: %v\n%s", err, doc)
	}
	if compact.String() != doc {
		t.Errorf("not compact JSON:\n got %s\nwant %s", doc, compact.String())
	}
	var top map[string]any
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if top["Version"] != "2012-10-17" || len(top) != 2 {
		t.Errorf("document = %v, want exactly Version 2012-10-17 and Statement", top)
	}
	list, ok := top["Statement"].([]any)
	if !ok {
		t.Fatalf("Statement is %T, want an array", top["Statement"])
	}
	var out []parsedStatement
	for i, v := range list {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("Statement[%d] is %T", i, v)
		}
		s := parsedStatement{Other: map[string]any{}}
		for k, val := range m {
			switch k {
			case "Sid":
				s.Sid, _ = val.(string)
			case "Effect":
				s.Effect, _ = val.(string)
			case "Principal":
				s.Principal = val
			case "Action":
				s.Action = stringsOf(t, val)
			case "Resource":
				s.Resource = stringsOf(t, val)
			case "Condition":
				s.Condition = val
			default:
				s.Other[k] = val
			}
		}
		out = append(out, s)
	}
	return out
}

func stringsOf(t *testing.T, v any) []string {
	t.Helper()
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				t.Fatalf("element %v is %T, want a string", e, e)
			}
			out[i] = s
		}
		return out
	}
	t.Fatalf("value %v is %T, want a string or an array of strings", v, v)
	return nil
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// wantStatement is what one statement must contain, as sets.
type wantStatement struct {
	effect    string
	actions   []string
	resources []string
}

// checkStatements asserts the exact statements by Sid of an identity policy: no Principal, no Condition,
// nothing else, and exactly the listed actions and resources.
func checkStatements(t *testing.T, doc string, want map[string]wantStatement) []parsedStatement {
	t.Helper()
	got := parseDocument(t, doc)
	seen := map[string]bool{}
	for _, s := range got {
		if seen[s.Sid] {
			t.Errorf("Sid %q appears twice", s.Sid)
		}
		seen[s.Sid] = true
		w, ok := want[s.Sid]
		if !ok {
			t.Errorf("unexpected statement %+v", s)
			continue
		}
		if s.Effect != w.effect {
			t.Errorf("%s: Effect = %q, want %q", s.Sid, s.Effect, w.effect)
		}
		if a := sorted(s.Action...); !slices.Equal(a, sorted(w.actions...)) {
			t.Errorf("%s: actions = %v, want %v", s.Sid, a, sorted(w.actions...))
		}
		if r := sorted(s.Resource...); !slices.Equal(r, sorted(w.resources...)) {
			t.Errorf("%s: resources = %v, want %v", s.Sid, r, sorted(w.resources...))
		}
		if s.Principal != nil || s.Condition != nil || len(s.Other) != 0 {
			t.Errorf("%s: identity policy statement has Principal %v, Condition %v, other %v; want none", s.Sid, s.Principal, s.Condition, s.Other)
		}
	}
	for sid := range want {
		if !seen[sid] {
			t.Errorf("statement %q is missing", sid)
		}
	}
	return got
}

// forbiddenToAllow are the actions no Allow of the provider's identity policies may grant, directly or
// through a wildcard: each deletes a version or changes what protects the buckets.
var forbiddenToAllow = []string{
	"s3:DeleteObjectVersion", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
	"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock",
	"s3:PutBucketOwnershipControls", "s3:PutEncryptionConfiguration", "s3:DeleteBucket",
	"s3:PutBucketAcl", "s3:PutObjectAcl", "s3:DeleteObjectVersionTagging", "s3:PutBucketObjectLockConfiguration",
	"s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold",
}

func checkNoForbiddenAllow(t *testing.T, statements []parsedStatement) {
	t.Helper()
	for _, s := range statements {
		if s.Effect != "Allow" {
			continue
		}
		for _, granted := range s.Action {
			for _, f := range forbiddenToAllow {
				// IAM compares actions case-insensitively and expands * and ? in them.
				if globsIntersect(wildcards(strings.ToLower(granted)), literal(strings.ToLower(f))) {
					t.Errorf("%s allows %q, which grants the forbidden %s", s.Sid, granted, f)
				}
			}
		}
	}
}

func TestAppPolicy(t *testing.T) {
	doc := AppPolicy(testMediaARN, testStaticARN, "", "")
	statements := checkStatements(t, doc, map[string]wantStatement{
		"MediaList": {"Allow", []string{"s3:ListBucket", "s3:GetBucketLocation"}, []string{testMediaARN}},
		"MediaObjects": {"Allow", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
			"s3:ListMultipartUploadParts"}, []string{testMediaARN + "/*"}},
		"StaticList": {"Allow", []string{"s3:ListBucket"}, []string{testStaticARN}},
		"StaticRead": {"Allow", []string{"s3:GetObject"}, []string{testStaticARN + "/*"}},
		"DenyMediaHistoryAndConfigChanges": {"Deny", []string{
			"s3:DeleteObjectVersion", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy",
			"s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
			"s3:PutEncryptionConfiguration", "s3:DeleteBucket", "s3:PutBucketObjectLockConfiguration", "s3:BypassGovernanceRetention",
			"s3:PutReplicationConfiguration",
		}, []string{testMediaARN, testMediaARN + "/*"}},
	})
	checkNoForbiddenAllow(t, statements)

	for _, s := range statements {
		if s.Effect == "Deny" {
			for _, a := range GuardedActions() {
				if !slices.Contains(s.Action, a) {
					t.Errorf("the app's Deny lacks the guarded action %s", a)
				}
			}
		}
	}
	if again := AppPolicy(testMediaARN, testStaticARN, "", ""); again != doc {
		t.Errorf("AppPolicy is not deterministic:\n%s\n%s", doc, again)
	}
}

func TestDeployPolicy(t *testing.T) {
	doc := DeployPolicy(testStaticARN, "")
	statements := checkStatements(t, doc, map[string]wantStatement{
		"StaticList":    {"Allow", []string{"s3:ListBucket"}, []string{testStaticARN}},
		"StaticObjects": {"Allow", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}, []string{testStaticARN + "/*"}},
	})
	checkNoForbiddenAllow(t, statements)
	if strings.Contains(doc, "pm-media") {
		t.Errorf("the deploy policy mentions the media bucket: %s", doc)
	}
	if again := DeployPolicy(testStaticARN, ""); again != doc {
		t.Errorf("DeployPolicy is not deterministic:\n%s\n%s", doc, again)
	}
}

func TestGuardedActionsIsAFreshSlice(t *testing.T) {
	first := GuardedActions()
	want := slices.Clone(first)
	first[0] = "s3:GetObject"
	if got := GuardedActions(); !slices.Equal(got, want) {
		t.Errorf("GuardedActions after a caller changed its copy = %v, want %v", got, want)
	}
	wantSet := sorted("s3:DeleteObjectVersion", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
		"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketObjectLockConfiguration",
		"s3:BypassGovernanceRetention", "s3:PutReplicationConfiguration")
	if got := sorted(GuardedActions()...); !slices.Equal(got, wantSet) {
		t.Errorf("GuardedActions = %v, want %v", got, wantSet)
	}
}

func TestDesiredMedia(t *testing.T) {
	for _, exempt := range [][]string{nil, {}} {
		if got, want := DesiredMedia(testMediaARN, exempt), Desired(testMediaARN, false); got != want {
			t.Errorf("DesiredMedia(%q, %#v) =\n%s\nwant exactly Desired(arn, false)\n%s", testMediaARN, exempt, got, want)
		}
	}

	const (
		breakGlass = "arn:aws:iam::111122223333:role/BreakGlass"
		terraform  = "arn:aws:iam::111122223333:role/ci/Terraform"
	)
	exempt := []string{terraform, breakGlass, terraform}
	doc := DesiredMedia(testMediaARN, exempt)
	if !slices.Equal(exempt, []string{terraform, breakGlass, terraform}) {
		t.Errorf("DesiredMedia changed its argument: %v", exempt)
	}

	statements := parseDocument(t, doc)
	tlsOnly := parseDocument(t, Desired(testMediaARN, false))
	if len(statements) != 2 {
		t.Fatalf("DesiredMedia has %d statements, want the TLS-only one and the guard:\n%s", len(statements), doc)
	}
	if !reflect.DeepEqual(statements[0], tlsOnly[0]) {
		t.Errorf("first statement = %+v, want Desired's TLS-only statement %+v", statements[0], tlsOnly[0])
	}
	guard := statements[1]
	want := parsedStatement{
		Sid:       "GuardVersions",
		Effect:    "Deny",
		Principal: "*",
		Action:    GuardedActions(),
		Resource:  []string{testMediaARN, testMediaARN + "/*"},
		Condition: map[string]any{"ArnNotLike": map[string]any{"aws:PrincipalArn": []any{breakGlass, terraform}}},
		Other:     map[string]any{},
	}
	if !reflect.DeepEqual(guard, want) {
		t.Errorf("guard statement =\n%+v\nwant\n%+v", guard, want)
	}

	if other := DesiredMedia(testMediaARN, []string{breakGlass, terraform}); other != doc {
		t.Errorf("the exempt list's order or duplicates changed the policy:\n%s\n%s", doc, other)
	}
	if eq, err := Equivalent(doc, doc); err != nil || !eq {
		t.Errorf("Equivalent(DesiredMedia, DesiredMedia) = %v, %v; want true, nil", eq, err)
	}
	normalized, err := Normalize(doc)
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	if eq, err := Equivalent(normalized, doc); err != nil || !eq {
		t.Errorf("Equivalent(Normalize(DesiredMedia), DesiredMedia) = %v, %v; want true, nil", eq, err)
	}
	for name, other := range map[string]string{
		"without the guard":       Desired(testMediaARN, false),
		"with another exemption":  DesiredMedia(testMediaARN, []string{breakGlass}),
		"for another bucket":      DesiredMedia("arn:aws:s3:::pm-other", exempt),
		"with the guard reworded": strings.Replace(doc, "ArnNotLike", "StringNotLike", 1),
	} {
		if eq, err := Equivalent(doc, other); err != nil || eq {
			t.Errorf("Equivalent(DesiredMedia, %s) = %v, %v; want false, nil", name, eq, err)
		}
	}
}

func TestExempts(t *testing.T) {
	const acct = "111122223333"
	tests := []struct {
		name   string
		exempt []string
		caller string
		want   bool
	}{
		{"role session, role without path", []string{"arn:aws:iam::" + acct + ":role/Terraform"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci-run-42", true},
		{"role session, role with a path", []string{"arn:aws:iam::" + acct + ":role/ci/deploy/Terraform"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci-run-42", true},
		{"SSO role session under its reserved path", []string{"arn:aws:iam::" + acct + ":role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"}, "arn:aws:sts::" + acct + ":assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane@example.com", true},
		{"role session, other role", []string{"arn:aws:iam::" + acct + ":role/BreakGlass"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", false},
		{"role session, role name is a suffix only", []string{"arn:aws:iam::" + acct + ":role/ci/XTerraform"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", false},
		{"role session, role name is a prefix only", []string{"arn:aws:iam::" + acct + ":role/Terraform"}, "arn:aws:sts::" + acct + ":assumed-role/TerraformCI/ci", false},
		{"role session, other account", []string{"arn:aws:iam::444455556666:role/Terraform"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", false},
		{"role session, other partition", []string{"arn:aws-cn:iam::" + acct + ":role/Terraform"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", false},
		{"role session in aws-us-gov", []string{"arn:aws-us-gov:iam::" + acct + ":role/Terraform"}, "arn:aws-us-gov:sts::" + acct + ":assumed-role/Terraform/ci", true},
		{"session ARN in the list is not the principal", []string{"arn:aws:sts::" + acct + ":assumed-role/Terraform/ci"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", false},
		{"user", []string{"arn:aws:iam::" + acct + ":user/deployer"}, "arn:aws:iam::" + acct + ":user/deployer", true},
		{"user with a path", []string{"arn:aws:iam::" + acct + ":user/ops/deployer"}, "arn:aws:iam::" + acct + ":user/ops/deployer", true},
		{"user, path differs", []string{"arn:aws:iam::" + acct + ":user/deployer"}, "arn:aws:iam::" + acct + ":user/ops/deployer", false},
		{"user, other user", []string{"arn:aws:iam::" + acct + ":user/deployer"}, "arn:aws:iam::" + acct + ":user/app", false},
		{"user, case differs", []string{"arn:aws:iam::" + acct + ":user/Deployer"}, "arn:aws:iam::" + acct + ":user/deployer", false},
		{"user is not the role of the same name", []string{"arn:aws:iam::" + acct + ":role/deployer"}, "arn:aws:iam::" + acct + ":user/deployer", false},
		{"root", []string{"arn:aws:iam::" + acct + ":root"}, "arn:aws:iam::" + acct + ":root", true},
		{"root of another account", []string{"arn:aws:iam::444455556666:root"}, "arn:aws:iam::" + acct + ":root", false},
		{"root does not exempt the account's roles", []string{"arn:aws:iam::" + acct + ":root"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", false},
		{"wildcard role name", []string{"arn:aws:iam::" + acct + ":role/Terraform-*"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform-prod/ci", true},
		{"wildcard role name, no match", []string{"arn:aws:iam::" + acct + ":role/Terraform-*"}, "arn:aws:sts::" + acct + ":assumed-role/App-prod/ci", false},
		{"wildcard path", []string{"arn:aws:iam::" + acct + ":role/ci/*"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", true},
		{"wildcard path segment", []string{"arn:aws:iam::" + acct + ":role/*/Terraform"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", true},
		{"wildcard path segment, other name", []string{"arn:aws:iam::" + acct + ":role/*/Terraform"}, "arn:aws:sts::" + acct + ":assumed-role/App/ci", false},
		{"whole resource wildcard", []string{"arn:aws:iam::" + acct + ":*"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", true},
		{"wildcard name in a pinned path", []string{"arn:aws:iam::" + acct + ":role/ci/Terra*"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", true},
		{"every role of the account", []string{"arn:aws:iam::" + acct + ":role/*"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", true},
		{"every role does not cover users", []string{"arn:aws:iam::" + acct + ":role/*"}, "arn:aws:iam::" + acct + ":user/deployer", false},
		{"single-character wildcard", []string{"arn:aws:iam::" + acct + ":user/deployer?"}, "arn:aws:iam::" + acct + ":user/deployer2", true},
		{"single-character wildcard needs one", []string{"arn:aws:iam::" + acct + ":user/deployer?"}, "arn:aws:iam::" + acct + ":user/deployer", false},
		{"wildcard account", []string{"arn:aws:iam::*:role/Terraform"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform/ci", true},
		{"wildcard stays within its part", []string{"arn:aws:iam::*"}, "arn:aws:iam::" + acct + ":user/deployer", false},
		{"later entry matches", []string{"arn:aws:iam::" + acct + ":role/BreakGlass", "arn:aws:iam::" + acct + ":user/deployer"}, "arn:aws:iam::" + acct + ":user/deployer", true},
		{"SeaweedFS identity", []string{"arn:aws:iam::000000000000:user/admin"}, "arn:aws:iam::000000000000:user/admin", true},
		{"empty exempt list", nil, "arn:aws:iam::" + acct + ":user/deployer", false},
		{"caller unknown", []string{"arn:aws:iam::" + acct + ":role/*"}, "", false},
		{"caller not an ARN", []string{"*"}, "deployer", false},
		{"malformed session", []string{"arn:aws:iam::" + acct + ":role/*"}, "arn:aws:sts::" + acct + ":assumed-role/Terraform", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Exempts(tt.exempt, tt.caller); got != tt.want {
				t.Errorf("Exempts(%q, %q) = %v, want %v", tt.exempt, tt.caller, got, tt.want)
			}
		})
	}
}

func TestGlobsIntersect(t *testing.T) {
	tests := []struct {
		a, b string // b's * is a run wildcard too, as in principalARNs' role paths
		want bool
	}{
		{"", "", true},
		{"*", "", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"a*c", "abbbc", true},
		{"a?c", "ac", false},
		{"a*", "*b", true},
		{"a*", "b*", false},
		{"*x*", "*y*", true},
		{"role/ci/*", "role/*/Terraform", true},
		{"role/ci/Other", "role/*/Terraform", false},
		{"role/?", "role/*/T", false},
		{"role/?/T", "role/*/T", true},
	}
	for _, tt := range tests {
		for _, pair := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
			if got := globsIntersect(wildcards(pair[0]), wildcards(pair[1])); got != tt.want {
				t.Errorf("globsIntersect(%q, %q) = %v, want %v", pair[0], pair[1], got, tt.want)
			}
		}
	}
}

func TestValidPrincipalARN(t *testing.T) {
	valid := []string{
		"arn:aws:iam::111122223333:role/BreakGlass",
		"arn:aws:iam::111122223333:role/ci/deploy/Terraform",
		"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef",
		"arn:aws:iam::111122223333:role/Terraform-*",
		"arn:aws:iam::111122223333:role/*",
		"arn:aws:iam::111122223333:user/deployer",
		"arn:aws:iam::111122223333:user/ops/deploy+er=1,x.y@z_w-v",
		"arn:aws:iam::111122223333:user/deployer?",
		"arn:aws:iam::111122223333:root",
		"arn:aws-cn:iam::111122223333:role/BreakGlass",
		"arn:aws-us-gov:iam::111122223333:role/BreakGlass",
		"arn:aws:iam::000000000000:user/admin",
	}
	for _, s := range valid {
		if err := ValidPrincipalARN(s); err != nil {
			t.Errorf("ValidPrincipalARN(%q) = %v, want nil", s, err)
		}
	}

	invalid := []struct {
		arn, wantErr string
	}{
		{"", "the ARN is empty: name an IAM role"},
		{" arn:aws:iam::111122223333:root", "leading or trailing spaces: remove them"},
		{"*", "would exempt every principal"},
		{"BreakGlass", `"BreakGlass" is not an ARN: name an IAM role, user or account root, such as arn:aws:iam::111122223333:role/BreakGlass`},
		{"arn:aws:iam::111122223333", "is not an ARN"},
		{"arn:amazon:iam::111122223333:root", `partition "amazon": write aws`},
		{"arn:aws:sts::111122223333:assumed-role/Terraform/ci", "is a role session; a session's aws:PrincipalArn is its role's ARN: write arn:aws:iam::111122223333:role/Terraform"},
		{"arn:aws:s3:::pm-media", "is not an IAM ARN"},
		{"arn:aws:iam:us-east-1:111122223333:role/X", "has a region, which IAM ARNs never have: write arn:aws:iam::111122223333:role/X"},
		{"arn:aws:iam::*:role/X", `account "*": write the 12-digit account ID`},
		{"arn:aws:iam::1111-2222-3333:role/X", "write the 12-digit account ID"},
		{"arn:aws:iam::111122223333:group/Admins", "does not name a principal: write role/<name>, user/<name> or root"},
		{"arn:aws:iam::111122223333:policy/Admin", "does not name a principal"},
		{"arn:aws:iam::111122223333:role/", `has the role name "", which IAM does not allow`},
		{"arn:aws:iam::111122223333:role/ci//X", "which IAM does not allow"},
		{"arn:aws:iam::111122223333:role/ci/", "which IAM does not allow"},
		{"arn:aws:iam::111122223333:user/has space", "which IAM does not allow"},
	}
	for _, tt := range invalid {
		err := ValidPrincipalARN(tt.arn)
		if err == nil {
			t.Errorf("ValidPrincipalARN(%q) = nil, want an error containing %q", tt.arn, tt.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ValidPrincipalARN(%q) = %q, want it to contain %q", tt.arn, err, tt.wantErr)
		}
	}
}

func TestGuardExempt(t *testing.T) {
	arn := "arn:aws:s3:::media"
	exempt := []string{"arn:aws:iam::123456789012:role/Terraform", "arn:aws:iam::123456789012:role/BreakGlass"}
	if got := GuardExempt(DesiredMedia(arn, exempt)); !slices.Equal(got, []string{exempt[1], exempt[0]}) {
		t.Fatalf("GuardExempt(DesiredMedia) = %v", got)
	}
	for name, doc := range map[string]string{
		"no guard":    Desired(arn, false),
		"public read": Desired(arn, true),
		"not json":    "{",
		"empty":       "",
	} {
		if got := GuardExempt(doc); got != nil {
			t.Errorf("%s: GuardExempt = %v, want nil", name, got)
		}
	}
	// A server that returns single values as strings.
	one := `{"Statement":[{"Effect":"Deny","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::1:role/x"}}}]}`
	if got := GuardExempt(one); !slices.Equal(got, []string{"arn:aws:iam::1:role/x"}) {
		t.Fatalf("single value: %v", got)
	}
}

func TestGuardExemptWithUserStatements(t *testing.T) {
	const (
		arn        = "arn:aws:s3:::media"
		breakGlass = "arn:aws:iam::123456789012:role/BreakGlass"
	)
	// A user's statement with the guard's shape: a Deny on ArnNotLike aws:PrincipalArn.
	userDeny := func(sid string) string {
		s := `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::media/*",` +
			`"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/App"}}}`
		if sid != "" {
			s = `{"Sid":"` + sid + `",` + s[1:]
		}
		return s
	}
	guarded := statementsOf(t, DesiredMedia(arn, []string{breakGlass}))
	unguarded := statementsOf(t, Desired(arn, false))
	doc := func(statements ...string) string { return policy(statements...) }

	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"the guard after a user's statement", doc(append([]string{userDeny("OnlyTheApp")}, guarded...)...), []string{breakGlass}},
		{"the guard before a user's statement", doc(append(slices.Clone(guarded), userDeny("OnlyTheApp"))...), []string{breakGlass}},
		{"a user's statement without a Sid before the guard", doc(append([]string{userDeny("")}, guarded...)...), []string{breakGlass}},
		{"no guard, a user's statement with a Sid", doc(append(slices.Clone(unguarded), userDeny("OnlyTheApp"))...), nil},
		{"a user's statement with another Sid is never the guard, whatever else", doc(userDeny("X"), userDeny("Y")), nil},
		// A server that drops Sids leaves the guard without one; the first such statement is taken.
		{"no Sids at all", doc(strings.Replace(guarded[1], `"Sid":"GuardVersions",`, "", 1)), []string{breakGlass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GuardExempt(tt.doc); !slices.Equal(got, tt.want) {
				t.Errorf("GuardExempt =\n%v\nwant %v\n%s", got, tt.want, tt.doc)
			}
		})
	}
}
