package bucketpolicy

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

const (
	testReplicaARN = "arn:aws:s3:::pm-replica"
	testRoleARN    = "arn:aws:iam::111122223333:role/service-role/pm-replication"
)

// grantsDelete reports whether a statement's actions reach any delete of a replica, directly or through a
// wildcard: a replicated delete marker (s3:ReplicateDelete) or any other delete.
func grantsDelete(actions []string) bool {
	for _, a := range actions {
		for _, d := range []string{"s3:ReplicateDelete", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketVersioning"} {
			if globsIntersect(wildcards(strings.ToLower(a)), literal(strings.ToLower(d))) {
				return true
			}
		}
	}
	return false
}

func TestReplicationRolePolicy(t *testing.T) {
	for _, owner := range []bool{false, true} {
		write := []string{"s3:ReplicateObject", "s3:ReplicateTags"}
		if owner {
			write = append(write, "s3:ObjectOwnerOverrideToBucketOwner")
		}
		doc := ReplicationRolePolicy(testMediaARN, testReplicaARN, owner, ReplicationKeys{})
		statements := checkStatements(t, doc, map[string]wantStatement{
			"ReadReplicationConfiguration": {"Allow", []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, []string{testMediaARN}},
			"ReadSourceVersions": {"Allow", []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
				"s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"}, []string{testMediaARN + "/*"}},
			"ReplicateIntoReplica": {"Allow", write, []string{testReplicaARN + "/*"}},
		})
		checkNoForbiddenAllow(t, statements)
		for _, s := range statements {
			if grantsDelete(s.Action) {
				t.Errorf("ownership %t: %s lets the role delete on the replica: %v", owner, s.Sid, s.Action)
			}
			for _, r := range s.Resource {
				if strings.HasPrefix(r, testReplicaARN) && slices.ContainsFunc(s.Action, func(a string) bool { return strings.HasPrefix(a, "s3:Get") }) {
					t.Errorf("%s reads from the replica: %v on %s", s.Sid, s.Action, r)
				}
			}
		}
	}
}

func TestReplicationTrustPolicy(t *testing.T) {
	got := parseDocument(t, ReplicationTrustPolicy())
	if len(got) != 1 {
		t.Fatalf("statements %+v, want one", got)
	}
	s := got[0]
	if s.Effect != "Allow" || !slices.Equal(s.Action, []string{"sts:AssumeRole"}) || s.Resource != nil || s.Condition != nil || len(s.Other) != 0 {
		t.Errorf("statement %+v, want Allow sts:AssumeRole and nothing else", s)
	}
	if !reflect.DeepEqual(s.Principal, map[string]any{"Service": "s3.amazonaws.com"}) {
		t.Errorf("principal %v, want the S3 service alone", s.Principal)
	}
	// By meaning, it is the trust policy AWS's guide shows.
	const guide = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if ok, err := Equivalent(guide, ReplicationTrustPolicy()); err != nil || !ok {
		t.Errorf("the trust policy differs from the guide's: %v", err)
	}
}

func TestReplicationDestinationPolicy(t *testing.T) {
	type grant struct {
		principal any
		actions   []string
		resources []string
	}
	accept := grant{map[string]any{"AWS": testRoleARN}, sorted("s3:ReplicateObject", "s3:ReplicateTags"), []string{testReplicaARN + "/*"}}
	ownership := grant{map[string]any{"AWS": "arn:aws:iam::111122223333:root"}, []string{"s3:ObjectOwnerOverrideToBucketOwner"}, []string{testReplicaARN + "/*"}}
	tests := []struct {
		owner bool
		want  map[string]grant
	}{
		{false, map[string]grant{"AcceptReplicasFromMediaBucket": accept}},
		{true, map[string]grant{"AcceptReplicasFromMediaBucket": accept, "AcceptReplicaOwnership": ownership}},
	}
	for _, tt := range tests {
		doc := ReplicationDestinationPolicy(testReplicaARN, testRoleARN, tt.owner)
		got := parseDocument(t, doc)
		if len(got) != len(tt.want) {
			t.Errorf("ownership %t: %d statements, want %d: %s", tt.owner, len(got), len(tt.want), doc)
		}
		for _, s := range got {
			w, ok := tt.want[s.Sid]
			if !ok {
				t.Errorf("ownership %t: unexpected statement %+v", tt.owner, s)
				continue
			}
			g := grant{s.Principal, sorted(s.Action...), sorted(s.Resource...)}
			if s.Effect != "Allow" || !reflect.DeepEqual(g, w) || s.Condition != nil || len(s.Other) != 0 {
				t.Errorf("ownership %t: %s = %+v (%s), want Allow %+v", tt.owner, s.Sid, g, s.Effect, w)
			}
			if grantsDelete(s.Action) {
				t.Errorf("%s lets the media bucket's account delete on the replica: %v", s.Sid, s.Action)
			}
			if slices.Contains(s.Resource, testReplicaARN) {
				t.Errorf("%s grants something on the replica bucket itself: %v", s.Sid, s.Action)
			}
		}
	}

	// By meaning, it is the destination policy of AWS's "Changing the replica owner", with the account as a
	// bare ID (which S3 stores as its root ARN), less s3:ReplicateDelete.
	const guide = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/service-role/pm-replication"},"Action":["s3:ReplicateTags","s3:ReplicateObject"],"Resource":"arn:aws:s3:::pm-replica/*"},` +
		`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:ObjectOwnerOverrideToBucketOwner","Resource":"arn:aws:s3:::pm-replica/*"}]}`
	if ok, err := Equivalent(guide, ReplicationDestinationPolicy(testReplicaARN, testRoleARN, true)); err != nil || !ok {
		t.Errorf("the destination policy differs from the guide's: %v", err)
	}
	// Partitions other than aws keep theirs.
	cn := ReplicationDestinationPolicy("arn:aws-cn:s3:::pm-replica", "arn:aws-cn:iam::111122223333:role/r", true)
	if !strings.Contains(cn, `"arn:aws-cn:iam::111122223333:root"`) {
		t.Errorf("the aws-cn destination policy names another partition's account: %s", cn)
	}
}

func TestValidRoleARN(t *testing.T) {
	tests := []struct {
		arn  string
		want string // a part of the error; "" for valid
	}{
		{"arn:aws:iam::111122223333:role/pm-replication", ""},
		{"arn:aws:iam::111122223333:role/service-role/pm-replication", ""},
		{"arn:aws-cn:iam::111122223333:role/r", ""},
		{"pm-replication", "is not an ARN"},
		{"arn:aws:iam::111122223333:user/alice", "is not an IAM role"},
		{"arn:aws:s3:::bucket", "is not an IAM role"},
		{"arn:aws:iam:us-east-1:111122223333:role/r", "has a region"},
		{"arn:aws:iam::1111:role/r", "12-digit"},
		{"arn:aws:iam::111122223333:role/repl-*", "no wildcards"},
		{" arn:aws:iam::111122223333:role/r", "spaces"},
		{"arn:amazon:iam::111122223333:role/r", "partition"},
	}
	for _, tt := range tests {
		err := ValidRoleARN(tt.arn)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ValidRoleARN(%q) = %v, want valid", tt.arn, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ValidRoleARN(%q) = %v, want an error saying %q", tt.arn, err, tt.want)
		}
	}
	if RoleAccount("arn:aws:iam::111122223333:role/r") != "111122223333" || RoleAccount("nope") != "" {
		t.Error("RoleAccount does not read the account")
	}
}

func TestValidBucketARN(t *testing.T) {
	tests := []struct {
		arn, name, want string
	}{
		{"arn:aws:s3:::pm-replica", "pm-replica", ""},
		{"arn:aws-us-gov:s3:::pm-replica", "pm-replica", ""},
		{"pm-replica", "", "is not an ARN"},
		{"arn:aws:s3:::pm-replica/*", "", "is not an S3 bucket ARN"},
		{"arn:aws:s3:::", "", "is not an S3 bucket ARN"},
		{"arn:aws:iam::111122223333:role/r", "", "is not an S3 bucket ARN"},
		{"arn:aws:s3:eu-west-1:111122223333:pm-replica", "", "arn:aws:s3:::pm-replica"},
	}
	for _, tt := range tests {
		name, err := ValidBucketARN(tt.arn)
		switch {
		case tt.want == "" && (err != nil || name != tt.name):
			t.Errorf("ValidBucketARN(%q) = %q, %v; want %q", tt.arn, name, err, tt.name)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ValidBucketARN(%q) = %v, want an error saying %q", tt.arn, err, tt.want)
		}
	}
	if ValidAccountID("444455556666") != nil || ValidAccountID("4444") == nil || ValidAccountID("44445555666a") == nil {
		t.Error("ValidAccountID does not check 12 digits")
	}
}

// The role's KMS statements, by meaning: decrypting with the media key and encrypting (and checking a bucket
// key) with the replica key, each only through S3 in its bucket's region and for its bucket's objects.
func TestReplicationRolePolicyKMS(t *testing.T) {
	const (
		mediaKey   = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		replicaKey = "arn:aws:kms:us-west-2:111122223333:key/abcd1234-12ab-34cd-56ef-1234567890ab"
	)
	keys := ReplicationKeys{SourceKeyARN: mediaKey, SourceViaService: S3ViaService("us-east-1", "amazonaws.com"),
		ReplicaKeyARN: replicaKey, ReplicaViaService: S3ViaService("us-west-2", "amazonaws.com")}
	got := ReplicationRolePolicy(testMediaARN, testReplicaARN, false, keys)
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["s3:ListBucket","s3:GetReplicationConfiguration"],"Resource":"` + testMediaARN + `"},` +
		`{"Effect":"Allow","Action":["s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl","s3:GetObjectVersionTagging",` +
		`"s3:GetObjectRetention","s3:GetObjectLegalHold"],"Resource":"` + testMediaARN + `/*"},` +
		`{"Effect":"Allow","Action":["s3:ReplicateObject","s3:ReplicateTags"],"Resource":"` + testReplicaARN + `/*"},` +
		`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + mediaKey + `","Condition":{"StringLike":{` +
		`"kms:ViaService":"s3.us-east-1.amazonaws.com","kms:EncryptionContext:aws:s3:arn":["` + testMediaARN + `/*","` + testMediaARN + `"]}}},` +
		`{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"` + replicaKey + `","Condition":{"StringLike":{` +
		`"kms:ViaService":"s3.us-west-2.amazonaws.com","kms:EncryptionContext:aws:s3:arn":["` + testReplicaARN + `","` + testReplicaARN + `/*"]}}}]}`
	if ok, err := Equivalent(want, got); err != nil || !ok {
		t.Errorf("role policy\n got %s\nwant one equivalent to %s (%v)", got, want, err)
	}
	for _, s := range parseDocument(t, got) {
		if grantsDelete(s.Action) {
			t.Errorf("%s lets the role delete on the replica: %v", s.Sid, s.Action)
		}
	}
	// Without keys, nothing of KMS.
	if plain := ReplicationRolePolicy(testMediaARN, testReplicaARN, false, ReplicationKeys{}); strings.Contains(plain, "kms:") {
		t.Errorf("a role policy without keys grants KMS actions: %s", plain)
	}
}
