package s3proxy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/xml"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// received is what a server saw of one request.
type received struct {
	Method, Host, RequestURI string
	Header                   http.Header
	ContentLength            int64
	Body                     []byte
}

func record(r *http.Request, body []byte) received {
	return received{
		Method:        r.Method,
		Host:          r.Host,
		RequestURI:    r.RequestURI,
		Header:        r.Header.Clone(),
		ContentLength: r.ContentLength,
		Body:          body,
	}
}

// harness is a client talking HTTPS to a Proxy in front of an HTTPS upstream that records every request.
type harness struct {
	proxy    *Proxy
	upstream *httptest.Server
	front    *httptest.Server
	client   *http.Client

	mu  sync.Mutex
	got []received // by the upstream, in arrival order
}

// newHarness starts the servers. answer, if not nil, answers upstream requests after they are recorded;
// the default answers 200 "upstream ok".
func newHarness(t *testing.T, answer http.HandlerFunc, opts ...Option) *harness {
	t.Helper()
	return newWrappedHarness(t, answer, nil, opts...)
}

// newWrappedHarness is newHarness with the proxy wrapped by wrap, when not nil, in the front server.
func newWrappedHarness(t *testing.T, answer http.HandlerFunc, wrap func(http.Handler) http.Handler, opts ...Option) *harness {
	t.Helper()
	h := &harness{}
	if answer == nil {
		answer = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Upstream", "yes")
			_, _ = io.WriteString(w, "upstream ok")
		}
	}
	h.upstream = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("upstream: reading body: %v", err)
		}
		h.mu.Lock()
		h.got = append(h.got, record(r, body))
		h.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(h.upstream.Close)
	h.proxy = New(mustParseURL(t, h.upstream.URL), h.upstream.Client().Transport, opts...)
	t.Cleanup(h.proxy.CloseIdleConnections)
	var front http.Handler = h.proxy
	if wrap != nil {
		front = wrap(h.proxy)
	}
	h.front = httptest.NewTLSServer(front)
	t.Cleanup(h.front.Close)
	h.client = h.front.Client()
	h.client.Timeout = clientTimeout
	return h
}

func (h *harness) received() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.got...)
}

// do sends a request through the proxy and returns the response with its body read.
func (h *harness) do(t *testing.T, method, target string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.front.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h.send(t, h.client, req)
}

func (h *harness) send(t *testing.T, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return resp, body
}

// clientTimeout bounds each test request; generous, because the tests share a busy machine.
const clientTimeout = 2 * time.Minute

// transportOf is c's *http.Transport, which httptest clients and freshClient's have.
func transportOf(t *testing.T, c *http.Client) *http.Transport {
	t.Helper()
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("client transport is a %T, want *http.Transport", c.Transport)
	}
	return tr
}

// freshClient returns a client with its own connection pool, so its first request uses a new connection.
func (h *harness) freshClient(t *testing.T) *http.Client {
	t.Helper()
	tr := transportOf(t, h.front.Client()).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: clientTimeout}
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// pattern is a deterministic body of n bytes that is never held in memory whole.
func pattern(n int64) io.Reader {
	return io.LimitReader(&patternReader{}, n)
}

type patternReader struct{ pos int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.pos*7 + r.pos/251)
		r.pos++
	}
	return len(p), nil
}

func TestPassThroughRequest(t *testing.T) {
	// The front records what the proxy receives, to compare with what the upstream receives.
	atProxy := make(chan received, 1)
	h := newWrappedHarness(t, nil, func(proxy http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var buf bytes.Buffer
			in := record(r, nil)
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.TeeReader(r.Body, &buf), r.Body}
			proxy.ServeHTTP(w, r)
			in.Body = buf.Bytes()
			atProxy <- in
		})
	})

	body := []byte("<Tagging><TagSet><Tag><Key>k</Key><Value>v w</Value></Tag></TagSet></Tagging>")
	// Escaping no encoder would choose, a raw "{" url.URL would escape, repeated parameters, an empty
	// value and a parameter ReverseProxy would consider unparsable (";").
	target := "/pm-bucket/m%65dia/dir%2Fa%20b{1}~!.jpg?x-id=PutObjectTagging&tagging&versionId=3HL4%2Bkq%3D&a=1&a=2&semi=x;y"
	req, err := http.NewRequest(http.MethodPut, h.front.URL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque, _, _ = strings.Cut(target, "?") // send the path exactly as written
	req.Host = "s3.protectedmedia.test:9000"
	req.Header = http.Header{
		"Authorization":         {"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=content-md5;host;x-amz-content-sha256;x-amz-date, Signature=abc"},
		"X-Amz-Date":            {"20260101T000000Z"},
		"X-Amz-Content-Sha256":  {"UNSIGNED-PAYLOAD"},
		"Content-Md5":           {"1B2M2Y8AsgTpgAmY7PhCfg=="},
		"Content-Type":          {"application/xml"},
		"X-Amz-Meta-Multi":      {"one", "two"},
		"X-Forwarded-For":       {"203.0.113.7"},
		"User-Agent":            {"aws-sdk-go-v2/1.48.0 test"},
		"Accept-Encoding":       {"identity"},
		"Amz-Sdk-Invocation-Id": {"7f0b4f5e-0000-4000-8000-000000000000"},
	}
	resp, respBody := h.send(t, h.client, req)
	if resp.StatusCode != http.StatusOK || string(respBody) != "upstream ok" {
		t.Fatalf("response %d %q, want 200 %q", resp.StatusCode, respBody, "upstream ok")
	}

	got := h.received()
	if len(got) != 1 {
		t.Fatalf("upstream received %d requests, want 1", len(got))
	}
	up := got[0]
	if in := <-atProxy; !reflect.DeepEqual(up, in) {
		t.Errorf("upstream received\n%+v\nproxy received\n%+v", up, in)
	}
	// And what the proxy received is what the client sent.
	if up.Method != http.MethodPut || up.RequestURI != target || up.Host != req.Host || !bytes.Equal(up.Body, body) {
		t.Errorf("upstream received %s %s Host %s body %q; client sent %s %s Host %s body %q",
			up.Method, up.RequestURI, up.Host, up.Body, req.Method, target, req.Host, body)
	}
	for k, v := range req.Header {
		if !reflect.DeepEqual(up.Header[k], v) {
			t.Errorf("upstream header %s = %q, want %q", k, up.Header[k], v)
		}
	}
}

func TestPassThroughAddsNoAcceptEncoding(t *testing.T) {
	// Go's transport asks for gzip on its own when a request names no encoding, and then decompresses
	// the answer; the proxy must do neither.
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip") // as a server storing gzipped objects answers
		_, _ = io.WriteString(w, "not really gzip")
	})
	c := h.freshClient(t)
	transportOf(t, c).DisableCompression = true
	req, err := http.NewRequest(http.MethodGet, h.front.URL+"/pm-bucket/a.css", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := h.send(t, c, req)
	if got := h.received(); len(got) != 1 || got[0].Header["Accept-Encoding"] != nil {
		t.Errorf("upstream received %+v, want one request without Accept-Encoding", got)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" || string(body) != "not really gzip" {
		t.Errorf("client received Content-Encoding %q and %q, want the upstream's answer unchanged", resp.Header.Get("Content-Encoding"), body)
	}
}

func TestPassThroughLargeStreamedRequestBody(t *testing.T) {
	const size = 16 << 20
	type result struct {
		n   int64
		sum []byte
	}
	var firstBytes sync.Map // path -> chan struct{}, closed when the upstream has read data
	results := make(chan result, 1)
	upstream := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hash := sha256.New()
		n, err := io.CopyN(hash, r.Body, 1)
		if err != nil {
			t.Errorf("upstream: first read: %v", err)
		}
		if ch, ok := firstBytes.Load(r.URL.Path); ok {
			if ch, ok := ch.(chan struct{}); ok {
				close(ch)
			}
		}
		rest, err := io.Copy(hash, r.Body)
		if err != nil {
			t.Errorf("upstream: reading body: %v", err)
		}
		results <- result{n + rest, hash.Sum(nil)}
	}))
	defer upstream.Close()
	p := New(mustParseURL(t, upstream.URL), upstream.Client().Transport)
	defer p.CloseIdleConnections()
	front := httptest.NewTLSServer(p)
	defer front.Close()

	want := sha256.New()
	_, _ = io.Copy(want, pattern(size))

	for _, chunked := range []bool{false, true} {
		name := map[bool]string{false: "content-length", true: "chunked"}[chunked]
		t.Run(name, func(t *testing.T) {
			path := "/pm-bucket/" + name + ".bin"
			seen := make(chan struct{})
			firstBytes.Store(path, seen)
			// The client sends 1 MiB, then holds back the rest until the upstream has seen data: a proxy
			// that buffered whole bodies would forward nothing and the request would fail.
			body := pattern(size)
			pr, pw := io.Pipe()
			go func() {
				if _, err := io.CopyN(pw, body, 1<<20); err != nil {
					pw.CloseWithError(err)
					return
				}
				select {
				case <-seen:
				case <-time.After(20 * time.Second):
					pw.CloseWithError(io.ErrNoProgress)
					return
				}
				_, err := io.Copy(pw, body)
				pw.CloseWithError(err)
			}()
			req, err := http.NewRequest(http.MethodPut, front.URL+path, pr)
			if err != nil {
				t.Fatal(err)
			}
			if !chunked {
				req.ContentLength = size
			}
			resp, err := front.Client().Do(req)
			if err != nil {
				t.Fatalf("PUT: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			got := <-results
			if got.n != size || !bytes.Equal(got.sum, want.Sum(nil)) {
				t.Errorf("upstream received %d bytes with sha256 %x, want %d bytes with %x", got.n, got.sum, size, want.Sum(nil))
			}
		})
	}
}

func TestPassThroughResponse(t *testing.T) {
	const size = 16 << 20
	clientHasData := make(chan struct{})
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
		hdr.Set("X-Amz-Version-Id", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")
		hdr.Set("Content-Type", "image/jpeg")
		hdr.Set("Last-Modified", "Wed, 01 Jan 2026 00:00:00 GMT")
		hdr["X-Amz-Meta-Multi"] = []string{"one", "two"}
		if r.Method == http.MethodHead {
			hdr.Set("Content-Length", "12345")
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusPartialContent)
		// Half the body, then wait for the client to see some: a buffering proxy would never pass it on.
		body := pattern(size)
		_, _ = io.CopyN(w, body, size/2)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-clientHasData:
		case <-time.After(20 * time.Second):
			t.Error("client never received the first half of the body")
			return
		}
		_, _ = io.Copy(w, body)
	})

	resp, err := h.client.Get(h.front.URL + "/pm-bucket/big.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", resp.StatusCode)
	}
	for k, want := range map[string][]string{
		"Etag":             {`"d41d8cd98f00b204e9800998ecf8427e"`},
		"X-Amz-Version-Id": {"3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"},
		"Content-Type":     {"image/jpeg"},
		"Last-Modified":    {"Wed, 01 Jan 2026 00:00:00 GMT"},
		"X-Amz-Meta-Multi": {"one", "two"},
	} {
		if got := resp.Header[k]; !reflect.DeepEqual(got, want) {
			t.Errorf("response header %s = %q, want %q", k, got, want)
		}
	}
	gotHash := sha256.New()
	if _, err := io.CopyN(gotHash, resp.Body, 1<<20); err != nil {
		t.Fatalf("reading the first MiB: %v", err)
	}
	close(clientHasData)
	n, err := io.Copy(gotHash, resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	wantHash := sha256.New()
	_, _ = io.Copy(wantHash, pattern(size))
	if n+1<<20 != size || !bytes.Equal(gotHash.Sum(nil), wantHash.Sum(nil)) {
		t.Errorf("client received %d bytes, want %d, or the bytes differ", n+1<<20, size)
	}

	head, err := h.client.Head(h.front.URL + "/pm-bucket/big.jpg")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != http.StatusOK || head.ContentLength != 12345 || head.Header.Get("X-Amz-Version-Id") == "" {
		t.Errorf("HEAD: status %d, Content-Length %d, headers %v; want 200, 12345, upstream headers", head.StatusCode, head.ContentLength, head.Header)
	}
}

func TestPassThroughExpectContinue(t *testing.T) {
	// The AWS SDK sends large PutObject bodies with "Expect: 100-continue".
	h := newHarness(t, nil)
	c := h.freshClient(t)
	transportOf(t, c).ExpectContinueTimeout = clientTimeout // without 100 Continue, no body
	const size = 3 << 20

	send := func() (resp *http.Response, body []byte, got100 bool) {
		trace := &httptrace.ClientTrace{Got100Continue: func() { got100 = true }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace),
			http.MethodPut, h.front.URL+"/pm-bucket/big.bin", pattern(size))
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = size
		req.Header.Set("Expect", "100-continue")
		resp, body = h.send(t, c, req)
		return resp, body, got100
	}

	resp, _, got100 := send()
	if resp.StatusCode != http.StatusOK || !got100 {
		t.Fatalf("status %d, 100 Continue %t; want 200 after 100 Continue", resp.StatusCode, got100)
	}
	got := h.received()
	if len(got) != 1 || len(got[0].Body) != size || got[0].Header.Get("Expect") != "100-continue" {
		t.Fatalf("upstream received %d requests; want one with %d bytes and Expect: 100-continue", len(got), size)
	}

	// An injected error answers without waiting for the body.
	h.proxy.Inject(Fault{Operation: "PutObject", Status: http.StatusServiceUnavailable, Code: "SlowDown"})
	resp, body, got100 := send()
	if doc := parseError(t, body); resp.StatusCode != http.StatusServiceUnavailable || doc.Code != "SlowDown" || got100 {
		t.Errorf("got %d %q, 100 Continue %t; want 503 SlowDown without 100 Continue", resp.StatusCode, doc.Code, got100)
	}
	if n := len(h.received()); n != 1 {
		t.Errorf("upstream received %d requests, want still 1", n)
	}
}

func TestUpstreamUnreachable(t *testing.T) {
	// An upstream that hangs up on every connection (a closed port could be reused by another test).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	front := httptest.NewServer(New(&url.URL{Scheme: "http", Host: ln.Addr().String()}, nil))
	defer front.Close()

	resp, err := http.Get(front.URL + "/pm-bucket?versioning")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if doc := parseError(t, body); resp.StatusCode != http.StatusBadGateway || doc.Code != "BadGateway" {
		t.Errorf("got %d %+v, want 502 BadGateway", resp.StatusCode, doc)
	}
}

func TestCounts(t *testing.T) {
	h := newHarness(t, nil)
	for _, r := range []struct{ method, target string }{
		{"GET", "/pm-bucket?versioning"},
		{"GET", "/pm-bucket?versioning"},
		{"PUT", "/pm-bucket/a.jpg"},
		{"GET", "/pm-bucket?list-type=2"},
		{"PATCH", "/pm-bucket/a.jpg"},
	} {
		h.do(t, r.method, r.target)
	}
	want := map[string]int{"GetBucketVersioning": 2, "PutObject": 1, "ListObjectsV2": 1, Unknown: 1}
	got := h.proxy.Counts()
	if !maps.Equal(got, want) {
		t.Errorf("Counts() = %v, want %v", got, want)
	}
	got["PutObject"] = 99
	if n := h.proxy.Count("PutObject"); n != 1 {
		t.Errorf("Count(PutObject) = %d after changing the copy Counts returned, want 1", n)
	}

	// Faulted requests count too.
	h.proxy.Inject(Fault{Status: http.StatusInternalServerError})
	h.do(t, "GET", "/pm-bucket?versioning")
	if n := h.proxy.Count("GetBucketVersioning"); n != 3 {
		t.Errorf("Count(GetBucketVersioning) = %d, want 3", n)
	}

	h.proxy.ResetCounts()
	if got := h.proxy.Counts(); len(got) != 0 {
		t.Errorf("Counts() after ResetCounts = %v, want empty", got)
	}
	h.do(t, "DELETE", "/pm-bucket/a.jpg?versionId=1")
	if got, want := h.proxy.Counts(), map[string]int{"DeleteObject": 1}; !maps.Equal(got, want) {
		t.Errorf("Counts() = %v, want %v", got, want)
	}
}

func TestVirtualHostedThroughProxy(t *testing.T) {
	h := newHarness(t, nil, WithBaseDomain("s3.test"))
	req, err := http.NewRequest(http.MethodGet, h.front.URL+"/?versioning", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "pm-bucket.s3.test"
	h.send(t, h.client, req)
	if got, want := h.proxy.Counts(), map[string]int{"GetBucketVersioning": 1}; !maps.Equal(got, want) {
		t.Errorf("Counts() = %v, want %v", got, want)
	}
	if got := h.received(); len(got) != 1 || got[0].Host != "pm-bucket.s3.test" || got[0].RequestURI != "/?versioning" {
		t.Errorf("upstream received %+v, want Host pm-bucket.s3.test and /?versioning", got)
	}
	if op := h.proxy.Classify(req); op.Bucket != "pm-bucket" {
		t.Errorf("Proxy.Classify bucket = %q, want pm-bucket", op.Bucket)
	}
}

func TestSemantics(t *testing.T) {
	var seen []Operation
	var mu sync.Mutex
	// A layer that refuses to delete object versions and otherwise forwards.
	semantics := func(w http.ResponseWriter, r *http.Request, op Operation, next http.Handler) {
		mu.Lock()
		seen = append(seen, op)
		mu.Unlock()
		if op.Name == "DeleteObject" && r.URL.Query().Has("versionId") {
			WriteError(w, r, http.StatusForbidden, "AccessDenied", "Mfa Authentication must be used for this request")
			return
		}
		next.ServeHTTP(w, r)
	}
	h := newHarness(t, nil, WithSemantics(semantics))

	resp, body := h.do(t, "DELETE", "/pm-bucket/a.jpg?versionId=v1")
	if doc := parseError(t, body); resp.StatusCode != http.StatusForbidden || doc.Code != "AccessDenied" {
		t.Errorf("DELETE version: %d %+v, want 403 AccessDenied", resp.StatusCode, doc)
	}
	resp, body = h.do(t, "DELETE", "/pm-bucket/a.jpg")
	if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" {
		t.Errorf("DELETE: %d %q, want the upstream's answer", resp.StatusCode, body)
	}
	// A fault answers before the semantics layer sees the request.
	h.proxy.Inject(Fault{Operation: "GetObject", Status: http.StatusInternalServerError, Code: "InternalError"})
	h.do(t, "GET", "/pm-bucket/a.jpg")

	want := []Operation{
		{Name: "DeleteObject", Bucket: "pm-bucket", Key: "a.jpg"},
		{Name: "DeleteObject", Bucket: "pm-bucket", Key: "a.jpg"},
	}
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("semantics saw %+v, want %+v", seen, want)
	}
	if got := h.received(); len(got) != 1 || got[0].RequestURI != "/pm-bucket/a.jpg" {
		t.Errorf("upstream received %+v, want only the unversioned DELETE", got)
	}
}

func TestConcurrentRequests(t *testing.T) {
	h := newHarness(t, nil)
	slow := h.proxy.Inject(Fault{Operation: "GetObject", Status: http.StatusServiceUnavailable, Code: "SlowDown", Times: 10})

	const n = 50
	statuses := make(chan int, n)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg, churn sync.WaitGroup
	// Readers and writers of the fault list and counts, racing the requests.
	churn.Go(func() {
		for ctx.Err() == nil {
			h.proxy.Inject(Fault{Operation: "PutObject", Status: http.StatusInternalServerError}).Remove()
			_ = h.proxy.Counts()
			_ = slow.Hits()
		}
	})
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodGet, h.front.URL+"/pm-bucket/key-"+strconv.Itoa(i), nil)
			if err != nil {
				t.Error(err)
				return
			}
			resp, err := h.client.Do(req)
			if err != nil {
				t.Errorf("GET: %v", err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		})
	}
	wg.Wait()
	cancel()
	churn.Wait()
	close(statuses)

	byStatus := map[int]int{}
	for s := range statuses {
		byStatus[s]++
	}
	if want := map[int]int{200: n - 10, 503: 10}; !maps.Equal(byStatus, want) {
		t.Errorf("statuses %v, want %v", byStatus, want)
	}
	if got := h.proxy.Count("GetObject"); got != n {
		t.Errorf("Count(GetObject) = %d, want %d", got, n)
	}
	if got := slow.Hits(); got != 10 {
		t.Errorf("Hits() = %d, want 10", got)
	}
	if got := len(h.received()); got != n-10 {
		t.Errorf("upstream received %d requests, want %d", got, n-10)
	}
}

// parseError decodes an S3 error document the way the AWS SDK's restxml error decoder reads it.
func parseError(t *testing.T, body []byte) errorDocument {
	t.Helper()
	var doc errorDocument
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not an S3 error document: %v\n%s", err, body)
	}
	return doc
}

// TestStatusHookFlush checks that a flush before any header was written still runs OnStatus first, so a
// layer's header fixes (awsbehaviour's CORS headers) are what is sent.
func TestStatusHookFlush(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Access-Control-Allow-Origin", "*")
	w := &StatusHook{ResponseWriter: rec, OnStatus: func(int) { rec.Header().Del("Access-Control-Allow-Origin") }}
	if err := http.NewResponseController(w).Flush(); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, "streamed")
	if !rec.Flushed || rec.Code != http.StatusOK || rec.Body.String() != "streamed" {
		t.Errorf("flushed %v, status %d, body %q", rec.Flushed, rec.Code, rec.Body)
	}
	if got := rec.Result().Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin %q sent", got)
	}
}

func TestTrace(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "policy") {
			<-release // held until the versioning read has been answered
		}
		_, _ = io.WriteString(w, "ok")
	})
	h.do(t, "GET", "/before-trace?versioning")
	h.proxy.StartTrace()
	var wg sync.WaitGroup
	wg.Go(func() {
		// Not h.do: it may call t.Fatal, which only the test's own goroutine may.
		resp, err := h.client.Get(h.front.URL + "/pm-bucket?policy")
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	})
	time.Sleep(20 * time.Millisecond) // the policy read is in the upstream now
	h.do(t, "GET", "/pm-bucket?versioning")
	close(release)
	wg.Wait()
	h.do(t, "GET", "/pm-bucket?tagging")
	calls := h.proxy.StopTrace()
	h.do(t, "GET", "/after-trace?versioning")

	var ops []string
	for _, c := range calls {
		ops = append(ops, c.Operation+" "+c.Bucket)
		if c.End.Before(c.Start) {
			t.Errorf("%s ended before it started", c.Operation)
		}
	}
	if want := []string{"GetBucketVersioning pm-bucket", "GetBucketPolicy pm-bucket", "GetBucketTagging pm-bucket"}; !slices.Equal(ops, want) {
		t.Fatalf("traced %v, want %v (in the order they ended)", ops, want)
	}
	// The versioning read ran while the policy read was waiting: the longest chain is policy, tagging.
	if got := CriticalPath(calls); got != 2 {
		t.Errorf("CriticalPath = %d, want 2", got)
	}
	if got := h.proxy.StopTrace(); len(got) != 0 {
		t.Errorf("a stopped trace recorded %v", got)
	}
}

func TestCriticalPath(t *testing.T) {
	at := func(ms int) time.Time { return time.UnixMilli(int64(ms)) }
	call := func(start, end int) Call { return Call{Start: at(start), End: at(end)} }
	for _, tc := range []struct {
		name  string
		calls []Call
		want  int
	}{
		{"none", nil, 0},
		{"one", []Call{call(0, 20)}, 1},
		{"all at once", []Call{call(0, 20), call(1, 21), call(2, 22)}, 1},
		{"one after another", []Call{call(40, 60), call(0, 20), call(20, 40)}, 3},
		// create, then two writes at once, then a read after the slower one.
		{"fan out and in", []Call{call(0, 20), call(21, 41), call(22, 50), call(51, 71)}, 3},
		// A short call beside a long one: the chain of short ones is the longer.
		{"short beside long", []Call{call(0, 100), call(0, 10), call(10, 20), call(20, 30)}, 3},
	} {
		if got := CriticalPath(tc.calls); got != tc.want {
			t.Errorf("%s: CriticalPath = %d, want %d", tc.name, got, tc.want)
		}
	}
}
