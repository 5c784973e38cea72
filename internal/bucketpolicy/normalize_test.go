package bucketpolicy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Statements as Desired writes them for testARN, and variants, so each case shows only what it changes.
const (
	denyInsecureStmt = `{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::pm-static","arn:aws:s3:::pm-static/*"],` +
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
	publicReadStmt = `{"Sid":"PublicReadGetObject","Effect":"Allow","Principal":"*","Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::pm-static/*"}`
	listBucketStmt = `{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::pm-static"}`
)

// policy wraps statements in a 2012-10-17 document.
func policy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// publicRead returns the public read statement with its Principal, Action, Resource and extra fields replaced.
func publicRead(principal, action, resource, extra string) string {
	s := `{"Sid":"PublicReadGetObject","Effect":"Allow","Principal":` + principal + `,"Action":` + action +
		`,"Resource":` + resource
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func denyInsecure(condition string) string {
	return `{"Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::pm-static","arn:aws:s3:::pm-static/*"],"Condition":` + condition + `}`
}

func pretty(t *testing.T, doc string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(doc), "", "    "); err != nil {
		t.Fatalf("indent: %v", err)
	}
	return b.String()
}

func TestEquivalent(t *testing.T) {
	const (
		star   = `"*"`
		action = `"s3:GetObject"`
		object = `"arn:aws:s3:::pm-static/*"`
	)
	// A reformatted copy of Desired(testARN, true) of the kind S3-compatible servers return: keys reordered,
	// every value an array, Principal spelled out, condition values as arrays, statements reordered.
	const s3Returned = `{"Statement":[` +
		`{"Resource":["arn:aws:s3:::pm-static/*"],"Action":["s3:GetObject"],"Principal":{"AWS":["*"]},` +
		`"Effect":"Allow","Sid":"PublicReadGetObject"},` +
		`{"Condition":{"Bool":{"aws:SecureTransport":["false"]}},"Resource":["arn:aws:s3:::pm-static/*",` +
		`"arn:aws:s3:::pm-static"],"Action":["s3:*"],"Principal":{"AWS":["*"]},"Effect":"Deny",` +
		`"Sid":"DenyInsecureTransport"}],"Version":"2012-10-17"}`

	tests := []struct {
		name string
		a, b string
		want bool
	}{
		// Equivalent: differences in form only.
		{"identical", Desired(testARN, true), Desired(testARN, true), true},
		{"desired matches the hand-written policy", Desired(testARN, true), policy(denyInsecureStmt, publicReadStmt), true},
		{"statements reordered", policy(denyInsecureStmt, publicReadStmt), policy(publicReadStmt, denyInsecureStmt), true},
		{"single statement object vs array of one", `{"Version":"2012-10-17","Statement":` + publicReadStmt + `}`, policy(publicReadStmt), true},
		{"action string vs array", policy(publicRead(star, `"s3:GetObject"`, object, "")), policy(publicRead(star, `["s3:GetObject"]`, object, "")), true},
		{"resource string vs array", policy(publicRead(star, action, object, "")), policy(publicRead(star, action, `["arn:aws:s3:::pm-static/*"]`, "")), true},
		{"resource array reordered", policy(denyInsecureStmt), strings.Replace(policy(denyInsecureStmt), `"arn:aws:s3:::pm-static","arn:aws:s3:::pm-static/*"`, `"arn:aws:s3:::pm-static/*","arn:aws:s3:::pm-static"`, 1), true},
		{"duplicate values count once", policy(publicRead(star, `["s3:GetObject","s3:GetObject"]`, object, "")), policy(publicRead(star, action, object, "")), true},
		{"action case", policy(publicRead(star, `"s3:getobject"`, object, "")), policy(publicRead(star, `"S3:GetObject"`, object, "")), true},
		{"principal star vs AWS star", policy(publicRead(star, action, object, "")), policy(publicRead(`{"AWS":"*"}`, action, object, "")), true},
		{"principal star vs AWS star array", policy(publicRead(star, action, object, "")), policy(publicRead(`{"AWS":["*"]}`, action, object, "")), true},
		{"principal values as set", policy(publicRead(`{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root"]}`, action, object, "")), policy(publicRead(`{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::111111111111:root"]}`, action, object, "")), true},
		{"condition bool vs string", policy(denyInsecure(`{"Bool":{"aws:SecureTransport":false}}`)), policy(denyInsecure(`{"Bool":{"aws:SecureTransport":"false"}}`)), true},
		{"condition value vs array", policy(denyInsecure(`{"Bool":{"aws:SecureTransport":"false"}}`)), policy(denyInsecure(`{"Bool":{"aws:SecureTransport":["false"]}}`)), true},
		{"condition number vs string", policy(denyInsecure(`{"NumericGreaterThan":{"s3:max-keys":5}}`)), policy(denyInsecure(`{"NumericGreaterThan":{"s3:max-keys":"5"}}`)), true},
		{"condition key case", policy(denyInsecure(`{"Bool":{"aws:SecureTransport":"false"}}`)), policy(denyInsecure(`{"Bool":{"AWS:securetransport":"false"}}`)), true},
		{"condition values as set", policy(denyInsecure(`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}`)), policy(denyInsecure(`{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","10.0.0.0/8","10.0.0.0/8"]}}`)), true},
		{"empty condition vs none", policy(publicRead(star, action, object, `"Condition":{}`)), policy(publicReadStmt), true},
		{"different Sids", policy(denyInsecureStmt), strings.Replace(policy(denyInsecureStmt), "DenyInsecureTransport", "TLSOnly", 1), true},
		{"Sid missing", policy(denyInsecureStmt), policy(denyInsecure(`{"Bool":{"aws:SecureTransport":"false"}}`)), true},
		{"policy Id ignored", policy(publicReadStmt), `{"Id":"pm-static-policy","Version":"2012-10-17","Statement":[` + publicReadStmt + `]}`, true},
		{"missing Version is 2008-10-17", `{"Statement":[` + publicReadStmt + `]}`, `{"Version":"2008-10-17","Statement":[` + publicReadStmt + `]}`, true},
		{"unknown field reformatted", policy(publicRead(star, action, object, `"X-Note":{"a":1,"b":[true]}`)), policy(publicRead(star, action, object, `"X-Note":{ "b":[ true ], "a":1 }`)), true},
		{"pretty-printed", Desired(testARN, true), pretty(t, Desired(testARN, true)), true},
		{"as returned by S3", Desired(testARN, true), s3Returned, true},

		// Not equivalent: a real change in what is granted or denied.
		{"missing statement", Desired(testARN, true), Desired(testARN, false), false},
		{"extra statement", Desired(testARN, true), policy(denyInsecureStmt, publicReadStmt, listBucketStmt), false},
		{"statement duplicated", policy(publicReadStmt), policy(publicReadStmt, publicReadStmt), false},
		{"Allow vs Deny", policy(publicReadStmt), strings.Replace(policy(publicReadStmt), `"Allow"`, `"Deny"`, 1), false},
		{"Effect case", policy(publicReadStmt), strings.Replace(policy(publicReadStmt), `"Allow"`, `"allow"`, 1), false},
		{"different resource", policy(publicRead(star, action, object, "")), policy(publicRead(star, action, `"arn:aws:s3:::pm-media/*"`, "")), false},
		{"resource case", policy(publicRead(star, action, object, "")), policy(publicRead(star, action, `"arn:aws:s3:::PM-static/*"`, "")), false},
		{"different action", policy(publicRead(star, action, object, "")), policy(publicRead(star, `"s3:PutObject"`, object, "")), false},
		{"extra action", policy(publicRead(star, action, object, "")), policy(publicRead(star, `["s3:GetObject","s3:GetObjectVersion"]`, object, "")), false},
		{"Action vs NotAction", policy(publicReadStmt), strings.Replace(policy(publicReadStmt), `"Action"`, `"NotAction"`, 1), false},
		{"changed condition value", policy(denyInsecure(`{"Bool":{"aws:SecureTransport":"false"}}`)), policy(denyInsecure(`{"Bool":{"aws:SecureTransport":"true"}}`)), false},
		{"condition operator case", policy(denyInsecure(`{"Bool":{"aws:SecureTransport":"false"}}`)), policy(denyInsecure(`{"bool":{"aws:SecureTransport":"false"}}`)), false},
		{"condition removed", policy(denyInsecureStmt), policy(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::pm-static","arn:aws:s3:::pm-static/*"]}`), false},
		{"widened principal", policy(publicRead(`{"AWS":"arn:aws:iam::111111111111:root"}`, action, object, "")), policy(publicRead(star, action, object, "")), false},
		{"principal type", policy(publicRead(`{"AWS":"*"}`, action, object, "")), policy(publicRead(`{"Service":"*"}`, action, object, "")), false},
		{"Version differs", `{"Statement":[` + publicReadStmt + `]}`, policy(publicReadStmt), false},
		{"unknown field differs", policy(publicRead(star, action, object, `"X-Note":1`)), policy(publicRead(star, action, object, `"X-Note":2`)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
				got, err := Equivalent(order[0], order[1])
				if err != nil {
					t.Fatalf("Equivalent: unexpected error: %v", err)
				}
				if got != tt.want {
					na, _ := Normalize(order[0])
					nb, _ := Normalize(order[1])
					t.Errorf("Equivalent(a, b) = %v, want %v\n a: %s\n b: %s\nnormalized\n a: %s\n b: %s",
						got, tt.want, order[0], order[1], na, nb)
				}
			}
		})
	}
}

func TestEquivalentErrors(t *testing.T) {
	valid := Desired(testARN, false)
	tests := []struct {
		name    string
		a, b    string
		wantErr string
	}{
		{"first not JSON", `{"Version":`, valid, "first policy is invalid: not valid JSON"},
		{"second not JSON", valid, `not json`, "second policy is invalid: not valid JSON"},
		{"trailing data", valid, valid + `}`, "second policy is invalid: not valid JSON: unexpected data"},
		{"empty document", ``, valid, "first policy is invalid: not valid JSON"},
		{"top level array", `[` + valid + `]`, valid, "first policy is invalid: the policy must be a JSON object, got an array"},
		{"Statement a string", `{"Version":"2012-10-17","Statement":"s3:*"}`, valid, "first policy is invalid: Statement must be an object or an array of objects, got a string"},
		{"Statement null", valid, `{"Version":"2012-10-17","Statement":null}`, "second policy is invalid: Statement must be an object or an array of objects, got null"},
		{"Statement element a number", policy(publicReadStmt, `7`), valid, "first policy is invalid: Statement[1] must be an object, got a number"},
		{"Statement missing", `{"Version":"2012-10-17"}`, valid, "first policy is invalid: missing Statement"},
		{"Version a number", `{"Version":2012,"Statement":[]}`, valid, "first policy is invalid: Version must be a string, got a number"},
		{"Effect missing", policy(`{"Action":"s3:*","Resource":"*"}`), valid, "first policy is invalid: Statement[0]: missing Effect"},
		{"Effect a boolean", policy(`{"Effect":true}`), valid, "first policy is invalid: Statement[0]: Effect must be a string, got a boolean"},
		{"Action a number", policy(publicRead(`"*"`, `1`, `"*"`, "")), valid, "first policy is invalid: Statement[0]: Action must be a string or an array of strings, got a number"},
		{"Resource array of objects", policy(publicRead(`"*"`, `"s3:*"`, `[{}]`, "")), valid, "Statement[0]: Resource must be a string or an array of strings, found an object in the array"},
		{"Principal a bare ARN", policy(publicRead(`"arn:aws:iam::111111111111:root"`, `"s3:*"`, `"*"`, "")), valid, `Statement[0]: Principal must be "*" or an object`},
		{"Principal values numbers", policy(publicRead(`{"AWS":[1]}`, `"s3:*"`, `"*"`, "")), valid, "Statement[0]: Principal AWS must be a string or an array of strings"},
		{"Condition an array", policy(denyInsecure(`[]`)), valid, "Statement[0]: Condition must be an object, got an array"},
		{"Condition operator a string", policy(denyInsecure(`{"Bool":"false"}`)), valid, "Statement[0]: Condition Bool must be an object, got a string"},
		{"Condition value an object", policy(denyInsecure(`{"Bool":{"aws:SecureTransport":{"v":false}}}`)), valid, "Statement[0]: Condition Bool.aws:SecureTransport must be a string, boolean, number or an array of them, got an object"},
		{"Condition value null", policy(denyInsecure(`{"Bool":{"aws:SecureTransport":[null]}}`)), valid, "got null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Equivalent(tt.a, tt.b)
			if err == nil {
				t.Fatalf("Equivalent = %v, nil; want an error containing %q", got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Equivalent error = %q, want it to contain %q", err, tt.wantErr)
			}
			if got {
				t.Errorf("Equivalent = true alongside an error")
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{
			name: "desired public read",
			doc:  Desired(testARN, true),
			want: `{"Statement":[` +
				`{"Action":["s3:*"],"Condition":{"Bool":{"aws:securetransport":["false"]}},"Effect":"Deny",` +
				`"Principal":{"AWS":["*"]},"Resource":["arn:aws:s3:::pm-static","arn:aws:s3:::pm-static/*"]},` +
				`{"Action":["s3:getobject"],"Effect":"Allow","Principal":{"AWS":["*"]},` +
				`"Resource":["arn:aws:s3:::pm-static/*"]}],"Version":"2012-10-17"}`,
		},
		{
			name: "defaults Version, keeps unknown fields",
			doc:  `{"Statement":{"Effect":"Allow","X-Note":[1.50,"a&b"]},"X-Top":true}`,
			want: `{"Statement":[{"Effect":"Allow","X-Note":[1.50,"a&b"]}],"Version":"2008-10-17","X-Top":true}`,
		},
		{
			name: "keeps an empty Version as given",
			doc:  `{"Version":"","Statement":[]}`,
			want: `{"Statement":[],"Version":""}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.doc)
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if got != tt.want {
				t.Errorf("Normalize =\n%s\nwant\n%s", got, tt.want)
			}
			again, err := Normalize(got)
			if err != nil || again != got {
				t.Errorf("Normalize is not idempotent: %s, %v", again, err)
			}
		})
	}

	if _, err := Normalize(`{"Statement":1}`); err == nil || !strings.HasPrefix(err.Error(), "invalid bucket policy: ") {
		t.Errorf("Normalize error = %v, want one starting %q", err, "invalid bucket policy: ")
	}
}

// TestEquivalentUserStatements covers what users' extra statements bring into a merged policy: principals of
// every type and in lists, NotPrincipal, NotAction, NotResource, and conditions with lists, numbers and
// booleans.
func TestEquivalentUserStatements(t *testing.T) {
	// user builds a statement from a principal member, actions member, resources member and condition.
	user := func(principal, actions, resources, condition string) string {
		s := `{"Sid":"Partners","Effect":"Allow",` + principal + `,` + actions + `,` + resources
		if condition != "" {
			s += `,"Condition":` + condition
		}
		return policy(denyInsecureStmt, s+"}")
	}
	const (
		principals = `"Principal":{"AWS":["arn:aws:iam::444455556666:role/Reader","arn:aws:iam::777788889999:root"],` +
			`"Service":"cloudfront.amazonaws.com","Federated":"cognito-identity.amazonaws.com"}`
		actions   = `"Action":["s3:GetObject","s3:GetObjectVersion"]`
		resources = `"Resource":"arn:aws:s3:::pm-static/*"`
		condition = `{"StringEquals":{"aws:SourceVpce":["vpce-1a2b","vpce-3c4d"]},"NumericLessThanEquals":{"s3:max-keys":10},` +
			`"Bool":{"aws:MultiFactorAuthPresent":true}}`
	)
	base := user(principals, actions, resources, condition)

	tests := []struct {
		name  string
		other string
		want  bool
	}{
		// Equivalent: the same grant in another form.
		{"principal types and values reordered, single values as lists",
			user(`"Principal":{"Federated":["cognito-identity.amazonaws.com"],"Service":["cloudfront.amazonaws.com"],`+
				`"AWS":["arn:aws:iam::777788889999:root","arn:aws:iam::444455556666:role/Reader"]}`, actions, resources, condition), true},
		{"account ID for its root ARN, as S3 stores it",
			user(`"Principal":{"AWS":["arn:aws:iam::444455556666:role/Reader","777788889999"],"Service":"cloudfront.amazonaws.com",`+
				`"Federated":"cognito-identity.amazonaws.com"}`, actions, resources, condition), true},
		{"actions reordered and in another case", user(principals, `"Action":["S3:getObjectVersion","s3:GETOBJECT"]`, resources, condition), true},
		{"resource as a list", user(principals, actions, `"Resource":["arn:aws:s3:::pm-static/*"]`, condition), true},
		{"condition values reordered, number and boolean as strings",
			user(principals, actions, resources, `{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThanEquals":{"s3:max-keys":["10"]},`+
				`"StringEquals":{"aws:SourceVpce":["vpce-3c4d","vpce-1a2b"]}}`), true},

		// Not equivalent: a different grant.
		{"a changed condition value in a list", user(principals, actions, resources, strings.Replace(condition, "vpce-3c4d", "vpce-9999", 1)), false},
		{"a condition value dropped from a list", user(principals, actions, resources, strings.Replace(condition, `["vpce-1a2b","vpce-3c4d"]`, `"vpce-1a2b"`, 1)), false},
		{"a changed number", user(principals, actions, resources, strings.Replace(condition, "10", "100", 1)), false},
		{"a changed boolean", user(principals, actions, resources, strings.Replace(condition, "true", "false", 1)), false},
		{"another account", user(strings.Replace(principals, "777788889999", "777788880000", 1), actions, resources, condition), false},
		{"a user named root is not the account",
			user(strings.Replace(principals, "arn:aws:iam::777788889999:root", "arn:aws:iam::777788889999:user/root", 1), actions, resources, condition), false},
		{"the same name under another principal type",
			user(`"Principal":{"AWS":["arn:aws:iam::444455556666:role/Reader","arn:aws:iam::777788889999:root","cloudfront.amazonaws.com"],`+
				`"Federated":"cognito-identity.amazonaws.com"}`, actions, resources, condition), false},
		{"NotPrincipal for Principal", user(strings.Replace(principals, `"Principal"`, `"NotPrincipal"`, 1), actions, resources, condition), false},
		{"NotAction for Action", user(principals, strings.Replace(actions, `"Action"`, `"NotAction"`, 1), resources, condition), false},
		{"NotResource for Resource", user(principals, actions, strings.Replace(resources, `"Resource"`, `"NotResource"`, 1), condition), false},
		{"condition dropped", user(principals, actions, resources, ""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range [][2]string{{base, tt.other}, {tt.other, base}} {
				got, err := Equivalent(order[0], order[1])
				if err != nil {
					t.Fatalf("Equivalent: unexpected error: %v", err)
				}
				if got != tt.want {
					na, _ := Normalize(order[0])
					nb, _ := Normalize(order[1])
					t.Errorf("Equivalent = %v, want %v\nnormalized\n a: %s\n b: %s", got, tt.want, na, nb)
				}
			}
		})
	}

	// The negated forms compare as sets too, and an account's root ARN in any partition is its ID.
	negated := policy(`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws-cn:iam::444455556666:root","arn:aws:iam::777788889999:role/Admin"]},` +
		`"NotAction":["s3:GetObject","s3:ListBucket"],"NotResource":["arn:aws:s3:::pm-static/public/*","arn:aws:s3:::pm-static"]}`)
	reordered := policy(`{"NotResource":["arn:aws:s3:::pm-static","arn:aws:s3:::pm-static/public/*"],"NotAction":["s3:listbucket","s3:getobject"],` +
		`"NotPrincipal":{"AWS":["arn:aws:iam::777788889999:role/Admin","444455556666"]},"Effect":"Deny"}`)
	if eq, err := Equivalent(negated, reordered); err != nil || !eq {
		t.Errorf("Equivalent(negated forms reordered) = %v, %v; want true, nil", eq, err)
	}
	want := `{"Statement":[{"Effect":"Deny","NotAction":["s3:getobject","s3:listbucket"],` +
		`"NotPrincipal":{"AWS":["444455556666","arn:aws:iam::777788889999:role/Admin"]},` +
		`"NotResource":["arn:aws:s3:::pm-static","arn:aws:s3:::pm-static/public/*"]}],"Version":"2012-10-17"}`
	if got, err := Normalize(negated); err != nil || got != want {
		t.Errorf("Normalize(negated) =\n%s (%v)\nwant\n%s", got, err, want)
	}
}
