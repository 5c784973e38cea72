package bucketstate

// The media bucket's replication into a bucket the user owns (media_replication): the one configuration the
// pair writes, and how S3's answer compares with it.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
)

// Replication rule and delete marker statuses, as S3 spells them.
const (
	ReplicationEnabled  = "Enabled"
	ReplicationDisabled = "Disabled"
)

// ReplicationRuleID names the pair's rule, so whoever reads the configuration in the console knows whose it is.
// Comparison ignores it, as it ignores a policy statement's Sid.
const ReplicationRuleID = "protectedmedia-media-replica"

// ReplicaStorageClasses are the storage classes media_replication offers for the replicas: those of
// Destination's StorageClass (PutBucketReplication in the Amazon S3 API Reference) that hold a copy for good,
// without REDUCED_REDUNDANCY (deprecated) and the classes of other services (OUTPOSTS, SNOW, FSX_*,
// EXPRESS_ONEZONE). A fresh slice each call.
func ReplicaStorageClasses() []string {
	return []string{"STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}
}

// ReplicaSpec is what media_replication asks for, in plain form.
type ReplicaSpec struct {
	// DestinationBucketARN is the replica bucket, arn:<partition>:s3:::<name>.
	DestinationBucketARN string
	// RoleARN is the IAM role S3 assumes to replicate; it belongs to the media bucket's account.
	RoleARN string
	// DestinationAccount is the replica bucket owner's account, "" when not given.
	DestinationAccount string
	// StorageClass is the replicas' storage class; "" keeps each object's own.
	StorageClass string
	// ReplicaKMSKey is the KMS key ARN S3 encrypts the replicas of SSE-KMS objects with; "" replicates none of
	// them. S3 skips every object encrypted with a KMS key unless the rule opts in to them and names this key
	// ("Replicating encrypted objects", Amazon S3 User Guide).
	ReplicaKMSKey string
}

// OwnershipToDestination says whether the replicas are to be owned by the destination's account: only when
// destination_account_id names an account other than the media bucket's. S3 does not check this itself and
// applies an owner override between buckets of one account too, where it only loses ACL updates ("Changing
// the replica owner", Amazon S3 User Guide). The media bucket's account is the role's: S3 only accepts a role
// of the account that owns the source bucket.
func (s ReplicaSpec) OwnershipToDestination() bool {
	return s.DestinationAccount != "" && s.DestinationAccount != bucketpolicy.RoleAccount(s.RoleARN)
}

// Replication is a bucket's replication configuration as far as the provider compares it.
type Replication struct {
	Role  string
	Rules []ReplicationRule
}

// ReplicationRule is one rule of a replication configuration.
type ReplicationRule struct {
	ID     string
	Status string
	// Priority is nil when the rule has none.
	Priority *int
	// Filter says the rule has a Filter, S3's current schema. A rule without one is of the first schema, in
	// which S3 replicates delete markers whatever else the rule says.
	Filter bool
	// Prefix selects the keys the rule replicates; "" is the whole bucket.
	Prefix string
	// TagFilter says the rule only replicates objects with certain tags.
	TagFilter bool
	// DeleteMarkerReplication is Enabled, Disabled, or "" when the rule does not say.
	DeleteMarkerReplication string
	// SSEKMSObjects is SourceSelectionCriteria's SseKmsEncryptedObjects status: Enabled, Disabled, or "" when
	// the rule does not say (absent is Disabled: S3 then skips objects encrypted with a KMS key).
	SSEKMSObjects string
	Destination   ReplicaDestination
	// Others name the rule's elements the provider never writes (ExistingObjectReplication,
	// SourceSelectionCriteria's ReplicaModifications, ...), as S3 reported them.
	Others []string
}

// ReplicaDestination is where a rule replicates to.
type ReplicaDestination struct {
	// Bucket is the destination bucket's ARN.
	Bucket string
	// Account is the destination bucket owner's account, as the rule names it; "" when it names none.
	Account string
	// StorageClass is the replicas' storage class; "" keeps each object's own.
	StorageClass string
	// OwnerOverride says the replicas are owned by Account (AccessControlTranslation Owner Destination).
	OwnerOverride bool
	// ReplicaKMSKey is EncryptionConfiguration's ReplicaKmsKeyID, the key the replicas of SSE-KMS objects are
	// encrypted with; "" when the destination names none.
	ReplicaKMSKey string
	// Others name the destination's elements the provider never writes (Metrics, ReplicationTime, an
	// EncryptionConfiguration without a key), as S3 reported them.
	Others []string
}

// MediaReplication is the configuration the pair writes for spec: one rule over the whole bucket (a Filter
// with an empty prefix), enabled, priority 1, delete markers not replicated, and nothing else that could carry
// a delete to the replica. A delete on the media bucket therefore never reaches the replica: deleting an
// object there only lays a delete marker, which stays behind, and S3 never replicates the deletion of a
// version ("What is replicated with replication configurations", Amazon S3 User Guide). With a replica key
// the rule also opts in to objects encrypted with a KMS key (SourceSelectionCriteria SseKmsEncryptedObjects
// Enabled) and names the key for their replicas (EncryptionConfiguration ReplicaKmsKeyID), the two elements S3
// needs together to replicate them ("Replicating encrypted objects"). nil spec: no replication.
func MediaReplication(spec *ReplicaSpec) *Replication {
	if spec == nil {
		return nil
	}
	priority := 1
	dest := ReplicaDestination{Bucket: spec.DestinationBucketARN, StorageClass: spec.StorageClass, ReplicaKMSKey: spec.ReplicaKMSKey}
	if spec.OwnershipToDestination() {
		dest.Account, dest.OwnerOverride = spec.DestinationAccount, true
	}
	rule := ReplicationRule{
		ID:                      ReplicationRuleID,
		Status:                  ReplicationEnabled,
		Priority:                &priority,
		Filter:                  true,
		DeleteMarkerReplication: ReplicationDisabled,
		Destination:             dest,
	}
	if spec.ReplicaKMSKey != "" {
		rule.SSEKMSObjects = ReplicationEnabled
	}
	return &Replication{Role: spec.RoleARN, Rules: []ReplicationRule{rule}}
}

// ReplicationEqual compares two configurations by what they replicate: the role and, rule by rule in order,
// everything but the rule's ID and priority (labels and tie-breakers between rules that the pair's single
// rule never needs). nil is no configuration.
func ReplicationEqual(a, b *Replication) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Role == b.Role && slices.EqualFunc(a.Rules, b.Rules, func(x, y ReplicationRule) bool {
		return x.Status == y.Status && x.Filter == y.Filter && x.Prefix == y.Prefix && x.TagFilter == y.TagFilter &&
			deleteMarkersReplicated(x) == deleteMarkersReplicated(y) && sameSet(x.Others, y.Others) &&
			kmsObjectsReplicated(x) == kmsObjectsReplicated(y) && x.Destination.ReplicaKMSKey == y.Destination.ReplicaKMSKey &&
			x.Destination.Bucket == y.Destination.Bucket && x.Destination.StorageClass == y.Destination.StorageClass &&
			x.Destination.OwnerOverride == y.Destination.OwnerOverride && ownerAccount(x.Destination) == ownerAccount(y.Destination) &&
			sameSet(x.Destination.Others, y.Destination.Others)
	})
}

// deleteMarkersReplicated says whether S3 replicates the rule's delete markers: always for a rule of the first
// schema, otherwise as DeleteMarkerReplication says (absent is Disabled).
func deleteMarkersReplicated(r ReplicationRule) bool {
	return !r.Filter || r.DeleteMarkerReplication == ReplicationEnabled
}

// kmsObjectsReplicated says whether the rule opts in to objects encrypted with a KMS key (absent is Disabled).
func kmsObjectsReplicated(r ReplicationRule) bool {
	return r.SSEKMSObjects == ReplicationEnabled
}

// ownerAccount is the account a destination hands the replicas to; the account means nothing without the
// owner override.
func ownerAccount(d ReplicaDestination) string {
	if !d.OwnerOverride {
		return ""
	}
	return d.Account
}

// DeletesReachReplica says whether a configuration carries any delete to the replica: delete markers.
func (r *Replication) DeletesReachReplica() bool {
	return r != nil && slices.ContainsFunc(r.Rules, func(rule ReplicationRule) bool {
		return rule.Status == ReplicationEnabled && deleteMarkersReplicated(rule)
	})
}

// describeReplication says what a configuration does in a few words, for the drift line.
func describeReplication(r *Replication) string {
	if r == nil {
		return "absent"
	}
	parts := make([]string, len(r.Rules))
	for i, rule := range r.Rules {
		parts[i] = describeReplicationRule(rule)
	}
	out := strings.Join(parts, "; ")
	if len(r.Rules) != 1 {
		out = fmt.Sprintf("%d rules [%s]", len(r.Rules), out)
	}
	return out + " as " + orAbsent(r.Role)
}

func describeReplicationRule(r ReplicationRule) string {
	out := "to " + r.Destination.Bucket
	if r.Status != ReplicationEnabled {
		out += " (rule " + strings.ToLower(orAbsent(r.Status)) + ")"
	}
	if r.Prefix != "" {
		out += fmt.Sprintf(" for keys under %q", r.Prefix)
	}
	if r.TagFilter {
		out += " for tagged objects only"
	}
	if r.Destination.StorageClass != "" {
		out += " in " + r.Destination.StorageClass
	}
	if r.Destination.OwnerOverride {
		out += " owned by account " + orAbsent(r.Destination.Account)
	}
	switch k := r.Destination.ReplicaKMSKey; {
	case kmsObjectsReplicated(r) && k == "":
		out += ", SSE-KMS objects with no replica key"
	case kmsObjectsReplicated(r):
		out += ", SSE-KMS objects encrypted with " + k
	case k != "":
		out += ", SSE-KMS objects not replicated (replica key " + k + ")"
	}
	if deleteMarkersReplicated(r) {
		out += ", replicating delete markers"
	}
	if others := append(slices.Clone(r.Others), r.Destination.Others...); len(others) > 0 {
		slices.Sort(others)
		out += ", with " + strings.Join(others, ", ")
	}
	return out
}
