package mfadelete

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakeclock"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// The test device. The secret is RFC 6238's SHA-1 test key.
const testSerial = "arn:aws:iam::123456789012:mfa/protectedmedia-test"

var testSecret = []byte("12345678901234567890")

// testStart is 15 seconds into a TOTP step, so codes one step either side are clearly one step away.
var testStart = time.Date(2026, 3, 1, 12, 0, 15, 0, time.UTC)

// harness is a client talking to an s3proxy.Proxy with the layer, in front of an upstream that records
// every request and answers as S3 would for the operation, unless a test sets its own answer.
type harness struct {
	*layertest.Bench
	layer *Layer
	clock *fakeclock.Clock
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{clock: fakeclock.New(testStart)}
	h.layer = New(testSerial, testSecret, h.clock.Now)
	h.Bench = layertest.New(t, h.layer.Semantics(), answerAsS3)
	return h
}

// answerAsS3 is the upstream's default: a versioned bucket, successful writes and deletes.
func answerAsS3(w http.ResponseWriter, r *http.Request) {
	switch op := s3proxy.Classify(r); op.Name {
	case "GetBucketVersioning":
		_, _ = io.WriteString(w, `<VersioningConfiguration xmlns="`+layertest.S3NS+`"><Status>Enabled</Status></VersioningConfiguration>`)
	case "DeleteObject", "DeleteBucket", "DeleteBucketLifecycle":
		w.WriteHeader(http.StatusNoContent)
	case "DeleteObjects":
		_, _ = io.WriteString(w, `<DeleteResult xmlns="`+layertest.S3NS+`"></DeleteResult>`)
	}
}

// validMFA is a header value the layer accepts now.
func (h *harness) validMFA() string {
	return testSerial + " " + Code(testSecret, h.clock.Now())
}

// reply is an answer the client received.
type reply = layertest.Reply

// do is Send for the test goroutine: a request that gets no answer fails the test. mfa "" sends no
// x-amz-mfa header.
func (h *harness) do(t *testing.T, method, target, mfa, body string) reply {
	t.Helper()
	header := http.Header{}
	if mfa != "" {
		header.Set("X-Amz-Mfa", mfa)
	}
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	rep, err := h.Send(method, target, header, r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	return rep
}

// The requests the tests send, as the AWS SDK writes them.

func putVersioning(h *harness, t *testing.T, bucket, status, mfaDelete, mfa string) reply {
	t.Helper()
	return h.do(t, http.MethodPut, "/"+bucket+"?versioning", mfa, versioningBody(status, mfaDelete))
}

func versioningBody(status, mfaDelete string) string {
	b := `<VersioningConfiguration xmlns="` + layertest.S3NS + `">`
	if mfaDelete != "" {
		b += "<MfaDelete>" + mfaDelete + "</MfaDelete>"
	}
	if status != "" {
		b += "<Status>" + status + "</Status>"
	}
	return b + "</VersioningConfiguration>"
}

const lifecycleBody = `<LifecycleConfiguration xmlns="` + layertest.S3NS + `"><Rule><ID>r</ID><Filter><Prefix>tmp/</Prefix></Filter>` +
	`<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`

// expectRefused checks that the layer answered with status and code and the upstream saw nothing.
func (h *harness) expectRefused(t *testing.T, got reply, status int, code string) {
	t.Helper()
	if got.Code != code {
		t.Errorf("answer %d %s (%s), want %d %s", got.Status, got.Code, got.Body, status, code)
	}
	h.ExpectAnswered(t, got, status)
}
