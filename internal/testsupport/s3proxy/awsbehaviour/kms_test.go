package awsbehaviour

import (
	"net/http"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

const testKMSKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// objectHeaders are the three encryption headers of an answer.
type objectHeaders struct{ sse, key, bucketKey string }

func headersOf(r reply) objectHeaders {
	return objectHeaders{r.Header.Get(headerSSE), r.Header.Get(headerSSEKMSKey), r.Header.Get(headerBucketKey)}
}

// forwarded sends q, checks it reached the server once and was answered status, and returns the answer.
func (h *harness) forwarded(t *testing.T, q request, status int) reply {
	t.Helper()
	got := h.send(t, q)
	h.ExpectForwarded(t, got, status)
	return got
}

// copyRequest copies a.jpg to copy.jpg in bucket with the extra headers kv.
func copyRequest(bucket string, kv ...string) request {
	return request{method: http.MethodPut, target: "/" + bucket + "/copy.jpg", header: signed(append([]string{"X-Amz-Copy-Source", "/" + bucket + "/a.jpg"}, kv...)...)}
}

// A copy into a bucket whose default is SSE-KMS reports the key and bucket key, as AWS does; a copy that
// asks for its own encryption reports that; one asking for SSE-C is left to the server.
func TestObjectEncryptionOfCopies(t *testing.T) {
	h := newHarness(t)
	h.layer.ReportObjectEncryption()
	yes, no := true, false
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("aws:kms", testKMSKey, "", &yes)), http.StatusOK)

	for _, tt := range []struct {
		name string
		q    request
		want objectHeaders
	}{
		{"the bucket's default", copyRequest("pm-media"), objectHeaders{"aws:kms", testKMSKey, "true"}},
		{"SSE-S3 asked for", copyRequest("pm-media", headerSSE, "AES256"), objectHeaders{"AES256", "", ""}},
		{"another key asked for", copyRequest("pm-media", headerSSE, "aws:kms", headerSSEKMSKey, "arn:aws:kms:us-east-1:123456789012:key/other"),
			objectHeaders{"aws:kms", "arn:aws:kms:us-east-1:123456789012:key/other", "true"}},
		{"no bucket key asked for", copyRequest("pm-media", headerBucketKey, "false"), objectHeaders{"aws:kms", testKMSKey, ""}},
		{"SSE-C", copyRequest("pm-media", sseCustomerAlgorithm, "AES256"), objectHeaders{}},
		{"a bucket whose default the layer does not know", copyRequest("pm-other"), objectHeaders{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := h.forwarded(t, tt.q, http.StatusOK)
			if g := headersOf(got); g != tt.want {
				t.Errorf("copy answered %+v, want %+v", g, tt.want)
			}
		})
	}

	// The bucket key switched off: new copies have none.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("aws:kms", testKMSKey, "", &no)), http.StatusOK)
	if g := headersOf(h.forwarded(t, copyRequest("pm-media"), http.StatusOK)); g != (objectHeaders{"aws:kms", testKMSKey, ""}) {
		t.Errorf("copy after the bucket key was switched off: %+v", g)
	}
	// SSE-S3 as the default.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("AES256", "", "", &yes)), http.StatusOK)
	if g := headersOf(h.forwarded(t, copyRequest("pm-media"), http.StatusOK)); g != (objectHeaders{"AES256", "", ""}) {
		t.Errorf("copy under SSE-S3: %+v", g)
	}
	// The default deleted: SeaweedFS then has none, and the layer says nothing.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		if s3proxy.Classify(r).Name == "DeleteBucketEncryption" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		answerAsSeaweedFS(w, r)
	})
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-media?encryption", ""), http.StatusNoContent)
	if g := headersOf(h.forwarded(t, copyRequest("pm-media"), http.StatusOK)); g != (objectHeaders{}) {
		t.Errorf("copy after the default was deleted: %+v", g)
	}
}

// A header the server sent is never overridden; a version written with a bucket key reports it on HEAD and
// GET though the server leaves it out; an error answer is left alone.
func TestObjectEncryptionKeepsTheServersAnswer(t *testing.T) {
	h := newHarness(t)
	h.layer.ReportObjectEncryption()
	yes := true
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("aws:kms", testKMSKey, "", &yes)), http.StatusOK)

	version := "v1"
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		switch s3proxy.Classify(r).Name {
		case "PutObject", "HeadObject", "GetObject":
			if r.URL.Query().Get("versionId") == "missing" {
				s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.")
				return
			}
			// As SeaweedFS answers an object PutObject wrote under an SSE-KMS default: no bucket key.
			w.Header().Set(headerSSE, "aws:kms")
			w.Header().Set(headerSSEKMSKey, testKMSKey)
			w.Header().Set(headerVersionID, version)
		case "CopyObject":
			w.Header().Set(headerSSE, "AES256") // a server's own answer, however wrong, stands
		}
		w.WriteHeader(http.StatusOK)
	})
	put := h.forwarded(t, request{method: http.MethodPut, target: "/pm-media/a.jpg", header: signed(), body: "bytes"}, http.StatusOK)
	if g := headersOf(put); g != (objectHeaders{"aws:kms", testKMSKey, "true"}) {
		t.Errorf("PutObject answered %+v", g)
	}
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		if g := headersOf(h.forwarded(t, request{method: method, target: "/pm-media/a.jpg"}, http.StatusOK)); g != (objectHeaders{"aws:kms", testKMSKey, "true"}) {
			t.Errorf("%s answered %+v", method, g)
		}
	}
	// Another version the layer never saw written: nothing added.
	version = "v0"
	if g := headersOf(h.forwarded(t, request{method: http.MethodHead, target: "/pm-media/a.jpg?versionId=v0"}, http.StatusOK)); g != (objectHeaders{"aws:kms", testKMSKey, ""}) {
		t.Errorf("HEAD of a version not seen written answered %+v", g)
	}
	if got := h.forwarded(t, request{method: http.MethodHead, target: "/pm-media/a.jpg?versionId=missing"}, http.StatusNotFound); headersOf(got) != (objectHeaders{}) {
		t.Errorf("HEAD of a missing version answered %+v", headersOf(got))
	}
	if g := headersOf(h.forwarded(t, copyRequest("pm-media"), http.StatusOK)); g != (objectHeaders{"AES256", "", ""}) {
		t.Errorf("the server's copy answer was changed: %+v", g)
	}
}

// Multipart uploads report the encryption on CreateMultipartUpload and CompleteMultipartUpload, which
// SeaweedFS answers without it.
func TestObjectEncryptionOfMultipartUploads(t *testing.T) {
	h := newHarness(t)
	h.layer.ReportObjectEncryption()
	yes := true
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("aws:kms", testKMSKey, "", &yes)), http.StatusOK)
	want := objectHeaders{"aws:kms", testKMSKey, "true"}
	if g := headersOf(h.forwarded(t, request{method: http.MethodPost, target: "/pm-media/big.mp4?uploads"}, http.StatusOK)); g != want {
		t.Errorf("CreateMultipartUpload answered %+v, want %+v", g, want)
	}
	if g := headersOf(h.forwarded(t, request{method: http.MethodPost, target: "/pm-media/big.mp4?uploadId=u1", body: "<CompleteMultipartUpload/>"}, http.StatusOK)); g != want {
		t.Errorf("CompleteMultipartUpload answered %+v, want %+v", g, want)
	}
}

// Off, nothing is added, and PutBucketEncryption passes without the layer reading it.
func TestObjectEncryptionOff(t *testing.T) {
	h := newHarness(t)
	yes := true
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("aws:kms", testKMSKey, "", &yes)), http.StatusOK)
	h.layer.ReportObjectEncryption() // on now, but it never saw the default written
	if g := headersOf(h.forwarded(t, copyRequest("pm-media"), http.StatusOK)); g != (objectHeaders{}) {
		t.Errorf("copy answered %+v with the default never seen", g)
	}
}
