package s3proxy

// Building blocks for semantics layers (see Semantics): watching or holding back the upstream's answer,
// reading a signed body without spoiling it, and answering with an S3 error of the layer's own.

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"
)

// StatusHook passes everything through to the client and calls OnStatus with the final status before the
// status line is written, so a layer can record state exactly when the client learns of the success.
type StatusHook struct {
	http.ResponseWriter
	OnStatus func(status int)
	written  bool
}

func (h *StatusHook) WriteHeader(status int) {
	// 1xx answers (100 Continue) come before the final one.
	if !h.written && status >= 200 {
		h.written = true
		h.OnStatus(status)
	}
	h.ResponseWriter.WriteHeader(status)
}

func (h *StatusHook) Write(b []byte) (int, error) {
	if !h.written {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// FlushError flushes what was written; when a flush is what sends the status, OnStatus runs first.
func (h *StatusHook) FlushError() error {
	if !h.written {
		h.WriteHeader(http.StatusOK)
	}
	return http.NewResponseController(h.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the client's writer.
func (h *StatusHook) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// BufferedResponse holds an answer back so it can be rewritten. Headers go straight into the client's header
// map (given to NewBufferedResponse), which is sent only when the layer writes the status. It deliberately
// has neither Flush nor Unwrap: a flush would send the headers before a rewritten Content-Length is set.
type BufferedResponse struct {
	header http.Header
	Status int // the final status; 0 = none written yet
	Body   bytes.Buffer
}

// NewBufferedResponse buffers an answer whose headers go into header.
func NewBufferedResponse(header http.Header) *BufferedResponse {
	return &BufferedResponse{header: header}
}

func (b *BufferedResponse) Header() http.Header { return b.header }

func (b *BufferedResponse) WriteHeader(status int) {
	if b.Status == 0 && status >= 200 {
		b.Status = status
	}
}

func (b *BufferedResponse) Write(p []byte) (int, error) {
	if b.Status == 0 {
		b.Status = http.StatusOK
	}
	return b.Body.Write(p)
}

// Error is an S3 error answer a layer gives itself.
type Error struct {
	Status        int
	Code, Message string
}

// Write answers r with the error.
func (e *Error) Write(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, e.Status, e.Code, e.Message)
}

// The errors ReadBody answers, and S3's answer to a body it cannot parse.
var (
	ErrMalformedXML = &Error{Status: http.StatusBadRequest, Code: "MalformedXML",
		Message: "The XML you provided was not well-formed or did not validate against our published schema."}
	ErrTooLarge = &Error{Status: http.StatusBadRequest, Code: "MaxMessageLengthExceeded", Message: "Your request was too big."}
	ErrBodyRead = &Error{Status: http.StatusBadRequest, Code: "IncompleteBody",
		Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."}
)

// MaxInspectedBody caps the bodies layers read: the largest they inspect is a DeleteObjects list of 1000
// keys, well under it.
const MaxInspectedBody = 4 << 20

// ReadBody reads r's body (at most MaxInspectedBody) and puts the same bytes back, leaving ContentLength as
// the client sent it, so that what is forwarded still matches the client's signature.
func ReadBody(r *http.Request) ([]byte, *Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxInspectedBody+1))
	switch {
	case err != nil && !errors.Is(err, io.EOF):
		return nil, ErrBodyRead
	case len(body) > MaxInspectedBody:
		return nil, ErrTooLarge
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// BucketLocks serializes, per bucket, the requests a layer checks against its state and then changes, so
// two of them cannot both pass a check only one should. Its zero value is ready to use. The mutexes are
// kept for good, so a goroutine waiting on one never finds it replaced; tests make few buckets.
type BucketLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// Lock locks bucket and returns the function that unlocks it.
func (b *BucketLocks) Lock(bucket string) (unlock func()) {
	b.mu.Lock()
	if b.locks == nil {
		b.locks = make(map[string]*sync.Mutex)
	}
	m, ok := b.locks[bucket]
	if !ok {
		m = new(sync.Mutex)
		b.locks[bucket] = m
	}
	b.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// ForwardThen passes the request upstream and calls onSuccess when the upstream answers 2xx, before the
// client sees the answer: state a layer records on success is in place when the client learns of it.
func ForwardThen(w http.ResponseWriter, r *http.Request, next http.Handler, onSuccess func()) {
	next.ServeHTTP(&StatusHook{ResponseWriter: w, OnStatus: func(status int) {
		if status/100 == 2 {
			onSuccess()
		}
	}}, r)
}

// Refusals answers requests with a layer's own errors and counts them; the zero value is ready to use and
// safe for concurrent use.
type Refusals struct {
	mu sync.Mutex
	n  int
}

// Refuse writes e as the answer to r and counts it.
func (c *Refusals) Refuse(w http.ResponseWriter, r *http.Request, e *Error) {
	c.Add()
	e.Write(w, r)
}

// Add counts a refusal the layer answered with a document of its own (a redirect, say).
func (c *Refusals) Add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// Count reports how many requests were refused.
func (c *Refusals) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
