package s3api_test

// Object Lock on the media bucket against a real SeaweedFS, whose Object Lock answers as AWS's does (see the
// awsbehaviour package's objectlock_seaweedfs_test.go): created with the pair, turned on for an existing one,
// drift repaired, the default retention removed, and a force destroy that refuses to start while versions
// are locked.

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// lockedSpec is a fresh pair whose media bucket has a default retention of one day in GOVERNANCE mode: the
// tests must be able to remove what they lock, which COMPLIANCE mode would not let them.
func lockedSpec(t *testing.T) s3api.PairSpec {
	t.Helper()
	spec := newSpec(t)
	spec.Media.ObjectLock = &bucketstate.LockRetention{Mode: bucketstate.LockGovernance, Days: 1}
	return spec
}

func TestObjectLockAgainstSeaweedFS(t *testing.T) {
	b := startPairBench(t)
	t.Run("a pair created with Object Lock", b.testCreateLocked)
	t.Run("Object Lock turned on for an existing pair", b.testEnableLock)
	t.Run("drift repaired, and the default retention removed", b.testLockDrift)
	t.Run("force destroy refuses locked versions and deletes nothing", b.testDestroyLocked)
	t.Run("a restored copy gets the default retention", b.testRestoreLocked)
	t.Run("beside MFA Delete", b.testLockWithMFADelete)
}

func (b *pairBench) testCreateLocked(t *testing.T) {
	ctx := t.Context()
	spec := lockedSpec(t)
	var mu sync.Mutex
	asked := map[string]string{} // bucket: x-amz-bucket-object-lock-enabled of its CreateBucket
	creates := b.env.Proxy.Inject(s3proxy.Fault{Operation: "CreateBucket", Before: func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		asked[strings.Trim(r.URL.Path, "/")] = r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled")
	}})
	b.env.Proxy.ResetCounts()
	observed, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{})
	creates.Remove()
	if err != nil {
		t.Fatal(err)
	}
	defer b.unlockAndDestroy(t, spec)
	// Object Lock comes with the media bucket's creation, as AWS recommends; the static bucket never gets it.
	mu.Lock()
	if want := map[string]string{spec.Media.Bucket: "true", spec.Static.Bucket: ""}; !maps.Equal(asked, want) {
		t.Errorf("CreateBucket's x-amz-bucket-object-lock-enabled by bucket: %q, want %q", asked, want)
	}
	mu.Unlock()
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("the buckets differ from the spec: %v", left)
	}
	want := bucketstate.ObjectLock{Enabled: true, Default: spec.Media.ObjectLock}
	if got := observed.Media.ObjectLock; !got.Enabled || got.Default == nil || *got.Default != *want.Default {
		t.Errorf("media Object Lock %+v, want %+v", got, want)
	}
	// Only the media bucket's Object Lock is read: once per converging read.
	if got := b.env.Proxy.Count("GetObjectLockConfiguration"); got != s3api.DefaultConvergeReads {
		t.Errorf("GetObjectLockConfiguration sent %d times while converging, want %d (media only)", got, s3api.DefaultConvergeReads)
	}
	if observed.Static.ObjectLock.Enabled {
		t.Error("the static bucket reports Object Lock")
	}
	lock, err := s3api.FindObjectLock(ctx, b.env.Direct, spec.Static.Bucket)
	if err != nil || lock.Enabled {
		t.Errorf("the static bucket has Object Lock (%+v, %v): it was created with it", lock, err)
	}
}

func (b *pairBench) testEnableLock(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	defer b.unlockAndDestroy(t, spec)
	b.put(t, spec.Media.Bucket, "uploads/old.jpg", "before")

	spec.Media.ObjectLock = &bucketstate.LockRetention{Mode: bucketstate.LockGovernance, Days: 1}
	if got := b.drift(t, spec); !slices.Equal(got, []string{`media bucket "` + spec.Media.Bucket +
		`": Object Lock is disabled, want enabled with GOVERNANCE for 1 day retention`}) {
		t.Fatalf("drift before the repair: %q", got)
	}
	// Right after the write, a read may still answer that the bucket has no Object Lock.
	stale := b.staleRead("GetObjectLockConfiguration", spec.Media.Bucket, "ObjectLockConfigurationNotFoundError")
	b.env.Proxy.ResetCounts()
	if _, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	b.checkStaleReadWaitedOut(t, stale, "GetObjectLockConfiguration", "PutObjectLockConfiguration", 1)
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("after turning Object Lock on: %v", left)
	}
	// Versions written before stay unlocked; new ones get the default retention.
	old := b.latestVersion(t, spec.Media.Bucket, "uploads/old.jpg")
	b.put(t, spec.Media.Bucket, "uploads/new.jpg", "after")
	fresh := b.latestVersion(t, spec.Media.Bucket, "uploads/new.jpg")
	if l := b.versionLock(t, spec.Media.Bucket, "uploads/old.jpg", old); l.Mode != "" {
		t.Errorf("a version written before Object Lock was turned on is locked: %+v", l)
	}
	if l := b.versionLock(t, spec.Media.Bucket, "uploads/new.jpg", fresh); l.Mode != bucketstate.LockGovernance || !l.Locked(time.Now()) {
		t.Errorf("a new version is not locked by the default retention: %+v", l)
	}
}

func (b *pairBench) testLockDrift(t *testing.T) {
	ctx := t.Context()
	spec := lockedSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	defer b.unlockAndDestroy(t, spec)
	prefix := `media bucket "` + spec.Media.Bucket + `": Object Lock is `

	b.putLock(t, spec.Media.Bucket, &types.DefaultRetention{Mode: types.ObjectLockRetentionModeCompliance, Days: aws.Int32(1)})
	if got := b.drift(t, spec); !slices.Equal(got, []string{prefix + "enabled with COMPLIANCE for 1 day retention, want enabled with GOVERNANCE for 1 day retention"}) {
		t.Fatalf("mode changed out of band: %q", got)
	}
	b.putLock(t, spec.Media.Bucket, nil)
	if got := b.drift(t, spec); !slices.Equal(got, []string{prefix + "enabled without default retention, want enabled with GOVERNANCE for 1 day retention"}) {
		t.Fatalf("default retention removed out of band: %q", got)
	}
	if _, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("after the repair: %v", left)
	}

	// The argument removed: the default retention goes, Object Lock stays.
	spec.Media.ObjectLock = nil
	observed, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := observed.Media.ObjectLock; !got.Enabled || got.Default != nil {
		t.Errorf("after removing the default retention: %+v, want Object Lock on without one", got)
	}
}

func (b *pairBench) testDestroyLocked(t *testing.T) {
	ctx := t.Context()
	spec := lockedSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	defer b.unlockAndDestroy(t, spec)
	b.put(t, spec.Media.Bucket, "uploads/a.jpg", "1")
	b.put(t, spec.Media.Bucket, "uploads/a.jpg", "2")
	held := "uploads/held.jpg"
	if _, err := b.env.Direct.PutObject(ctx, &s3.PutObjectInput{Bucket: &spec.Media.Bucket, Key: &held, Body: strings.NewReader("h"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn}); err != nil {
		t.Fatal(err)
	}
	b.put(t, spec.Static.Bucket, "css/site.css", "body{}")

	start := time.Now()
	_, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{})
	var locked *s3api.MediaLockedError
	if !errors.As(err, &locked) {
		t.Fatalf("force destroy of a media bucket with locked versions: %v, want *MediaLockedError", err)
	}
	// The held version also gets the default retention, so it counts under both.
	if got := locked.Locked; got.Count != 3 || got.Governance != 3 || got.LegalHolds != 1 || got.Compliance != 0 || locked.Versions != 3 {
		t.Errorf("locked versions %+v of %d, want 3 of 3: 3 under GOVERNANCE, 1 held", got, locked.Versions)
	}
	if until := locked.Locked.LatestRetainUntil; until.Before(start.Add(23*time.Hour)) || until.After(time.Now().Add(25*time.Hour)) {
		t.Errorf("latest retain-until %s, want about a day from now", until)
	}
	if !strings.Contains(err.Error(), "3 of 3 object versions") {
		t.Errorf("error %q does not count the versions", err)
	}
	if !b.exists(t, spec.Static.Bucket) || !b.exists(t, spec.Media.Bucket) {
		t.Fatal("a refused destroy deleted a bucket")
	}
	if n, err := s3api.CountContents(ctx, b.env.Direct, spec.Media.Bucket); err != nil || n.Versions != 3 {
		t.Fatalf("media contents after the refused destroy: %+v, %v; want all 3 versions kept", n, err)
	}
	if n, err := s3api.CountContents(ctx, b.env.Direct, spec.Static.Bucket); err != nil || n.Versions != 1 {
		t.Fatalf("static contents after the refused destroy: %+v, %v; want its file kept", n, err)
	}

	// Once nothing is locked any more (here: governance bypassed, the hold lifted), the destroy goes through.
	b.unlock(t, spec.Media.Bucket)
	if _, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{}); err != nil {
		t.Fatalf("force destroy once nothing is locked: %v", err)
	}
	if b.exists(t, spec.Media.Bucket) || b.exists(t, spec.Static.Bucket) {
		t.Fatal("buckets left after the force destroy")
	}
}

func (b *pairBench) testRestoreLocked(t *testing.T) {
	ctx := t.Context()
	spec := lockedSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	defer b.unlockAndDestroy(t, spec)
	b.put(t, spec.Media.Bucket, "uploads/a.jpg", "original")
	time.Sleep(1100 * time.Millisecond) // S3 stamps versions to the second
	asOf := time.Now()
	time.Sleep(1100 * time.Millisecond)
	b.put(t, spec.Media.Bucket, "uploads/a.jpg", "overwritten")

	r, err := s3api.Restore(ctx, b.client, spec.Media.Bucket, "", s3api.RestoreOptions{AsOf: asOf, Recovery: recovery.Options{Method: recovery.MethodCopy}})
	if err != nil || r.Restored != 1 {
		t.Fatalf("restore: %+v, %v", r, err)
	}
	copied := b.latestVersion(t, spec.Media.Bucket, "uploads/a.jpg")
	l := b.versionLock(t, spec.Media.Bucket, "uploads/a.jpg", copied)
	if l.Mode != bucketstate.LockGovernance || !l.Locked(time.Now()) {
		t.Errorf("the restored copy %s is not under the default retention: %+v", copied, l)
	}
}

// S3 allows Object Lock and MFA Delete on one bucket: a pair gets both, and a force destroy is refused for
// its locked versions before it asks for a code.
func (b *pairBench) testLockWithMFADelete(t *testing.T) {
	ctx := t.Context()
	plain := lockedSpec(t)
	spec := specOf(plain.Media.Bucket, plain.Static.Bucket, true, bucketstate.Retention{AbortIncompleteDays: 7})
	spec.Media.ObjectLock = plain.Media.ObjectLock
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("the buckets differ from the spec: %v", left)
	}
	b.put(t, spec.Media.Bucket, "uploads/a.jpg", "1")
	_, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{})
	var locked *s3api.MediaLockedError
	if !errors.As(err, &locked) || locked.Locked.Count != 1 {
		t.Fatalf("force destroy without a code of a locked media bucket: %v, want *MediaLockedError for 1 version", err)
	}
	// MFA Delete off again (one code), then the versions unlocked and the pair destroyed.
	spec.Media.MFADelete = aws.Bool(false)
	spec.Media.Lifecycle = bucketstate.MediaLifecycle(bucketstate.Retention{AbortIncompleteDays: 7}, false)
	if _, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	b.unlockAndDestroy(t, spec)
}

// putLock sets the bucket's Object Lock configuration out of band: d as its default retention, none for nil.
func (b *pairBench) putLock(t *testing.T, bucket string, d *types.DefaultRetention) {
	t.Helper()
	cfg := &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}
	if d != nil {
		cfg.Rule = &types.ObjectLockRule{DefaultRetention: d}
	}
	if _, err := b.env.Direct.PutObjectLockConfiguration(t.Context(), &s3.PutObjectLockConfigurationInput{Bucket: &bucket, ObjectLockConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
}

// latestVersion is the current version ID of key.
func (b *pairBench) latestVersion(t *testing.T, bucket, key string) string {
	t.Helper()
	out, err := b.env.Direct.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VersionId)
}

func (b *pairBench) versionLock(t *testing.T, bucket, key, versionID string) bucketstate.VersionLock {
	t.Helper()
	l, err := s3api.FindVersionLock(t.Context(), b.env.Direct, bucket, key, versionID)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// unlock lifts every legal hold in the bucket and deletes every version with the governance retention
// bypassed, as an administrator with s3:BypassGovernanceRetention would. Compliance retention cannot be
// bypassed: the tests lock in GOVERNANCE mode only.
func (b *pairBench) unlock(t *testing.T, bucket string) {
	t.Helper()
	ctx := t.Context()
	out, err := b.env.Direct.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	var ids []types.ObjectIdentifier
	for _, v := range out.Versions {
		if _, err := b.env.Direct.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: &bucket, Key: v.Key, VersionId: v.VersionId,
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
	}
	for _, m := range out.DeleteMarkers {
		ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
	}
	if len(ids) == 0 {
		return
	}
	res, err := b.env.Direct.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, BypassGovernanceRetention: aws.Bool(true),
		Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("deleting with the governance retention bypassed: %s %s", aws.ToString(res.Errors[0].Code), aws.ToString(res.Errors[0].Message))
	}
}

// unlockAndDestroy removes what a test left, locked or not.
func (b *pairBench) unlockAndDestroy(t *testing.T, spec s3api.PairSpec) {
	t.Helper()
	if !b.exists(t, spec.Media.Bucket) {
		return
	}
	b.unlock(t, spec.Media.Bucket)
	destroy(t, b, spec)
}
