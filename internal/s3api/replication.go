package s3api

// The media bucket's replication configuration: its finder, read on every refresh of the media bucket (see
// mediaReads), and its writer.

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// S3 error codes of the replication configuration.
const (
	// codeNoReplication is GetBucketReplication's answer for a bucket without a configuration (404; Amazon
	// S3 API Reference, "List of replication-related error codes").
	codeNoReplication = "ReplicationConfigurationNotFoundError"
)

// FindReplication reads the bucket's replication configuration; nil when it has none. A service that does not
// implement replication answers NotImplemented, which is passed up: ObserveBucket's Capabilities decide what
// it means. AWS documents that a read soon after a
// write or a delete may still answer the old configuration: the read-back after writes (converge) waits for
// several identical reads.
func FindReplication(ctx context.Context, c *s3.Client, bucket string) (*bucketstate.Replication, error) {
	out, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoReplication) {
		return nil, nil
	}
	if err != nil {
		return nil, bucketGone(bucket, err)
	}
	if out.ReplicationConfiguration == nil {
		return nil, nil
	}
	return fromReplicationConfiguration(out.ReplicationConfiguration), nil
}

// readReplication is FindReplication as one of the media bucket's reads.
func readReplication(ctx context.Context, c *s3.Client, bucket string, s *bucketstate.Settings) (err error) {
	s.Replication, err = FindReplication(ctx, c, bucket)
	return err
}

// fromReplicationConfiguration converts S3's answer, naming the elements the provider never writes so that
// one added out of band shows as drift.
func fromReplicationConfiguration(cfg *types.ReplicationConfiguration) *bucketstate.Replication {
	r := &bucketstate.Replication{Role: aws.ToString(cfg.Role), Rules: make([]bucketstate.ReplicationRule, 0, len(cfg.Rules))}
	for _, in := range cfg.Rules {
		rule := bucketstate.ReplicationRule{ID: aws.ToString(in.ID), Status: string(in.Status),
			Prefix: aws.ToString(in.Prefix)} //nolint:staticcheck // SA1019: a rule of S3's first schema names its prefix here
		if in.Priority != nil {
			p := int(*in.Priority)
			rule.Priority = &p
		}
		if f := in.Filter; f != nil {
			rule.Filter = true
			rule.Prefix = aws.ToString(f.Prefix)
			rule.TagFilter = f.Tag != nil
			if f.And != nil {
				rule.Prefix = aws.ToString(f.And.Prefix)
				rule.TagFilter = rule.TagFilter || len(f.And.Tags) > 0
			}
		}
		if in.DeleteMarkerReplication != nil {
			rule.DeleteMarkerReplication = string(in.DeleteMarkerReplication.Status)
		}
		if in.ExistingObjectReplication != nil {
			rule.Others = append(rule.Others, "ExistingObjectReplication")
		}
		if c := in.SourceSelectionCriteria; c != nil {
			if c.SseKmsEncryptedObjects != nil {
				rule.SSEKMSObjects = string(c.SseKmsEncryptedObjects.Status)
			}
			if c.ReplicaModifications != nil {
				rule.Others = append(rule.Others, "ReplicaModifications")
			}
		}
		if d := in.Destination; d != nil {
			rule.Destination = bucketstate.ReplicaDestination{
				Bucket:        aws.ToString(d.Bucket),
				Account:       aws.ToString(d.Account),
				StorageClass:  string(d.StorageClass),
				OwnerOverride: d.AccessControlTranslation != nil && d.AccessControlTranslation.Owner == types.OwnerOverrideDestination,
			}
			if d.EncryptionConfiguration != nil {
				rule.Destination.ReplicaKMSKey = aws.ToString(d.EncryptionConfiguration.ReplicaKmsKeyID)
			}
			for name, present := range map[string]bool{"EncryptionConfiguration": d.EncryptionConfiguration != nil && rule.Destination.ReplicaKMSKey == "",
				"Metrics": d.Metrics != nil, "ReplicationTime": d.ReplicationTime != nil} {
				if present {
					rule.Destination.Others = append(rule.Destination.Others, name)
				}
			}
			slices.Sort(rule.Destination.Others)
		}
		r.Rules = append(r.Rules, rule)
	}
	return r
}

// toReplicationConfiguration is the request body of the configuration want, as the rules say: the pair's
// rule has a Filter with an empty prefix, a priority and DeleteMarkerReplication, the elements S3's current
// schema requires together.
func toReplicationConfiguration(want *bucketstate.Replication) *types.ReplicationConfiguration {
	cfg := &types.ReplicationConfiguration{Role: aws.String(want.Role)}
	for _, r := range want.Rules {
		rule := types.ReplicationRule{
			Status:      types.ReplicationRuleStatus(r.Status),
			Destination: &types.Destination{Bucket: aws.String(r.Destination.Bucket)},
		}
		if r.ID != "" {
			rule.ID = aws.String(r.ID)
		}
		if r.Priority != nil {
			rule.Priority = aws.Int32(int32(*r.Priority))
		}
		if r.Filter {
			rule.Filter = &types.ReplicationRuleFilter{Prefix: aws.String(r.Prefix)}
		} else {
			rule.Prefix = aws.String(r.Prefix) //nolint:staticcheck // SA1019: S3's first schema, written only as read
		}
		if r.DeleteMarkerReplication != "" {
			rule.DeleteMarkerReplication = &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatus(r.DeleteMarkerReplication)}
		}
		if r.SSEKMSObjects != "" {
			rule.SourceSelectionCriteria = &types.SourceSelectionCriteria{
				SseKmsEncryptedObjects: &types.SseKmsEncryptedObjects{Status: types.SseKmsEncryptedObjectsStatus(r.SSEKMSObjects)}}
		}
		if r.Destination.ReplicaKMSKey != "" {
			rule.Destination.EncryptionConfiguration = &types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String(r.Destination.ReplicaKMSKey)}
		}
		if r.Destination.StorageClass != "" {
			rule.Destination.StorageClass = types.StorageClass(r.Destination.StorageClass)
		}
		if r.Destination.OwnerOverride {
			rule.Destination.Account = aws.String(r.Destination.Account)
			rule.Destination.AccessControlTranslation = &types.AccessControlTranslation{Owner: types.OwnerOverrideDestination}
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return cfg
}

// writeReplication replaces the bucket's replication configuration with want, or removes it when want is
// nil. S3 refuses the put unless the bucket's versioning is Enabled, which writeOrder sees to first, and
// unless the destination's is too, which is the replica owner's to see to.
func writeReplication(ctx context.Context, c *s3.Client, bucket string, want *bucketstate.Replication) error {
	if want == nil {
		_, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String(bucket)})
		return err
	}
	_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{
		Bucket:                   aws.String(bucket),
		ReplicationConfiguration: toReplicationConfiguration(want),
	})
	return err
}

// codeInvalidRequest is PutBucketReplication's answer to a source bucket whose versioning is not Enabled
// (400, "Versioning must be 'Enabled' on the bucket to apply a replication configuration"), among others.
const codeInvalidRequest = "InvalidRequest"

// replicationAfterVersioning bounds retrying the replication write on InvalidRequest when the same apply has
// just enabled the bucket's versioning: S3 applies versioning eventually, and until the change reaches the
// part of S3 that judges the replication configuration it answers as for an unversioned bucket. Any other
// InvalidRequest (an unversioned destination) persists, and is reported once the bound has passed.
const replicationAfterVersioning = time.Minute
