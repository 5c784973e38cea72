package awsbehaviour

// The layer in front of a real SeaweedFS, driven by the AWS SDK as the provider drives it. Each subtest
// first records what SeaweedFS itself does with the requests (the package comment relies on it), then
// what a client of the proxy sees.

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakeclock"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/testenv"
)

// seaweedTimeout bounds the whole test: a cold start takes seconds, each request milliseconds.
const seaweedTimeout = 3 * time.Minute

// seaweed is SeaweedFS with the layer in front, and the clients a test needs.
type seaweed struct {
	env    *testenv.Env
	layer  *Layer
	clock  *fakeclock.Clock
	client *s3.Client // through the proxy
}

func startSeaweed(t *testing.T, ctx context.Context) *seaweed {
	t.Helper()
	if os.Getenv(testenv.WeedEnv) == "" {
		t.Skip(testenv.WeedEnv + " is not set; set it to a weed binary (scripts/ensure-seaweedfs.sh prints one) to run this test")
	}
	s := &seaweed{clock: fakeclock.New(time.Now())}
	s.layer = New(Options{Now: s.clock.Now})
	env, err := testenv.StartWith(ctx, testenv.Options{ProxyOptions: []s3proxy.Option{s3proxy.WithSemantics(s.layer.Semantics())}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Stop)
	s.env = env
	c, err := s3api.New(ctx, s3api.Config{SkipBucketOwnerCheck: true, Region: locals3.Region, Endpoint: env.ProxyURL,
		AccessKey: env.Server.AccessKey, SecretKey: env.Server.SecretKey, CABundle: env.Server.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	s.client = c.S3
	return s
}

// newBucket creates a bucket through the proxy.
func (s *seaweed) newBucket(t *testing.T, ctx context.Context, role string) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "pm-aws-" + role + "-" + hex.EncodeToString(b)
	if _, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	return name
}

// status returns the HTTP status and headers of an SDK error, or 0.
func status(err error) (int, http.Header) {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.HTTPStatusCode(), re.Response.Header
	}
	return 0, nil
}

func TestWithSeaweedFS(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), seaweedTimeout)
	defer cancel()
	s := startSeaweed(t, ctx)
	direct := s.env.Direct

	t.Run("BlockPublicPolicy", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "bpp")
		policy := publicReadPolicy(bucket)
		putBlock := func(c *s3.Client, on bool) {
			t.Helper()
			if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &bucket,
				PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(on),
					IgnorePublicAcls: aws.Bool(on), BlockPublicPolicy: aws.Bool(on), RestrictPublicBuckets: aws.Bool(on)}}); err != nil {
				t.Fatalf("PutPublicAccessBlock: %v", err)
			}
		}
		putPolicy := func(c *s3.Client) error {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &policy})
			return err
		}

		// SeaweedFS stores the block but takes a public policy under it: the layer's check is not a
		// duplicate.
		putBlock(direct, true)
		if err := putPolicy(direct); err != nil {
			t.Errorf("SeaweedFS itself refuses a public policy under BlockPublicPolicy (%v): the layer's check may duplicate it", err)
		}
		if _, err := direct.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: &bucket}); err != nil {
			t.Fatal(err)
		}

		const window = time.Minute
		s.layer.EnforceBlockPublicPolicy(window)
		putBlock(s.client, true)
		layertest.ExpectCode(t, "a public PutBucketPolicy under BlockPublicPolicy", putPolicy(s.client), "AccessDenied")
		putBlock(s.client, false)
		layertest.ExpectCode(t, "a public PutBucketPolicy while the block propagates", putPolicy(s.client), "AccessDenied")
		_, err := direct.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
		layertest.ExpectCode(t, "SeaweedFS's GetBucketPolicy after refused puts", err, "NoSuchBucketPolicy")
		s.clock.Advance(window)
		if err := putPolicy(s.client); err != nil {
			t.Fatalf("a public PutBucketPolicy once the block is off: %v", err)
		}
		if _, err := direct.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket}); err != nil {
			t.Errorf("SeaweedFS has no policy after an allowed put: %v", err)
		}
	})

	t.Run("AccountPublicAccessBlock", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "rpb")
		key := "index.html"
		if _, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("hello")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(publicReadPolicy(bucket))}); err != nil {
			t.Fatalf("PutBucketPolicy: %v", err)
		}
		anonymousGet := func(endpoint string) int {
			t.Helper()
			resp, err := s.env.Anonymous.Get(endpoint + "/" + bucket + "/" + key)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			return resp.StatusCode
		}
		// SeaweedFS serves a public bucket to everyone, also under the bucket's own RestrictPublicBuckets
		// (set behind the layer's back, so the layer does not enforce it either).
		if code := anonymousGet(s.env.Server.Endpoint); code != http.StatusOK {
			t.Errorf("SeaweedFS answers an anonymous GetObject on a public bucket %d, want 200", code)
		}
		if _, err := direct.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &bucket,
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
			t.Fatal(err)
		}
		if code := anonymousGet(s.env.Server.Endpoint); code != http.StatusOK {
			t.Errorf("SeaweedFS answers an anonymous GetObject under RestrictPublicBuckets %d: it may now enforce it", code)
		}
		if code := anonymousGet(s.env.ProxyURL); code != http.StatusOK {
			t.Errorf("through the proxy without the account's block: %d, want 200", code)
		}

		// S3 Control, before and after the account has a block.
		getAccountBlock := func() (int, []byte) {
			t.Helper()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.env.ProxyURL+s3proxy.AccountPublicAccessBlockPath, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Account-Id", DefaultAccount)
			resp, err := s.env.Anonymous.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, body
		}
		code, body := getAccountBlock()
		t.Logf("SeaweedFS answers S3 Control's GetPublicAccessBlock %d: %s", code, body)
		if code/100 == 2 {
			t.Errorf("SeaweedFS answered S3 Control's GetPublicAccessBlock %d: it may now have an S3 Control API", code)
		}

		s.layer.SetAccountPublicAccessBlock(&PublicAccessBlock{BlockPublicPolicy: true, RestrictPublicBuckets: true})
		code, body = getAccountBlock()
		var got publicAccessBlockXML
		if err := xml.Unmarshal(body, &got); code != http.StatusOK || err != nil || !got.BlockPublicPolicy || !got.RestrictPublicBuckets || got.BlockPublicAcls {
			t.Errorf("GetAccountPublicAccessBlock: %d %s (%v)", code, body, err)
		}
		if code := anonymousGet(s.env.ProxyURL); code != http.StatusForbidden {
			t.Errorf("anonymous GetObject under the account's RestrictPublicBuckets: %d, want 403", code)
		}
		if _, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key}); err != nil {
			t.Errorf("the owner's GetObject: %v", err)
		}
		_, err := s.client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(s.newBucket(t, ctx, "bpp-account")), Policy: aws.String(publicReadPolicy("x"))})
		layertest.ExpectCode(t, "a public PutBucketPolicy under the account's BlockPublicPolicy", err, "AccessDenied")
		s.layer.SetAccountPublicAccessBlock(nil)
		code, _ = getAccountBlock()
		if code != http.StatusNotFound {
			t.Errorf("GetAccountPublicAccessBlock without a block: %d, want 404", code)
		}
	})

	t.Run("Ownership", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "owner")
		getVersioning := func(c *s3.Client, owner string) error {
			_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket, ExpectedBucketOwner: &owner})
			return err
		}
		if err := getVersioning(direct, otherAccount); err != nil {
			t.Logf("SeaweedFS checks x-amz-expected-bucket-owner itself: %v", err)
		} else {
			t.Logf("SeaweedFS ignores x-amz-expected-bucket-owner")
		}
		s.layer.EnableOwnership()
		layertest.ExpectCode(t, "GetBucketVersioning expecting another owner", getVersioning(s.client, otherAccount), "AccessDenied")
		if err := getVersioning(s.client, DefaultAccount); err != nil {
			t.Errorf("GetBucketVersioning expecting the test account: %v", err)
		}

		s.layer.ForeignBucket("pm-aws-eu", Foreign{Region: "eu-west-1"})
		_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("pm-aws-eu")})
		if code, header := status(err); code != http.StatusMovedPermanently || header.Get("X-Amz-Bucket-Region") != "eu-west-1" {
			t.Errorf("HeadBucket on a bucket in eu-west-1: %v (status %d)", err, code)
		}
		_, err = s.client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("pm-aws-eu")})
		layertest.ExpectCode(t, "GetBucketVersioning on a bucket in eu-west-1", err, "PermanentRedirect")

		s.layer.ForeignBucket("pm-aws-shared", Foreign{Owner: otherAccount, Accessible: true})
		out, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("pm-aws-shared")})
		if err != nil || aws.ToString(out.BucketRegion) != DefaultRegion {
			t.Errorf("HeadBucket on a shared bucket that SeaweedFS does not have: %v", err)
		}
		s.layer.ForeignBucket("pm-aws-theirs", Foreign{Owner: otherAccount})
		_, err = s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("pm-aws-theirs")})
		if code, _ := status(err); code != http.StatusForbidden {
			t.Errorf("HeadBucket on another account's bucket: %v", err)
		}
		_, err = s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pm-aws-theirs")})
		layertest.ExpectCode(t, "CreateBucket of another account's bucket", err, "BucketAlreadyExists")
	})

	t.Run("SystemTags", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "tags")
		system := []types.Tag{{Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("media")}}
		app := types.Tag{Key: aws.String("app"), Value: aws.String("shop")}
		putTags := func(c *s3.Client, b string, tags ...types.Tag) error {
			_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &b, Tagging: &types.Tagging{TagSet: tags}})
			return err
		}
		tagsOf := func(c *s3.Client) map[string]string {
			t.Helper()
			out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &bucket})
			if err != nil {
				t.Fatalf("GetBucketTagging: %v", err)
			}
			m := make(map[string]string)
			for _, tg := range out.TagSet {
				m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			return m
		}
		// SeaweedFS stores aws: keys, so a tag set that keeps the system tags can be forwarded as sent.
		probe := s.newBucket(t, ctx, "tags-probe")
		if err := putTags(direct, probe, append(system, app)...); err != nil {
			t.Fatalf("SeaweedFS refuses aws: tag keys (%v): the layer cannot forward system tags", err)
		}

		s.layer.SetSystemTags(bucket, map[string]string{"aws:cloudformation:stack-name": "media"})
		if got := tagsOf(s.client); len(got) != 1 || got["aws:cloudformation:stack-name"] != "media" {
			t.Errorf("tags through the proxy %v, want the system tag alone", got)
		}
		layertest.ExpectCode(t, "PutBucketTagging without the system tags", putTags(s.client, bucket, app), "InvalidTag")
		layertest.ExpectCode(t, "PutBucketTagging adding an aws: key", putTags(s.client, bucket,
			append(system, types.Tag{Key: aws.String("aws:mine"), Value: aws.String("x")})...), "InvalidTag")
		_, err := direct.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &bucket})
		layertest.ExpectCode(t, "SeaweedFS's GetBucketTagging after refused puts", err, "NoSuchTagSet")
		if err := putTags(s.client, bucket, append(system, app)...); err != nil {
			t.Fatalf("PutBucketTagging keeping the system tags: %v", err)
		}
		if got := tagsOf(direct); len(got) != 2 || got["app"] != "shop" {
			t.Errorf("SeaweedFS's tags %v, want the system tag and app", got)
		}
		_, err = s.client.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: &bucket})
		layertest.ExpectCode(t, "DeleteBucketTagging with system tags", err, "InvalidTag")
		if got := tagsOf(direct); len(got) != 2 {
			t.Errorf("SeaweedFS's tags %v after a refused delete", got)
		}
	})

	t.Run("BucketNamespaces", func(t *testing.T) {
		suffix := func() string {
			b := make([]byte, 4)
			_, _ = rand.Read(b)
			return hex.EncodeToString(b)
		}
		create := func(c *s3.Client, bucket string, namespace types.BucketNamespace) error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), BucketNamespace: namespace})
			return err
		}
		// SeaweedFS ignores the header, and takes a name ending in -an without it: the layer's checks are
		// not duplicates.
		plain := "pm-aws-ns-" + suffix()
		if err := create(direct, plain, types.BucketNamespaceAccountRegional); err != nil {
			t.Errorf("SeaweedFS refuses x-amz-bucket-namespace with a name not of the account regional form (%v): it may now check it", err)
		}
		form := "pm-aws-ns-" + suffix() + "-" + DefaultAccount + "-" + DefaultRegion + "-an"
		if err := create(direct, form, ""); err != nil {
			t.Errorf("SeaweedFS refuses a name of the account regional form without the header (%v): it may now check it", err)
		}

		s.layer.EnforceBucketNamespaces(true)
		defer s.layer.EnforceBucketNamespaces(false)
		mine := "pm-aws-ns-" + suffix() + "-" + DefaultAccount + "-" + DefaultRegion + "-an"
		layertest.ExpectCode(t, "CreateBucket of an account regional name without the header", create(s.client, mine, ""), "MissingNamespaceHeader")
		layertest.ExpectCode(t, "CreateBucket in the account regional namespace without its suffix",
			create(s.client, "pm-aws-ns-"+suffix(), types.BucketNamespaceAccountRegional), "InvalidNamespaceHeader")
		if err := create(s.client, mine, types.BucketNamespaceAccountRegional); err != nil {
			t.Fatalf("CreateBucket in the account regional namespace: %v", err)
		}
		if got := s.layer.NamespaceOf(mine); got != NamespaceAccountRegional {
			t.Errorf("NamespaceOf = %q, want %q", got, NamespaceAccountRegional)
		}
		if _, err := direct.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(mine)}); err != nil {
			t.Errorf("SeaweedFS has no bucket %s after the create went through: %v", mine, err)
		}
	})

	t.Run("DefaultEncryption", func(t *testing.T) {
		s.layer.EnableDefaultEncryption()
		bucket := s.newBucket(t, ctx, "sse")
		_, err := direct.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &bucket})
		layertest.ExpectCode(t, "SeaweedFS's GetBucketEncryption of a new bucket", err, "ServerSideEncryptionConfigurationNotFoundError")
		rule := func(c *s3.Client) types.ServerSideEncryptionRule {
			t.Helper()
			out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &bucket})
			if err != nil || out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) != 1 {
				t.Fatalf("GetBucketEncryption: %v", err)
			}
			return out.ServerSideEncryptionConfiguration.Rules[0]
		}
		blocked := func(r types.ServerSideEncryptionRule) []types.EncryptionType {
			if r.BlockedEncryptionTypes == nil {
				return nil
			}
			return r.BlockedEncryptionTypes.EncryptionType
		}
		r := rule(s.client)
		if r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 ||
			aws.ToBool(r.BucketKeyEnabled) || r.BucketKeyEnabled == nil ||
			len(blocked(r)) != 1 || blocked(r)[0] != types.EncryptionTypeSseC {
			t.Errorf("a new bucket's encryption: %+v, blocked %v", r, blocked(r))
		}

		// SSE-C is blocked: the upload never reaches SeaweedFS.
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		sum := md5.Sum(key)
		_, err = s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("secret"), Body: strings.NewReader("x"),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(base64.StdEncoding.EncodeToString(key)),
			SSECustomerKeyMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:]))})
		layertest.ExpectCode(t, "PutObject with SSE-C where it is blocked", err, "AccessDenied")
		if _, err := direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("secret")}); err == nil {
			t.Error("the refused upload reached SeaweedFS")
		}

		// SeaweedFS takes BlockedEncryptionTypes without complaint and drops it; it keeps BucketKeyEnabled.
		if _, err := s.client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &bucket,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
				BlockedEncryptionTypes:             &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeNone}},
				BucketKeyEnabled:                   aws.Bool(true),
			}}}}); err != nil {
			t.Fatalf("PutBucketEncryption with BlockedEncryptionTypes: %v", err)
		}
		if r := rule(direct); blocked(r) != nil || !aws.ToBool(r.BucketKeyEnabled) {
			t.Errorf("SeaweedFS's encryption: blocked %v, bucket key %v; want none kept, true", blocked(r), aws.ToBool(r.BucketKeyEnabled))
		}
		if r := rule(s.client); len(blocked(r)) != 1 || blocked(r)[0] != types.EncryptionTypeNone || !aws.ToBool(r.BucketKeyEnabled) {
			t.Errorf("encryption through the proxy: blocked %v, bucket key %v; want NONE, true", blocked(r), aws.ToBool(r.BucketKeyEnabled))
		}

		// Delete: back to the default, also when SeaweedFS has nothing left to delete.
		for range 2 {
			if _, err := s.client.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: &bucket}); err != nil {
				t.Fatalf("DeleteBucketEncryption: %v", err)
			}
		}
		if r := rule(s.client); len(blocked(r)) != 1 || blocked(r)[0] != types.EncryptionTypeSseC || aws.ToBool(r.BucketKeyEnabled) {
			t.Errorf("encryption after delete: blocked %v, bucket key %v", blocked(r), aws.ToBool(r.BucketKeyEnabled))
		}
	})

	t.Run("ArchivedVersions", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "archive")
		if _, err := s.client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		var versions []string
		for _, content := range []string{"first", "second"} {
			out, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("a.jpg"), Body: strings.NewReader(content)})
			if err != nil {
				t.Fatal(err)
			}
			versions = append(versions, aws.ToString(out.VersionId))
		}
		list := func(c *s3.Client) map[string]types.ObjectVersion {
			t.Helper()
			out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket,
				OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus}})
			if err != nil {
				t.Fatalf("ListObjectVersions: %v", err)
			}
			m := make(map[string]types.ObjectVersion)
			for _, v := range out.Versions {
				m[aws.ToString(v.VersionId)] = v
			}
			return m
		}
		for id, v := range list(direct) {
			if v.StorageClass != types.ObjectVersionStorageClassStandard || v.RestoreStatus != nil {
				t.Errorf("SeaweedFS lists version %s as %s with RestoreStatus %v", id, v.StorageClass, v.RestoreStatus)
			}
		}

		until := s.clock.Now().Add(24 * time.Hour).Truncate(time.Millisecond)
		s.layer.Archive(bucket, "a.jpg", versions[0], Archived{StorageClass: Glacier, RestoredUntil: until})
		s.layer.Archive(bucket, "a.jpg", "", Archived{StorageClass: DeepArchive})
		got := list(s.client)
		if v := got[versions[0]]; v.StorageClass != "GLACIER" || v.RestoreStatus == nil || aws.ToBool(v.RestoreStatus.IsRestoreInProgress) ||
			!aws.ToTime(v.RestoreStatus.RestoreExpiryDate).Equal(until) {
			t.Errorf("the restored version: %s, %+v", v.StorageClass, v.RestoreStatus)
		}
		if v := got[versions[1]]; v.StorageClass != "DEEP_ARCHIVE" || v.RestoreStatus != nil {
			t.Errorf("the current version: %s, %+v", v.StorageClass, v.RestoreStatus)
		}

		copyFrom := func(source string) error {
			_, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("copy.jpg"), CopySource: &source})
			return err
		}
		layertest.ExpectCode(t, "CopyObject of the archived current version", copyFrom(bucket+"/a.jpg"), "InvalidObjectState")
		if _, err := direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("copy.jpg")}); err == nil {
			t.Error("the refused copy reached SeaweedFS")
		}
		if err := copyFrom(bucket + "/a.jpg?versionId=" + versions[0]); err != nil {
			t.Errorf("CopyObject of the restored version: %v", err)
		}
	})

	t.Run("LifecycleTransitions", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "lifecycle")
		rule := types.LifecycleRule{
			ID: aws.String("protectedmedia"), Status: types.ExpirationStatusEnabled,
			Filter:                      &types.LifecycleRuleFilter{Prefix: aws.String("")},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(400)},
			Expiration:                  &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
			NoncurrentVersionTransitions: []types.NoncurrentVersionTransition{
				{NoncurrentDays: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa},
				{NoncurrentDays: aws.Int32(90), StorageClass: types.TransitionStorageClassGlacierIr},
			},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
		}
		put := func(c *s3.Client, b string, rules ...types.LifecycleRule) error {
			_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: &b,
				LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
			return err
		}
		get := func(c *s3.Client) ([]types.LifecycleRule, error) {
			out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
			if err != nil {
				return nil, err
			}
			return out.Rules, nil
		}

		// SeaweedFS refuses a transition: the layer's answer is not a duplicate.
		err := put(direct, bucket, rule)
		if code, _ := status(err); code != http.StatusNotImplemented {
			t.Errorf("SeaweedFS answers a noncurrent version transition %d (%v), want 501: it may now implement transitions", code, err)
		}
		layertest.ExpectCode(t, "SeaweedFS's PutBucketLifecycleConfiguration with a transition", err, "NotImplemented")

		s.layer.StoreLifecycleTransitions()
		if err := put(s.client, bucket, rule); err != nil {
			t.Fatalf("PutBucketLifecycleConfiguration with transitions through the proxy: %v", err)
		}
		rules, err := get(s.client)
		if err != nil || len(rules) != 1 || aws.ToString(rules[0].ID) != "protectedmedia" || len(rules[0].NoncurrentVersionTransitions) != 2 ||
			rules[0].NoncurrentVersionTransitions[1].StorageClass != types.TransitionStorageClassGlacierIr ||
			aws.ToInt32(rules[0].NoncurrentVersionTransitions[1].NoncurrentDays) != 90 || aws.ToInt32(rules[0].NoncurrentVersionExpiration.NoncurrentDays) != 400 {
			t.Errorf("GetBucketLifecycleConfiguration through the proxy: %+v (%v)", rules, err)
		}
		_, err = get(direct)
		layertest.ExpectCode(t, "SeaweedFS's GetBucketLifecycleConfiguration after a kept put", err, "NoSuchLifecycleConfiguration")

		// Checked here, or by SeaweedFS: the caller and the bucket are still its to judge.
		tooSoon := rule
		tooSoon.NoncurrentVersionTransitions = []types.NoncurrentVersionTransition{{NoncurrentDays: aws.Int32(10), StorageClass: types.TransitionStorageClassStandardIa}}
		layertest.ExpectCode(t, "a transition to STANDARD_IA after 10 days", put(s.client, bucket, tooSoon), "InvalidArgument")
		layertest.ExpectCode(t, "a transition in a bucket that does not exist", put(s.client, bucket+"-gone", rule), "NoSuchBucket")
		if !s.layer.HoldsLifecycle(bucket) {
			t.Error("a refused put dropped the kept configuration")
		}

		// Without transitions, SeaweedFS has the configuration again.
		plain := rule
		plain.NoncurrentVersionTransitions = nil
		if err := put(s.client, bucket, plain); err != nil {
			t.Fatalf("PutBucketLifecycleConfiguration without transitions: %v", err)
		}
		for name, c := range map[string]*s3.Client{"SeaweedFS": direct, "the proxy": s.client} {
			if rules, err := get(c); err != nil || len(rules) != 1 || len(rules[0].NoncurrentVersionTransitions) != 0 {
				t.Errorf("GetBucketLifecycleConfiguration from %s: %+v (%v), want the rule without transitions", name, rules, err)
			}
		}

		// Kept again, then deleted: SeaweedFS deletes the one it had.
		if err := put(s.client, bucket, rule); err != nil {
			t.Fatal(err)
		}
		if _, err := s.client.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: &bucket}); err != nil {
			t.Fatalf("DeleteBucketLifecycle: %v", err)
		}
		_, err = get(s.client)
		layertest.ExpectCode(t, "GetBucketLifecycleConfiguration after DeleteBucketLifecycle", err, "NoSuchLifecycleConfiguration")
		if _, err := direct.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: &bucket}); err != nil {
			t.Errorf("SeaweedFS's DeleteBucketLifecycle of a bucket without a configuration: %v; the layer answers 204 for it only where it kept one", err)
		}
	})

	t.Run("Replication", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "repl")
		replica := s.newBucket(t, ctx, "replica")
		cfg := &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::" + DefaultAccount + ":role/pm-replication"), Rules: []types.ReplicationRule{{
			ID: aws.String("protectedmedia-media-replica"), Priority: aws.Int32(1), Status: types.ReplicationRuleStatusEnabled,
			Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
			DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
			Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::" + replica)},
		}}}
		put := func(c *s3.Client, b string) error {
			_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: &b, ReplicationConfiguration: cfg})
			return err
		}
		get := func(c *s3.Client, b string) (*types.ReplicationConfiguration, error) {
			out, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: &b})
			if err != nil {
				return nil, err
			}
			return out.ReplicationConfiguration, nil
		}
		del := func(c *s3.Client, b string) error {
			_, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: &b})
			return err
		}
		enable := func(b string) {
			t.Helper()
			if _, err := s.client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &b,
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
				t.Fatal(err)
			}
		}

		// SeaweedFS has no replication: it answers the get as for a bucket without a configuration, and the put
		// and the delete as not implemented, even for a bucket that does not exist.
		_, err := get(direct, bucket)
		layertest.ExpectCode(t, "SeaweedFS's GetBucketReplication", err, "ReplicationConfigurationNotFoundError")
		_, err = get(direct, bucket+"-gone")
		layertest.ExpectCode(t, "SeaweedFS's GetBucketReplication of a bucket that does not exist", err, "NoSuchBucket")
		for name, err := range map[string]error{"PutBucketReplication": put(direct, bucket), "DeleteBucketReplication": del(direct, bucket),
			"PutBucketReplication of a bucket that does not exist": put(direct, bucket+"-gone")} {
			if code, _ := status(err); code != http.StatusNotImplemented {
				t.Errorf("SeaweedFS answers %s %d (%v), want 501: it may now implement replication", name, code, err)
			}
			layertest.ExpectCode(t, "SeaweedFS's "+name, err, "NotImplemented")
		}

		s.layer.StoreReplication()
		defer func() {
			// Off again is not possible; leave nothing kept behind for the subtests after this one.
			_ = del(s.client, bucket)
		}()
		layertest.ExpectCode(t, "PutBucketReplication on a bucket never versioned", put(s.client, bucket), "InvalidRequest")
		enable(bucket)
		layertest.ExpectCode(t, "PutBucketReplication into a replica never versioned", put(s.client, bucket), "InvalidRequest")
		enable(replica)
		if err := put(s.client, bucket); err != nil {
			t.Fatalf("PutBucketReplication through the proxy: %v", err)
		}
		got, err := get(s.client, bucket)
		if err != nil || aws.ToString(got.Role) != aws.ToString(cfg.Role) || len(got.Rules) != 1 ||
			aws.ToString(got.Rules[0].Destination.Bucket) != "arn:aws:s3:::"+replica || got.Rules[0].DeleteMarkerReplication == nil ||
			got.Rules[0].DeleteMarkerReplication.Status != types.DeleteMarkerReplicationStatusDisabled {
			t.Errorf("GetBucketReplication through the proxy: %+v (%v)", got, err)
		}
		_, err = get(direct, bucket)
		layertest.ExpectCode(t, "SeaweedFS's GetBucketReplication after a kept put", err, "ReplicationConfigurationNotFoundError")
		_, err = get(s.client, bucket+"-gone")
		layertest.ExpectCode(t, "GetBucketReplication of a bucket that does not exist, through the proxy", err, "NoSuchBucket")

		if err := del(s.client, bucket); err != nil {
			t.Fatalf("DeleteBucketReplication through the proxy: %v", err)
		}
		_, err = get(s.client, bucket)
		layertest.ExpectCode(t, "GetBucketReplication after DeleteBucketReplication", err, "ReplicationConfigurationNotFoundError")
	})

	// Last: the behaviour stays on for the rest of the test.
	t.Run("CORS", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "cors")
		key := "admin/css/base.css"
		if _, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("body{}")}); err != nil {
			t.Fatal(err)
		}
		// Served to everyone, as a static bucket is; set behind the layer's back.
		if _, err := direct.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(publicReadPolicy(bucket))}); err != nil {
			t.Fatal(err)
		}
		const origin, other = "https://shop.example", "https://evil.example"
		// cross sends an unsigned request with the headers given as name, value pairs.
		cross := func(endpoint, method, target string, kv ...string) (int, http.Header) {
			t.Helper()
			req, err := http.NewRequestWithContext(ctx, method, endpoint+target, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i+1 < len(kv); i += 2 {
				req.Header.Set(kv[i], kv[i+1])
			}
			resp, err := s.env.Anonymous.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			return resp.StatusCode, resp.Header
		}
		object := "/" + bucket + "/" + key
		preflight := func(endpoint, from string) (int, http.Header) {
			t.Helper()
			return cross(endpoint, http.MethodOptions, object, "Origin", from, "Access-Control-Request-Method", http.MethodGet)
		}
		get := func(endpoint, from string) (int, http.Header) {
			t.Helper()
			return cross(endpoint, http.MethodGet, object, "Origin", from)
		}

		// SeaweedFS grants every origin on a bucket without a configuration: the layer's answers are not
		// duplicates.
		if code, h := preflight(s.env.Server.Endpoint, other); code != http.StatusOK || h.Get("Access-Control-Allow-Origin") == "" {
			t.Errorf("SeaweedFS answers a preflight on a bucket without CORS %d, %v: it may now refuse it", code, h)
		}
		if code, h := get(s.env.Server.Endpoint, other); code != http.StatusOK || h.Get("Access-Control-Allow-Origin") == "" {
			t.Errorf("SeaweedFS answers a GET with an Origin on a bucket without CORS %d, %v: it may now leave CORS out", code, h)
		}

		s.layer.EnableCORS()
		if code, h := preflight(s.env.ProxyURL, origin); code != http.StatusForbidden || h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight without a configuration: %d, %v; want 403 without CORS headers", code, h)
		}
		if code, h := get(s.env.ProxyURL, origin); code != http.StatusOK || h.Get("Access-Control-Allow-Origin") != "" || h.Get("Vary") != "" {
			t.Errorf("GET without a configuration: %d, %v; want 200 without CORS headers", code, h)
		}

		rule := types.CORSRule{ID: aws.String("static"), AllowedOrigins: []string{origin}, AllowedMethods: []string{"GET", "HEAD"},
			AllowedHeaders: []string{"x-amz-*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)}
		if _, err := s.client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: &bucket,
			CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{rule}}}); err != nil {
			t.Fatalf("PutBucketCors: %v", err)
		}
		// SeaweedFS stores the configuration and GetBucketCors returns it, so the layer forwards it.
		for name, c := range map[string]*s3.Client{"SeaweedFS": direct, "the proxy": s.client} {
			out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: &bucket})
			if err != nil || len(out.CORSRules) != 1 {
				t.Fatalf("GetBucketCors from %s: %v", name, err)
			}
			got := out.CORSRules[0]
			if aws.ToString(got.ID) != "static" || !slices.Equal(got.AllowedOrigins, rule.AllowedOrigins) ||
				!slices.Equal(got.AllowedMethods, rule.AllowedMethods) || !slices.Equal(got.AllowedHeaders, rule.AllowedHeaders) ||
				!slices.Equal(got.ExposeHeaders, rule.ExposeHeaders) || aws.ToInt32(got.MaxAgeSeconds) != 600 {
				t.Errorf("GetBucketCors from %s: %+v, want %+v", name, got, rule)
			}
		}
		if rules := s.layer.CORSRules(bucket); len(rules) != 1 || rules[0].ID != "static" || !slices.Equal(rules[0].AllowedHeaders, rule.AllowedHeaders) ||
			rules[0].MaxAgeSeconds == nil || *rules[0].MaxAgeSeconds != 600 {
			t.Errorf("CORSRules %+v, want the rule put", rules)
		}

		code, h := preflight(s.env.ProxyURL, origin)
		if code != http.StatusOK || h.Get("Access-Control-Allow-Origin") != origin || h.Get("Access-Control-Allow-Methods") != "GET, HEAD" ||
			h.Get("Access-Control-Max-Age") != "600" || h.Get("Access-Control-Expose-Headers") != "ETag" {
			t.Errorf("preflight from the rule's origin: %d, %v", code, h)
		}
		if code, h := preflight(s.env.ProxyURL, other); code != http.StatusForbidden || h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from another origin: %d, %v; want 403 without CORS headers", code, h)
		}
		if code, h := get(s.env.ProxyURL, origin); code != http.StatusOK || h.Get("Access-Control-Allow-Origin") != origin || h.Get("Access-Control-Expose-Headers") != "ETag" {
			t.Errorf("GET from the rule's origin: %d, %v", code, h)
		}
		if code, h := get(s.env.ProxyURL, other); code != http.StatusOK || h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET from another origin: %d, %v; want 200 without CORS headers", code, h)
		}
		code, h = get(s.env.Server.Endpoint, origin)
		t.Logf("SeaweedFS answers a GET from the rule's origin %d with %v", code, h)

		if _, err := s.client.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: &bucket}); err != nil {
			t.Fatalf("DeleteBucketCors: %v", err)
		}
		_, err := direct.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: &bucket})
		layertest.ExpectCode(t, "SeaweedFS's GetBucketCors after DeleteBucketCors", err, "NoSuchCORSConfiguration")
		if code, _ := preflight(s.env.ProxyURL, origin); code != http.StatusForbidden {
			t.Errorf("preflight after DeleteBucketCors: %d, want 403", code)
		}
	})
}
