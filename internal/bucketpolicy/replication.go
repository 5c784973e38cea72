package bucketpolicy

// This file holds the policy documents a replica of the media bucket needs (media_replication): the IAM role
// S3 assumes to replicate (its permissions and its trust policy) and the replica bucket's policy when another
// account owns it, as "Setting up permissions for live replication" and "Changing the replica owner" (Amazon
// S3 User Guide) describe them, less one thing: s3:ReplicateDelete is never granted. The pair does not
// replicate delete markers, and S3 never replicates the deletion of a version, so a role without it can
// carry no delete to the replica even if the replication configuration were changed out of band.

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Sids of the replication documents' statements: part of what users attach and read, so never changed once
// released.
const (
	sidReadReplicationConfiguration = "ReadReplicationConfiguration"
	sidReadSourceVersions           = "ReadSourceVersions"
	sidReplicateIntoReplica         = "ReplicateIntoReplica"
	sidS3AssumesRole                = "S3AssumesRoleForReplication"
	sidAcceptReplicas               = "AcceptReplicasFromMediaBucket"
	sidAcceptReplicaOwnership       = "AcceptReplicaOwnership"
	sidDecryptSourceVersions        = "DecryptSourceVersionsForReplication"
	sidEncryptReplicas              = "EncryptReplicas"
)

// s3ServicePrincipal is the principal S3 assumes a replication role as (the trust policy of "Setting up
// permissions for live replication"; the same name in the aws-cn partition's documentation).
const s3ServicePrincipal = "s3.amazonaws.com"

// replicationStatement is a statement of the replication documents: a Principal only in the trust and
// bucket policies, an object there; Action and Resource always arrays (the trust policy has no Resource).
type replicationStatement struct {
	Sid       string            `json:"Sid"`
	Effect    string            `json:"Effect"`
	Principal map[string]string `json:"Principal,omitempty"`
	Action    []string          `json:"Action"`
	Resource  []string          `json:"Resource,omitempty"`
	// Condition is operator -> key -> values; only the KMS statements have one.
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// ReplicationKeys are the KMS keys of a replication that carries SSE-KMS objects: the source bucket's key,
// which S3 decrypts each version with, and the replica key, which it encrypts each replica with. The zero
// value is a replication without them.
type ReplicationKeys struct {
	// SourceKeyARN is the source bucket's key; SourceViaService S3's service name in the source bucket's
	// region (S3ViaService).
	SourceKeyARN, SourceViaService string
	// ReplicaKeyARN is the replica key; ReplicaViaService S3's service name in the replica bucket's region,
	// which is the key's: S3 only accepts a replica key of the destination bucket's region.
	ReplicaKeyARN, ReplicaViaService string
}

// S3ViaService is the kms:ViaService value of S3's requests to KMS in region, s3.<region>.<DNS suffix>.
func S3ViaService(region, dnsSuffix string) string {
	return "s3." + region + "." + dnsSuffix
}

// kmsThroughS3 is the condition of the replication role's KMS statements: only through S3 in that region,
// and only for the bucket's objects. S3 names the object in the encryption context, or the bucket when the
// object was written with an S3 Bucket Key (as the pair always writes with a KMS key), so both are allowed
// ("Replicating encrypted objects", Amazon S3 User Guide: "Amazon S3 Bucket Keys and replication").
func kmsThroughS3(viaService, bucketARN string) map[string]map[string][]string {
	return map[string]map[string][]string{"StringLike": {
		"kms:ViaService":                   {viaService},
		"kms:EncryptionContext:aws:s3:arn": {bucketARN, bucketARN + "/*"},
	}}
}

type replicationDocument struct {
	Version   string                 `json:"Version"`
	Statement []replicationStatement `json:"Statement"`
}

// ReplicationRolePolicy returns the permissions policy (compact JSON) of the role S3 assumes to replicate the
// bucket sourceARN into destinationARN: read the replication configuration and list the source; read each
// source version with its ACL and tags for replication, and its Object Lock retention and legal hold (which S3
// reads for every version of a bucket with Object Lock, as the media bucket has under media_object_lock, and
// which cannot be turned off again: granted always, read-only); write replicas and their tags into the
// destination, and hand them to the destination's owner when ownershipToDestination. Nothing that deletes: no
// s3:ReplicateDelete. With keys, what replicating SSE-KMS objects needs besides ("Replicating encrypted
// objects", Amazon S3 User Guide): kms:Decrypt on the source key, and kms:Encrypt on the replica key, each only
// through S3 in its bucket's region and for its bucket's objects; and kms:Decrypt on the replica key too,
// under the same condition, which S3 calls to check an S3 Bucket Key when the replica bucket uses one.
func ReplicationRolePolicy(sourceARN, destinationARN string, ownershipToDestination bool, keys ReplicationKeys) string {
	write := []string{"s3:ReplicateObject", "s3:ReplicateTags"}
	if ownershipToDestination {
		write = append(write, "s3:ObjectOwnerOverrideToBucketOwner")
	}
	doc := replicationDocument{Version: policyVersion, Statement: []replicationStatement{
		{Sid: sidReadReplicationConfiguration, Effect: "Allow", Action: []string{"s3:GetReplicationConfiguration", "s3:ListBucket"},
			Resource: []string{sourceARN}},
		{Sid: sidReadSourceVersions, Effect: "Allow",
			Action: []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging",
				"s3:GetObjectRetention", "s3:GetObjectLegalHold"},
			Resource: []string{sourceARN + "/*"}},
		{Sid: sidReplicateIntoReplica, Effect: "Allow", Action: write, Resource: []string{destinationARN + "/*"}},
	}}
	if keys.SourceKeyARN != "" {
		doc.Statement = append(doc.Statement, replicationStatement{Sid: sidDecryptSourceVersions, Effect: "Allow",
			Action: []string{"kms:Decrypt"}, Resource: []string{keys.SourceKeyARN}, Condition: kmsThroughS3(keys.SourceViaService, sourceARN)})
	}
	if keys.ReplicaKeyARN != "" {
		doc.Statement = append(doc.Statement, replicationStatement{Sid: sidEncryptReplicas, Effect: "Allow",
			Action: []string{"kms:Encrypt", "kms:Decrypt"}, Resource: []string{keys.ReplicaKeyARN}, Condition: kmsThroughS3(keys.ReplicaViaService, destinationARN)})
	}
	return mustMarshal(doc)
}

// ReplicationTrustPolicy returns the role's trust policy (compact JSON): S3 may assume it.
func ReplicationTrustPolicy() string {
	return mustMarshal(replicationDocument{Version: policyVersion, Statement: []replicationStatement{
		{Sid: sidS3AssumesRole, Effect: "Allow", Principal: map[string]string{"Service": s3ServicePrincipal}, Action: []string{"sts:AssumeRole"}},
	}})
}

// ReplicationDestinationPolicy returns the bucket policy (compact JSON) the owner of destinationARN puts on it
// when that is another account: the role roleARN may write replicas and their tags into it, and, when
// ownershipToDestination, the media bucket's account (the role's) may hand the replicas over to the
// destination's owner. It grants nothing on the bucket itself: not s3:PutBucketVersioning, with which the
// media bucket's account could suspend the replica's versioning, nor any delete.
func ReplicationDestinationPolicy(destinationARN, roleARN string, ownershipToDestination bool) string {
	objects := []string{destinationARN + "/*"}
	doc := replicationDocument{Version: policyVersion, Statement: []replicationStatement{
		{Sid: sidAcceptReplicas, Effect: "Allow", Principal: map[string]string{"AWS": roleARN},
			Action: []string{"s3:ReplicateObject", "s3:ReplicateTags"}, Resource: objects},
	}}
	if ownershipToDestination {
		doc.Statement = append(doc.Statement, replicationStatement{Sid: sidAcceptReplicaOwnership, Effect: "Allow",
			Principal: map[string]string{"AWS": accountRoot(roleARN)}, Action: []string{"s3:ObjectOwnerOverrideToBucketOwner"}, Resource: objects})
	}
	return mustMarshal(doc)
}

// accountRoot is the root principal of the account an IAM ARN belongs to, in its partition.
func accountRoot(iamARN string) string {
	parts := strings.SplitN(iamARN, ":", arnParts)
	if len(parts) != arnParts {
		return iamARN
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":root"
}

// exampleRoleARN and exampleReplicaARN show the expected forms in messages.
const (
	exampleRoleARN    = "arn:aws:iam::111122223333:role/media-replication"
	exampleReplicaARN = "arn:aws:s3:::example-media-replica"
)

// Compiled on first use rather than at start-up: Terraform starts the provider three times per plan.
// roleNamePattern is a role's path and name as IAM allows them, without wildcards: the replication
// configuration names one role.
var roleNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([!-.0-~]+/)*[\w+=,.@-]{1,64}$`) })

// ValidRoleARN checks media_replication's role_arn at plan time: an IAM role ARN,
// arn:<partition>:iam::<12-digit account>:role/<path/>name. The error says what to write instead.
func ValidRoleARN(s string) error {
	const hint = "name the IAM role S3 assumes to replicate (the arn attribute of aws_iam_role), such as " + exampleRoleARN
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%q has leading or trailing spaces: remove them", s)
	}
	parts := strings.SplitN(s, ":", arnParts)
	if len(parts) != arnParts || parts[0] != "arn" {
		return fmt.Errorf("%q is not an ARN: %s", s, hint)
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	switch name, isRole := strings.CutPrefix(resource, "role/"); {
	case !partitionPattern().MatchString(partition):
		return fmt.Errorf("%q has the partition %q: write aws (or aws-cn, aws-us-gov, ...) after \"arn:\"", s, partition)
	case service != "iam" || !isRole:
		return fmt.Errorf("%q is not an IAM role: %s", s, hint)
	case region != "":
		return fmt.Errorf("%q has a region, which IAM ARNs never have: write arn:%s:iam::%s", s, partition, strings.Join(parts[4:], ":"))
	case !accountPattern().MatchString(account):
		return fmt.Errorf("%q has the account %q: write the 12-digit ID of the account that owns the media bucket", s, account)
	case !roleNamePattern().MatchString(name):
		return fmt.Errorf("%q has the role name %q, which IAM does not allow: use the letters, digits and +=,.@_- of the name (at most 64), any path as path/to/name, and no wildcards", s, name)
	}
	return nil
}

// RoleAccount is the account of a role ARN, "" when s is not an ARN.
func RoleAccount(s string) string {
	parts := strings.SplitN(s, ":", arnParts)
	if len(parts) != arnParts || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// ValidBucketARN checks media_replication's destination_bucket_arn at plan time, as far as its form goes:
// arn:<partition>:s3:::<name>, with no region and no account (S3 bucket ARNs have neither). It returns the
// bucket's name, for the naming rules and for comparing with the pair's own buckets.
func ValidBucketARN(s string) (string, error) {
	const hint = "write the replica bucket's ARN (the arn attribute of aws_s3_bucket), such as " + exampleReplicaARN
	if strings.TrimSpace(s) != s {
		return "", fmt.Errorf("%q has leading or trailing spaces: remove them", s)
	}
	parts := strings.SplitN(s, ":", arnParts)
	if len(parts) != arnParts || parts[0] != "arn" {
		return "", fmt.Errorf("%q is not an ARN: %s", s, hint)
	}
	partition, service, region, account, name := parts[1], parts[2], parts[3], parts[4], parts[5]
	switch {
	case !partitionPattern().MatchString(partition):
		return "", fmt.Errorf("%q has the partition %q: write aws (or aws-cn, aws-us-gov, ...) after \"arn:\"", s, partition)
	case service != "s3" || name == "" || strings.ContainsAny(name, "/*"):
		return "", fmt.Errorf("%q is not an S3 bucket ARN: %s", s, hint)
	case region != "" || account != "":
		return "", fmt.Errorf("%q names a region or an account, which S3 bucket ARNs never do: write arn:%s:s3:::%s", s, partition, name)
	}
	return name, nil
}

// ValidAccountID checks destination_account_id: a 12-digit AWS account ID.
func ValidAccountID(s string) error {
	if !accountPattern().MatchString(s) {
		return fmt.Errorf("%q is not an AWS account ID: write the 12 digits of the account that owns the replica bucket, such as 444455556666", s)
	}
	return nil
}
