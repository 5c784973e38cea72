package policyguard

import (
	"bytes"
	"net/http"
)

// statusHook passes everything through to the client and calls onStatus with the final status before
// the status line is written.
type statusHook struct {
	http.ResponseWriter
	onStatus func(status int)
	written  bool
}

func (h *statusHook) WriteHeader(status int) {
	// 1xx answers (100 Continue) come before the final one.
	if !h.written && status >= 200 {
		h.written = true
		h.onStatus(status)
	}
	h.ResponseWriter.WriteHeader(status)
}

func (h *statusHook) Write(b []byte) (int, error) {
	if !h.written {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the client's writer, for flushes.
func (h *statusHook) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// bufferedResponse holds an answer back so it can be rewritten. Headers go straight into the client's
// header map, which is sent only when the layer writes the status. It deliberately has neither Flush nor
// Unwrap: a flush would send the headers before the rewritten Content-Length is set.
type bufferedResponse struct {
	header http.Header
	status int // the final status; 0 = none written yet
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 && status >= 200 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
