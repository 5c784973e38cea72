package s3api

// Bucket ownership: every request about a bucket says which account must own it (x-amz-expected-bucket-owner),
// so S3 refuses, rather than serves, a request that would read, write or delete another account's bucket
// with the same name. A HeadBucket that succeeds only means the caller may list the bucket.

import (
	"context"
	"fmt"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ownerCheckOptOut is the provider argument that turns the check off, for messages.
const ownerCheckOptOut = "skip_bucket_owner_check"

// operationsWithoutOwner are the S3 operations that name no existing bucket.
var operationsWithoutOwner = map[string]bool{"CreateBucket": true, "ListBuckets": true, "ListDirectoryBuckets": true}

// expectedBucketOwner adds the caller's account as the expected owner to every request about a bucket, and
// as the expected owner of a copy's source bucket. account is asked once per request; a failure fails the
// request with what to do.
func expectedBucketOwner(account func() (string, error)) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("ProtectedMediaExpectedBucketOwner",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				op := middleware.GetOperationName(ctx)
				req, ok := in.Request.(*smithyhttp.Request)
				if operationsWithoutOwner[op] || !ok {
					return next.HandleBuild(ctx, in)
				}
				owner, err := account()
				if hasCode(err, codeInvalidClientTokenID, codeSignatureDoesNotMatch, codeExpiredToken) {
					// The credentials themselves are refused: that, not the owner check, is what to fix.
					return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("%s: %w", op, err)
				}
				if err != nil {
					return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("%s needs the account that must own the bucket, "+
						"and %w. On an S3-compatible endpoint without STS, set %s = true in the provider block (S3 then "+
						"no longer refuses requests to a bucket of the same name owned by someone else)", op, err, ownerCheckOptOut)
				}
				// A request that names an owner itself (a restore's source bucket of another account) keeps it.
				setIfAbsent(req, "X-Amz-Expected-Bucket-Owner", owner)
				if op == "CopyObject" || op == "UploadPartCopy" {
					setIfAbsent(req, "X-Amz-Source-Expected-Bucket-Owner", owner)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}

// accountFrom is the account of a caller's ARN, or why there is none.
func accountFrom(arn string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if a := AccountOf(arn); a != "" {
		return a, nil
	}
	return "", fmt.Errorf("%w: no account in the caller's ARN %q", ErrCallerUnknown, arn)
}

// setIfAbsent sets header name of req to value unless the request already has one.
func setIfAbsent(req *smithyhttp.Request, name, value string) {
	if req.Header.Get(name) == "" {
		req.Header.Set(name, value)
	}
}
