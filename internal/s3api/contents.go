package s3api

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// Contents counts what a bucket holds, to tell a user exactly what a destroy would lose.
type Contents struct {
	// Objects are keys whose current version is an object (not a delete marker).
	Objects int
	// Versions are all object versions, current and noncurrent.
	Versions int
	// DeleteMarkers are all delete markers, current and noncurrent.
	DeleteMarkers int
}

// Empty reports whether the bucket holds nothing at all; S3 refuses to delete a bucket otherwise.
func (c Contents) Empty() bool { return c.Versions == 0 && c.DeleteMarkers == 0 }

// CountContents pages through every version and delete marker.
func CountContents(ctx context.Context, c *s3.Client, bucket string) (Contents, error) {
	var n Contents
	err := eachVersionPage(ctx, c, bucket, func(page *s3.ListObjectVersionsOutput) error {
		for _, v := range page.Versions {
			n.Versions++
			if aws.ToBool(v.IsLatest) {
				n.Objects++
			}
		}
		n.DeleteMarkers += len(page.DeleteMarkers)
		return nil
	})
	return n, err
}

// EmptyBucket permanently deletes every version and delete marker, a page (at most 1000) at a time, and
// returns how many it removed. It is only called for the static bucket, or for media when the user asked
// for exactly that with media_force_destroy. On a bucket with MFA Delete, S3 requires mfa.
func EmptyBucket(ctx context.Context, c *s3.Client, bucket string, mfa MFA) (int, error) {
	return emptyBucket(ctx, c, bucket, "", mfa)
}

// emptyBucket is EmptyBucket for a bucket of a pair: role says which, for the causes of a refusal.
func emptyBucket(ctx context.Context, c *s3.Client, bucket string, role bucketstate.Role, mfa MFA) (int, error) {
	deleted := 0
	err := eachVersionPage(ctx, c, bucket, func(page *s3.ListObjectVersionsOutput) error {
		ids := make([]types.ObjectIdentifier, 0, len(page.Versions)+len(page.DeleteMarkers))
		for _, v := range page.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) == 0 {
			return nil
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(bucket),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
			MFA:    mfa.header(),
		})
		if err != nil {
			return fmt.Errorf("deleting versions in bucket %q: %w", bucket, classifyRefusal(bucketGone(bucket, err),
				writeRequest{Bucket: bucket, Role: role, Action: "s3:DeleteObjectVersion", MFASent: mfa.Code != ""}))
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("deleting versions in bucket %q: %d of %d failed, first %q (version %s): %s: %s",
				bucket, len(out.Errors), len(ids), aws.ToString(e.Key), aws.ToString(e.VersionId), aws.ToString(e.Code), aws.ToString(e.Message))
		}
		deleted += len(ids)
		return nil
	})
	return deleted, err
}

// DeleteBucket deletes an empty bucket. A bucket already gone is not an error.
func DeleteBucket(ctx context.Context, c *s3.Client, bucket string) error {
	_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	switch {
	case err == nil, hasCode(err, codeNoSuchBucket):
		return nil
	case hasCode(err, codeBucketNotEmpty):
		return fmt.Errorf("bucket %q is not empty (something was written to it during the destroy?): %w", bucket, err)
	}
	return fmt.Errorf("deleting bucket %q: %w", bucket, err)
}

func eachVersionPage(ctx context.Context, c *s3.Client, bucket string, fn func(*s3.ListObjectVersionsOutput) error) error {
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			err = bucketGone(bucket, err)
			if IsNotFound(err) {
				return err
			}
			return fmt.Errorf("listing versions in bucket %q: %w", bucket, err)
		}
		if err := fn(page); err != nil {
			return err
		}
	}
	return nil
}
