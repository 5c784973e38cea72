package s3api

// S3 Object Lock on the media bucket: the finder and the writer of its default retention, the per-version lock
// a HeadObject reports, and the check a force destroy makes before it deletes anything.
//
// Amazon S3 API Reference: GetObjectLockConfiguration answers 404 ObjectLockConfigurationNotFoundError for a
// bucket without Object Lock, and <ObjectLockEnabled>Enabled</ObjectLockEnabled> without a Rule for one that
// has it and no default retention. PutObjectLockConfiguration needs ObjectLockEnabled=Enabled in every request
// (MalformedXML otherwise), Days or Years but not both, and versioning Enabled on the bucket (409
// InvalidBucketState otherwise); it turns Object Lock on for an existing bucket as well, with no token (the
// x-amz-bucket-object-lock-token AWS Support used to hand out is no longer needed). A request without a Rule
// removes the default retention; nothing turns Object Lock off. HeadObject reports a version's
// x-amz-object-lock-mode and -retain-until-date to callers with s3:GetObjectRetention, and its
// x-amz-object-lock-legal-hold to callers with s3:GetObjectLegalHold; to others it answers without them.
// SeaweedFS answers all of these as AWS does (awsbehaviour's objectlock_seaweedfs_test.go records it).

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// codeNoObjectLock is GetObjectLockConfiguration's 404 for a bucket without Object Lock.
const codeNoObjectLock = "ObjectLockConfigurationNotFoundError"

// FindObjectLock reads the bucket's Object Lock configuration; the zero value when the bucket has no Object
// Lock. A service that does not implement Object Lock answers NotImplemented, which is passed up: the callers'
// Capabilities decide what it means.
func FindObjectLock(ctx context.Context, c *s3.Client, bucket string) (bucketstate.ObjectLock, error) {
	out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoObjectLock) {
		return bucketstate.ObjectLock{}, nil
	}
	if err != nil {
		return bucketstate.ObjectLock{}, bucketGone(bucket, err)
	}
	cfg := out.ObjectLockConfiguration
	if cfg == nil || cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		return bucketstate.ObjectLock{}, nil
	}
	lock := bucketstate.ObjectLock{Enabled: true}
	if cfg.Rule != nil && cfg.Rule.DefaultRetention != nil {
		d := cfg.Rule.DefaultRetention
		lock.Default = &bucketstate.LockRetention{Mode: string(d.Mode), Days: int(aws.ToInt32(d.Days)), Years: int(aws.ToInt32(d.Years))}
	}
	return lock, nil
}

// readObjectLock is the media bucket's Object Lock read, for ObserveBucket.
func readObjectLock(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) (err error) {
	s.ObjectLock, err = FindObjectLock(ctx, c, bucket)
	return err
}

// writeObjectLock puts want as the bucket's default retention, turning Object Lock on if the bucket lacks it;
// with want nil it removes the default retention and leaves Object Lock on. Only call it with nil for a bucket
// that has Object Lock (bucketstate.Diff reports no drift otherwise): the same request would turn it on.
func writeObjectLock(ctx context.Context, c *s3.Client, bucket string, want *bucketstate.LockRetention) error {
	cfg := &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}
	if want != nil {
		d := &types.DefaultRetention{Mode: types.ObjectLockRetentionMode(want.Mode)}
		if want.Years > 0 {
			d.Years = aws.Int32(int32(want.Years))
		} else {
			d.Days = aws.Int32(int32(want.Days))
		}
		cfg.Rule = &types.ObjectLockRule{DefaultRetention: d}
	}
	_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket), ObjectLockConfiguration: cfg})
	if hasCode(err, codeInvalidBucketState) {
		return fmt.Errorf("S3 turns Object Lock on only for a bucket whose versioning is Enabled: %w", err)
	}
	return err
}

// FindVersionLock reads what protects one object version. A version that no longer exists has no lock. Delete
// markers have none either, and S3 answers 405 to a HeadObject of one: only ask about object versions.
func FindVersionLock(ctx context.Context, c *s3.Client, bucket, key, versionID string) (bucketstate.VersionLock, error) {
	out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(versionID)})
	if httpStatus(err) == http.StatusNotFound && !hasCode(err, codeNoSuchBucket) {
		return bucketstate.VersionLock{}, nil // permanently deleted since it was listed
	}
	if err != nil {
		return bucketstate.VersionLock{}, fmt.Errorf("reading the lock of version %s of %q: %w", versionID, key, bucketGone(bucket, err))
	}
	return bucketstate.VersionLock{
		Mode:        string(out.ObjectLockMode),
		RetainUntil: aws.ToTime(out.ObjectLockRetainUntilDate),
		LegalHold:   out.ObjectLockLegalHoldStatus == types.ObjectLockLegalHoldStatusOn,
	}, nil
}

// VersionRef names one object version.
type VersionRef struct {
	Key, VersionID string
}

// FindVersionLocks reads the lock of each version, up to concurrency (0 = DefaultRestoreConcurrency) at once,
// keyed by version ID. One HeadObject per version: callers ask only about a bucket with Object Lock.
func FindVersionLocks(ctx context.Context, c *s3.Client, bucket string, refs []VersionRef, concurrency int) (map[string]bucketstate.VersionLock, error) {
	locks := make(map[string]bucketstate.VersionLock, len(refs))
	var mu sync.Mutex
	err := forEachListed(ctx, concurrency, func(_ context.Context, start func(VersionRef) error) error {
		for _, r := range refs {
			if err := start(r); err != nil {
				return err
			}
		}
		return nil
	}, func(ctx context.Context, r VersionRef) error {
		lock, err := FindVersionLock(ctx, c, bucket, r.Key, r.VersionID)
		if err != nil {
			return err
		}
		mu.Lock()
		locks[r.VersionID] = lock
		mu.Unlock()
		return nil
	})
	return locks, err
}

// FindLockedVersions reads the lock of every object version in the bucket, up to DefaultRestoreConcurrency
// HeadObject requests at once while the listing goes on, and tallies those locked at now. Delete markers are
// never locked and are not asked about.
func FindLockedVersions(ctx context.Context, c *s3.Client, bucket string, now time.Time) (bucketstate.LockedVersions, error) {
	var tally bucketstate.LockedVersions
	var mu sync.Mutex
	err := forEachListed(ctx, 0, func(ctx context.Context, start func(VersionRef) error) error {
		return eachVersionPage(ctx, c, bucket, func(page *s3.ListObjectVersionsOutput) error {
			for _, v := range page.Versions {
				if err := start(VersionRef{Key: aws.ToString(v.Key), VersionID: aws.ToString(v.VersionId)}); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, r VersionRef) error {
		lock, err := FindVersionLock(ctx, c, bucket, r.Key, r.VersionID)
		if err != nil {
			return err
		}
		mu.Lock()
		tally.Add(lock, now)
		mu.Unlock()
		return nil
	})
	return tally, err
}

// refuseLockedMedia is a force destroy's check of the media bucket's Object Lock, made before anything is
// deleted: S3 would refuse to delete a locked version (403 AccessDenied), after the static bucket and every
// unlocked version were gone. A bucket without Object Lock has no locked version, and costs one request;
// one with it costs a HeadObject per object version. A service without Object Lock has no locked version.
func refuseLockedMedia(ctx context.Context, c *s3.Client, caps *Capabilities, media, static string, contents Contents, now time.Time) error {
	if !caps.Supports(bucketstate.FeatureObjectLock) {
		return nil
	}
	lock, err := FindObjectLock(ctx, c, media)
	if err = caps.judge(bucketstate.FeatureObjectLock, err); err != nil {
		return &DestroyError{Step: StepCheckMedia, Err: err}
	}
	if !lock.Enabled {
		return nil
	}
	locked, err := FindLockedVersions(ctx, c, media, now)
	if err != nil {
		return &DestroyError{Step: StepCheckMedia, Err: fmt.Errorf("checking which versions Object Lock protects: %w", err)}
	}
	if locked.Count > 0 {
		return &MediaLockedError{Bucket: media, Static: static, Locked: locked, Versions: contents.Versions, Default: lock.Default}
	}
	return nil
}
