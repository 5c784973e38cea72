package s3api

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// createBucket creates a bucket in region. Callers check FindExistence first: in us-east-1 S3 answers
// success when the caller already owns the bucket, which would silently adopt it.
func createBucket(ctx context.Context, c *s3.Client, bucket, region string) error {
	in := &s3.CreateBucketInput{
		Bucket:          aws.String(bucket),
		ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced,
	}
	if region != "" && region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(region)}
	}
	_, err := c.CreateBucket(ctx, in)
	switch {
	case hasCode(err, codeBucketAlreadyOwnedByYou):
		return fmt.Errorf("bucket %q already exists in this account: %w", bucket, err)
	case hasCode(err, codeBucketAlreadyExists):
		return fmt.Errorf("bucket name %q is taken by another account: %w", bucket, err)
	case err != nil:
		return fmt.Errorf("creating bucket %q: %w", bucket, err)
	}
	return nil
}

// writeOrder puts versioning first: it is the write S3 may refuse for a missing or wrong MFA code, and
// when it is refused nothing else on the bucket has changed. The public access block goes before the
// policy: S3 refuses a public policy while BlockPublicPolicy is on, and tightening the block first never
// needs the policy changed.
var writeOrder = []bucketstate.Setting{
	bucketstate.SettingVersioning,
	bucketstate.SettingOwnership,
	bucketstate.SettingEncryption,
	bucketstate.SettingPublicAccessBlock,
	bucketstate.SettingPolicy,
	bucketstate.SettingTags,
	bucketstate.SettingLifecycle,
}

// MFA is the x-amz-mfa value, "<device serial> <code>", for the writes S3 guards with MFA Delete. The
// zero value sends no header.
type MFA struct {
	Serial, Code string
}

func (m MFA) header() *string {
	if m.Code == "" {
		return nil
	}
	return aws.String(m.Serial + " " + m.Code)
}

// applySettings writes the named settings of want onto its bucket, in an order S3 accepts. mfa goes with the
// versioning write, the only one of them S3 guards with MFA Delete.
func applySettings(ctx context.Context, c *s3.Client, want bucketstate.Desired, settings []bucketstate.Setting, mfa MFA) error {
	return writeSettings(ctx, c, want, settings, mfa, func(write func() error) error { return write() })
}

// applyNew is applySettings for a bucket created moments ago. S3 is eventually consistent right after
// CreateBucket: a configuration write can still answer NoSuchBucket after HeadBucket found the bucket
// (seen on AWS and on SeaweedFS), so each write is retried on NoSuchBucket, bounded by bucketVisibleTimeout.
func applyNew(ctx context.Context, c *s3.Client, want bucketstate.Desired, settings []bucketstate.Setting, mfa MFA) error {
	return writeSettings(ctx, c, want, settings, mfa, func(write func() error) error {
		var last error
		err := poll(ctx, bucketVisibleTimeout, func() (bool, error) {
			last = write()
			if hasCode(last, codeNoSuchBucket) {
				return false, nil
			}
			return true, last
		})
		if err != nil && last != nil {
			return last
		}
		return err
	})
}

func writeSettings(ctx context.Context, c *s3.Client, want bucketstate.Desired, settings []bucketstate.Setting, mfa MFA, attempt func(func() error) error) error {
	order := writeOrder
	if want.MFADelete != nil && *want.MFADelete && slices.Contains(settings, bucketstate.SettingLifecycle) {
		// S3 refuses MFA Delete while a lifecycle configuration exists: remove that first.
		order = append([]bucketstate.Setting{bucketstate.SettingLifecycle}, slices.DeleteFunc(slices.Clone(writeOrder),
			func(s bucketstate.Setting) bool { return s == bucketstate.SettingLifecycle })...)
	}
	// Versioning and MFA Delete are one PutBucketVersioning call.
	if slices.Contains(settings, bucketstate.SettingMFADelete) && !slices.Contains(settings, bucketstate.SettingVersioning) {
		settings = append(slices.Clone(settings), bucketstate.SettingVersioning)
	}
	for _, s := range order {
		if !slices.Contains(settings, s) {
			continue
		}
		err := attempt(func() error {
			if s == bucketstate.SettingVersioning {
				return writeVersioning(ctx, c, want, slices.Contains(settings, bucketstate.SettingMFADelete), mfa)
			}
			return write(ctx, c, want, s)
		})
		if err != nil {
			what := string(s)
			if s == bucketstate.SettingVersioning && slices.Contains(settings, bucketstate.SettingMFADelete) {
				what = "versioning and MFA Delete"
			}
			return fmt.Errorf("setting %s on %s bucket %q: %w", what, want.Role, want.Bucket, describeMFAError(bucketGone(want.Bucket, err)))
		}
	}
	return nil
}

// writeVersioning sets the versioning status and, when asked, MFA Delete, in the one call S3 has for both.
func writeVersioning(ctx context.Context, c *s3.Client, want bucketstate.Desired, withMFADelete bool, mfa MFA) error {
	cfg := &types.VersioningConfiguration{Status: types.BucketVersioningStatus(want.Versioning)}
	if withMFADelete && want.MFADelete != nil {
		cfg.MFADelete = types.MFADeleteDisabled
		if *want.MFADelete {
			cfg.MFADelete = types.MFADeleteEnabled
		}
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(want.Bucket),
		VersioningConfiguration: cfg,
		MFA:                     mfa.header(),
	})
	return err
}

func write(ctx context.Context, c *s3.Client, want bucketstate.Desired, s bucketstate.Setting) error {
	bucket := aws.String(want.Bucket)
	var err error
	switch s {
	case bucketstate.SettingOwnership:
		_, err = c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
			Bucket: bucket,
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{
				{ObjectOwnership: types.ObjectOwnership(want.Ownership)},
			}},
		})
	case bucketstate.SettingEncryption:
		_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
			Bucket: bucket,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
				{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryption(want.Encryption)}},
			}},
		})
	case bucketstate.SettingPublicAccessBlock:
		p := want.PublicAccessBlock
		_, err = c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
			Bucket: bucket,
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
				BlockPublicAcls:       aws.Bool(p.BlockPublicAcls),
				IgnorePublicAcls:      aws.Bool(p.IgnorePublicAcls),
				BlockPublicPolicy:     aws.Bool(p.BlockPublicPolicy),
				RestrictPublicBuckets: aws.Bool(p.RestrictPublicBuckets),
			},
		})
	case bucketstate.SettingPolicy:
		_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(want.Policy)})
	case bucketstate.SettingTags:
		if len(want.Tags) == 0 {
			_, err = c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: bucket})
			return err
		}
		tagSet := make([]types.Tag, 0, len(want.Tags))
		for _, k := range slices.Sorted(maps.Keys(want.Tags)) {
			tagSet = append(tagSet, types.Tag{Key: aws.String(k), Value: aws.String(want.Tags[k])})
		}
		_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: bucket, Tagging: &types.Tagging{TagSet: tagSet}})
	case bucketstate.SettingLifecycle:
		return writeLifecycle(ctx, c, want.Bucket, want.Lifecycle)
	default:
		return fmt.Errorf("no writer for setting %q", s)
	}
	return err
}
