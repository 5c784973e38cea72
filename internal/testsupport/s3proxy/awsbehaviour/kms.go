package awsbehaviour

// Object encryption headers (ReportObjectEncryption): objects written into a bucket report their
// server-side encryption as AWS reports it, SSE-KMS with its key and S3 Bucket Key included.
//
// Sources:
//   - CopyObject: "If you don't specify encryption information in your copy request, the encryption setting
//     of the target object is set to the default encryption configuration of the destination bucket", and
//     an encryption setting in the request takes precedence; the answer carries
//     x-amz-server-side-encryption, x-amz-server-side-encryption-aws-kms-key-id (the key ARN) and
//     x-amz-server-side-encryption-bucket-key-enabled for the new object. CreateMultipartUpload and
//     CompleteMultipartUpload answer the same three headers for the upload's object; PutObject, HeadObject
//     and GetObject the stored object's.
//   - PutBucketEncryption's BucketKeyEnabled: "Setting the BucketKeyEnabled element to true causes Amazon S3
//     to use an S3 Bucket Key" for new objects; "Existing objects are not affected". A write's own
//     x-amz-server-side-encryption-bucket-key-enabled takes precedence (PutObject, CopyObject).
//
// Not documented, and chosen: CompleteMultipartUpload reports the destination bucket's default encryption
// at completion (what CreateMultipartUpload answered for an upload of the same key, had the default not
// changed in between).
//
// SeaweedFS with a KMS provider (checked in kms_seaweedfs_test.go) encrypts under the bucket's default key
// and reports aws:kms and the key ARN on PutObject, HeadObject, GetObject and UploadPart, and the bucket key
// on UploadPart and on HeadObject of a copy or a multipart upload; it reports no encryption at all on
// CopyObject, CreateMultipartUpload and CompleteMultipartUpload, and no bucket key for an object PutObject
// wrote. The layer fills in exactly those headers, from the default encryption it saw written
// (PutBucketEncryption, or behaviour 5's state) and the bucket key of each version it saw written; it never
// overrides a header the server sent. Without a KMS provider SeaweedFS answers 500 to every object written
// under an aws:kms default, which no layer can mend: tests that write objects start the server with one
// (testenv.Options.KMS).

import (
	"net/http"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// The object encryption headers (Amazon S3 API Reference, PutObject, CopyObject, HeadObject).
const (
	headerSSE       = "X-Amz-Server-Side-Encryption"
	headerSSEKMSKey = "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"
	headerBucketKey = "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"
	headerVersionID = "X-Amz-Version-Id"
)

// ReportObjectEncryption switches object encryption headers on: the layer learns each bucket's default
// encryption from the PutBucketEncryption and DeleteBucketEncryption requests that pass (behaviour 5 need
// not be on), and object answers report encryption as described in this file's comment.
func (l *Layer) ReportObjectEncryption() { l.switchOn(objectSSEBehaviour) }

// defaultEncryptionOf is bucket's default encryption as far as the layer knows it, behaviour 5 or not; nil
// when it does not.
func (l *Layer) defaultEncryptionOf(bucket string) *Encryption {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(bucket)
	switch {
	case b.encryption != nil:
		return b.encryption.clone()
	case l.isOn(defaultSSEBehaviour) && b.created:
		return DefaultEncryption().clone()
	}
	return nil
}

// objectEncryption is the encryption of one object as its answer reports it.
type objectEncryption struct {
	algorithm, key string
	bucketKey      bool
}

// requestedEncryption is what a write (PutObject, CopyObject, CreateMultipartUpload) asks for, falling back
// to bucket's default; ok is false when neither is known, or the write asks for SSE-C, which this
// behaviour leaves to the server.
func (l *Layer) requestedEncryption(r *http.Request, bucket string) (objectEncryption, bool) {
	if r.Header.Get(sseCustomerAlgorithm) != "" {
		return objectEncryption{}, false
	}
	var e objectEncryption
	def := l.defaultEncryptionOf(bucket)
	switch asked := r.Header.Get(headerSSE); {
	case asked != "":
		e.algorithm, e.key = asked, r.Header.Get(headerSSEKMSKey)
		if def != nil && strings.HasPrefix(asked, "aws:kms") {
			e.bucketKey = def.BucketKeyEnabled // a write that names SSE-KMS keeps the bucket's setting
		}
	case def != nil:
		e = def.forObjects()
	default:
		return objectEncryption{}, false
	}
	if v := r.Header.Get(headerBucketKey); v != "" {
		e.bucketKey = strings.EqualFold(v, "true")
	}
	e.bucketKey = e.bucketKey && strings.HasPrefix(e.algorithm, "aws:kms")
	return e, true
}

// reportObjectEncryption wraps w so that op's answer carries the encryption headers SeaweedFS leaves out;
// w as it is when the behaviour is off or op is not an object write or read.
func (l *Layer) reportObjectEncryption(w http.ResponseWriter, r *http.Request, op s3proxy.Operation) http.ResponseWriter {
	if op.Bucket == "" || op.Key == "" || !l.isOn(objectSSEBehaviour) {
		return w
	}
	var fix func(h http.Header)
	switch op.Name {
	case "PutObject", "CopyObject", "CreateMultipartUpload":
		e, ok := l.requestedEncryption(r, op.Bucket)
		if !ok {
			return w
		}
		fix = func(h http.Header) {
			if h.Get(headerSSE) == "" {
				e.set(h)
			} else if h.Get(headerSSE) == e.algorithm && e.bucketKey && h.Get(headerBucketKey) == "" {
				h.Set(headerBucketKey, "true")
			}
			l.recordBucketKey(op.Bucket, op.Key, h)
		}
	case "CompleteMultipartUpload":
		def := l.defaultEncryptionOf(op.Bucket)
		if def == nil {
			return w
		}
		fix = func(h http.Header) {
			if h.Get(headerSSE) == "" {
				def.forObjects().set(h)
			}
			l.recordBucketKey(op.Bucket, op.Key, h)
		}
	case "HeadObject", "GetObject":
		fix = func(h http.Header) {
			if strings.HasPrefix(h.Get(headerSSE), "aws:kms") && h.Get(headerBucketKey) == "" && l.writtenWithBucketKey(op.Bucket, op.Key, h.Get(headerVersionID)) {
				h.Set(headerBucketKey, "true")
			}
		}
	default:
		return w
	}
	return &s3proxy.StatusHook{ResponseWriter: w, OnStatus: func(status int) {
		if status/100 == 2 {
			fix(w.Header())
		}
	}}
}

// forObjects is the encryption a default gives new objects: a bucket key only with SSE-KMS.
func (e Encryption) forObjects() objectEncryption {
	return objectEncryption{algorithm: e.Algorithm, key: e.KMSMasterKeyID, bucketKey: e.BucketKeyEnabled && strings.HasPrefix(e.Algorithm, "aws:kms")}
}

func (e objectEncryption) set(h http.Header) {
	h.Set(headerSSE, e.algorithm)
	if e.key != "" {
		h.Set(headerSSEKMSKey, e.key)
	}
	if e.bucketKey {
		h.Set(headerBucketKey, "true")
	}
}

// recordBucketKey notes whether the version a write answer names was stored with a bucket key, for the
// HeadObject and GetObject answers that SeaweedFS sends without it.
func (l *Layer) recordBucketKey(bucket, key string, h http.Header) {
	if !strings.HasPrefix(h.Get(headerSSE), "aws:kms") {
		return
	}
	withKey := strings.EqualFold(h.Get(headerBucketKey), "true")
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(bucket)
	if b.bucketKeys == nil {
		b.bucketKeys = make(map[versionRef]bool)
	}
	b.bucketKeys[versionRef{key, h.Get(headerVersionID)}] = withKey
}

// writtenWithBucketKey reports whether the layer saw this version written with a bucket key. An answer
// without a version ID is the unversioned (or never versioned) object's, recorded under "".
func (l *Layer) writtenWithBucketKey(bucket, key, versionID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucket(bucket).bucketKeys[versionRef{key, versionID}]
}
