package s3api

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// The replica key's two elements go into the request as S3 defines them and read back into the same
// configuration; an EncryptionConfiguration without a key, or ReplicaModifications, read back as elements the
// pair never writes.
func TestReplicationConfigurationKMSElements(t *testing.T) {
	const key = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	want := bucketstate.MediaReplication(&bucketstate.ReplicaSpec{DestinationBucketARN: "arn:aws:s3:::pm-replica",
		RoleARN: "arn:aws:iam::111122223333:role/pm-replication", ReplicaKMSKey: key})
	cfg := toReplicationConfiguration(want)
	r := cfg.Rules[0]
	if r.SourceSelectionCriteria == nil || r.SourceSelectionCriteria.SseKmsEncryptedObjects == nil ||
		r.SourceSelectionCriteria.SseKmsEncryptedObjects.Status != types.SseKmsEncryptedObjectsStatusEnabled ||
		r.Destination.EncryptionConfiguration == nil || aws.ToString(r.Destination.EncryptionConfiguration.ReplicaKmsKeyID) != key {
		t.Fatalf("request rule %+v (destination %+v), want SseKmsEncryptedObjects Enabled and ReplicaKmsKeyID", r, r.Destination)
	}
	if got := fromReplicationConfiguration(cfg); !bucketstate.ReplicationEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}

	plain := toReplicationConfiguration(bucketstate.MediaReplication(&bucketstate.ReplicaSpec{DestinationBucketARN: "arn:aws:s3:::pm-replica",
		RoleARN: "arn:aws:iam::111122223333:role/pm-replication"}))
	if plain.Rules[0].SourceSelectionCriteria != nil || plain.Rules[0].Destination.EncryptionConfiguration != nil {
		t.Errorf("without a replica key the request has %+v", plain.Rules[0])
	}

	cfg.Rules[0].Destination.EncryptionConfiguration = &types.EncryptionConfiguration{}
	cfg.Rules[0].SourceSelectionCriteria.ReplicaModifications = &types.ReplicaModifications{Status: types.ReplicaModificationsStatusEnabled}
	got := fromReplicationConfiguration(cfg).Rules[0]
	if got.Destination.ReplicaKMSKey != "" || len(got.Destination.Others) != 1 || got.Destination.Others[0] != "EncryptionConfiguration" ||
		len(got.Others) != 1 || got.Others[0] != "ReplicaModifications" || got.SSEKMSObjects != bucketstate.ReplicationEnabled {
		t.Errorf("read back %+v, want the keyless EncryptionConfiguration and ReplicaModifications named as others", got)
	}
}
