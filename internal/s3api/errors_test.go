package s3api

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "from the server", Fault: smithy.FaultClient}
}

func TestIsNotFound(t *testing.T) {
	notFound := &NotFoundError{Bucket: "pm-media", Err: apiError(codeNoSuchBucket)}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"not found", notFound, true},
		{"wrapped once", fmt.Errorf("setting tags: %w", notFound), true},
		{"wrapped twice", fmt.Errorf("reading: %w", fmt.Errorf("setting tags: %w", notFound)), true},
		{"joined", errors.Join(errors.New("other"), notFound), true},
		{"raw NoSuchBucket is not mapped", apiError(codeNoSuchBucket), false},
		{"other API error", apiError(codeAccessDenied), false},
		{"plain error", errors.New(`bucket "pm-media" does not exist`), false},
		{"formatted without wrapping", fmt.Errorf("setting tags: %v", notFound), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsNotFound(tt.err); got != tt.want {
				t.Errorf("IsNotFound(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestNotFoundError(t *testing.T) {
	cause := apiError(codeNoSuchBucket)
	err := &NotFoundError{Bucket: "pm-media", Err: cause}
	if got, want := err.Error(), `bucket "pm-media" does not exist`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, cause) {
		t.Error("NotFoundError does not unwrap to its cause")
	}
	if !hasCode(err, codeNoSuchBucket) {
		t.Error("the S3 error code is not readable through a NotFoundError")
	}
}

func TestBucketGone(t *testing.T) {
	plain := errors.New("connection reset")
	tests := []struct {
		name     string
		err      error
		notFound bool
	}{
		{"NoSuchBucket", apiError(codeNoSuchBucket), true},
		{"wrapped NoSuchBucket", fmt.Errorf("operation error S3: GetBucketTagging: %w", apiError(codeNoSuchBucket)), true},
		{"NoSuchBucketPolicy", apiError(codeNoSuchBucketPolicy), false},
		{"AccessDenied", apiError(codeAccessDenied), false},
		{"plain error", plain, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bucketGone("pm-media", tt.err)
			if !tt.notFound {
				if got != tt.err {
					t.Errorf("bucketGone(%v) = %v, want the error passed through unchanged", tt.err, got)
				}
				return
			}
			var nf *NotFoundError
			if !errors.As(got, &nf) {
				t.Fatalf("bucketGone(%v) = %T %v, want *NotFoundError", tt.err, got, got)
			}
			if nf.Bucket != "pm-media" {
				t.Errorf("NotFoundError.Bucket = %q, want pm-media", nf.Bucket)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("NotFoundError does not wrap the original error %v", tt.err)
			}
			if !IsNotFound(got) {
				t.Error("IsNotFound(bucketGone(NoSuchBucket)) = false")
			}
		})
	}
}

func TestHasCode(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		codes []string
		want  bool
	}{
		{"nil", nil, []string{codeNoSuchBucket}, false},
		{"plain error", errors.New("NoSuchBucket"), []string{codeNoSuchBucket}, false},
		{"matching code", apiError(codeNoSuchBucket), []string{codeNoSuchBucket}, true},
		{"one of several", apiError(codeAccessDenied), []string{codeInvalidArgument, codeAccessDenied}, true},
		{"none of several", apiError(codeBucketNotEmpty), []string{codeInvalidArgument, codeAccessDenied}, false},
		{"no codes asked", apiError(codeNoSuchBucket), nil, false},
		{"wrapped", fmt.Errorf("deleting: %w", apiError(codeBucketNotEmpty)), []string{codeBucketNotEmpty}, true},
		{"codes are case-sensitive", apiError("nosuchbucket"), []string{codeNoSuchBucket}, false},
		{"empty code never matches", apiError(""), []string{""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hasCode(tt.err, tt.codes...); got != tt.want {
				t.Errorf("hasCode(%v, %q) = %v, want %v", tt.err, tt.codes, got, tt.want)
			}
		})
	}
}

func TestDescribeMFAError(t *testing.T) {
	plain := errors.New("connection reset")
	notFound := &NotFoundError{Bucket: "pm-media", Err: apiError(codeNoSuchBucket)}
	tests := []struct {
		name   string
		err    error
		mfa    bool   // want an *mfaError
		reason string // a substring of its reason
	}{
		{"access denied", apiError(codeAccessDenied), true, "valid one-time code"},
		{"wrapped access denied", fmt.Errorf("PutBucketVersioning: %w", apiError(codeAccessDenied)), true, "valid one-time code"},
		{"invalid argument", apiError(codeInvalidArgument), true, "device serial"},
		{"invalid bucket state", apiError(codeInvalidBucketState), true, "lifecycle configuration"},
		{"other code", apiError(codeBucketNotEmpty), false, ""},
		{"not found", notFound, false, ""},
		{"plain error", plain, false, ""},
		{"nil", nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeMFAError(tt.err)
			var mfaErr *mfaError
			if !tt.mfa {
				if got != tt.err {
					t.Errorf("describeMFAError(%v) = %v, want the error passed through unchanged", tt.err, got)
				}
				return
			}
			if !errors.As(got, &mfaErr) {
				t.Fatalf("describeMFAError(%v) = %T %v, want *mfaError", tt.err, got, got)
			}
			if !strings.Contains(mfaErr.Reason, tt.reason) || !strings.Contains(got.Error(), tt.reason) {
				t.Errorf("mfaError %q does not say %q", got, tt.reason)
			}
			if !errors.Is(got, tt.err) || errorCode(got) != errorCode(tt.err) {
				t.Errorf("mfaError does not wrap the original error %v", tt.err)
			}
			if !strings.Contains(got.Error(), tt.err.Error()) {
				t.Errorf("mfaError %q does not include the original error %q", got, tt.err)
			}
		})
	}
}
