package s3api

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// NotFoundError says a bucket does not exist. Finders return it so that Read, Delete, waiters and test
// checks all decide "gone" the same way.
type NotFoundError struct {
	Bucket string
	Err    error
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("bucket %q does not exist", e.Bucket) }
func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err says a bucket does not exist.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// S3 error codes the provider reacts to. Everything else is passed up unchanged.
const (
	codeNoSuchBucket            = "NoSuchBucket"
	codeNotFound                = "NotFound" // HEAD responses carry no body, so the SDK reports the status text
	codeNoSuchPublicAccessBlock = "NoSuchPublicAccessBlockConfiguration"
	codeNoOwnershipControls     = "OwnershipControlsNotFoundError"
	codeNoEncryption            = "ServerSideEncryptionConfigurationNotFoundError"
	codeNoSuchBucketPolicy      = "NoSuchBucketPolicy"
	codeNoSuchTagSet            = "NoSuchTagSet"
	codeBucketAlreadyExists     = "BucketAlreadyExists"
	codeBucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou"
	codeBucketNotEmpty          = "BucketNotEmpty"
	codeForbidden               = "Forbidden"
	codeAccessDenied            = "AccessDenied"
)

// errorCode is the one place AWS error codes are read.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func hasCode(err error, codes ...string) bool {
	code := errorCode(err)
	if code == "" {
		return false
	}
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

// bucketGone maps NoSuchBucket to a NotFoundError and passes other errors through.
func bucketGone(bucket string, err error) error {
	if hasCode(err, codeNoSuchBucket) {
		return &NotFoundError{Bucket: bucket, Err: err}
	}
	return err
}
