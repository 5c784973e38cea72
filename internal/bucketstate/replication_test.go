package bucketstate

import (
	"strings"
	"testing"
)

const (
	replicaARN  = "arn:aws:s3:::pm-replica"
	replicaRole = "arn:aws:iam::111122223333:role/pm-replication"
)

func TestMediaReplication(t *testing.T) {
	if MediaReplication(nil) != nil {
		t.Error("no spec is not no replication")
	}
	r := MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole, StorageClass: "GLACIER_IR"})
	if r.Role != replicaRole || len(r.Rules) != 1 {
		t.Fatalf("configuration %+v, want one rule for the role", r)
	}
	rule := r.Rules[0]
	if rule.Status != ReplicationEnabled || rule.Priority == nil || *rule.Priority != 1 || !rule.Filter || rule.Prefix != "" ||
		rule.TagFilter || rule.DeleteMarkerReplication != ReplicationDisabled || len(rule.Others) != 0 {
		t.Errorf("rule %+v, want enabled, priority 1, the whole bucket, delete markers disabled, nothing else", rule)
	}
	if d := rule.Destination; d.Bucket != replicaARN || d.StorageClass != "GLACIER_IR" || d.OwnerOverride || d.Account != "" {
		t.Errorf("destination %+v, want the replica in GLACIER_IR, owned as the source", d)
	}
	if r.DeletesReachReplica() {
		t.Error("the pair's configuration carries deletes to the replica")
	}
}

// The replicas change owner only for a destination account other than the media bucket's (the role's).
func TestReplicaOwnership(t *testing.T) {
	tests := []struct {
		name, account string
		want          bool
	}{
		{"no account given", "", false},
		{"the media bucket's own account", "111122223333", false},
		{"another account", "444455556666", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole, DestinationAccount: tt.account}
			if got := spec.OwnershipToDestination(); got != tt.want {
				t.Errorf("OwnershipToDestination = %t, want %t", got, tt.want)
			}
			d := MediaReplication(&spec).Rules[0].Destination
			if d.OwnerOverride != tt.want || (d.Account != "") != tt.want {
				t.Errorf("destination %+v: owner override and account should be there exactly when ownership changes", d)
			}
		})
	}
}

func TestReplicationEqual(t *testing.T) {
	want := MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole})
	changed := func(f func(r *Replication)) *Replication {
		c := *want
		c.Rules = []ReplicationRule{want.Rules[0]}
		f(&c)
		return &c
	}
	tests := []struct {
		name string
		b    *Replication
		eq   bool
	}{
		{"same", changed(func(*Replication) {}), true},
		{"another rule ID", changed(func(r *Replication) { r.Rules[0].ID = "by-hand" }), true},
		{"another priority", changed(func(r *Replication) { p := 7; r.Rules[0].Priority = &p }), true},
		// Absent is Disabled: S3 replicates no delete markers for a rule with a Filter that does not ask.
		{"delete marker replication left out", changed(func(r *Replication) { r.Rules[0].DeleteMarkerReplication = "" }), true},
		{"none", nil, false},
		{"another role", changed(func(r *Replication) { r.Role = "arn:aws:iam::111122223333:role/other" }), false},
		{"rule disabled", changed(func(r *Replication) { r.Rules[0].Status = ReplicationDisabled }), false},
		{"delete markers replicated", changed(func(r *Replication) { r.Rules[0].DeleteMarkerReplication = ReplicationEnabled }), false},
		// The first schema (no Filter) replicates delete markers whatever the rule says.
		{"first schema", changed(func(r *Replication) { r.Rules[0].Filter = false; r.Rules[0].Priority = nil }), false},
		{"a prefix", changed(func(r *Replication) { r.Rules[0].Prefix = "uploads/" }), false},
		{"a tag filter", changed(func(r *Replication) { r.Rules[0].TagFilter = true }), false},
		{"another destination", changed(func(r *Replication) { r.Rules[0].Destination.Bucket = "arn:aws:s3:::elsewhere" }), false},
		{"a storage class", changed(func(r *Replication) { r.Rules[0].Destination.StorageClass = "GLACIER" }), false},
		{"owner override", changed(func(r *Replication) {
			r.Rules[0].Destination.OwnerOverride, r.Rules[0].Destination.Account = true, "444455556666"
		}), false},
		// The account alone changes nothing: it only names the owner of an owner override.
		{"an account without owner override", changed(func(r *Replication) { r.Rules[0].Destination.Account = "444455556666" }), true},
		{"an element the pair never writes", changed(func(r *Replication) { r.Rules[0].Others = []string{"ExistingObjectReplication"} }), false},
		{"a second rule", changed(func(r *Replication) { r.Rules = append(r.Rules, r.Rules[0]) }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReplicationEqual(want, tt.b); got != tt.eq {
				t.Errorf("ReplicationEqual = %t, want %t", got, tt.eq)
			}
			if got := ReplicationEqual(tt.b, want); got != tt.eq {
				t.Errorf("ReplicationEqual, swapped = %t, want %t", got, tt.eq)
			}
		})
	}
	if !ReplicationEqual(nil, nil) {
		t.Error("no configuration differs from no configuration")
	}
}

// Replication removed, changed or added out of band is one drift line on the media bucket, saying what S3 has
// and what the pair wants; the static bucket, whose replication is never read, never drifts for it.
func TestDiffReplication(t *testing.T) {
	want := MediaDesired(mediaBucket, mediaARN, false, nil, Retention{}, nil)
	want.Replication = MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole})
	observed := observedAs(want)
	observed.Replication = MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole})
	if d := Diff(want, observed); len(d) != 0 {
		t.Fatalf("matching bucket drifts: %v", d)
	}

	observed.Replication = nil
	d := Diff(want, observed)
	if len(d) != 1 || d[0].Setting != SettingReplication {
		t.Fatalf("Diff = %v, want one replication drift", d)
	}
	wantLine := `media bucket "pm-media": replication is absent, want to arn:aws:s3:::pm-replica as ` + replicaRole
	if got := d[0].String(); got != wantLine {
		t.Errorf("drift line\n got %q\nwant %q", got, wantLine)
	}

	observed.Replication = MediaReplication(&ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole})
	observed.Replication.Rules[0].DeleteMarkerReplication = ReplicationEnabled
	d = Diff(want, observed)
	if len(d) != 1 || !strings.Contains(d[0].Observed, "replicating delete markers") || strings.Contains(d[0].Want, "delete markers") {
		t.Errorf("Diff = %v, want a drift saying delete markers are replicated", d)
	}
	if !observed.Replication.DeletesReachReplica() {
		t.Error("a configuration replicating delete markers does not carry deletes")
	}

	// Removing the argument removes the configuration.
	want.Replication = nil
	d = Diff(want, observed)
	if len(d) != 1 || d[0].Want != "absent" {
		t.Errorf("Diff = %v, want a drift to no replication", d)
	}

	static := StaticDesired(staticBucket, staticARN, true, nil, Retention{})
	if d := Diff(static, observedAs(static)); len(d) != 0 {
		t.Errorf("static bucket drifts: %v", d)
	}
}

func TestDescribeReplication(t *testing.T) {
	spec := ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: replicaRole, DestinationAccount: "444455556666", StorageClass: "DEEP_ARCHIVE"}
	r := MediaReplication(&spec)
	r.Rules[0].Others = []string{"SourceSelectionCriteria"}
	r.Rules = append(r.Rules, ReplicationRule{Status: ReplicationDisabled, Prefix: "tmp/", Destination: ReplicaDestination{Bucket: "arn:aws:s3:::x"}})
	got := describeReplication(r)
	for _, part := range []string{
		"2 rules",
		"to arn:aws:s3:::pm-replica in DEEP_ARCHIVE owned by account 444455556666, with SourceSelectionCriteria",
		`to arn:aws:s3:::x (rule disabled) for keys under "tmp/", replicating delete markers`,
		"as " + replicaRole,
	} {
		if !strings.Contains(got, part) {
			t.Errorf("%q does not say %q", got, part)
		}
	}
}
