package s3api

// Pair operations: create, repair and destroy a media and static bucket pair, and wait until S3 reports
// what was written. Like Restore, each takes what the configuration wants and returns what S3 reports, so
// the write order, the MFA ordering, the lifecycle rollback and the read-back live here, testable against a
// real server without Terraform. Failures come back as the typed errors in pair_errors.go.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// Converging: S3 applies bucket configuration eventually, and AWS documents that versioning changes in
// particular can take a while to show everywhere. A write counts as done only when several reads in a row
// report it, as the AWS provider's waiters require: one matching read may have hit an up-to-date replica
// while the next still answers the old value. The reads are spaced by poll's backoff.
const (
	// DefaultConvergeTimeout bounds the read-back after writes.
	DefaultConvergeTimeout = 2 * time.Minute
	// DefaultConvergeReads is how many reads in a row must report every written setting.
	DefaultConvergeReads = 3
)

// PairSpec is what the configuration wants of both buckets.
type PairSpec struct {
	// Region is where new buckets are created.
	Region string
	// Namespace is the namespace new buckets are created in: bucketname.NamespaceAccountRegional, or
	// bucketname.NamespaceGlobal ("" means the same).
	Namespace     string
	Media, Static bucketstate.Desired
}

// PairObserved is both buckets as S3 reports them; a nil side is a bucket that does not exist.
type PairObserved struct {
	Media, Static *bucketstate.Settings
}

// Drift lists every owned setting of both buckets that differs from spec, media first.
func (spec PairSpec) Drift(o PairObserved) []bucketstate.Drift {
	return append(bucketstate.Diff(spec.Media, o.Media), bucketstate.Diff(spec.Static, o.Static)...)
}

// Logger receives the steps of a pair operation a user may want in a log. The S3 layer knows nothing of
// Terraform; the provider passes tflog through it. Both buckets are worked on at once, so a Logger must be
// safe for concurrent use.
type Logger interface {
	Info(msg string, fields map[string]any)
	Warn(msg string, fields map[string]any)
}

// PairOptions are what every pair operation shares.
type PairOptions struct {
	// MFA is the device serial and one-time code for the media bucket's guarded writes. It is sent only
	// with the requests S3 guards, and only when the operation needs it.
	MFA MFA
	// Log receives the operation's steps; nil drops them.
	Log Logger
	// Converge bounds the read-back after writes; its zero fields take the defaults.
	Converge Converge
	// Caps is what the service implements (nil: Amazon S3, which implements everything the pair uses).
	Caps *Capabilities
	// ConcurrentWrites writes the settings of one bucket at once, but for the orders S3 requires (see
	// writeAfter). Amazon S3 keeps each configuration of a bucket apart; S3-compatible servers may keep
	// them in one record per bucket and lose one of two writes that overlap (SeaweedFS does), so without it
	// a bucket's settings are written one after another. The two buckets of a pair are written at once
	// either way.
	ConcurrentWrites bool
}

func (o PairOptions) info(msg string, fields map[string]any) {
	if o.Log != nil {
		o.Log.Info(msg, fields)
	}
}

func (o PairOptions) warn(msg string, fields map[string]any) {
	if o.Log != nil {
		o.Log.Warn(msg, fields)
	}
}

// Converge says when S3 counts as reporting what was written.
type Converge struct {
	// Timeout bounds the whole wait (DefaultConvergeTimeout when 0).
	Timeout time.Duration
	// Reads in a row must all match (DefaultConvergeReads when 0).
	Reads int
}

func (c Converge) withDefaults() Converge {
	if c.Timeout <= 0 {
		c.Timeout = DefaultConvergeTimeout
	}
	if c.Reads <= 0 {
		c.Reads = DefaultConvergeReads
	}
	return c
}

// ObservePair reads both buckets of a pair concurrently, as on Amazon S3 (see ObservePairWith).
func ObservePair(ctx context.Context, c *s3.Client, media, static string) (PairObserved, error) {
	return ObservePairWith(ctx, c, nil, media, static)
}

// ObservePairWith reads both buckets of a pair concurrently, skipping what caps says the service lacks and
// learning from its NotImplemented answers.
func ObservePairWith(ctx context.Context, c *s3.Client, caps *Capabilities, media, static string) (PairObserved, error) {
	var o PairObserved
	var wg sync.WaitGroup
	var mErr, sErr error
	wg.Go(func() { o.Media, mErr = observeBucket(ctx, c, caps, media, mediaReads...) })
	wg.Go(func() { o.Static, sErr = observeBucket(ctx, c, caps, static) })
	wg.Wait()
	if mErr == nil && sErr == nil && o.Media != nil && o.Static != nil {
		caps.markKnown()
	}
	return o, errors.Join(mErr, sErr)
}

// CreatePair creates both buckets and writes every setting spec owns, then waits until S3 reports them.
//
// Nothing is created when a code is needed and missing (*MFACodeRequiredError) or a name already exists
// (one *NameCheckError per name, joined). A failure after a bucket exists is a *PartialCreateError naming
// what was created; writes S3 accepted but does not report in time are a *NotConvergedError.
func CreatePair(ctx context.Context, c *s3.Client, spec PairSpec, o PairOptions) (PairObserved, error) {
	mfa := MFA{}
	if wantsMFADelete(spec.Media) {
		if !o.MFA.Complete() {
			return PairObserved{}, &MFACodeRequiredError{Op: OpCreate, Bucket: spec.Media.Bucket, Change: "create a media bucket with MFA Delete"}
		}
		mfa = o.MFA
	}
	// Refuse before creating anything: a name already taken, by anyone, is never adopted silently.
	if err := checkNamesFree(ctx, c, spec); err != nil {
		return PairObserved{}, err
	}

	// Both buckets at once, each waited for until HeadBucket finds it. The writes that follow retry S3's
	// NoSuchBucket too, but without the wait SeaweedFS was seen to lose a setting written right after the
	// bucket was created (50 pairs at -parallelism=10 in `make bench`).
	wants := []bucketstate.Desired{spec.Media, spec.Static}
	errs := make([]error, len(wants))
	var wg sync.WaitGroup
	for i, want := range wants {
		wg.Go(func() {
			errs[i] = createBucket(ctx, c, want.Bucket, spec.Region, spec.Namespace, want.ObjectLock != nil)
			if errs[i] == nil {
				errs[i] = waitBucketVisible(ctx, c, want.Bucket)
			}
			if errs[i] == nil {
				o.info("created bucket", map[string]any{"bucket": want.Bucket, "role": string(want.Role)})
			}
		})
	}
	wg.Wait()
	var created []string
	step := ""
	for i, want := range wants {
		if errs[i] == nil {
			created = append(created, want.Bucket)
		} else if step == "" {
			step = fmt.Sprintf("creating the %s bucket", want.Role)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return PairObserved{}, partial(created, step, err)
	}
	if o.Caps.needsProbe() {
		// An S3-compatible service not read yet: learn what it implements from the new buckets before writing
		// anything, so no write goes to an API it lacks. Amazon S3 has them all.
		if _, err := ObservePairWith(ctx, c, o.Caps, spec.Media.Bucket, spec.Static.Bucket); err != nil {
			return PairObserved{}, partial(created, "reading what the service implements", err)
		}
	}

	// A new bucket has no configuration: write everything the pair owns. The static bucket's versioning
	// stays untouched (never versioned is what it should be), which the diff against a fresh bucket says.
	err := both(
		func() error { return applyFresh(ctx, c, spec.Media, mfa, o) },
		func() error { return applyFresh(ctx, c, spec.Static, MFA{}, o) },
	)
	if err != nil {
		return PairObserved{}, partial(created, "configuring the new buckets", err)
	}
	// The writes AWS's defaults make unnecessary were not sent: should S3 not report such a default, the
	// read-back writes it, so a wrong assumption costs a write, not a failed apply.
	mediaDone, staticDone := map[bucketstate.Setting]bool{}, map[bucketstate.Setting]bool{}
	return converge(ctx, spec, o.Converge, func() (PairObserved, error) {
		return ObservePairWith(ctx, c, o.Caps, spec.Media.Bucket, spec.Static.Bucket)
	}, func(observed PairObserved) error {
		return both(
			func() error { return writeUnmetDefaults(ctx, c, spec.Media, observed.Media, mediaDone, o) },
			func() error { return writeUnmetDefaults(ctx, c, spec.Static, observed.Static, staticDone, o) },
		)
	})
}

// writeUnmetDefaults writes the settings applyFresh left to a new bucket's defaults that observed shows
// differ from want, each once (done records them): only the defaults' own settings, never one applyFresh
// wrote (which may simply not show yet). None of them is guarded by MFA Delete.
func writeUnmetDefaults(ctx context.Context, c *s3.Client, want bucketstate.Desired, observed *bucketstate.Settings, done map[bucketstate.Setting]bool, o PairOptions) error {
	if observed == nil {
		return nil // not visible yet: the next read tells
	}
	written := bucketstate.SettingsOf(bucketstate.Diff(want, newBucketDefaults(want.KnowsSSECBlocking)))
	var unmet []bucketstate.Setting
	for _, s := range bucketstate.SettingsOf(bucketstate.Diff(want, observed)) {
		if !slices.Contains(written, s) && !done[s] {
			unmet = append(unmet, s)
			done[s] = true
		}
	}
	if len(unmet) == 0 {
		return nil
	}
	o.warn("a new bucket lacks a default it was expected to have: writing it", map[string]any{"bucket": want.Bucket, "settings": unmet})
	return applySettings(ctx, c, want, unmet, MFA{}, o)
}

// RepairPair puts every owned setting of both buckets back as spec wants it, recreating a bucket deleted
// out of band, then waits until S3 reports it. It repairs from a fresh read, never from an older refresh.
//
// A write S3 guards with MFA Delete (turning MFA Delete on or off, or versioning while it is on) needs
// o.MFA: without it nothing is changed (*MFACodeRequiredError). That write goes first and alone, so a
// refused code leaves both buckets as they were; when it fails after the lifecycle configuration was removed
// to make way for MFA Delete, the configuration is put back.
func RepairPair(ctx context.Context, c *s3.Client, spec PairSpec, o PairOptions) (PairObserved, error) {
	observed, err := ObservePairWith(ctx, c, o.Caps, spec.Media.Bucket, spec.Static.Bucket)
	if err != nil {
		return PairObserved{}, err
	}
	mediaDrift := bucketstate.Diff(spec.Media, observed.Media)
	guarded := bucketstate.NeedsMFA(observed.Media, mediaDrift)
	mfa := MFA{} // the code goes only where S3 asks for it
	if guarded {
		if !o.MFA.Complete() {
			return PairObserved{}, &MFACodeRequiredError{Op: OpUpdate, Bucket: spec.Media.Bucket,
				Change: "change " + joinSettings(bucketstate.SettingsOf(mediaDrift)) + " of the media bucket " + spec.Media.Bucket +
					", which has MFA Delete on or is getting it"}
		}
		mfa = o.MFA
	}

	repairMedia := func() error {
		err := repairBucket(ctx, c, spec, spec.Media, observed.Media, mfa, o)
		if err == nil || !guarded || observed.Media == nil || observed.Media.Lifecycle.Empty() || !spec.Media.Lifecycle.Empty() {
			return err
		}
		// Enabling MFA Delete removed the lifecycle configuration first (S3 refuses both at once); the
		// guarded write then failed, so put the bucket back as it was.
		restore := spec.Media
		restore.Lifecycle = observed.Media.Lifecycle
		if rErr := applySettings(ctx, c, restore, []bucketstate.Setting{bucketstate.SettingLifecycle}, MFA{}, o); rErr != nil {
			return errors.Join(err, fmt.Errorf("restoring the lifecycle configuration removed for MFA Delete: %w", rErr))
		}
		o.warn("restored the media bucket's lifecycle configuration after the MFA Delete write failed", map[string]any{"bucket": spec.Media.Bucket})
		return err
	}
	repairStatic := func() error { return repairBucket(ctx, c, spec, spec.Static, observed.Static, MFA{}, o) }
	if guarded {
		// applySettings writes versioning before anything else: the guarded write is the first request.
		if err = repairMedia(); err == nil {
			err = repairStatic()
		}
	} else {
		err = both(repairMedia, repairStatic)
	}
	if err != nil {
		return PairObserved{}, err
	}
	return waitConverged(ctx, c, spec, o)
}

// repairBucket rewrites the drifted settings of one bucket, creating it first when it is gone.
func repairBucket(ctx context.Context, c *s3.Client, spec PairSpec, want bucketstate.Desired, observed *bucketstate.Settings, mfa MFA, o PairOptions) error {
	if observed == nil {
		if err := createBucket(ctx, c, want.Bucket, spec.Region, spec.Namespace, want.ObjectLock != nil); err != nil {
			return err
		}
		if err := waitBucketVisible(ctx, c, want.Bucket); err != nil {
			return err
		}
		o.warn("recreated a bucket deleted outside Terraform", map[string]any{"bucket": want.Bucket, "role": string(want.Role)})
		return applyFresh(ctx, c, want, mfa, o)
	}
	if observed.SSECBlocked != nil {
		want.KnowsSSECBlocking = true // the server reported it, so it understands the setting
	}
	want.SystemTags = bucketstate.SystemTags(observed.Tags)
	drift := bucketstate.Diff(want, observed)
	for _, d := range drift {
		o.info("repairing drift", map[string]any{"drift": d.String()})
	}
	return applySettings(ctx, c, want, bucketstate.SettingsOf(drift), mfa, o)
}

// applyFresh writes onto a bucket created moments ago whatever differs from a new bucket's defaults, so a
// write that would change nothing is never sent.
// Nothing is written for a feature the service lacks.
func applyFresh(ctx context.Context, c *s3.Client, want bucketstate.Desired, mfa MFA, o PairOptions) error {
	defaults := newBucketDefaults(want.KnowsSSECBlocking)
	defaults.Unsupported = o.Caps.Unsupported()
	return applyNew(ctx, c, want, bucketstate.SettingsOf(bucketstate.Diff(want, defaults)), mfa, o)
}

// newBucketDefaults is what a bucket has right after createBucket. On Amazon S3 (onAWS) every new general
// purpose bucket has all four public access block settings on and default encryption with S3-managed keys
// (both since 2023), ACLs disabled (createBucket asks for BucketOwnerEnforced), and SSE-C blocked (since April
// 2026). S3-compatible servers promise none of that: there only "never versioned" is assumed. The read-back
// after the writes confirms the assumption either way.
func newBucketDefaults(onAWS bool) *bucketstate.Settings {
	s := &bucketstate.Settings{Versioning: bucketstate.VersioningDisabled}
	if onAWS {
		blocked := true
		s.PublicAccessBlock = &bucketstate.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
		s.Ownership = bucketstate.OwnershipBucketOwnerEnforced
		s.Encryption = bucketstate.EncryptionSSES3
		s.SSECBlocked = &blocked
	}
	return s
}

// WaitPairConverged reads both buckets until conv.Reads reads in a row report no drift from spec, and
// returns the last read. When that does not happen within conv.Timeout, it returns a *NotConvergedError
// with what was still different and the last read, so the caller can record what is real.
func WaitPairConverged(ctx context.Context, c *s3.Client, spec PairSpec, conv Converge) (PairObserved, error) {
	return waitConverged(ctx, c, spec, PairOptions{Converge: conv})
}

// waitConverged is WaitPairConverged with o's capabilities.
func waitConverged(ctx context.Context, c *s3.Client, spec PairSpec, o PairOptions) (PairObserved, error) {
	return converge(ctx, spec, o.Converge, func() (PairObserved, error) {
		return ObservePairWith(ctx, c, o.Caps, spec.Media.Bucket, spec.Static.Bucket)
	}, nil)
}

// converge reads with observe until conv.Reads reads in a row show no drift. fix, when not nil, is handed
// every read that shows drift, to write what it finds missing.
func converge(ctx context.Context, spec PairSpec, conv Converge, observe func() (PairObserved, error), fix func(PairObserved) error) (PairObserved, error) {
	conv = conv.withDefaults()
	var last PairObserved
	var left []bucketstate.Drift
	matched := 0
	err := poll(ctx, conv.Timeout, func() (bool, error) {
		o, err := observe()
		if err != nil {
			return false, err
		}
		last, left = o, spec.Drift(o)
		if len(left) > 0 {
			matched = 0
			if fix != nil {
				return false, fix(o)
			}
			return false, nil
		}
		matched++
		return matched >= conv.Reads, nil
	})
	if err != nil {
		return last, &NotConvergedError{Left: left, Observed: last, Err: err}
	}
	return last, nil
}

// DestroyReport says what a destroy removed.
type DestroyReport struct {
	// StaticVersions and MediaVersions count the versions and delete markers deleted from each bucket.
	StaticVersions, MediaVersions int
	// MediaGone is set when the media bucket no longer existed before the destroy.
	MediaGone bool
}

// maxDeletePerRequest is S3's limit of keys in one DeleteObjects request.
const maxDeletePerRequest = 1000

// DestroyPair deletes both buckets. The media side is settled before anything is deleted: a media bucket
// holding anything is refused (*MediaNotEmptyError) unless forceDestroy, and one with MFA Delete needs
// o.MFA (*MFACodeRequiredError) and must fit in one DeleteObjects request (*MFADestroyTooLargeError), since
// every request needs its own code and a destroy has only one; one whose versions S3 Object Lock still
// protects is refused too (*MediaLockedError), since S3 would refuse to delete those; in each case nothing at
// all is deleted. Under
// MFA Delete the media bucket is emptied first, with that one request, so the code is spent before anything
// else is gone. A failure part-way is a *DestroyError saying what was already deleted. A bucket already
// gone counts as deleted.
func DestroyPair(ctx context.Context, c *s3.Client, media, static string, forceDestroy bool, o PairOptions) (*DestroyReport, error) {
	r := &DestroyReport{}
	contents, err := CountContents(ctx, c, media)
	r.MediaGone = IsNotFound(err)
	if err != nil && !r.MediaGone {
		return r, &DestroyError{Step: StepCheckMedia, Err: err}
	}
	mediaMFA := MFA{}
	if !r.MediaGone && !contents.Empty() {
		if !forceDestroy {
			return r, &MediaNotEmptyError{Bucket: media, Static: static, Contents: contents}
		}
		if err := refuseLockedMedia(ctx, c, o.Caps, media, static, contents, time.Now()); err != nil {
			return r, err
		}
		v, err := FindVersioning(ctx, c, media)
		if err != nil {
			return r, &DestroyError{Step: StepCheckMedia, Err: err}
		}
		if v.MFADelete {
			if !o.MFA.Complete() {
				return r, &MFACodeRequiredError{Op: OpDelete, Bucket: media, Change: "permanently delete every version in the media bucket " + media}
			}
			if n := contents.Versions + contents.DeleteMarkers; n > maxDeletePerRequest {
				return r, &MFADestroyTooLargeError{Bucket: media, Entries: n}
			}
			mediaMFA = o.MFA
		}
	}
	if mediaMFA.Complete() {
		o.warn("media_force_destroy: permanently deleting every version in the media bucket, with the one MFA code",
			map[string]any{"bucket": media, "versions": contents.Versions, "delete_markers": contents.DeleteMarkers})
		if r.MediaVersions, err = emptyBucket(ctx, c, media, bucketstate.Media, mediaMFA); err != nil {
			return r, &DestroyError{Step: StepDeleteMedia, Err: err}
		}
	}

	r.StaticVersions, err = emptyAndDelete(ctx, c, static, bucketstate.Static, MFA{})
	if err != nil {
		return r, &DestroyError{Step: StepDeleteStatic, Err: err}
	}
	o.info("deleted static bucket", map[string]any{"bucket": static, "versions_deleted": r.StaticVersions})
	switch {
	case r.MediaGone:
		return r, nil
	case contents.Empty() || mediaMFA.Complete():
		// Counted empty a moment ago, or emptied above: no need to list it again.
		if err := DeleteBucket(ctx, c, media); err != nil {
			return r, &DestroyError{Step: StepDeleteMedia, Deleted: []string{static}, Err: err}
		}
		return r, nil
	}
	o.warn("media_force_destroy: permanently deleting every version in the media bucket",
		map[string]any{"bucket": media, "versions": contents.Versions, "delete_markers": contents.DeleteMarkers})
	if r.MediaVersions, err = emptyAndDelete(ctx, c, media, bucketstate.Media, mediaMFA); err != nil {
		return r, &DestroyError{Step: StepDeleteMedia, Deleted: []string{static}, Err: err}
	}
	return r, nil
}

// emptyAndDelete removes every version and then the bucket; a bucket already gone counts as deleted.
func emptyAndDelete(ctx context.Context, c *s3.Client, bucket string, role bucketstate.Role, mfa MFA) (int, error) {
	n, err := emptyBucket(ctx, c, bucket, role, mfa)
	if err != nil && !IsNotFound(err) {
		return n, err
	}
	return n, DeleteBucket(ctx, c, bucket)
}

// checkNamesFree asks about both names at once.
func checkNamesFree(ctx context.Context, c *s3.Client, spec PairSpec) error {
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, want := range []bucketstate.Desired{spec.Media, spec.Static} {
		wg.Go(func() {
			switch s, err := FindNameStatus(ctx, c, want.Bucket); {
			case err != nil:
				errs[i] = &NameCheckError{Role: want.Role, Bucket: want.Bucket, Err: err}
			case s.Existence != Absent:
				errs[i] = &NameCheckError{Role: want.Role, Bucket: want.Bucket, Existence: s.Existence, Region: s.Region}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// both runs the media and static work at once and reports both failures.
func both(media, static func() error) error {
	var wg sync.WaitGroup
	var mErr, sErr error
	wg.Go(func() { mErr = media() })
	wg.Go(func() { sErr = static() })
	wg.Wait()
	return errors.Join(mErr, sErr)
}

func wantsMFADelete(d bucketstate.Desired) bool { return d.MFADelete != nil && *d.MFADelete }

func partial(created []string, step string, err error) error {
	if len(created) == 0 {
		return err
	}
	return &PartialCreateError{Created: created, Step: step, Err: err}
}
