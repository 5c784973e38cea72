package s3proxy

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/xml"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A Fault makes matching requests fail or slow down.
type Fault struct {
	Operation string        // operation name to match; "" matches any
	Bucket    string        // bucket to match; "" matches any
	Status    int           // HTTP status of the injected error response; 0 = do not fail (latency only)
	Code      string        // S3 error code, e.g. "SlowDown", "InternalError", "NoSuchBucket"; "" = derived from Status
	Message   string        // "" = a message saying the fault was injected
	Latency   time.Duration // added before forwarding or failing; cut short when the client gives up
	// Reset closes the client connection abruptly (TCP RST, no TLS close_notify) instead of answering;
	// over HTTP/2 it resets the stream. Go's transport silently retries an idempotent request once when
	// a reused connection breaks, so such a request may need two resets to fail.
	Reset bool
	Times int           // how many matching requests it affects; 0 = unlimited
	For   time.Duration // affects matching requests until this long after Inject; 0 = no time limit
	Skip  int           // how many matching requests to let through untouched first
	// Before, if set, runs with the request before it is answered or forwarded (after Latency): a test
	// looks at what a client sent, or changes the bucket between two of its requests (between a plan and
	// its apply, say). It must not read the body.
	Before func(*http.Request)
}

// Injection is a fault in effect, returned by Inject.
type Injection struct {
	p        *Proxy
	fault    Fault
	deadline time.Time // zero: no time limit

	// guarded by p.mu
	hits    int
	skipped int
}

// Inject adds a fault. Faults are checked in insertion order and the first that matches applies; a fault
// whose Times or For is used up no longer matches.
func (p *Proxy) Inject(f Fault) *Injection {
	in := &Injection{p: p, fault: f}
	if f.For > 0 {
		in.deadline = p.now().Add(f.For)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, in)
	return in
}

// Remove takes the fault out of effect. Removing it again does nothing.
func (in *Injection) Remove() {
	in.p.mu.Lock()
	defer in.p.mu.Unlock()
	for i, other := range in.p.faults {
		if other == in {
			in.p.faults = append(in.p.faults[:i:i], in.p.faults[i+1:]...)
			return
		}
	}
}

// Hits reports how many requests the fault has affected, also after Remove.
func (in *Injection) Hits() int {
	in.p.mu.Lock()
	defer in.p.mu.Unlock()
	return in.hits
}

// ClearFaults removes all faults.
func (p *Proxy) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
}

// matchFault finds the first fault matching op and counts the hit, in one step so that concurrent
// requests never overrun a fault's Times.
func (p *Proxy) matchFault(op Operation) (Fault, bool) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, in := range p.faults {
		if in.matches(op, now) {
			if in.skipped < in.fault.Skip {
				in.skipped++
				return Fault{}, false
			}
			in.hits++
			return in.fault, true
		}
	}
	return Fault{}, false
}

func (in *Injection) matches(op Operation, now time.Time) bool {
	f := in.fault
	switch {
	case f.Operation != "" && f.Operation != op.Name,
		f.Bucket != "" && f.Bucket != op.Bucket,
		f.Times > 0 && in.hits >= f.Times,
		!in.deadline.IsZero() && !now.Before(in.deadline):
		return false
	}
	return true
}

// apply carries out f on the request and reports whether the request should still be forwarded.
func (f Fault) apply(w http.ResponseWriter, r *http.Request) bool {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client is gone. Returning would make net/http send an empty 200, which a client
			// still reading the connection could take for the answer.
			panic(http.ErrAbortHandler)
		}
	}
	if f.Before != nil {
		f.Before(r)
	}
	switch {
	case f.Reset:
		resetConnection(w)
		return false
	case f.Status != 0:
		code, message := f.Code, f.Message
		if code == "" {
			code = strings.ReplaceAll(http.StatusText(f.Status), " ", "")
		}
		if message == "" {
			message = "Fault injected by s3proxy."
		}
		WriteError(w, r, f.Status, code, message)
		return false
	}
	return true
}

// resetConnection drops the client connection without an answer.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot hand its connection over; aborting the handler resets the stream instead.
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn() // closing the tls.Conn would send close_notify, an orderly end
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // RST instead of FIN
	}
	_ = raw.Close()
}

// errorDocument is the body of an S3 error response.
type errorDocument struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
}

// WriteError answers r with an S3 error response, which the AWS SDK turns into a smithy.APIError with
// this code. As S3 does, an answer to HEAD has no body; the SDK then derives the code from the status.
func WriteError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	id := requestID()
	body, err := xml.Marshal(errorDocument{Code: code, Message: message, Resource: r.URL.Path, RequestID: id})
	if err != nil {
		panic("s3proxy: encoding an error document: " + err.Error()) // four strings always encode
	}
	body = append([]byte(xml.Header), body...)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("X-Amz-Request-Id", id)
	h.Set("X-Amz-Id-2", id)
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func requestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return strings.ToUpper(hex.EncodeToString(b))
}
