package s3api

// ProbeFeatures: what an S3 service does with each feature a pair uses, found by the pair's own finders,
// writers and capability detection. The compatibility table in the docs is made of its answers, one column per
// service the tests run.

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// Support is what a probe saw a service do with one feature.
type Support string

const (
	// Supported: the pair's write was accepted and read back as written.
	Supported Support = "supported"
	// NotImplemented: the read was answered 501 NotImplemented, so the provider treats the feature as missing.
	NotImplemented Support = "not implemented"
	// WriteNotImplemented: the read answers as for a bucket without the setting, and the write 501.
	WriteNotImplemented Support = "read only: writes not implemented"
	// NotKept: the write was accepted, and the read-back does not show it.
	NotKept Support = "accepted, not kept"
)

// ProbeFeatures creates buckets named prefix-*, writes each feature as a media bucket has it and reads it back,
// then deletes them. It sends bucket configuration requests only, as the provider does on AWS. Every feature gets an answer: a Support, or, for any other failure, the error's words.
func ProbeFeatures(ctx context.Context, c *s3.Client, prefix string) (map[bucketstate.Feature]Support, error) {
	bucket, replica, locked := prefix+"-media", prefix+"-replica", prefix+"-locked"
	for _, b := range []string{bucket, replica} {
		if err := createBucket(ctx, c, b, "", "", false); err != nil {
			return nil, err
		}
		defer func() { _, _ = emptyAndDelete(context.WithoutCancel(ctx), c, b, bucketstate.Media, MFA{}) }()
	}
	want := bucketstate.MediaDesired(bucket, bucketstate.BucketARN("aws", bucket), false, map[string]string{"probe": "yes"},
		bucketstate.Retention{NoncurrentDays: 30, AbortIncompleteDays: 7}, nil)
	want.CORS = []bucketstate.CORSRule{{AllowedOrigins: []string{"https://example.com"}, AllowedMethods: []string{"GET"}}}
	want.Replication = bucketstate.MediaReplication(&bucketstate.ReplicaSpec{DestinationBucketARN: bucketstate.BucketARN("aws", replica),
		RoleARN: "arn:aws:iam::000000000000:role/replication"})
	for _, b := range []string{bucket, replica} {
		w := want
		w.Bucket = b
		if err := applySettings(ctx, c, w, []bucketstate.Setting{bucketstate.SettingVersioning}, MFA{}, PairOptions{}); err != nil {
			return nil, fmt.Errorf("versioning, which every service must have: %w", err)
		}
	}

	caps := NewCapabilities(false, nil)
	if _, err := observeBucket(ctx, c, caps, bucket, mediaReads...); err != nil {
		return nil, err
	}
	out := map[bucketstate.Feature]Support{}
	for f := range caps.Unsupported() {
		out[f] = NotImplemented
	}
	for _, f := range bucketstate.AllFeatures() {
		if _, done := out[f]; done {
			continue
		}
		out[f] = probeWrite(ctx, c, caps, want, f)
	}
	switch lock := out[bucketstate.FeatureObjectLock]; lock {
	case Supported:
		out[bucketstate.FeatureObjectLock] = probeLockedBucket(ctx, c, locked)
	case NotImplemented, WriteNotImplemented:
	default:
		// Some services (Ceph RGW) turn Object Lock on only when a bucket is created with it, as the pair
		// creates media with media_object_lock; turning it on later is refused.
		if probeLockedBucket(ctx, c, locked) == Supported {
			out[bucketstate.FeatureObjectLock] = Support("on new buckets only (existing ones: " +
				strings.TrimPrefix(string(lock), "write refused: ") + ")")
		}
	}
	return out, nil
}

// probeWrite writes setting f of want with the pair's writer and reads it back.
func probeWrite(ctx context.Context, c *s3.Client, caps *Capabilities, want bucketstate.Desired, f bucketstate.Feature) Support {
	var setting bucketstate.Setting
	for _, s := range writeOrder {
		if bucketstate.FeatureOf(s) == f {
			setting = s
		}
	}
	if f == bucketstate.FeatureMFADelete {
		// Turning it on needs a code from the root user's device, which no test service checks: the probe asks
		// only whether the service reports MFA Delete at all, which a versioning read shows.
		return probeMFADelete(ctx, c, want.Bucket)
	}
	if f == bucketstate.FeatureObjectLock {
		setting = bucketstate.SettingObjectLock
		want.ObjectLock = &bucketstate.LockRetention{Mode: "GOVERNANCE", Days: 1}
	}
	if err := writeForProbe(ctx, c, want, setting); err != nil {
		if isNotImplemented(err) {
			return WriteNotImplemented
		}
		return Support("write refused: " + errorCode(err))
	}
	observed, err := observeBucket(ctx, c, caps, want.Bucket, mediaReads...)
	if err != nil {
		return Support("read-back failed: " + errorCode(err))
	}
	for _, d := range bucketstate.Diff(want, observed) {
		if d.Setting == setting {
			return NotKept
		}
	}
	return Supported
}

// probeMFADelete says whether the service's versioning answer can report MFA Delete: a service that does not
// know it never mentions it, and the provider then cannot tell it on.
func probeMFADelete(ctx context.Context, c *s3.Client, bucket string) Support {
	out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		return Support("read failed: " + errorCode(err))
	}
	if out.MFADelete == "" {
		return "not reported"
	}
	// Turning it on needs the root user's MFA code, which the probe does not have: reported is all it can say.
	return "reported"
}

// probeLockedBucket creates a bucket with Object Lock, as the pair does for media_object_lock, and gives it a
// default retention.
func probeLockedBucket(ctx context.Context, c *s3.Client, bucket string) Support {
	if err := createBucket(ctx, c, bucket, "", "", true); err != nil {
		if isNotImplemented(err) {
			return WriteNotImplemented
		}
		return Support("create refused: " + errorCode(err))
	}
	defer func() { _ = DeleteBucket(context.WithoutCancel(ctx), c, bucket) }()
	want := bucketstate.Desired{Bucket: bucket, Role: bucketstate.Media, ObjectLock: &bucketstate.LockRetention{Mode: "GOVERNANCE", Days: 1}}
	if err := writeForProbe(ctx, c, want, bucketstate.SettingObjectLock); err != nil {
		return Support("write refused: " + errorCode(err))
	}
	lock, err := FindObjectLock(ctx, c, bucket)
	if err != nil || !bucketstate.ObjectLockMatches(want.ObjectLock, lock) {
		return NotKept
	}
	return Supported
}

// writeForProbe writes one setting for a probe. An answer whose error body was lost in transit (Ceph RGW closes
// the connection after some refusals) is sent again by the client's retryer, which retries "use of closed
// network connection" like any dropped connection, so the table the probes feed says the same on every run.
func writeForProbe(ctx context.Context, c *s3.Client, want bucketstate.Desired, setting bucketstate.Setting) error {
	return applySettings(ctx, c, want, []bucketstate.Setting{setting}, MFA{}, PairOptions{})
}
