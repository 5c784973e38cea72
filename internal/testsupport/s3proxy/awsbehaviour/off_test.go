package awsbehaviour

// A behaviour that is off, or on but not concerned with a request, forwards it untouched: the server sees
// the bytes and headers the client sent (what its SigV4 signature covers), and the client the server's
// answer.

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// untouchedRequests touch every operation the layer handles, with every header it reads.
func untouchedRequests(bucket string) []request {
	withHeaders := signed(
		"X-Amz-Expected-Bucket-Owner", DefaultAccount,
		"X-Amz-Optional-Object-Attributes", "RestoreStatus",
		"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD",
		"Content-Md5", "1B2M2Y8AsgTpgAmY7PhCfg==",
		"X-Amz-Checksum-Crc32", "AAAAAA==",
		"X-Amz-Bucket-Namespace", "account-regional",
	)
	return []request{
		{method: http.MethodPut, target: "/" + bucket, header: withHeaders},
		{method: http.MethodHead, target: "/" + bucket},
		{method: http.MethodPut, target: "/" + bucket + "?publicAccessBlock", header: withHeaders, body: publicAccessBlockBody(*BlockAll())},
		{method: http.MethodDelete, target: "/" + bucket + "?publicAccessBlock"},
		{method: http.MethodPut, target: "/" + bucket + "?policy", header: withHeaders, body: publicReadPolicy(bucket)},
		{method: http.MethodDelete, target: "/" + bucket + "?policy"},
		{method: http.MethodGet, target: "/" + bucket + "/index.html", header: http.Header{}},
		{method: http.MethodGet, target: "/" + bucket + "?tagging"},
		{method: http.MethodPut, target: "/" + bucket + "?tagging", header: withHeaders, body: taggingBody("app", "shop")},
		{method: http.MethodDelete, target: "/" + bucket + "?tagging"},
		{method: http.MethodGet, target: "/" + bucket + "?encryption"},
		{method: http.MethodPut, target: "/" + bucket + "?encryption", header: withHeaders, body: encryptionBody("AES256", "", "NONE", nil)},
		{method: http.MethodDelete, target: "/" + bucket + "?encryption"},
		{method: http.MethodPut, target: "/" + bucket + "/a.jpg", header: signed(sseCustomerAlgorithm, "AES256"), body: "bytes"},
		{method: http.MethodPut, target: "/" + bucket + "/copy.jpg", header: signed("X-Amz-Copy-Source", "/"+bucket+"/a.jpg?versionId=v1")},
		{method: http.MethodGet, target: "/" + bucket + "?versions", header: withHeaders},
		{method: http.MethodGet, target: "/v20180820/configuration/publicAccessBlock", header: signed("X-Amz-Account-Id", DefaultAccount)},
		{method: http.MethodPost, target: "/" + bucket + "/big.bin?uploads", header: signed(headerChecksumAlgorithm, "CRC32")},
		{method: http.MethodPut, target: "/" + bucket + "/big.bin?partNumber=1&uploadId=" + upstreamUploadID, header: withHeaders, body: "part"},
		{method: http.MethodPost, target: "/" + bucket + "/big.bin?uploadId=" + upstreamUploadID, header: withHeaders, body: completeBody("crc32", "")},
		{method: http.MethodDelete, target: "/" + bucket + "/big.bin?uploadId=" + upstreamUploadID},
		{method: http.MethodDelete, target: "/" + bucket},
	}
}

// expectUntouched sends q and checks that it reached the server as sent and came back as answered.
func (h *harness) expectUntouched(t *testing.T, q request) {
	t.Helper()
	got := h.send(t, q)
	seen := h.UpstreamSaw()
	h.Reset()
	if len(seen) != 1 {
		t.Fatalf("%s %s: the upstream saw %d requests, want 1", q.method, q.target, len(seen))
	}
	s := seen[0]
	if s.Method != q.method || s.RequestURI != q.target || string(s.Body) != q.body {
		t.Errorf("%s %s: the upstream saw %s %s with body %q", q.method, q.target, s.Method, s.RequestURI, s.Body)
	}
	if q.body != "" && s.ContentLength != int64(len(q.body)) {
		t.Errorf("%s %s: Content-Length %d, want %d", q.method, q.target, s.ContentLength, len(q.body))
	}
	header := q.header
	if header == nil {
		header = signed()
	}
	for k, v := range header {
		if got := s.Header.Values(k); strings.Join(got, ",") != strings.Join(v, ",") {
			t.Errorf("%s %s: header %s %q upstream, want %q", q.method, q.target, k, got, v)
		}
	}

	// What the server answered, replayed.
	r := httptest.NewRequest(q.method, q.target, strings.NewReader(q.body))
	r.Header = header.Clone()
	want := httptest.NewRecorder()
	answerAsSeaweedFS(want, r)
	if got.Status != want.Code {
		t.Errorf("%s %s: status %d, want the server's %d", q.method, q.target, got.Status, want.Code)
	}
	if want.Code/100 == 2 && q.method != http.MethodHead && !bytes.Equal(got.Body, want.Body.Bytes()) {
		t.Errorf("%s %s: body %s, want the server's %s", q.method, q.target, got.Body, want.Body.Bytes())
	}
	if want.Code/100 != 2 && got.Code == "" {
		t.Errorf("%s %s: the server's error document lost: %s", q.method, q.target, got.Body)
	}
}

func TestOffForwardsUntouched(t *testing.T) {
	h := newHarness(t)
	for _, q := range untouchedRequests("pm-media") {
		h.expectUntouched(t, q)
	}
	if n := h.layer.Refusals(); n != 0 {
		t.Errorf("Refusals %d, want 0", n)
	}
}

// TestOnButNotConcerned switches every behaviour on for other buckets and the account, and sends requests
// that none of them concern: a bucket that is not foreign, has no system tags, archived versions,
// public access block or public policy the layer knows of, and was not created through the proxy.
func TestOnButNotConcerned(t *testing.T) {
	h := newHarness(t)
	h.layer.EnforceBlockPublicPolicy(time.Minute)
	h.layer.SetAccountPublicAccessBlock(&PublicAccessBlock{IgnorePublicAcls: true})
	h.layer.ForeignBucket("pm-theirs", Foreign{Owner: otherAccount})
	h.layer.SetSystemTags("pm-cfn", stackTags)
	h.layer.EnableDefaultEncryption()
	h.layer.Archive("pm-archive", "a.jpg", "v1", Archived{StorageClass: Glacier})
	h.layer.EnforceBucketNamespaces(true)
	h.layer.EnforceMultipartChecksums() // no upload of these buckets was seen created before its part

	// A bucket of its own for each request, as some change what the layer knows of their bucket.
	for i := range untouchedRequests("") {
		bucket := "pm-plain-" + strconv.Itoa(i)
		q := untouchedRequests(bucket)[i]
		switch {
		case q.method == http.MethodPut && q.target == "/"+bucket:
			// CreateBucket makes the bucket the layer's to answer for (encryption); covered elsewhere.
			continue
		case strings.HasPrefix(q.target, "/v20180820/"):
			q.header = signed("X-Amz-Account-Id", DefaultAccount)
			got := h.send(t, q)
			h.ExpectAnswered(t, got, http.StatusOK) // the account's block is on: answered here
			continue
		}
		h.expectUntouched(t, q)
	}
	if n := h.layer.Refusals(); n != 0 {
		t.Errorf("Refusals %d, want 0", n)
	}
}

func TestChunkedBodiesPassUntouched(t *testing.T) {
	h := newHarness(t)
	h.layer.SetSystemTags("pm-cfn", stackTags)
	body := taggingBody("aws:cloudformation:stack-name", "media", "aws:cloudformation:logical-id", "MediaBucket", "app", "shop")
	// No Content-Length: the client streams the body.
	req, err := http.NewRequest(http.MethodPut, h.URL()+"/pm-cfn?tagging", struct{ *strings.Reader }{strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	req.Header = signed()
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	seen := h.UpstreamSaw()
	if resp.StatusCode != http.StatusOK || len(seen) != 1 || string(seen[0].Body) != body {
		t.Fatalf("status %d, upstream saw %d requests", resp.StatusCode, len(seen))
	}
	if seen[0].ContentLength != -1 || strings.Join(seen[0].TransferEncoding, ",") != "chunked" {
		t.Errorf("upstream Content-Length %d, Transfer-Encoding %v; want the client's chunked body (-1, chunked)",
			seen[0].ContentLength, seen[0].TransferEncoding)
	}
	if got := h.FrontSaw()[0].ContentLength; got != -1 {
		t.Errorf("the client sent Content-Length %s", strconv.FormatInt(got, 10))
	}
}

// TestConcurrentUse runs every behaviour's requests at once, for the race detector, and checks that the
// answers are the ones the state allows.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t)
	h.layer.EnforceBlockPublicPolicy(time.Minute)
	h.layer.SetAccountPublicAccessBlock(&PublicAccessBlock{RestrictPublicBuckets: true})
	h.layer.EnableOwnership()
	h.layer.SetSystemTags("pm-cfn", stackTags)
	h.layer.EnableDefaultEncryption()
	h.layer.Archive("pm-archive", "a.jpg", "", Archived{StorageClass: Glacier})
	h.layer.EnforceBucketNamespaces(true)

	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan string, workers*16)
	for i := range workers {
		wg.Go(func() {
			bucket := "pm-c-" + strconv.Itoa(i)
			for _, q := range []struct {
				request
				status int
			}{
				{request{method: http.MethodPut, target: "/" + bucket, header: signed()}, http.StatusOK},
				{request{method: http.MethodPut, target: "/" + bucket + "?publicAccessBlock", header: signed(), body: publicAccessBlockBody(*BlockAll())}, http.StatusOK},
				{request{method: http.MethodPut, target: "/" + bucket + "?policy", header: signed(), body: publicReadPolicy(bucket)}, http.StatusForbidden},
				{request{method: http.MethodGet, target: "/" + bucket + "?encryption", header: signed()}, http.StatusOK},
				{request{method: http.MethodGet, target: "/pm-cfn?tagging", header: signed()}, http.StatusOK},
				{request{method: http.MethodPut, target: "/pm-cfn?tagging", header: signed(), body: taggingBody("app", "x")}, http.StatusBadRequest},
				{request{method: http.MethodGet, target: "/pm-archive?versions", header: signed()}, http.StatusOK},
				{request{method: http.MethodPut, target: "/" + bucket + "/c.jpg", header: signed("X-Amz-Copy-Source", "/pm-archive/a.jpg")}, http.StatusForbidden},
				{request{method: http.MethodGet, target: "/" + bucket + "?versioning", header: signed("X-Amz-Expected-Bucket-Owner", otherAccount)}, http.StatusForbidden},
				{request{method: http.MethodDelete, target: "/" + bucket, header: signed()}, http.StatusNoContent},
			} {
				var body io.Reader
				if q.body != "" {
					body = strings.NewReader(q.body)
				}
				got, err := h.Send(q.method, q.target, q.header, body)
				if err != nil {
					errs <- err.Error()
				} else if got.Status != q.status {
					errs <- q.method + " " + q.target + ": " + strconv.Itoa(got.Status) + " " + string(got.Body)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
