package s3api

// Object versions: the finder over ListObjectVersions, the writes that put objects back as they were at a
// point in time, and the bounded-concurrency walk that drives them. What to restore is decided by the
// pure package recovery; this file only talks to S3.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// DefaultRestoreConcurrency is how many keys a restore works on at once. A restore mostly waits on round
// trips, so it keeps many requests in flight: enough that a large restore is not bound by one round trip
// after another at AWS latencies, while staying far below S3's thousands of writes per second per prefix
// (and any throttling) and the idle-connection pool (maxIdleConnsPerHost).
const DefaultRestoreConcurrency = 32

// maxObjectTags is S3's limit of tags on one object version.
const maxObjectTags = 10

// S3 error codes of object-level requests, read only through hasCode.
const (
	codeVersionsNoSuchKey     = "NoSuchKey"
	codeVersionsNoSuchVersion = "NoSuchVersion"
	// codeInvalidObjectState is S3's 403 answer to a copy of an archived version that is not restored.
	// The API reference calls it ObjectNotInActiveTierError; S3 sends InvalidObjectState.
	codeInvalidObjectState = "InvalidObjectState"
)

// VersionNotFoundError says an object version named in a request no longer exists: it was permanently
// deleted between the listing and the request.
type VersionNotFoundError struct {
	Bucket, Key, VersionID string
	Err                    error
}

func (e *VersionNotFoundError) Error() string {
	return fmt.Sprintf("version %s of %q in bucket %q no longer exists (permanently deleted since it was listed?)", e.VersionID, e.Key, e.Bucket)
}
func (e *VersionNotFoundError) Unwrap() error { return e.Err }

// ArchivedVersionError says S3 refused to copy an object version because it is archived and not restored
// (403 InvalidObjectState): a GLACIER or DEEP_ARCHIVE version without a restored copy, or an
// INTELLIGENT_TIERING version in an archive access tier. A restore from the archive (RestoreObject) makes
// it copyable.
type ArchivedVersionError struct {
	Bucket, Key, VersionID, StorageClass string
	Err                                  error
}

func (e *ArchivedVersionError) Error() string {
	return fmt.Sprintf("version %s of %q in bucket %q is archived (storage class %s) and not restored, so S3 refuses to copy it: %v", e.VersionID, e.Key, e.Bucket, e.StorageClass, e.Err)
}
func (e *ArchivedVersionError) Unwrap() error { return e.Err }

func versionGone(bucket, key, versionID string, err error) error {
	if hasCode(err, codeVersionsNoSuchKey, codeVersionsNoSuchVersion) {
		return &VersionNotFoundError{Bucket: bucket, Key: key, VersionID: versionID, Err: err}
	}
	return bucketGone(bucket, err)
}

// ListVersions pages through every object version and delete marker under prefix ("" = the whole bucket)
// and hands each page to fn as plain records, object versions first, then delete markers, each in S3's
// order. It asks for each version's RestoreStatus, which says whether an archived version can be copied.
// A bucket that does not exist is a *NotFoundError. opts adjust the request (the expected owner of a bucket
// of another account).
func ListVersions(ctx context.Context, c *s3.Client, bucket, prefix string, fn func([]recovery.Version) error, opts ...func(*s3.ListObjectVersionsInput)) error {
	p := s3.NewListObjectVersionsPaginator(c, listRequest(bucket, prefix, opts))
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return listError(bucket, prefix, err)
		}
		if err := fn(fromListing(page)); err != nil {
			return err
		}
	}
	return nil
}

// listError is a failed listing's error: a bucket that does not exist is a *NotFoundError.
func listError(bucket, prefix string, err error) error {
	if err = bucketGone(bucket, err); IsNotFound(err) {
		return err
	}
	return fmt.Errorf("listing versions under %q in bucket %q: %w", prefix, bucket, err)
}

// fromListing converts one ListObjectVersions page to plain records.
func fromListing(page *s3.ListObjectVersionsOutput) []recovery.Version {
	out := make([]recovery.Version, 0, len(page.Versions)+len(page.DeleteMarkers))
	for _, v := range page.Versions {
		rv := recovery.Version{
			Key:          aws.ToString(v.Key),
			VersionID:    aws.ToString(v.VersionId),
			IsLatest:     aws.ToBool(v.IsLatest),
			LastModified: aws.ToTime(v.LastModified),
			Size:         aws.ToInt64(v.Size),
			ETag:         aws.ToString(v.ETag),
			StorageClass: string(v.StorageClass),
		}
		if rs := v.RestoreStatus; rs != nil { // absent: S3 knows no restore of the version
			rv.RestoreInProgress = aws.ToBool(rs.IsRestoreInProgress)
			rv.RestoredUntil = aws.ToTime(rs.RestoreExpiryDate)
		}
		out = append(out, rv)
	}
	for _, m := range page.DeleteMarkers {
		out = append(out, recovery.Version{
			Key:            aws.ToString(m.Key),
			VersionID:      aws.ToString(m.VersionId),
			IsDeleteMarker: true,
			IsLatest:       aws.ToBool(m.IsLatest),
			LastModified:   aws.ToTime(m.LastModified),
		})
	}
	return out
}

// Copied is the new current version a copy made.
type Copied struct {
	VersionID, ETag string
}

// CopyVersion copies an object version onto its own key, as the new current version; every earlier
// version, the source included, stays. Metadata and tags come with it; the storage class is kept too (S3
// would otherwise make the copy STANDARD), except that a copy of a restored GLACIER or DEEP_ARCHIVE
// version goes to STANDARD (recovery.CopyStorageClass). Bucket default encryption applies to the copy. A
// source S3 will not copy because it is archived is an *ArchivedVersionError.
func CopyVersion(ctx context.Context, c *s3.Client, bucket string, src recovery.Version) (Copied, error) {
	return CopyVersionFrom(ctx, c, bucket, bucket, "", src)
}

// copySource is the x-amz-copy-source value: bucket, key and version, URL-encoded. The SDK sends it as
// given, and S3 decodes it, so every byte of the key but unreserved characters and "/" is escaped ("+"
// would otherwise read as a space, "?" as the start of the query).
func copySource(bucket, key, versionID string) string {
	return bucket + "/" + recovery.EscapeKey(key) + "?versionId=" + recovery.EscapeKey(versionID)
}

// FindRestoredFrom returns the version ID a restoring copy was made from (its recovery.RestoredFromTag),
// or "" when the version carries no such tag or no longer exists.
func FindRestoredFrom(ctx context.Context, c *s3.Client, bucket, key, versionID string) (string, error) {
	tags, err := findVersionTags(ctx, c, bucket, key, versionID)
	if err != nil {
		var gone *VersionNotFoundError
		if errors.As(err, &gone) {
			return "", nil
		}
		return "", fmt.Errorf("reading the tags of version %s of %q: %w", versionID, key, err)
	}
	for _, t := range tags {
		if aws.ToString(t.Key) == recovery.RestoredFromTag {
			return aws.ToString(t.Value), nil
		}
	}
	return "", nil
}

func findVersionTags(ctx context.Context, c *s3.Client, bucket, key, versionID string) ([]types.Tag, error) {
	out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(versionID)})
	if err != nil {
		return nil, versionGone(bucket, key, versionID, err)
	}
	return out.TagSet, nil
}

// markRestored tags a restoring copy with the version it was made from, keeping the tags it copied. It is
// only needed when S3 gave the copy a new ETag; a version already holding S3's maximum of tags is left
// as it is (a later plan then counts it as overwritten again, and restoring it again is harmless).
func markRestored(ctx context.Context, c *s3.Client, bucket, key string, copied Copied, sourceVersionID string) error {
	tags, err := findVersionTags(ctx, c, bucket, key, copied.VersionID)
	if err != nil {
		return fmt.Errorf("reading the tags of the restored copy of %q: %w", key, err)
	}
	tags = slices.DeleteFunc(tags, func(t types.Tag) bool { return aws.ToString(t.Key) == recovery.RestoredFromTag })
	if len(tags) >= maxObjectTags {
		return nil
	}
	tags = append(tags, types.Tag{Key: aws.String(recovery.RestoredFromTag), Value: aws.String(sourceVersionID)})
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{
		Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(copied.VersionID),
		Tagging: &types.Tagging{TagSet: tags},
	})
	if err != nil {
		return fmt.Errorf("tagging the restored copy of %q: %w", key, versionGone(bucket, key, copied.VersionID, err))
	}
	return nil
}

// RemoveDeleteMarker permanently deletes one delete marker, so the version below it becomes current again.
// A marker already gone is not an error. Only ever call it with the ID of a delete marker: with an object
// version's ID the same request would destroy data.
func RemoveDeleteMarker(ctx context.Context, c *s3.Client, bucket, key, markerID string) error {
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(markerID)})
	if err != nil && !hasCode(err, codeVersionsNoSuchKey, codeVersionsNoSuchVersion) {
		return fmt.Errorf("removing delete marker %s of %q: %w", markerID, key, bucketGone(bucket, err))
	}
	return nil
}

// LayDeleteMarker deletes a key without a version ID: in a versioned bucket that only lays a delete
// marker, and every version stays.
func LayDeleteMarker(ctx context.Context, c *s3.Client, bucket, key string) error {
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("laying a delete marker on %q: %w", key, bucketGone(bucket, err))
	}
	return nil
}

// doAction carries out one restore action; a copy's source version is in bucket from (bucket itself, or the
// restore's Source), which must belong to fromOwner when that is set.
func doAction(ctx context.Context, c *s3.Client, bucket, from, fromOwner string, a recovery.Action) error {
	switch a.Kind {
	case recovery.CopyVersion:
		copied, err := CopyVersionFrom(ctx, c, bucket, from, fromOwner, a.Source)
		if err != nil {
			return err
		}
		if copied.ETag != a.Source.ETag {
			// S3 gave the copy a new ETag (a multipart upload on AWS, SSE-KMS): without the tag a later
			// plan could not tell this restore from an overwrite.
			return markRestored(ctx, c, bucket, a.Key, copied, a.Source.VersionID)
		}
		return nil
	case recovery.RemoveDeleteMarkers:
		for _, m := range a.Markers {
			if err := RemoveDeleteMarker(ctx, c, bucket, a.Key, m); err != nil {
				return err
			}
		}
		return nil
	case recovery.LayDeleteMarker:
		return LayDeleteMarker(ctx, c, bucket, a.Key)
	}
	return fmt.Errorf("no S3 request for restore action %v", a.Kind)
}

// RestoreOptions say what Restore does.
type RestoreOptions struct {
	AsOf     time.Time
	Recovery recovery.Options
	// SeenAt, if set, ignores every version and delete marker stamped after it: the bucket is classified
	// as it was then. A plan bounded this way stays the same while the bucket keeps changing.
	SeenAt time.Time
	// DryRun lists and classifies only: the plan.
	DryRun bool
	// Concurrency bounds the keys worked on at once; 0 means DefaultRestoreConcurrency.
	Concurrency int
	// SampleSize bounds the pending keys and blocked actions the report keeps.
	SampleSize int
	// Refused are source versions S3 refused to copy in an earlier run, key to version ID
	// (RestoreReport.Refused): they count as blocked without another request. A check after a restore
	// passes them, so the keys the restore could not copy do not look changed since.
	Refused map[string]string
	// Progress, if set, is called after each key, one call at a time; it must return quickly.
	Progress func(RestoreProgress)
	// Source, if set, is another bucket that kept the history (a replica of the media bucket): what each key
	// held at AsOf is read from it and copied from it, while what the key holds now is read from the bucket
	// restored into (recovery.ClassifyFromSource). Keys are restored by copy whatever Recovery.Method says.
	Source string
	// SourceOwner is the account Source must belong to; "" is the client's own.
	SourceOwner string
	// Pending, if set, is called with every action the restore carries out (or, with DryRun, would), one call
	// at a time, before it is done; an error stops the restore. A batch restore writes its manifest with it.
	Pending func(recovery.Action) error
}

// RestoreProgress is how far a restore has got.
type RestoreProgress struct {
	Keys     int // keys listed and classified
	Restored int // keys put back
}

// RestoreReport is what a restore found and did.
type RestoreReport struct {
	Tally    *recovery.Tally
	Keys     int
	Restored int
	// Refused are the keys whose copy S3 refused because the source version is archived (an
	// *ArchivedVersionError), each with that version's ID. They are in Tally as blocked, not pending.
	Refused map[string]string
}

// Restore lists every version under prefix, works out for each key what it takes to put it back as it
// was at AsOf, and, unless DryRun, does it, up to Concurrency keys at a time while the listing goes on.
// It never permanently deletes an object version. A key S3 refuses to copy because its source version is
// archived is not a failure: it is reported (Refused, and blocked in the tally) and the restore goes on.
// On the first failure it starts nothing new, lets the requests in flight finish and returns the report
// of what was done with the error: running it again carries on where it stopped, because restored keys
// classify as unchanged. A zero o.Recovery.Now is the time Restore starts.
func Restore(ctx context.Context, c *s3.Client, bucket, prefix string, o RestoreOptions) (*RestoreReport, error) {
	r := &RestoreReport{Tally: recovery.NewTally(o.SampleSize), Refused: map[string]string{}}
	if o.Recovery.Now.IsZero() {
		o.Recovery.Now = time.Now()
	}
	var mu sync.Mutex
	progress := func() {
		if o.Progress != nil {
			o.Progress(RestoreProgress{Keys: r.Keys, Restored: r.Restored})
		}
	}
	from := bucket
	list := listVersionsOf(c, bucket, prefix, o.AsOf, o.SeenAt)
	if o.Source != "" {
		from, list = o.Source, listFromSource(c, bucket, o.Source, o.SourceOwner, prefix, o.AsOf, o.SeenAt)
	}
	err := walkListed(ctx, c, bucket, list, o.Concurrency, func(ctx context.Context, ks recovery.KeyState) error {
		a, ok := recovery.ActionFor(ks, o.Recovery)
		if id, refused := o.Refused[a.Key]; ok && refused && a.Kind == recovery.CopyVersion && a.Blocked == "" && id == a.Source.VersionID {
			a = recovery.CopyRefused(a)
		}
		mu.Lock()
		r.Keys++
		r.Tally.Add(ks, a, ok)
		progress()
		var err error
		if ok && a.Blocked == "" && o.Pending != nil {
			err = o.Pending(a)
		}
		mu.Unlock()
		if err != nil || !ok || a.Blocked != "" || o.DryRun {
			return err
		}
		if err := doAction(ctx, c, bucket, from, o.SourceOwner, a); err != nil {
			var archived *ArchivedVersionError
			if a.Kind == recovery.CopyVersion && errors.As(err, &archived) {
				mu.Lock()
				r.Tally.Refuse(recovery.CopyRefused(a))
				r.Refused[a.Key] = a.Source.VersionID
				progress()
				mu.Unlock()
				return nil
			}
			return fmt.Errorf("restoring %q (%s): %w", a.Key, a.Change, err)
		}
		mu.Lock()
		r.Restored++
		progress()
		mu.Unlock()
		return nil
	})
	return r, err // every visit has returned: r is no longer shared
}

// FindChanges reports what changed under prefix since a point in time, keeping at most limit entries in
// each list. It only reads.
func FindChanges(ctx context.Context, c *s3.Client, bucket, prefix string, since time.Time, limit int) (*recovery.Changes, error) {
	changes := recovery.NewChanges(since, limit)
	var mu sync.Mutex
	err := walkKeys(ctx, c, bucket, prefix, since, time.Time{}, 0, func(_ context.Context, ks recovery.KeyState) error {
		mu.Lock()
		defer mu.Unlock()
		changes.Add(ks)
		return nil
	})
	return changes, err
}

// walkKeys lists every version under prefix, classifies each key as of asOf as soon as the listing has
// all its versions, and calls visit for it, up to concurrency (0 = DefaultRestoreConcurrency) keys at once,
// while the listing goes on; a full pool holds the listing back. Before visit, an overwritten key that may
// be a completed restore whose copy got a new ETag is checked for its restore tag. visit must be safe for
// concurrent use and honour its context. The first error from the listing or from visit stops new work;
// it is returned after the keys in flight are done. A non-zero seenAt classifies each key from the entries
// it had then (a key with none is skipped).
func walkKeys(ctx context.Context, c *s3.Client, bucket, prefix string, asOf, seenAt time.Time, concurrency int, visit func(context.Context, recovery.KeyState) error) error {
	return walkListed(ctx, c, bucket, listVersionsOf(c, bucket, prefix, asOf, seenAt), concurrency, visit)
}

// listVersionsOf is walkKeys's listing of one bucket's own history under prefix: each key classified as of
// asOf as soon as the listing has all its versions, from the entries it had at seenAt when that is set.
func listVersionsOf(c *s3.Client, bucket, prefix string, asOf, seenAt time.Time) func(context.Context, func(recovery.KeyState) error) error {
	return func(ctx context.Context, start func(recovery.KeyState) error) error {
		var scanner recovery.Scanner
		emit := func(_ string, entries []recovery.Version) error {
			if !seenAt.IsZero() {
				if entries = recovery.SeenAt(seenAt, entries); len(entries) == 0 {
					return nil
				}
			}
			return start(recovery.Classify(asOf, entries))
		}
		if err := listVersionsSplit(ctx, c, bucket, prefix, func(page []recovery.Version) error { return scanner.Page(page, emit) }); err != nil {
			return err
		}
		return scanner.Flush(emit)
	}
}

// walkListed is walkKeys for any listing of classified keys (list hands them to its start function): bucket
// is the bucket restored into, whose current versions may carry a restore tag.
func walkListed(ctx context.Context, c *s3.Client, bucket string, list func(context.Context, func(recovery.KeyState) error) error, concurrency int, visit func(context.Context, recovery.KeyState) error) error {
	return forEachListed(ctx, concurrency, list, func(ctx context.Context, ks recovery.KeyState) error {
		if ks.MaybeRestored() {
			from, err := FindRestoredFrom(ctx, c, bucket, ks.Key, ks.Current.VersionID)
			if err != nil {
				return err
			}
			if from == ks.AtAsOf.VersionID {
				ks.ConfirmRestored()
			}
		}
		return visit(ctx, ks)
	})
}

// forEachListed runs list, which hands items to start, and calls visit for each item on up to concurrency
// (0 = DefaultRestoreConcurrency) goroutines; start waits while all of them are busy, which holds the
// listing back. After the first error from visit (or the end of ctx) nothing new starts, start returns that
// error and so does forEachListed, once the visits in flight have returned. Those get ctx, not the group's
// context: a sibling's failure must not cancel a copy halfway, nor turn its result into "context canceled".
func forEachListed[T any](ctx context.Context, concurrency int, list func(context.Context, func(T) error) error, visit func(context.Context, T) error) error {
	if concurrency <= 0 {
		concurrency = DefaultRestoreConcurrency
	}
	g, gctx := errgroup.WithContext(ctx) // gctx ends at the first error: it stops the listing, never a visit
	g.SetLimit(concurrency)
	start := func(item T) error {
		if gctx.Err() != nil {
			return context.Cause(gctx) // the first error itself, or why ctx ended
		}
		g.Go(func() error {
			if gctx.Err() != nil { // Go waited for a slot: the walk may have stopped meanwhile
				return context.Cause(gctx)
			}
			return visit(ctx, item)
		})
		return nil
	}
	err := list(gctx, start)
	if werr := g.Wait(); werr != nil {
		return werr // the first failure; err is then only the refusal to start more
	}
	return err
}
