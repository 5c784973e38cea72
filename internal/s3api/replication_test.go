package s3api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// The media bucket's replication through the pair operations, against SeaweedFS behind the AWS layer that
// keeps replication configurations: written on create after versioning (retried while S3 still answers as
// for an unversioned bucket), read on the media bucket only, repaired, refused for an unversioned replica
// without waiting, and removed.
func TestPairReplicationAgainstSeaweedFS(t *testing.T) {
	b := startPairBench(t)
	b.aws.StoreReplication()
	ctx := t.Context()
	spec := newSpec(t)
	replica := spec.Media.Bucket + "-replica"
	for _, bucket := range []string{replica, replica + "-unversioned"} {
		if _, err := b.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(replica),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::000000000000:role/pm-replication"
	spec.Media.Replication = bucketstate.MediaReplication(&bucketstate.ReplicaSpec{DestinationBucketARN: "arn:aws:s3:::" + replica, RoleARN: role})

	// Right after versioning is enabled, S3 may still judge the bucket unversioned: the write is retried.
	lag := b.env.Proxy.Inject(s3proxy.Fault{Operation: "PutBucketReplication", Bucket: spec.Media.Bucket, Status: http.StatusBadRequest,
		Code: "InvalidRequest", Message: "Versioning must be 'Enabled' on the bucket to apply a replication configuration", Times: 2})
	b.env.Proxy.ResetCounts()
	observed, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{})
	if err != nil {
		t.Fatalf("CreatePair with replication: %v", err)
	}
	if lag.Hits() != 2 || b.env.Proxy.Counts()["PutBucketReplication"] != 3 {
		t.Errorf("PutBucketReplication sent %d times with %d refused, want 3 and 2", b.env.Proxy.Counts()["PutBucketReplication"], lag.Hits())
	}
	if !bucketstate.ReplicationEqual(observed.Media.Replication, spec.Media.Replication) || observed.Static.Replication != nil {
		t.Fatalf("observed media %+v, static %+v; want the configuration on media only", observed.Media.Replication, observed.Static.Replication)
	}
	if b.aws.ReplicationRole(spec.Media.Bucket) != role || b.aws.HoldsReplication(spec.Static.Bucket) {
		t.Error("the layer holds the wrong configurations")
	}

	// A refresh reads replication on the media bucket alone.
	b.env.Proxy.ResetCounts()
	if _, err := s3api.ObservePair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket); err != nil {
		t.Fatal(err)
	}
	if n := b.env.Proxy.Counts()["GetBucketReplication"]; n != 1 {
		t.Errorf("a refresh read replication %d times, want once, on the media bucket", n)
	}

	// Removed by hand: drift, repaired.
	if _, err := b.client.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String(spec.Media.Bucket)}); err != nil {
		t.Fatal(err)
	}
	if d := b.drift(t, spec); len(d) != 1 || !strings.Contains(d[0], "replication is absent") {
		t.Errorf("drift %q, want the missing replication", d)
	}
	// AWS documents that a read soon after the write may still answer the old configuration.
	stale := b.staleRead("GetBucketReplication", spec.Media.Bucket, "ReplicationConfigurationNotFoundError")
	b.env.Proxy.ResetCounts()
	if _, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatalf("RepairPair: %v", err)
	}
	b.checkStaleReadWaitedOut(t, stale, "GetBucketReplication", "PutBucketReplication", 1)
	if !b.aws.HoldsReplication(spec.Media.Bucket) {
		t.Error("the repair did not write the configuration back")
	}

	// Into a replica without versioning, S3's refusal comes back at once: no versioning was written, so
	// there is nothing to wait for.
	unversioned := spec
	unversioned.Media.Replication = bucketstate.MediaReplication(&bucketstate.ReplicaSpec{DestinationBucketARN: "arn:aws:s3:::" + replica + "-unversioned", RoleARN: role})
	start := time.Now()
	_, err = s3api.RepairPair(ctx, b.client, unversioned, s3api.PairOptions{})
	if err == nil || !strings.Contains(err.Error(), "Destination bucket must have versioning enabled") || !strings.Contains(err.Error(), "setting replication on media bucket") {
		t.Errorf("RepairPair into an unversioned replica: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the refusal took %s: retried without cause", d)
	}

	// Without the argument, the configuration goes.
	none := spec
	none.Media.Replication = nil
	if observed, err := s3api.RepairPair(ctx, b.client, none, s3api.PairOptions{}); err != nil || observed.Media.Replication != nil {
		t.Fatalf("RepairPair without replication: %+v (%v)", observed.Media, err)
	}
	if b.aws.HoldsReplication(spec.Media.Bucket) {
		t.Error("the configuration is still there")
	}
}
