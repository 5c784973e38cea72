package s3api

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// codeNoSuchCORS is GetBucketCors's answer for a bucket without a CORS configuration (404; Amazon S3 API
// Reference, "List of error codes").
const codeNoSuchCORS = "NoSuchCORSConfiguration"

// FindCORS reads the bucket's CORS rules; a bucket without a configuration has none.
func FindCORS(ctx context.Context, c *s3.Client, bucket string) ([]bucketstate.CORSRule, error) {
	out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	if hasCode(err, codeNoSuchCORS) {
		return nil, nil
	}
	if err != nil {
		return nil, bucketGone(bucket, err)
	}
	rules := make([]bucketstate.CORSRule, len(out.CORSRules))
	for i, r := range out.CORSRules {
		rules[i] = bucketstate.CORSRule{
			AllowedOrigins: r.AllowedOrigins,
			AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders,
			ExposeHeaders:  r.ExposeHeaders,
			MaxAgeSeconds:  int(aws.ToInt32(r.MaxAgeSeconds)),
		}
	}
	return rules, nil
}

// writeCORS replaces the bucket's CORS configuration with rules, or removes it when there are none
// (PutBucketCors refuses an empty configuration).
func writeCORS(ctx context.Context, c *s3.Client, bucket string, rules []bucketstate.CORSRule) error {
	if len(rules) == 0 {
		_, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(bucket)})
		return err
	}
	cors := make([]types.CORSRule, len(rules))
	for i, r := range rules {
		cors[i] = types.CORSRule{
			AllowedOrigins: r.AllowedOrigins,
			AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders,
			ExposeHeaders:  r.ExposeHeaders,
		}
		if r.MaxAgeSeconds > 0 {
			cors[i].MaxAgeSeconds = aws.Int32(int32(r.MaxAgeSeconds))
		}
	}
	_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{
		Bucket:            aws.String(bucket),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: cors},
	})
	return err
}
