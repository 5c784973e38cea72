// Package mfadelete is test infrastructure: an s3proxy semantics layer that adds Amazon S3's MFA Delete
// to a local S3 server, which neither stores nor enforces it. With the layer in front, a test sees what
// it would see on AWS:
//
//   - PutBucketVersioning that sets MfaDelete to Enabled, and once MFA Delete is enabled every
//     PutBucketVersioning, needs a valid x-amz-mfa header ("<device serial> <6-digit TOTP code>").
//     Setting Disabled while MFA Delete is not enabled needs none; AWS has always accepted that (the AWS
//     provider's aws_s3_bucket sent MfaDelete=Disabled without a header for years).
//   - Once enabled, deleting an object version (DeleteObject with versionId, DeleteObjects listing a
//     VersionId) needs the header; a plain DeleteObject, which only lays a delete marker, does not.
//   - MFA Delete and a lifecycle configuration exclude each other: 409 InvalidBucketState either way.
//   - GetBucketVersioning reports MfaDelete once the bucket has been configured with it.
//
// A refused request never reaches the server. An allowed one is forwarded unchanged: the layer reads a
// body only to put the same bytes back, so the client's SigV4 signature stays valid.
//
// What SeaweedFS does with the forwarded requests (checked against the release the tests use): it answers
// PutBucketVersioning carrying <MfaDelete> and x-amz-mfa with 200, applies Status and silently drops
// MfaDelete; its GetBucketVersioning never reports MfaDelete; and it ignores x-amz-mfa on deletes. So the
// requests pass unchanged, and the MFA Delete state lives here.
//
// The state is what passed through the layer: it cannot ask the server whether a bucket has a lifecycle
// configuration (it cannot sign requests), so it records PutBucketLifecycleConfiguration and
// DeleteBucketLifecycle successes, and tests mark out-of-band changes with SetEnabled and SetHasLifecycle.
package mfadelete

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3proxy"
)

// maxInspectedBody caps the bodies the layer reads. The largest it reads is a DeleteObjects list of
// 1000 keys, each at most 1024 bytes, plus version IDs and markup: well under this.
const maxInspectedBody = 4 << 20

// Layer adds AWS's MFA Delete semantics; safe for concurrent use.
type Layer struct {
	serial string
	secret []byte
	now    func() time.Time

	mu       sync.Mutex
	buckets  map[string]bucketState
	locks    map[string]*sync.Mutex // per bucket, never removed; see lockBucket
	refusals int
}

// bucketState is what the layer knows of one bucket. The zero value is a bucket it knows nothing of.
type bucketState struct {
	configured bool // MfaDelete was ever set: GetBucketVersioning reports it from then on
	enabled    bool
	lifecycle  bool // the bucket has a lifecycle configuration
}

// New returns a layer accepting codes for the device serial, generated from secret, at the time now()
// returns (nil = time.Now).
func New(serial string, secret []byte, now func() time.Time) *Layer {
	if now == nil {
		now = time.Now
	}
	return &Layer{
		serial:  serial,
		secret:  bytes.Clone(secret),
		now:     now,
		buckets: make(map[string]bucketState),
		locks:   make(map[string]*sync.Mutex),
	}
}

// Semantics returns the layer as an s3proxy semantics hook: install it with
// s3proxy.New(target, transport, s3proxy.WithSemantics(l.Semantics())).
func (l *Layer) Semantics() s3proxy.Semantics {
	return l.serve
}

// Enabled reports whether MFA Delete is enabled on bucket, as the layer stores it.
func (l *Layer) Enabled(bucket string) bool {
	return l.state(bucket).enabled
}

// SetEnabled sets MFA Delete on bucket as if a PutBucketVersioning with MfaDelete had succeeded out of
// band: from then on GetBucketVersioning reports it, Enabled or Disabled.
func (l *Layer) SetEnabled(bucket string, on bool) {
	l.update(bucket, func(s *bucketState) { s.configured, s.enabled = true, on })
}

// SetHasLifecycle records whether bucket has a lifecycle configuration, for one made out of band.
func (l *Layer) SetHasLifecycle(bucket string, has bool) {
	l.update(bucket, func(s *bucketState) { s.lifecycle = has })
}

// Refusals reports how many requests the layer answered with an error itself instead of forwarding them.
func (l *Layer) Refusals() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refusals
}

func (l *Layer) state(bucket string) bucketState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buckets[bucket]
}

func (l *Layer) update(bucket string, change func(*bucketState)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buckets[bucket]
	change(&s)
	if s == (bucketState{}) {
		delete(l.buckets, bucket)
		return
	}
	l.buckets[bucket] = s
}

// lockBucket serializes the requests that check a bucket's state and then change it (versioning,
// lifecycle, deleting the bucket), so that two of them cannot both pass a check that only one of them
// should: enabling MFA Delete and putting a lifecycle configuration at once, say. The mutexes are kept
// for good, so a goroutine waiting on one never finds it replaced; a test makes few buckets.
func (l *Layer) lockBucket(bucket string) (unlock func()) {
	l.mu.Lock()
	m, ok := l.locks[bucket]
	if !ok {
		m = new(sync.Mutex)
		l.locks[bucket] = m
	}
	l.mu.Unlock()
	m.Lock()
	return m.Unlock
}

func (l *Layer) serve(w http.ResponseWriter, r *http.Request, op s3proxy.Operation, next http.Handler) {
	switch op.Name {
	case "PutBucketVersioning":
		l.putBucketVersioning(w, r, op.Bucket, next)
	case "GetBucketVersioning":
		l.getBucketVersioning(w, r, op.Bucket, next)
	case "DeleteObject":
		l.deleteObject(w, r, op.Bucket, next)
	case "DeleteObjects":
		l.deleteObjects(w, r, op.Bucket, next)
	case "PutBucketLifecycleConfiguration":
		l.putBucketLifecycle(w, r, op.Bucket, next)
	case "DeleteBucketLifecycle":
		unlock := l.lockBucket(op.Bucket)
		defer unlock()
		forward(w, r, next, func() { l.update(op.Bucket, func(s *bucketState) { s.lifecycle = false }) })
	case "DeleteBucket":
		unlock := l.lockBucket(op.Bucket)
		defer unlock()
		forward(w, r, next, func() { l.update(op.Bucket, func(s *bucketState) { *s = bucketState{} }) })
	default:
		next.ServeHTTP(w, r)
	}
}

// putBucketVersioning enforces the MFA rules for changing the versioning configuration and records the
// MfaDelete the server accepted. A request without MfaDelete leaves MFA Delete as it was.
func (l *Layer) putBucketVersioning(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	unlock := l.lockBucket(bucket)
	defer unlock()
	body, refusal := readBody(r)
	if refusal != nil {
		l.refuse(w, r, refusal)
		return
	}
	conf, err := parseVersioningConfiguration(body)
	if err != nil {
		l.refuse(w, r, errMalformedXML)
		return
	}
	s := l.state(bucket)
	if s.enabled || conf.MfaDelete == mfaDeleteEnabled {
		if refusal := l.authenticate(r.Header); refusal != nil {
			l.refuse(w, r, refusal)
			return
		}
	}
	if conf.MfaDelete == mfaDeleteEnabled && s.lifecycle {
		l.refuse(w, r, &s3Error{http.StatusConflict, "InvalidBucketState",
			"MFA Delete cannot be enabled on a bucket with a lifecycle configuration."})
		return
	}
	if conf.MfaDelete == "" {
		next.ServeHTTP(w, r)
		return
	}
	on := conf.MfaDelete == mfaDeleteEnabled
	forward(w, r, next, func() { l.SetEnabled(bucket, on) })
}

// getBucketVersioning adds MfaDelete to a successful answer once the bucket has been configured with it.
func (l *Layer) getBucketVersioning(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.state(bucket).configured {
		next.ServeHTTP(w, r)
		return
	}
	buf := &bufferedResponse{header: w.Header()}
	next.ServeHTTP(buf, r)
	body := buf.body.Bytes()
	// The state is read after the server answered, so the answer is as fresh as the server's.
	if s := l.state(bucket); s.configured && buf.status/100 == 2 && w.Header().Get("Content-Encoding") == "" {
		if rewritten, err := withMfaDelete(body, s.enabled); err == nil {
			body = rewritten
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(body)
}

// deleteObject needs MFA for deleting a version once MFA Delete is enabled; without versionId it only
// lays a delete marker, which needs none.
func (l *Layer) deleteObject(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if l.Enabled(bucket) && r.URL.Query().Has("versionId") {
		if refusal := l.authenticate(r.Header); refusal != nil {
			l.refuse(w, r, refusal)
			return
		}
	}
	next.ServeHTTP(w, r)
}

// deleteObjects needs MFA, once MFA Delete is enabled, when the list names any version.
func (l *Layer) deleteObjects(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.Enabled(bucket) {
		next.ServeHTTP(w, r)
		return
	}
	body, refusal := readBody(r)
	if refusal != nil {
		l.refuse(w, r, refusal)
		return
	}
	versions, err := deletesVersions(body)
	if err != nil {
		// Not knowing what it deletes, the layer cannot let it pass; S3 would refuse it too.
		l.refuse(w, r, errMalformedXML)
		return
	}
	if versions {
		if refusal := l.authenticate(r.Header); refusal != nil {
			l.refuse(w, r, refusal)
			return
		}
	}
	next.ServeHTTP(w, r)
}

func (l *Layer) putBucketLifecycle(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	unlock := l.lockBucket(bucket)
	defer unlock()
	if l.Enabled(bucket) {
		l.refuse(w, r, &s3Error{http.StatusConflict, "InvalidBucketState",
			"A lifecycle configuration cannot be set on a bucket with MFA Delete enabled."})
		return
	}
	forward(w, r, next, func() { l.SetHasLifecycle(bucket, true) })
}

// forward passes r to next and calls onSuccess if the server answers 2xx, before the answer goes on to
// the client: a client that has seen the success must never find the layer's state older than that.
func forward(w http.ResponseWriter, r *http.Request, next http.Handler, onSuccess func()) {
	next.ServeHTTP(&statusHook{ResponseWriter: w, onStatus: func(status int) {
		if status/100 == 2 {
			onSuccess()
		}
	}}, r)
}

// s3Error is an error answer of the layer's own.
type s3Error struct {
	status        int
	code, message string
}

var (
	errMalformedXML = &s3Error{http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema."}
	errTooLarge = &s3Error{http.StatusBadRequest, "MaxMessageLengthExceeded", "Your request was too big."}
	errBodyRead = &s3Error{http.StatusBadRequest, "IncompleteBody",
		"You did not provide the number of bytes specified by the Content-Length HTTP header."}
)

func (l *Layer) refuse(w http.ResponseWriter, r *http.Request, e *s3Error) {
	l.mu.Lock()
	l.refusals++
	l.mu.Unlock()
	s3proxy.WriteError(w, r, e.status, e.code, e.message)
}

// readBody reads r's body and puts the same bytes back, leaving ContentLength as the client sent it, so
// that what is forwarded still matches the client's signature.
func readBody(r *http.Request) ([]byte, *s3Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInspectedBody+1))
	switch {
	case err != nil && !errors.Is(err, io.EOF):
		return nil, errBodyRead
	case len(body) > maxInspectedBody:
		return nil, errTooLarge
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}
