package s3api

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// settingRead reads one setting the provider owns into s; each writes its own fields of s. A bucket that is
// gone is a *NotFoundError, as from the finders. feature is what the service must implement for the read.
type settingRead struct {
	feature bucketstate.Feature
	read    func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) error
}

// bucketReads are the reads of the settings the pair owns on both buckets.
var bucketReads = []settingRead{
	{bucketstate.FeatureVersioning, func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) error {
		v, err := FindVersioning(ctx, c, bucket)
		s.Versioning, s.MFADelete = v.Status, v.MFADelete
		return err
	}},
	{bucketstate.FeaturePublicAccessBlock, func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) (err error) {
		s.PublicAccessBlock, err = FindPublicAccessBlock(ctx, c, bucket)
		return err
	}},
	{bucketstate.FeatureOwnershipControls, func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) (err error) {
		s.Ownership, err = FindOwnership(ctx, c, bucket)
		return err
	}},
	{bucketstate.FeatureEncryption, func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) error {
		e, err := FindEncryption(ctx, c, bucket)
		s.Encryption, s.EncryptionKey, s.BucketKey, s.SSECBlocked = e.Algorithm, e.KMSKey, e.BucketKey, e.SSECBlocked
		return err
	}},
	{bucketstate.FeaturePolicy, func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) (err error) {
		s.Policy, err = FindPolicy(ctx, c, bucket)
		return err
	}},
	{bucketstate.FeatureTagging, func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) (err error) {
		s.Tags, err = FindTags(ctx, c, bucket)
		return err
	}},
	{bucketstate.FeatureLifecycle, func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) (err error) {
		s.Lifecycle, err = FindLifecycle(ctx, c, bucket)
		return err
	}},
	{bucketstate.FeatureCORS, func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) (err error) {
		s.CORS, err = FindCORS(ctx, c, bucket)
		return err
	}},
}

// mediaReads are the reads of the settings the pair owns on the media bucket alone: ObservePair adds them to
// the media bucket's, so the static bucket never pays for them.
var mediaReads = []settingRead{{bucketstate.FeatureReplication, readReplication}, {bucketstate.FeatureObjectLock, readObjectLock}}

// ObserveBucket reads every setting the provider owns on a bucket: one call per setting, all at once, and the
// extra reads given (mediaReads for the media bucket) with them. It follows Amazon S3's rules: every feature
// is read, and NotImplemented is an error (see ObservePairWith for S3-compatible services).
// It returns nil settings and no error when the bucket does not exist.
func ObserveBucket(ctx context.Context, c *s3.Client, bucket string, extra ...settingRead) (*bucketstate.Settings, error) {
	return observeBucket(ctx, c, nil, bucket, extra...)
}

// observeBucket is ObserveBucket skipping the features caps says the service lacks, and learning from its
// NotImplemented answers. The settings record which features were not read (Settings.Unsupported).
func observeBucket(ctx context.Context, c *s3.Client, caps *Capabilities, bucket string, extra ...settingRead) (*bucketstate.Settings, error) {
	var (
		s    bucketstate.Settings
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	// Each read writes different fields of s, so they need no lock.
	for _, r := range append(bucketReads[:len(bucketReads):len(bucketReads)], extra...) {
		if !caps.Supports(r.feature) {
			continue
		}
		wg.Go(func() {
			if err := caps.judge(r.feature, r.read(ctx, c, bucket, &s)); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	s.Unsupported = caps.Unsupported()

	if len(errs) == 0 {
		return &s, nil
	}
	// A bucket that is gone makes every call fail the same way; report it once, as absence.
	for _, err := range errs {
		if !IsNotFound(err) {
			return nil, fmt.Errorf("reading bucket %q: %w", bucket, errors.Join(errs...))
		}
	}
	return nil, nil
}
