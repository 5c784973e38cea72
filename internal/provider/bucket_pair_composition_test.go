package provider

// What module authors compose with the pair: CORS rules, a CloudFront distribution in front of either bucket,
// their own policy statements, and lifecycle transitions of old media versions. Each is written, read back on
// every refresh, shown as drift when changed outside Terraform, and repaired.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// The default static setup is the one Django's admin renders under: public-read, with CORS for its fonts.
// Media gets CORS only when asked; rules changed outside Terraform are drift, and apply puts them back.
func TestAccBucketPair_corsRules(t *testing.T) {
	cfg := newPair(t)
	cfg.DefaultStatic = true
	uploads := cfg
	uploads.ResourceExtra = `
  media_cors_rules = [{
    allowed_origins = ["https://www.example.com"]
    allowed_methods = ["POST", "PUT"]
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 600
  }]
  static_cors_rules = [{
    allowed_origins = ["https://www.example.com", "https://admin.example.com"]
    allowed_methods = ["GET", "HEAD"]
  }]
`
	mediaRules := []bucketstate.CORSRule{{AllowedOrigins: []string{"https://www.example.com"}, AllowedMethods: []string{"POST", "PUT"},
		AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: 600}}
	staticRules := []bucketstate.CORSRule{{AllowedOrigins: []string{"https://www.example.com", "https://admin.example.com"},
		AllowedMethods: []string{"GET", "HEAD"}}}
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("static_public_read"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("static_cors_rules"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"allowed_origins": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("*")}),
						"allowed_methods": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("GET"), knownvalue.StringExact("HEAD")}),
					}),
				})),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_cors_rules"), knownvalue.Null()),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkStaticBucket(cfg.Static, true),
				checkCORS(cfg.Static, bucketstate.DefaultStaticCORS()),
				checkCORS(cfg.Media, nil),
			),
		},
		{
			Config: uploads.String(),
			Check:  resource.ComposeAggregateTestCheckFunc(checkCORS(cfg.Media, mediaRules), checkCORS(cfg.Static, staticRules)),
		},
		{
			// Someone widens the media rules and removes the static ones by hand.
			PreConfig: func() {
				_, err := accEnv.Direct.PutBucketCors(t.Context(), &s3.PutBucketCorsInput{Bucket: aws.String(cfg.Media),
					CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{
						{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "PUT", "POST", "DELETE"}}}}})
				must(t, err)
				_, err = accEnv.Direct.DeleteBucketCors(t.Context(), &s3.DeleteBucketCorsInput{Bucket: aws.String(cfg.Static)})
				must(t, err)
			},
			Config: uploads.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					expectPriorDrift(`media bucket .*: CORS is \[GET/PUT/POST/DELETE from \*\], want \[POST/PUT from https://www.example.com with headers \*\]`,
						`static bucket .*: CORS is absent, want \[GET/HEAD from https://www.example.com, https://admin.example.com\]`),
				},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkCORS(cfg.Media, mediaRules), checkCORS(cfg.Static, staticRules)),
		},
		{
			// Back to the defaults: the media rules go, the static default returns.
			Config: cfg.String(),
			Check:  resource.ComposeAggregateTestCheckFunc(checkCORS(cfg.Media, nil), checkCORS(cfg.Static, bucketstate.DefaultStaticCORS())),
		},
		{
			ResourceName:      pairAddr,
			ImportState:       true,
			ImportStateId:     cfg.Media + "," + cfg.Static,
			ImportStateVerify: true,
		},
	})
}

// A CloudFront distribution in front of each bucket: the buckets stay private, each policy lets only its
// distribution read, and Django builds its URLs on the CDN's domain, media ones signed with the key.
func TestAccBucketPair_cdn(t *testing.T) {
	const (
		staticDist = "arn:aws:cloudfront::000000000000:distribution/ESTATIC1EXAMPLE"
		mediaDist  = "arn:aws:cloudfront::000000000000:distribution/EMEDIA1EXAMPLE"
	)
	cfg := newPair(t)
	cfg.DefaultStatic = true
	cfg.ResourceExtra = fmt.Sprintf(`
  static_cdn = {
    distribution_arn = %q
    custom_domain    = "static.example.com"
  }
  media_cdn = {
    distribution_arn  = %q
    custom_domain     = "media.example.com"
    cloudfront_key_id = "K2JCJMDEHXQW5F"
  }
`, staticDist, mediaDist)
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					// Known at plan time: module authors wire the distribution's settings from it.
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("static_public_read"), knownvalue.Bool(false)),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("django_storages"), knownvalue.StringFunc(djangoUsesCDN)),
				},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkStaticBucket(cfg.Static, false),
				checkMediaLocked(cfg.Media),
				checkPolicyHas(cfg.Static, bucketpolicy.CloudFrontReadStatement("arn:aws:s3:::"+cfg.Static, staticDist)),
				checkPolicyHas(cfg.Media, bucketpolicy.CloudFrontReadStatement("arn:aws:s3:::"+cfg.Media, mediaDist)),
				// The distribution can read; nobody else can, anonymously.
				putObjectCheck(cfg.Static, "admin/css/base.css", "body{}"),
				checkAnonymousGet(cfg.Static, "admin/css/base.css", http.StatusForbidden),
			),
		},
		{
			// The CDN's statement removed by hand: drift, repaired.
			PreConfig: func() {
				_, err := accEnv.Direct.PutBucketPolicy(t.Context(), &s3.PutBucketPolicyInput{Bucket: aws.String(cfg.Media),
					Policy: aws.String(bucketpolicy.DesiredMedia("arn:aws:s3:::"+cfg.Media, nil))})
				must(t, err)
			},
			Config: cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					expectPriorDrift(`media bucket .*: bucket policy is a different policy`),
				},
			},
			Check: checkPolicyHas(cfg.Media, bucketpolicy.CloudFrontReadStatement("arn:aws:s3:::"+cfg.Media, mediaDist)),
		},
	})
}

// djangoUsesCDN checks the storage configuration of a pair behind CDNs: unsigned static URLs on the static
// CDN's domain; media on its CDN's domain, signed there with the key (querystring_auth on).
func djangoUsesCDN(v string) error {
	var storages map[string]struct {
		Options map[string]any `json:"OPTIONS"`
	}
	if err := json.Unmarshal([]byte(v), &storages); err != nil {
		return err
	}
	static, media := storages["staticfiles"].Options, storages["default"].Options
	if static["custom_domain"] != "static.example.com" || static["querystring_auth"] != false {
		return fmt.Errorf("static options %v: want custom_domain static.example.com and unsigned URLs", static)
	}
	if media["custom_domain"] != "media.example.com" || media["cloudfront_key_id"] != "K2JCJMDEHXQW5F" || media["querystring_auth"] != true {
		return fmt.Errorf("media options %v: want custom_domain media.example.com, cloudfront_key_id and signed URLs", media)
	}
	return nil
}

// A module author's own statements join the owned policies and are repaired with them; statements that
// would break the pair are refused at plan time, with the reason.
func TestAccBucketPair_extraPolicyStatements(t *testing.T) {
	cfg := newPair(t)
	reporting := fmt.Sprintf(`{"Sid":"ReportingReadsMedia","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/reporting"},`+
		`"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"]}`, cfg.Media)
	withExtra := cfg
	withExtra.ResourceExtra = fmt.Sprintf(`
  media_extra_policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = [%s] # JSON is an HCL object expression too
  })
`, reporting)
	refused := func(statement string) string {
		c := cfg
		c.ResourceExtra = fmt.Sprintf("  media_extra_policy_json = %q\n", `{"Version":"2012-10-17","Statement":[`+statement+`]}`)
		return c.String()
	}
	pairTest(t, cfg, []resource.TestStep{
		{
			Config:      refused(fmt.Sprintf(`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::%s/*"}`, cfg.Media)),
			ExpectError: regexp.MustCompile(`(?s)Extra policy statements refused.*DenyInsecureTransport`),
		},
		{
			Config:      refused(fmt.Sprintf(`{"Effect":"Allow","Principal":"*","Action":"s3:Delete*","Resource":"arn:aws:s3:::%s/*"}`, cfg.Media)),
			ExpectError: regexp.MustCompile(`(?s)Extra policy statements refused.*anyone`),
		},
		{
			Config: withExtra.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkPolicyHas(cfg.Media, reporting),
				checkMediaLocked(cfg.Media),
			),
		},
		{
			// The owned policy put back without the module's statement: drift, repaired.
			PreConfig: func() {
				_, err := accEnv.Direct.PutBucketPolicy(t.Context(), &s3.PutBucketPolicyInput{Bucket: aws.String(cfg.Media),
					Policy: aws.String(bucketpolicy.DesiredMedia("arn:aws:s3:::"+cfg.Media, nil))})
				must(t, err)
			},
			Config: withExtra.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					expectPriorDrift(`media bucket .*: bucket policy is a different policy`),
				},
			},
			Check: checkPolicyHas(cfg.Media, reporting),
		},
		{
			// Dropping the argument drops the statement.
			Config: cfg.String(),
			Check:  checkPolicyLacks(cfg.Media, "ReportingReadsMedia"),
		},
	})
}

// Old media versions move to cheaper storage; the rule is read back, repaired, and refused beside MFA Delete.
func TestAccBucketPair_noncurrentTransitions(t *testing.T) {
	cfg := newPair(t)
	cfg.ResourceExtra = `
  noncurrent_version_retention_days = 400
  noncurrent_version_transitions = [
    { days = 30, storage_class = "STANDARD_IA" },
    { days = 90, storage_class = "GLACIER_IR" },
  ]
`
	withMFA := cfg
	withMFA.MFADelete, withMFA.ProviderMFA = true, true
	wrongOrder := newPair(t)
	wrongOrder.ResourceExtra = `
  noncurrent_version_transitions = [
    { days = 90, storage_class = "GLACIER_IR" },
    { days = 10, storage_class = "STANDARD_IA" },
  ]
`
	want := bucketstate.Lifecycle{NoncurrentDays: 400, ExpiredDeleteMarkers: true, AbortIncompleteDays: defaultAbortIncompleteDays,
		Transitions: []bucketstate.Transition{{Days: 30, StorageClass: "STANDARD_IA"}, {Days: 90, StorageClass: "GLACIER_IR"}}}
	pairTest(t, cfg, []resource.TestStep{
		{
			Config:      wrongOrder.String(),
			ExpectError: regexp.MustCompile(`(?s)Invalid noncurrent version transitions.*30 days or more.*down S3's order`),
		},
		{
			Config:      withMFA.String(),
			ExpectError: regexp.MustCompile(`Transitions conflict with MFA Delete`),
		},
		{
			Config: cfg.String(),
			Check:  checkLifecycle(cfg.Media, want),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("noncurrent_version_transitions"), knownvalue.ListSizeExact(2)),
			},
		},
		{
			// The transitions removed by hand show as a planned change of the argument, and come back. Through
			// the proxy, whose AWS layer holds the configuration with transitions SeaweedFS cannot keep.
			PreConfig: func() {
				_, err := viaProxy(t).PutBucketLifecycleConfiguration(t.Context(), &s3.PutBucketLifecycleConfigurationInput{
					Bucket: aws.String(cfg.Media),
					LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
						ID: aws.String("protectedmedia"), Status: s3types.ExpirationStatusEnabled,
						Filter:                      &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
						NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(400)},
						Expiration:                  &s3types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
						AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{
							DaysAfterInitiation: aws.Int32(defaultAbortIncompleteDays)},
					}}},
				})
				must(t, err)
			},
			Config: cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate)},
			},
			Check: checkLifecycle(cfg.Media, want),
		},
	})
}

// expectPriorDrift checks that the refreshed state the plan started from lists drift lines matching each
// pattern.
func expectPriorDrift(patterns ...string) plancheck.PlanCheck {
	return priorDriftCheck(patterns)
}

type priorDriftCheck []string

func (c priorDriftCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var lines []string
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address != pairAddr {
			continue
		}
		drift, _ := r.AttributeValues["drift"].([]any)
		for _, d := range drift {
			lines = append(lines, fmt.Sprint(d))
		}
	}
	for _, p := range c {
		re := regexp.MustCompile(p)
		if !slices.ContainsFunc(lines, re.MatchString) {
			resp.Error = fmt.Errorf("no drift line matches %q; drift was:\n  %s", p, strings.Join(lines, "\n  "))
			return
		}
	}
}

func checkCORS(bucket string, want []bucketstate.CORSRule) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := s3api.FindCORS(context.Background(), accEnv.Direct, bucket)
		if err != nil {
			return err
		}
		if !bucketstate.CORSEqual(got, want) {
			return fmt.Errorf("%s CORS: %+v, want %+v", bucket, got, want)
		}
		return nil
	}
}

// checkPolicyHas checks that the bucket's policy holds a statement equivalent to statement (Sids aside).
func checkPolicyHas(bucket, statement string) resource.TestCheckFunc {
	return checkBucket(bucket, func(s *bucketstate.Settings) error {
		var doc struct{ Statement []json.RawMessage }
		if err := json.Unmarshal([]byte(s.Policy), &doc); err != nil {
			return fmt.Errorf("%s policy %q: %w", bucket, s.Policy, err)
		}
		alone := func(st string) string { return `{"Version":"2012-10-17","Statement":[` + st + `]}` }
		for _, st := range doc.Statement {
			if ok, err := bucketpolicy.Equivalent(alone(statement), alone(string(st))); err == nil && ok {
				return nil
			}
		}
		return fmt.Errorf("%s policy lacks %s:\n%s", bucket, statement, s.Policy)
	})
}

func checkPolicyLacks(bucket, text string) resource.TestCheckFunc {
	return checkBucket(bucket, func(s *bucketstate.Settings) error {
		if strings.Contains(s.Policy, text) {
			return fmt.Errorf("%s policy still has %q: %s", bucket, text, s.Policy)
		}
		return nil
	})
}
