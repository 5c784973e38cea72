package s3api

// Restoring from another bucket's history (RestoreOptions.Source, a replica of the media bucket): both
// buckets are listed at once, in key order, and each key's two histories are classified together
// (recovery.ClassifyFromSource), as the listings go on.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// keyHistory is one key's entries in one bucket.
type keyHistory struct {
	key     string
	entries []recovery.Version
}

// errStopListing stops a listing whose reader has had enough; it never leaves keyHistories.
var errStopListing = errors.New("listing no longer read")

// keyHistories lists every version under prefix in bucket and yields each key's entries in key order (the
// order S3 lists keys in), as the listing goes on; a failure is yielded last, with an empty history. owner,
// when set, is the account the bucket must belong to (x-amz-expected-bucket-owner); otherwise the client's.
func keyHistories(ctx context.Context, c *s3.Client, bucket, owner, prefix string) iter.Seq2[keyHistory, error] {
	return func(yield func(keyHistory, error) bool) {
		var scanner recovery.Scanner
		emit := func(key string, entries []recovery.Version) error {
			if !yield(keyHistory{key: key, entries: entries}, nil) {
				return errStopListing
			}
			return nil
		}
		err := listVersions(ctx, c, bucket, owner, prefix, func(page []recovery.Version) error { return scanner.Page(page, emit) })
		if err == nil {
			err = scanner.Flush(emit)
		}
		if err != nil && !errors.Is(err, errStopListing) {
			yield(keyHistory{}, err)
		}
	}
}

// listVersions is listVersionsSplit naming owner as the bucket's expected owner, when set.
func listVersions(ctx context.Context, c *s3.Client, bucket, owner, prefix string, fn func([]recovery.Version) error) error {
	if owner == "" {
		return listVersionsSplit(ctx, c, bucket, prefix, fn)
	}
	return listVersionsSplit(ctx, c, bucket, prefix, fn, func(in *s3.ListObjectVersionsInput) { in.ExpectedBucketOwner = aws.String(owner) })
}

// mergeHistories lists bucket and source under prefix at once and calls emit for every key either has, in
// key order, with the key's entries in each (none where it has none). It stops at the first error, of a
// listing or of emit.
func mergeHistories(ctx context.Context, c *s3.Client, bucket, source, sourceOwner, prefix string, emit func(target, src []recovery.Version) error) error {
	nextT, stopT := iter.Pull2(keyHistories(ctx, c, bucket, "", prefix))
	defer stopT()
	nextS, stopS := iter.Pull2(keyHistories(ctx, c, source, sourceOwner, prefix))
	defer stopS()
	t, tErr, tOK := nextT()
	s, sErr, sOK := nextS()
	for {
		switch {
		case tErr != nil:
			return tErr
		case sErr != nil:
			return sErr
		case !tOK && !sOK:
			return nil
		}
		var err error
		switch {
		case !tOK || (sOK && s.key < t.key):
			err = emit(nil, s.entries)
			s, sErr, sOK = nextS()
		case !sOK || t.key < s.key:
			err = emit(t.entries, nil)
			t, tErr, tOK = nextT()
		default:
			err = emit(t.entries, s.entries)
			t, tErr, tOK = nextT()
			s, sErr, sOK = nextS()
		}
		if err != nil {
			return err
		}
	}
}

// listFromSource is walkKeys's listing for a restore from source: each key classified from both buckets'
// entries, those stamped after seenAt (when set) left out.
func listFromSource(c *s3.Client, bucket, source, sourceOwner, prefix string, asOf, seenAt time.Time) func(context.Context, func(recovery.KeyState) error) error {
	return func(ctx context.Context, start func(recovery.KeyState) error) error {
		return mergeHistories(ctx, c, bucket, source, sourceOwner, prefix, func(target, src []recovery.Version) error {
			if !seenAt.IsZero() {
				target, src = recovery.SeenAt(seenAt, target), recovery.SeenAt(seenAt, src)
				if len(target) == 0 && len(src) == 0 {
					return nil
				}
			}
			return start(recovery.ClassifyFromSource(asOf, src, target))
		})
	}
}

// CopyVersionFrom copies an object version of bucket from onto its own key in bucket, as CopyVersion does
// within one bucket; sourceOwner, when set, is the account from must belong to
// (x-amz-source-expected-bucket-owner), otherwise the client's.
func CopyVersionFrom(ctx context.Context, c *s3.Client, bucket, from, sourceOwner string, src recovery.Version) (Copied, error) {
	in := &s3.CopyObjectInput{
		Bucket:     aws.String(bucket),
		Key:        aws.String(src.Key),
		CopySource: aws.String(copySource(from, src.Key, src.VersionID)),
	}
	if sourceOwner != "" {
		in.ExpectedSourceBucketOwner = aws.String(sourceOwner)
	}
	if class := recovery.CopyStorageClass(src); class != "" {
		in.StorageClass = types.StorageClass(class)
	}
	out, err := c.CopyObject(ctx, in)
	if hasCode(err, codeInvalidObjectState) {
		return Copied{}, &ArchivedVersionError{Bucket: from, Key: src.Key, VersionID: src.VersionID, StorageClass: src.StorageClass, Err: err}
	}
	switch {
	case err != nil && from == bucket:
		return Copied{}, fmt.Errorf("copying version %s of %q: %w", src.VersionID, src.Key, versionGone(bucket, src.Key, src.VersionID, err))
	case hasCode(err, codeVersionsNoSuchKey, codeVersionsNoSuchVersion):
		return Copied{}, fmt.Errorf("copying version %s of %q from bucket %q: %w", src.VersionID, src.Key, from, &VersionNotFoundError{Bucket: from, Key: src.Key, VersionID: src.VersionID, Err: err})
	case err != nil:
		// NoSuchBucket could be either bucket's: passed on as S3 said it.
		return Copied{}, fmt.Errorf("copying version %s of %q from bucket %q: %w", src.VersionID, src.Key, from, err)
	}
	cp := Copied{VersionID: aws.ToString(out.VersionId)}
	if out.CopyObjectResult != nil {
		cp.ETag = aws.ToString(out.CopyObjectResult.ETag)
	}
	return cp, nil
}

// FindVersioningOf is FindVersioning of a bucket that must belong to owner ("" is the client's account): a
// restore's source bucket, which may be another account's.
func FindVersioningOf(ctx context.Context, c *s3.Client, bucket, owner string) (Versioning, error) {
	if owner == "" {
		return FindVersioning(ctx, c, bucket)
	}
	out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(owner)})
	if err != nil {
		return Versioning{}, bucketGone(bucket, err)
	}
	v := Versioning{Status: string(out.Status), MFADelete: out.MFADelete == types.MFADeleteStatusEnabled}
	if v.Status == "" {
		v.Status = bucketstate.VersioningDisabled
	}
	return v, nil
}
