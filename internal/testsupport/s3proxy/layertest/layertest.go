// Package layertest is the bench that s3proxy semantics layers are tested on: a client sends requests
// through an s3proxy.Proxy running the layer to an upstream that records every request and answers as the
// test says, or else as the layer's tests say S3 would. Both ends record what they saw, so a test checks
// what the layer answered itself, what it forwarded, and that it forwarded requests unchanged.
package layertest

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// Seen is what a server saw of one request. The front records headers only; the upstream also the body.
type Seen struct {
	Method, RequestURI string
	Header             http.Header
	ContentLength      int64
	TransferEncoding   []string
	Body               []byte
}

// Bench is a running client-proxy-upstream chain. It is safe for concurrent use.
type Bench struct {
	front    *httptest.Server
	fallback http.HandlerFunc

	mu       sync.Mutex
	atFront  []Seen
	upstream []Seen
	answer   http.HandlerFunc
}

// New starts the upstream, a proxy with the semantics in front of it, and the front server the client
// talks to; t's cleanup stops them. fallback answers at the upstream unless SetAnswer was called.
func New(t testing.TB, semantics s3proxy.Semantics, fallback http.HandlerFunc) *Bench {
	t.Helper()
	b := &Bench{fallback: fallback}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("upstream: reading body: %v", err)
		}
		b.mu.Lock()
		b.upstream = append(b.upstream, Seen{r.Method, r.RequestURI, r.Header.Clone(), r.ContentLength, r.TransferEncoding, body})
		answer := b.answer
		b.mu.Unlock()
		if answer == nil {
			answer = b.fallback
		}
		answer(w, r)
	}))
	t.Cleanup(up.Close)
	target, err := url.Parse(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := s3proxy.New(target, up.Client().Transport, s3proxy.WithSemantics(semantics))
	t.Cleanup(proxy.CloseIdleConnections)
	b.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.atFront = append(b.atFront, Seen{Method: r.Method, RequestURI: r.RequestURI, Header: r.Header.Clone(), ContentLength: r.ContentLength})
		b.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(b.front.Close)
	return b
}

// URL is where the client sends requests.
func (b *Bench) URL() string { return b.front.URL }

// Client is an HTTP client for URL.
func (b *Bench) Client() *http.Client { return b.front.Client() }

// SetAnswer replaces the upstream's answers; nil restores the fallback.
func (b *Bench) SetAnswer(a http.HandlerFunc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.answer = a
}

// UpstreamSaw returns what reached the upstream since the last Reset.
func (b *Bench) UpstreamSaw() []Seen {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.upstream)
}

// FrontSaw returns what reached the proxy since the last Reset, headers only.
func (b *Bench) FrontSaw() []Seen {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.atFront)
}

// Reset forgets what both ends saw.
func (b *Bench) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.upstream, b.atFront = nil, nil
}

// Reply is an answer the client received.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
	Code   string // S3 error code, if the body is an error document
}

// Send makes a request through the proxy with these headers; body nil means none. It is safe to call from
// any goroutine.
func (b *Bench) Send(method, target string, header http.Header, body io.Reader) (Reply, error) {
	req, err := http.NewRequest(method, b.front.URL+target, body)
	if err != nil {
		return Reply{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.front.Client().Do(req)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return Reply{}, err
	}
	var e struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
	}
	_ = xml.Unmarshal(got, &e) // not an error document: no code
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: got, Code: e.Code}, nil
}

// ExpectForwarded checks that the request reached the upstream, once, and its answer came back with
// status; it then forgets what both ends saw.
func (b *Bench) ExpectForwarded(t testing.TB, got Reply, status int) {
	t.Helper()
	b.expect(t, got, status, 1, "from the upstream")
}

// ExpectAnswered checks that the layer answered status itself and nothing reached the upstream; it then
// forgets what both ends saw.
func (b *Bench) ExpectAnswered(t testing.TB, got Reply, status int) {
	t.Helper()
	b.expect(t, got, status, 0, "from the layer")
}

func (b *Bench) expect(t testing.TB, got Reply, status, upstream int, from string) {
	t.Helper()
	if got.Status != status {
		t.Errorf("answer %d %s (%s), want %d %s", got.Status, got.Code, got.Body, status, from)
	}
	if n := len(b.UpstreamSaw()); n != upstream {
		t.Errorf("the upstream saw %d requests, want %d", n, upstream)
	}
	b.Reset()
}
