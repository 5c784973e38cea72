package layertest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// S3NS is the XML namespace of S3's request and response documents.
const S3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// DeleteBody is a DeleteObjects request document for key/version pairs; a version "-" leaves VersionId out.
func DeleteBody(pairs ...[2]string) string {
	b := `<Delete xmlns="` + S3NS + `">`
	for _, p := range pairs {
		b += "<Object><Key>" + p[0] + "</Key>"
		if p[1] != "-" {
			b += "<VersionId>" + p[1] + "</VersionId>"
		}
		b += "</Object>"
	}
	return b + "<Quiet>true</Quiet></Delete>"
}

// HasVersion asks the server behind direct (no proxy) whether the object version exists.
func HasVersion(t testing.TB, ctx context.Context, direct *s3.Client, bucket, key, version string) bool {
	t.Helper()
	out, err := direct.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
	if err != nil {
		t.Fatalf("ListObjectVersions %s: %v", bucket, err)
	}
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key && aws.ToString(v.VersionId) == version {
			return true
		}
	}
	return false
}

// ExpectCode checks that err is an S3 error with code.
func ExpectCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	switch {
	case err == nil:
		t.Errorf("%s succeeded, want %s", what, code)
	case !errors.As(err, &apiErr):
		t.Errorf("%s: %v, want the S3 error %s", what, err, code)
	case apiErr.ErrorCode() != code:
		t.Errorf("%s: error code %s (%v), want %s", what, apiErr.ErrorCode(), err, code)
	}
}
