// Package s3proxy is test infrastructure: an HTTP reverse proxy between the AWS SDK and a real S3 server.
// It forwards requests unchanged, so SigV4 signatures made for the proxy's address stay valid upstream,
// counts them per S3 operation, injects faults, and has a hook for a layer that adds AWS semantics the
// server lacks.
//
// A request goes through, in order: classification, counting, the first matching fault, the semantics
// hook (if any), and the upstream server.
package s3proxy

import (
	"maps"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Proxy is an http.Handler forwarding every request to its target. It is safe for concurrent use.
type Proxy struct {
	target     *url.URL
	transport  http.RoundTripper
	classifier Classifier
	semantics  Semantics
	forward    *httputil.ReverseProxy
	now        func() time.Time

	mu     sync.Mutex
	counts map[string]int
	faults []*Injection
	// createLag and created emulate eventual consistency after CreateBucket; see SetCreateLag.
	createLag time.Duration
	created   map[string]time.Time
	// tracing and trace record every call's start and end; see StartTrace.
	tracing bool
	trace   []Call
}

// Semantics is a layer of S3 behaviour between fault injection and the upstream server, for what the server
// does not implement (MFA Delete, say). It is called for every request no fault answered, with the request's
// operation and next, which forwards to the upstream server. It may answer itself (see WriteError), call
// next, or call next with a wrapped ResponseWriter to inspect or rewrite the answer.
//
// What it forwards must still match the client's signature: it may read the body only to put the same
// bytes back, and must not change the method, Host, path, query or signed headers.
type Semantics func(w http.ResponseWriter, r *http.Request, op Operation, next http.Handler)

// An Option configures a Proxy.
type Option func(*Proxy)

// WithBaseDomain makes the proxy classify "<bucket>.<domain>" hosts as virtual-hosted-style requests; see
// Classifier.BaseDomain.
func WithBaseDomain(domain string) Option {
	return func(p *Proxy) { p.classifier.BaseDomain = domain }
}

// WithClock makes the proxy read the time from now, for Fault.For; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(p *Proxy) { p.now = now }
}

// WithSemantics installs s as the proxy's semantics layer.
func WithSemantics(s Semantics) Option {
	return func(p *Proxy) { p.semantics = s }
}

// New returns a proxy to target, of which only the scheme and host are used (e.g. https://127.0.0.1:8443).
// transport carries the upstream connections (tests pass one trusting their CA); nil means
// http.DefaultTransport. An *http.Transport is cloned with compression disabled, because the transport
// would otherwise ask for gzip on its own and decompress the answer, changing what the client receives.
func New(target *url.URL, transport http.RoundTripper, opts ...Option) *Proxy {
	if target == nil || target.Scheme == "" || target.Host == "" {
		panic("s3proxy: New needs a target with a scheme and a host")
	}
	p := &Proxy{
		target:    &url.URL{Scheme: target.Scheme, Host: target.Host},
		transport: upstreamTransport(transport),
		now:       time.Now,
		counts:    make(map[string]int),
	}
	for _, opt := range opts {
		opt(p)
	}
	p.forward = &httputil.ReverseProxy{
		Rewrite:   p.rewrite,
		Transport: p.transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// 502 is retryable for the AWS SDK, as a broken connection to S3 would be.
			WriteError(w, r, http.StatusBadGateway, "BadGateway", "s3proxy: upstream: "+err.Error())
		},
	}
	return p
}

func upstreamTransport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return rt
	}
	t = t.Clone()
	t.DisableCompression = true
	return t
}

// rewrite points the outbound request at the target and undoes what httputil.ReverseProxy changes on its
// own, so that everything the signature covers reaches the server as the client sent it. Hop-by-hop
// headers (Connection, Keep-Alive, Transfer-Encoding, TE, Upgrade, Proxy-*) still stop here: they describe
// one connection, and SigV4 does not sign them.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	pr.Out.URL.Scheme = p.target.Scheme
	pr.Out.URL.Host = p.target.Host
	pr.Out.Host = pr.In.Host
	// The request-target byte for byte: url.URL would re-escape a path the client escaped unusually.
	if path, _, _ := strings.Cut(pr.In.RequestURI, "?"); strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "//") {
		pr.Out.URL.Opaque = path
	}
	// ReverseProxy drops query parameters it cannot parse and the client's forwarding headers.
	pr.Out.URL.RawQuery = pr.In.URL.RawQuery
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
		if v, ok := pr.In.Header[h]; ok {
			pr.Out.Header[h] = v
		}
	}
}

// ServeHTTP classifies and counts r, applies the first matching fault, and forwards what is left.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := p.classifier.Classify(r)
	p.count(op)
	if done := p.traceStart(op); done != nil {
		defer done()
	}
	if f, ok := p.matchFault(op); ok && !f.apply(w, r) {
		return
	}
	if p.lagging(op) {
		WriteError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist (s3proxy: emulated create lag).")
		return
	}
	next := http.Handler(p.forward)
	if p.semantics != nil {
		next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.semantics(w, r, op, p.forward) })
	}
	if op.Name == "CreateBucket" {
		p.serveCreate(w, r, op, next)
		return
	}
	next.ServeHTTP(w, r)
}

// Classify names the operation of r as this proxy does, honouring WithBaseDomain.
func (p *Proxy) Classify(r *http.Request) Operation {
	return p.classifier.Classify(r)
}

func (p *Proxy) count(op Operation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[op.Name]++
}

// Counts returns a copy of the number of requests seen per operation name since the last ResetCounts.
// Every request counts, faulted ones and SDK retries included.
func (p *Proxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}

// Count returns the number of requests for one operation name since the last ResetCounts.
func (p *Proxy) Count(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[name]
}

// ResetCounts sets all counts to zero.
func (p *Proxy) ResetCounts() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.counts)
}

// CloseIdleConnections closes the proxy's idle upstream connections.
func (p *Proxy) CloseIdleConnections() {
	if t, ok := p.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}
