package s3proxy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakeclock"
)

func TestFaultErrorResponse(t *testing.T) {
	h := newHarness(t, nil)
	slow := h.proxy.Inject(Fault{
		Operation: "GetBucketVersioning",
		Status:    http.StatusServiceUnavailable,
		Code:      "SlowDown",
		Message:   "Please reduce your request rate.",
	})

	resp, body := h.do(t, "GET", "/pm-bucket?versioning")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type %q, want application/xml", ct)
	}
	doc := parseError(t, body)
	want := errorDocument{Code: "SlowDown", Message: "Please reduce your request rate.", Resource: "/pm-bucket", RequestID: doc.RequestID}
	doc.XMLName = want.XMLName
	if doc != want || doc.RequestID == "" || resp.Header.Get("X-Amz-Request-Id") != doc.RequestID {
		t.Errorf("error document %+v with x-amz-request-id %q, want %+v with a matching request id",
			doc, resp.Header.Get("X-Amz-Request-Id"), want)
	}
	if string(body[:len(`<?xml`)]) != `<?xml` {
		t.Errorf("body does not start with an XML declaration: %s", body)
	}
	if got := slow.Hits(); got != 1 {
		t.Errorf("Hits() = %d, want 1", got)
	}
	if got := h.received(); len(got) != 0 {
		t.Errorf("upstream received %d requests, want none", len(got))
	}

	// HEAD errors carry no body, as S3's do.
	h.proxy.Inject(Fault{Operation: "HeadBucket", Status: http.StatusNotFound, Code: "NoSuchBucket"})
	resp, body = h.do(t, "HEAD", "/pm-gone")
	if resp.StatusCode != http.StatusNotFound || len(body) != 0 {
		t.Errorf("HEAD: %d with %d body bytes, want 404 without a body", resp.StatusCode, len(body))
	}

	// Code and message default from the status.
	h.proxy.ClearFaults()
	h.proxy.Inject(Fault{Status: http.StatusInternalServerError})
	resp, body = h.do(t, "GET", "/pm-bucket/a.jpg")
	if doc := parseError(t, body); resp.StatusCode != 500 || doc.Code != "InternalServerError" || doc.Message == "" || doc.Resource != "/pm-bucket/a.jpg" {
		t.Errorf("default error: %d %+v, want 500 InternalServerError with a message", resp.StatusCode, doc)
	}
}

func TestFaultLatency(t *testing.T) {
	const latency = 200 * time.Millisecond
	h := newHarness(t, nil)

	t.Run("then forward", func(t *testing.T) {
		in := h.proxy.Inject(Fault{Operation: "GetObject", Latency: latency})
		defer in.Remove()
		start := time.Now()
		resp, body := h.do(t, "GET", "/pm-bucket/a.jpg")
		elapsed := time.Since(start)
		if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" {
			t.Errorf("got %d %q, want the upstream's answer", resp.StatusCode, body)
		}
		if elapsed < latency {
			t.Errorf("took %v, want at least %v", elapsed, latency)
		}
		if in.Hits() != 1 {
			t.Errorf("Hits() = %d, want 1", in.Hits())
		}
	})

	t.Run("then fail", func(t *testing.T) {
		in := h.proxy.Inject(Fault{Operation: "GetObject", Latency: latency, Status: http.StatusInternalServerError, Code: "InternalError"})
		defer in.Remove()
		before := len(h.received())
		start := time.Now()
		resp, body := h.do(t, "GET", "/pm-bucket/a.jpg")
		elapsed := time.Since(start)
		if doc := parseError(t, body); resp.StatusCode != 500 || doc.Code != "InternalError" {
			t.Errorf("got %d %+v, want 500 InternalError", resp.StatusCode, doc)
		}
		if elapsed < latency {
			t.Errorf("took %v, want at least %v", elapsed, latency)
		}
		if n := len(h.received()); n != before {
			t.Errorf("upstream received %d new requests, want none", n-before)
		}
	})

	t.Run("client gives up", func(t *testing.T) {
		in := h.proxy.Inject(Fault{Operation: "GetObject", Latency: time.Minute})
		defer in.Remove()
		before := len(h.received())
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.front.URL+"/pm-bucket/a.jpg", nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		resp, err := h.client.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got %d, want the client's deadline to expire", resp.StatusCode)
		}
		if elapsed := time.Since(start); elapsed > 10*time.Second {
			t.Errorf("took %v to give up", elapsed)
		}
		// The proxy notices the closed connection and forwards nothing.
		time.Sleep(200 * time.Millisecond)
		if n := len(h.received()); n != before {
			t.Errorf("upstream received %d new requests, want none", n-before)
		}
	})
}

func TestFaultReset(t *testing.T) {
	for _, tt := range []struct {
		name  string
		start func(*httptest.Server)
	}{
		{"http", (*httptest.Server).Start},
		{"https", (*httptest.Server).StartTLS},
		{"http2", func(s *httptest.Server) { s.EnableHTTP2 = true; s.StartTLS() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			// A front of the requested kind on the same proxy.
			front := httptest.NewUnstartedServer(h.proxy)
			tt.start(front)
			defer front.Close()
			client := front.Client()
			client.Timeout = clientTimeout
			if tt.name == "http2" {
				transportOf(t, client).ForceAttemptHTTP2 = true
			}

			reset := h.proxy.Inject(Fault{Operation: "PutObject", Reset: true, Times: 1})
			req, err := http.NewRequest(http.MethodPut, front.URL+"/pm-bucket/a.jpg", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got %d, want a transport error", resp.StatusCode)
			}
			t.Logf("client error: %v", err)
			if reset.Hits() != 1 {
				t.Errorf("Hits() = %d, want 1", reset.Hits())
			}
			if got := h.received(); len(got) != 0 {
				t.Errorf("upstream received %d requests, want none", len(got))
			}

			// Times is used up: the next request goes through.
			req, _ = http.NewRequest(http.MethodPut, front.URL+"/pm-bucket/a.jpg", nil)
			resp, err = client.Do(req)
			if err != nil {
				t.Fatalf("second PUT: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("second PUT: %d, want 200", resp.StatusCode)
			}
			if tt.name == "http2" && resp.ProtoMajor != 2 {
				t.Errorf("protocol %s, want HTTP/2", resp.Proto)
			}
		})
	}
}

func TestFaultTimes(t *testing.T) {
	h := newHarness(t, nil)
	in := h.proxy.Inject(Fault{Operation: "GetBucketVersioning", Status: http.StatusServiceUnavailable, Code: "SlowDown", Times: 2})
	var got []int
	for range 4 {
		resp, _ := h.do(t, "GET", "/pm-bucket?versioning")
		got = append(got, resp.StatusCode)
	}
	if want := []int{503, 503, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if in.Hits() != 2 {
		t.Errorf("Hits() = %d, want 2", in.Hits())
	}
}

func TestFaultSkipAndBefore(t *testing.T) {
	h := newHarness(t, nil)
	var ran []int // the request numbers Before ran at
	n := 0
	in := h.proxy.Inject(Fault{Operation: "GetBucketVersioning", Skip: 1, Times: 1, Before: func(*http.Request) { ran = append(ran, n) }})
	var got []int
	for n = range 3 {
		resp, _ := h.do(t, "GET", "/pm-bucket?versioning")
		got = append(got, resp.StatusCode)
	}
	if want := []int{200, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v: a fault with only Before forwards the request", got, want)
	}
	if !slices.Equal(ran, []int{1}) || in.Hits() != 1 {
		t.Errorf("Before ran at requests %v (hits %d), want only the second one", ran, in.Hits())
	}
}

func TestFaultFor(t *testing.T) {
	clock := fakeclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	h := newHarness(t, nil, WithClock(clock.Now))
	in := h.proxy.Inject(Fault{Status: http.StatusServiceUnavailable, Code: "SlowDown", For: time.Minute})

	status := func() int {
		resp, _ := h.do(t, "GET", "/pm-bucket?versioning")
		return resp.StatusCode
	}
	if s := status(); s != 503 {
		t.Errorf("at once: %d, want 503", s)
	}
	clock.Advance(59 * time.Second)
	if s := status(); s != 503 {
		t.Errorf("after 59s: %d, want 503", s)
	}
	clock.Advance(time.Second)
	if s := status(); s != 200 {
		t.Errorf("after 60s: %d, want 200", s)
	}
	if in.Hits() != 2 {
		t.Errorf("Hits() = %d, want 2", in.Hits())
	}

	// Times and For together: whichever runs out first.
	both := h.proxy.Inject(Fault{Status: http.StatusInternalServerError, Times: 1, For: time.Hour})
	if s := status(); s != 500 {
		t.Errorf("Times and For: first %d, want 500", s)
	}
	if s := status(); s != 200 {
		t.Errorf("Times and For: second %d, want 200", s)
	}
	if both.Hits() != 1 {
		t.Errorf("Hits() = %d, want 1", both.Hits())
	}
}

func TestFaultMatching(t *testing.T) {
	h := newHarness(t, nil)
	in := h.proxy.Inject(Fault{Operation: "PutObject", Bucket: "pm-a", Status: http.StatusForbidden, Code: "AccessDenied"})
	for _, tt := range []struct {
		method, target string
		want           int
	}{
		{"PUT", "/pm-a/k", 403},
		{"PUT", "/pm-b/k", 200},       // other bucket
		{"GET", "/pm-a/k", 200},       // other operation
		{"PUT", "/pm-a?tagging", 200}, // other operation on the bucket
		{"PUT", "/pm-a/other/key", 403},
	} {
		if resp, _ := h.do(t, tt.method, tt.target); resp.StatusCode != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.target, resp.StatusCode, tt.want)
		}
	}
	if in.Hits() != 2 {
		t.Errorf("Hits() = %d, want 2", in.Hits())
	}

	in.Remove()
	in.Remove() // twice is harmless
	if resp, _ := h.do(t, "PUT", "/pm-a/k"); resp.StatusCode != 200 {
		t.Errorf("after Remove: %d, want 200", resp.StatusCode)
	}
	if in.Hits() != 2 {
		t.Errorf("Hits() after Remove = %d, want 2", in.Hits())
	}

	// Bucket only, any operation.
	h.proxy.Inject(Fault{Bucket: "pm-gone", Status: http.StatusNotFound, Code: "NoSuchBucket"})
	for _, target := range []string{"/pm-gone?versioning", "/pm-gone/k", "/pm-gone"} {
		if resp, body := h.do(t, "GET", target); resp.StatusCode != 404 || parseError(t, body).Code != "NoSuchBucket" {
			t.Errorf("GET %s: %d, want 404 NoSuchBucket", target, resp.StatusCode)
		}
	}
	if resp, _ := h.do(t, "GET", "/"); resp.StatusCode != 200 {
		t.Errorf("ListBuckets: %d, want 200", resp.StatusCode)
	}
}

func TestFaultOrder(t *testing.T) {
	h := newHarness(t, nil)
	first := h.proxy.Inject(Fault{Status: http.StatusInternalServerError, Code: "First", Times: 1})
	second := h.proxy.Inject(Fault{Operation: "GetObject", Status: http.StatusServiceUnavailable, Code: "Second", Times: 2})
	third := h.proxy.Inject(Fault{Operation: "GetObject", Status: http.StatusServiceUnavailable, Code: "Third"})

	var codes []string
	for range 5 {
		_, body := h.do(t, "GET", "/pm-bucket/k")
		codes = append(codes, parseError(t, body).Code)
	}
	if want := []string{"First", "Second", "Second", "Third", "Third"}; !slices.Equal(codes, want) {
		t.Fatalf("codes %v, want %v", codes, want)
	}
	if first.Hits() != 1 || second.Hits() != 2 || third.Hits() != 2 {
		t.Errorf("hits %d %d %d, want 1 2 2", first.Hits(), second.Hits(), third.Hits())
	}

	// Removing a fault in the middle keeps the order of the others.
	second.Remove()
	fourth := h.proxy.Inject(Fault{Operation: "GetObject", Status: http.StatusInternalServerError, Code: "Fourth"})
	if _, body := h.do(t, "GET", "/pm-bucket/k"); parseError(t, body).Code != "Third" {
		t.Errorf("after removing the second fault: %s, want Third", parseError(t, body).Code)
	}
	third.Remove()
	if _, body := h.do(t, "GET", "/pm-bucket/k"); parseError(t, body).Code != "Fourth" {
		t.Errorf("after removing the third fault: %s, want Fourth", parseError(t, body).Code)
	}
	h.proxy.ClearFaults()
	if resp, _ := h.do(t, "GET", "/pm-bucket/k"); resp.StatusCode != 200 {
		t.Errorf("after ClearFaults: %d, want 200", resp.StatusCode)
	}
	if fourth.Hits() != 1 {
		t.Errorf("Hits() = %d, want 1", fourth.Hits())
	}
}

func TestNewRejectsTargetWithoutHost(t *testing.T) {
	for _, target := range []*url.URL{nil, {Path: "/x"}, {Scheme: "https"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%v) did not panic", target)
				}
			}()
			New(target, nil)
		}()
	}
}
