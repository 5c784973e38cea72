package awsbehaviour

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakeclock"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// testStart is the fake clock's start.
var testStart = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// harness is a client talking to an s3proxy.Proxy with the layer, in front of an upstream that records
// every request and answers as SeaweedFS would, unless a test sets its own answer.
type harness struct {
	*layertest.Bench
	layer *Layer
	clock *fakeclock.Clock
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{clock: fakeclock.New(testStart)}
	h.layer = New(Options{Now: h.clock.Now})
	h.Bench = layertest.New(t, h.layer.Semantics(), answerAsSeaweedFS)
	return h
}

// The upstream's canned documents.
const (
	upstreamVersions = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ListVersionsResult xmlns="` + layertest.S3NS + `"><Name>pm-media</Name><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
		`<Version><Key>a.jpg</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest><LastModified>2026-11-01T10:00:00Z</LastModified>` +
		`<ETag>&#34;e2&#34;</ETag><Size>2</Size><Owner><ID>o</ID></Owner><StorageClass>STANDARD</StorageClass></Version>` +
		`<DeleteMarker><Key>a.jpg</Key><VersionId>d1</VersionId><IsLatest>false</IsLatest><LastModified>2026-10-20T10:00:00Z</LastModified></DeleteMarker>` +
		`<Version><Key>a.jpg</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><LastModified>2026-10-01T10:00:00Z</LastModified>` +
		`<ETag>&#34;e1&#34;</ETag><Size>1</Size><Owner><ID>o</ID></Owner><StorageClass>STANDARD</StorageClass></Version>` +
		`<Version><Key>b.jpg</Key><VersionId>v9</VersionId><IsLatest>true</IsLatest><LastModified>2026-10-01T10:00:00Z</LastModified>` +
		`<ETag>&#34;e9&#34;</ETag><Size>9</Size><Owner><ID>o</ID></Owner><StorageClass>STANDARD</StorageClass></Version>` +
		`<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListVersionsResult>`
	upstreamObject = "content of the object"
	// upstreamUploadID is the UploadId of every multipart upload the upstream creates.
	upstreamUploadID = "upload-1"
)

// answerAsSeaweedFS is the upstream's default: what SeaweedFS answers for a bucket that exists and has no
// tags and no encryption configuration.
func answerAsSeaweedFS(w http.ResponseWriter, r *http.Request) {
	switch op := s3proxy.Classify(r); op.Name {
	case "GetAccountPublicAccessBlock":
		// SeaweedFS has no S3 Control API: this is an object in a bucket named v20180820.
		s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	case "GetBucketTagging":
		s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
	case "GetBucketEncryption", "DeleteBucketEncryption":
		s3proxy.WriteError(w, r, http.StatusNotFound, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found.")
	case "ListObjectVersions":
		w.Header().Set("Content-Type", "application/xml")
		_, _ = io.WriteString(w, upstreamVersions)
	case "GetObject":
		_, _ = io.WriteString(w, upstreamObject)
	case "CopyObject":
		_, _ = io.WriteString(w, `<CopyObjectResult><ETag>"e"</ETag></CopyObjectResult>`)
	case "CreateMultipartUpload":
		w.Header().Set("Content-Type", "application/xml")
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<InitiateMultipartUploadResult xmlns="`+layertest.S3NS+
			`"><Bucket>`+op.Bucket+`</Bucket><Key>`+op.Key+`</Key><UploadId>`+upstreamUploadID+`</UploadId></InitiateMultipartUploadResult>`)
	case "AbortMultipartUpload":
		w.WriteHeader(http.StatusNoContent)
	case "DeleteBucket", "DeletePublicAccessBlock", "PutBucketPolicy", "DeleteBucketPolicy", "DeleteBucketTagging":
		w.WriteHeader(http.StatusNoContent)
	case "PutBucketReplication", "DeleteBucketReplication":
		s3proxy.WriteError(w, r, http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
	case "GetBucketReplication":
		s3proxy.WriteError(w, r, http.StatusNotFound, "ReplicationConfigurationNotFoundError", "The replication configuration was not found")
	}
}

// reply is an answer the client received.
type reply = layertest.Reply

// request describes one request: header values are set as given.
type request struct {
	method, target string
	header         http.Header
	body           string
}

// send makes the request through the proxy; a request that gets no answer fails the test.
func (h *harness) send(t *testing.T, q request) reply {
	t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	header := q.header
	if header == nil {
		header = signed()
	}
	rep, err := h.Send(q.method, q.target, header, body)
	if err != nil {
		t.Fatalf("%s %s: %v", q.method, q.target, err)
	}
	return rep
}

// do is send for a signed request without extra headers.
func (h *harness) do(t *testing.T, method, target, body string) reply {
	t.Helper()
	return h.send(t, request{method: method, target: target, body: body})
}

// signed is a header as far as the layer reads signatures: it only tells signed from anonymous requests.
func signed(kv ...string) http.Header {
	h := http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDTEST/20261120/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// expectRefused checks that the layer answered status and code itself and the upstream saw nothing.
func (h *harness) expectRefused(t *testing.T, got reply, status int, code string) {
	t.Helper()
	if got.Code != code {
		t.Errorf("answer %d %s (%s), want %d %s", got.Status, got.Code, got.Body, status, code)
	}
	h.ExpectAnswered(t, got, status)
}

// The documents the tests send, as the AWS SDK writes them.

func publicAccessBlockBody(p PublicAccessBlock) string {
	b, err := xml.Marshal(publicAccessBlockXML{XMLName: xml.Name{Space: layertest.S3NS, Local: "PublicAccessBlockConfiguration"},
		BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls, BlockPublicPolicy: p.BlockPublicPolicy,
		RestrictPublicBuckets: p.RestrictPublicBuckets})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// publicReadPolicy lets everyone read the bucket's objects: public.
func publicReadPolicy(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
}

// tlsOnlyPolicy denies every request not made over TLS: not public.
func tlsOnlyPolicy(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
}

func taggingBody(kv ...string) string {
	b := `<Tagging xmlns="` + layertest.S3NS + `"><TagSet>`
	for i := 0; i+1 < len(kv); i += 2 {
		b += "<Tag><Key>" + kv[i] + "</Key><Value>" + kv[i+1] + "</Value></Tag>"
	}
	return b + "</TagSet></Tagging>"
}

// parseTags reads a GetBucketTagging answer into a map, failing the test on duplicates.
func parseTags(t *testing.T, body []byte) map[string]string {
	t.Helper()
	doc, err := parseTagging(body)
	if err != nil {
		t.Fatalf("tagging answer %s: %v", body, err)
	}
	tags := make(map[string]string)
	for _, tg := range doc.TagSet {
		if _, dup := tags[tg.Key]; dup {
			t.Errorf("tag %s twice in %s", tg.Key, body)
		}
		tags[tg.Key] = tg.Value
	}
	return tags
}
