package awsbehaviour

// Behaviour 5: default encryption as AWS creates it since April 2026.
//
// Sources:
//   - "Blocking or unblocking SSE-C for a general purpose bucket" and "Default SSE-C setting for new
//     buckets FAQ" (Amazon S3 User Guide): since April 2026 every new general purpose bucket has SSE-C
//     disabled; the setting is BlockedEncryptionTypes in PutBucketEncryption's rule, valid values SSE-C
//     (blocked) and NONE (allowed); "When SSE-C is blocked for a bucket, any PutObject, CopyObject,
//     PostObject, Multipart Upload, or replication request that specifies SSE-C encryption will be rejected
//     with an HTTP 403 AccessDenied error"; a new bucket's GetBucketEncryption shows it.
//   - GetBucketEncryption: "By default, all buckets have a default encryption configuration that uses
//     server-side encryption with Amazon S3 managed keys (SSE-S3)"; the rule holds
//     ApplyServerSideEncryptionByDefault (SSEAlgorithm, KMSMasterKeyID), BucketKeyEnabled and, since the
//     2025-11-19 API, BlockedEncryptionTypes with EncryptionType entries (the XML names are the SDK's,
//     service/s3 v1.114: BlockedEncryptionTypes holds flattened EncryptionType elements).
//   - DeleteBucketEncryption: "resets the default encryption for the bucket as server-side encryption with
//     Amazon S3 managed keys (SSE-S3)", answering 204.
//
// Not documented, and chosen from what users of terraform-provider-aws report: a PutBucketEncryption
// without BlockedEncryptionTypes leaves the bucket's blocked types as they were (trussworks/terraform-aws-
// logs#333: "AWS accepts the request as a no-op but the next GetBucketEncryption returns ["SSE-C"]";
// hashicorp/terraform-provider-aws#47359 made the argument Optional and Computed for that reason), and
// GetBucketEncryption reports BucketKeyEnabled false when it is off (turnerlabs/terraform-remote-state#19
// shows bucket_key_enabled = false read back from a bucket that never set it). What DeleteBucketEncryption does to the blocked types AWS does
// not say; the layer returns them to the new-bucket default, SSE-C blocked, with SSE-S3.
//
// SeaweedFS (checked in seaweedfs_test.go): PutBucketEncryption with BlockedEncryptionTypes answers 200 and
// drops the element (Go's XML decoder skips unknown elements); BucketKeyEnabled is stored; a bucket without
// a configuration answers GetBucketEncryption and DeleteBucketEncryption 404
// ServerSideEncryptionConfigurationNotFoundError. The requests are forwarded as sent and the layer keeps
// what SeaweedFS drops; for a bucket it knows, the layer answers GetBucketEncryption from its own state
// when the server answers 200 or that 404, and DeleteBucketEncryption 204 when the server has none.

import (
	"encoding/xml"
	"net/http"
	"slices"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// Encryption is a bucket's default encryption configuration, as GetBucketEncryption reports it.
type Encryption struct {
	Algorithm        string // SSEAlgorithm: "AES256", "aws:kms" or "aws:kms:dsse"
	KMSMasterKeyID   string
	BucketKeyEnabled bool
	// BlockedEncryptionTypes are the EncryptionType values: "SSE-C" or "NONE". Empty leaves the element out.
	BlockedEncryptionTypes []string
}

// DefaultEncryption is what AWS gives a new general purpose bucket since April 2026: SSE-S3 with SSE-C
// blocked.
func DefaultEncryption() Encryption {
	return Encryption{Algorithm: "AES256", BlockedEncryptionTypes: []string{"SSE-C"}}
}

func (e Encryption) clone() *Encryption {
	e.BlockedEncryptionTypes = slices.Clone(e.BlockedEncryptionTypes)
	return &e
}

func (e Encryption) blocksSSEC() bool { return slices.Contains(e.BlockedEncryptionTypes, "SSE-C") }

// EnableDefaultEncryption switches behaviour 5 on: buckets created through the proxy report
// DefaultEncryption until a PutBucketEncryption changes it, and the layer keeps what PutBucketEncryption
// sets.
func (l *Layer) EnableDefaultEncryption() { l.switchOn(defaultSSEBehaviour) }

// SetEncryption tells the layer bucket's encryption as changed out of band (a KMS key with a bucket key,
// say), and switches behaviour 5 on.
func (l *Layer) SetEncryption(bucket string, e Encryption) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.switchOn(defaultSSEBehaviour)
	l.bucket(bucket).encryption = e.clone()
}

// encryptionOf returns bucket's encryption as the layer knows it, or nil when behaviour 5 is off or the
// layer does not know the bucket.
func (l *Layer) encryptionOf(bucket string) *Encryption {
	if !l.isOn(defaultSSEBehaviour) {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(bucket)
	switch {
	case b.encryption != nil:
		return b.encryption.clone()
	case b.created:
		return DefaultEncryption().clone()
	}
	return nil
}

// encryptionConfiguration is ServerSideEncryptionConfiguration, its rule's members in the SDK's order.
// XMLName carries the namespace of an answer (a tag on it would override the value's namespace).
type encryptionConfiguration struct {
	XMLName xml.Name
	Rules   []encryptionRule `xml:"Rule"`
}

// parseEncryption reads a ServerSideEncryptionConfiguration with at least one rule.
func parseEncryption(body []byte) (encryptionConfiguration, error) {
	var c encryptionConfiguration
	if err := xml.Unmarshal(body, &c); err != nil {
		return encryptionConfiguration{}, err
	}
	if c.XMLName.Local != "ServerSideEncryptionConfiguration" || len(c.Rules) == 0 {
		return encryptionConfiguration{}, errUnexpectedRoot
	}
	return c, nil
}

type encryptionRule struct {
	Default struct {
		SSEAlgorithm   string `xml:"SSEAlgorithm"`
		KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
	} `xml:"ApplyServerSideEncryptionByDefault"`
	Blocked *struct {
		EncryptionType []string `xml:"EncryptionType"`
	} `xml:"BlockedEncryptionTypes"`
	BucketKeyEnabled *bool `xml:"BucketKeyEnabled"`
}

func (e Encryption) document() encryptionConfiguration {
	var rule encryptionRule
	rule.Default.SSEAlgorithm, rule.Default.KMSMasterKeyID = e.Algorithm, e.KMSMasterKeyID
	if len(e.BlockedEncryptionTypes) > 0 {
		rule.Blocked = &struct {
			EncryptionType []string `xml:"EncryptionType"`
		}{EncryptionType: slices.Clone(e.BlockedEncryptionTypes)}
	}
	rule.BucketKeyEnabled = &e.BucketKeyEnabled
	return encryptionConfiguration{XMLName: xml.Name{Space: s3NS, Local: "ServerSideEncryptionConfiguration"}, Rules: []encryptionRule{rule}}
}

// getBucketEncryption answers from the layer's state for a bucket it knows, unless the server answers an
// error other than "no configuration" (NoSuchBucket, say).
func (l *Layer) getBucketEncryption(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if l.encryptionOf(bucket) == nil {
		next.ServeHTTP(w, r)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	e := l.encryptionOf(bucket)
	if e == nil || buf.Status/100 != 2 && !noEncryptionConfiguration(buf) {
		passOn(w, buf)
		return
	}
	clearEntityHeaders(w.Header())
	writeXML(w, http.StatusOK, e.document())
}

func noEncryptionConfiguration(buf *s3proxy.BufferedResponse) bool {
	return buf.Status == http.StatusNotFound && errorCode(buf.Body.Bytes()) == "ServerSideEncryptionConfigurationNotFoundError"
}

// putBucketEncryption forwards the configuration as sent and keeps, once the server accepted it, what
// SeaweedFS does not.
func (l *Layer) putBucketEncryption(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	// Object encryption headers follow the default too.
	if !l.isOn(defaultSSEBehaviour | objectSSEBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	body, ok := l.readBody(w, r)
	if !ok {
		return
	}
	c, err := parseEncryption(body)
	if err != nil {
		next.ServeHTTP(w, r) // the server refuses what it cannot read, as without the layer
		return
	}
	rule := c.Rules[0] // S3 takes one rule
	s3proxy.ForwardThen(w, r, next, func() {
		prev := l.encryptionOf(bucket)
		e := Encryption{Algorithm: rule.Default.SSEAlgorithm, KMSMasterKeyID: rule.Default.KMSMasterKeyID}
		if rule.BucketKeyEnabled != nil {
			e.BucketKeyEnabled = *rule.BucketKeyEnabled
		}
		switch {
		case rule.Blocked != nil:
			e.BlockedEncryptionTypes = rule.Blocked.EncryptionType
		case prev != nil:
			e.BlockedEncryptionTypes = prev.BlockedEncryptionTypes
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.bucket(bucket).encryption = e.clone()
	})
}

// deleteBucketEncryption returns a bucket the layer knows to the default, and answers 204 when the server
// had no configuration to delete: on AWS there always is one.
func (l *Layer) deleteBucketEncryption(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if l.encryptionOf(bucket) == nil {
		// Behaviour 5 is off: SeaweedFS then has no default encryption left, and objects report none.
		s3proxy.ForwardThen(w, r, next, func() { l.read(bucket, func(b *bucketState) { b.encryption = nil }) })
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	if buf.Status/100 != 2 && !noEncryptionConfiguration(buf) {
		passOn(w, buf)
		return
	}
	l.mu.Lock()
	l.bucket(bucket).encryption = DefaultEncryption().clone()
	l.mu.Unlock()
	clearEntityHeaders(w.Header())
	w.WriteHeader(http.StatusNoContent)
}

// sseCustomerAlgorithm is the header that asks for SSE-C on a write.
const sseCustomerAlgorithm = "X-Amz-Server-Side-Encryption-Customer-Algorithm"

// blockedSSEC reports whether r asks for SSE-C on a bucket whose encryption blocks it.
func (l *Layer) blockedSSEC(r *http.Request, bucket string) bool {
	if r.Header.Get(sseCustomerAlgorithm) == "" {
		return false
	}
	e := l.encryptionOf(bucket)
	return e != nil && e.blocksSSEC()
}

// refuseBlockedSSEC refuses a PutObject or CreateMultipartUpload asking for SSE-C where it is blocked.
func (l *Layer) refuseBlockedSSEC(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if l.blockedSSEC(r, bucket) {
		l.refuse(w, r, errAccessDenied)
		return
	}
	next.ServeHTTP(w, r)
}
