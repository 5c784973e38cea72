package provider

// The acceptance core against versitygw, an S3-compatible service that implements versioning like Amazon S3
// and answers 501 NotImplemented to public access blocks, default encryption, lifecycle and replication:
// a pair is created with what the service can do, drift is shown and repaired, destroy refuses media that
// holds versions, and the plan never fails over the APIs the service lacks.

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/versitygw"
)

// compatBench is an S3-compatible service for one test, a client straight to it, and a counting plain-HTTP
// pass-through the provider is pointed at, so a test can tell how many requests a refresh makes (and the
// provider needs no CA bundle for a service with a test certificate).
type compatBench struct {
	direct               *s3.Client
	endpoint             string
	accessKey, secretKey string
	requests             atomic.Int64
}

// newCompatBench puts the counting pass-through in front of upstream; tlsConfig is nil for plain HTTP.
func newCompatBench(t *testing.T, direct *s3.Client, upstream, accessKey, secretKey string, tlsConfig *tls.Config) *compatBench {
	t.Helper()
	b := &compatBench{direct: direct, accessKey: accessKey, secretKey: secretKey}
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	if tlsConfig != nil {
		proxy.Transport = &http.Transport{TLSClientConfig: tlsConfig}
	}
	counter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.requests.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(counter.Close)
	b.endpoint = counter.URL
	return b
}

func startVersity(t *testing.T) *compatBench {
	t.Helper()
	testAccPreCheck(t)
	server := versitygw.StartT(t)
	return newCompatBench(t, versityClient(t, server), server.Endpoint, server.AccessKey, server.SecretKey, nil)
}

// provider is the provider block's lines for the service: its endpoint, its root keys, and no STS.
func (b *compatBench) provider(extra string) string {
	return fmt.Sprintf("  endpoint                = %q\n  access_key              = %q\n  secret_key              = %q\n"+
		"  skip_bucket_owner_check = true\n%s", b.endpoint, b.accessKey, b.secretKey, extra)
}

func (b *compatBench) checkGone(buckets ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, bucket := range buckets {
			if e, err := s3api.FindExistence(context.Background(), b.direct, bucket); err != nil || e != s3api.Absent {
				return fmt.Errorf("bucket %s after destroy: existence %v, %v", bucket, e, err)
			}
		}
		return nil
	}
}

func TestAccVersityGW_core(t *testing.T) {
	v := startVersity(t)
	cfg := newPair(t)
	cfg.ProviderExtra = v.provider("")
	ctx := t.Context()
	var detecting, declaring int64
	declared := cfg
	declared.ProviderExtra = v.provider(`  unsupported_features = ["public_access_block", "encryption", "lifecycle", "replication"]` + "\n")

	put := func(key, body string) {
		t.Helper()
		if _, err := v.direct.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	forced := cfg
	forced.ForceDestroy = true

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             v.checkGone(cfg.Media, cfg.Static),
		Steps: []resource.TestStep{
			{
				// Created with what the service implements; the plan after apply is empty, so nothing the
				// service lacks shows as drift.
				Config: cfg.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_versioning"), knownvalue.StringExact("Enabled")),
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				},
				Check: func(*terraform.State) error {
					got, err := s3api.FindVersioning(ctx, v.direct, cfg.Media)
					if err != nil || got.Status != bucketstate.VersioningEnabled {
						return fmt.Errorf("media versioning on versitygw: %+v, %v", got, err)
					}
					p, err := s3api.FindPolicy(ctx, v.direct, cfg.Media)
					if err != nil || !bucketstate.PolicyMatches(bucketstate.MediaDesired(cfg.Media, "arn:aws:s3:::"+cfg.Media, false, nil, bucketstate.Retention{}, nil).Policy, p) {
						return fmt.Errorf("media policy on versitygw: %q, %v", p, err)
					}
					return nil
				},
			},
			{
				// A new provider process knows nothing of the service: its refresh reads everything once, and
				// learns what the service lacks from the answers.
				PreConfig:    func() { v.requests.Store(0) },
				RefreshState: true,
				Check: func(*terraform.State) error {
					detecting = v.requests.Load()
					return nil
				},
			},
			{
				// Declared, the missing features are never asked about, and the plan is as empty.
				PreConfig: func() { v.requests.Store(0) },
				Config:    declared.String(),
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					planCheck(func(*tfjson.Plan) error { declaring = v.requests.Load(); return nil }),
				}},
			},
			{
				// Versioning suspended out of band: the plan shows it, the apply repairs it.
				PreConfig: func() {
					put("media/photo.jpg", "first")
					put("media/photo.jpg", "second")
					if _, err := v.direct.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(cfg.Media),
						VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_versioning"), knownvalue.StringExact("Enabled")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_versioning"), knownvalue.StringExact("Enabled")),
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				// Media holds versions: destroy is refused, and nothing is deleted.
				Config:      cfg.String(),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Media bucket is not empty.*media_force_destroy`),
			},
			{
				Config: cfg.String(),
				Check: func(*terraform.State) error {
					c, err := s3api.CountContents(ctx, v.direct, cfg.Media)
					if err != nil || c.Versions != 2 {
						return fmt.Errorf("media after the refused destroy: %+v, %v", c, err)
					}
					return nil
				},
			},
			{Config: forced.String()},
		},
	})
	// Media has 10 settings read and static 8; versitygw lacks 3 of them on both, and replication.
	t.Logf("one refresh of a pair on versitygw: %d requests learning what it lacks, %d with unsupported_features", detecting, declaring)
	if detecting != 18 || declaring != 11 {
		t.Errorf("a refresh made %d requests learning and %d declared, want 18 and 11 (6 on media, 5 on static)", detecting, declaring)
	}
}

func TestAccVersityGW_unsupportedArguments(t *testing.T) {
	v := startVersity(t)
	cfg := newPair(t)
	cfg.DefaultStatic = true // a new pair's static bucket is public-read unless the configuration says otherwise
	withExtra := func(provider, resource string) string {
		c := cfg
		c.ProviderExtra, c.ResourceExtra = v.provider(provider), resource
		return c.String()
	}
	declare := func(features string) string { return "  unsupported_features = [" + features + "]\n" }
	learnt := cfg
	learnt.ProviderExtra = v.provider("")
	learnt.ResourceExtra = "  noncurrent_version_retention_days = 30\n"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             v.checkGone(cfg.Media, cfg.Static),
		Steps: []resource.TestStep{
			{
				Config:      withExtra(declare(`"cors", "website"`), ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid unsupported_features.*unknown feature "website".*valid names are.*public_access_block`),
			},
			{
				Config:      withExtra(declare(`"versioning"`), ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)versioning cannot be unsupported`),
			},
			{
				Config: withExtra(declare(`"cors", "encryption"`), `  media_cors_rules = [{ allowed_methods = ["GET"], allowed_origins = ["https://example.com"] }]
  media_kms_key_arn = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555"
`),
				PlanOnly: true,
				// Both, in whatever order Terraform lists them.
				ExpectError: regexp.MustCompile(`(?s)media_kms_key_arn needs encryption, which the S3 service does not\s+implement.*media_cors_rules needs cors|` +
					`media_cors_rules needs cors.*media_kms_key_arn needs encryption, which the S3 service does not\s+implement`),
			},
			{
				Config:      withExtra(declare(`"policy"`), ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)static_public_read needs policy.*static_public_read = false`),
			},
			{
				// Learnt only at apply: the buckets are created, and the argument the service cannot honour fails
				// the apply with the reason.
				Config:      learnt.String(),
				ExpectError: regexp.MustCompile(`(?s)noncurrent_version_retention_days needs lifecycle, which the S3 service does\s+not implement`),
			},
		},
	})
}

func TestAccBucketPair_unsupportedFeaturesOnAWS(t *testing.T) {
	cfg := newPair(t)
	cfg.ProviderExtra = "  endpoint = \"https://s3.us-east-1.amazonaws.com\"\n  unsupported_features = [\"cors\"]\n"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg.String(),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Amazon S3 implements every feature.*cors`),
		}},
	})
}
