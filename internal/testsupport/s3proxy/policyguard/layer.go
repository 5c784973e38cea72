// Package policyguard is test infrastructure: an s3proxy semantics layer that adds the part of Amazon S3's
// bucket policies a local S3 server lacks for the provider's guard statement: an explicit Deny for every
// principal except those an ArnNotLike condition on aws:PrincipalArn exempts. SeaweedFS refuses such a
// policy (400 InvalidPolicyDocument, "unsupported condition operator ArnNotLike") and never evaluates
// aws:PrincipalArn. With the layer in front, a test sees what it would see on AWS:
//
//   - PutBucketPolicy with a statement whose Condition uses ArnLike, ArnEquals, ArnNotLike or
//     ArnNotEquals on aws:PrincipalArn is stored by the layer, per bucket, and answered 204 without
//     reaching the server. Any other policy is forwarded, and once the server accepts it the layer
//     forgets the bucket's stored one: the server's policy is the bucket's policy again.
//   - GetBucketPolicy on a bucket with a stored policy answers it; DeleteBucketPolicy and DeleteBucket
//     are forwarded and forget it once they succeed (DeleteBucketPolicy also when the server has no
//     policy: from the client's view the stored one existed, so the answer is 204).
//   - Every request on a bucket with a stored policy is checked against its Deny statements: the action
//     the request needs (s3:DeleteObjectVersion for DeleteObject with versionId, s3:PutLifecycleConfiguration
//     for DeleteBucketLifecycle, one check per object for DeleteObjects, ...), the bucket or object ARN,
//     and the principal ARN of the access key that signed it (New's map; an unknown key has none, which
//     no exemption matches). A matching Deny answers 403 AccessDenied, and the request never reaches the
//     server. Allow statements are ignored: what is allowed stays the server's decision.
//
// Conditions: the ARN operators on aws:PrincipalArn (with * and ? wildcards per ARN part, as IAM) and
// Bool on aws:SecureTransport (the proxy serves HTTPS, so "false" never holds) are evaluated; any other
// condition, NotPrincipal, NotAction and NotResource make their statement not apply. A test relying on
// one of those sees its request pass, and fails loudly rather than passing by accident.
//
// What it does not model: the server keeps enforcing whatever policy it held before a guard policy was
// stored (the layer cannot sign a request to delete it); a guard policy is stored even for a bucket that
// does not exist; a denied object in DeleteObjects refuses the whole request with 403, where S3 answers
// 200 with a per-key AccessDenied; and the bucket owner's root user, whom AWS always lets manage the
// bucket policy, does not exist on SeaweedFS.
//
// Allowed requests are forwarded unchanged: the layer reads a body only to put the same bytes back, so the
// client's SigV4 signature stays valid.
package policyguard

import (
	"encoding/xml"
	"maps"
	"net/http"
	"strconv"
	"sync"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// Layer adds the guard statements of bucket policies; safe for concurrent use.
type Layer struct {
	mu         sync.Mutex
	principals map[string]string       // access key ID -> principal ARN
	stored     map[string]storedPolicy // per bucket
	locks      s3proxy.BucketLocks     // per bucket: requests that check state and then change it
	refused    s3proxy.Refusals
}

// storedPolicy is a policy the layer keeps for the server: the document as the client sent it, and parsed.
type storedPolicy struct {
	doc    []byte
	policy *policy
}

// New returns a layer that takes requests signed with an access key ID in principals to come from the
// principal ARN it maps to. SeaweedFS names its identities arn:aws:iam::000000000000:user/<name>; its admin
// from the environment is user/admin-<first 8 characters of the access key>.
func New(principals map[string]string) *Layer {
	l := &Layer{
		principals: make(map[string]string),
		stored:     make(map[string]storedPolicy),
	}
	maps.Copy(l.principals, principals)
	return l
}

// SetPrincipal tells the layer that accessKey belongs to principalARN, for a key known only once the
// server runs (the admin key testenv generates, say).
func (l *Layer) SetPrincipal(accessKey, principalARN string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.principals[accessKey] = principalARN
}

func (l *Layer) principalOf(accessKey string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.principals[accessKey]
}

// Semantics returns the layer as an s3proxy semantics hook, for s3proxy.WithSemantics or s3proxy.Chain.
func (l *Layer) Semantics() s3proxy.Semantics {
	return l.serve
}

// Policy returns the guard policy the layer stores for bucket, as the client sent it.
func (l *Layer) Policy(bucket string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.stored[bucket]
	return string(s.doc), ok
}

// Refusals reports how many requests the layer answered with an error itself instead of forwarding them.
func (l *Layer) Refusals() int { return l.refused.Count() }

func (l *Layer) lookup(bucket string) (storedPolicy, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.stored[bucket]
	return s, ok
}

func (l *Layer) store(bucket string, s storedPolicy) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stored[bucket] = s
}

func (l *Layer) forget(bucket string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.stored, bucket)
}

func (l *Layer) serve(w http.ResponseWriter, r *http.Request, op s3proxy.Operation, next http.Handler) {
	if op.Bucket == "" {
		next.ServeHTTP(w, r)
		return
	}
	switch op.Name {
	case "PutBucketPolicy", "DeleteBucketPolicy", "DeleteBucket":
		unlock := l.locks.Lock(op.Bucket)
		defer unlock()
	}
	if stored, ok := l.lookup(op.Bucket); ok {
		if refusal := l.enforce(stored.policy, r, op); refusal != nil {
			l.refused.Refuse(w, r, refusal)
			return
		}
	}
	switch op.Name {
	case "PutBucketPolicy":
		l.putBucketPolicy(w, r, op.Bucket, next)
	case "GetBucketPolicy":
		l.getBucketPolicy(w, r, op.Bucket, next)
	case "DeleteBucketPolicy":
		l.deleteBucketPolicy(w, r, op.Bucket, next)
	case "DeleteBucket":
		s3proxy.ForwardThen(w, r, next, func() { l.forget(op.Bucket) })
	default:
		next.ServeHTTP(w, r)
	}
}

// enforce returns AccessDenied when a Deny statement of p covers r, nil when none does.
func (l *Layer) enforce(p *policy, r *http.Request, op s3proxy.Operation) *s3proxy.Error {
	var body []byte
	if op.Name == "DeleteObjects" {
		var refusal *s3proxy.Error
		if body, refusal = s3proxy.ReadBody(r); refusal != nil {
			return refusal
		}
	}
	checks, err := checksOf(op, r, body)
	if err != nil {
		// Not knowing what it deletes, the layer cannot let it pass; S3 would refuse it too.
		return s3proxy.ErrMalformedXML
	}
	principal := l.principalOf(accessKeyOf(r))
	for _, c := range checks {
		if p.denies(request{principal: principal, action: c.action, resource: c.resource}) {
			return errAccessDenied
		}
	}
	return nil
}

// putBucketPolicy stores a guard policy itself and forwards any other.
func (l *Layer) putBucketPolicy(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	body, refusal := s3proxy.ReadBody(r)
	if refusal != nil {
		l.refused.Refuse(w, r, refusal)
		return
	}
	if p, err := parsePolicy(body); err == nil && p.isGuard() {
		l.store(bucket, storedPolicy{doc: body, policy: p})
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// Not a guard policy, or not one the layer can read: the server decides, as without the layer.
	s3proxy.ForwardThen(w, r, next, func() { l.forget(bucket) })
}

func (l *Layer) getBucketPolicy(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	stored, ok := l.lookup(bucket)
	if !ok {
		next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(stored.doc)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(stored.doc)
}

// deleteBucketPolicy forwards, so a policy the server holds goes too, and forgets the stored one once the
// server has none.
func (l *Layer) deleteBucketPolicy(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if _, ok := l.lookup(bucket); !ok {
		next.ServeHTTP(w, r)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	if buf.Status == 0 {
		buf.Status = http.StatusOK // the server wrote nothing at all
	}
	switch {
	case buf.Status/100 == 2:
		l.forget(bucket)
	case buf.Status == http.StatusNotFound && errorCode(buf.Body.Bytes()) == "NoSuchBucketPolicy":
		l.forget(bucket)
		h := w.Header()
		h.Del("Content-Type")
		h.Del("Content-Length")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(buf.Status)
	_, _ = w.Write(buf.Body.Bytes())
}

// errorCode returns the Code of an S3 error document, or "".
func errorCode(body []byte) string {
	var e struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
	}
	if xml.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Code
}

var errAccessDenied = &s3proxy.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
