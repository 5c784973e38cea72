package s3api

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

const (
	codeNoSuchLifecycle = "NoSuchLifecycleConfiguration"
	// lifecycleRuleID names the one rule the provider writes.
	lifecycleRuleID = "protectedmedia"
)

// FindLifecycle reads the lifecycle configuration; a bucket without one has the zero Lifecycle.
func FindLifecycle(ctx context.Context, c *s3.Client, bucket string) (bucketstate.Lifecycle, error) {
	out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoSuchLifecycle) {
		return bucketstate.Lifecycle{}, nil
	}
	if err != nil {
		return bucketstate.Lifecycle{}, bucketGone(bucket, err)
	}
	return lifecycleFromRules(out.Rules), nil
}

// lifecycleFromRules folds S3's rules into what the provider owns. Any rule it would not have written —
// a filter, a transition of current versions, an expiry of current versions, a disabled rule — makes the
// result Foreign.
func lifecycleFromRules(rules []types.LifecycleRule) bucketstate.Lifecycle {
	var l bucketstate.Lifecycle
	for _, r := range rules {
		if r.Status != types.ExpirationStatusEnabled || !wholeBucket(r) || len(r.Transitions) > 0 {
			l.Foreign = true
			continue
		}
		for _, t := range r.NoncurrentVersionTransitions {
			if aws.ToInt32(t.NewerNoncurrentVersions) > 0 {
				l.Foreign = true // the provider never writes one
			}
			l.Transitions = append(l.Transitions, bucketstate.Transition{Days: int(aws.ToInt32(t.NoncurrentDays)), StorageClass: string(t.StorageClass)})
		}
		if e := r.NoncurrentVersionExpiration; e != nil {
			l.NoncurrentDays, l.KeepNoncurrent = int(aws.ToInt32(e.NoncurrentDays)), int(aws.ToInt32(e.NewerNoncurrentVersions))
		}
		if e := r.Expiration; e != nil {
			if aws.ToInt32(e.Days) > 0 || e.Date != nil {
				l.Foreign = true
			}
			l.ExpiredDeleteMarkers = l.ExpiredDeleteMarkers || aws.ToBool(e.ExpiredObjectDeleteMarker)
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil {
			l.AbortIncompleteDays = int(aws.ToInt32(a.DaysAfterInitiation))
		}
	}
	return l
}

func wholeBucket(r types.LifecycleRule) bool {
	if aws.ToString(r.Prefix) != "" { //nolint:staticcheck // SA1019: legacy rules still carry the top-level Prefix
		return false
	}
	f := r.Filter
	return f == nil || (aws.ToString(f.Prefix) == "" && f.And == nil && f.Tag == nil && f.ObjectSizeGreaterThan == nil && f.ObjectSizeLessThan == nil)
}

// writeLifecycle puts the one rule, or removes the configuration when nothing is wanted.
func writeLifecycle(ctx context.Context, c *s3.Client, bucket string, l bucketstate.Lifecycle) error {
	if l.Empty() {
		_, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String(bucket)})
		return err
	}
	rule := types.LifecycleRule{
		ID:     aws.String(lifecycleRuleID),
		Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
	}
	if l.NoncurrentDays > 0 {
		rule.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(int32(l.NoncurrentDays))}
		if l.KeepNoncurrent > 0 {
			rule.NoncurrentVersionExpiration.NewerNoncurrentVersions = aws.Int32(int32(l.KeepNoncurrent))
		}
	}
	if l.ExpiredDeleteMarkers {
		rule.Expiration = &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}
	}
	for _, t := range l.Transitions {
		rule.NoncurrentVersionTransitions = append(rule.NoncurrentVersionTransitions, types.NoncurrentVersionTransition{
			NoncurrentDays: aws.Int32(int32(t.Days)),
			StorageClass:   types.TransitionStorageClass(t.StorageClass),
		})
	}
	if l.AbortIncompleteDays > 0 {
		rule.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(int32(l.AbortIncompleteDays))}
	}
	_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket:                 aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{rule}},
	})
	return err
}
