// Package awsbehaviour is test infrastructure: an s3proxy semantics layer that reproduces Amazon S3
// behaviours a local S3 server lacks, so that a test sees what it would see on AWS. Every behaviour is off
// until a test switches it on, and a behaviour that is off forwards every request untouched (the layer does
// not even read its body). Time comes from the clock in Options, so windows are moved through by a fake
// clock rather than waited for.
//
//  1. Bucket public access block (EnforceBlockPublicPolicy): a public PutBucketPolicy answers 403
//     AccessDenied while the bucket's own BlockPublicPolicy is on, and for a propagation window after a
//     PutPublicAccessBlock or DeletePublicAccessBlock turned it off; an anonymous request on a bucket with
//     a public policy answers 403 AccessDenied while the bucket's RestrictPublicBuckets is on.
//  2. Account public access block (SetAccountPublicAccessBlock): the account's BlockPublicPolicy refuses
//     every public PutBucketPolicy, its RestrictPublicBuckets every anonymous request on a bucket with a
//     public policy (403 AccessDenied both), and S3 Control's GetPublicAccessBlock
//     (GetAccountPublicAccessBlock to s3proxy) answers the settings, or 404
//     NoSuchPublicAccessBlockConfiguration.
//  3. Bucket ownership and regions (EnableOwnership, ForeignBucket): x-amz-expected-bucket-owner (and
//     x-amz-source-expected-bucket-owner on copies) that does not name the bucket's owner answers 403
//     AccessDenied; a foreign bucket in another region answers 301 PermanentRedirect with
//     x-amz-bucket-region; one of another account that the caller may not use answers 403.
//  4. System tags (SetSystemTags): GetBucketTagging includes a bucket's aws: tags; a PutBucketTagging that
//     drops or changes them, or adds another aws: key, and a DeleteBucketTagging answer 400 InvalidTag.
//  5. Default encryption as AWS creates it (EnableDefaultEncryption): a bucket created through the proxy
//     reports SSE-S3 with SSE-C blocked; PutBucketEncryption's BlockedEncryptionTypes and BucketKeyEnabled
//     are kept and reported back; DeleteBucketEncryption returns to the default; a write asking for SSE-C
//     while SSE-C is blocked answers 403 AccessDenied.
//  6. Archived versions (Archive): ListObjectVersions reports their storage class, and RestoreStatus when
//     asked for it; copying one that is not restored answers 403 InvalidObjectState.
//  7. Bucket namespaces (EnforceBucketNamespaces): a CreateBucket with x-amz-bucket-namespace:
//     account-regional needs a name <prefix>-<the layer's account>-<region>-an, else 400
//     InvalidNamespaceHeader; a name of that form without the header answers 400 MissingNamespaceHeader, any
//     other name ending in -an 400 InvalidBucketName. The namespace each bucket was created in is recorded
//     either way (NamespaceOf).
//  8. CORS (EnableCORS): a bucket answers cross-origin requests from its own CORS configuration alone, which
//     the layer learns from the PutBucketCors requests that pass (CORSRules), forgets on DeleteBucketCors
//     and DeleteBucket, and a bucket created through the proxy starts without. A preflight (OPTIONS,
//     PreflightObject to s3proxy) is answered here: 200 with the first matching rule's Access-Control-*
//     headers, 403 AccessForbidden when no rule matches or the bucket has no configuration. Every other
//     answer loses the server's Access-Control-* headers (and their Vary entries) and carries the matching
//     rule's instead, or none without an Origin or a matching rule.
//  9. Lifecycle transitions (StoreLifecycleTransitions): a PutBucketLifecycleConfiguration with a
//     Transition or NoncurrentVersionTransition is checked as S3 checks its days (400 InvalidArgument under
//     30 for STANDARD_IA and ONEZONE_IA) and, where the server refuses it only for its transitions, kept
//     here and answered 200 (HoldsLifecycle); GetBucketLifecycleConfiguration then answers it. A put
//     without transitions, DeleteBucketLifecycle (204 as on S3) and DeleteBucket forget it. No version
//     ever moves to another storage class: nothing runs the lifecycle.
//  10. Replication (StoreReplication): a PutBucketReplication is checked as S3 checks it (400 MalformedXML
//     for a document without a Role or a rule, 400 InvalidRequest while the source's versioning, or a
//     destination's the layer knows, is not Enabled, or a Filter rule lacks DeleteMarkerReplication or
//     Priority) and kept here, GetBucketReplication answers it (404 ReplicationConfigurationNotFoundError
//     without one), DeleteBucketReplication (204) and DeleteBucket forget it. Versioning is learnt from the
//     PutBucketVersioning and GetBucketVersioning requests that pass. Nothing is ever replicated.
//  11. Object encryption headers (ReportObjectEncryption, kms.go): CopyObject, CreateMultipartUpload and
//     CompleteMultipartUpload answers report the new object's encryption (the write's own, else the bucket's
//     default: aws:kms with its key ARN and S3 Bucket Key, or AES256), and PutObject, HeadObject and
//     GetObject answers the bucket key of an SSE-KMS version written with one. The default is learnt from
//     the PutBucketEncryption and DeleteBucketEncryption requests that pass; a header the server sent is
//     never changed.
//  12. A bucket's configurations written at once (KeepConfigurationsApart, configurations.go): a bucket's
//     configuration writes reach the server one at a time, as AWS keeps each configuration apart while
//     SeaweedFS may lose one of two overlapping writes; a bucket policy write overlapping a write of the
//     public access block, ownership controls or versioning answers 409 OperationAborted.
//  13. Multipart upload checksum types (EnforceMultipartChecksums, multipart.go): an upload keeps the
//     checksum algorithm its CreateMultipartUpload named in x-amz-checksum-algorithm (or none), learnt with
//     the UploadId of the server's answer and forgotten on AbortMultipartUpload or a successful
//     CompleteMultipartUpload. An UploadPart whose checksum (x-amz-sdk-checksum-algorithm, an
//     x-amz-checksum-<algorithm> header or the one x-amz-trailer announces) is of another type answers 400
//     InvalidRequest "Checksum Type mismatch occurred, ..."; a CompleteMultipartUpload of an upload created
//     with an algorithm whose list leaves out a part's checksum answers 400 InvalidRequest "The upload was
//     created using a <algorithm> checksum. ...".
//
// Each behaviour's file cites the AWS documentation it follows, and says where AWS documents nothing and
// what was chosen.
//
// What SeaweedFS does with the forwarded requests, checked against the release the tests use
// (seaweedfs_test.go): it stores a bucket's public access block but enforces only its ACL settings, so it
// accepts a public policy under BlockPublicPolicy and serves anonymous reads of a public bucket under
// RestrictPublicBuckets; it has no S3 Control API (the request reads as an object in a bucket named
// v20180820); it has no owners or regions for buckets and ignores x-amz-expected-bucket-owner; it accepts
// and stores aws: tag keys; it drops BlockedEncryptionTypes from PutBucketEncryption without complaint,
// stores BucketKeyEnabled, and answers 404 ServerSideEncryptionConfigurationNotFoundError for a bucket
// without a configuration; it has no archive storage classes and ignores
// x-amz-optional-object-attributes; it ignores x-amz-bucket-namespace and creates buckets whose names end in
// -an with or without it; it stores and returns a bucket's CORS configuration, but answers every origin
// (preflights included) on a bucket without one, from its global allowedOrigins, which default to *; it
// answers 501 NotImplemented to a lifecycle configuration with an enabled transition; it answers 501
// NotImplemented to PutBucketReplication and DeleteBucketReplication, and GetBucketReplication 404
// ReplicationConfigurationNotFoundError. It implements S3 Object Lock as AWS does in everything the provider
// and its tests rely on (objectlock_seaweedfs_test.go records it), so no behaviour here reproduces it.
// It stores aws:kms default encryption with its key and bucket key as AWS reports them; with a KMS provider
// (testenv.Options.KMS) it encrypts objects under the key, and without one it answers 500 to every object
// written under such a default (kms_seaweedfs_test.go records what it reports).
// It takes multipart uploads as aws-sdk-go-v2's upload manager makes them with CRC32 (x-amz-checksum-algorithm
// on CreateMultipartUpload, a CRC32 trailer on UploadPart, answered with the part's ChecksumCRC32, and each
// part's ChecksumCRC32 in CompleteMultipartUpload); it also takes a CRC32 part of an upload created without
// an algorithm (AWS: 400 InvalidRequest), and answers a completion of a CRC32 upload that leaves out a part's
// checksum 400 InvalidRequest "Invalid Request" (multipart_test.go records it).
//
// The layer never changes a forwarded request: the Go SDK signs a PutBucketTagging or PutBucketEncryption
// body three times over (its SHA-256 in x-amz-content-sha256, its CRC32 in x-amz-checksum-crc32, and
// Content-Length, all in SignedHeaders), so a rewritten body would fail the signature. Where AWS would store what SeaweedFS does not (system tags, blocked encryption types), the
// request passes as sent, SeaweedFS accepts it, and the state the server cannot keep lives here.
//
// The layer knows only what passed through it and what tests tell it: it cannot sign requests to ask the
// server. A request it refuses never reaches the server.
package awsbehaviour

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// The defaults of Options.
const (
	DefaultAccount = "123456789012"
	DefaultRegion  = "us-east-1"
)

// Options configures a Layer.
type Options struct {
	// Account is the test's AWS account: it owns the buckets that are not declared foreign, and S3 Control
	// requests name it. "" means DefaultAccount.
	Account string
	// Region is the region the client talks to; a foreign bucket elsewhere redirects. "" means
	// DefaultRegion.
	Region string
	// Now is the layer's clock, for propagation windows and restore expiry; nil means time.Now.
	Now func() time.Time
}

// Layer reproduces the AWS behaviours a test switches on; safe for concurrent use.
type Layer struct {
	account, region string
	now             func() time.Time

	on atomic.Uint32 // the behaviours switched on, a set of behaviour bits

	mu sync.Mutex
	// The state that is not a bucket's.
	blockLag     time.Duration      // behaviour 1's propagation window
	accountBlock *PublicAccessBlock // behaviour 2; nil: the account has none
	foreign      map[string]Foreign // behaviour 3
	buckets      map[string]*bucketState

	refused s3proxy.Refusals

	locks s3proxy.BucketLocks // per bucket: requests that check state and then change it
	// configLocks: per bucket, the configuration writes behaviour 12 passes to the server one at a time.
	configLocks s3proxy.BucketLocks
}

// behaviour is one of the layer's switches (numbered as in the package comment), a bit of Layer.on.
type behaviour uint32

const (
	bucketBlockBehaviour        behaviour = 1 << iota // 1
	accountBlockBehaviour                             // 2
	ownershipBehaviour                                // 3
	systemTagsBehaviour                               // 4
	defaultSSEBehaviour                               // 5
	namespacesBehaviour                               // 7
	corsBehaviour                                     // 8
	lifecycleBehaviour                                // 9
	replicationBehaviour                              // 10
	objectSSEBehaviour                                // 11
	configurationsBehaviour                           // 12
	multipartChecksumsBehaviour                       // 13
)

// switchOn switches b on; it stays on. Safe with or without l.mu held.
func (l *Layer) switchOn(b behaviour) { l.on.Or(uint32(b)) }

// isOn reports whether any of b is on. Safe with or without l.mu held.
func (l *Layer) isOn(b behaviour) bool { return behaviour(l.on.Load())&b != 0 }

// bucketState is what the layer knows of one bucket.
type bucketState struct {
	created bool // created through the proxy (and not deleted since)

	// Public access (behaviours 1 and 2).
	block        *PublicAccessBlock // the bucket's public access block; nil = none
	blockKnown   bool               // block was seen or set; otherwise the layer does not know
	policyOffAt  time.Time          // when BlockPublicPolicy was last turned off; zero = never
	publicPolicy bool               // the bucket's policy is public

	systemTags map[string]string // behaviour 4
	encryption *Encryption       // behaviour 5; nil = the layer does not know
	archived   map[versionRef]Archived
	namespace  string         // behaviour 7: the namespace the bucket was created in; "" = not seen created
	cors       []CORSRule     // behaviour 8: the bucket's CORS rules; nil = none
	lifecycle  *heldLifecycle // behaviour 9: the configuration the layer answers for; nil = the server's
	// Behaviour 10: the bucket's versioning as last seen ("" = not seen) and its replication configuration
	// (nil = none).
	versioning  string
	replication *replicationConfiguration
	bucketKeys  map[versionRef]bool           // behaviour 11: whether each SSE-KMS version seen written has a bucket key
	writing     map[string]int                // behaviour 12: the configuration writes in flight, by operation
	uploads     map[uploadRef]multipartUpload // behaviour 13: the multipart uploads seen created and not ended
}

// New returns a layer with every behaviour off.
func New(o Options) *Layer {
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Layer{
		account: o.Account,
		region:  o.Region,
		now:     o.Now,
		foreign: make(map[string]Foreign),
		buckets: make(map[string]*bucketState),
	}
}

// Semantics returns the layer as an s3proxy semantics hook, for s3proxy.WithSemantics or s3proxy.Chain.
func (l *Layer) Semantics() s3proxy.Semantics {
	return l.serve
}

// Refusals reports how many requests the layer answered with an error of its own instead of forwarding
// them (redirects included).
func (l *Layer) Refusals() int { return l.refused.Count() }

// refuse answers r with the S3 error e and counts it.
func (l *Layer) refuse(w http.ResponseWriter, r *http.Request, e *s3proxy.Error) {
	l.refused.Refuse(w, r, e)
}

// bucket returns bucket's state for reading or changing; l.mu must be held.
func (l *Layer) bucket(name string) *bucketState {
	b, ok := l.buckets[name]
	if !ok {
		b = &bucketState{}
		l.buckets[name] = b
	}
	return b
}

// read runs f with bucket's state under the lock; f must not keep it.
func (l *Layer) read(bucket string, f func(b *bucketState)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l.bucket(bucket))
}

func (l *Layer) serve(w http.ResponseWriter, r *http.Request, op s3proxy.Operation, next http.Handler) {
	if l.isOn(corsBehaviour) {
		// Before the caller is checked: S3 answers a preflight unauthenticated, and puts CORS headers on
		// its refusals too.
		if op.Name == "PreflightObject" {
			l.preflight(w, r, op)
			return
		}
		w = l.answerCORS(w, r, op.Bucket)
	}
	if op.Name == "GetAccountPublicAccessBlock" {
		l.getAccountPublicAccessBlock(w, r, next)
		return
	}
	if op.Bucket == "" {
		next.ServeHTTP(w, r)
		return
	}
	if op.Name == "CreateBucket" {
		l.createBucket(w, r, op.Bucket, next)
		return
	}
	if l.routeToOwner(w, r, op) {
		return
	}
	if l.restrictPublicBucket(w, r, op.Bucket) {
		return
	}
	if l.isOn(configurationsBehaviour) && configurationWrites[op.Name] {
		done, ok := l.beginConfigurationWrite(w, r, op)
		if !ok {
			return
		}
		defer done()
	}
	next, refused := l.multipartChecksums(w, r, op, next)
	if refused {
		return
	}
	next = l.watchVersioning(op, next) // behaviour 10 learns versioning from whatever reaches the server
	w = l.reportObjectEncryption(w, r, op)
	switch op.Name {
	case "DeleteBucket":
		unlock := l.locks.Lock(op.Bucket)
		defer unlock()
		s3proxy.ForwardThen(w, r, next, func() { l.forget(op.Bucket) })
	case "PutPublicAccessBlock", "DeletePublicAccessBlock":
		l.publicAccessBlock(w, r, op, next)
	case "PutBucketPolicy":
		l.putBucketPolicy(w, r, op.Bucket, next)
	case "DeleteBucketPolicy":
		l.deleteBucketPolicy(w, r, op.Bucket, next)
	case "GetBucketTagging":
		l.getBucketTagging(w, r, op.Bucket, next)
	case "PutBucketTagging":
		l.putBucketTagging(w, r, op.Bucket, next)
	case "DeleteBucketTagging":
		l.deleteBucketTagging(w, r, op.Bucket, next)
	case "GetBucketEncryption":
		l.getBucketEncryption(w, r, op.Bucket, next)
	case "PutBucketEncryption":
		l.putBucketEncryption(w, r, op.Bucket, next)
	case "DeleteBucketEncryption":
		l.deleteBucketEncryption(w, r, op.Bucket, next)
	case "PutObject", "CreateMultipartUpload":
		l.refuseBlockedSSEC(w, r, op.Bucket, next)
	case "CopyObject", "UploadPartCopy":
		l.copyObject(w, r, op, next)
	case "ListObjectVersions":
		l.listObjectVersions(w, r, op.Bucket, next)
	case "PutBucketCors":
		l.putBucketCors(w, r, op.Bucket, next)
	case "DeleteBucketCors":
		l.deleteBucketCors(w, r, op.Bucket, next)
	case "PutBucketLifecycleConfiguration":
		l.putBucketLifecycle(w, r, op.Bucket, next)
	case "GetBucketLifecycleConfiguration":
		l.getBucketLifecycle(w, r, op.Bucket, next)
	case "DeleteBucketLifecycle":
		l.deleteBucketLifecycle(w, r, op.Bucket, next)
	case "PutBucketReplication":
		l.putBucketReplication(w, r, op.Bucket, next)
	case "GetBucketReplication":
		l.getBucketReplication(w, r, op.Bucket, next)
	case "DeleteBucketReplication":
		l.deleteBucketReplication(w, r, op.Bucket, next)
	default:
		next.ServeHTTP(w, r)
	}
}

// createBucket answers for a foreign bucket's name as AWS would, and otherwise records a bucket the
// server created, for the behaviours that depend on how a bucket began.
func (l *Layer) createBucket(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if l.refuseForeignCreate(w, r, bucket) || l.refuseNamespace(w, r, bucket) {
		return
	}
	namespace := requestedNamespace(r)
	unlock := l.locks.Lock(bucket)
	defer unlock()
	s3proxy.ForwardThen(w, r, next, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		// A new bucket starts from nothing the layer may have held for an earlier one of that name,
		// except what a test declared about it.
		b := l.bucket(bucket)
		*b = bucketState{created: true, systemTags: b.systemTags, archived: b.archived, namespace: namespace}
	})
}

// forget drops what the layer knows of a bucket that was deleted; what a test declared about the name
// (a foreign bucket, system tags, archived versions) stays declared.
func (l *Layer) forget(bucket string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(bucket)
	*b = bucketState{systemTags: b.systemTags, archived: b.archived}
}

// anonymous reports whether r carries no credentials at all: no Authorization header and no presigned
// query (SigV4 or SigV2).
func anonymous(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return false
	}
	q := r.URL.Query()
	return !q.Has("X-Amz-Credential") && !q.Has("X-Amz-Signature") && !q.Has("Signature")
}

func requestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return strings.ToUpper(hex.EncodeToString(b))
}

// errUnexpectedRoot is a document whose root element is not the operation's.
var errUnexpectedRoot = errors.New("not the document the operation takes")

// errAccessDenied is S3's plain refusal (Amazon S3 API Reference, "Error responses": AccessDenied, 403).
var errAccessDenied = &s3proxy.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}

// readBody reads a signed request body without spoiling it (s3proxy.ReadBody), answering the client itself
// when the body cannot be read; ok is false then, and the request is done.
func (l *Layer) readBody(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	body, refusal := s3proxy.ReadBody(r)
	if refusal != nil {
		l.refuse(w, r, refusal)
		return nil, false
	}
	return body, true
}
