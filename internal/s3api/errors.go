package s3api

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"

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
	codeNoSuchPublicAccessBlock = "NoSuchPublicAccessBlockConfiguration"
	codeNoOwnershipControls     = "OwnershipControlsNotFoundError"
	codeNoEncryption            = "ServerSideEncryptionConfigurationNotFoundError"
	codeNoSuchBucketPolicy      = "NoSuchBucketPolicy"
	codeNoSuchTagSet            = "NoSuchTagSet"
	codeBucketAlreadyExists     = "BucketAlreadyExists"
	codeBucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou"
	codeBucketNotEmpty          = "BucketNotEmpty"
	codeAccessDenied            = "AccessDenied"
	codeInvalidArgument         = "InvalidArgument"
	codeInvalidBucketState      = "InvalidBucketState"
	// A request signed for, or sent to, the wrong region.
	codePermanentRedirect     = "PermanentRedirect"
	codeAuthHeaderMalformed   = "AuthorizationHeaderMalformed"
	codeIllegalLocation       = "IllegalLocationConstraintException"
	codeInvalidAccessKeyID    = "InvalidAccessKeyId"
	codeSignatureDoesNotMatch = "SignatureDoesNotMatch"
)

// Explain adds what a user can do about the errors whose cause is in their configuration rather than in
// S3: the wrong region for a bucket, or credentials S3 does not accept. Others pass through unchanged.
func Explain(err error) error {
	if httpStatus(err) == http.StatusMovedPermanently {
		return fmt.Errorf("the bucket is in a different region than the provider's (S3 answered 301): set the provider's region (or AWS_REGION) to the bucket's region: %w", err)
	}
	var dnsErr *net.DNSError
	if errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dnsErr) {
		return fmt.Errorf("the S3 endpoint cannot be reached: check the endpoint named below: %w", err)
	}
	switch errorCode(err) {
	case codePermanentRedirect, codeAuthHeaderMalformed, codeIllegalLocation:
		return fmt.Errorf("the bucket is in a different region than the provider's: set the provider's region (or AWS_REGION) to the bucket's region: %w", err)
	case codeInvalidAccessKeyID:
		return fmt.Errorf("S3 does not know the access key: check the credentials' source named below: %w", err)
	case codeSignatureDoesNotMatch:
		return fmt.Errorf("S3 rejected the request signature, usually a wrong secret key: check the credentials' source named below: %w", err)
	}
	return err
}

// mfaError is a write S3 refused for want of a valid MFA code, or because MFA Delete conflicts with the
// bucket's state. Its text says what to do; the code itself never appears in it.
type mfaError struct {
	Reason string
	Err    error
}

func (e *mfaError) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *mfaError) Unwrap() error { return e.Err }

// describeMFAError explains the S3 errors that MFA-guarded writes produce.
func describeMFAError(err error) error {
	switch errorCode(err) {
	case codeAccessDenied:
		return &mfaError{Reason: "S3 refused the write: MFA Delete requires a valid one-time code from the bucket " +
			"owner's MFA device, and the code was missing, wrong or expired, or the caller is not the bucket owner " +
			"(only the root user can change MFA Delete)", Err: err}
	case codeInvalidArgument:
		return &mfaError{Reason: "S3 rejected the MFA value: it must be the device serial (ARN) and a 6-digit code", Err: err}
	case codeInvalidBucketState:
		return &mfaError{Reason: "S3 refuses MFA Delete on a bucket with a lifecycle configuration (and a lifecycle " +
			"configuration on a bucket with MFA Delete): remove the media bucket's lifecycle configuration, or keep " +
			"mfa_delete = false", Err: err}
	}
	return err
}

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
