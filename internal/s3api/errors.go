package s3api

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"

	"github.com/aws/smithy-go"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
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
	// CreateBucket's answers to a name that does not fit the namespace asked for.
	codeMissingNamespaceHeader = "MissingNamespaceHeader"
	codeInvalidNamespaceHeader = "InvalidNamespaceHeader"
	// A request signed for, or sent to, the wrong region.
	codePermanentRedirect     = "PermanentRedirect"
	codeAuthHeaderMalformed   = "AuthorizationHeaderMalformed"
	codeIllegalLocation       = "IllegalLocationConstraintException"
	codeInvalidAccessKeyID    = "InvalidAccessKeyId"
	codeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	// STS's names for an unknown key and expired temporary credentials.
	codeInvalidClientTokenID = "InvalidClientTokenId"
	codeExpiredToken         = "ExpiredToken"
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
	case codeInvalidAccessKeyID, codeInvalidClientTokenID:
		return fmt.Errorf("S3 does not know the access key: check the credentials' source named below: %w", err)
	case codeExpiredToken:
		return fmt.Errorf("the credentials have expired: renew them (a new session, SSO login or role assumption) at the source named below: %w", err)
	case codeSignatureDoesNotMatch:
		return fmt.Errorf("S3 rejected the request signature, usually a wrong secret key: check the credentials' source named below: %w", err)
	case codeMissingNamespaceHeader:
		return fmt.Errorf("the name is of the form <prefix>-<account ID>-<region>-an, which S3 keeps for buckets created in an account regional namespace: create the buckets there, or choose a name that does not end with -an: %w", err)
	case codeInvalidNamespaceHeader:
		return fmt.Errorf("a bucket in the account regional namespace needs a name ending with -<account ID>-<region>-an, with the account the credentials belong to and the region the bucket is created in: %w", err)
	}
	if refusesChecksums(err) {
		return fmt.Errorf("the S3 endpoint does not accept the integrity checksums the AWS SDK sends by default: set the provider argument checksums = %q (the default with an endpoint that is not Amazon S3's): %w", ChecksumsWhenRequired, err)
	}
	return err
}

// refusesChecksums reports whether err is an S3-compatible service refusing the checksum headers or the
// aws-chunked trailer of the SDK's default checksums: Backblaze B2's 400 InvalidArgument "Unsupported header
// 'x-amz-checksum-crc32' received for this API call." (see internal/testsupport/s3proxy/checksumrefusal), or a
// NotImplemented naming the streaming payload as Cloudflare R2's does for streaming uploads.
func refusesChecksums(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || (apiErr.ErrorCode() != codeInvalidArgument && apiErr.ErrorCode() != codeNotImplemented) {
		return false
	}
	msg := strings.ToLower(apiErr.ErrorMessage())
	return strings.Contains(msg, "x-amz-checksum") || strings.Contains(msg, "x-amz-sdk-checksum") ||
		strings.Contains(msg, "x-amz-trailer") || strings.Contains(msg, "streaming-unsigned-payload-trailer")
}

// mfaError is a write S3 refused for want of a valid MFA code, or because MFA Delete conflicts with the
// bucket's state. Its text says what to do; the code itself never appears in it.
type mfaError struct {
	Reason string
	Err    error
}

func (e *mfaError) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *mfaError) Unwrap() error { return e.Err }

// AccessDeniedError is an AccessDenied that MFA Delete does not explain: no code was sent, and S3 does not
// guard the request with one. It names the operation, the bucket, the IAM action S3 checked and the causes
// that fit the request, most likely first.
type AccessDeniedError struct {
	Operation, Bucket, Action string
	Causes                    []string
	Err                       error
}

func (e *AccessDeniedError) Error() string {
	return fmt.Sprintf("S3 denied %s on bucket %q (IAM action %s). Likely causes, most likely first:\n  - %s\nS3 said: %v",
		e.Operation, e.Bucket, e.Action, strings.Join(e.Causes, ";\n  - "), e.Err)
}

func (e *AccessDeniedError) Unwrap() error { return e.Err }

// writeRequest is what classifyRefusal needs to know of a refused request.
type writeRequest struct {
	Bucket string
	Role   bucketstate.Role
	// Action is the IAM action S3 checks, such as s3:PutBucketPolicy.
	Action string
	// MFASent is set when the request carried x-amz-mfa.
	MFASent bool
	// PublicPolicy is set when the request writes a bucket policy that grants public access.
	PublicPolicy bool
	// KMS is set when the request names a KMS key.
	KMS bool
	// MFALifecycle is set for the writes S3 refuses with InvalidBucketState because MFA Delete and a
	// lifecycle configuration exclude each other: versioning with MFA Delete, and lifecycle.
	MFALifecycle bool
	// Feature is what the service must implement for the write.
	Feature bucketstate.Feature
}

// classifyRefusal says what a refused write means. The MFA wording is kept for requests that carried a
// code; an AccessDenied without one becomes an *AccessDeniedError naming the likely causes; InvalidBucketState
// on the MFA Delete and lifecycle writes explains that conflict. Any other error keeps its code and message.
func classifyRefusal(err error, w writeRequest) error {
	switch code := errorCode(err); {
	case w.Feature != "" && isNotImplemented(err):
		return &UnsupportedError{Feature: w.Feature, Err: err}
	case code == codeAccessDenied && w.MFASent:
		return &mfaError{Reason: "S3 refused the write: MFA Delete requires a valid one-time code from the bucket " +
			"owner's MFA device, and the code was wrong or expired (a code is valid for about 30 seconds, and S3 may " +
			"refuse one used before), or the caller is not the bucket owner (only the root user can change MFA Delete)", Err: err}
	case code == codeAccessDenied:
		return &AccessDeniedError{Operation: operationName(err), Bucket: w.Bucket, Action: w.Action, Causes: deniedCauses(w), Err: err}
	case code == codeInvalidArgument && w.MFASent:
		return &mfaError{Reason: "S3 rejected the MFA value: it must be the device serial (ARN) and a 6-digit code", Err: err}
	case code == codeInvalidBucketState && w.MFALifecycle:
		return &mfaError{Reason: "S3 refuses MFA Delete on a bucket with a lifecycle configuration (and a lifecycle " +
			"configuration on a bucket with MFA Delete): remove the media bucket's lifecycle configuration, or keep " +
			"mfa_delete = false", Err: err}
	}
	return err
}

// deniedCauses lists what can deny w, most likely first.
func deniedCauses(w writeRequest) []string {
	causes := []string{fmt.Sprintf("the credentials' IAM policies (identity policy or permissions boundary) or an AWS "+
		"Organizations service control policy do not allow %s on this bucket", w.Action)}
	if w.PublicPolicy {
		causes = append(causes, "Block Public Access: the account's or the bucket's BlockPublicPolicy setting refuses "+
			"every public bucket policy (after it is turned off, S3 can keep refusing for up to a minute)")
	}
	if w.Role == bucketstate.Media && slices.Contains(bucketpolicy.GuardedActions(), w.Action) {
		causes = append(causes, "the media bucket's guard policy denies "+w.Action+" to every principal not in "+
			"guard_exempt_principals")
	}
	if w.Action == "s3:PutBucketVersioning" {
		causes = append(causes, "MFA Delete is on (turned on outside Terraform?) and the request carried no code")
	}
	if w.Action == "s3:PutReplicationConfiguration" {
		causes = append(causes, "the credentials may not pass the replication role to S3: writing a replication "+
			"configuration also needs iam:PassRole on media_replication's role_arn, which must belong to the media bucket's account")
	}
	if w.KMS {
		causes = append(causes, "the KMS key's policy does not let the caller use the key")
	}
	return causes
}

// operationName is the S3 API operation an SDK error came from, such as PutBucketPolicy.
func operationName(err error) string {
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) {
		return opErr.OperationName
	}
	return "the request"
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
