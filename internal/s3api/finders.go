package s3api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// Versioning is a bucket's versioning configuration as S3 reports it.
type Versioning struct {
	Status    string // Enabled, Suspended or Disabled
	MFADelete bool
}

// FindVersioning reads versioning. S3 reports an empty status for a bucket never versioned.
func FindVersioning(ctx context.Context, c *s3.Client, bucket string) (Versioning, error) {
	out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		return Versioning{}, bucketGone(bucket, err)
	}
	v := Versioning{Status: string(out.Status), MFADelete: out.MFADelete == types.MFADeleteStatusEnabled}
	if v.Status == "" {
		v.Status = bucketstate.VersioningDisabled
	}
	return v, nil
}

// FindPublicAccessBlock returns nil when the bucket has no public access block configuration.
func FindPublicAccessBlock(ctx context.Context, c *s3.Client, bucket string) (*bucketstate.PublicAccessBlock, error) {
	out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoSuchPublicAccessBlock) {
		return nil, nil
	}
	if err != nil {
		return nil, bucketGone(bucket, err)
	}
	cfg := out.PublicAccessBlockConfiguration
	if cfg == nil {
		return nil, nil
	}
	return &bucketstate.PublicAccessBlock{
		BlockPublicAcls:       aws.ToBool(cfg.BlockPublicAcls),
		IgnorePublicAcls:      aws.ToBool(cfg.IgnorePublicAcls),
		BlockPublicPolicy:     aws.ToBool(cfg.BlockPublicPolicy),
		RestrictPublicBuckets: aws.ToBool(cfg.RestrictPublicBuckets),
	}, nil
}

// FindOwnership returns the object ownership rule, or "" when none is configured.
func FindOwnership(ctx context.Context, c *s3.Client, bucket string) (string, error) {
	out, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoOwnershipControls) {
		return "", nil
	}
	if err != nil {
		return "", bucketGone(bucket, err)
	}
	if out.OwnershipControls == nil || len(out.OwnershipControls.Rules) == 0 {
		return "", nil
	}
	return string(out.OwnershipControls.Rules[0].ObjectOwnership), nil
}

// Encryption is a bucket's default encryption as S3 reports it.
type Encryption struct {
	// Algorithm is the default SSE algorithm; empty when the bucket has no default encryption.
	Algorithm string
	// KMSKey is the KMS key of aws:kms encryption, if one is named.
	KMSKey string
	// BucketKey is the S3 Bucket Key switch.
	BucketKey bool
	// SSECBlocked is nil when the answer does not mention BlockedEncryptionTypes (AWS leaves it out when
	// nothing is blocked; servers that do not know the setting always do), else whether SSE-C is blocked.
	SSECBlocked *bool
}

// FindEncryption returns the bucket's default encryption; the zero value when it has none.
func FindEncryption(ctx context.Context, c *s3.Client, bucket string) (Encryption, error) {
	out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoEncryption) {
		return Encryption{}, nil
	}
	if err != nil {
		return Encryption{}, bucketGone(bucket, err)
	}
	if out.ServerSideEncryptionConfiguration == nil {
		return Encryption{}, nil
	}
	for _, r := range out.ServerSideEncryptionConfiguration.Rules {
		if r.ApplyServerSideEncryptionByDefault == nil {
			continue
		}
		e := Encryption{
			Algorithm: string(r.ApplyServerSideEncryptionByDefault.SSEAlgorithm),
			KMSKey:    aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID),
			BucketKey: aws.ToBool(r.BucketKeyEnabled),
		}
		if r.BlockedEncryptionTypes != nil {
			blocked := slices.Contains(r.BlockedEncryptionTypes.EncryptionType, types.EncryptionTypeSseC)
			e.SSECBlocked = &blocked
		}
		return e, nil
	}
	return Encryption{}, nil
}

// FindPolicy returns the bucket policy document, or "" when the bucket has none.
func FindPolicy(ctx context.Context, c *s3.Client, bucket string) (string, error) {
	out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoSuchBucketPolicy) {
		return "", nil
	}
	if err != nil {
		return "", bucketGone(bucket, err)
	}
	return aws.ToString(out.Policy), nil
}

// FindTags returns the bucket's tags; a bucket without tags has an empty map.
func FindTags(ctx context.Context, c *s3.Client, bucket string) (map[string]string, error) {
	out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoSuchTagSet) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, bucketGone(bucket, err)
	}
	tags := make(map[string]string, len(out.TagSet))
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// Existence is what HeadBucket says about a bucket name.
type Existence int

const (
	Absent Existence = iota
	// OwnedByCaller: HeadBucket succeeded, which with the expected owner sent (see owner.go) means the
	// caller's account owns it; without, only that the caller may list it.
	OwnedByCaller
	OwnedByOther // S3 answers 403 for a bucket that exists in another account
	// InOtherRegion: S3 answered with a redirect to the region the bucket lives in, whoever owns it.
	InOtherRegion
)

// NameStatus is what HeadBucket says about a bucket name.
type NameStatus struct {
	Existence Existence
	// Region is where a bucket InOtherRegion lives, as S3's x-amz-bucket-region says.
	Region string
}

// FindExistence asks whether a bucket name is free, already the caller's, or someone else's.
func FindExistence(ctx context.Context, c *s3.Client, bucket string) (Existence, error) {
	s, err := FindNameStatus(ctx, c, bucket)
	return s.Existence, err
}

// FindNameStatus is FindExistence with the region of a bucket that lives in another one.
func FindNameStatus(ctx context.Context, c *s3.Client, bucket string) (NameStatus, error) {
	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return NameStatus{Existence: OwnedByCaller}, nil
	}
	region := bucketRegionHeader(err)
	if status := httpStatus(err); status == http.StatusMovedPermanently || status == http.StatusBadRequest && region != "" {
		// A redirect, or 400 for a request signed for the wrong region: the bucket exists, elsewhere. AWS names
		// the region in x-amz-bucket-region.
		return NameStatus{Existence: InOtherRegion, Region: region}, nil
	}
	switch httpStatus(err) {
	case http.StatusNotFound:
		return NameStatus{Existence: Absent}, nil
	case http.StatusForbidden:
		// A HEAD answer has no body, so a 403 cannot tell "not yours" from "credentials S3 rejects".
		// A GET on the bucket says which, by its error code.
		_, getErr := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
		if getErr == nil || hasCode(getErr, codeAccessDenied) {
			return NameStatus{Existence: OwnedByOther}, nil
		}
		err = getErr
	}
	return NameStatus{}, fmt.Errorf("checking whether bucket %q exists: %w", bucket, err)
}

// bucketRegionHeader is the x-amz-bucket-region of an S3 error response, if any.
func bucketRegionHeader(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// FindRegion asks S3 where a bucket lives. Only import needs it: buckets created by the provider are in the
// provider's region, and a refresh never pays for this call.
func FindRegion(ctx context.Context, c *s3.Client, bucket string) (string, error) {
	out, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", bucketGone(bucket, err)
	}
	switch out.LocationConstraint {
	case "":
		return "us-east-1", nil // S3 reports the original region as an empty constraint
	case "EU":
		return "eu-west-1", nil // a legacy name
	}
	return string(out.LocationConstraint), nil
}
