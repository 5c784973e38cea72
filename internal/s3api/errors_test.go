package s3api

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
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

// What a refused write says, by error, by what the request carried and by what it writes.
func TestClassifyRefusal(t *testing.T) {
	denied := &smithy.OperationError{ServiceID: "S3", OperationName: "PutBucketPolicy", Err: apiError(codeAccessDenied)}
	plain := errors.New("connection reset")
	notFound := &NotFoundError{Bucket: "pm-media", Err: apiError(codeNoSuchBucket)}
	policy := writeRequest{Bucket: "pm-static", Role: bucketstate.Static, Action: "s3:PutBucketPolicy"}
	publicPolicy := policy
	publicPolicy.PublicPolicy = true
	mediaPolicy := writeRequest{Bucket: "pm-media", Role: bucketstate.Media, Action: "s3:PutBucketPolicy"}
	versioning := writeRequest{Bucket: "pm-media", Role: bucketstate.Media, Action: "s3:PutBucketVersioning"}
	versioningWithCode := versioning
	versioningWithCode.MFASent = true
	enablingMFA := versioningWithCode
	enablingMFA.MFALifecycle = true
	encryption := writeRequest{Bucket: "pm-media", Role: bucketstate.Media, Action: "s3:PutEncryptionConfiguration", KMS: true}
	tags := writeRequest{Bucket: "pm-media", Role: bucketstate.Media, Action: "s3:PutBucketTagging"}

	tests := []struct {
		name string
		err  error
		req  writeRequest
		// kind: "mfa" (an *mfaError whose reason has say), "denied" (an *AccessDeniedError whose causes
		// include each of say and none of sayNot), "" (passed through unchanged).
		kind   string
		say    []string
		sayNot []string
	}{
		{"code sent and refused", apiError(codeAccessDenied), versioningWithCode, "mfa", []string{"valid one-time code"}, nil},
		{"code sent, malformed", apiError(codeInvalidArgument), versioningWithCode, "mfa", []string{"device serial"}, nil},
		{"MFA Delete with a lifecycle", apiError(codeInvalidBucketState), enablingMFA, "mfa", []string{"lifecycle configuration"}, nil},
		{"denied without a code: IAM first", denied, policy, "denied", []string{"IAM policies", "service control policy"},
			[]string{"one-time code", "guard", "BlockPublicPolicy", "KMS"}},
		{"public policy denied: Block Public Access", denied, publicPolicy, "denied", []string{"IAM policies", "BlockPublicPolicy"}, []string{"guard"}},
		{"media policy denied: the guard", denied, mediaPolicy, "denied", []string{"IAM policies", "guard policy denies s3:PutBucketPolicy"}, []string{"BlockPublicPolicy"}},
		{"versioning denied without a code", apiError(codeAccessDenied), versioning, "denied", []string{"guard policy", "MFA Delete is on"}, nil},
		{"encryption with a KMS key", apiError(codeAccessDenied), encryption, "denied", []string{"KMS key's policy"}, []string{"guard"}},
		{"tags: not a guarded action", apiError(codeAccessDenied), tags, "denied", []string{"IAM policies"}, []string{"guard", "MFA"}},
		{"invalid argument without a code keeps its message", apiError(codeInvalidArgument), tags, "", nil, nil},
		{"invalid bucket state elsewhere keeps its message", apiError(codeInvalidBucketState), tags, "", nil, nil},
		{"other code", apiError(codeBucketNotEmpty), versioningWithCode, "", nil, nil},
		{"not found", notFound, versioningWithCode, "", nil, nil},
		{"plain error", plain, policy, "", nil, nil},
		{"nil", nil, policy, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classifyRefusal(tt.err, tt.req)
			switch tt.kind {
			case "":
				if got != tt.err {
					t.Fatalf("classifyRefusal(%v) = %v, want the error passed through unchanged", tt.err, got)
				}
				return
			case "mfa":
				var mfaErr *mfaError
				if !errors.As(got, &mfaErr) {
					t.Fatalf("classifyRefusal(%v) = %T %v, want *mfaError", tt.err, got, got)
				}
				for _, s := range tt.say {
					if !strings.Contains(mfaErr.Reason, s) {
						t.Errorf("reason %q does not say %q", mfaErr.Reason, s)
					}
				}
			case "denied":
				var denied *AccessDeniedError
				if !errors.As(got, &denied) {
					t.Fatalf("classifyRefusal(%v) = %T %v, want *AccessDeniedError", tt.err, got, got)
				}
				causes := strings.Join(denied.Causes, " | ")
				for _, s := range tt.say {
					if !strings.Contains(causes, s) {
						t.Errorf("causes %q do not say %q", causes, s)
					}
				}
				for _, s := range tt.sayNot {
					if strings.Contains(causes, s) {
						t.Errorf("causes %q say %q, which does not fit the request", causes, s)
					}
				}
				if denied.Bucket != tt.req.Bucket || denied.Action != tt.req.Action || !strings.Contains(got.Error(), tt.req.Action) {
					t.Errorf("%q does not name the bucket %s and the action %s", got, tt.req.Bucket, tt.req.Action)
				}
				if strings.Contains(got.Error(), "MFA Delete requires") {
					t.Errorf("%q uses the MFA wording for a request that carried no code", got)
				}
			}
			if !errors.Is(got, tt.err) || errorCode(got) != errorCode(tt.err) || !strings.Contains(got.Error(), tt.err.Error()) {
				t.Errorf("%q does not wrap and quote the original error %v", got, tt.err)
			}
		})
	}
	var named *AccessDeniedError
	if errors.As(classifyRefusal(denied, policy), &named); named == nil || named.Operation != "PutBucketPolicy" {
		t.Errorf("the operation is not named: %+v", named)
	}
}

// A name refused for its namespace is explained: what the form is for, and what the name needs.
func TestExplainNamespaceRefusals(t *testing.T) {
	for code, want := range map[string]string{
		codeMissingNamespaceHeader: "which S3 keeps for buckets created in an account regional namespace",
		codeInvalidNamespaceHeader: "needs a name ending with -<account ID>-<region>-an",
	} {
		err := Explain(fmt.Errorf("creating bucket: %w", apiError(code)))
		if !strings.Contains(err.Error(), want) || errorCode(err) != code {
			t.Errorf("Explain(%s) = %v, want it to say %q and keep the code", code, err, want)
		}
	}
}

func TestExplainChecksumRefusals(t *testing.T) {
	for _, e := range []*smithy.GenericAPIError{
		{Code: "InvalidArgument", Message: "Unsupported header 'x-amz-sdk-checksum-algorithm' received for this API call."},
		{Code: "InvalidArgument", Message: "Unsupported header 'x-amz-trailer' received for this API call."},
		{Code: "NotImplemented", Message: "STREAMING-UNSIGNED-PAYLOAD-TRAILER not implemented"},
	} {
		err := Explain(fmt.Errorf("uploading: %w", e))
		if !strings.Contains(err.Error(), `set the provider argument checksums = "when_required"`) || errorCode(err) != e.Code {
			t.Errorf("Explain(%s %s) = %v, want advice on checksums and the code kept", e.Code, e.Message, err)
		}
	}
	for _, e := range []*smithy.GenericAPIError{
		{Code: "InvalidArgument", Message: "Invalid version id specified"},
		{Code: "AccessDenied", Message: "x-amz-checksum-crc32 is not allowed"},
	} {
		if err := Explain(e); err != error(e) {
			t.Errorf("Explain(%s %s) = %v, want it unchanged", e.Code, e.Message, err)
		}
	}
}
