package bucketpolicy

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const testDistributionARN = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"

func TestCloudFrontReadStatement(t *testing.T) {
	got := CloudFrontReadStatement(testStaticARN, testDistributionARN)
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(got)); err != nil || compact.String() != got {
		t.Fatalf("CloudFrontReadStatement is not compact JSON (%v):\n%s", err, got)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(got), &st); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	want := map[string]any{
		"Sid":       "CloudFrontOACRead",
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
		"Action":    "s3:GetObject",
		"Resource":  testStaticARN + "/*",
		"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": testDistributionARN}},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("CloudFrontReadStatement =\n%s\nwant\n%#v", got, want)
	}

	// The statement as AWS's guide and the console write it, reformatted as S3 may return it.
	guide := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipalReadOnly",` +
		`"Effect":"Allow","Principal":{"Service":["cloudfront.amazonaws.com"]},"Action":["s3:GetObject"],` +
		`"Resource":["arn:aws:s3:::pm-static/*"],` +
		`"Condition":{"StringEquals":{"aws:SourceArn":["` + testDistributionARN + `"]}}}]}`
	if eq, err := Equivalent(policy(got), guide); err != nil || !eq {
		t.Errorf("Equivalent(CloudFrontReadStatement, the guide's statement) = %v, %v; want true, nil", eq, err)
	}
	for name, other := range map[string]string{
		"another distribution": CloudFrontReadStatement(testStaticARN, "arn:aws:cloudfront::111122223333:distribution/E2OTHER"),
		"another bucket":       CloudFrontReadStatement(testMediaARN, testDistributionARN),
	} {
		if eq, err := Equivalent(policy(got), policy(other)); err != nil || eq {
			t.Errorf("Equivalent(CloudFrontReadStatement, %s) = %v, %v; want false, nil", name, eq, err)
		}
	}
	if strings.Contains(strings.ToLower(got), "listbucket") || strings.Contains(strings.ToLower(got), "version") {
		t.Errorf("the CDN may read current objects only, not list them or read versions: %s", got)
	}
}

func TestValidDistributionARN(t *testing.T) {
	for _, s := range []string{
		testDistributionARN,
		"arn:aws:cloudfront::111122223333:distribution/E2QWRUHAPOMQZL",
		"arn:aws-cn:cloudfront::111122223333:distribution/E2QWRUHAPOMQZL",
		"arn:aws-us-gov:cloudfront::111122223333:distribution/E2QWRUHAPOMQZL",
	} {
		if err := ValidDistributionARN(s); err != nil {
			t.Errorf("ValidDistributionARN(%q) = %v, want nil", s, err)
		}
	}

	invalid := []struct{ arn, wantErr string }{
		{"", "the distribution ARN is empty: write the distribution's ARN (the arn attribute of aws_cloudfront_distribution), such as arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"},
		{testDistributionARN + " ", "leading or trailing spaces: remove them"},
		{"EDFDVBD6EXAMPLE", `"EDFDVBD6EXAMPLE" is a distribution ID, not its ARN: write arn:aws:cloudfront::<account ID>:distribution/EDFDVBD6EXAMPLE`},
		{"d111111abcdef8.cloudfront.net", "is not an ARN: write the distribution's ARN"},
		{"arn:aws:cloudfront::111122223333", "is not an ARN"},
		{"arn:amazon:cloudfront::111122223333:distribution/E1", `partition "amazon": write aws`},
		{"arn:aws:s3:::pm-static", "is not a CloudFront ARN: write the distribution's ARN"},
		{"arn:aws:cloudfront:us-east-1:111122223333:distribution/E1", "has a region, which CloudFront ARNs never have: write arn:aws:cloudfront::111122223333:distribution/E1"},
		{"arn:aws:cloudfront::*:distribution/E1", `account "*": write the 12-digit ID`},
		{"arn:aws:cloudfront::11112222333:distribution/E1", "write the 12-digit ID"},
		{"arn:aws:cloudfront::111122223333:origin-access-control/E1", "does not name a distribution (the bucket policy names the distribution, not its origin access control)"},
		{"arn:aws:cloudfront::111122223333:distribution", "does not name a distribution"},
		{"arn:aws:cloudfront::111122223333:distribution/", `has the distribution ID "": an ID is uppercase letters and digits, such as EDFDVBD6EXAMPLE`},
		{"arn:aws:cloudfront::111122223333:distribution/*", `has the distribution ID "*"`},
		{"arn:aws:cloudfront::111122223333:distribution/edfdvbd6example", `has the distribution ID "edfdvbd6example"`},
		{"arn:aws:cloudfront::111122223333:distribution/E1/x", `has the distribution ID "E1/x"`},
	}
	for _, tt := range invalid {
		err := ValidDistributionARN(tt.arn)
		if err == nil {
			t.Errorf("ValidDistributionARN(%q) = nil, want an error containing %q", tt.arn, tt.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ValidDistributionARN(%q) = %q, want it to contain %q", tt.arn, err, tt.wantErr)
		}
	}
}

func TestWithAdditionsOfNothingIsThePolicy(t *testing.T) {
	for name, p := range map[string]string{
		"static, public read": Desired(testStaticARN, true),
		"static, private":     Desired(testStaticARN, false),
		"media with guard":    DesiredMedia(testMediaARN, []string{"arn:aws:iam::111122223333:role/BreakGlass"}),
		// Not the provider's encoding: proves the policy is returned, not rebuilt.
		"pretty-printed": pretty(t, Desired(testStaticARN, true)),
	} {
		got, err := WithAdditions(p, Additions{BucketARN: testStaticARN})
		if err != nil || got != p {
			t.Errorf("%s: WithAdditions(policy, nothing) = %q, %v; want the policy unchanged", name, got, err)
		}
	}
}

func TestWithAdditions(t *testing.T) {
	const (
		partnerRead = `{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},` +
			`"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::pm-static/*"}`
		denyUpload = `{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::pm-static/*",` +
			`"Condition":{"NumericGreaterThan":{"s3:content-length":10485760},"Bool":{"aws:ViaAWSService":false}}}`
	)
	base := Desired(testStaticARN, true)
	baseStatements := statementsOf(t, base)
	oac := CloudFrontReadStatement(testStaticARN, testDistributionARN)

	tests := []struct {
		name  string
		add   Additions
		added []string // the statements expected after the provider's, byte for byte
	}{
		{
			name:  "CloudFront only",
			add:   Additions{BucketARN: testStaticARN, DistributionARN: testDistributionARN},
			added: []string{oac},
		},
		{
			name:  "extra statements as a list",
			add:   Additions{Extra: `{"Version":"2012-10-17","Statement":[` + partnerRead + `,` + denyUpload + `]}`},
			added: []string{partnerRead, denyUpload},
		},
		{
			name:  "a single statement object",
			add:   Additions{Extra: `{"Version":"2012-10-17","Statement":` + partnerRead + `}`},
			added: []string{partnerRead},
		},
		{
			name: "CloudFront first, then the extra statements",
			add: Additions{BucketARN: testStaticARN, DistributionARN: testDistributionARN,
				Extra: `{"Version":"2012-10-17","Statement":[` + partnerRead + `]}`},
			added: []string{oac, partnerRead},
		},
		{
			name:  "pretty-printed extra loses only its whitespace",
			add:   Additions{Extra: pretty(t, `{"Version":"2012-10-17","Statement":[`+denyUpload+`]}`)},
			added: []string{denyUpload},
		},
		{
			name: "key order, escapes and number forms stay as written",
			add: Additions{Extra: `{"Statement":[{"Resource":"arn:aws:s3:::pm-static/a\u0026b/*","Action":"s3:GetObject",` +
				`"Effect":"Allow","Principal":"*","Condition":{"NumericLessThan":{"s3:max-keys":1.50}},"Sid":"A<B"}],"Id":"x","Version":"2008-10-17"}`},
			added: []string{`{"Resource":"arn:aws:s3:::pm-static/a\u0026b/*","Action":"s3:GetObject","Effect":"Allow","Principal":"*",` +
				`"Condition":{"NumericLessThan":{"s3:max-keys":1.50}},"Sid":"A<B"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WithAdditions(base, tt.add)
			if err != nil {
				t.Fatalf("WithAdditions: %v", err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(got)); err != nil || compact.String() != got {
				t.Errorf("not compact JSON (%v):\n%s", err, got)
			}
			var top map[string]json.RawMessage
			if err := json.Unmarshal([]byte(got), &top); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if string(top["Version"]) != `"2012-10-17"` || len(top) != 2 {
				t.Errorf("document members = %s, want exactly the provider's Version 2012-10-17 and Statement", got)
			}
			want := append(slices.Clone(baseStatements), tt.added...)
			if stmts := statementsOf(t, got); !slices.Equal(stmts, want) {
				t.Errorf("statements =\n%s\nwant\n%s", strings.Join(stmts, "\n"), strings.Join(want, "\n"))
			}

			// The merged document survives the comparison Read makes, in the forms S3 returns it in.
			if eq, err := Equivalent(got, pretty(t, got)); err != nil || !eq {
				t.Errorf("Equivalent(merged, merged pretty-printed) = %v, %v; want true, nil", eq, err)
			}
			if eq, err := Equivalent(got, base); err != nil || eq {
				t.Errorf("Equivalent(merged, policy without additions) = %v, %v; want false, nil", eq, err)
			}
			if again, err := WithAdditions(base, tt.add); err != nil || again != got {
				t.Errorf("WithAdditions is not deterministic:\n%s\n%s (%v)", got, again, err)
			}
		})
	}
}

// statementsOf returns the raw statements of a compact document.
func statementsOf(t *testing.T, doc string) []string {
	t.Helper()
	var d struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("unmarshal %s: %v", doc, err)
	}
	out := make([]string, len(d.Statement))
	for i, s := range d.Statement {
		out[i] = string(s)
	}
	return out
}

func TestWithAdditionsMergedAsS3ReturnsIt(t *testing.T) {
	extra := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Partners","Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::777788889999:role/Reader"]},` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::pm-media/shared/*"}]}`
	merged, err := WithAdditions(DesiredMedia(testMediaARN, []string{"arn:aws:iam::111122223333:role/BreakGlass"}),
		Additions{BucketARN: testMediaARN, DistributionARN: testDistributionARN, Extra: extra})
	if err != nil {
		t.Fatalf("WithAdditions: %v", err)
	}
	// As S3 returns it: statements reordered, single values as arrays, the account ID as its root ARN.
	returned := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Partners","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::777788889999:role/Reader","arn:aws:iam::444455556666:root"]},` +
		`"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::pm-media/shared/*"]},` +
		`{"Sid":"CloudFrontOACRead","Effect":"Allow","Principal":{"Service":["cloudfront.amazonaws.com"]},"Action":["s3:GetObject"],` +
		`"Resource":["arn:aws:s3:::pm-media/*"],"Condition":{"StringEquals":{"AWS:SourceArn":["` + testDistributionARN + `"]}}},` +
		strings.Join(statementsOf(t, DesiredMedia(testMediaARN, []string{"arn:aws:iam::111122223333:role/BreakGlass"})), ",") + `]}`
	if eq, err := Equivalent(merged, returned); err != nil || !eq {
		n1, _ := Normalize(merged)
		n2, _ := Normalize(returned)
		t.Errorf("Equivalent(merged, as S3 returns it) = %v, %v; want true, nil\n%s\n%s", eq, err, n1, n2)
	}
	if got := GuardExempt(returned); !slices.Equal(got, []string{"arn:aws:iam::111122223333:role/BreakGlass"}) {
		t.Errorf("GuardExempt(merged) = %v", got)
	}
}

func TestWithAdditionsErrors(t *testing.T) {
	base := Desired(testStaticARN, false)
	tests := []struct {
		name    string
		policy  string
		add     Additions
		wantErr string
	}{
		{"distribution without bucket", base, Additions{DistributionARN: testDistributionARN}, "needs the bucket ARN"},
		{"invalid distribution", base, Additions{BucketARN: testStaticARN, DistributionARN: "E1"}, "invalid CloudFront distribution ARN: \"E1\" is a distribution ID"},
		{"extra not JSON", base, Additions{Extra: `{"Statement":`}, "invalid extra policy: not valid JSON"},
		{"extra trailing data", base, Additions{Extra: `{"Statement":[]} {}`}, "invalid extra policy: not valid JSON: unexpected data after the top-level value"},
		{"extra an array", base, Additions{Extra: `[{"Effect":"Allow"}]`}, "invalid extra policy: the policy must be a JSON object, got an array"},
		{"extra a string", base, Additions{Extra: `"policy"`}, "the policy must be a JSON object, got a string"},
		{"extra null", base, Additions{Extra: `null`}, "the policy must be a JSON object, got null"},
		{"extra a number", base, Additions{Extra: `5`}, "the policy must be a JSON object, got a number"},
		{"extra a boolean", base, Additions{Extra: `true`}, "the policy must be a JSON object, got a boolean"},
		{"Statement a number", base, Additions{Extra: `{"Statement":-1}`}, "Statement must be an object or an array of objects, got a number"},
		{"Statement element an array", base, Additions{Extra: `{"Statement":[[{"Effect":"Allow"}]]}`}, "Statement[0] must be an object, got an array"},
		{"extra without Statement", base, Additions{Extra: `{"Version":"2012-10-17"}`}, "invalid extra policy: missing Statement"},
		{"Statement a string", base, Additions{Extra: `{"Statement":"s3:*"}`}, "Statement must be an object or an array of objects, got a string"},
		{"Statement null", base, Additions{Extra: `{"Statement":null}`}, "Statement must be an object or an array of objects, got null"},
		{"Statement element a number", base, Additions{Extra: `{"Statement":[{"Effect":"Allow"},7]}`}, "Statement[1] must be an object, got a number"},
		{"Statement element null", base, Additions{Extra: `{"Statement":[null]}`}, "Statement[0] must be an object, got null"},
		{"policy not JSON", "{", Additions{Extra: `{"Statement":{"Effect":"Allow"}}`}, "the provider's policy is not a policy document"},
		{"policy with a member it would lose", `{"Version":"2012-10-17","Id":"x","Statement":[]}`, Additions{Extra: `{"Statement":{"Effect":"Allow"}}`}, `unknown field "Id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WithAdditions(tt.policy, tt.add)
			if err == nil {
				t.Fatalf("WithAdditions = %q, nil; want an error containing %q", got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("WithAdditions error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestReservedSids(t *testing.T) {
	// Every Sid of every bucket policy the provider writes must be reserved, so a user's cannot pass for one.
	var written []string
	for _, doc := range []string{
		Desired(testStaticARN, true),
		DesiredMedia(testMediaARN, []string{"arn:aws:iam::111122223333:role/BreakGlass"}),
		policy(CloudFrontReadStatement(testMediaARN, testDistributionARN)),
	} {
		var d struct{ Statement []struct{ Sid string } }
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		for _, s := range d.Statement {
			written = append(written, s.Sid)
		}
	}
	if got, want := sorted(ReservedSids()...), sortedSet(written); !slices.Equal(got, want) {
		t.Errorf("ReservedSids = %v, want the Sids the provider writes, %v", got, want)
	}

	first := ReservedSids()
	first[0] = "Mine"
	if slices.Contains(ReservedSids(), "Mine") {
		t.Errorf("ReservedSids returned a slice a caller can change for others")
	}
}

// stmt builds a statement from members written as JSON, in the order given.
func stmt(members ...string) string { return "{" + strings.Join(members, ",") + "}" }

// extraDoc wraps statements in a 2012-10-17 document, as aws_iam_policy_document writes it.
func extraDoc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func TestCheckExtra(t *testing.T) {
	const (
		allow      = `"Effect":"Allow"`
		deny       = `"Effect":"Deny"`
		anyone     = `"Principal":"*"`
		awsAnyone  = `"Principal":{"AWS":"*"}`
		partner    = `"Principal":{"AWS":"arn:aws:iam::444455556666:role/Partner"}`
		objects    = `"Resource":"arn:aws:s3:::pm-media/*"`
		bucketAndO = `"Resource":["arn:aws:s3:::pm-media","arn:aws:s3:::pm-media/*"]`
		fromOffice = `"Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24"]}}`
	)
	action := func(a ...string) string { b, _ := json.Marshal(a); return `"Action":` + string(b) }
	notAction := func(a ...string) string { b, _ := json.Marshal(a); return `"NotAction":` + string(b) }

	type want struct {
		statement int
		contains  string
	}
	tests := []struct {
		name  string
		role  string
		extra string
		want  []want
	}{
		// Accepted.
		{"nothing", RoleMedia, "", nil},
		{"a named principal may do anything", RoleMedia, extraDoc(stmt(`"Sid":"Partner"`, allow, partner, action("s3:*"), bucketAndO)), nil},
		{"anyone may read", RoleMedia, extraDoc(stmt(allow, anyone, action("s3:GetObject", "s3:GetObjectVersion", "s3:List*", "S3:GET*"), bucketAndO)), nil},
		{"anyone may read the static site from the office", RoleStatic, extraDoc(stmt(allow, awsAnyone, action("s3:GetObject"), objects, fromOffice)), nil},
		{"a Deny to anyone restricts", RoleMedia, extraDoc(stmt(deny, anyone, action("s3:*"), bucketAndO, fromOffice)), nil},
		{"a Deny with NotPrincipal restricts", RoleMedia, extraDoc(stmt(deny, `"NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/App"}`, action("s3:DeleteObject"), objects)), nil},
		{"a service principal may write", RoleStatic, extraDoc(stmt(allow, `"Principal":{"Service":"logging.s3.amazonaws.com"}`, action("s3:PutObject"), objects)), nil},
		{"single statement object, as jsonencode may write it", RoleStatic, `{"Version":"2012-10-17","Statement":` + stmt(allow, partner, action("s3:PutObject"), objects) + `}`, nil},
		{"Id, NotResource, empty Sids", RoleStatic, `{"Version":"2012-10-17","Id":"extra","Statement":[` +
			stmt(`"Sid":""`, allow, partner, action("s3:GetObject"), `"NotResource":"arn:aws:s3:::pm-media/private/*"`) + "," +
			stmt(`"Sid":""`, deny, anyone, action("s3:*"), objects, `"Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:TlsVersion":1.2}}`) + `]}`, nil},

		// The document.
		{"not JSON", RoleStatic, `{"Version":`, []want{{-1, "The extra policy is not a policy document: not valid JSON"}}},
		{"an array", RoleStatic, `[` + extraDoc(stmt(allow, partner, action("s3:GetObject"), objects)) + `]`, []want{{-1, "got an array. Write a JSON object such as"}}},
		{"no Statement", RoleStatic, `{"Version":"2012-10-17","Statements":[]}`, []want{{-1, "missing Statement"}}},
		{"Statement element not an object", RoleStatic, extraDoc(`"s3:GetObject"`), []want{{-1, "Statement[0] must be an object, got a string"}}},
		{"no statements", RoleStatic, extraDoc(), []want{{-1, "The extra policy has no statements: add the statements to grant, or leave the argument unset."}}},
		{"no Version", RoleStatic, `{"Statement":[` + stmt(allow, partner, action("s3:GetObject"), objects) + `]}`,
			[]want{{-1, `The extra policy has no Version: write "Version": "2012-10-17". Its statements join the provider's 2012-10-17 policy`}}},
		{"old Version", RoleStatic, `{"Version":"2008-10-17","Statement":[` + stmt(allow, partner, action("s3:GetObject"), objects) + `]}`,
			[]want{{-1, `The extra policy has the Version "2008-10-17": write "Version": "2012-10-17"`}}},
		{"Version a number", RoleStatic, `{"Version":2012,"Statement":[` + stmt(allow, partner, action("s3:GetObject"), objects) + `]}`,
			[]want{{-1, `has the Version 2012: write`}}},
		{"unknown member", RoleStatic, `{"Version":"2012-10-17","Statement":[],"Statements":[]}`, []want{
			{-1, `The extra policy has the member "Statements", which a policy document does not have`},
			{-1, "no statements"},
		}},

		// Sids.
		{"the provider's Sid", RoleStatic, extraDoc(stmt(`"Sid":"PublicReadGetObject"`, allow, anyone, action("s3:GetObject"), objects)),
			[]want{{0, `Statement[0] has the Sid "PublicReadGetObject", which the provider uses for its own statements (DenyInsecureTransport, PublicReadGetObject, GuardVersions, CloudFrontOACRead): choose another Sid`}}},
		{"the provider's Sid in another case", RoleMedia, extraDoc(stmt(allow, partner, action("s3:GetObject"), objects), stmt(`"Sid":"guardversions"`, deny, anyone, action("s3:*"), objects)),
			[]want{{1, `Statement[1] has the Sid "guardversions", which the provider uses`}}},
		{"the CloudFront Sid", RoleMedia, extraDoc(stmt(`"Sid":"CloudFrontOACRead"`, allow, partner, action("s3:GetObject"), objects)),
			[]want{{0, `the Sid "CloudFrontOACRead", which the provider uses`}}},
		{"a Sid twice", RoleStatic, extraDoc(stmt(`"Sid":"Read"`, allow, partner, action("s3:GetObject"), objects),
			stmt(`"Sid":"Write"`, allow, partner, action("s3:PutObject"), objects), stmt(`"Sid":"Read"`, allow, partner, action("s3:ListBucket"), objects)),
			[]want{{2, `Statement[2] has the Sid "Read", as Statement[0] does: give each statement its own Sid (IAM requires Sids to be unique within a policy) or leave it out.`}}},
		{"a Sid not a string", RoleStatic, extraDoc(stmt(`"Sid":1`, allow, partner, action("s3:GetObject"), objects)),
			[]want{{0, `Statement[0] has a Sid that is a number: a Sid is a string`}}},

		// Statement shape.
		{"no Effect", RoleStatic, extraDoc(stmt(partner, action("s3:GetObject"), objects)), []want{{0, `Statement[0] needs "Effect": "Allow" or "Effect": "Deny", spelled so.`}}},
		{"Effect in lower case", RoleStatic, extraDoc(stmt(`"Sid":"R"`, `"Effect":"allow"`, partner, action("s3:GetObject"), objects)), []want{{0, `Statement[0] (Sid "R") needs "Effect"`}}},
		{"Action and NotAction", RoleStatic, extraDoc(stmt(allow, partner, action("s3:GetObject"), notAction("s3:PutObject"), objects)), []want{{0, "Statement[0] has both Action and NotAction: keep one."}}},
		{"no principal", RoleStatic, extraDoc(stmt(allow, action("s3:GetObject"), objects)), []want{{0, "Statement[0] has no Principal: a bucket policy statement names principals (or NotPrincipal)."}}},
		{"no resource", RoleStatic, extraDoc(stmt(allow, partner, action("s3:GetObject"))), []want{{0, "has no Resource: a bucket policy statement names resources (or NotResource)."}}},
		{"a misspelt member", RoleStatic, extraDoc(stmt(allow, partner, `"Actions":"s3:GetObject"`, objects)), []want{
			{0, `Statement[0] has the member "Actions", which a statement does not have: use Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition.`},
			{0, "Statement[0] has no Action"},
		}},
		{"a misspelt member does not hide a public grant", RoleStatic, extraDoc(stmt(allow, anyone, action("s3:PutObject"), objects, `"Conditions":{}`)), []want{
			{0, `Statement[0] has the member "Conditions"`},
			{0, `Statement[0] allows anyone (Principal "*") more than reads ("s3:putobject")`},
		}},
		{"Condition null, as jsonencode writes an unset one", RoleStatic, extraDoc(stmt(allow, partner, action("s3:GetObject"), objects, `"Condition":null`)),
			[]want{{0, "Statement[0] is not valid: Condition must be an object, got null."}}},
		{"Principal a bare ARN", RoleStatic, extraDoc(stmt(allow, `"Principal":"arn:aws:iam::444455556666:root"`, action("s3:GetObject"), objects)),
			[]want{{0, `Principal must be "*" or an object, got the string`}}},

		// Anyone, on the media bucket: the guarded actions.
		{"anyone may do everything", RoleMedia, extraDoc(stmt(`"Sid":"Open"`, allow, anyone, action("s3:*"), bucketAndO)), []want{{0,
			`Statement[0] (Sid "Open") allows anyone (Principal "*") to s3:DeleteObjectVersion, s3:PutBucketVersioning, s3:PutLifecycleConfiguration, s3:PutBucketPolicy, s3:DeleteBucketPolicy, s3:PutBucketObjectLockConfiguration, s3:BypassGovernanceRetention, s3:PutReplicationConfiguration, s3:PutBucketPublicAccessBlock, s3:PutBucketOwnershipControls, s3:PutEncryptionConfiguration, s3:DeleteBucket: on the media bucket that would let anyone erase the media's history or loosen the bucket's protection (its versioning, lifecycle, policy, public access block, ownership, encryption, Object Lock or replication), whatever the Condition. Name the principals that need them instead (an account, role or user ARN`}}},
		{"the wildcard action", RoleMedia, extraDoc(stmt(allow, anyone, `"Action":"*"`, bucketAndO)), []want{{0, "allows anyone (Principal \"*\") to s3:DeleteObjectVersion,"}}},
		{"AWS anyone, deletes", RoleMedia, extraDoc(stmt(allow, awsAnyone, action("s3:Delete*"), objects)),
			[]want{{0, `allows anyone (Principal {"AWS": "*"}) to s3:DeleteObjectVersion, s3:DeleteBucketPolicy, s3:DeleteBucket: on the media bucket`}}},
		{"anyone among named principals", RoleMedia, extraDoc(stmt(allow, `"Principal":{"AWS":["arn:aws:iam::444455556666:root","*"]}`, action("s3:PutBucketPolicy"), bucketAndO)),
			[]want{{0, `allows anyone (Principal {"AWS": "*"}) to s3:PutBucketPolicy: on the media bucket`}}},
		{"action case and wildcards", RoleMedia, extraDoc(stmt(allow, anyone, action("S3:DELETEOBJECTVERSION", "s3:*Versioning", "s3:PutBucket????cy"), bucketAndO)),
			[]want{{0, "to s3:DeleteObjectVersion, s3:PutBucketVersioning, s3:PutBucketPolicy: on the media bucket"}}},
		{"a condition does not help", RoleMedia, extraDoc(stmt(allow, anyone, action("s3:PutLifecycleConfiguration"), bucketAndO, fromOffice)),
			[]want{{0, "to s3:PutLifecycleConfiguration: on the media bucket"}}},
		{"NotPrincipal in an Allow", RoleMedia, extraDoc(stmt(allow, `"NotPrincipal":{"AWS":"arn:aws:iam::444455556666:root"}`, action("s3:PutEncryptionConfiguration"), bucketAndO)),
			[]want{{0, "allows everyone not named in NotPrincipal to s3:PutEncryptionConfiguration: on the media bucket"}}},
		{"NotAction that does not exclude them", RoleMedia, extraDoc(stmt(allow, anyone, notAction("s3:GetObject", "s3:PutBucket*"), bucketAndO)),
			[]want{{0, "allows anyone (Principal \"*\") to s3:DeleteObjectVersion, s3:PutLifecycleConfiguration, s3:DeleteBucketPolicy, s3:BypassGovernanceRetention, s3:PutReplicationConfiguration, s3:PutEncryptionConfiguration, s3:DeleteBucket: on the media bucket"}}},
		{"a narrow resource still grants", RoleMedia, extraDoc(stmt(allow, anyone, action("s3:DeleteObjectVersion"), `"Resource":"arn:aws:s3:::pm-media/tmp/*"`)),
			[]want{{0, "to s3:DeleteObjectVersion: on the media bucket"}}},

		// Anyone, on either bucket: more than reads.
		{"NotAction excluding every guarded action", RoleMedia, extraDoc(stmt(allow, anyone, notAction("s3:Delete*", "s3:Put*", "s3:BypassGovernanceRetention"), bucketAndO)),
			[]want{{0, `allows anyone (Principal "*") more than reads (every action NotAction does not list): anyone could upload to the media bucket, overwrite or delete media, or fill the bucket at your expense, whatever the Condition. Grant anyone only reads (s3:GetObject, s3:List*).`}}},
		{"uploads to media", RoleMedia, extraDoc(stmt(allow, anyone, action("s3:GetObject", "s3:PutObject"), objects, fromOffice)),
			[]want{{0, `more than reads ("s3:putobject"): anyone could upload to the media bucket`}}},
		{"everything on static", RoleStatic, extraDoc(stmt(allow, anyone, action("s3:*"), `"Resource":["arn:aws:s3:::pm-static","arn:aws:s3:::pm-static/*"]`)),
			[]want{{0, `allows anyone (Principal "*") more than reads ("s3:*"): anyone could deface the site, delete its files, or fill the bucket at your expense, whatever the Condition.`}}},
		{"deletes on static", RoleStatic, extraDoc(stmt(allow, awsAnyone, action("s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"), objects)),
			[]want{{0, `more than reads ("s3:abortmultipartupload", "s3:deleteobject"): anyone could deface the site`}}},
		{"a wildcard before the verb counts as more", RoleStatic, extraDoc(stmt(allow, anyone, action("s3:?etObject"), objects)),
			[]want{{0, `more than reads ("s3:?etobject")`}}},
		{"each statement on its own", RoleStatic, extraDoc(
			stmt(allow, partner, action("s3:*"), objects),
			stmt(`"Sid":"Upload"`, allow, anyone, action("s3:PutObject"), objects),
			stmt(`"Sid":"Upload"`, allow, anyone, action("s3:PutObjectAcl"), objects)), []want{
			{1, `Statement[1] (Sid "Upload") allows anyone`},
			{2, `Statement[2] has the Sid "Upload", as Statement[1] does`},
			{2, `Statement[2] (Sid "Upload") allows anyone (Principal "*") more than reads ("s3:putobjectacl")`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckExtra(tt.role, tt.extra)
			if len(got) != len(tt.want) {
				t.Fatalf("CheckExtra(%s, %s) = %d problems, want %d:\n%s", tt.role, tt.extra, len(got), len(tt.want), problemsText(got))
			}
			for i, w := range tt.want {
				if got[i].Statement != w.statement || !strings.Contains(got[i].Message, w.contains) {
					t.Errorf("problem %d = {%d, %q}, want statement %d and a message containing %q", i, got[i].Statement, got[i].Message, w.statement, w.contains)
				}
				if got[i].String() != got[i].Message {
					t.Errorf("String() = %q, want the message", got[i].String())
				}
			}
			// What CheckExtra accepts must merge, and the merged policy must survive Read's comparison.
			if len(got) == 0 && tt.extra != "" {
				merged, err := WithAdditions(Desired(testMediaARN, false), Additions{Extra: tt.extra})
				if err != nil {
					t.Fatalf("WithAdditions of an accepted document: %v", err)
				}
				if eq, err := Equivalent(merged, pretty(t, merged)); err != nil || !eq {
					t.Errorf("Equivalent(merged, merged) = %v, %v; want true, nil", eq, err)
				}
			}
		})
	}
}

func problemsText(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  ")
		b.WriteString(p.String())
		b.WriteString("\n")
	}
	return b.String()
}

func TestCheckExtraRolesDiffer(t *testing.T) {
	// Deleting object versions is refused as a guarded action on media, as a write on static.
	doc := extraDoc(stmt(`"Effect":"Allow"`, `"Principal":"*"`, `"Action":"s3:DeleteObjectVersion"`, `"Resource":"*"`))
	media, static := CheckExtra(RoleMedia, doc), CheckExtra(RoleStatic, doc)
	if len(media) != 1 || !strings.Contains(media[0].Message, "erase the media's history") {
		t.Errorf("media: %s", problemsText(media))
	}
	if len(static) != 1 || !strings.Contains(static[0].Message, "deface the site") {
		t.Errorf("static: %s", problemsText(static))
	}

	defer func() {
		if recover() == nil {
			t.Errorf("CheckExtra with an unknown role did not panic")
		}
	}()
	CheckExtra("Media", doc)
}
