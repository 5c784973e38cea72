package awsbehaviour

import "testing"

func TestPublicPolicy(t *testing.T) {
	allow := func(principal, condition string) string {
		s := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal +
			`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`
		if condition != "" {
			s += `,"Condition":` + condition
		}
		return s + `}]}`
	}
	for _, tc := range []struct {
		name   string
		policy string
		public bool
	}{
		{"everyone", allow(`"*"`, ""), true},
		{"every AWS principal", allow(`{"AWS":"*"}`, ""), true},
		{"everyone among others", allow(`{"AWS":["arn:aws:iam::123456789012:root","*"]}`, ""), true},
		{"one account", allow(`{"AWS":"arn:aws:iam::123456789012:root"}`, ""), false},
		{"a service", allow(`{"Service":"cloudfront.amazonaws.com"}`, ""), false},
		{"a single statement object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, true},
		{"not principal", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:*","Resource":"*"}]}`, true},
		{"deny to everyone", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`, false},
		{"TLS only", tlsOnlyPolicy("b"), false},
		{"TLS only and public read", `{"Statement":[` +
			`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},` +
			`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, true},

		// Conditions that fix a documented key.
		{"source IP range", allow(`"*"`, `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24"]}}`), false},
		{"source IP everywhere", allow(`"*"`, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`), true},
		{"not from an IP", allow(`"*"`, `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`), true},
		{"source ARN", allow(`"*"`, `{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::123456789012:distribution/E1"}}`), false},
		{"source ARN, like without wildcard", allow(`"*"`, `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::123456789012:distribution/E1"}}`), false},
		{"source ARN, like with wildcard", allow(`"*"`, `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::123456789012:distribution/*"}}`), true},
		{"source account, key case", allow(`"*"`, `{"StringEquals":{"AWS:SourceAccount":"123456789012"}}`), false},
		{"source VPC endpoint", allow(`"*"`, `{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`), false},
		{"source VPC if it exists", allow(`"*"`, `{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}`), true},
		{"source VPC, not equals", allow(`"*"`, `{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}`), true},
		{"KMS key", allow(`"*"`, `{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:1:key/k"}}`), false},
		{"user ID", allow(`"*"`, `{"StringEquals":{"aws:userid":"AIDAEXAMPLE"}}`), false},
		{"every session of a role", allow(`"*"`, `{"StringEquals":{"aws:userid":"AROAEXAMPLE:*"}}`), true},
		{"a key the documentation does not name", allow(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`), true},
		{"secure transport only", allow(`"*"`, `{"Bool":{"aws:SecureTransport":"true"}}`), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := publicPolicy([]byte(tc.policy))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.public {
				t.Errorf("publicPolicy(%s) = %v, want %v", tc.policy, got, tc.public)
			}
		})
	}

	if _, err := publicPolicy([]byte("{not json")); err == nil {
		t.Error("an unreadable policy gave no error")
	}
}
