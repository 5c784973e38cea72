package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// badInput is one configuration Terraform must reject before touching S3, and what the message must say:
// the attribute and the fix.
type badInput struct {
	name   string
	config string
	want   string // words that must appear, in order, across line wraps
}

func pairWith(media, static, extra string) string {
	return fmt.Sprintf(`
resource "protectedmedia_bucket_pair" "test" {
  media_bucket  = %q
  static_bucket = %q
%s}
`, media, static, extra)
}

func badInputs() []badInput {
	var cases []badInput
	names := []struct{ name, bucket, want string }{
		{"too short", "ab", "is 2 characters long; a bucket name must be 3 to 63 characters"},
		{"too long", strings.Repeat("a", 64), "is 64 characters long; a bucket name must be 3 to 63"},
		{"empty", "", "is empty"},
		{"uppercase", "My-Media", "use lowercase"},
		{"underscore", "my_media", "use hyphens instead of underscores"},
		{"space", "my media", "not allowed"},
		{"accent", "média", "not allowed"},
		{"punctuation", "media!", "not allowed"},
		{"ip address", "192.168.1.10", "IP address"},
		{"leading dot", ".media", "begin"},
		{"trailing dot", "media.", "end"},
		{"leading hyphen", "-media", "begin"},
		{"trailing hyphen", "media-", "end"},
		{"double dot", "me..dia", ".."},
		{"dot hyphen", "me.-dia", ".-"},
		{"hyphen dot", "me-.dia", "-."},
		{"xn-- prefix", "xn--media", "xn--"},
		{"sthree- prefix", "sthree-media", "sthree-"},
		{"amzn-s3-demo- prefix", "amzn-s3-demo-media", "amzn-s3-demo-"},
		{"-s3alias suffix", "media-s3alias", "-s3alias"},
		{"--ol-s3 suffix", "media--ol-s3", "--ol-s3"},
		{".mrap suffix", "media.mrap", ".mrap"},
		{"--x-s3 suffix", "media--x-s3", "--x-s3"},
		{"--table-s3 suffix", "media--table-s3", "--table-s3"},
	}
	for _, n := range names {
		cases = append(cases, badInput{"media_bucket " + n.name, pairWith(n.bucket, "ok-static", ""), "media_bucket " + n.want})
	}
	for _, n := range names[:8] {
		cases = append(cases, badInput{"static_bucket " + n.name, pairWith("ok-media", n.bucket, ""), "static_bucket " + n.want})
	}
	cases = append(cases,
		badInput{"media equals static", pairWith("same-name", "same-name", ""), "both \"same-name\" choose another name for static_bucket"},
		badInput{"mfa_code too short", pairWith("ok-media", "ok-static", "  mfa_code = \"12345\"\n"), "mfa_code must be the 6-digit code"},
		badInput{"mfa_code too long", pairWith("ok-media", "ok-static", "  mfa_code = \"1234567\"\n"), "mfa_code must be the 6-digit code"},
		badInput{"mfa_code letters", pairWith("ok-media", "ok-static", "  mfa_code = \"12ab56\"\n"), "mfa_code must be the 6-digit code"},
		badInput{"mfa_serial not an ARN", pairWith("ok-media", "ok-static", "  mfa_serial = \"my phone\"\n"), "mfa_serial = \"my phone\" must be an MFA device ARN"},
		badInput{"mfa_serial short account", pairWith("ok-media", "ok-static", "  mfa_serial = \"arn:aws:iam::123:mfa/root\"\n"), "mfa_serial must be an MFA device ARN"},
		badInput{"mfa_serial wrong service", pairWith("ok-media", "ok-static", "  mfa_serial = \"arn:aws:s3:::bucket\"\n"), "mfa_serial must be an MFA device ARN"},
		badInput{"guard principal not an ARN", pairWith("ok-media", "ok-static", "  guard_exempt_principals = [\"admin\"]\n"), "Invalid principal ARN guard_exempt_principals is not an ARN"},
		badInput{"guard principal a role session", pairWith("ok-media", "ok-static", "  guard_exempt_principals = [\"arn:aws:sts::123456789012:assumed-role/Deploy/ci\"]\n"), "guard_exempt_principals arn:aws:iam::123456789012:role/Deploy"},
		badInput{"guard list empty", pairWith("ok-media", "ok-static", "  guard_exempt_principals = []\n"), "guard_exempt_principals at least 1"},
		badInput{"static_public_read not a bool", pairWith("ok-media", "ok-static", "  static_public_read = \"maybe\"\n"), "static_public_read a bool is required"},
		badInput{"tags not a map", pairWith("ok-media", "ok-static", "  tags = [\"a\"]\n"), "tags map of string required"},
		badInput{"computed attribute set", pairWith("ok-media", "ok-static", "  media_versioning = \"Suspended\"\n"), "media_versioning"},
		badInput{"unknown attribute", pairWith("ok-media", "ok-static", "  versioning = true\n"), "Unsupported argument versioning"},
		badInput{"timeout not a duration", pairWith("ok-media", "ok-static", "  timeouts {\n    create = \"ten minutes\"\n  }\n"), "create"},
		badInput{"provider max_retries negative", "provider \"protectedmedia\" {\n  max_retries = -1\n}\n" + pairWith("ok-media", "ok-static", ""), "max_retries value must be between 0 and 25"},
		badInput{"provider max_retries too high", "provider \"protectedmedia\" {\n  max_retries = 100\n}\n" + pairWith("ok-media", "ok-static", ""), "max_retries value must be between 0 and 25"},
		badInput{"provider mfa_code malformed", "provider \"protectedmedia\" {\n  mfa_code = \"abc\"\n}\n" + pairWith("ok-media", "ok-static", ""), "mfa_code must be the 6-digit code"},
		badInput{"provider mfa_serial malformed", "provider \"protectedmedia\" {\n  mfa_serial = \"arn:aws:iam::x:mfa/y\"\n}\n" + pairWith("ok-media", "ok-static", ""), "mfa_serial must be an MFA device ARN"},
		badInput{"provider endpoint without scheme", "provider \"protectedmedia\" {\n  endpoint = \"s3.example.com\"\n}\n" + pairWith("ok-media", "ok-static", ""), "endpoint \"s3.example.com\" (from provider argument endpoint) must start with https://"},
		badInput{"provider endpoint without host", "provider \"protectedmedia\" {\n  endpoint = \"https://\"\n}\n" + pairWith("ok-media", "ok-static", ""), "has no host"},
		badInput{"provider token without keys", "provider \"protectedmedia\" {\n  token = \"FwoGZXIvYXdzEXAMPLE\"\n}\n" + pairWith("ok-media", "ok-static", ""), "token is the session token of temporary credentials"},
		badInput{"provider access_key without secret_key", "provider \"protectedmedia\" {\n  access_key = \"AKIAEXAMPLE\"\n}\n" + pairWith("ok-media", "ok-static", ""), "access_key and secret_key must be set together"},
	)
	return cases
}

// At least 40 invalid configurations, each rejected before any bucket is touched, each with a message
// that names the attribute and says what would be right.
func TestAccBucketPair_badInput(t *testing.T) {
	cases := badInputs()
	if len(cases) < 40 {
		t.Fatalf("only %d bad inputs", len(cases))
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			PreConfig:   func() { t.Logf("bad input: %s", c.name) },
			Config:      c.config,
			PlanOnly:    true,
			ExpectError: phrase(c.want),
		})
	}
	testAccPreCheck(t)
	writes := func() int { return accEnv.Proxy.Count("CreateBucket") + accEnv.Proxy.Count("HeadBucket") }
	before := writes()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    steps,
	})
	if n := writes() - before; n != 0 {
		t.Fatalf("rejected configurations still reached S3: %d HeadBucket/CreateBucket calls", n)
	}
}

// phrase matches words in order, whatever Terraform put between them (quotes, wrapping, punctuation).
func phrase(words string) *regexp.Regexp {
	parts := strings.Fields(words)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*?`))
}
