package provider

// The acceptance core against Ceph's RADOS Gateway (RGW 16.2), an S3-compatible service that answers most of
// the bucket APIs but not as Amazon S3 does: ownership controls and default encryption are unknown to it (a
// read answers 200 with no rules, a write 400, a DELETE deletes an empty bucket), replication is refused with
// 405, MFA Delete with 403, and its public access block, once BlockPublicAcls is on, refuses every upload.
// None of that is a 501 the provider could detect, so the provider is told through unsupported_features. With that: a pair is created, drift is shown and repaired, destroy refuses media that
// holds versions, and a point-in-time restore puts media back although RGW's CopyObject answers without
// version ids.

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/localrgw"
)

// rgwUnsupported is what the guide tells RGW 16.2 users to declare.
const rgwUnsupported = `  unsupported_features = ["mfa_delete", "public_access_block", "ownership_controls", "encryption", "replication"]` + "\n"

// rgwClient is a client straight to an RGW, over its test certificate.
func rgwClient(t *testing.T, s *localrgw.Server) *s3.Client {
	t.Helper()
	c, err := s3api.New(t.Context(), s3api.Config{Endpoint: s.Endpoint, AccessKey: s.AccessKey, SecretKey: s.SecretKey,
		Region: localrgw.Region, CABundle: s.CAFile, SkipBucketOwnerCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	return c.S3
}

func startRGW(t *testing.T) *compatBench {
	t.Helper()
	testAccPreCheck(t)
	server := localrgw.StartT(t)
	return newCompatBench(t, rgwClient(t, server), server.Endpoint, server.AccessKey, server.SecretKey, server.TLSConfig())
}

func TestAccRGW_core(t *testing.T) {
	g := startRGW(t)
	cfg := newPair(t)
	cfg.ProviderExtra = g.provider(rgwUnsupported)
	ctx := t.Context()
	var asOf string
	restore := restoreConfig{Pair: cfg, Prefix: "media/", NoRestore: true}
	withRestore := restore
	withRestore.NoRestore = false
	forced := withRestore
	forced.Pair.ForceDestroy = true

	put := func(key, body string) {
		t.Helper()
		if _, err := g.direct.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(key string) string {
		out, err := g.direct.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String(key)})
		if err != nil {
			return "<" + apiCode(err) + ">"
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(b)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             g.checkGone(cfg.Media, cfg.Static),
		Steps: []resource.TestStep{
			{
				// Created with what RGW implements; the plan after apply is empty. The public access block is
				// left alone (RGW reads an unset one as four false flags, where AWS answers 404), so media
				// takes uploads.
				Config:          restore.String(),
				ConfigVariables: asOfVars(&asOf),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_versioning"), knownvalue.StringExact("Enabled")),
					statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				},
				Check: func(*terraform.State) error {
					got, err := s3api.FindVersioning(ctx, g.direct, cfg.Media)
					if err != nil || got.Status != bucketstate.VersioningEnabled {
						return fmt.Errorf("media versioning on RGW: %+v, %v", got, err)
					}
					for _, bucket := range []string{cfg.Media, cfg.Static} {
						pab, err := s3api.FindPublicAccessBlock(ctx, g.direct, bucket)
						if err != nil || pab == nil || *pab != (bucketstate.PublicAccessBlock{}) {
							return fmt.Errorf("public access block of %s on RGW: %+v, %v; want RGW's four false flags", bucket, pab, err)
						}
					}
					p, err := s3api.FindPolicy(ctx, g.direct, cfg.Media)
					if err != nil || !bucketstate.PolicyMatches(bucketstate.MediaDesired(cfg.Media, "arn:aws:s3:::"+cfg.Media, false, nil, bucketstate.Retention{}, nil).Policy, p) {
						return fmt.Errorf("media policy on RGW: %q, %v", p, err)
					}
					return nil
				},
			},
			{
				// Versioning suspended out of band: the plan shows it, the apply repairs it.
				PreConfig: func() {
					if _, err := g.direct.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(cfg.Media),
						VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:          restore.String(),
				ConfigVariables: asOfVars(&asOf),
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
				// Media overwritten and deleted after a point in time: the restore puts it back, by copying
				// old versions over keys (RGW's CopyObject answers without version ids).
				PreConfig: func() {
					put("media/photo.jpg", "first")
					put("media/gone.jpg", "kept")
					asOf = markAsOf()
					put("media/photo.jpg", "second")
					if _, err := g.direct.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(cfg.Media), Key: aws.String("media/gone.jpg")}); err != nil {
						t.Fatal(err)
					}
				},
				Config:          withRestore.String(),
				ConfigVariables: asOfVars(&asOf),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(2)),
				},
				Check: func(*terraform.State) error {
					if a, b := get("media/photo.jpg"), get("media/gone.jpg"); a != "first" || b != "kept" {
						return fmt.Errorf("after the restore: photo.jpg %q, gone.jpg %q; want first, kept", a, b)
					}
					return nil
				},
			},
			{
				// Media holds versions: destroy is refused, and nothing is deleted.
				Config:          withRestore.String(),
				ConfigVariables: asOfVars(&asOf),
				Destroy:         true,
				ExpectError:     regexp.MustCompile(`(?s)Media bucket is not empty.*media_force_destroy`),
			},
			{
				Config:          withRestore.String(),
				ConfigVariables: asOfVars(&asOf),
				Check: func(*terraform.State) error {
					c, err := s3api.CountContents(ctx, g.direct, cfg.Media)
					// photo.jpg: first, second, restored first; gone.jpg: kept, restored kept (and a marker).
					if err != nil || c.Versions != 5 {
						return fmt.Errorf("media after the refused destroy: %+v, %v", c, err)
					}
					return nil
				},
			},
			{Config: forced.String(), ConfigVariables: asOfVars(&asOf)},
		},
	})
}

// TestAccRGW_undeclared: without unsupported_features the provider cannot tell what RGW lacks (it never
// answers 501), so the apply fails with RGW's refusal, as the guide says; declaring is required there.
func TestAccRGW_undeclared(t *testing.T) {
	g := startRGW(t)
	cfg := newPair(t)
	cfg.ForceDestroy = true
	cfg.ProviderExtra = g.provider("")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             g.checkGone(cfg.Media, cfg.Static),
		Steps: []resource.TestStep{{
			Config:      cfg.String(),
			ExpectError: regexp.MustCompile(`(?s)Bucket pair only partly created.*PutBucketOwnershipControls.*InvalidArgument`),
		}},
	})
}
