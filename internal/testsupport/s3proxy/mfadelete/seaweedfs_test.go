package mfadelete

// The layer in front of a real SeaweedFS, driven by the AWS SDK as the provider drives it.

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// weedEnv names the SeaweedFS binary, as for the provider's acceptance tests.
const weedEnv = "PROTECTEDMEDIA_WEED"

// seaweedTimeout bounds the whole test: a cold start takes seconds, each request milliseconds.
const seaweedTimeout = 3 * time.Minute

// seaweed is SeaweedFS with the layer in front, and SDK clients for both.
type seaweed struct {
	layer  *Layer
	client *s3.Client // through the proxy
	direct *s3.Client // to SeaweedFS itself, to check what really changed
}

func startSeaweed(t *testing.T, ctx context.Context) *seaweed {
	t.Helper()
	bin := os.Getenv(weedEnv)
	if bin == "" {
		t.Skip(weedEnv + " is not set; set it to a weed binary (scripts/ensure-seaweedfs.sh prints one) to run this test")
	}
	srv, err := locals3.Start(ctx, locals3.Options{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Error(err)
		}
	})

	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	layer := New(testSerial, testSecret, nil)
	proxy := s3proxy.New(target, &http.Transport{TLSClientConfig: srv.TLSConfig()}, s3proxy.WithSemantics(layer.Semantics()))
	t.Cleanup(proxy.CloseIdleConnections)
	cert, err := srv.IssueCert("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: proxy, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		// Serve returns http.ErrServerClosed at cleanup; a listener failure shows up as failed requests.
		_ = hs.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}()
	t.Cleanup(func() { hs.Close() })

	t.Setenv("AWS_CA_BUNDLE", srv.CAFile)
	t.Setenv("AWS_REGION", locals3.Region)
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"} {
		t.Setenv(k, "")
	}
	client := func(endpoint string) *s3.Client {
		c, err := s3api.New(ctx, s3api.Config{SkipBucketOwnerCheck: true, Endpoint: endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
		if err != nil {
			t.Fatal(err)
		}
		return c.S3
	}
	return &seaweed{layer: layer, client: client("https://" + ln.Addr().String()), direct: client(srv.Endpoint)}
}

// mfa is a valid x-amz-mfa value now.
func mfa() *string { return aws.String(testSerial + " " + Code(testSecret, time.Now())) }

// wrongMFA has the right serial and a code that is not valid now (nor a step either side).
func wrongMFA() *string {
	return aws.String(testSerial + " " + Code(testSecret, time.Now().Add(-time.Hour)))
}

// newBucket creates a bucket with versioning enabled, without MFA Delete.
func (s *seaweed) newBucket(t *testing.T, ctx context.Context, role string) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "pm-mfa-" + role + "-" + hex.EncodeToString(b)
	if _, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	s.putVersioning(t, ctx, name, types.BucketVersioningStatusEnabled, "", nil)
	return name
}

func (s *seaweed) putVersioning(t *testing.T, ctx context.Context, bucket string, status types.BucketVersioningStatus, mfaDelete types.MFADelete, mfa *string) {
	t.Helper()
	if err := s.tryPutVersioning(ctx, bucket, status, mfaDelete, mfa); err != nil {
		t.Fatalf("PutBucketVersioning %s (%s, MfaDelete %q): %v", bucket, status, mfaDelete, err)
	}
}

func (s *seaweed) tryPutVersioning(ctx context.Context, bucket string, status types.BucketVersioningStatus, mfaDelete types.MFADelete, mfa *string) error {
	_, err := s.client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  &bucket,
		MFA:                     mfa,
		VersioningConfiguration: &types.VersioningConfiguration{Status: status, MFADelete: mfaDelete},
	})
	return err
}

func (s *seaweed) enableMFADelete(t *testing.T, ctx context.Context, bucket string) {
	t.Helper()
	s.putVersioning(t, ctx, bucket, types.BucketVersioningStatusEnabled, types.MFADeleteEnabled, mfa())
}

// putObject writes key and returns the new version's ID.
func (s *seaweed) putObject(t *testing.T, ctx context.Context, bucket, key string) string {
	t.Helper()
	out, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("content of " + key)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	if aws.ToString(out.VersionId) == "" {
		t.Fatalf("PutObject %s/%s: no version ID; is versioning enabled?", bucket, key)
	}
	return *out.VersionId
}

func TestWithSeaweedFS(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), seaweedTimeout)
	defer cancel()
	s := startSeaweed(t, ctx)

	t.Run("EnableWithValidCode", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "enable")
		before, err := s.client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		if before.MFADelete != "" {
			t.Errorf("MFADelete %q before it was ever configured, want it absent", before.MFADelete)
		}
		s.enableMFADelete(t, ctx, bucket)
		got, err := s.client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		if got.MFADelete != types.MFADeleteStatusEnabled || got.Status != types.BucketVersioningStatusEnabled {
			t.Errorf("GetBucketVersioning: Status %q MFADelete %q, want Enabled, Enabled", got.Status, got.MFADelete)
		}

		// Disabling needs the code too, and is then reported.
		err = s.tryPutVersioning(ctx, bucket, types.BucketVersioningStatusEnabled, types.MFADeleteDisabled, nil)
		layertest.ExpectCode(t, "disabling MFA Delete without a code", err, "AccessDenied")
		s.putVersioning(t, ctx, bucket, types.BucketVersioningStatusEnabled, types.MFADeleteDisabled, mfa())
		got, err = s.client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		if got.MFADelete != types.MFADeleteStatusDisabled {
			t.Errorf("MFADelete %q after disabling, want Disabled", got.MFADelete)
		}
	})

	t.Run("EnableRefused", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "refused")
		refusedBefore := s.layer.Refusals()
		// Each refused request would also suspend versioning, had it reached SeaweedFS.
		for _, tc := range []struct {
			name string
			mfa  *string
			code string
		}{
			{"without a code", nil, "AccessDenied"},
			{"with a wrong code", wrongMFA(), "AccessDenied"},
			{"with a wrong serial", aws.String("arn:aws:iam::123456789012:mfa/other " + Code(testSecret, time.Now())), "AccessDenied"},
			{"with a malformed header", aws.String(Code(testSecret, time.Now())), "InvalidArgument"},
		} {
			err := s.tryPutVersioning(ctx, bucket, types.BucketVersioningStatusSuspended, types.MFADeleteEnabled, tc.mfa)
			layertest.ExpectCode(t, "enabling MFA Delete "+tc.name, err, tc.code)
		}
		if n := s.layer.Refusals() - refusedBefore; n != 4 {
			t.Errorf("Refusals grew by %d, want 4", n)
		}
		if s.layer.Enabled(bucket) {
			t.Error("the layer enabled MFA Delete on a refused request")
		}
		got, err := s.direct.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != types.BucketVersioningStatusEnabled {
			t.Errorf("SeaweedFS versioning %q, want Enabled: a refused request reached it", got.Status)
		}
		got, err = s.client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		if got.MFADelete != "" {
			t.Errorf("MFADelete %q after refused requests, want it absent", got.MFADelete)
		}
	})

	t.Run("DeleteObjectVersion", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "delete")
		version := s.putObject(t, ctx, bucket, "media/a.jpg")
		s.enableMFADelete(t, ctx, bucket)

		del := func(mfa *string) error {
			_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("media/a.jpg"), VersionId: &version, MFA: mfa})
			return err
		}
		layertest.ExpectCode(t, "DeleteObject with VersionId without a code", del(nil), "AccessDenied")
		layertest.ExpectCode(t, "DeleteObject with VersionId with a wrong code", del(wrongMFA()), "AccessDenied")
		if !layertest.HasVersion(t, ctx, s.direct, bucket, "media/a.jpg", version) {
			t.Fatal("the version is gone after refused deletes")
		}
		if err := del(mfa()); err != nil {
			t.Fatalf("DeleteObject with VersionId and a valid code: %v", err)
		}
		if layertest.HasVersion(t, ctx, s.direct, bucket, "media/a.jpg", version) {
			t.Error("the version still exists after an allowed delete")
		}

		// A delete marker needs no code.
		s.putObject(t, ctx, bucket, "media/b.jpg")
		out, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("media/b.jpg")})
		if err != nil {
			t.Fatalf("DeleteObject without VersionId: %v", err)
		}
		if !aws.ToBool(out.DeleteMarker) {
			t.Error("DeleteObject without VersionId did not lay a delete marker")
		}
	})

	t.Run("DeleteObjectsWithVersions", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "batch")
		v1 := s.putObject(t, ctx, bucket, "a")
		v2 := s.putObject(t, ctx, bucket, "b")
		s.enableMFADelete(t, ctx, bucket)

		del := func(mfa *string) (*s3.DeleteObjectsOutput, error) {
			return s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, MFA: mfa, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
				{Key: aws.String("a"), VersionId: &v1},
				{Key: aws.String("b"), VersionId: &v2},
			}}})
		}
		_, err := del(nil)
		layertest.ExpectCode(t, "DeleteObjects with versions without a code", err, "AccessDenied")
		if !layertest.HasVersion(t, ctx, s.direct, bucket, "a", v1) || !layertest.HasVersion(t, ctx, s.direct, bucket, "b", v2) {
			t.Fatal("versions gone after a refused DeleteObjects")
		}
		out, err := del(mfa())
		if err != nil {
			t.Fatalf("DeleteObjects with versions and a valid code: %v", err)
		}
		if len(out.Deleted) != 2 || len(out.Errors) != 0 {
			t.Errorf("DeleteObjects: %d deleted, %d errors; want 2, 0", len(out.Deleted), len(out.Errors))
		}
		if layertest.HasVersion(t, ctx, s.direct, bucket, "a", v1) || layertest.HasVersion(t, ctx, s.direct, bucket, "b", v2) {
			t.Error("versions still exist after an allowed DeleteObjects")
		}

		// Without versions: delete markers only, no code.
		s.putObject(t, ctx, bucket, "c")
		if _, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("c")}}}}); err != nil {
			t.Errorf("DeleteObjects without versions: %v", err)
		}
	})

	t.Run("Lifecycle", func(t *testing.T) {
		lifecycle := &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID:         aws.String("expire-tmp"),
			Status:     types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)},
		}}}
		putLifecycle := func(bucket string) error {
			_, err := s.client.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: &bucket, LifecycleConfiguration: lifecycle})
			return err
		}

		mfaBucket := s.newBucket(t, ctx, "lc-mfa")
		s.enableMFADelete(t, ctx, mfaBucket)
		layertest.ExpectCode(t, "PutBucketLifecycleConfiguration on an MFA Delete bucket", putLifecycle(mfaBucket), "InvalidBucketState")
		if _, err := s.direct.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &mfaBucket}); err == nil {
			t.Error("SeaweedFS has a lifecycle configuration: the refused request reached it")
		}

		lcBucket := s.newBucket(t, ctx, "lc")
		if err := putLifecycle(lcBucket); err != nil {
			t.Fatalf("PutBucketLifecycleConfiguration: %v", err)
		}
		// SeaweedFS does report a lifecycle configuration it has, so the check above means something.
		if _, err := s.direct.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &lcBucket}); err != nil {
			t.Errorf("GetBucketLifecycleConfiguration after a successful put: %v", err)
		}
		err := s.tryPutVersioning(ctx, lcBucket, types.BucketVersioningStatusEnabled, types.MFADeleteEnabled, mfa())
		layertest.ExpectCode(t, "enabling MFA Delete on a bucket with a lifecycle configuration", err, "InvalidBucketState")
		if _, err := s.client.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: &lcBucket}); err != nil {
			t.Fatalf("DeleteBucketLifecycle: %v", err)
		}
		s.enableMFADelete(t, ctx, lcBucket)
	})

	t.Run("DeleteBucketForgets", func(t *testing.T) {
		bucket := s.newBucket(t, ctx, "forget")
		s.enableMFADelete(t, ctx, bucket)
		if _, err := s.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
			t.Fatalf("DeleteBucket: %v", err)
		}
		if s.layer.Enabled(bucket) {
			t.Error("the layer kept MFA Delete for a deleted bucket")
		}
		if _, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
			t.Fatalf("CreateBucket again: %v", err)
		}
		got, err := s.client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		if got.MFADelete != "" {
			t.Errorf("a recreated bucket reports MFADelete %q", got.MFADelete)
		}
	})
}
