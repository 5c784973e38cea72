package localrgw

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
)

// call is one S3 request of a behaviour table, and the answer this RGW release gives it.
type call struct {
	name string
	do   func(ctx context.Context, opt func(*s3.Options)) (string, error)
	want outcome
}

// runTable runs calls in order (later ones may depend on earlier ones) and reports every answer that
// differs from the table, then the whole observed table, so one run shows everything that changed.
func runTable(t *testing.T, calls []call) {
	t.Helper()
	var observed strings.Builder
	for _, c := range calls {
		got := observe(t, func(opt func(*s3.Options)) (string, error) { return c.do(t.Context(), opt) })
		if got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		fmt.Fprintf(&observed, "\n  %-58s %v", c.name, got)
	}
	t.Logf("observed:%s", observed.String())
}

func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// TestBucketSubresources records how RGW answers each bucket setting the pair owns: a read before any write,
// the write the provider makes, the read back, and the removal. Where RGW lacks a setting, the table says how
// it answers instead, which a provider running against it must tell apart from a real answer.
func TestBucketSubresources(t *testing.T) {
	s := sharedServer(t)
	c := rawClient(s, s.AccessKey, s.SecretKey)
	b := newBucket(t, c, "sub", false)
	locked := newBucket(t, c, "lock", true)
	replica := newBucket(t, c, "replica", false)
	for _, bucket := range []string{b, replica} {
		if _, err := c.PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
	// An object keeps the bucket alive through a DELETE that RGW takes for DeleteBucket (see
	// TestDeletesOfUnknownSubresourcesDeleteTheBucket).
	putText(t, c, b, "keep", "keep")
	bp := aws.String(b)
	missing := aws.String("localrgw-no-such-bucket")
	tlsOnly := bucketpolicy.Desired(bucketARN(b), false)
	guarded := bucketpolicy.DesiredMedia(bucketARN(b), []string{UserARN(AdminUser)})

	runTable(t, []call{
		{"HeadBucket of a missing bucket", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: missing}, opt)
			return "", err
		}, outcome{Status: 404, Code: "NotFound"}},
		{"GetBucketVersioning of a missing bucket", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: missing}, opt)
			return "", err
		}, outcome{Status: 404, Code: "NoSuchBucket"}},
		{"CreateBucket of a bucket the caller owns", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 200}},
		// AWS refuses a request whose x-amz-expected-bucket-owner is not the owner (403); RGW ignores it.
		{"GetBucketVersioning, another expected owner", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bp, ExpectedBucketOwner: aws.String("111122223333")}, opt)
			return versioningSays(out), err
		}, outcome{Status: 200, Says: "Enabled Disabled"}},
		// RGW checks the MFA against its own TOTP devices (radosgw-admin mfa create); the user has none.
		{"PutBucketVersioning, MFA Delete with an MFA", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bp, MFA: aws.String("arn:aws:iam::000000000000:mfa/root 123456"),
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}}, opt)
			return "", err
		}, outcome{Status: 403, Code: "AccessDenied"}},

		// AWS answers 404 NoSuchPublicAccessBlockConfiguration while none is set, and 204 to a delete;
		// RGW answers with four false flags, and 200.
		{"GetPublicAccessBlock, none set", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bp}, opt)
			return publicAccessBlockSays(out), err
		}, outcome{Status: 200, Says: "acls=false/false policy=false/false"}},
		{"PutPublicAccessBlock, all four on", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: bp, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"GetPublicAccessBlock", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bp}, opt)
			return publicAccessBlockSays(out), err
		}, outcome{Status: 200, Says: "acls=true/true policy=true/true"}},
		{"DeletePublicAccessBlock", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"GetPublicAccessBlock after the delete", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bp}, opt)
			return publicAccessBlockSays(out), err
		}, outcome{Status: 200, Says: "acls=false/false policy=false/false"}},

		// RGW 16.2 does not know ?encryption: a read lists the bucket (the SDK finds no rules in it), a write
		// is a CreateBucket of an existing bucket, and a delete is DeleteBucket (refused here only because the
		// bucket holds an object).
		{"GetBucketEncryption, none set", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bp}, opt)
			return encryptionSays(out), err
		}, outcome{Status: 200, Says: "rules=[]"}},
		{"PutBucketEncryption AES256", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bp, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
				Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}}, opt)
			return "", err
		}, outcome{Status: 400, Code: "InvalidArgument"}},
		{"GetBucketEncryption", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bp}, opt)
			return encryptionSays(out), err
		}, outcome{Status: 200, Says: "rules=[]"}},
		{"DeleteBucketEncryption", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 409, Code: "BucketNotEmpty"}},

		{"GetBucketPolicy, none set", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bp}, opt)
			return policySays(out, tlsOnly), err
		}, outcome{Status: 404, Code: "NoSuchBucketPolicy"}},
		{"PutBucketPolicy, the provider's TLS-only policy", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bp, Policy: aws.String(tlsOnly)}, opt)
			return "", err
		}, outcome{Status: 204}},
		{"GetBucketPolicy", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bp}, opt)
			return policySays(out, tlsOnly), err
		}, outcome{Status: 200, Says: "as put"}},
		{"GetBucketPolicyStatus", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: bp}, opt)
			if out != nil && out.PolicyStatus != nil {
				return fmt.Sprintf("public=%t", aws.ToBool(out.PolicyStatus.IsPublic)), err
			}
			return "", err
		}, outcome{Status: 200, Says: "public=false"}},
		{"PutBucketPolicy, the provider's guarded media policy", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bp, Policy: aws.String(guarded)}, opt)
			return "", err
		}, outcome{Status: 204}},
		{"GetBucketPolicy, guarded", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bp}, opt)
			return policySays(out, guarded), err
		}, outcome{Status: 200, Says: "as put"}},
		{"PutBucketVersioning by the exempt owner under the guard", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bp,
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"DeleteBucketPolicy", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 200}},

		{"GetBucketLifecycleConfiguration, none set", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bp}, opt)
			return lifecycleSays(out), err
		}, outcome{Status: 404, Code: "NoSuchLifecycleConfiguration"}},
		{"PutBucketLifecycleConfiguration, noncurrent expiry", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: bp, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
				Rules: []types.LifecycleRule{{ID: aws.String("noncurrent"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
					NoncurrentVersionExpiration:    &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30)},
					AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)}}}}}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"GetBucketLifecycleConfiguration", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bp}, opt)
			return lifecycleSays(out), err
		}, outcome{Status: 200, Says: "rules=[noncurrent:Enabled:noncurrent=30]"}},
		{"DeleteBucketLifecycle", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 204}},

		{"GetBucketCors, none set", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bp}, opt)
			return corsSays(out), err
		}, outcome{Status: 404, Code: "NoSuchCORSConfiguration"}},
		{"PutBucketCors", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: bp, CORSConfiguration: &types.CORSConfiguration{
				CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET", "HEAD"}, AllowedOrigins: []string{"https://example.com"}, MaxAgeSeconds: aws.Int32(300)}}}}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"GetBucketCors", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bp}, opt)
			return corsSays(out), err
		}, outcome{Status: 200, Says: "rules=[[GET HEAD][https://example.com]]"}},
		{"DeleteBucketCors", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 204}},

		{"GetBucketTagging, none set", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bp}, opt)
			return taggingSays(out), err
		}, outcome{Status: 404, Code: "NoSuchTagSet"}},
		{"PutBucketTagging", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: bp, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("role"), Value: aws.String("media")}}}}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"GetBucketTagging", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bp}, opt)
			return taggingSays(out), err
		}, outcome{Status: 200, Says: "tags=[role=media]"}},
		{"DeleteBucketTagging", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 200}},

		{"GetObjectLockConfiguration, bucket without Object Lock", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: bp}, opt)
			return objectLockSays(out), err
		}, outcome{Status: 404, Code: "ObjectLockConfigurationNotFoundError"}},
		{"GetObjectLockConfiguration, bucket created with it", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(locked)}, opt)
			return objectLockSays(out), err
		}, outcome{Status: 200, Says: "enabled=Enabled"}},
		{"PutObjectLockConfiguration, GOVERNANCE for 1 day", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(locked), ObjectLockConfiguration: &types.ObjectLockConfiguration{
				ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule:              &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"GetObjectLockConfiguration", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(locked)}, opt)
			return objectLockSays(out), err
		}, outcome{Status: 200, Says: "enabled=Enabled GOVERNANCE/1d"}},
		{"PutObjectLockConfiguration, no default retention", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(locked), ObjectLockConfiguration: &types.ObjectLockConfiguration{
				ObjectLockEnabled: types.ObjectLockEnabledEnabled}}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"GetObjectLockConfiguration, retention removed", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(locked)}, opt)
			return objectLockSays(out), err
		}, outcome{Status: 200, Says: "enabled=Enabled"}},

		// AWS answers 404 ReplicationConfigurationNotFoundError while none is set; RGW 16.2 an empty
		// configuration, and it refuses S3's PutBucketReplication (its replication is multisite sync policy).
		{"GetBucketReplication, none set", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: bp}, opt)
			if out == nil || out.ReplicationConfiguration == nil {
				return "", err
			}
			return fmt.Sprintf("role=%q rules=%d", aws.ToString(out.ReplicationConfiguration.Role), len(out.ReplicationConfiguration.Rules)), err
		}, outcome{Status: 200, Says: "role=\"\" rules=0"}},
		{"PutBucketReplication to a versioned bucket", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: bp, ReplicationConfiguration: &types.ReplicationConfiguration{
				Role: aws.String("arn:aws:iam::000000000000:role/replication"),
				Rules: []types.ReplicationRule{{ID: aws.String("replica"), Status: types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1),
					Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
					DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
					Destination:             &types.Destination{Bucket: aws.String(bucketARN(replica))}}}}}, opt)
			return "", err
		}, outcome{Status: 405, Code: "MethodNotAllowed"}},
		{"DeleteBucketReplication", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"HeadBucket after all of the above", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bp}, opt)
			return "", err
		}, outcome{Status: 200}},
	})
}

// TestOwnershipControlsAreBucketRequests records that RGW 16.2 does not know the ownershipControls
// sub-resource and treats each request as the same method on the bucket itself: a read lists the bucket
// (which the SDK reads as no rules), a write is a CreateBucket of an existing bucket, and a DELETE deletes
// the bucket, when it is empty. A provider must never send DeleteBucketOwnershipControls to this server.
func TestOwnershipControlsAreBucketRequests(t *testing.T) {
	s := sharedServer(t)
	c := rawClient(s, s.AccessKey, s.SecretKey)
	full := newBucket(t, c, "own-full", false)
	putText(t, c, full, "x", "x")
	empty := strings.ToLower("localrgw-own-empty-" + randomHex(4))
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &empty}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Gone if the table below still holds; removed here if RGW learnt the sub-resource.
		_, _ = c.DeleteBucket(context.WithoutCancel(t.Context()), &s3.DeleteBucketInput{Bucket: &empty})
	})
	getControls := func(bucket string) func(ctx context.Context, opt func(*s3.Options)) (string, error) {
		return func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &bucket}, opt)
			if out == nil || out.OwnershipControls == nil {
				return "", err
			}
			var rules []string
			for _, r := range out.OwnershipControls.Rules {
				rules = append(rules, string(r.ObjectOwnership))
			}
			return fmt.Sprintf("rules=%v", rules), err
		}
	}
	deleteControls := func(bucket string) func(ctx context.Context, opt func(*s3.Options)) (string, error) {
		return func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: &bucket}, opt)
			return "", err
		}
	}
	headBucket := func(bucket string) func(ctx context.Context, opt func(*s3.Options)) (string, error) {
		return func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket}, opt)
			return "", err
		}
	}
	runTable(t, []call{
		{"GetBucketOwnershipControls, none set", getControls(full), outcome{Status: 200, Says: "rules=[]"}},
		{"PutBucketOwnershipControls BucketOwnerEnforced", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: &full, OwnershipControls: &types.OwnershipControls{
				Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}, opt)
			return "", err
		}, outcome{Status: 400, Code: "InvalidArgument"}},
		{"GetBucketOwnershipControls after the put", getControls(full), outcome{Status: 200, Says: "rules=[]"}},
		{"DeleteBucketOwnershipControls, bucket with an object", deleteControls(full), outcome{Status: 409, Code: "BucketNotEmpty"}},
		{"DeleteBucketOwnershipControls, empty bucket", deleteControls(empty), outcome{Status: 204}},
		{"HeadBucket of that empty bucket", headBucket(empty), outcome{Status: 404, Code: "NotFound"}},
	})
}

// TestDeletesOfUnknownSubresourcesDeleteTheBucket sends each DELETE the provider may send for a bucket
// setting to an empty bucket of its own, and records whether the bucket survives: RGW 16.2 takes a DELETE
// of a sub-resource it does not know for DeleteBucket.
func TestDeletesOfUnknownSubresourcesDeleteTheBucket(t *testing.T) {
	s := sharedServer(t)
	c := rawClient(s, s.AccessKey, s.SecretKey)
	deletes := []struct {
		subresource string
		del         func(ctx context.Context, bucket *string, opt func(*s3.Options)) error
		want        outcome
	}{
		{"publicAccessBlock", func(ctx context.Context, b *string, opt func(*s3.Options)) error {
			_, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}, opt)
			return err
		}, outcome{Status: 200, Says: "bucket kept"}},
		{"ownershipControls", func(ctx context.Context, b *string, opt func(*s3.Options)) error {
			_, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b}, opt)
			return err
		}, outcome{Status: 204, Says: "bucket gone"}},
		{"encryption", func(ctx context.Context, b *string, opt func(*s3.Options)) error {
			_, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b}, opt)
			return err
		}, outcome{Status: 204, Says: "bucket gone"}},
		{"policy", func(ctx context.Context, b *string, opt func(*s3.Options)) error {
			_, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}, opt)
			return err
		}, outcome{Status: 200, Says: "bucket kept"}},
		{"lifecycle", func(ctx context.Context, b *string, opt func(*s3.Options)) error {
			_, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b}, opt)
			return err
		}, outcome{Status: 204, Says: "bucket kept"}},
		{"cors", func(ctx context.Context, b *string, opt func(*s3.Options)) error {
			_, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b}, opt)
			return err
		}, outcome{Status: 204, Says: "bucket kept"}},
		{"tagging", func(ctx context.Context, b *string, opt func(*s3.Options)) error {
			_, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: b}, opt)
			return err
		}, outcome{Status: 200, Says: "bucket kept"}},
		{"replication", func(ctx context.Context, b *string, opt func(*s3.Options)) error {
			_, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: b}, opt)
			return err
		}, outcome{Status: 200, Says: "bucket kept"}},
	}
	var calls []call
	for _, d := range deletes {
		bucket := strings.ToLower("localrgw-del-" + randomHex(4))
		if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = c.DeleteBucket(context.WithoutCancel(t.Context()), &s3.DeleteBucketInput{Bucket: &bucket})
		})
		calls = append(calls, call{"DELETE ?" + d.subresource + " of an empty bucket", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			if err := d.del(ctx, &bucket, opt); err != nil {
				return "", err
			}
			_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket})
			var notFound *types.NotFound
			switch {
			case errors.As(err, &notFound):
				return "bucket gone", nil
			case err != nil:
				return "", fmt.Errorf("HeadBucket after the delete: %w", err)
			}
			return "bucket kept", nil
		}, d.want})
	}
	runTable(t, calls)
}

// TestGuardStatementDoesNotBindOnRGW records that RGW 16.2 accepts the provider's guard statement but never
// applies it: with a guard that exempts only the app, the bucket's owner may still do the guarded actions,
// though an unconditional deny of the same action does refuse the owner. So RGW does not evaluate ArnNotLike
// on aws:PrincipalArn; on AWS both requests would be refused.
func TestGuardStatementDoesNotBindOnRGW(t *testing.T) {
	s := sharedServer(t)
	c := rawClient(s, s.AccessKey, s.SecretKey)
	// Empty, so the cleanup's DeleteBucket (not a guarded action) removes it whatever the guard denies.
	b := strings.ToLower("localrgw-guard-" + randomHex(4))
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &b}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := c.DeleteBucket(context.WithoutCancel(t.Context()), &s3.DeleteBucketInput{Bucket: &b}); err != nil {
			t.Errorf("deleting %s: %v", b, err)
		}
	})
	guard := bucketpolicy.DesiredMedia(bucketARN(b), []string{UserARN(appIdentity.Name)})
	denyAll := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutBucketVersioning","Resource":%q}]}`, bucketARN(b))
	runTable(t, []call{
		{"PutBucketPolicy, guard exempting only the app", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &b, Policy: &guard}, opt)
			return "", err
		}, outcome{Status: 204}},
		{"PutBucketVersioning by the owner, not exempt", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &b,
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}, opt)
			return "", err
		}, outcome{Status: 200}},
		{"GetBucketVersioning by the owner (not guarded)", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &b}, opt)
			return versioningSays(out), err
		}, outcome{Status: 200, Says: "Enabled Disabled"}},
		{"DeleteBucketPolicy by the owner, not exempt", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: &b}, opt)
			return "", err
		}, outcome{Status: 200}},
		// The same deny without the condition: does RGW deny the owner at all?
		{"PutBucketPolicy, unconditional deny of PutBucketVersioning", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &b, Policy: &denyAll}, opt)
			return "", err
		}, outcome{Status: 204}},
		{"PutBucketVersioning by the owner, denied to all", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &b,
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}, opt)
			return "", err
		}, outcome{Status: 403, Code: "AccessDenied"}},
		{"DeleteBucketPolicy by the owner", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: &b}, opt)
			return "", err
		}, outcome{Status: 200}},
	})
}

func versioningSays(out *s3.GetBucketVersioningOutput) string {
	if out == nil {
		return ""
	}
	return strings.TrimSpace(string(out.Status) + " " + string(out.MFADelete))
}

func publicAccessBlockSays(out *s3.GetPublicAccessBlockOutput) string {
	if out == nil || out.PublicAccessBlockConfiguration == nil {
		return ""
	}
	p := out.PublicAccessBlockConfiguration
	return fmt.Sprintf("acls=%t/%t policy=%t/%t", aws.ToBool(p.BlockPublicAcls), aws.ToBool(p.IgnorePublicAcls), aws.ToBool(p.BlockPublicPolicy), aws.ToBool(p.RestrictPublicBuckets))
}

func encryptionSays(out *s3.GetBucketEncryptionOutput) string {
	if out == nil || out.ServerSideEncryptionConfiguration == nil {
		return ""
	}
	var algs []string
	for _, r := range out.ServerSideEncryptionConfiguration.Rules {
		if r.ApplyServerSideEncryptionByDefault != nil {
			algs = append(algs, string(r.ApplyServerSideEncryptionByDefault.SSEAlgorithm))
		}
	}
	return fmt.Sprintf("rules=%v", algs)
}

// policySays compares the policy read back with the one put, by meaning.
func policySays(out *s3.GetBucketPolicyOutput, put string) string {
	if out == nil {
		return ""
	}
	same, err := bucketpolicy.Equivalent(aws.ToString(out.Policy), put)
	switch {
	case err != nil:
		return "unreadable: " + err.Error()
	case same:
		return "as put"
	default:
		return "differs: " + aws.ToString(out.Policy)
	}
}

func lifecycleSays(out *s3.GetBucketLifecycleConfigurationOutput) string {
	if out == nil {
		return ""
	}
	var rules []string
	for _, r := range out.Rules {
		days := int32(0)
		if r.NoncurrentVersionExpiration != nil {
			days = aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays)
		}
		rules = append(rules, fmt.Sprintf("%s:%s:noncurrent=%d", aws.ToString(r.ID), r.Status, days))
	}
	return fmt.Sprintf("rules=%v", rules)
}

func corsSays(out *s3.GetBucketCorsOutput) string {
	if out == nil {
		return ""
	}
	var rules []string
	for _, r := range out.CORSRules {
		rules = append(rules, fmt.Sprintf("%v%v", r.AllowedMethods, r.AllowedOrigins))
	}
	return fmt.Sprintf("rules=%v", rules)
}

func taggingSays(out *s3.GetBucketTaggingOutput) string {
	if out == nil {
		return ""
	}
	var tags []string
	for _, tg := range out.TagSet {
		tags = append(tags, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	return fmt.Sprintf("tags=%v", tags)
}

func objectLockSays(out *s3.GetObjectLockConfigurationOutput) string {
	if out == nil || out.ObjectLockConfiguration == nil {
		return ""
	}
	l := out.ObjectLockConfiguration
	s := "enabled=" + string(l.ObjectLockEnabled)
	if l.Rule != nil && l.Rule.DefaultRetention != nil {
		s += fmt.Sprintf(" %s/%dd", l.Rule.DefaultRetention.Mode, aws.ToInt32(l.Rule.DefaultRetention.Days))
	}
	return s
}

// TestBucketPolicyNamesUsersByUserARN checks the principal UserARN gives an identity: a bucket policy
// naming it lets the identity read an object of a bucket it does not own, and nothing else does.
func TestBucketPolicyNamesUsersByUserARN(t *testing.T) {
	s := sharedServer(t)
	c := rawClient(s, s.AccessKey, s.SecretKey)
	app := rawClient(s, appIdentity.AccessKey, appIdentity.SecretKey)
	b := newBucket(t, c, "grant", false)
	putText(t, c, b, "x", "x")

	read := func(ctx context.Context, opt func(*s3.Options)) (string, error) {
		_, err := app.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("x")}, opt)
		return "", err
	}
	grant := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[%q]},"Action":"s3:GetObject","Resource":"%s/*"}]}`,
		UserARN(appIdentity.Name), bucketARN(b))
	runTable(t, []call{
		{"GetObject by the app, no policy", read, outcome{Status: 403, Code: "AccessDenied"}},
		{"PutBucketPolicy granting the app GetObject", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &b, Policy: &grant}, opt)
			return "", err
		}, outcome{Status: 204}},
		{"GetObject by the app under the policy", read, outcome{Status: 200}},
		{"PutBucketVersioning by the app under the policy", func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := app.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &b,
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}, opt)
			return "", err
		}, outcome{Status: 403, Code: "AccessDenied"}},
	})
}

// TestBlockPublicAclsRefusesEveryUpload: with BlockPublicAcls on, RGW 16.2 refuses every PutObject, even by
// the owner and without any ACL, with 403 AccessDenied (AWS refuses only uploads that carry a public ACL). The
// other three flags leave uploads alone. A media bucket with the pair's public access block would take no
// uploads at all, so on RGW public_access_block must be declared unsupported.
func TestBlockPublicAclsRefusesEveryUpload(t *testing.T) {
	s := sharedServer(t)
	c := rawClient(s, s.AccessKey, s.SecretKey)
	b := newBucket(t, c, "pab", false)
	bp := aws.String(b)
	pab := func(blockACLs bool) func(ctx context.Context, opt func(*s3.Options)) (string, error) {
		return func(ctx context.Context, opt func(*s3.Options)) (string, error) {
			_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: bp, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(blockACLs), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}, opt)
			return "", err
		}
	}
	upload := func(ctx context.Context, opt func(*s3.Options)) (string, error) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bp, Key: aws.String("upload"), Body: strings.NewReader("x")}, opt)
		return "", err
	}
	runTable(t, []call{
		{"PutObject, no public access block", upload, outcome{Status: 200}},
		{"PutPublicAccessBlock, all four flags", pab(true), outcome{Status: 200}},
		{"PutObject (no ACL) with BlockPublicAcls", upload, outcome{Status: 403, Code: "AccessDenied"}},
		{"PutPublicAccessBlock, all but BlockPublicAcls", pab(false), outcome{Status: 200}},
		{"PutObject without BlockPublicAcls", upload, outcome{Status: 200}},
	})
}
