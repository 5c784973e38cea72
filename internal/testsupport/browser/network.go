package browser

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
)

// Request is one request a page made, as the browser saw it: one hop of a redirect chain each.
type Request struct {
	URL    string
	Method string
	// Type is what the browser loaded it as: Document, Stylesheet, Font, Image, Script, Fetch, XHR,
	// Preflight, Other (network.ResourceType*).
	Type network.ResourceType
	// Status is the HTTP status of the answer; 0 when none came. For an answer the browser then refused
	// (CORS), which has no Network.responseReceived, it is the status that came over the wire
	// (Network.responseReceivedExtraInfo).
	Status int
	// Finished is set when the body arrived in full (Network.loadingFinished), or, for a redirect hop, when
	// the browser followed the redirect.
	Finished bool
	// What Network.loadingFailed reported: the network error (net::ERR_FAILED for any CORS refusal), why the
	// browser blocked the load (mixed content, CORP, ...), which CORS check failed and on what value, and
	// whether the page itself gave up on it (a navigation away, say).
	ErrorText     string
	BlockedReason string
	CORSError     string
	Canceled      bool
}

// Failed reports whether the browser gave up on the request, whatever the server answered.
func (r Request) Failed() bool {
	return r.ErrorText != "" || r.BlockedReason != "" || r.CORSError != "" || r.Canceled
}

// OK reports whether the page got what it asked for: a 2xx answer that loaded in full, without failing.
func (r Request) OK() bool {
	return r.Finished && !r.Failed() && r.Status >= 200 && r.Status < 300
}

func (r Request) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: ", r.Type, r.Method, r.URL)
	if r.Status == 0 {
		b.WriteString("no answer")
	} else {
		fmt.Fprintf(&b, "%d", r.Status)
	}
	var failure []string
	for _, f := range []struct{ label, value string }{
		{"", r.ErrorText}, {"blocked ", r.BlockedReason}, {"CORS ", r.CORSError},
	} {
		if f.value != "" {
			failure = append(failure, f.label+f.value)
		}
	}
	if r.Canceled {
		failure = append(failure, "canceled")
	}
	switch {
	case len(failure) > 0:
		b.WriteString(", failed: " + strings.Join(failure, ", "))
	case !r.Finished:
		b.WriteString(", still loading")
	}
	return b.String()
}

// Log is the requests of a recording, in the order the browser sent them.
type Log []Request

// Of is the requests of l of the given types.
func (l Log) Of(types ...network.ResourceType) Log {
	var out Log
	for _, r := range l {
		for _, t := range types {
			if r.Type == t {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// NotOK is the requests of l that are not OK.
func (l Log) NotOK() Log {
	var out Log
	for _, r := range l {
		if !r.OK() {
			out = append(out, r)
		}
	}
	return out
}

// String lists the requests one a line.
func (l Log) String() string {
	lines := make([]string, len(l))
	for i, r := range l {
		lines[i] = "  " + r.String()
	}
	return strings.Join(lines, "\n")
}

// recorder turns the tab's network events into a Log. Its event method runs on chromedp's reading
// goroutine, so it only updates the log under the lock and never blocks.
type recorder struct {
	mu       sync.Mutex
	requests []*Request
	open     map[network.RequestID]*Request // the current hop of each request that has not ended
	// wire holds the status of an answer whose Network.responseReceivedExtraInfo came before its request.
	wire map[network.RequestID]int
	last time.Time     // when the last network event arrived, or the recording began
	wake chan struct{} // a network event arrived; capacity 1
}

func newRecorder() *recorder {
	return &recorder{
		open: make(map[network.RequestID]*Request),
		wire: make(map[network.RequestID]int),
		last: time.Now(),
		wake: make(chan struct{}, 1),
	}
}

func (r *recorder) event(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if prev := r.open[ev.RequestID]; prev != nil && ev.RedirectResponse != nil {
			// A redirect keeps the request's ID: the hop that ended is the redirect's answer.
			prev.Status = int(ev.RedirectResponse.Status)
			prev.Finished = true
		}
		req := &Request{Type: ev.Type}
		if ev.Request != nil {
			req.URL, req.Method = ev.Request.URL, ev.Request.Method
		}
		if status, ok := r.wire[ev.RequestID]; ok {
			req.Status = status
			delete(r.wire, ev.RequestID)
		}
		r.requests = append(r.requests, req)
		r.open[ev.RequestID] = req
	case *network.EventResponseReceivedExtraInfo:
		// The only status there is when the browser refuses the answer; Network.responseReceived, when it
		// comes, has the final word.
		switch req := r.open[ev.RequestID]; {
		case req == nil:
			r.wire[ev.RequestID] = int(ev.StatusCode)
		case req.Status == 0:
			req.Status = int(ev.StatusCode)
		}
	case *network.EventResponseReceived:
		req := r.open[ev.RequestID]
		if req == nil {
			return // a request from before the recording
		}
		if ev.Response != nil {
			req.Status = int(ev.Response.Status)
		}
		if req.Type == "" {
			req.Type = ev.Type
		}
	case *network.EventLoadingFinished:
		if req := r.open[ev.RequestID]; req != nil {
			req.Finished = true
			delete(r.open, ev.RequestID)
		}
	case *network.EventLoadingFailed:
		req := r.open[ev.RequestID]
		if req == nil {
			return
		}
		req.ErrorText, req.BlockedReason, req.Canceled = ev.ErrorText, string(ev.BlockedReason), ev.Canceled
		if c := ev.CorsErrorStatus; c != nil {
			req.CORSError = string(c.CorsError)
			if c.FailedParameter != "" {
				req.CORSError += " (" + c.FailedParameter + ")"
			}
		}
		if req.Type == "" {
			req.Type = ev.Type
		}
		delete(r.open, ev.RequestID)
	default:
		return
	}
	r.last = time.Now()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// log is a copy of what was recorded so far.
func (r *recorder) log() Log {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(Log, len(r.requests))
	for i, req := range r.requests {
		out[i] = *req
	}
	return out
}

// waitQuiet returns the log once no request is open and no network event has arrived for networkQuiet,
// or, when ctx ends first, the log with an error naming the requests still open.
func (r *recorder) waitQuiet(ctx context.Context) (Log, error) {
	for {
		r.mu.Lock()
		open, quietFor := len(r.open), time.Since(r.last)
		r.mu.Unlock()
		if open == 0 && quietFor >= networkQuiet {
			return r.log(), nil
		}
		wait := networkQuiet - quietFor
		if open > 0 || wait <= 0 {
			wait = networkQuiet
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			l := r.log()
			var busy Log
			for _, req := range l {
				if !req.Finished && !req.Failed() {
					busy = append(busy, req)
				}
			}
			return l, fmt.Errorf("the page's network was still busy when the wait ended (%w); still loading:\n%s", context.Cause(ctx), busy)
		case <-r.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}
