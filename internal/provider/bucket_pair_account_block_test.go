package provider

import (
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/awsbehaviour"
)

// A public static bucket in an account whose own Block Public Access forbids it fails at plan time, naming
// the setting, before anything is created; once the account allows it, the same configuration applies and
// anonymous reads work.
func TestAccBucketPair_accountBlocksPublicStatic(t *testing.T) {
	testAccPreCheck(t)
	// S3 Control answers through the proxy, where the AWS layer plays the account's settings.
	t.Setenv(s3api.AccountBlockEndpointEnv, accEnv.ProxyURL)
	awsLayer.SetAccountPublicAccessBlock(&awsbehaviour.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
	t.Cleanup(func() { awsLayer.SetAccountPublicAccessBlock(nil) })
	cfg := newPair(t)
	cfg.PublicRead = true
	key := "css/site.css"
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			ExpectError: phrase("The account blocks public buckets account " + seaweedAccount +
				" BlockPublicPolicy is on RestrictPublicBuckets is on aws s3control put-public-access-block --account-id " + seaweedAccount),
		},
		{
			PreConfig: func() {
				if exists(t, cfg.Media) || exists(t, cfg.Static) {
					t.Fatal("a bucket was created although the plan failed")
				}
				awsLayer.SetAccountPublicAccessBlock(nil)
			},
			Config: cfg.String(),
			Check:  resource.ComposeAggregateTestCheckFunc(checkStaticBucket(cfg.Static, true), putObjectCheck(cfg.Static, key, "body{}"), checkAnonymousGet(cfg.Static, key, http.StatusOK)),
		},
	})
}
