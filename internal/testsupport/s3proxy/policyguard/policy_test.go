package policyguard

import (
	"net/http/httptest"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"*", "", true},
		{"*", "anything/at:all", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"*.jpg", "a.jpg.png", false},
		{"*a*b*", "xaybz", true},
		{"*a*b", "xaybz", false},
		{"ä?", "äö", true}, // ? is one character, not one byte
		{"abc", "ABC", false},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestArnLike(t *testing.T) {
	const admin = "arn:aws:iam::000000000000:user/admin-LOCALS3A"
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{admin, true},
		{"arn:aws:iam::000000000000:user/admin-*", true},
		{"arn:aws:iam::*:user/admin-????????", true},
		{"arn:aws:iam::*:user/admin-???????", false},
		{"arn:*:iam::*:*", true},
		{"*", false}, // six parts or nothing, as IAM
		{"arn:aws:iam::000000000000:user/Admin-*", false},
		{"arn:aws:sts::000000000000:user/admin-*", false},
	} {
		if got := arnLike(tc.pattern, admin); got != tc.want {
			t.Errorf("arnLike(%q) = %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

func TestAccessKeyOf(t *testing.T) {
	for _, tc := range []struct {
		name, target, authorization, want string
	}{
		{"header", "/b/k", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "AKID"},
		{"header without spaces", "/b/k", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=00", "AKID"},
		{"presigned", "/b/k?X-Amz-Credential=AKID%2F20260301%2Fus-east-1%2Fs3%2Faws4_request", "", "AKID"},
		{"unsigned", "/b/k", "", ""},
		{"SigV2", "/b/k", "AWS AKID:signature", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.target, nil)
			if tc.authorization != "" {
				r.Header.Set("Authorization", tc.authorization)
			}
			if got := accessKeyOf(r); got != tc.want {
				t.Errorf("accessKeyOf = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestChecksOf(t *testing.T) {
	for _, tc := range []struct {
		method, target, body string
		want                 []check
	}{
		{"DELETE", "/b/k?versionId=1", "", []check{{"s3:DeleteObjectVersion", "arn:aws:s3:::b/k"}}},
		{"DELETE", "/b/k", "", []check{{"s3:DeleteObject", "arn:aws:s3:::b/k"}}},
		{"PUT", "/b?versioning", "", []check{{"s3:PutBucketVersioning", "arn:aws:s3:::b"}}},
		{"PUT", "/b?lifecycle", "", []check{{"s3:PutLifecycleConfiguration", "arn:aws:s3:::b"}}},
		{"DELETE", "/b?lifecycle", "", []check{{"s3:PutLifecycleConfiguration", "arn:aws:s3:::b"}}},
		{"PUT", "/b?policy", "", []check{{"s3:PutBucketPolicy", "arn:aws:s3:::b"}}},
		{"DELETE", "/b?policy", "", []check{{"s3:DeleteBucketPolicy", "arn:aws:s3:::b"}}},
		{"GET", "/b?versions", "", []check{{"s3:ListBucketVersions", "arn:aws:s3:::b"}}},
		{"GET", "/b?versioning", "", []check{{"s3:GetBucketVersioning", "arn:aws:s3:::b"}}},
		{"PUT", "/b/dir/k", "", []check{{"s3:PutObject", "arn:aws:s3:::b/dir/k"}}},
		{"POST", "/b?delete", layertest.DeleteBody([2]string{"x", "-"}, [2]string{"y", "v"}),
			[]check{{"s3:DeleteObject", "arn:aws:s3:::b/x"}, {"s3:DeleteObjectVersion", "arn:aws:s3:::b/y"}}},
	} {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		got, err := checksOf(s3proxy.Classify(r), r, []byte(tc.body))
		if err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.target, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s %s: %v, want %v", tc.method, tc.target, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s %s: %v, want %v", tc.method, tc.target, got, tc.want)
			}
		}
	}
}

func TestIsGuard(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want bool
	}{
		{guardPolicy("b"), true},
		{plainPolicy("b"), false},
		{`{"Statement":{"Effect":"Deny","Condition":{"ArnEquals":{"AWS:PrincipalARN":"arn:aws:iam::1:user/x"}}}}`, true},
		{`{"Statement":[{"Effect":"Deny","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:iam::1:user/x"}}}]}`, false},
	} {
		p, err := parsePolicy([]byte(tc.doc))
		if err != nil {
			t.Errorf("%s: %v", tc.doc, err)
			continue
		}
		if got := p.isGuard(); got != tc.want {
			t.Errorf("isGuard(%s) = %v, want %v", tc.doc, got, tc.want)
		}
	}
}
