package awsbehaviour

// What SeaweedFS itself does with S3 Object Lock, straight from the server. The layer has no Object Lock
// behaviour because SeaweedFS answers as Amazon S3 does for everything the provider and its tests rely on;
// this test fails when a SeaweedFS release stops doing so, and is where a behaviour would start.
//
// What AWS documents (Amazon S3 API Reference and User Guide, "Configuring S3 Object Lock", "Object Lock
// considerations"): CreateBucket with x-amz-bucket-object-lock-enabled turns Object Lock on and versioning
// with it; GetObjectLockConfiguration answers 404 ObjectLockConfigurationNotFoundError for a bucket without
// Object Lock, ObjectLockEnabled without a Rule for one with no default retention; PutObjectLockConfiguration
// turns Object Lock on for an existing bucket whose versioning is Enabled, and answers 409 InvalidBucketState
// for one whose versioning is not; a request without a Rule removes the default retention and leaves Object
// Lock on; one with both Days and Years is MalformedXML; versioning cannot be suspended afterwards (409
// InvalidBucketState); new versions, copies included, get the default retention and versions written before
// it do not; deleting a locked version answers 403 AccessDenied, as does each key of a DeleteObjects; in
// GOVERNANCE mode, x-amz-bypass-governance-retention: true lets a principal with s3:BypassGovernanceRetention
// delete it, in COMPLIANCE mode nothing does; a legal hold blocks deletes until it is lifted; HeadObject of a
// version reports its mode, retain-until date and legal hold; HeadObject of a delete marker answers 405.
//
// Where SeaweedFS differs and nothing here depends on it: it reports a version's lock to principals without
// s3:GetObjectRetention (AWS leaves the headers out for them), and answers 400 InvalidRetentionPeriod to a
// default retention of 0 days (the provider refuses one at plan time).

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// refusal is an S3 error as the tests compare it: the HTTP status and the code.
type refusal struct {
	Status int
	Code   string
}

func refusalOf(err error) refusal {
	if err == nil {
		return refusal{}
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return refusal{Code: err.Error()}
	}
	st, _ := status(err)
	return refusal{Status: st, Code: apiErr.ErrorCode()}
}

func TestObjectLockOfSeaweedFS(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), seaweedTimeout)
	defer cancel()
	s := startSeaweed(t, ctx)
	c := s.env.Direct
	lockRule := func(mode types.ObjectLockRetentionMode, days int32) *types.ObjectLockConfiguration {
		return &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: mode, Days: aws.Int32(days)}}}
	}
	putLock := func(bucket string, cfg *types.ObjectLockConfiguration) refusal {
		_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: &bucket, ObjectLockConfiguration: cfg})
		return refusalOf(err)
	}
	getLock := func(bucket string) (*types.ObjectLockConfiguration, refusal) {
		out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &bucket})
		if err != nil {
			return nil, refusalOf(err)
		}
		return out.ObjectLockConfiguration, refusal{}
	}
	put := func(bucket, key string, hold bool) string {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(key)}
		if hold {
			in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn
		}
		out, err := c.PutObject(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	head := func(bucket, key, version string) *s3.HeadObjectOutput {
		t.Helper()
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key, VersionId: &version})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	deleteVersion := func(bucket, key, version string, bypass bool) refusal {
		in := &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: &version}
		if bypass {
			in.BypassGovernanceRetention = aws.Bool(true)
		}
		_, err := c.DeleteObject(ctx, in)
		return refusalOf(err)
	}
	accessDenied := refusal{http.StatusForbidden, "AccessDenied"}
	invalidState := refusal{http.StatusConflict, "InvalidBucketState"}
	expect := func(what string, got, want refusal) {
		t.Helper()
		if got != want {
			t.Errorf("%s: SeaweedFS answers %+v, AWS %+v", what, got, want)
		}
	}

	t.Run("created with Object Lock", func(t *testing.T) {
		bucket := "pm-lock-new-" + suffix()
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket, ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		if v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket}); err != nil || v.Status != types.BucketVersioningStatusEnabled {
			t.Errorf("versioning of a bucket created with Object Lock: %q, %v; AWS enables it", v.Status, err)
		}
		if cfg, r := getLock(bucket); r != (refusal{}) || cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule != nil {
			t.Errorf("Object Lock of a new bucket: %+v %+v; AWS answers Enabled without a rule", cfg, r)
		}
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
		expect("suspending versioning", refusalOf(err), invalidState)
		_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
		expect("versioning Enabled again", refusalOf(err), refusal{})

		expect("a default retention", putLock(bucket, lockRule(types.ObjectLockRetentionModeGovernance, 1)), refusal{})
		both := lockRule(types.ObjectLockRetentionModeGovernance, 1)
		both.Rule.DefaultRetention.Years = aws.Int32(1)
		expect("days and years", putLock(bucket, both), refusal{http.StatusBadRequest, "MalformedXML"})
		expect("no ObjectLockEnabled", putLock(bucket, &types.ObjectLockConfiguration{Rule: both.Rule}), refusal{http.StatusBadRequest, "MalformedXML"})

		v1 := put(bucket, "a.jpg", false)
		h := head(bucket, "a.jpg", v1)
		if h.ObjectLockMode != types.ObjectLockModeGovernance || h.ObjectLockRetainUntilDate == nil ||
			h.ObjectLockRetainUntilDate.Before(time.Now().Add(23*time.Hour)) {
			t.Errorf("a new version's lock: mode %q until %v; AWS applies the default retention", h.ObjectLockMode, h.ObjectLockRetainUntilDate)
		}
		copied, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("a.jpg"), CopySource: aws.String(bucket + "/a.jpg?versionId=" + v1)})
		if err != nil {
			t.Fatal(err)
		}
		if h := head(bucket, "a.jpg", aws.ToString(copied.VersionId)); h.ObjectLockMode != types.ObjectLockModeGovernance {
			t.Errorf("a copy's lock: mode %q; AWS applies the default retention to copies too", h.ObjectLockMode)
		}
		expect("deleting a locked version", deleteVersion(bucket, "a.jpg", v1, false), accessDenied)
		res, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Quiet: aws.Bool(true),
			Objects: []types.ObjectIdentifier{{Key: aws.String("a.jpg"), VersionId: &v1}}}})
		if err != nil || len(res.Errors) != 1 || aws.ToString(res.Errors[0].Code) != "AccessDenied" {
			t.Errorf("DeleteObjects of a locked version: %v %+v; AWS answers AccessDenied for the key", err, res)
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("a.jpg")}); err != nil {
			t.Errorf("a delete marker over locked versions: %v; AWS lays it", err)
		}
		expect("deleting it with the governance retention bypassed", deleteVersion(bucket, "a.jpg", v1, true), refusal{})

		held := put(bucket, "held.jpg", true)
		if h := head(bucket, "held.jpg", held); h.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn {
			t.Errorf("legal hold %q", h.ObjectLockLegalHoldStatus)
		}
		expect("deleting a held version, bypass or not", deleteVersion(bucket, "held.jpg", held, true), accessDenied)

		expect("a compliance retention", putLock(bucket, lockRule(types.ObjectLockRetentionModeCompliance, 1)), refusal{})
		strict := put(bucket, "strict.jpg", false)
		expect("deleting a compliance-locked version with the bypass", deleteVersion(bucket, "strict.jpg", strict, true), accessDenied)
		marker, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("strict.jpg")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("strict.jpg"), VersionId: marker.VersionId})
		expect("HeadObject of a delete marker", refusalOf(err), refusal{http.StatusMethodNotAllowed, "MethodNotAllowed"})

		expect("no default retention", putLock(bucket, &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}), refusal{})
		if cfg, r := getLock(bucket); r != (refusal{}) || cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule != nil {
			t.Errorf("after removing the default retention: %+v %+v; AWS keeps Object Lock on", cfg, r)
		}
	})

	t.Run("turned on for an existing bucket", func(t *testing.T) {
		plain := "pm-lock-plain-" + suffix()
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &plain}); err != nil {
			t.Fatal(err)
		}
		_, r := getLock(plain)
		expect("Object Lock of a bucket without it", r, refusal{http.StatusNotFound, "ObjectLockConfigurationNotFoundError"})
		expect("Object Lock for an unversioned bucket", putLock(plain, lockRule(types.ObjectLockRetentionModeGovernance, 1)), invalidState)
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &plain,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		before := put(plain, "old.jpg", false)
		expect("Object Lock for a versioned bucket, no token", putLock(plain, lockRule(types.ObjectLockRetentionModeGovernance, 1)), refusal{})
		if h := head(plain, "old.jpg", before); h.ObjectLockMode != "" {
			t.Errorf("a version written before Object Lock was turned on: mode %q; AWS leaves it unlocked", h.ObjectLockMode)
		}
		after := put(plain, "new.jpg", false)
		if h := head(plain, "new.jpg", after); h.ObjectLockMode != types.ObjectLockModeGovernance {
			t.Errorf("a version written after: mode %q; AWS applies the default retention", h.ObjectLockMode)
		}
		missing := "pm-lock-missing-" + suffix()
		_, r = getLock(missing)
		expect("Object Lock of a bucket that does not exist", r, refusal{http.StatusNotFound, "NoSuchBucket"})
	})
}

func suffix() string { return strings.ToLower(time.Now().Format("150405.000000"))[7:] }
