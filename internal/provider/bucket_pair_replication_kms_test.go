package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

const (
	testMediaKey   = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testReplicaKey = "arn:aws:kms:eu-west-1:111122223333:key/abcd1234-12ab-34cd-56ef-1234567890ab"
)

// replicationConfig answers GetAttribute for validateReplication: the pair's names, media_kms_key_arn and
// media_replication, by path; absent is null.
type replicationConfig map[string]attr.Value

func (c replicationConfig) GetAttribute(_ context.Context, p path.Path, target any) diag.Diagnostics {
	v, ok := c[p.String()]
	switch t := target.(type) {
	case *types.Object:
		*t = types.ObjectNull(replicationAttrTypes)
		if ok {
			*t, _ = v.(types.Object)
		}
	case *types.String:
		*t = types.StringNull()
		if ok {
			*t, _ = v.(types.String)
		}
	default:
		return diag.Diagnostics{diag.NewErrorDiagnostic("replicationConfig", fmt.Sprintf("cannot read %s into %T", p, target))}
	}
	return nil
}

// With media_kms_key_arn, a replica without replica_kms_key_arn fails the plan on that attribute, saying S3
// would skip the objects; with it, or without a media key, or while either is unknown, the plan goes on.
func TestValidateReplicationReplicaKey(t *testing.T) {
	tests := []struct {
		name       string
		mediaKey   types.String
		replicaKey types.String
		fails      bool
	}{
		{"media key, no replica key", types.StringValue(testMediaKey), types.StringNull(), true},
		{"media key and replica key", types.StringValue(testMediaKey), types.StringValue(testReplicaKey), false},
		{"no media key", types.StringNull(), types.StringNull(), false},
		{"media key known at apply", types.StringUnknown(), types.StringNull(), false},
		{"replica key known at apply", types.StringValue(testMediaKey), types.StringUnknown(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := replicationConfig{
				"media_bucket":      types.StringValue("pm-media"),
				"static_bucket":     types.StringValue("pm-static"),
				"media_kms_key_arn": tt.mediaKey,
				"media_replication": replicationObject(map[string]attr.Value{"replica_kms_key_arn": tt.replicaKey}),
			}
			d := validateReplication(t.Context(), config)
			if d.HasError() != tt.fails {
				t.Fatalf("diagnostics %v, want an error %t", d, tt.fails)
			}
			if !tt.fails {
				return
			}
			withPath, ok := d[0].(diag.DiagnosticWithPath)
			if !ok || !withPath.Path().Equal(path.Root("media_replication").AtName("replica_kms_key_arn")) {
				t.Errorf("error %v not on media_replication.replica_kms_key_arn", d[0])
			}
			for _, says := range []string{"media_replication.replica_kms_key_arn", "silently skip every object", "replica bucket's region"} {
				if !strings.Contains(d[0].Detail(), says) {
					t.Errorf("detail %q does not say %q", d[0].Detail(), says)
				}
			}
		})
	}
}

// At apply, values only known then are checked the same way, before anything is written.
func TestReplicaProblemsReplicaKey(t *testing.T) {
	spec := bucketstate.ReplicaSpec{DestinationBucketARN: testReplicaARN, RoleARN: testReplicaRole}
	if got := replicaProblems(&spec, "pm-media", "pm-static", testMediaKey); len(got) != 1 || !strings.Contains(got[0], "media_replication.replica_kms_key_arn") {
		t.Errorf("problems %q, want one naming media_replication.replica_kms_key_arn", got)
	}
	if got := replicaProblems(&spec, "pm-media", "pm-static", ""); len(got) != 0 {
		t.Errorf("problems %q without a media key, want none", got)
	}
	spec.ReplicaKMSKey = "alias/replica"
	if got := replicaProblems(&spec, "pm-media", "pm-static", testMediaKey); len(got) != 1 || !strings.Contains(got[0], "is an alias") {
		t.Errorf("problems %q, want the alias refused", got)
	}
	spec.ReplicaKMSKey = testReplicaKey // another region than the pair's: allowed
	if got := replicaProblems(&spec, "pm-media", "pm-static", testMediaKey); len(got) != 0 {
		t.Errorf("problems %q, want none", got)
	}
}

// replica_kms_key_arn goes into the rule and comes back from it, and puts the KMS statements into the role's
// policy: the media key through S3 in the pair's region, the replica key through S3 in the key's own region.
func TestReplicationReplicaKeyModel(t *testing.T) {
	obj := replicationObject(map[string]attr.Value{"replica_kms_key_arn": types.StringValue(testReplicaKey)})
	spec, known := replicaOf(obj)
	if !known || spec == nil || spec.ReplicaKMSKey != testReplicaKey {
		t.Fatalf("replicaOf = %+v, %t", spec, known)
	}
	if back := replicationValue(bucketstate.MediaReplication(spec)); !back.Equal(obj) {
		t.Errorf("read back %v, want %v", back, obj)
	}

	m := bucketPairModel{MediaBucketARN: types.StringValue("arn:aws:s3:::pm-media"), Region: types.StringValue("us-east-1"),
		MediaKMSKeyARN: types.StringValue(testMediaKey), MediaReplication: obj}
	m.setReplicationPolicies()
	want := bucketpolicy.ReplicationRolePolicy("arn:aws:s3:::pm-media", testReplicaARN, false, bucketpolicy.ReplicationKeys{
		SourceKeyARN: testMediaKey, SourceViaService: "s3.us-east-1.amazonaws.com",
		ReplicaKeyARN: testReplicaKey, ReplicaViaService: "s3.eu-west-1.amazonaws.com"})
	if ok, err := bucketpolicy.Equivalent(want, m.ReplicationRolePolicyJSON.ValueString()); err != nil || !ok {
		t.Errorf("role policy %s, want %s (%v)", m.ReplicationRolePolicyJSON.ValueString(), want, err)
	}

	m.MediaKMSKeyARN = types.StringUnknown()
	m.setReplicationPolicies()
	if !m.ReplicationRolePolicyJSON.IsUnknown() || m.ReplicationTrustPolicyJSON.IsUnknown() {
		t.Errorf("with the media key unknown: role %v, trust %v; want only the role's policy unknown", m.ReplicationRolePolicyJSON, m.ReplicationTrustPolicyJSON)
	}
}
