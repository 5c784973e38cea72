package checksumrefusal

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

func newBench(t *testing.T) (*Layer, *layertest.Bench) {
	t.Helper()
	l := New()
	l.Add("b2-bucket")
	return l, layertest.New(t, l.Semantics(), func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
}

func TestUploadsWithChecksumHeadersAreRefused(t *testing.T) {
	l, b := newBench(t)
	for _, h := range []struct{ name, value string }{
		{"X-Amz-Sdk-Checksum-Algorithm", "CRC32"},
		{"X-Amz-Trailer", "x-amz-checksum-crc32"},
		{"X-Amz-Checksum-Crc64nvme", "AAAAAAAAAAA="},
		{"X-Amz-Checksum-Sha256", "Gy+ntJ0qfWk+w9o7XUbDRHFfm2is2lK7mooEHCuNl3E="},
	} {
		for _, target := range []string{"/b2-bucket/k", "/b2-bucket/k?partNumber=1&uploadId=u"} {
			got, err := b.Send(http.MethodPut, target, http.Header{h.name: {h.value}}, strings.NewReader("x"))
			if err != nil {
				t.Fatal(err)
			}
			b.ExpectAnswered(t, got, http.StatusBadRequest)
			want := "Unsupported header '" + strings.ToLower(h.name) + "' received for this API call."
			var doc struct{ Message string }
			if err := xml.Unmarshal(got.Body, &doc); err != nil || got.Code != "InvalidArgument" || doc.Message != want {
				t.Errorf("PUT %s with %s: %s %s, want InvalidArgument %q", target, h.name, got.Code, got.Body, want)
			}
		}
	}
	if l.Refused() != 8 || l.Uploads() != 0 {
		t.Errorf("Refused, Uploads = %d, %d; want 8, 0", l.Refused(), l.Uploads())
	}
}

func TestOtherRequestsPass(t *testing.T) {
	l, b := newBench(t)
	for _, c := range []struct {
		method, target string
		header         http.Header
	}{
		{http.MethodPut, "/b2-bucket/k", http.Header{"Content-Md5": {"XUFAKrxLKna5cZ2REBfFkg=="}}},
		// Required by the operation's model, sent whatever the client's setting.
		{http.MethodPut, "/b2-bucket?versioning", http.Header{"X-Amz-Checksum-Crc32": {"C8vlPQ=="}}},
		{http.MethodPost, "/b2-bucket?delete", http.Header{"X-Amz-Checksum-Crc32": {"tCs18Q=="}}},
		{http.MethodGet, "/b2-bucket/k", http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}},
		// A bucket the layer was not given.
		{http.MethodPut, "/other/k", http.Header{"X-Amz-Sdk-Checksum-Algorithm": {"CRC32"}}},
	} {
		got, err := b.Send(c.method, c.target, c.header, strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		b.ExpectForwarded(t, got, http.StatusOK)
	}
	if l.Refused() != 0 || l.Uploads() != 1 {
		t.Errorf("Refused, Uploads = %d, %d; want 0, 1", l.Refused(), l.Uploads())
	}
	l.Remove("b2-bucket")
	got, err := b.Send(http.MethodPut, "/b2-bucket/k", http.Header{"X-Amz-Trailer": {"x-amz-checksum-crc32"}}, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	b.ExpectForwarded(t, got, http.StatusOK)
}

// TestTheSDKsDefaultsMeetTheLayer checks the layer against what the SDK really sends: its default refused,
// "when required" let through.
func TestTheSDKsDefaultsMeetTheLayer(t *testing.T) {
	l, b := newBench(t)
	client := func(mode aws.RequestChecksumCalculation) *s3.Client {
		return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(b.URL()), UsePathStyle: true,
			HTTPClient: b.Client(), Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
			RequestChecksumCalculation: mode})
	}
	put := &s3.PutObjectInput{Bucket: aws.String("b2-bucket"), Key: aws.String("k"), Body: strings.NewReader("hello")}
	_, err := client(aws.RequestChecksumCalculationWhenSupported).PutObject(t.Context(), put)
	layertest.ExpectCode(t, "PutObject when supported", err, "InvalidArgument")
	if err == nil || !strings.Contains(err.Error(), "Unsupported header 'x-amz-checksum-crc32'") {
		t.Errorf("PutObject when supported: %v, want the header named", err)
	}
	put.Body = strings.NewReader("hello")
	if _, err := client(aws.RequestChecksumCalculationWhenRequired).PutObject(t.Context(), put); err != nil {
		t.Errorf("PutObject when required: %v", err)
	}
	_, err = client(aws.RequestChecksumCalculationWhenRequired).DeleteObjects(t.Context(), &s3.DeleteObjectsInput{
		Bucket: aws.String("b2-bucket"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}}})
	if err != nil {
		t.Errorf("DeleteObjects when required: %v", err)
	}
	if l.Refused() != 1 || l.Uploads() != 1 {
		t.Errorf("Refused, Uploads = %d, %d; want 1, 1", l.Refused(), l.Uploads())
	}
}
