package policyguard

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3proxy"
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

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// guardPolicy is the provider's media bucket policy exempting the admin.
func guardPolicy(bucket string) string {
	return bucketpolicy.DesiredMedia("arn:aws:s3:::"+bucket, []string{"arn:aws:iam::000000000000:user/admin-*"})
}

// plainPolicy is a policy SeaweedFS stores itself.
func plainPolicy(bucket string) string {
	return bucketpolicy.Desired("arn:aws:s3:::"+bucket, false)
}

// seen is what the upstream saw of one request.
type seen struct {
	Method, RequestURI string
	Header             http.Header
	ContentLength      int64
	Body               []byte
}

// harness is a client talking to an s3proxy.Proxy with the layer, in front of an upstream that records
// every request and answers as S3 would, unless a test sets its own answer.
type harness struct {
	layer *Layer
	front *httptest.Server

	mu       sync.Mutex
	upstream []seen
	answer   http.HandlerFunc
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
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("upstream: reading body: %v", err)
		}
		h.mu.Lock()
		h.upstream = append(h.upstream, seen{r.Method, r.RequestURI, r.Header.Clone(), r.ContentLength, body})
		answer := h.answer
		h.mu.Unlock()
		if answer == nil {
			answer = answerAsS3
		}
		answer(w, r)
	}))
	t.Cleanup(up.Close)
	target, err := url.Parse(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := s3proxy.New(target, up.Client().Transport, s3proxy.WithSemantics(s3proxy.Chain(h.layer.Semantics())))
	t.Cleanup(proxy.CloseIdleConnections)
	h.front = httptest.NewServer(proxy)
	t.Cleanup(h.front.Close)
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
		_, _ = io.WriteString(w, `<DeleteResult xmlns="`+s3NS+`"></DeleteResult>`)
	}
}

func (h *harness) setAnswer(a http.HandlerFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answer = a
}

func (h *harness) upstreamSaw() []seen {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]seen(nil), h.upstream...)
}

func (h *harness) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.upstream = nil
}

// reply is an answer the client received.
type reply struct {
	status int
	header http.Header
	body   []byte
	code   string // S3 error code, if the body is an error document
}

// authorization is a SigV4 Authorization header for key, as far as the layer reads it.
func authorization(key string) string {
	return "AWS4-HMAC-SHA256 Credential=" + key + "/20260301/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef"
}

// send makes a request signed with key (noKey: unsigned) through the proxy; body "" means none. It is
// safe to call from any goroutine.
func (h *harness) send(key, method, target, body string) (reply, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.front.URL+target, rd)
	if err != nil {
		return reply{}, err
	}
	if key != noKey {
		req.Header.Set("Authorization", authorization(key))
	}
	resp, err := h.front.Client().Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	var e struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
	}
	_ = xml.Unmarshal(b, &e) // not an error document: no code
	return reply{status: resp.StatusCode, header: resp.Header, body: b, code: e.Code}, nil
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
	h.expectAnswered(t, got, http.StatusNoContent)
	if _, ok := h.layer.Policy(bucket); !ok {
		t.Fatalf("no policy stored for %s", bucket)
	}
}

// expectAnswered checks that the layer answered status itself and the upstream saw nothing.
func (h *harness) expectAnswered(t *testing.T, got reply, status int) {
	t.Helper()
	if got.status != status {
		t.Errorf("answer %d %s (%s), want %d", got.status, got.code, got.body, status)
	}
	if n := len(h.upstreamSaw()); n != 0 {
		t.Errorf("the upstream saw %d requests, want none", n)
	}
	h.reset()
}

// expectDenied checks for the layer's AccessDenied, with nothing forwarded.
func (h *harness) expectDenied(t *testing.T, got reply) {
	t.Helper()
	if got.code != "AccessDenied" || !strings.Contains(string(got.body), "<Message>Access Denied</Message>") {
		t.Errorf("answer %d %s (%s), want 403 AccessDenied", got.status, got.code, got.body)
	}
	h.expectAnswered(t, got, http.StatusForbidden)
}

// expectForwarded checks that the request reached the upstream, once, and its answer came back.
func (h *harness) expectForwarded(t *testing.T, got reply, status int) {
	t.Helper()
	if got.status != status {
		t.Errorf("answer %d %s (%s), want %d from the upstream", got.status, got.code, got.body, status)
	}
	if n := len(h.upstreamSaw()); n != 1 {
		t.Errorf("the upstream saw %d requests, want 1", n)
	}
	h.reset()
}

// deleteBody lists key/version pairs; a version "-" leaves VersionId out.
func deleteBody(pairs ...[2]string) string {
	b := `<Delete xmlns="` + s3NS + `">`
	for _, p := range pairs {
		b += "<Object><Key>" + p[0] + "</Key>"
		if p[1] != "-" {
			b += "<VersionId>" + p[1] + "</VersionId>"
		}
		b += "</Object>"
	}
	return b + "<Quiet>true</Quiet></Delete>"
}
