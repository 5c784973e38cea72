package awsbehaviour

// Behaviour 8: cross-origin resource sharing (CORS) as Amazon S3 answers it, from the bucket's own CORS
// configuration and nothing else.
//
// Sources:
//   - "Cross-origin resource sharing (CORS)", section "How does Amazon S3 evaluate the CORS configuration
//     on a bucket?" (Amazon S3 User Guide): S3 uses the first CORSRule that matches; a rule matches when
//     the request's Origin matches one of its AllowedOrigin, the request's method (for a preflight, its
//     Access-Control-Request-Method) is one of its AllowedMethod, and every header named in
//     Access-Control-Request-Headers matches one of its AllowedHeader.
//   - "Elements of a CORS configuration" (same guide): AllowedMethod is GET, PUT, POST, DELETE or HEAD; an
//     AllowedOrigin may hold one * wildcard (http://*.example.com) or be * for every origin; an
//     AllowedHeader may hold one * (x-amz-* allows every x-amz- header); S3 "will send only the allowed
//     headers in a response that were requested"; ExposeHeader and MaxAgeSeconds become the answer's
//     Access-Control-Expose-Headers and Access-Control-Max-Age.
//   - "Appendix: OPTIONS object" (Amazon S3 API Reference): the preflight carries Origin,
//     Access-Control-Request-Method and optionally Access-Control-Request-Headers; a bucket without a cors
//     configuration answers 403 Forbidden; the answer's Access-Control-Allow-Origin is the request's
//     origin, and is left out when the origin is not allowed.
//
// What AWS documents nothing of is taken from answers recorded against Amazon S3 itself in LocalStack's
// AWS-validated tests (localstack/localstack, tests/aws/services/s3/test_s3_cors.py and its snapshot):
//   - A preflight without Origin answers 400 BadRequest "Insufficient information. Origin request header
//     needed."; one on a bucket without a configuration 403 AccessForbidden "CORSResponse: CORS is not
//     enabled for this bucket." with Method (the requested method, or OPTIONS) and ResourceType BUCKET; one
//     no rule matches 403 AccessForbidden "CORSResponse: This CORS request is not allowed. This is usually
//     because the evalution of Origin, request method / Access-Control-Request-Method or
//     Access-Control-Request-Headers are not whitelisted by the resource's CORS spec." (S3's spelling),
//     with Method and ResourceType OBJECT, or BUCKET for the bucket's own URL.
//   - A matching rule's answer, to a preflight (200, empty body) and to any other request alike:
//     Access-Control-Allow-Origin is the request's origin with Access-Control-Allow-Credentials: true, or
//     "*" without credentials when the rule allows every origin; Access-Control-Allow-Methods lists the
//     rule's methods; Access-Control-Allow-Headers the requested headers, in lower case; then
//     Access-Control-Expose-Headers, Access-Control-Max-Age, and Vary: Origin,
//     Access-Control-Request-Headers, Access-Control-Request-Method.
//   - A request that is not a preflight is still judged by Access-Control-Request-Method and
//     Access-Control-Request-Headers when it carries them; without Origin, or when no rule matches, its
//     answer has no CORS headers at all (no Vary either), and the request itself is served as usual.
//
// Chosen, where neither says: a preflight with Origin on a bucket with a configuration but without a valid
// Access-Control-Request-Method answers 400 BadRequest "Invalid Access-Control-Request-Method: <method or
// null>" (as one S3 emulator's tests claim S3 does); a rule with * among several origins counts as allowing
// every origin; origins compare case-sensitively, header names case-insensitively, and a * matches any run
// of characters, none included; a MaxAgeSeconds of 0 is sent as 0. A preflight is answered before the
// behaviours that check the caller (3, and the public access blocks): S3 does not authenticate it.
//
// The layer cannot ask the server for a configuration, so it learns it from the PutBucketCors requests that
// pass (the body is read with s3proxy.ReadBody and forwarded as sent; the rules count once the server
// accepted them) and forgets it on DeleteBucketCors and DeleteBucket; a bucket created through the proxy
// starts with none. A configuration the layer cannot read but the server accepted counts as none, so a
// test fails rather than passes on it. GetBucketCors is the server's.

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// CORSRule is one rule of a bucket's CORS configuration, as PutBucketCors sent it.
type CORSRule struct {
	ID             string
	AllowedOrigins []string
	AllowedMethods []string
	AllowedHeaders []string
	ExposeHeaders  []string
	MaxAgeSeconds  *int // nil: not set
}

// corsVary is the Vary header of every answer a rule matched.
const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// corsMethods are the methods a CORS rule may allow.
var corsMethods = []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead}

// The messages of S3's preflight refusals.
const (
	msgNoOrigin   = "Insufficient information. Origin request header needed."
	msgCORSOff    = "CORSResponse: CORS is not enabled for this bucket."
	msgNotAllowed = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, " +
		"request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
)

// EnableCORS switches behaviour 8 on: preflights are answered from the buckets' CORS configurations that
// pass through the layer from now on, and every other answer carries the CORS headers of the matching rule
// in place of the server's. Switch it on before the configurations are put.
func (l *Layer) EnableCORS() { l.switchOn(corsBehaviour) }

// CORSRules returns the CORS rules the layer knows bucket has, in order, or nil for none.
func (l *Layer) CORSRules(bucket string) []CORSRule {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[bucket]
	if !ok || b.cors == nil {
		return nil
	}
	rules := make([]CORSRule, len(b.cors))
	for i, r := range b.cors {
		rules[i] = r.clone()
	}
	return rules
}

func (r CORSRule) clone() CORSRule {
	r.AllowedOrigins = slices.Clone(r.AllowedOrigins)
	r.AllowedMethods = slices.Clone(r.AllowedMethods)
	r.AllowedHeaders = slices.Clone(r.AllowedHeaders)
	r.ExposeHeaders = slices.Clone(r.ExposeHeaders)
	if r.MaxAgeSeconds != nil {
		age := *r.MaxAgeSeconds
		r.MaxAgeSeconds = &age
	}
	return r
}

// setCORS records bucket's rules once the server accepted them; nil means none.
func (l *Layer) setCORS(bucket string, rules []CORSRule) {
	l.read(bucket, func(b *bucketState) { b.cors = rules })
}

// corsConfiguration is PutBucketCors's document, root CORSConfiguration.
type corsConfiguration struct {
	XMLName xml.Name
	Rules   []corsRuleXML `xml:"CORSRule"`
}

type corsRuleXML struct {
	ID             string   `xml:"ID"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

// parseCORS reads a CORSConfiguration document; a configuration has at least one rule.
func parseCORS(body []byte) ([]CORSRule, error) {
	var c corsConfiguration
	if err := xml.Unmarshal(body, &c); err != nil {
		return nil, err
	}
	if c.XMLName.Local != "CORSConfiguration" || len(c.Rules) == 0 {
		return nil, errUnexpectedRoot
	}
	rules := make([]CORSRule, len(c.Rules))
	for i, r := range c.Rules {
		rules[i] = CORSRule(r)
	}
	return rules, nil
}

// putBucketCors forwards the configuration as sent and learns it once the server accepted it.
func (l *Layer) putBucketCors(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(corsBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	body, ok := l.readBody(w, r)
	if !ok {
		return
	}
	rules, err := parseCORS(body)
	if err != nil {
		rules = nil // the server judges the document; if it takes it, the layer knows no rule
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	s3proxy.ForwardThen(w, r, next, func() { l.setCORS(bucket, rules) })
}

// deleteBucketCors forgets the configuration once the server deleted it.
func (l *Layer) deleteBucketCors(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(corsBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	s3proxy.ForwardThen(w, r, next, func() { l.setCORS(bucket, nil) })
}

// corsRequest is what CORS evaluation reads of a request.
type corsRequest struct {
	origin  string
	method  string   // Access-Control-Request-Method, else the request's method
	headers []string // Access-Control-Request-Headers, trimmed and in lower case
}

func readCORSRequest(r *http.Request) corsRequest {
	q := corsRequest{origin: r.Header.Get("Origin"), method: r.Method}
	if m := r.Header.Get("Access-Control-Request-Method"); m != "" {
		q.method = m
	}
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for h := range strings.SplitSeq(v, ",") {
			if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
				q.headers = append(q.headers, h)
			}
		}
	}
	return q
}

// match returns the first rule that allows q, or nil.
func match(rules []CORSRule, q corsRequest) *CORSRule {
	for i := range rules {
		if rules[i].allows(q) {
			return &rules[i]
		}
	}
	return nil
}

func (r *CORSRule) allows(q corsRequest) bool {
	if !slices.Contains(r.AllowedMethods, q.method) {
		return false
	}
	if !slices.ContainsFunc(r.AllowedOrigins, func(o string) bool { return wildcardMatch(o, q.origin) }) {
		return false
	}
	for _, h := range q.headers {
		if !slices.ContainsFunc(r.AllowedHeaders, func(a string) bool { return wildcardMatch(strings.ToLower(a), h) }) {
			return false
		}
	}
	return true
}

// anyOrigin reports whether the rule allows every origin.
func (r *CORSRule) anyOrigin() bool {
	return slices.Contains(r.AllowedOrigins, "*")
}

// wildcardMatch reports whether s matches pattern as a whole, where each * stands for any run of
// characters.
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// setHeaders adds the rule's answer to q to h.
func (r *CORSRule) setHeaders(h http.Header, q corsRequest) {
	if r.anyOrigin() {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", q.origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(q.headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(q.headers, ", "))
	}
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*r.MaxAgeSeconds))
	}
	h.Add("Vary", corsVary)
}

// stripCORS removes the CORS headers a server set, and the Vary entries it added for them.
func stripCORS(h http.Header) {
	for k := range h {
		if strings.HasPrefix(http.CanonicalHeaderKey(k), "Access-Control-") {
			delete(h, k)
		}
	}
	var vary []string
	for _, v := range h.Values("Vary") {
		for token := range strings.SplitSeq(v, ",") {
			token = strings.TrimSpace(token)
			if token != "" && !slices.ContainsFunc([]string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
				func(c string) bool { return strings.EqualFold(c, token) }) {
				vary = append(vary, token)
			}
		}
	}
	h.Del("Vary")
	if len(vary) > 0 {
		h.Set("Vary", strings.Join(vary, ", "))
	}
}

// corsError is S3's error document for a refused preflight.
type corsError struct {
	XMLName      xml.Name `xml:"Error"`
	Code         string   `xml:"Code"`
	Message      string   `xml:"Message"`
	Method       string   `xml:"Method,omitempty"`
	ResourceType string   `xml:"ResourceType,omitempty"`
	RequestID    string   `xml:"RequestId"`
	HostID       string   `xml:"HostId"`
}

// refuseCORS answers a preflight with an error and counts it.
func (l *Layer) refuseCORS(w http.ResponseWriter, status int, e corsError) {
	l.refused.Add()
	id := requestID()
	e.RequestID, e.HostID = id, id
	w.Header().Set("X-Amz-Request-Id", id)
	w.Header().Set("X-Amz-Id-2", id)
	writeXML(w, status, e)
}

// preflight answers an OPTIONS request from the bucket's rules; it never reaches the server.
func (l *Layer) preflight(w http.ResponseWriter, r *http.Request, op s3proxy.Operation) {
	q := readCORSRequest(r)
	requested := r.Header.Get("Access-Control-Request-Method")
	method := requested
	if method == "" {
		method = http.MethodOptions
	}
	resource := "OBJECT"
	if op.Key == "" {
		resource = "BUCKET"
	}
	rules := l.CORSRules(op.Bucket)
	switch {
	case q.origin == "":
		l.refuseCORS(w, http.StatusBadRequest, corsError{Code: "BadRequest", Message: msgNoOrigin})
		return
	case rules == nil:
		l.refuseCORS(w, http.StatusForbidden, corsError{Code: "AccessForbidden", Message: msgCORSOff, Method: method, ResourceType: "BUCKET"})
		return
	case !slices.Contains(corsMethods, requested):
		if requested == "" {
			requested = "null"
		}
		l.refuseCORS(w, http.StatusBadRequest, corsError{Code: "BadRequest", Message: "Invalid Access-Control-Request-Method: " + requested})
		return
	}
	rule := match(rules, q)
	if rule == nil {
		l.refuseCORS(w, http.StatusForbidden, corsError{Code: "AccessForbidden", Message: msgNotAllowed, Method: method, ResourceType: resource})
		return
	}
	id := requestID()
	h := w.Header()
	h.Set("X-Amz-Request-Id", id)
	h.Set("X-Amz-Id-2", id)
	h.Set("Content-Length", "0")
	rule.setHeaders(h, q)
	w.WriteHeader(http.StatusOK)
}

// answerCORS returns w rewriting the answer's CORS headers to the ones bucket's matching rule gives r:
// none without an Origin, a configuration or a matching rule. The body streams through untouched.
func (l *Layer) answerCORS(w http.ResponseWriter, r *http.Request, bucket string) http.ResponseWriter {
	q := readCORSRequest(r)
	var rule *CORSRule
	if q.origin != "" && bucket != "" {
		rule = match(l.CORSRules(bucket), q)
	}
	return &s3proxy.StatusHook{ResponseWriter: w, OnStatus: func(int) {
		h := w.Header()
		stripCORS(h)
		if rule != nil {
			rule.setHeaders(h, q)
		}
	}}
}
