package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
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

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

const pairAddr = "protectedmedia_bucket_pair.test"

type pairConfig struct {
	Media, Static string
	PublicRead    bool
	// DefaultStatic leaves static_public_read out of the configuration, so the pair's default applies.
	DefaultStatic bool
	ForceDestroy  bool
	Tags          map[string]string
	// MFADelete sets mfa_delete, with mfa_code = var.mfa_code and MFASerial (if any) on the resource.
	MFADelete bool
	MFASerial string
	// ProviderMFA gives the provider block the test device's serial and mfa_code = var.mfa_code.
	ProviderMFA bool
	// ProviderExtra and ResourceExtra are more lines for the provider block and the resource.
	ProviderExtra, ResourceExtra string
}

func (c pairConfig) String() string {
	var b strings.Builder
	// The code travels as users are told to pass it: an ephemeral variable, stored in no state or plan.
	b.WriteString(`
variable "mfa_code" {
  type      = string
  ephemeral = true
  sensitive = true
  default   = null
}
`)
	if c.ProviderMFA || c.ProviderExtra != "" {
		b.WriteString("\nprovider \"protectedmedia\" {\n")
		if c.ProviderMFA {
			fmt.Fprintf(&b, "  mfa_serial = %q\n  mfa_code   = var.mfa_code\n", testMFASerial)
		}
		b.WriteString(c.ProviderExtra)
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, `
resource "protectedmedia_bucket_pair" "test" {
  media_bucket        = %q
  static_bucket       = %q
  media_force_destroy = %t
  mfa_delete          = %t
  mfa_code            = var.mfa_code
`, c.Media, c.Static, c.ForceDestroy, c.MFADelete)
	if !c.DefaultStatic {
		fmt.Fprintf(&b, "  static_public_read  = %t\n", c.PublicRead)
	}
	if c.MFASerial != "" {
		fmt.Fprintf(&b, "  mfa_serial          = %q\n", c.MFASerial)
	}
	if c.Tags != nil {
		b.WriteString("  tags = {\n")
		for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
			fmt.Fprintf(&b, "    %q = %q\n", k, c.Tags[k])
		}
		b.WriteString("  }\n")
	}
	b.WriteString(c.ResourceExtra)
	b.WriteString("}\n")
	return b.String()
}

func newPair(t *testing.T) pairConfig {
	return pairConfig{Media: bucketName(t, "media"), Static: bucketName(t, "static")}
}

func TestAccBucketPair_basic(t *testing.T) {
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("id"), knownvalue.StringExact(cfg.Media+","+cfg.Static)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_versioning"), knownvalue.StringExact("Enabled")),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("static_versioning"), knownvalue.StringExact("Disabled")),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("region"), knownvalue.StringExact("us-east-1")),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_bucket_arn"), knownvalue.StringExact("arn:aws:s3:::"+cfg.Media)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("static_bucket_arn"), knownvalue.StringExact("arn:aws:s3:::"+cfg.Static)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("django_storages"), djangoStoragesFor(cfg.Media, cfg.Static, true)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("app_policy_json"), appPolicyFor(cfg.Media, cfg.Static)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("deploy_policy_json"), deployPolicyFor(cfg.Media, cfg.Static)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkMediaLocked(cfg.Media),
				checkStaticBucket(cfg.Static, false),
			),
		},
		{
			ResourceName:      pairAddr,
			ImportState:       true,
			ImportStateId:     cfg.Media + "," + cfg.Static,
			ImportStateVerify: true,
		},
		{
			// After import the configuration plans nothing.
			Config: cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
	})
}

func TestAccBucketPair_versioningDrift(t *testing.T) {
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{
		{Config: cfg.String()},
		{
			PreConfig: func() {
				putVersioning(t, cfg.Media, s3types.BucketVersioningStatusSuspended)
				putVersioning(t, cfg.Static, s3types.BucketVersioningStatusEnabled)
			},
			Config: cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_versioning"), knownvalue.StringExact("Enabled")),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("static_versioning"), knownvalue.StringExact("Suspended")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_versioning"), knownvalue.StringExact("Enabled")),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("static_versioning"), knownvalue.StringExact("Suspended")),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkVersioning(cfg.Media, bucketstate.VersioningEnabled),
				checkVersioning(cfg.Static, bucketstate.VersioningSuspended),
			),
		},
	})
}

// Each owned security setting, changed out of band, shows in the plan and is put back by apply.
func TestAccBucketPair_securityDrift(t *testing.T) {
	cfg := newPair(t)
	ctx := t.Context()
	c := func() *s3.Client { return accEnv.Direct }
	drifts := []struct {
		name   string
		change func()
	}{
		{"public access block", func() {
			_, err := c().PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(cfg.Media),
				PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
					BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}})
			must(t, err)
		}},
		{"public access block removed", func() {
			_, err := c().DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(cfg.Static)})
			must(t, err)
		}},
		{"ownership", func() {
			_, err := c().PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String(cfg.Media),
				OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipObjectWriter}}}})
			must(t, err)
		}},
		{"encryption removed", func() {
			_, err := c().DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(cfg.Media)})
			must(t, err)
		}},
		{"policy removed", func() {
			_, err := c().DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(cfg.Media)})
			must(t, err)
		}},
		{"policy widened", func() {
			_, err := c().PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(cfg.Static),
				Policy: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::%s"}]}`, cfg.Static))})
			must(t, err)
		}},
	}
	steps := []resource.TestStep{{Config: cfg.String()}}
	for _, d := range drifts {
		steps = append(steps, resource.TestStep{
			PreConfig: func() { t.Logf("drift: %s", d.name); d.change() },
			Config:    cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkMediaLocked(cfg.Media), checkStaticBucket(cfg.Static, false)),
		})
	}
	pairTest(t, cfg, steps)
}

// A refresh reports drift in the plan, and only a plan: refresh-only and plan never write.
func TestAccBucketPair_driftIsVisibleInPlan(t *testing.T) {
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{
		{Config: cfg.String()},
		{
			PreConfig: func() {
				_, err := accEnv.Direct.DeleteBucketEncryption(t.Context(), &s3.DeleteBucketEncryptionInput{Bucket: aws.String(cfg.Static)})
				must(t, err)
			},
			Config:             cfg.String(),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		},
		{
			// The plan-only step changed nothing; apply repairs.
			PreConfig: func() {
				s, err := observeBucket(cfg.Static)
				must(t, err)
				if s.Encryption != "" {
					t.Fatalf("plan wrote to the bucket: encryption is %q", s.Encryption)
				}
			},
			Config: cfg.String(),
			Check:  checkStaticBucket(cfg.Static, false),
		},
	})
}

func TestAccBucketPair_bucketDeletedOutOfBand(t *testing.T) {
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{
		{Config: cfg.String()},
		{
			// One bucket gone: an in-place update recreates it.
			PreConfig: func() { deleteBucket(t, cfg.Static) },
			Config:    cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate)},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkMediaLocked(cfg.Media), checkStaticBucket(cfg.Static, false)),
		},
		{
			// Both gone: the pair is created again.
			PreConfig: func() { deleteBucket(t, cfg.Static); deleteBucket(t, cfg.Media) },
			Config:    cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionCreate)},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkMediaLocked(cfg.Media), checkStaticBucket(cfg.Static, false)),
		},
	})
}

func TestAccBucketPair_staticPublicRead(t *testing.T) {
	cfg := newPair(t)
	public := cfg
	public.PublicRead = true
	var key = "css/site.css"
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				putObjectCheck(cfg.Static, key, "body{}"),
				checkAnonymousGet(cfg.Static, key, http.StatusForbidden),
			),
		},
		{
			Config: public.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("django_storages"), djangoStoragesFor(cfg.Media, cfg.Static, false)),
				},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkStaticBucket(cfg.Static, true),
				checkAnonymousGet(cfg.Static, key, http.StatusOK),
				// Media stays private whatever static does.
				putObjectCheck(cfg.Media, "uploads/a.txt", "secret"),
				checkAnonymousGet(cfg.Media, "uploads/a.txt", http.StatusForbidden),
				checkMediaLocked(cfg.Media),
			),
		},
		{
			Config: cfg.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkStaticBucket(cfg.Static, false),
				checkAnonymousGet(cfg.Static, key, http.StatusForbidden),
			),
		},
		{
			// Media now holds an object; let the test's own destroy go through.
			Config: pairConfig{Media: cfg.Media, Static: cfg.Static, ForceDestroy: true}.String(),
		},
	})
}

func TestAccBucketPair_tags(t *testing.T) {
	cfg := newPair(t)
	tagged := cfg
	tagged.Tags = map[string]string{"app": "shop", "env": "test"}
	retagged := cfg
	retagged.Tags = map[string]string{"app": "shop", "env": "prod"}
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: tagged.String(),
			Check:  resource.ComposeAggregateTestCheckFunc(checkTags(cfg.Media, tagged.Tags), checkTags(cfg.Static, tagged.Tags)),
		},
		{
			Config: retagged.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate)},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkTags(cfg.Media, retagged.Tags), checkTags(cfg.Static, retagged.Tags)),
		},
		{
			// Tags removed on the static bucket alone are drift, and repaired.
			PreConfig: func() {
				_, err := accEnv.Direct.DeleteBucketTagging(t.Context(), &s3.DeleteBucketTaggingInput{Bucket: aws.String(cfg.Static)})
				must(t, err)
			},
			Config: retagged.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate)},
			},
			Check: checkTags(cfg.Static, retagged.Tags),
		},
		{
			Config: cfg.String(),
			Check:  resource.ComposeAggregateTestCheckFunc(checkTags(cfg.Media, nil), checkTags(cfg.Static, nil)),
		},
	})
}

func TestAccBucketPair_destroyNonEmptyMediaRefused(t *testing.T) {
	cfg := newPair(t)
	forced := cfg
	forced.ForceDestroy = true
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				putObjectCheck(cfg.Media, "uploads/photo.jpg", "v1"),
				putObjectCheck(cfg.Media, "uploads/photo.jpg", "v2"),
				putObjectCheck(cfg.Static, "css/site.css", "body{}"),
			),
		},
		{
			Config:      cfg.String(),
			Destroy:     true,
			ExpectError: regexp.MustCompile(`(?s)Media bucket is not empty.*1\s+current\s+object,\s+2\s+object\s+versions.*media_force_destroy`),
		},
		{
			// Nothing was deleted: both buckets, both versions and the static file are still there.
			Config: cfg.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkContents(cfg.Media, s3api.Contents{Objects: 1, Versions: 2}),
				checkContents(cfg.Static, s3api.Contents{Objects: 1, Versions: 1}),
			),
		},
		{
			// With force destroy the test case's final destroy removes everything (CheckDestroy).
			Config: forced.String(),
		},
	})
}

func TestAccBucketPair_forceDestroy(t *testing.T) {
	cfg := newPair(t)
	cfg.ForceDestroy = true
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				putObjectCheck(cfg.Media, "a.txt", "1"),
				putObjectCheck(cfg.Media, "a.txt", "2"),
				deleteObjectCheck(cfg.Media, "a.txt"),
				putObjectCheck(cfg.Media, "b.txt", "1"),
				checkContents(cfg.Media, s3api.Contents{Objects: 1, Versions: 3, DeleteMarkers: 1}),
			),
		},
	})
}

// An empty media bucket is simply deleted, without media_force_destroy.
func TestAccBucketPair_destroyEmpty(t *testing.T) {
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{
		{Config: cfg.String(), Check: putObjectCheck(cfg.Static, "js/app.js", "1")},
	})
}

// When the second bucket cannot be created, the first is recorded in state (tainted), nothing is left
// untracked, and the next apply converges.
func TestAccBucketPair_partialCreate(t *testing.T) {
	cfg := newPair(t)
	var fault *s3proxy.Injection
	pairTest(t, cfg, []resource.TestStep{
		{
			PreConfig: func() {
				fault = accEnv.Proxy.Inject(s3proxy.Fault{Operation: "CreateBucket", Bucket: cfg.Static, Status: http.StatusForbidden,
					Code: "AccessDenied", Message: "injected by the test"})
			},
			Config:      cfg.String(),
			ExpectError: regexp.MustCompile(`(?s)only partly created.*` + regexp.QuoteMeta(cfg.Media) + `.*tainted`),
		},
		{
			PreConfig: func() {
				fault.Remove()
				if !exists(t, cfg.Media) || exists(t, cfg.Static) {
					t.Fatal("expected the media bucket to exist and the static bucket not to")
				}
			},
			Config: cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionDestroyBeforeCreate)},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkMediaLocked(cfg.Media), checkStaticBucket(cfg.Static, false)),
		},
	})
}

func TestAccBucketPair_existingBucketNotAdopted(t *testing.T) {
	cfg := newPair(t)
	pairTest(t, cfg, []resource.TestStep{
		{
			PreConfig: func() {
				_, err := accEnv.Direct.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(cfg.Static)})
				must(t, err)
			},
			Config:      cfg.String(),
			ExpectError: regexp.MustCompile(`(?s)Bucket already exists.*terraform import`),
		},
		{
			// Nothing was created by the failed apply; clean up the bucket the test made.
			PreConfig: func() {
				if exists(t, cfg.Media) {
					t.Fatal("the media bucket was created although the static name was taken")
				}
				deleteBucket(t, cfg.Static)
			},
			Config: cfg.String(),
		},
	})
}

func TestAccBucketPair_invalidConfig(t *testing.T) {
	cases := map[string]struct {
		config string
		want   string
	}{
		"uppercase":   {pairConfig{Media: "My-Media", Static: "ok-static"}.String(), `(?s)media_bucket.*uppercase`},
		"too short":   {pairConfig{Media: "ok-media", Static: "ab"}.String(), `(?s)static_bucket.*3 to 63`},
		"ip address":  {pairConfig{Media: "192.168.1.10", Static: "ok-static"}.String(), `(?s)media_bucket.*IP`},
		"reserved":    {pairConfig{Media: "xn--media", Static: "ok-static"}.String(), `(?s)media_bucket.*xn--`},
		"same bucket": {pairConfig{Media: "same-name", Static: "same-name"}.String(), `(?s)Media and static buckets must differ`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// --- checks through the S3 API ---

// observeBucket reads a bucket's owned settings straight from the server, past the proxy; a bucket that
// does not exist is an error.
func observeBucket(bucket string) (*bucketstate.Settings, error) {
	s, err := s3api.ObserveBucket(context.Background(), accEnv.Direct, bucket)
	if err != nil {
		return nil, fmt.Errorf("observing %s: %w", bucket, err)
	}
	if s == nil {
		return nil, fmt.Errorf("bucket %s does not exist", bucket)
	}
	return s, nil
}

// checkBucket is a check of one bucket's settings as the server reports them.
func checkBucket(bucket string, check func(*bucketstate.Settings) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := observeBucket(bucket)
		if err != nil {
			return err
		}
		return check(s)
	}
}

func checkMediaLocked(bucket string) resource.TestCheckFunc {
	return checkBucket(bucket, func(s *bucketstate.Settings) error {
		if s.Versioning != "Enabled" {
			return fmt.Errorf("media %s: versioning %q, want Enabled", bucket, s.Versioning)
		}
		if s.PublicAccessBlock == nil || *s.PublicAccessBlock != (bucketstate.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}) {
			return fmt.Errorf("media %s: public access block %+v, want all four on", bucket, s.PublicAccessBlock)
		}
		return commonProblem(bucket, s, false)
	})
}

func checkStaticBucket(bucket string, publicRead bool) resource.TestCheckFunc {
	return checkBucket(bucket, func(s *bucketstate.Settings) error {
		if s.Versioning == "Enabled" {
			return fmt.Errorf("static %s: versioning is Enabled", bucket)
		}
		want := bucketstate.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: !publicRead, RestrictPublicBuckets: !publicRead}
		if s.PublicAccessBlock == nil || *s.PublicAccessBlock != want {
			return fmt.Errorf("static %s: public access block %+v, want %+v", bucket, s.PublicAccessBlock, want)
		}
		return commonProblem(bucket, s, publicRead)
	})
}

// commonProblem says what is wrong with the settings both buckets share, or nil.
func commonProblem(bucket string, s *bucketstate.Settings, publicRead bool) error {
	if s.Ownership != "BucketOwnerEnforced" {
		return fmt.Errorf("%s: ownership %q", bucket, s.Ownership)
	}
	if s.Encryption != "AES256" {
		return fmt.Errorf("%s: default encryption %q, want AES256", bucket, s.Encryption)
	}
	var doc struct {
		Statement []struct {
			Effect    string
			Principal any
			Action    any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(s.Policy), &doc); err != nil {
		return fmt.Errorf("%s: policy %q: %w", bucket, s.Policy, err)
	}
	var denyInsecure, allowGet bool
	for _, st := range doc.Statement {
		if st.Effect == "Deny" && fmt.Sprint(st.Condition["Bool"]["aws:SecureTransport"]) == "false" {
			denyInsecure = true
		}
		// Public: to everyone. A CDN's read (a service principal) is not.
		if st.Effect == "Allow" && st.Principal == "*" && strings.Contains(fmt.Sprint(st.Action), "s3:GetObject") {
			allowGet = true
		}
	}
	if !denyInsecure {
		return fmt.Errorf("%s: policy has no deny-insecure-transport statement: %s", bucket, s.Policy)
	}
	if allowGet != publicRead {
		return fmt.Errorf("%s: public GetObject statement present = %t, want %t: %s", bucket, allowGet, publicRead, s.Policy)
	}
	return nil
}

func checkVersioning(bucket, want string) resource.TestCheckFunc {
	return checkBucket(bucket, func(s *bucketstate.Settings) error {
		if s.Versioning != want {
			return fmt.Errorf("%s: versioning %q, want %q", bucket, s.Versioning, want)
		}
		return nil
	})
}

func checkTags(bucket string, want map[string]string) resource.TestCheckFunc {
	return checkBucket(bucket, func(s *bucketstate.Settings) error {
		if !bucketstate.TagsEqual(s.Tags, want) {
			return fmt.Errorf("%s: tags %v, want %v", bucket, s.Tags, want)
		}
		return nil
	})
}

func checkContents(bucket string, want s3api.Contents) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := s3api.CountContents(context.Background(), accEnv.Direct, bucket)
		if err != nil {
			return fmt.Errorf("counting %s: %w", bucket, err)
		}
		if got != want {
			return fmt.Errorf("%s holds %+v, want %+v", bucket, got, want)
		}
		return nil
	}
}

func checkAnonymousGet(bucket, key string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		resp, err := accEnv.Anonymous.Get(accEnv.Server.Endpoint + "/" + bucket + "/" + key)
		if err != nil {
			return fmt.Errorf("anonymous GET %s/%s: %w", bucket, key, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			return fmt.Errorf("anonymous GET %s/%s: status %d, want %d", bucket, key, resp.StatusCode, want)
		}
		return nil
	}
}

func checkBucketsGone(buckets ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, b := range buckets {
			e, err := s3api.FindExistence(context.Background(), accEnv.Direct, b)
			if err != nil {
				return err
			}
			if e != s3api.Absent {
				return fmt.Errorf("bucket %s still exists after destroy", b)
			}
		}
		return nil
	}
}

func putObjectCheck(bucket, key, body string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := accEnv.Direct.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
		return err
	}
}

func deleteObjectCheck(bucket, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := accEnv.Direct.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		return err
	}
}

func putVersioning(t *testing.T, bucket string, status s3types.BucketVersioningStatus) {
	_, err := accEnv.Direct.PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{
		Bucket: aws.String(bucket), VersioningConfiguration: &s3types.VersioningConfiguration{Status: status}})
	must(t, err)
}

func deleteBucket(t *testing.T, bucket string) {
	ctx := context.WithoutCancel(t.Context()) // usable in cleanups too, which run after t.Context() ends
	if _, err := s3api.EmptyBucket(ctx, accEnv.Direct, bucket, s3api.MFA{}); err != nil {
		t.Fatal(err)
	}
	must(t, s3api.DeleteBucket(ctx, accEnv.Direct, bucket))
}

func exists(t *testing.T, bucket string) bool {
	e, err := s3api.FindExistence(t.Context(), accEnv.Direct, bucket)
	must(t, err)
	return e == s3api.OwnedByCaller
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// djangoStoragesFor checks the rendered storage configuration by its meaning.
func djangoStoragesFor(media, static string, staticSigned bool) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		var got map[string]struct {
			BACKEND string
			OPTIONS map[string]any
		}
		if err := json.Unmarshal([]byte(v), &got); err != nil {
			return err
		}
		d, s := got["default"], got["staticfiles"]
		switch {
		case d.OPTIONS["bucket_name"] != media || s.OPTIONS["bucket_name"] != static:
			return fmt.Errorf("bucket names %v/%v", d.OPTIONS["bucket_name"], s.OPTIONS["bucket_name"])
		case d.OPTIONS["querystring_auth"] != true:
			return fmt.Errorf("media must use signed URLs: %v", d.OPTIONS)
		case s.OPTIONS["querystring_auth"] != staticSigned:
			return fmt.Errorf("static querystring_auth %v, want %v", s.OPTIONS["querystring_auth"], staticSigned)
		case d.OPTIONS["endpoint_url"] != accEnv.ProxyURL || d.OPTIONS["addressing_style"] != "path":
			return fmt.Errorf("endpoint %v / %v, want %s path-style", d.OPTIONS["endpoint_url"], d.OPTIONS["addressing_style"], accEnv.ProxyURL)
		}
		return nil
	})
}

// policyGrants parses an IAM policy into action -> resources for Allow and for Deny.
func policyGrants(doc string) (allow, deny map[string][]string, err error) {
	var p struct {
		Statement []struct {
			Effect   string
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, nil, err
	}
	allow, deny = map[string][]string{}, map[string][]string{}
	for _, st := range p.Statement {
		target := allow
		if st.Effect == "Deny" {
			target = deny
		}
		for _, a := range st.Action {
			target[a] = append(target[a], st.Resource...)
		}
	}
	return allow, deny, nil
}

// appPolicyFor checks the app's policy by meaning: what it may do where, and what it may never do.
func appPolicyFor(media, static string) knownvalue.Check {
	m, s := "arn:aws:s3:::"+media, "arn:aws:s3:::"+static
	return knownvalue.StringFunc(func(v string) error {
		allow, deny, err := policyGrants(v)
		if err != nil {
			return err
		}
		want := map[string][]string{
			"s3:ListBucket": {m, s}, "s3:GetBucketLocation": {m},
			"s3:GetObject": {m + "/*", s + "/*"}, "s3:PutObject": {m + "/*"}, "s3:DeleteObject": {m + "/*"},
			"s3:AbortMultipartUpload": {m + "/*"}, "s3:ListMultipartUploadParts": {m + "/*"},
		}
		for a, res := range allow {
			slices.Sort(res)
			w := slices.Clone(want[a])
			slices.Sort(w)
			if !slices.Equal(res, w) {
				return fmt.Errorf("app policy allows %s on %v, want %v", a, res, w)
			}
		}
		if len(allow) != len(want) {
			return fmt.Errorf("app policy allows %d actions, want %d: %v", len(allow), len(want), allow)
		}
		for _, a := range []string{"s3:DeleteObjectVersion", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock"} {
			if !slices.Contains(deny[a], m) {
				return fmt.Errorf("app policy does not deny %s on the media bucket: %v", a, deny)
			}
		}
		return nil
	})
}

// deployPolicyFor checks that the deploy policy writes, deletes and lists the static bucket only.
func deployPolicyFor(media, static string) knownvalue.Check {
	s := "arn:aws:s3:::" + static
	return knownvalue.StringFunc(func(v string) error {
		allow, deny, err := policyGrants(v)
		if err != nil {
			return err
		}
		if len(deny) != 0 || strings.Contains(v, media) {
			return fmt.Errorf("deploy policy touches the media bucket or denies: %s", v)
		}
		for a, res := range allow {
			for _, r := range res {
				if r != s && r != s+"/*" {
					return fmt.Errorf("deploy policy allows %s on %s", a, r)
				}
			}
		}
		for _, a := range []string{"s3:PutObject", "s3:DeleteObject", "s3:ListBucket"} {
			if len(allow[a]) == 0 {
				return fmt.Errorf("deploy policy lacks %s", a)
			}
		}
		return nil
	})
}
