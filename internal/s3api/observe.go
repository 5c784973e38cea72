package s3api

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// settingRead reads one setting the provider owns on only one bucket of a pair into s; each writes its own
// fields of s. A bucket that is gone is a *NotFoundError, as from the finders.
type settingRead func(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) error

// mediaReads are the reads of the settings the pair owns on the media bucket alone: ObservePair adds them to
// the media bucket's, so the static bucket never pays for them.
var mediaReads = []settingRead{readReplication, readObjectLock}

// ObserveBucket reads every setting the provider owns on a bucket: one call per setting, all at once, and the
// extra reads given (mediaReads for the media bucket) with them.
// It returns nil settings and no error when the bucket does not exist.
func ObserveBucket(ctx context.Context, c *s3.Client, bucket string, extra ...settingRead) (*bucketstate.Settings, error) {
	var (
		s    bucketstate.Settings
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	run := func(read func() error) {
		wg.Go(func() {
			if err := read(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	// Each closure writes a different field of s, so they need no lock.
	run(func() error {
		v, err := FindVersioning(ctx, c, bucket)
		s.Versioning, s.MFADelete = v.Status, v.MFADelete
		return err
	})
	run(func() (err error) { s.PublicAccessBlock, err = FindPublicAccessBlock(ctx, c, bucket); return })
	run(func() (err error) { s.Ownership, err = FindOwnership(ctx, c, bucket); return })
	run(func() error {
		e, err := FindEncryption(ctx, c, bucket)
		s.Encryption, s.EncryptionKey, s.BucketKey, s.SSECBlocked = e.Algorithm, e.KMSKey, e.BucketKey, e.SSECBlocked
		return err
	})
	run(func() (err error) { s.Policy, err = FindPolicy(ctx, c, bucket); return })
	run(func() (err error) { s.Tags, err = FindTags(ctx, c, bucket); return })
	run(func() (err error) { s.Lifecycle, err = FindLifecycle(ctx, c, bucket); return })
	run(func() (err error) { s.CORS, err = FindCORS(ctx, c, bucket); return })
	for _, read := range extra {
		run(func() error { return read(ctx, c, bucket, &s) })
	}
	wg.Wait()

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
