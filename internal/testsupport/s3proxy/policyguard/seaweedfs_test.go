package policyguard

// The layer in front of a real SeaweedFS with an admin and an app identity, driven by the AWS SDK as the
// provider and the app drive it.

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/testenv"
)

// seaweedTimeout bounds the whole test: a cold start takes seconds, each request milliseconds.
const seaweedTimeout = 3 * time.Minute

// seaweedAccount is the account SeaweedFS puts in every principal ARN.
const seaweedAccount = "000000000000"

func TestWithSeaweedFS(t *testing.T) {
	if os.Getenv(testenv.WeedEnv) == "" {
		t.Skip(testenv.WeedEnv + " is not set; set it to a weed binary (scripts/ensure-seaweedfs.sh prints one) to run this test")
	}
	ctx, cancel := context.WithTimeout(t.Context(), seaweedTimeout)
	defer cancel()

	app := locals3.Identity{Name: "app", AccessKey: appKey, SecretKey: "app-secret-0123456789"}
	layer := New(map[string]string{app.AccessKey: "arn:aws:iam::" + seaweedAccount + ":user/" + app.Name})
	env, err := testenv.StartWith(ctx, testenv.Options{
		Identities:   []locals3.Identity{app},
		ProxyOptions: []s3proxy.Option{s3proxy.WithSemantics(s3proxy.Chain(layer.Semantics()))},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Stop)
	// The admin's key exists only once the server runs; SeaweedFS names it after the key's first 8 characters.
	layer.SetPrincipal(env.Server.AccessKey, "arn:aws:iam::"+seaweedAccount+":user/admin-"+env.Server.AccessKey[:8])

	client := func(accessKey, secretKey string) *s3.Client {
		c, err := s3api.New(ctx, s3api.Config{SkipBucketOwnerCheck: true, Region: locals3.Region, Endpoint: env.ProxyURL,
			AccessKey: accessKey, SecretKey: secretKey, CABundle: env.Server.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		return c.S3
	}
	admin, appClient := client(env.Server.AccessKey, env.Server.SecretKey), client(app.AccessKey, app.SecretKey)

	bucket, key := "pm-guard-media", "media/a.jpg"
	bucketARN := "arn:aws:s3:::" + bucket
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := admin.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	put := func(c *s3.Client) string {
		t.Helper()
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("content")})
		if err != nil || aws.ToString(out.VersionId) == "" {
			t.Fatalf("PutObject: %v (version %q)", err, aws.ToString(out.VersionId))
		}
		return *out.VersionId
	}
	v1, v2 := put(appClient), put(appClient)

	policy := bucketpolicy.DesiredMedia(bucketARN, []string{"arn:aws:iam::" + seaweedAccount + ":user/admin-*"})
	// Why the layer exists. Only logged: a SeaweedFS that learns ArnNotLike does not break the tests.
	if _, err := env.Direct.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &policy}); err != nil {
		t.Logf("SeaweedFS itself refuses the guard policy: %v", err)
	} else {
		t.Logf("SeaweedFS itself now takes the guard policy; the layer may no longer be needed")
	}

	t.Run("the admin puts the guard policy", func(t *testing.T) {
		if _, err := admin.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &policy}); err != nil {
			t.Fatalf("PutBucketPolicy: %v", err)
		}
		got, err := admin.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
		if err != nil {
			t.Fatalf("GetBucketPolicy: %v", err)
		}
		if same, err := bucketpolicy.Equivalent(aws.ToString(got.Policy), policy); err != nil || !same {
			t.Errorf("GetBucketPolicy = %s (%v), want %s", aws.ToString(got.Policy), err, policy)
		}
	})

	t.Run("the app cannot delete a version", func(t *testing.T) {
		before := layer.Refusals()
		_, err := appClient.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: &v1})
		layertest.ExpectCode(t, "the app's DeleteObject with versionId", err, "AccessDenied")
		_, err = appClient.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{
			Objects: []types.ObjectIdentifier{{Key: &key, VersionId: &v1}}}})
		layertest.ExpectCode(t, "the app's DeleteObjects with a version", err, "AccessDenied")
		_, err = appClient.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
		layertest.ExpectCode(t, "the app's PutBucketVersioning", err, "AccessDenied")
		if n := layer.Refusals() - before; n != 3 {
			t.Errorf("the layer refused %d requests, want 3", n)
		}
		for _, v := range []string{v1, v2} {
			if !layertest.HasVersion(t, ctx, env.Direct, bucket, key, v) {
				t.Errorf("version %s is gone after refused deletes", v)
			}
		}
	})

	t.Run("the app lays a delete marker", func(t *testing.T) {
		out, err := appClient.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			t.Fatalf("DeleteObject: %v", err)
		}
		if !aws.ToBool(out.DeleteMarker) {
			t.Error("no delete marker reported")
		}
		if !layertest.HasVersion(t, ctx, env.Direct, bucket, key, v2) {
			t.Error("a plain delete removed the latest version")
		}
	})

	t.Run("the admin deletes a version", func(t *testing.T) {
		if _, err := admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: &v1}); err != nil {
			t.Fatalf("DeleteObject with versionId: %v", err)
		}
		if layertest.HasVersion(t, ctx, env.Direct, bucket, key, v1) {
			t.Error("the version is still there")
		}
		got, err := admin.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil {
			t.Fatalf("GetBucketVersioning: %v", err)
		}
		if got.Status != types.BucketVersioningStatusEnabled {
			t.Errorf("versioning %q, want Enabled", got.Status)
		}
	})

	t.Run("the admin deletes the policy", func(t *testing.T) {
		if _, err := admin.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: &bucket}); err != nil {
			t.Fatalf("DeleteBucketPolicy: %v", err)
		}
		if _, ok := layer.Policy(bucket); ok {
			t.Error("the layer still holds the policy")
		}
		_, err := admin.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
		layertest.ExpectCode(t, "GetBucketPolicy after the delete", err, "NoSuchBucketPolicy")
	})
}
