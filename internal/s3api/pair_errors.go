package s3api

// The typed errors of the pair operations. Each says what state the buckets were left in; the provider
// turns them into diagnostics with advice, and tests match them with errors.As.

import (
	"fmt"
	"strings"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// Op names the pair operation an error comes from, where the advice differs (destroy cannot see a
// resource's own arguments).
type Op string

const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Complete reports whether m carries both a device serial and a code, as S3's x-amz-mfa needs.
func (m MFA) Complete() bool { return m.Serial != "" && m.Code != "" }

// MFACodeRequiredError says an operation needs a write S3 guards with MFA Delete and no complete MFA value
// was given: nothing was changed.
type MFACodeRequiredError struct {
	Op     Op
	Bucket string
	// Change says what the operation would do, as "create a media bucket with MFA Delete".
	Change string
}

func (e *MFACodeRequiredError) Error() string {
	return fmt.Sprintf("an MFA code is required to %s; none was given, so nothing was changed", e.Change)
}

// NameCheckError says a bucket name cannot be used for a new pair: it exists (Existence is OwnedByCaller,
// OwnedByOther, or InOtherRegion with the Region), or checking it failed (Err).
type NameCheckError struct {
	Role      bucketstate.Role
	Bucket    string
	Existence Existence
	Region    string
	Err       error
}

func (e *NameCheckError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("checking whether %s bucket %q exists: %v", e.Role, e.Bucket, e.Err)
	case e.Existence == OwnedByCaller:
		return fmt.Sprintf("%s bucket %q already exists and belongs to these credentials", e.Role, e.Bucket)
	case e.Existence == InOtherRegion && e.Region == "":
		return fmt.Sprintf("%s bucket name %q is taken, in another region", e.Role, e.Bucket)
	case e.Existence == InOtherRegion:
		return fmt.Sprintf("%s bucket name %q is taken, in region %s", e.Role, e.Bucket, e.Region)
	}
	return fmt.Sprintf("%s bucket name %q is taken", e.Role, e.Bucket)
}

func (e *NameCheckError) Unwrap() error { return e.Err }

// PartialCreateError says a create stopped after some buckets were created.
type PartialCreateError struct {
	Created []string
	// Step says what failed, as "creating the static bucket".
	Step string
	Err  error
}

func (e *PartialCreateError) Error() string {
	return fmt.Sprintf("failed while %s after creating %s: %v", e.Step, strings.Join(e.Created, " and "), e.Err)
}

func (e *PartialCreateError) Unwrap() error { return e.Err }

// NotConvergedError says S3 accepted the writes but did not report all of them in time.
type NotConvergedError struct {
	// Left is what was still different at the last read.
	Left []bucketstate.Drift
	// Observed is the last read, for recording what is real.
	Observed PairObserved
	Err      error
}

func (e *NotConvergedError) Error() string {
	return fmt.Sprintf("S3 does not report every write yet (%d settings still differ): %v", len(e.Left), e.Err)
}

func (e *NotConvergedError) Unwrap() error { return e.Err }

// MediaNotEmptyError refuses to destroy a media bucket that holds anything without force destroy.
type MediaNotEmptyError struct {
	Bucket, Static string
	Contents       Contents
}

func (e *MediaNotEmptyError) Error() string {
	return fmt.Sprintf("media bucket %q is not empty (%d object versions, %d delete markers)", e.Bucket, e.Contents.Versions, e.Contents.DeleteMarkers)
}

// MFADestroyTooLargeError refuses a force destroy of a media bucket with MFA Delete that holds more than one
// DeleteObjects request can delete: each request needs its own one-time code, and a destroy has one.
type MFADestroyTooLargeError struct {
	Bucket string
	// Entries counts the object versions and delete markers.
	Entries int
}

func (e *MFADestroyTooLargeError) Error() string {
	return fmt.Sprintf("media bucket %q has MFA Delete and holds %d versions and delete markers, more than the %d one request "+
		"(and one code) can delete", e.Bucket, e.Entries, maxDeletePerRequest)
}

// MediaLockedError refuses a force destroy of a media bucket holding versions that S3 Object Lock protects
// (a retention not yet past, or a legal hold): S3 would refuse to delete them, so nothing at all is deleted.
type MediaLockedError struct {
	Bucket, Static string
	Locked         bucketstate.LockedVersions
	// Versions counts every object version in the bucket, locked or not.
	Versions int
	// Default is the bucket's default retention, which every version written from now on gets; nil for none.
	Default *bucketstate.LockRetention
}

func (e *MediaLockedError) Error() string {
	until := "no retention date (legal holds only)"
	if !e.Locked.LatestRetainUntil.IsZero() {
		until = "the last retention ends " + e.Locked.LatestRetainUntil.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("media bucket %q holds %d of %d object versions that S3 Object Lock protects (%d under GOVERNANCE "+
		"retention, %d under COMPLIANCE retention, %d with a legal hold); %s", e.Bucket, e.Locked.Count, e.Versions,
		e.Locked.Governance, e.Locked.Compliance, e.Locked.LegalHolds, until)
}

// DestroyStep names where a destroy stopped.
type DestroyStep string

const (
	// StepCheckMedia: deciding about the media bucket, before anything was deleted.
	StepCheckMedia DestroyStep = "checking the media bucket"
	// StepDeleteStatic: emptying or deleting the static bucket; the media bucket was not touched.
	StepDeleteStatic DestroyStep = "deleting the static bucket"
	// StepDeleteMedia: emptying or deleting the media bucket, after the static bucket was deleted.
	StepDeleteMedia DestroyStep = "deleting the media bucket"
)

// DestroyError says a destroy failed, where, and which buckets were already deleted by then.
type DestroyError struct {
	Step    DestroyStep
	Deleted []string
	Err     error
}

func (e *DestroyError) Error() string { return string(e.Step) + ": " + e.Err.Error() }
func (e *DestroyError) Unwrap() error { return e.Err }

// joinSettings names settings for a message: "versioning and MFA Delete".
func joinSettings(settings []bucketstate.Setting) string {
	names := make([]string, len(settings))
	for i, s := range settings {
		names[i] = string(s)
	}
	return strings.Join(names, " and ")
}
