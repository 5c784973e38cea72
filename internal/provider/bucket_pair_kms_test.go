package provider

// Customer-managed KMS keys: the plan-time checks and policies without a server, then against SeaweedFS
// encrypting with the fake KMS through the proxy (acceptance_harness_test.go starts both): the buckets'
// default encryption written, read back, shown as drift and repaired; the app writing under the key; a
// restore copying under it; imports.
//
// What these tests cannot show: KMS permission checks. The fake KMS is called by SeaweedFS with SeaweedFS's
// own credentials and evaluates no key policy or IAM policy, so nothing here proves that app_policy_json,
// deploy_policy_json or a key policy let a principal use a key on AWS, nor that AWS answers AccessDenied
// when they do not; those documents are checked for their content only.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakekms"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
)

// --- unit tests: no server ---

func TestKMSPlanProblems(t *testing.T) {
	const (
		here  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		there = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		china = "arn:aws-cn:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	)
	plan := func(media, static types.String, publicRead bool) bucketPairModel {
		return bucketPairModel{Region: types.StringValue("us-east-1"), MediaKMSKeyARN: media, StaticKMSKeyARN: static, StaticPublicRead: types.BoolValue(publicRead)}
	}
	for _, tt := range []struct {
		name string
		plan bucketPairModel
		want []string // "<attribute>: <summary>"
	}{
		{"no keys", plan(types.StringNull(), types.StringNull(), true), nil},
		{"both keys in the region, static private", plan(types.StringValue(here), types.StringValue(here), false), nil},
		{"media key elsewhere", plan(types.StringValue(there), types.StringNull(), true), []string{"media_kms_key_arn: KMS key in another region"}},
		{"static key in another partition", plan(types.StringNull(), types.StringValue(china), false), []string{"static_kms_key_arn: KMS key in another region"}},
		{"static key on a public bucket", plan(types.StringNull(), types.StringValue(here), true), []string{"static_kms_key_arn: A public-read static bucket cannot use a KMS key"}},
		{"keys not known yet", plan(types.StringUnknown(), types.StringUnknown(), false), nil},
		{"a malformed key is the validator's", plan(types.StringValue("alias/media"), types.StringNull(), false), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range kmsPlanProblems(tt.plan) {
				p, ok := d.(interface{ Path() path.Path })
				if !ok {
					t.Fatalf("diagnostic %q names no attribute", d.Summary())
				}
				got = append(got, p.Path().String()+": "+d.Summary())
				if !strings.Contains(d.Detail(), "static_kms_key_arn") && !strings.Contains(d.Detail(), "media_kms_key_arn") {
					t.Errorf("detail does not name the attribute: %s", d.Detail())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems %q, want %q", got, tt.want)
			}
		})
	}
	// The region message says where the key must be, and what its ARN there would be.
	d := kmsPlanProblems(plan(types.StringValue(there), types.StringNull(), false))
	if len(d) != 1 || !strings.Contains(d[0].Detail(), "is in eu-west-1, but the pair's buckets are in us-east-1") ||
		!strings.Contains(d[0].Detail(), "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab") {
		t.Errorf("region problem: %v", d)
	}
}

// Keys known only at apply are checked then, before anything is written.
func TestKMSApplyProblems(t *testing.T) {
	const there = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if got := kmsApplyProblems(pairSpec{Region: "us-east-1"}); got != nil {
		t.Errorf("no keys: %q", got)
	}
	got := kmsApplyProblems(pairSpec{Region: "us-east-1", MediaKMSKey: there, StaticKMSKey: "alias/static", StaticPublicRead: true})
	if len(got) != 3 || !strings.HasPrefix(got[0], "media_kms_key_arn: the key") || !strings.HasPrefix(got[1], "static_kms_key_arn: \"alias/static\" is an alias") ||
		!strings.HasPrefix(got[2], "static_kms_key_arn: a public-read static bucket") {
		t.Errorf("problems %q", got)
	}
}

func TestIdentityPoliciesFollowTheKeys(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	app, deploy := identityPolicies("arn:aws:s3:::m", "arn:aws:s3:::s", types.StringNull(), types.StringNull())
	if strings.Contains(app.ValueString(), "kms:") || strings.Contains(deploy.ValueString(), "kms:") {
		t.Errorf("without keys the policies mention KMS: %s %s", app, deploy)
	}
	app, deploy = identityPolicies("arn:aws:s3:::m", "arn:aws:s3:::s", types.StringUnknown(), types.StringValue(key))
	if !app.IsUnknown() || !strings.Contains(deploy.ValueString(), key) {
		t.Errorf("media key unknown: app %s, deploy %s; want the app's unknown and the deploy's known", app, deploy)
	}
	app, deploy = identityPolicies("arn:aws:s3:::m", "arn:aws:s3:::s", types.StringValue(key), types.StringUnknown())
	if !app.IsUnknown() || !deploy.IsUnknown() {
		t.Errorf("static key unknown: app %s, deploy %s; want both unknown", app, deploy)
	}
}

func TestImportedKMSKey(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, tt := range []struct {
		s    *bucketstate.Settings
		want types.String
	}{
		{nil, types.StringNull()},
		{&bucketstate.Settings{Encryption: bucketstate.EncryptionSSES3}, types.StringNull()},
		{&bucketstate.Settings{Encryption: bucketstate.EncryptionKMS}, types.StringNull()}, // the AWS managed key
		{&bucketstate.Settings{Encryption: bucketstate.EncryptionKMS, EncryptionKey: key}, types.StringValue(key)},
	} {
		if got := importedKMSKey(tt.s); !got.Equal(tt.want) {
			t.Errorf("importedKMSKey(%+v) = %s, want %s", tt.s, got, tt.want)
		}
	}
}

// --- acceptance tests ---

// kmsKeyARN is a fresh key ARN in the pair's region and the test account; addKeys creates keys in the fake
// KMS (the harness must be running).
func kmsKeyARN(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	h := hex.EncodeToString(b)
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s-%s-%s-%s-%s", locals3.Region, seaweedAccount, h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

func addKeys(keys ...string) {
	for _, k := range keys {
		accEnv.KMS.AddKey(k)
	}
}

func kmsKeys(media, static string) string {
	var b strings.Builder
	if media != "" {
		fmt.Fprintf(&b, "  media_kms_key_arn  = %q\n", media)
	}
	if static != "" {
		fmt.Fprintf(&b, "  static_kms_key_arn = %q\n", static)
	}
	return b.String()
}

// checkEncryption checks a bucket's default encryption as the server reports it: SSE-KMS with key and a
// bucket key, or SSE-S3 without either when key is "".
func checkEncryption(bucket, key string) resource.TestCheckFunc {
	return checkBucket(bucket, func(s *bucketstate.Settings) error {
		want := bucketstate.Settings{Encryption: bucketstate.EncryptionKMS, EncryptionKey: key, BucketKey: true}
		if key == "" {
			want = bucketstate.Settings{Encryption: bucketstate.EncryptionSSES3}
		}
		if s.Encryption != want.Encryption || s.EncryptionKey != want.EncryptionKey || s.BucketKey != want.BucketKey {
			return fmt.Errorf("%s: default encryption %s key %q bucket key %t, want %s key %q bucket key %t", bucket,
				s.Encryption, s.EncryptionKey, s.BucketKey, want.Encryption, want.EncryptionKey, want.BucketKey)
		}
		return nil
	})
}

// putEncryption changes a bucket's default encryption out of band.
func putEncryption(t *testing.T, bucket string, algorithm s3types.ServerSideEncryption, key string, bucketKey bool) {
	t.Helper()
	def := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: algorithm}
	if key != "" {
		def.KMSMasterKeyID = aws.String(key)
	}
	_, err := accEnv.Direct.PutBucketEncryption(t.Context(), &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: def, BucketKeyEnabled: aws.Bool(bucketKey)}}}})
	must(t, err)
}

// checkAppWritesUnderKey writes an object as the app does (its keys, through the proxy) and checks that the
// answers to the write and to a read report SSE-KMS with key and a bucket key, that the content comes back,
// and that the KMS made the object's data key under key, for this bucket.
func checkAppWritesUnderKey(t *testing.T, bucket, object, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := t.Context()
		app := appClient(t)
		calls := len(accEnv.KMS.Calls())
		put, err := app.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(object), Body: strings.NewReader("bytes of " + object)})
		if err != nil {
			return fmt.Errorf("the app's PutObject to %s: %w", bucket, err)
		}
		if put.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(put.SSEKMSKeyId) != key || !aws.ToBool(put.BucketKeyEnabled) {
			return fmt.Errorf("PutObject answered %s key %q bucket key %t, want aws:kms key %q with a bucket key",
				put.ServerSideEncryption, aws.ToString(put.SSEKMSKeyId), aws.ToBool(put.BucketKeyEnabled), key)
		}
		get, err := app.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(object)})
		if err != nil {
			return fmt.Errorf("the app's GetObject: %w", err)
		}
		defer get.Body.Close()
		if get.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(get.SSEKMSKeyId) != key || !aws.ToBool(get.BucketKeyEnabled) {
			return fmt.Errorf("GetObject answered %s key %q bucket key %t", get.ServerSideEncryption, aws.ToString(get.SSEKMSKeyId), aws.ToBool(get.BucketKeyEnabled))
		}
		return checkDataKeys(accEnv.KMS.Calls()[calls:], bucket, key)
	}
}

// checkDataKeys fails unless calls hold a GenerateDataKey under key for bucket, and none under another key.
func checkDataKeys(calls []fakekms.Call, bucket, key string) error {
	wantContext := map[string]string{"aws:s3:arn": "arn:aws:s3:::" + bucket}
	found := false
	for _, c := range calls {
		if c.Operation != fakekms.OpGenerateDataKey || !maps.Equal(c.Context, wantContext) {
			continue
		}
		if c.KeyARN != key || c.Err != "" {
			return fmt.Errorf("a data key for %s came from %q (%s), want %s", bucket, c.KeyARN, c.Err, key)
		}
		found = true
	}
	if !found {
		return fmt.Errorf("no data key was made under %s for %s; KMS calls: %+v", key, bucket, calls)
	}
	return nil
}

// appPolicyWithKeys checks the KMS grants and denies of the app's policy, on top of appPolicyFor's S3 ones.
func appPolicyWithKeys(mediaKey, staticKey string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		allow, deny, err := policyGrants(v)
		if err != nil {
			return err
		}
		for action, want := range map[string][]string{"kms:Decrypt": {mediaKey, staticKey}, "kms:GenerateDataKey": {mediaKey}} {
			got := slices.Sorted(slices.Values(allow[action]))
			if slices.Sort(want); !slices.Equal(got, want) {
				return fmt.Errorf("app policy allows %s on %v, want %v", action, got, want)
			}
		}
		for _, a := range []string{"kms:DisableKey", "kms:ScheduleKeyDeletion"} {
			if !slices.Equal(deny[a], []string{mediaKey}) {
				return fmt.Errorf("app policy denies %s on %v, want the media key", a, deny[a])
			}
		}
		return nil
	})
}

// A pair with a key for each bucket: written and read back, the app's objects encrypted under the media
// key, imported, every kind of drift shown and repaired, the key changed, and the keys removed again.
func TestAccBucketPair_kmsKeys(t *testing.T) {
	cfg := newPair(t)
	cfg.ForceDestroy = true
	mediaKey, staticKey, otherKey := kmsKeyARN(t), kmsKeyARN(t), kmsKeyARN(t)
	keyed := cfg // static private: S3 serves no SSE-KMS object anonymously
	keyed.ResourceExtra = kmsKeys(mediaKey, staticKey)
	rekeyed := cfg
	rekeyed.ResourceExtra = kmsKeys(otherKey, staticKey)
	q := regexp.QuoteMeta
	wantKey := func(key string) string { return "want aws:kms with key " + q(key) + " and an S3 Bucket Key$" }

	drift := func(name, pattern string, change func(), check resource.TestCheckFunc) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() { t.Logf("drift: %s", name); change() },
			Config:    keyed.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					expectPriorDrift(pattern),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
			},
			Check: check,
		}
	}
	pairTest(t, cfg, []resource.TestStep{
		{
			PreConfig: func() { addKeys(mediaKey, staticKey, otherKey) },
			Config:    keyed.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_kms_key_arn"), knownvalue.StringExact(mediaKey)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("static_kms_key_arn"), knownvalue.StringExact(staticKey)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("app_policy_json"), appPolicyWithKeys(mediaKey, staticKey)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("deploy_policy_json"), knownvalue.StringFunc(func(v string) error {
					allow, _, err := policyGrants(v)
					if err != nil {
						return err
					}
					if !slices.Equal(allow["kms:GenerateDataKey"], []string{staticKey}) || !slices.Equal(allow["kms:Decrypt"], []string{staticKey}) || strings.Contains(v, mediaKey) {
						return fmt.Errorf("deploy policy: %s", v)
					}
					return nil
				})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkEncryption(cfg.Media, mediaKey),
				checkEncryption(cfg.Static, staticKey),
				checkVersioning(cfg.Media, bucketstate.VersioningEnabled),
				checkAppWritesUnderKey(t, cfg.Media, "uploads/a.jpg", mediaKey),
			),
		},
		{
			ResourceName:      pairAddr,
			ImportState:       true,
			ImportStateId:     cfg.Media + "," + cfg.Static,
			ImportStateVerify: true,
			// The import reads the keys back from the buckets.
			ImportStateVerifyIgnore: []string{"media_force_destroy"},
		},
		{
			Config: keyed.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
		drift("another key", `media bucket .*: default encryption is aws:kms with key `+q(otherKey)+` and an S3 Bucket Key, `+wantKey(mediaKey),
			func() { putEncryption(t, cfg.Media, s3types.ServerSideEncryptionAwsKms, otherKey, true) },
			resource.ComposeAggregateTestCheckFunc(checkEncryption(cfg.Media, mediaKey), checkAppWritesUnderKey(t, cfg.Media, "uploads/b.jpg", mediaKey))),
		drift("switched to SSE-S3", `static bucket .*: default encryption is AES256, `+wantKey(staticKey),
			func() { putEncryption(t, cfg.Static, s3types.ServerSideEncryptionAes256, "", false) },
			checkEncryption(cfg.Static, staticKey)),
		drift("bucket key off", `media bucket .*: default encryption is aws:kms with key `+q(mediaKey)+`, `+wantKey(mediaKey),
			func() { putEncryption(t, cfg.Media, s3types.ServerSideEncryptionAwsKms, mediaKey, false) },
			checkEncryption(cfg.Media, mediaKey)),
		drift("removed", `media bucket .*: default encryption is absent, `+wantKey(mediaKey),
			func() {
				_, err := accEnv.Direct.DeleteBucketEncryption(t.Context(), &s3.DeleteBucketEncryptionInput{Bucket: aws.String(cfg.Media)})
				must(t, err)
			},
			checkEncryption(cfg.Media, mediaKey)),
		{
			// Another key in the configuration: an update of the bucket and of the app's policy.
			Config: rekeyed.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("app_policy_json"), appPolicyWithKeys(otherKey, staticKey)),
				},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkEncryption(cfg.Media, otherKey), checkAppWritesUnderKey(t, cfg.Media, "uploads/c.jpg", otherKey)),
		},
		{
			// No keys: back to SSE-S3, and policies without KMS.
			Config: cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_kms_key_arn"), knownvalue.Null()),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("app_policy_json"), appPolicyFor(cfg.Media, cfg.Static)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("deploy_policy_json"), deployPolicyFor(cfg.Media, cfg.Static)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkMediaLocked(cfg.Media), checkStaticBucket(cfg.Static, false)),
		},
	})
}

// A restore copies old versions back under the bucket's key, whatever the versions were encrypted with:
// versions written under SSE-S3, overwritten after the media key was set, come back as SSE-KMS objects
// under that key, and the next plan is empty. (On AWS an SSE-KMS copy gets a new ETag, so the restore also
// tags each copy with its source; SeaweedFS keeps the ETag, so here it does not.)
func TestAccMediaRestore_underKMSKey(t *testing.T) {
	pair := newRestorePair(t)
	pair.PublicRead = false
	key := kmsKeyARN(t)
	keyed := pair
	keyed.ResourceExtra = kmsKeys(key, "")
	m := media{t, pair.Media}
	cfg := restoreConfig{Pair: keyed, Prefix: "uploads/"}
	pairOnly := cfg
	pairOnly.NoRestore = true
	plain := pairOnly
	plain.Pair = pair
	keys := []string{"uploads/a.jpg", "uploads/b.jpg", "uploads/c.jpg"}
	original := map[string]string{}
	var asOf string
	var before map[string]recovery.Version
	var calls int
	vars := asOfVars(&asOf)

	pairTest(t, pair, []resource.TestStep{
		{PreConfig: func() { addKeys(key) }, Config: plain.String(), ConfigVariables: vars},
		{
			// The originals, under SSE-S3; then the media key.
			PreConfig: func() {
				for _, k := range keys {
					original[k] = "original " + k
					m.put(k, original[k])
				}
			},
			Config:          pairOnly.String(),
			ConfigVariables: vars,
			Check:           checkEncryption(pair.Media, key),
		},
		{
			PreConfig: func() {
				asOf = markAsOf()
				m.put(keys[0], "overwritten")
				m.delete(keys[1])
				m.put(keys[2], "overwritten too")
				before = m.versions()
				calls = len(accEnv.KMS.Calls())
				resetCounts()
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(3)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjects(m, original),
				checkNoVersionLost(m, &before, 3),
				checkCalls(map[string]int{"CopyObject": 3}), // and no tagging: SeaweedFS keeps the ETag
				checkCurrentUnderKey(t, pair.Media, keys, key),
				func(*terraform.State) error { return checkDataKeys(accEnv.KMS.Calls()[calls:], pair.Media, key) },
			),
		},
		{
			// Restored: nothing left to do.
			PreConfig:        resetCounts,
			Config:           cfg.String(),
			ConfigVariables:  vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check:            checkCalls(nil),
		},
	})
}

// checkCurrentUnderKey checks that the current version of each key reports SSE-KMS with key and a bucket
// key, to HeadObject straight from the server and through the proxy as the app sees it.
func checkCurrentUnderKey(t *testing.T, bucket string, objects []string, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, o := range objects {
			for name, c := range map[string]*s3.Client{"SeaweedFS": accEnv.Direct, "the app": appClient(t)} {
				h, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(o)})
				if err != nil {
					return fmt.Errorf("%s HeadObject %s: %w", name, o, err)
				}
				if h.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != key || !aws.ToBool(h.BucketKeyEnabled) {
					return fmt.Errorf("%s: %s is %s key %q bucket key %t, want aws:kms under %s with a bucket key", name, o,
						h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), aws.ToBool(h.BucketKeyEnabled), key)
				}
			}
		}
		return nil
	}
}

// Keys S3 could not use, refused at plan time (ValidateConfig and ModifyPlan) before any bucket is touched,
// and one known only at apply refused then, before anything is written.
func TestAccBucketPair_kmsBadInput(t *testing.T) {
	elsewhere := "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	here := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []badInput{
		{"key in another region", pairWith("ok-media", "ok-static", kmsKeys(elsewhere, "")),
			"KMS key in another region media_kms_key_arn: the key " + elsewhere + " is in eu-west-1, but the pair's buckets are in us-east-1"},
		{"alias ARN", pairWith("ok-media", "ok-static", kmsKeys("arn:aws:kms:us-east-1:111122223333:alias/media", "")),
			"Invalid KMS key ARN media_kms_key_arn is an alias ARN: give the ARN of the key it points to"},
		{"key ID", pairWith("ok-media", "ok-static", kmsKeys("", "1234abcd-12ab-34cd-56ef-1234567890ab")),
			"Invalid KMS key ARN static_kms_key_arn is not a key ARN: give the key's full ARN"},
		{"not KMS", pairWith("ok-media", "ok-static", kmsKeys("arn:aws:s3:::ok-media", "")), "media_kms_key_arn is not a KMS ARN"},
		{"public static bucket", pairWith("ok-media", "ok-static", kmsKeys("", here)),
			"A public-read static bucket cannot use a KMS key static_kms_key_arn every anonymous request for a static file"},
	}
	steps := make([]resource.TestStep, 0, len(cases)+1)
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			PreConfig:   func() { t.Logf("bad input: %s", c.name) },
			Config:      c.config,
			PlanOnly:    true,
			ExpectError: phrase(c.want),
		})
	}
	media, static := bucketName(t, "media"), bucketName(t, "static")
	steps = append(steps, resource.TestStep{
		// Known only at apply: the first plan cannot tell; Terraform plans again once it is known, and that
		// plan refuses it before anything is created.
		Config: `
resource "terraform_data" "key" {
  input = "` + elsewhere + `"
}
` + pairWith(media, static, "  static_public_read = false\n  media_kms_key_arn = terraform_data.key.output\n"),
		ExpectError: phrase("KMS key in another region media_kms_key_arn = terraform_data.key.output media_kms_key_arn: the key " + elsewhere + " is in eu-west-1"),
	})
	testAccPreCheck(t)
	creates := func() int { return accEnv.Proxy.Count("CreateBucket") }
	before := creates()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkBucketsGone(media, static),
		Steps:                    steps,
	})
	if n := creates() - before; n != 0 {
		t.Fatalf("refused configurations still created %d buckets", n)
	}
}
