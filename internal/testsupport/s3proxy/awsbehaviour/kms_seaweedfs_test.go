package awsbehaviour

// SSE-KMS on a real SeaweedFS with the fake KMS (testenv.Options.KMS), driven by the AWS SDK: first what
// SeaweedFS itself does (kms.go's comment relies on it), then what a client of the proxy sees with object
// encryption headers on.

import (
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakeclock"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakekms"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/testenv"
)

// startSeaweedWithKMS is startSeaweed with the fake KMS, and object encryption headers on.
func startSeaweedWithKMS(t *testing.T, ctx context.Context) *seaweed {
	t.Helper()
	if os.Getenv(testenv.WeedEnv) == "" {
		t.Skip(testenv.WeedEnv + " is not set; set it to a weed binary (scripts/ensure-seaweedfs.sh prints one) to run this test")
	}
	s := &seaweed{clock: fakeclock.New(time.Now())}
	s.layer = New(Options{Now: s.clock.Now})
	s.layer.ReportObjectEncryption()
	env, err := testenv.StartWith(ctx, testenv.Options{KMS: true, ProxyOptions: []s3proxy.Option{s3proxy.WithSemantics(s.layer.Semantics())}})
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

// encryptionOfObject is what an answer says of an object's encryption.
type encryptionOfObject struct {
	SSE       types.ServerSideEncryption
	Key       string
	BucketKey bool
}

func TestSSEKMSWithSeaweedFS(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), seaweedTimeout)
	defer cancel()
	s := startSeaweedWithKMS(t, ctx)
	direct, proxy, kms := s.env.Direct, s.client, s.env.KMS
	kms.AddKey(testKMSKey)
	bucket := s.newBucket(t, ctx, "kms")
	if _, err := proxy.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put := func(c *s3.Client, key, content string) (*s3.PutObjectOutput, encryptionOfObject) {
		t.Helper()
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(content)})
		if err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
		return out, encryptionOfObject{out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled)}
	}
	head := func(c *s3.Client, key string) encryptionOfObject {
		t.Helper()
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			t.Fatalf("HeadObject %s: %v", key, err)
		}
		return encryptionOfObject{out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled)}
	}
	get := func(c *s3.Client, key string) (string, encryptionOfObject) {
		t.Helper()
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			t.Fatalf("GetObject %s: %v", key, err)
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), encryptionOfObject{out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled)}
	}
	copyVersion := func(c *s3.Client, key, versionID string) encryptionOfObject {
		t.Helper()
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &bucket, Key: &key, CopySource: aws.String(bucket + "/" + key + "?versionId=" + versionID)})
		if err != nil {
			t.Fatalf("CopyObject %s: %v", key, err)
		}
		return encryptionOfObject{out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled)}
	}
	kmsWithBucketKey := encryptionOfObject{types.ServerSideEncryptionAwsKms, testKMSKey, true}
	kmsWithoutBucketKey := encryptionOfObject{types.ServerSideEncryptionAwsKms, testKMSKey, false}

	// Versions written before the bucket had a KMS default, to copy back later as a restore does.
	old, _ := put(proxy, "old.jpg", "before the key")
	put(proxy, "old.jpg", "overwritten")

	if _, err := proxy.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &bucket,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(testKMSKey)},
			BucketKeyEnabled:                   aws.Bool(true),
		}}}}); err != nil {
		t.Fatalf("PutBucketEncryption: %v", err)
	}
	// SeaweedFS keeps and reports the default as AWS does: the layer need not answer for it.
	got, err := s3api.FindEncryption(ctx, direct, bucket)
	if err != nil || got.Algorithm != "aws:kms" || got.KMSKey != testKMSKey || !got.BucketKey {
		t.Errorf("SeaweedFS's default encryption: %+v, %v", got, err)
	}

	// PutObject: SeaweedFS encrypts under the key, with the bucket's encryption context, and reports the key
	// but not the bucket key.
	calls := len(kms.Calls())
	if _, e := put(direct, "direct.jpg", "straight to SeaweedFS"); e != kmsWithoutBucketKey {
		t.Errorf("SeaweedFS's PutObject answer: %+v, want %+v (if it reports the bucket key now, the layer's may duplicate it)", e, kmsWithoutBucketKey)
	}
	wantContext := map[string]string{"aws:s3:arn": "arn:aws:s3:::" + bucket}
	if c := kms.Calls()[calls:]; len(c) != 1 || c[0].Operation != fakekms.OpGenerateDataKey || c[0].KeyARN != testKMSKey || !maps.Equal(c[0].Context, wantContext) {
		t.Errorf("KMS calls of one PutObject: %+v, want one GenerateDataKey under %s with context %v", c, testKMSKey, wantContext)
	}
	if e := head(direct, "direct.jpg"); e != kmsWithoutBucketKey {
		t.Errorf("SeaweedFS's HeadObject answer: %+v", e)
	}

	// Through the proxy: the bucket key too, on the write and on every read of that version.
	if _, e := put(proxy, "a.jpg", "hello"); e != kmsWithBucketKey {
		t.Errorf("PutObject through the proxy: %+v, want %+v", e, kmsWithBucketKey)
	}
	if e := head(proxy, "a.jpg"); e != kmsWithBucketKey {
		t.Errorf("HeadObject through the proxy: %+v, want %+v", e, kmsWithBucketKey)
	}
	if body, e := get(proxy, "a.jpg"); body != "hello" || e != kmsWithBucketKey {
		t.Errorf("GetObject through the proxy: %q %+v", body, e)
	}

	// A copy of an old version, as a restore makes it: SeaweedFS encrypts it under the bucket's key but says
	// nothing of it in its answer; through the proxy the answer says what AWS's would.
	if e := copyVersion(direct, "old.jpg", aws.ToString(old.VersionId)); e != (encryptionOfObject{}) {
		t.Errorf("SeaweedFS's CopyObject answer: %+v, want no encryption headers (the layer would override nothing)", e)
	}
	if e := copyVersion(proxy, "old.jpg", aws.ToString(old.VersionId)); e != kmsWithBucketKey {
		t.Errorf("CopyObject through the proxy: %+v, want %+v", e, kmsWithBucketKey)
	}
	if body, e := get(proxy, "old.jpg"); body != "before the key" || e != kmsWithBucketKey {
		t.Errorf("the copy: %q %+v, want the old content under the key", body, e)
	}
	if e := head(direct, "old.jpg"); e != kmsWithBucketKey {
		t.Errorf("SeaweedFS's HeadObject of the copy: %+v, want %+v", e, kmsWithBucketKey)
	}

	// A multipart upload: SeaweedFS reports nothing on create and complete; the proxy the upload's encryption.
	up, err := proxy.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("big.mp4")})
	if err != nil {
		t.Fatal(err)
	}
	if e := (encryptionOfObject{up.ServerSideEncryption, aws.ToString(up.SSEKMSKeyId), aws.ToBool(up.BucketKeyEnabled)}); e != kmsWithBucketKey {
		t.Errorf("CreateMultipartUpload through the proxy: %+v", e)
	}
	part, err := proxy.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("big.mp4"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("one part")})
	if err != nil {
		t.Fatal(err)
	}
	done, err := proxy.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("big.mp4"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if e := (encryptionOfObject{done.ServerSideEncryption, aws.ToString(done.SSEKMSKeyId), aws.ToBool(done.BucketKeyEnabled)}); e != kmsWithBucketKey {
		t.Errorf("CompleteMultipartUpload through the proxy: %+v", e)
	}
	if body, e := get(proxy, "big.mp4"); body != "one part" || e != kmsWithBucketKey {
		t.Errorf("the multipart object: %q %+v", body, e)
	}

	// Every data key came from the bucket's key.
	for _, c := range kms.Calls() {
		if c.Err == "" && c.KeyARN != testKMSKey {
			t.Errorf("a KMS call under another key: %+v", c)
		}
	}
}

// Without a KMS provider SeaweedFS keeps an aws:kms default but cannot write a single object under it: the
// reason tests that write objects under a key start the server with the fake KMS.
func TestSSEKMSWithoutAKMSProvider(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), seaweedTimeout)
	defer cancel()
	s := startSeaweed(t, ctx)
	bucket := s.newBucket(t, ctx, "nokms")
	if _, err := s.env.Direct.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &bucket,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(testKMSKey)},
			BucketKeyEnabled:                   aws.Bool(true),
		}}}}); err != nil {
		t.Fatalf("PutBucketEncryption: %v", err)
	}
	if got, err := s3api.FindEncryption(ctx, s.env.Direct, bucket); err != nil || got.KMSKey != testKMSKey || !got.BucketKey {
		t.Errorf("the default: %+v, %v", got, err)
	}
	_, err := s.env.Direct.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("a.jpg"), Body: strings.NewReader("x")},
		func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	layertest.ExpectCode(t, "PutObject under an aws:kms default without a KMS provider", err, "InternalError")
	if st, _ := status(err); st != http.StatusInternalServerError {
		t.Errorf("PutObject under an aws:kms default without a KMS provider answered %d, want 500", st)
	}
}
