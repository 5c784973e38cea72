package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

const (
	testReplicaARN  = "arn:aws:s3:::pm-replica"
	testReplicaRole = "arn:aws:iam::111122223333:role/pm-replication"
)

func replicationObject(values map[string]attr.Value) types.Object {
	all := map[string]attr.Value{
		"destination_bucket_arn": types.StringValue(testReplicaARN),
		"role_arn":               types.StringValue(testReplicaRole),
		"destination_account_id": types.StringNull(),
		"storage_class":          types.StringNull(),
		"replica_kms_key_arn":    types.StringNull(),
	}
	for k, v := range values {
		all[k] = v
	}
	return types.ObjectValueMust(replicationAttrTypes, all)
}

func TestReplicaOf(t *testing.T) {
	if spec, known := replicaOf(types.ObjectNull(replicationAttrTypes)); spec != nil || !known {
		t.Errorf("null: %+v, %t; want none, known", spec, known)
	}
	if _, known := replicaOf(types.ObjectUnknown(replicationAttrTypes)); known {
		t.Error("unknown object counts as known")
	}
	if _, known := replicaOf(replicationObject(map[string]attr.Value{"role_arn": types.StringUnknown()})); known {
		t.Error("an unknown role counts as known")
	}
	spec, known := replicaOf(replicationObject(map[string]attr.Value{
		"destination_account_id": types.StringValue("444455556666"), "storage_class": types.StringValue("GLACIER_IR"),
	}))
	want := bucketstate.ReplicaSpec{DestinationBucketARN: testReplicaARN, RoleARN: testReplicaRole, DestinationAccount: "444455556666", StorageClass: "GLACIER_IR"}
	if !known || spec == nil || *spec != want {
		t.Errorf("replicaOf = %+v, %t; want %+v", spec, known, want)
	}
}

// An imported pair reads the argument back from the bucket's configuration, and converting it again gives the
// configuration the pair writes: importing a pair the provider made plans nothing.
func TestReplicationValueRoundTrip(t *testing.T) {
	for _, spec := range []bucketstate.ReplicaSpec{
		{DestinationBucketARN: testReplicaARN, RoleARN: testReplicaRole},
		{DestinationBucketARN: testReplicaARN, RoleARN: testReplicaRole, DestinationAccount: "444455556666", StorageClass: "DEEP_ARCHIVE"},
	} {
		written := bucketstate.MediaReplication(&spec)
		back, known := replicaOf(replicationValue(written))
		if !known || back == nil || !bucketstate.ReplicationEqual(bucketstate.MediaReplication(back), written) {
			t.Errorf("%+v reads back as %+v", spec, back)
		}
	}
	if !replicationValue(nil).IsNull() {
		t.Error("no configuration reads back as an argument")
	}
	// destination_account_id of the media bucket's own account changes nothing, and reads back unset.
	same := bucketstate.ReplicaSpec{DestinationBucketARN: testReplicaARN, RoleARN: testReplicaRole, DestinationAccount: "111122223333"}
	if v := replicationValue(bucketstate.MediaReplication(&same)); !v.Attributes()["destination_account_id"].IsNull() {
		t.Errorf("same-account replica reads back with an account: %v", v)
	}
}

func TestSetReplicationPolicies(t *testing.T) {
	m := bucketPairModel{MediaBucketARN: types.StringValue("arn:aws:s3:::pm-media"), MediaReplication: types.ObjectNull(replicationAttrTypes)}
	m.setReplicationPolicies()
	if !m.ReplicationRolePolicyJSON.IsNull() || !m.ReplicationTrustPolicyJSON.IsNull() || !m.ReplicationDestinationPolicyJSON.IsNull() {
		t.Error("policies without media_replication")
	}
	m.MediaReplication = replicationObject(map[string]attr.Value{"destination_bucket_arn": types.StringUnknown()})
	m.setReplicationPolicies()
	if !m.ReplicationRolePolicyJSON.IsUnknown() || !m.ReplicationDestinationPolicyJSON.IsUnknown() {
		t.Error("policies known while the replica is not")
	}

	m.MediaReplication = replicationObject(map[string]attr.Value{"destination_account_id": types.StringValue("444455556666")})
	m.setReplicationPolicies()
	for name, pair := range map[string][2]string{
		"role":        {m.ReplicationRolePolicyJSON.ValueString(), bucketpolicy.ReplicationRolePolicy("arn:aws:s3:::pm-media", testReplicaARN, true, bucketpolicy.ReplicationKeys{})},
		"trust":       {m.ReplicationTrustPolicyJSON.ValueString(), bucketpolicy.ReplicationTrustPolicy()},
		"destination": {m.ReplicationDestinationPolicyJSON.ValueString(), bucketpolicy.ReplicationDestinationPolicy(testReplicaARN, testReplicaRole, true)},
	} {
		if ok, err := bucketpolicy.Equivalent(pair[0], pair[1]); err != nil || !ok {
			t.Errorf("%s policy %s, want %s (%v)", name, pair[0], pair[1], err)
		}
	}
	if !strings.Contains(m.ReplicationRolePolicyJSON.ValueString(), "s3:ObjectOwnerOverrideToBucketOwner") {
		t.Error("a replica owned by another account without the owner override in the role's policy")
	}
}

func TestReplicaProblems(t *testing.T) {
	spec := func(f func(s *bucketstate.ReplicaSpec)) *bucketstate.ReplicaSpec {
		s := bucketstate.ReplicaSpec{DestinationBucketARN: testReplicaARN, RoleARN: testReplicaRole}
		f(&s)
		return &s
	}
	tests := []struct {
		name string
		spec *bucketstate.ReplicaSpec
		want string
	}{
		{"none", nil, ""},
		{"valid", spec(func(*bucketstate.ReplicaSpec) {}), ""},
		{"the media bucket", spec(func(s *bucketstate.ReplicaSpec) { s.DestinationBucketARN = "arn:aws:s3:::pm-media" }), "names the media bucket"},
		{"the static bucket", spec(func(s *bucketstate.ReplicaSpec) { s.DestinationBucketARN = "arn:aws:s3:::pm-static" }), "names the static bucket"},
		{"not an ARN", spec(func(s *bucketstate.ReplicaSpec) { s.DestinationBucketARN = "pm-replica" }), "destination_bucket_arn: \"pm-replica\" is not an ARN"},
		{"a bad bucket name", spec(func(s *bucketstate.ReplicaSpec) { s.DestinationBucketARN = "arn:aws:s3:::PM_Replica" }), "naming rules"},
		{"a user, not a role", spec(func(s *bucketstate.ReplicaSpec) { s.RoleARN = "arn:aws:iam::111122223333:user/u" }), "role_arn:"},
		{"a short account", spec(func(s *bucketstate.ReplicaSpec) { s.DestinationAccount = "4444" }), "destination_account_id:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := replicaProblems(tt.spec, "pm-media", "pm-static", "")
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("problems %q, want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("problems %q, want one saying %q", got, tt.want)
			}
		})
	}
}

func TestReplicationRoleAccount(t *testing.T) {
	spec := &bucketstate.ReplicaSpec{DestinationBucketARN: testReplicaARN, RoleARN: testReplicaRole}
	if d := replicationRoleAccount(spec, "arn:aws:sts::111122223333:assumed-role/Terraform/ci", nil); d.HasError() {
		t.Errorf("a role of the caller's account: %v", d)
	}
	d := replicationRoleAccount(spec, "arn:aws:iam::999988887777:user/ci", nil)
	if !d.HasError() || !strings.Contains(d[0].Detail(), "account 111122223333") || !strings.Contains(d[0].Detail(), "account 999988887777") {
		t.Errorf("a role of another account: %v", d)
	}
	if d := replicationRoleAccount(spec, "", errors.New("no STS")); d.HasError() {
		t.Errorf("an unknown caller fails the plan: %v", d)
	}
}
