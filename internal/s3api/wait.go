package s3api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Waits for S3's eventual consistency are bounded by these and by the caller's context; they poll with a
// backoff that starts small so a consistent server answers at the first or second look.
const (
	// bucketVisibleTimeout bounds waiting for a new bucket to answer HeadBucket; AWS documents that a
	// new bucket may take a moment to be visible everywhere.
	bucketVisibleTimeout = 2 * time.Minute
	firstPoll            = 50 * time.Millisecond
	maxPoll              = 2 * time.Second
)

var errTimeout = errors.New("timed out")

// poll calls check until it reports done, returns an error, the timeout passes or ctx ends.
func poll(ctx context.Context, timeout time.Duration, check func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	delay := firstPoll
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w after %s: %w", errTimeout, timeout, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, maxPoll)
	}
}

// waitBucketVisible waits until a just-created bucket answers HeadBucket.
func waitBucketVisible(ctx context.Context, c *s3.Client, bucket string) error {
	err := poll(ctx, bucketVisibleTimeout, func() (bool, error) {
		e, err := FindExistence(ctx, c, bucket)
		return e == OwnedByCaller, err
	})
	if err != nil {
		return fmt.Errorf("waiting for new bucket %q to become visible: %w", bucket, err)
	}
	return nil
}
