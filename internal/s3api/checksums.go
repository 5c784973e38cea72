package s3api

// This file decides when the client sends and checks the integrity checksums recent SDKs add by default.
//
// Since service/s3 v1.73.0 (January 2025) the SDK computes a CRC32 for every request body that may carry one
// and asks for the object's checksum with every GetObject ("when supported"). What that puts on the wire,
// measured with this SDK release against a server that prints the headers it gets:
//
//   - PutObject (and UploadPart) over HTTPS: Content-Encoding aws-chunked, x-amz-content-sha256
//     STREAMING-UNSIGNED-PAYLOAD-TRAILER and x-amz-trailer: x-amz-checksum-crc32; "when required" sends a
//     plain body with UNSIGNED-PAYLOAD.
//   - GetObject: x-amz-checksum-mode: ENABLED, and the answer's checksum is verified; "when required" sends
//     neither.
//   - CopyObject, HeadObject and the listing calls: nothing either way.
//   - Operations whose model requires a checksum (PutBucketVersioning, PutBucketPolicy, DeleteObjects, ...):
//     x-amz-checksum-crc32 in both modes. The setting cannot take that away.
//
// Several S3-compatible services refuse the first two (Backblaze B2 answers 400 InvalidArgument
// "Unsupported header '<name>' received for this API call.", see internal/testsupport/s3proxy/checksumrefusal),
// so against an endpoint that is not Amazon S3 the client sends them only when an operation requires them.

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The values of Config.Checksums.
const (
	// ChecksumsWhenRequired sends and checks checksums only where the operation requires one.
	ChecksumsWhenRequired = "when_required"
	// ChecksumsWhenSupported is the SDK's own default: a checksum with every request that can carry one, and
	// a checked one with every GetObject.
	ChecksumsWhenSupported = "when_supported"
)

// ChecksumModes returns the accepted values of Config.Checksums, for validators and schema text alike; ""
// means the default. A function, so that no caller can change the list for everyone.
func ChecksumModes() []string { return []string{ChecksumsWhenRequired, ChecksumsWhenSupported} }

// ChecksumPolicy is what the client does about integrity checksums, in the SDK's terms.
type ChecksumPolicy struct {
	Mode     string // one of ChecksumModes()
	Request  aws.RequestChecksumCalculation
	Response aws.ResponseChecksumValidation
}

// ResolveChecksums turns the configured mode ("" for none) into the client's policy: the mode as given, else
// when_supported on Amazon S3 (the default endpoint or one of AWS's own) and when_required against any other
// endpoint.
func ResolveChecksums(mode string, onAWS bool) (ChecksumPolicy, error) {
	if mode == "" {
		mode = ChecksumsWhenRequired
		if onAWS {
			mode = ChecksumsWhenSupported
		}
	}
	switch mode {
	case ChecksumsWhenRequired:
		return ChecksumPolicy{Mode: mode, Request: aws.RequestChecksumCalculationWhenRequired,
			Response: aws.ResponseChecksumValidationWhenRequired}, nil
	case ChecksumsWhenSupported:
		return ChecksumPolicy{Mode: mode, Request: aws.RequestChecksumCalculationWhenSupported,
			Response: aws.ResponseChecksumValidationWhenSupported}, nil
	}
	return ChecksumPolicy{}, fmt.Errorf("checksums must be one of %q, got %q", ChecksumModes(), mode)
}

// apply sets the policy on an S3 client's options.
func (p ChecksumPolicy) apply(o *s3.Options) {
	o.RequestChecksumCalculation = p.Request
	o.ResponseChecksumValidation = p.Response
}
