package bucketstate

import (
	"strings"
	"testing"
)

const replicaKey = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// With a replica key the rule opts in to SSE-KMS objects and names the key; without one it does neither.
func TestMediaReplicationKMS(t *testing.T) {
	rule := MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole, ReplicaKMSKey: replicaKey}).Rules[0]
	if rule.SSEKMSObjects != ReplicationEnabled || rule.Destination.ReplicaKMSKey != replicaKey || len(rule.Others) != 0 || len(rule.Destination.Others) != 0 {
		t.Errorf("rule %+v, want SseKmsEncryptedObjects Enabled and the replica key, nothing else", rule)
	}
	plain := MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole}).Rules[0]
	if plain.SSEKMSObjects != "" || plain.Destination.ReplicaKMSKey != "" {
		t.Errorf("rule %+v without a replica key, want neither element", plain)
	}
}

func TestReplicationEqualKMS(t *testing.T) {
	spec := ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole, ReplicaKMSKey: replicaKey}
	want := MediaReplication(&spec)
	tests := []struct {
		name   string
		change func(r *ReplicationRule)
		eq     bool
	}{
		{"as written", func(*ReplicationRule) {}, true},
		{"SourceSelectionCriteria removed", func(r *ReplicationRule) { r.SSEKMSObjects = "" }, false},
		{"SseKmsEncryptedObjects Disabled", func(r *ReplicationRule) { r.SSEKMSObjects = ReplicationDisabled }, false},
		{"EncryptionConfiguration removed", func(r *ReplicationRule) { r.Destination.ReplicaKMSKey = "" }, false},
		{"another replica key", func(r *ReplicationRule) {
			r.Destination.ReplicaKMSKey = strings.Replace(replicaKey, "us-west-2", "eu-west-1", 1)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MediaReplication(&spec)
			tt.change(&got.Rules[0])
			if ReplicationEqual(want, got) != tt.eq || ReplicationEqual(got, want) != tt.eq {
				t.Errorf("ReplicationEqual = %t, want %t", ReplicationEqual(want, got), tt.eq)
			}
		})
	}
	// Disabled and absent mean the same to S3.
	a, b := MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole}), MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole})
	b.Rules[0].SSEKMSObjects = ReplicationDisabled
	if !ReplicationEqual(a, b) {
		t.Error("SseKmsEncryptedObjects Disabled differs from absent")
	}
}

// SourceSelectionCriteria removed out of band is a drift line that says SSE-KMS objects are no longer
// replicated.
func TestDiffReplicationKMS(t *testing.T) {
	spec := ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole, ReplicaKMSKey: replicaKey}
	want := MediaDesired(mediaBucket, mediaARN, false, nil, Retention{}, nil)
	want.Replication = MediaReplication(&spec)
	observed := observedAs(want)
	observed.Replication = MediaReplication(&spec)
	if d := Diff(want, observed); len(d) != 0 {
		t.Fatalf("matching bucket drifts: %v", d)
	}
	observed.Replication.Rules[0].SSEKMSObjects = ""
	d := Diff(want, observed)
	if len(d) != 1 || d[0].Setting != SettingReplication {
		t.Fatalf("Diff = %v, want one replication drift", d)
	}
	if !strings.Contains(d[0].Observed, "SSE-KMS objects not replicated (replica key "+replicaKey+")") ||
		!strings.Contains(d[0].Want, "SSE-KMS objects encrypted with "+replicaKey) {
		t.Errorf("drift %q, want it to say SSE-KMS objects are no longer replicated", d[0].String())
	}
}
