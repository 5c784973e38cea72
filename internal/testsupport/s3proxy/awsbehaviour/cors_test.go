package awsbehaviour

import (
	"encoding/xml"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// The origins the tests send.
const (
	siteOrigin  = "https://shop.example"
	otherOrigin = "https://evil.example"
)

// corsRuleBody is a CORSRule element with the elements given as name, value pairs, as the AWS SDK writes it.
func corsRuleBody(kv ...string) string {
	b := "<CORSRule>"
	for i := 0; i+1 < len(kv); i += 2 {
		b += "<" + kv[i] + ">" + kv[i+1] + "</" + kv[i] + ">"
	}
	return b + "</CORSRule>"
}

func corsBody(rules ...string) string {
	return `<CORSConfiguration xmlns="` + layertest.S3NS + `">` + strings.Join(rules, "") + `</CORSConfiguration>`
}

// answerWithCORS answers as SeaweedFS does on a bucket without a CORS configuration of its own: from its
// global allowedOrigins, *, every request with an Origin gets CORS headers, and a preflight 200.
func answerWithCORS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Vary", "Origin")
	if origin := r.Header.Get("Origin"); origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, HEAD")
		h.Set("Access-Control-Allow-Headers", "*")
		h.Set("Access-Control-Expose-Headers", "ETag, *")
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK)
		return
	}
	answerAsSeaweedFS(w, r)
}

// newCORSHarness is a harness with behaviour 8 on, in front of an upstream that sends CORS headers of its
// own.
func newCORSHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.layer.EnableCORS()
	h.SetAnswer(answerWithCORS)
	return h
}

// putCORS puts a configuration through the proxy, which the server accepts.
func (h *harness) putCORS(t *testing.T, bucket string, rules ...string) {
	t.Helper()
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/"+bucket+"?cors", corsBody(rules...)), http.StatusOK)
}

// cross sends an unsigned request with an Origin (none if origin is "") and the preflight headers given as
// name, value pairs.
func (h *harness) cross(t *testing.T, method, target, origin string, kv ...string) reply {
	t.Helper()
	header := http.Header{}
	if origin != "" {
		header.Set("Origin", origin)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		header.Set(kv[i], kv[i+1])
	}
	return h.send(t, request{method: method, target: target, header: header})
}

// preflight sends a browser's preflight for method, with the requested headers if any.
func (h *harness) preflight(t *testing.T, target, origin, method string, headers ...string) reply {
	t.Helper()
	kv := []string{"Access-Control-Request-Method", method}
	if len(headers) > 0 {
		kv = append(kv, "Access-Control-Request-Headers", strings.Join(headers, ","))
	}
	return h.cross(t, http.MethodOptions, target, origin, kv...)
}

// corsOf returns an answer's CORS headers and its Vary.
func corsOf(h http.Header) http.Header {
	got := http.Header{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") || k == "Vary" {
			got[k] = v
		}
	}
	return got
}

// expectCORS checks an answer's CORS headers, all of them.
func expectCORS(t *testing.T, got reply, want http.Header) {
	t.Helper()
	if want == nil {
		want = http.Header{}
	}
	if c := corsOf(got.Header); !reflect.DeepEqual(c, want) {
		t.Errorf("CORS headers %v, want %v", c, want)
	}
}

// allowed is the answer of a rule that names origin, with its methods and optional further headers as
// name, value pairs.
func allowed(origin, methods string, kv ...string) http.Header {
	h := http.Header{
		"Access-Control-Allow-Origin":  {origin},
		"Access-Control-Allow-Methods": {methods},
		"Vary":                         {corsVary},
	}
	if origin != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// expectPreflightRefused checks a preflight the layer refused with S3's AccessForbidden.
func (h *harness) expectPreflightRefused(t *testing.T, got reply, message, method, resource string) {
	t.Helper()
	h.expectRefused(t, got, http.StatusForbidden, "AccessForbidden")
	var e corsError
	if err := xml.Unmarshal(got.Body, &e); err != nil || e.Message != message || e.Method != method || e.ResourceType != resource || e.RequestID == "" {
		t.Errorf("body %s (%v), want message %q, method %s, resource type %s", got.Body, err, message, method, resource)
	}
	expectCORS(t, got, nil)
}

func TestCORSOffForwardsUntouched(t *testing.T) {
	h := newHarness(t)
	h.SetAnswer(answerWithCORS)
	for _, q := range []request{
		{method: http.MethodOptions, target: "/pm-static/app.js", header: http.Header{"Origin": {siteOrigin}, "Access-Control-Request-Method": {"GET"}}},
		{method: http.MethodPut, target: "/pm-static?cors", body: corsBody(corsRuleBody("AllowedOrigin", siteOrigin, "AllowedMethod", "GET"))},
		{method: http.MethodDelete, target: "/pm-static?cors"},
		{method: http.MethodGet, target: "/pm-static/app.js", header: http.Header{"Origin": {otherOrigin}}},
	} {
		got := h.send(t, q)
		seen := h.UpstreamSaw()
		if len(seen) != 1 || seen[0].Method != q.method || seen[0].RequestURI != q.target || string(seen[0].Body) != q.body {
			t.Errorf("%s %s: the upstream saw %+v", q.method, q.target, seen)
		}
		// The server's own headers reach the client: what the behaviour strips when on is really there.
		if q.header.Get("Origin") != "" && got.Header.Get("Access-Control-Allow-Origin") != q.header.Get("Origin") {
			t.Errorf("%s %s: the server's CORS headers were lost: %v", q.method, q.target, corsOf(got.Header))
		}
		h.Reset()
	}
	if rules := h.layer.CORSRules("pm-static"); rules != nil {
		t.Errorf("CORSRules %+v learned while the behaviour was off", rules)
	}
	if n := h.layer.Refusals(); n != 0 {
		t.Errorf("Refusals %d, want 0", n)
	}
}

func TestCORSWithoutConfiguration(t *testing.T) {
	h := newCORSHarness(t)

	for _, target := range []string{"/pm-static/app.js", "/pm-static"} {
		got := h.preflight(t, target, siteOrigin, http.MethodGet)
		h.expectPreflightRefused(t, got, msgCORSOff, http.MethodGet, "BUCKET")
	}
	got := h.cross(t, http.MethodOptions, "/pm-static/app.js", siteOrigin)
	h.expectPreflightRefused(t, got, msgCORSOff, http.MethodOptions, "BUCKET")
	got = h.preflight(t, "/pm-static/app.js", "", http.MethodGet)
	h.expectRefused(t, got, http.StatusBadRequest, "BadRequest")
	if !strings.Contains(string(got.Body), "<Message>"+msgNoOrigin+"</Message>") {
		t.Errorf("body %s", got.Body)
	}

	// The request itself is served, without a CORS header or the server's Vary: Origin.
	got = h.cross(t, http.MethodGet, "/pm-static/app.js", siteOrigin)
	h.ExpectForwarded(t, got, http.StatusOK)
	if string(got.Body) != upstreamObject {
		t.Errorf("body %q, want the server's", got.Body)
	}
	expectCORS(t, got, nil)
	got = h.cross(t, http.MethodGet, "/pm-static/app.js", "")
	h.ExpectForwarded(t, got, http.StatusOK)
	expectCORS(t, got, nil)
	if n := h.layer.Refusals(); n != 4 {
		t.Errorf("Refusals %d, want the 4 preflights", n)
	}
}

func TestCORSRuleForAnOrigin(t *testing.T) {
	h := newCORSHarness(t)
	h.putCORS(t, "pm-static", corsRuleBody("ID", "site", "AllowedOrigin", siteOrigin, "AllowedMethod", "GET", "AllowedMethod", "HEAD",
		"MaxAgeSeconds", "3000", "ExposeHeader", "ETag", "ExposeHeader", "x-amz-version-id"))
	age := 3000
	want := []CORSRule{{ID: "site", AllowedOrigins: []string{siteOrigin}, AllowedMethods: []string{"GET", "HEAD"},
		ExposeHeaders: []string{"ETag", "x-amz-version-id"}, MaxAgeSeconds: &age}}
	if got := h.layer.CORSRules("pm-static"); !reflect.DeepEqual(got, want) {
		t.Errorf("CORSRules %+v, want %+v", got, want)
	}
	grant := allowed(siteOrigin, "GET, HEAD", "Access-Control-Max-Age", "3000", "Access-Control-Expose-Headers", "ETag, x-amz-version-id")

	t.Run("preflight", func(t *testing.T) {
		for _, target := range []string{"/pm-static/admin/css/base.css", "/pm-static", "/pm-static/big.bin?partNumber=1&uploadId=u"} {
			got := h.preflight(t, target, siteOrigin, http.MethodGet)
			h.ExpectAnswered(t, got, http.StatusOK)
			expectCORS(t, got, grant)
			if len(got.Body) != 0 || got.Header.Get("X-Amz-Request-Id") == "" {
				t.Errorf("%s: body %q, request id %q", target, got.Body, got.Header.Get("X-Amz-Request-Id"))
			}
		}
		h.expectPreflightRefused(t, h.preflight(t, "/pm-static/a.css", otherOrigin, http.MethodGet), msgNotAllowed, "GET", "OBJECT")
		h.expectPreflightRefused(t, h.preflight(t, "/pm-static", otherOrigin, http.MethodGet), msgNotAllowed, "GET", "BUCKET")
		// The method must be allowed.
		h.expectPreflightRefused(t, h.preflight(t, "/pm-static/a.css", siteOrigin, http.MethodPut), msgNotAllowed, "PUT", "OBJECT")
		// Without a method S3 can judge.
		for method, message := range map[string]string{"": "null", "PATCH": "PATCH"} {
			got := h.preflight(t, "/pm-static/a.css", siteOrigin, method)
			h.expectRefused(t, got, http.StatusBadRequest, "BadRequest")
			if !strings.Contains(string(got.Body), "Invalid Access-Control-Request-Method: "+message) {
				t.Errorf("body %s", got.Body)
			}
		}
	})

	t.Run("actual requests", func(t *testing.T) {
		got := h.cross(t, http.MethodGet, "/pm-static/admin/css/base.css", siteOrigin)
		h.ExpectForwarded(t, got, http.StatusOK)
		expectCORS(t, got, grant)
		if string(got.Body) != upstreamObject {
			t.Errorf("body %q, want the server's", got.Body)
		}
		got = h.cross(t, http.MethodHead, "/pm-static/admin/css/base.css", siteOrigin)
		h.ExpectForwarded(t, got, http.StatusOK)
		expectCORS(t, got, grant)
		// Errors carry them too.
		got = h.cross(t, http.MethodGet, "/pm-static?tagging", siteOrigin)
		h.ExpectForwarded(t, got, http.StatusNotFound)
		expectCORS(t, got, grant)

		// Another origin, a method the rule does not allow, or preflight headers the rule refuses: served,
		// without CORS headers.
		for _, q := range []struct {
			method, origin string
			kv             []string
		}{
			{http.MethodGet, otherOrigin, nil},
			{http.MethodPut, siteOrigin, nil},
			{http.MethodGet, siteOrigin, []string{"Access-Control-Request-Method", "PUT"}},
			{http.MethodGet, siteOrigin, []string{"Access-Control-Request-Headers", "x-amz-request-payer"}},
		} {
			got := h.cross(t, q.method, "/pm-static/a.css", q.origin, q.kv...)
			h.ExpectForwarded(t, got, http.StatusOK)
			expectCORS(t, got, nil)
		}
		// A request that is not cross-origin gets no CORS headers, whatever the server sends.
		got = h.do(t, http.MethodGet, "/pm-static/a.css", "")
		h.ExpectForwarded(t, got, http.StatusOK)
		expectCORS(t, got, nil)
	})

	t.Run("another bucket", func(t *testing.T) {
		h.expectPreflightRefused(t, h.preflight(t, "/pm-media/a.jpg", siteOrigin, http.MethodGet), msgCORSOff, "GET", "BUCKET")
		got := h.cross(t, http.MethodGet, "/pm-media/a.jpg", siteOrigin)
		h.ExpectForwarded(t, got, http.StatusOK)
		expectCORS(t, got, nil)
	})
}

func TestCORSWildcardOrigins(t *testing.T) {
	h := newCORSHarness(t)
	h.putCORS(t, "pm-static", corsRuleBody("AllowedOrigin", "*", "AllowedMethod", "GET"))
	h.putCORS(t, "pm-media", corsRuleBody("AllowedOrigin", "https://*.shop.example", "AllowedMethod", "GET"))

	// Every origin, answered with * and no credentials.
	for _, origin := range []string{siteOrigin, "http://localhost:8000", "null"} {
		got := h.preflight(t, "/pm-static/a.css", origin, http.MethodGet)
		h.ExpectAnswered(t, got, http.StatusOK)
		expectCORS(t, got, allowed("*", "GET"))
		got = h.cross(t, http.MethodGet, "/pm-static/a.css", origin)
		h.ExpectForwarded(t, got, http.StatusOK)
		expectCORS(t, got, allowed("*", "GET"))
	}

	for origin, ok := range map[string]bool{
		"https://admin.shop.example":   true,
		"https://a.b.shop.example":     true,
		"https://shop.example":         false,
		"http://admin.shop.example":    false,
		"https://admin.shop.example/":  false,
		"https://admin.shop.example.x": false,
	} {
		got := h.preflight(t, "/pm-media/a.jpg", origin, http.MethodGet)
		if !ok {
			h.expectPreflightRefused(t, got, msgNotAllowed, "GET", "OBJECT")
			continue
		}
		h.ExpectAnswered(t, got, http.StatusOK)
		expectCORS(t, got, allowed(origin, "GET"))
	}
}

func TestCORSRequestHeaders(t *testing.T) {
	h := newCORSHarness(t)
	h.putCORS(t, "pm-media",
		corsRuleBody("AllowedOrigin", "https://a.example", "AllowedMethod", "PUT", "AllowedHeader", "x-amz-*", "AllowedHeader", "Content-Type"),
		corsRuleBody("AllowedOrigin", "https://b.example", "AllowedMethod", "PUT", "AllowedHeader", "*"),
		corsRuleBody("AllowedOrigin", "https://c.example", "AllowedMethod", "PUT"))

	for _, tc := range []struct {
		origin  string
		headers []string
		allowed string // the answer's Access-Control-Allow-Headers; "-" = refused
	}{
		{"https://a.example", []string{"Content-Type", "X-Amz-Meta-Name"}, "content-type, x-amz-meta-name"},
		{"https://a.example", []string{"x-amz-checksum-crc32 , content-type"}, "x-amz-checksum-crc32, content-type"},
		{"https://a.example", []string{"content-type", "authorization"}, "-"},
		{"https://a.example", []string{"x-amzfoo"}, "-"},
		{"https://b.example", []string{"Authorization", "X-Anything"}, "authorization, x-anything"},
		{"https://c.example", []string{"content-type"}, "-"},
		{"https://c.example", nil, ""},
	} {
		got := h.preflight(t, "/pm-media/upload.jpg", tc.origin, http.MethodPut, tc.headers...)
		if tc.allowed == "-" {
			h.expectPreflightRefused(t, got, msgNotAllowed, "PUT", "OBJECT")
			continue
		}
		h.ExpectAnswered(t, got, http.StatusOK)
		want := allowed(tc.origin, "PUT")
		if tc.allowed != "" {
			want.Set("Access-Control-Allow-Headers", tc.allowed)
		}
		expectCORS(t, got, want)
	}
}

func TestCORSFirstMatchingRuleWins(t *testing.T) {
	h := newCORSHarness(t)
	h.putCORS(t, "pm-media",
		corsRuleBody("AllowedOrigin", siteOrigin, "AllowedMethod", "GET", "MaxAgeSeconds", "100"),
		corsRuleBody("AllowedOrigin", "*", "AllowedMethod", "GET", "AllowedMethod", "PUT", "MaxAgeSeconds", "200", "ExposeHeader", "ETag"),
		corsRuleBody("AllowedOrigin", siteOrigin, "AllowedMethod", "PUT", "MaxAgeSeconds", "300"))

	for _, tc := range []struct {
		origin, method string
		want           http.Header
	}{
		{siteOrigin, http.MethodGet, allowed(siteOrigin, "GET", "Access-Control-Max-Age", "100")},
		// The first rule does not allow PUT: the second answers, before the third that names the origin.
		{siteOrigin, http.MethodPut, allowed("*", "GET, PUT", "Access-Control-Max-Age", "200", "Access-Control-Expose-Headers", "ETag")},
		{otherOrigin, http.MethodGet, allowed("*", "GET, PUT", "Access-Control-Max-Age", "200", "Access-Control-Expose-Headers", "ETag")},
	} {
		got := h.preflight(t, "/pm-media/a.jpg", tc.origin, tc.method)
		h.ExpectAnswered(t, got, http.StatusOK)
		expectCORS(t, got, tc.want)
		got = h.cross(t, tc.method, "/pm-media/a.jpg", tc.origin)
		h.ExpectForwarded(t, got, http.StatusOK)
		expectCORS(t, got, tc.want)
	}
}

func TestCORSConfigurationLifecycle(t *testing.T) {
	h := newCORSHarness(t)
	rule := corsRuleBody("AllowedOrigin", siteOrigin, "AllowedMethod", "GET")
	refuse := func(status int, code string) {
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, "<Error><Code>"+code+"</Code></Error>")
		})
	}
	granted := func(bucket string) bool {
		t.Helper()
		got := h.preflight(t, "/"+bucket+"/a.css", siteOrigin, http.MethodGet)
		h.Reset()
		return got.Status == http.StatusOK
	}

	h.putCORS(t, "pm-static", rule)
	if !granted("pm-static") {
		t.Fatal("no grant after PutBucketCors")
	}
	// The server refuses a put or a delete: nothing changes.
	refuse(http.StatusBadRequest, "MalformedXML")
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?cors", corsBody(corsRuleBody("AllowedOrigin", otherOrigin, "AllowedMethod", "GET"))), http.StatusBadRequest)
	refuse(http.StatusForbidden, "AccessDenied")
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-static?cors", ""), http.StatusForbidden)
	h.SetAnswer(answerWithCORS)
	if !granted("pm-static") || len(h.layer.CORSRules("pm-static")) != 1 || h.layer.CORSRules("pm-static")[0].AllowedOrigins[0] != siteOrigin {
		t.Errorf("rules %+v after refused changes", h.layer.CORSRules("pm-static"))
	}

	// DeleteBucketCors forgets.
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-static?cors", ""), http.StatusOK)
	if granted("pm-static") || h.layer.CORSRules("pm-static") != nil {
		t.Error("a grant after DeleteBucketCors")
	}

	// DeleteBucket forgets, and a bucket created anew starts without.
	h.putCORS(t, "pm-static", rule)
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-static", ""), http.StatusNoContent)
	if granted("pm-static") {
		t.Error("a grant after DeleteBucket")
	}
	h.putCORS(t, "pm-static", rule)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static", ""), http.StatusOK)
	if granted("pm-static") {
		t.Error("a grant on a bucket created anew")
	}

	// A document the layer cannot read, that the server accepts, grants nothing.
	h.putCORS(t, "pm-static", rule)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?cors", "<CORSConfiguration"), http.StatusOK)
	if granted("pm-static") {
		t.Error("a grant after an unreadable configuration")
	}

	// The body reaches the server as sent.
	body := corsBody(rule)
	h.do(t, http.MethodPut, "/pm-static?cors", body)
	if seen := h.UpstreamSaw(); len(seen) != 1 || string(seen[0].Body) != body || seen[0].ContentLength != int64(len(body)) {
		t.Errorf("the upstream saw %+v", seen)
	}
}

func TestCORSServerHeadersStripped(t *testing.T) {
	h := newCORSHarness(t)
	h.putCORS(t, "pm-static", corsRuleBody("AllowedOrigin", siteOrigin, "AllowedMethod", "GET", "ExposeHeader", "ETag"))
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["access-control-allow-origin"] = []string{"*"} // not canonical: a server may write it so
		w.Header().Add("Vary", "Accept-Encoding, Origin")
		w.Header().Add("Vary", "access-control-request-headers")
		answerWithCORS(w, r)
	})
	want := allowed(siteOrigin, "GET", "Access-Control-Expose-Headers", "ETag")
	want["Vary"] = []string{"Accept-Encoding", corsVary}
	got := h.cross(t, http.MethodGet, "/pm-static/a.css", siteOrigin)
	h.ExpectForwarded(t, got, http.StatusOK)
	expectCORS(t, got, want)

	got = h.cross(t, http.MethodGet, "/pm-static/a.css", "")
	h.ExpectForwarded(t, got, http.StatusOK)
	expectCORS(t, got, http.Header{"Vary": {"Accept-Encoding"}})

	// Service-level answers have no CORS either.
	got = h.cross(t, http.MethodGet, "/", siteOrigin)
	h.ExpectForwarded(t, got, http.StatusOK)
	expectCORS(t, got, http.Header{"Vary": {"Accept-Encoding"}})
}

func TestCORSOnTheLayersOwnAnswers(t *testing.T) {
	h := newCORSHarness(t)
	h.layer.SetSystemTags("pm-cfn", stackTags)
	h.putCORS(t, "pm-cfn", corsRuleBody("AllowedOrigin", siteOrigin, "AllowedMethod", "PUT"))
	got := h.send(t, request{method: http.MethodPut, target: "/pm-cfn?tagging", body: taggingBody("app", "shop"),
		header: signed("Origin", siteOrigin)})
	h.expectRefused(t, got, http.StatusBadRequest, "InvalidTag")
	expectCORS(t, got, allowed(siteOrigin, "PUT"))
}

func TestCORSPostObject(t *testing.T) {
	h := newCORSHarness(t)
	h.putCORS(t, "pm-media", corsRuleBody("AllowedOrigin", siteOrigin, "AllowedMethod", "POST", "AllowedHeader", "*"))
	got := h.preflight(t, "/pm-media", siteOrigin, http.MethodPost)
	h.ExpectAnswered(t, got, http.StatusOK)
	expectCORS(t, got, allowed(siteOrigin, "POST"))

	body := "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/a.jpg\r\n--b--\r\n"
	got = h.send(t, request{method: http.MethodPost, target: "/pm-media", body: body,
		header: http.Header{"Origin": {siteOrigin}, "Content-Type": {"multipart/form-data; boundary=b"}}})
	seen := h.UpstreamSaw()
	h.ExpectForwarded(t, got, http.StatusOK)
	expectCORS(t, got, allowed(siteOrigin, "POST"))
	if len(seen) != 1 || string(seen[0].Body) != body {
		t.Errorf("the upstream saw %+v", seen)
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"*", "", true},
		{"x-amz-*", "x-amz-", true},
		{"x-amz-*", "x-amz-date", true},
		{"x-amz-*", "x-amzdate", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"*b*", "abc", true},
		{"a*b*c", "acb", false},
		{"a*b*c", "abbc", true},
	} {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// TestCORSConcurrentUse puts, deletes and evaluates configurations at once, for the race detector.
func TestCORSConcurrentUse(t *testing.T) {
	h := newCORSHarness(t)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 4 {
		wg.Go(func() {
			bucket := "/pm-c-" + string(rune('a'+i))
			for range 4 {
				for _, q := range []request{
					{method: http.MethodPut, target: bucket + "?cors", header: signed(), body: corsBody(corsRuleBody("AllowedOrigin", "*", "AllowedMethod", "GET"))},
					{method: http.MethodOptions, target: bucket + "/a", header: http.Header{"Origin": {siteOrigin}, "Access-Control-Request-Method": {"GET"}}},
					{method: http.MethodGet, target: bucket + "/a", header: http.Header{"Origin": {siteOrigin}}},
					{method: http.MethodDelete, target: bucket + "?cors", header: signed()},
				} {
					var body io.Reader
					if q.body != "" {
						body = strings.NewReader(q.body)
					}
					got, err := h.Send(q.method, q.target, q.header, body)
					switch {
					case err != nil:
						errs <- err.Error()
					case got.Status != http.StatusOK:
						errs <- q.method + " " + q.target + ": " + string(got.Body)
					case q.method != http.MethodPut && q.method != http.MethodDelete && got.Header.Get("Access-Control-Allow-Origin") != "*":
						errs <- q.method + " " + q.target + ": no grant"
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for _, b := range []string{"pm-c-a", "pm-c-b", "pm-c-c", "pm-c-d"} {
		if rules := h.layer.CORSRules(b); rules != nil {
			t.Errorf("%s kept rules %+v after its delete", b, rules)
		}
	}
}
