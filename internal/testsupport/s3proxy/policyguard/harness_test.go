package policyguard

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// The test identities, named as SeaweedFS names them.
const (
	adminKey       = "LOCALS3ADMINKEY01"
	adminPrincipal = "arn:aws:iam::000000000000:user/admin-LOCALS3A"
	appKey         = "APPKEY0123456789"
	appPrincipal   = "arn:aws:iam::000000000000:user/app"
	strangerKey    = "STRANGER01234567" // signs, but New was not told whose key it is
	noKey          = ""                 // an unsigned request
)

// guardPolicy is the provider's media bucket policy exempting the admin.
func guardPolicy(bucket string) string {
	return bucketpolicy.DesiredMedia("arn:aws:s3:::"+bucket, []string{"arn:aws:iam::000000000000:user/admin-*"})
}

// plainPolicy is a policy SeaweedFS stores itself.
func plainPolicy(bucket string) string {
	return bucketpolicy.Desired("arn:aws:s3:::"+bucket, false)
}

// harness is a client talking to an s3proxy.Proxy with the layer, in front of an upstream that records
// every request and answers as S3 would, unless a test sets its own answer.
type harness struct {
	*layertest.Bench
	layer *Layer
}

// newHarness makes a harness whose layer knows the admin and the app.
func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessFor(t, map[string]string{adminKey: adminPrincipal, appKey: appPrincipal})
}

// newHarnessFor makes a harness whose layer knows these principals.
func newHarnessFor(t *testing.T, principals map[string]string) *harness {
	t.Helper()
	h := &harness{layer: New(principals)}
	h.Bench = layertest.New(t, s3proxy.Chain(h.layer.Semantics()), answerAsS3)
	return h
}

// answerAsS3 is the upstream's default: every request succeeds, and the bucket has no policy of its own.
func answerAsS3(w http.ResponseWriter, r *http.Request) {
	switch op := s3proxy.Classify(r); op.Name {
	case "GetBucketPolicy":
		s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
	case "PutBucketPolicy", "DeleteBucketPolicy", "DeleteObject", "DeleteBucket", "DeleteBucketLifecycle":
		w.WriteHeader(http.StatusNoContent)
	case "DeleteObjects":
		_, _ = io.WriteString(w, `<DeleteResult xmlns="`+layertest.S3NS+`"></DeleteResult>`)
	}
}

// reply is an answer the client received.
type reply = layertest.Reply

// authorization is a SigV4 Authorization header for key, as far as the layer reads it.
func authorization(key string) string {
	return "AWS4-HMAC-SHA256 Credential=" + key + "/20260301/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef"
}

// send makes a request signed with key (noKey: unsigned) through the proxy; body "" means none. It is
// safe to call from any goroutine.
func (h *harness) send(key, method, target, body string) (reply, error) {
	header := http.Header{}
	if key != noKey {
		header.Set("Authorization", authorization(key))
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return h.Send(method, target, header, rd)
}

// do is send for the test goroutine.
func (h *harness) do(t *testing.T, key, method, target, body string) reply {
	t.Helper()
	rep, err := h.send(key, method, target, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	return rep
}

// putGuard stores the guard policy on bucket through the layer, as the admin.
func (h *harness) putGuard(t *testing.T, bucket string) {
	t.Helper()
	got := h.do(t, adminKey, http.MethodPut, "/"+bucket+"?policy", guardPolicy(bucket))
	h.ExpectAnswered(t, got, http.StatusNoContent)
	if _, ok := h.layer.Policy(bucket); !ok {
		t.Fatalf("no policy stored for %s", bucket)
	}
}

// expectDenied checks for the layer's AccessDenied, with nothing forwarded.
func (h *harness) expectDenied(t *testing.T, got reply) {
	t.Helper()
	if got.Code != "AccessDenied" || !strings.Contains(string(got.Body), "<Message>Access Denied</Message>") {
		t.Errorf("answer %d %s (%s), want 403 AccessDenied", got.Status, got.Code, got.Body)
	}
	h.ExpectAnswered(t, got, http.StatusForbidden)
}
