package bench

import (
	"maps"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// ownedSettingReads are the only calls a refresh may make: one per owned setting per bucket. Read issues
// them all at once, and nothing else: no HeadBucket, no GetBucketLocation, no polling.
var ownedSettingReads = []string{
	"GetBucketVersioning", // versioning and MFA Delete
	"GetPublicAccessBlock",
	"GetBucketOwnershipControls",
	"GetBucketEncryption",
	"GetBucketPolicy",
	"GetBucketTagging",
	"GetBucketLifecycleConfiguration",
	"GetBucketCors",
}

// mediaOnlyReads are the reads of settings the pair owns on the media bucket alone: one per pair.
var mediaOnlyReads = []string{
	"GetBucketReplication",       // media_replication
	"GetObjectLockConfiguration", // media_object_lock
}

// TestRefreshCallsPerPair guards the refresh cost: a plan of n pairs makes exactly 2 calls of each owned
// setting's read per pair (media and static) and 1 of each media-only read, 18 per pair in all, plus one STS
// GetCallerIdentity per plan for the account every request names as the expected bucket owner.
func TestRefreshCallsPerPair(t *testing.T) {
	requireHarness(t)
	const pairs = 3
	w := newWorkspace(t, pairs)
	harness.env.Proxy.ResetCounts()
	w.plan(t)
	got := harness.env.Proxy.Counts()
	want := map[string]int{}
	for _, op := range ownedSettingReads {
		want[op] = 2 * pairs
	}
	for _, op := range mediaOnlyReads {
		want[op] = pairs
	}
	want[s3proxy.STS] = 1
	if !maps.Equal(got, want) {
		t.Fatalf("S3 calls for a plan of %d pairs:\n got  %v\n want %v", pairs, got, want)
	}
	total := 0
	for _, n := range got {
		total += n
	}
	t.Logf("%d pairs: %d S3 calls, %d per pair", pairs, total, total/pairs)
}
