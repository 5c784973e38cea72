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
// Codes are checked against the clock New is given, with one 30-second step of tolerance either side, so
// a code expires as that clock moves. Two behaviours are off unless a test switches them on:
//
//   - SetLifecyclePropagation(d): for d after a DeleteBucketLifecycle succeeded (or
//     SetHasLifecycle(bucket, false)), enabling MFA Delete still answers 409 InvalidBucketState; for d
//     after MFA Delete was turned off, PutBucketLifecycleConfiguration still does. The user guide's
//     "Setting lifecycle configuration on a bucket" says a new, updated or deleted lifecycle configuration
//     takes a few minutes to propagate; for a disabled MFA Delete AWS documents no delay, and the window
//     is the same by choice. The exclusion itself is in "Lifecycle and other bucket configurations"
//     ("Lifecycle configuration on MFA-enabled buckets is not supported").
//   - SetSingleUseCodes(true): a code the device's check accepted once is refused when presented again, as
//     one-time passwords are meant to be (RFC 6238, section 5.2). AWS's documentation of MFA Delete says
//     nothing about reuse; the answer is the same 403 AccessDenied as for a wrong code. A code is used up
//     when it passes the check, even if the request is then refused for another reason.
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
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// Layer adds AWS's MFA Delete semantics; safe for concurrent use.
type Layer struct {
	serial string
	secret []byte
	now    func() time.Time

	mu          sync.Mutex
	buckets     map[string]bucketState
	propagation time.Duration       // see SetLifecyclePropagation; 0 = changes apply at once
	singleUse   bool                // see SetSingleUseCodes
	usedSteps   map[uint64]bool     // with singleUse: the TOTP steps whose code was accepted
	locks       s3proxy.BucketLocks // per bucket: requests that check state and then change it
	refused     s3proxy.Refusals
}

// bucketState is what the layer knows of one bucket. The zero value is a bucket it knows nothing of.
type bucketState struct {
	configured bool // MfaDelete was ever set: GetBucketVersioning reports it from then on
	enabled    bool
	lifecycle  bool // the bucket has a lifecycle configuration
	// When the lifecycle configuration was last removed and MFA Delete last turned off, by the layer's
	// clock, for SetLifecyclePropagation; zero = never.
	lifecycleGoneAt, mfaOffAt time.Time
}

// New returns a layer accepting codes for the device serial, generated from secret, at the time now()
// returns (nil = time.Now).
func New(serial string, secret []byte, now func() time.Time) *Layer {
	if now == nil {
		now = time.Now
	}
	return &Layer{
		serial:    serial,
		secret:    bytes.Clone(secret),
		now:       now,
		buckets:   make(map[string]bucketState),
		usedSteps: make(map[uint64]bool),
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
// band: from then on GetBucketVersioning reports it, Enabled or Disabled. Turning it off starts the
// lifecycle propagation window (SetLifecyclePropagation).
func (l *Layer) SetEnabled(bucket string, on bool) {
	now := l.now()
	l.update(bucket, func(s *bucketState) {
		if s.enabled && !on {
			s.mfaOffAt = now
		}
		s.configured, s.enabled = true, on
	})
}

// SetHasLifecycle records whether bucket has a lifecycle configuration, for one made out of band. Removing
// one starts the propagation window (SetLifecyclePropagation), as DeleteBucketLifecycle does.
func (l *Layer) SetHasLifecycle(bucket string, has bool) {
	now := l.now()
	l.update(bucket, func(s *bucketState) {
		if s.lifecycle && !has {
			s.lifecycleGoneAt = now
		}
		s.lifecycle = has
	})
}

// SetLifecyclePropagation makes a removed lifecycle configuration and a disabled MFA Delete take d, by the
// layer's clock, to stop excluding the other: see the package comment. 0, the default, applies them at
// once.
func (l *Layer) SetLifecyclePropagation(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.propagation = d
}

// SetSingleUseCodes makes a code accepted once refused when presented again (on), or accepted for as long
// as the clock says it is valid (off, the default).
func (l *Layer) SetSingleUseCodes(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.singleUse = on
	clear(l.usedSteps)
}

// propagating reports whether a change made at is still inside the propagation window.
func (l *Layer) propagating(at time.Time) bool {
	l.mu.Lock()
	d := l.propagation
	l.mu.Unlock()
	return d > 0 && !at.IsZero() && l.now().Sub(at) < d
}

// Refusals reports how many requests the layer answered with an error itself instead of forwarding them.
func (l *Layer) Refusals() int { return l.refused.Count() }

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
		unlock := l.locks.Lock(op.Bucket)
		defer unlock()
		s3proxy.ForwardThen(w, r, next, func() { l.SetHasLifecycle(op.Bucket, false) })
	case "DeleteBucket":
		unlock := l.locks.Lock(op.Bucket)
		defer unlock()
		s3proxy.ForwardThen(w, r, next, func() { l.update(op.Bucket, func(s *bucketState) { *s = bucketState{} }) })
	default:
		next.ServeHTTP(w, r)
	}
}

// putBucketVersioning enforces the MFA rules for changing the versioning configuration and records the
// MfaDelete the server accepted. A request without MfaDelete leaves MFA Delete as it was.
func (l *Layer) putBucketVersioning(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	unlock := l.locks.Lock(bucket)
	defer unlock()
	body, refusal := s3proxy.ReadBody(r)
	if refusal != nil {
		l.refused.Refuse(w, r, refusal)
		return
	}
	conf, err := parseVersioningConfiguration(body)
	if err != nil {
		l.refused.Refuse(w, r, s3proxy.ErrMalformedXML)
		return
	}
	s := l.state(bucket)
	if s.enabled || conf.MfaDelete == mfaDeleteEnabled {
		if refusal := l.authenticate(r.Header); refusal != nil {
			l.refused.Refuse(w, r, refusal)
			return
		}
	}
	// While a removed lifecycle configuration propagates, AWS still sees it.
	if conf.MfaDelete == mfaDeleteEnabled && (s.lifecycle || l.propagating(s.lifecycleGoneAt)) {
		l.refused.Refuse(w, r, &s3proxy.Error{Status: http.StatusConflict, Code: "InvalidBucketState", Message: "MFA Delete cannot be enabled on a bucket with a lifecycle configuration."})
		return
	}
	if conf.MfaDelete == "" {
		next.ServeHTTP(w, r)
		return
	}
	on := conf.MfaDelete == mfaDeleteEnabled
	s3proxy.ForwardThen(w, r, next, func() { l.SetEnabled(bucket, on) })
}

// getBucketVersioning adds MfaDelete to a successful answer once the bucket has been configured with it.
func (l *Layer) getBucketVersioning(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.state(bucket).configured {
		next.ServeHTTP(w, r)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	body := buf.Body.Bytes()
	// The state is read after the server answered, so the answer is as fresh as the server's.
	if s := l.state(bucket); s.configured && buf.Status/100 == 2 && w.Header().Get("Content-Encoding") == "" {
		if rewritten, err := withMfaDelete(body, s.enabled); err == nil {
			body = rewritten
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	if buf.Status == 0 {
		buf.Status = http.StatusOK
	}
	w.WriteHeader(buf.Status)
	_, _ = w.Write(body)
}

// deleteObject needs MFA for deleting a version once MFA Delete is enabled; without versionId it only
// lays a delete marker, which needs none.
func (l *Layer) deleteObject(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if l.Enabled(bucket) && r.URL.Query().Has("versionId") {
		if refusal := l.authenticate(r.Header); refusal != nil {
			l.refused.Refuse(w, r, refusal)
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
	body, refusal := s3proxy.ReadBody(r)
	if refusal != nil {
		l.refused.Refuse(w, r, refusal)
		return
	}
	versions, err := deletesVersions(body)
	if err != nil {
		// Not knowing what it deletes, the layer cannot let it pass; S3 would refuse it too.
		l.refused.Refuse(w, r, s3proxy.ErrMalformedXML)
		return
	}
	if versions {
		if refusal := l.authenticate(r.Header); refusal != nil {
			l.refused.Refuse(w, r, refusal)
			return
		}
	}
	next.ServeHTTP(w, r)
}

func (l *Layer) putBucketLifecycle(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	unlock := l.locks.Lock(bucket)
	defer unlock()
	// While a disabled MFA Delete propagates, AWS still sees it enabled.
	if s := l.state(bucket); s.enabled || l.propagating(s.mfaOffAt) {
		l.refused.Refuse(w, r, &s3proxy.Error{Status: http.StatusConflict, Code: "InvalidBucketState", Message: "A lifecycle configuration cannot be set on a bucket with MFA Delete enabled."})
		return
	}
	s3proxy.ForwardThen(w, r, next, func() { l.SetHasLifecycle(bucket, true) })
}
