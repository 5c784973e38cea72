package awsbehaviour

// Behaviour 10: bucket replication configurations, which Amazon S3 keeps and SeaweedFS does not implement.
//
// Sources:
//   - PutBucketReplication, GetBucketReplication and DeleteBucketReplication (Amazon S3 API Reference): a
//     configuration replaces the bucket's whole configuration and must include at least one rule (at most
//     1,000); Role, and each rule's Status (Enabled or Disabled) and Destination with its Bucket, are required;
//     a rule with a Filter must also have DeleteMarkerReplication and Priority. The put answers 200 with an
//     empty body, the get the ReplicationConfiguration document, the delete 204 No Content. Without a
//     configuration the get answers 404 ReplicationConfigurationNotFoundError ("List of replication-related
//     error codes").
//   - "Requirements and considerations for replication" (Amazon S3 User Guide): both the source and the
//     destination bucket must have versioning enabled.
//   - GetBucketReplication: "It can take a while to propagate the put or delete a replication configuration to
//     all Amazon S3 systems", so a get soon after may answer the old one. The layer answers the new one at once;
//     the provider waits for several identical reads anyway.
//
// AWS's answers to the refusals, as users and S3 emulators checked against AWS quote them (the API reference
// lists no messages):
//   - a source bucket whose versioning is not Enabled: 400 InvalidRequest "Versioning must be 'Enabled' on the
//     bucket to apply a replication configuration" (moto's tests of PutBucketReplication);
//   - a destination whose versioning is not Enabled: 400 InvalidRequest "Destination bucket must have
//     versioning enabled." (hashicorp/terraform-provider-aws#23578, from AWS itself);
//   - a rule with a Filter but no DeleteMarkerReplication or no Priority: 400 InvalidRequest "<element> must
//     be specified for this version of Cross Region Replication configuration schema. Please refer to S3
//     Developer Guide for more information.";
//   - a rule whose SourceSelectionCriteria opts in to SSE-KMS objects (SseKmsEncryptedObjects Status
//     Enabled) without a Destination EncryptionConfiguration ReplicaKmsKeyID: 400 InvalidRequest
//     "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present." (AWS's answer as users of
//     terraform-aws modules quote it; "Replicating encrypted objects", Amazon S3 User Guide, says S3 needs both
//     elements). The message speaks of the tag being present; the layer refuses it only with Status Enabled,
//     a choice: a Disabled opt-in asks for no key;
//   - a document that does not validate against S3's schema (another root, no Role, no rule or more than
//     1,000, a rule without Status or Destination Bucket, a Status that is neither Enabled nor Disabled, both or
//     neither of Filter and the older Prefix, an element S3 does not define): 400 MalformedXML.
//
// The order of the checks is chosen (AWS documents none): the document, then the source's versioning, then
// the rules' elements, then the destination's versioning. A rule without an ID gets one, as AWS gives it
// one (its form is chosen).
//
// What the layer knows of versioning it learns from the requests that pass through it: a bucket created
// through the proxy starts unversioned, and a successful PutBucketVersioning or a GetBucketVersioning answer
// says what it is since. A bucket whose versioning the layer never saw (one created on the server directly,
// a destination in another account) is not judged: its check is skipped.
//
// SeaweedFS answers GetBucketReplication 404 ReplicationConfigurationNotFoundError for a bucket that exists
// (NoSuchBucket for one that does not), and PutBucketReplication and DeleteBucketReplication 501
// NotImplemented, after checking the caller but before looking at the bucket (seaweedfs_test.go checks
// these). So a put the layer's checks pass is forwarded as sent, for the server to judge the caller: when it
// answers 501 NotImplemented the layer keeps the configuration and answers 200 itself; any other answer
// passes on (a 2xx one, from a server that keeps configurations itself, drops what the layer kept). A get is
// forwarded too, and its 200 or 404 ReplicationConfigurationNotFoundError answer replaced by the kept
// configuration, encoded afresh in S3's namespace. A delete the server answers 501 (or 2xx) forgets it and
// answers 204; a DeleteBucket forgets it once the server deleted the bucket.
//
// What the tests cannot show this way: nothing is ever replicated (SeaweedFS does not replicate, and
// neither does the layer), so no test shows that S3 copies new versions, leaves delete markers behind or
// hands replicas to another account; and no IAM is evaluated, so no test shows that the role, its trust
// policy or the destination's bucket policy let S3 replicate. A put or a delete on a bucket that does not
// exist is answered as for one that does (the server does not look at the bucket first); the get still
// answers NoSuchBucket. The layer does not refuse to suspend the versioning of a bucket with a
// configuration, and checks no role ARN, destination ARN, account, storage class or replica KMS key beyond
// their presence (AWS does not check the key either: "PUT Bucket replication doesn't check the validity of
// AWS KMS keys", so a bad key only makes replication fail later). It does not refuse an
// EncryptionConfiguration without SseKmsEncryptedObjects, whose refusal by AWS no source documents.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// maxReplicationRules is S3's limit of rules in one configuration.
const maxReplicationRules = 1000

// Versioning statuses as the layer records them; "" is not known.
const (
	versioningEnabled = "Enabled"
	// versioningNever is a bucket that was never versioned, which S3 reports with no status at all.
	versioningNever = "Disabled"
)

var errSourceUnversioned = &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
	Message: "Versioning must be 'Enabled' on the bucket to apply a replication configuration"}

var errDestinationUnversioned = &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
	Message: "Destination bucket must have versioning enabled."}

var errReplicaKeyMissing = &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
	Message: "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present."}

// errSchemaVersion is S3's refusal of a rule with a Filter that lacks element.
func errSchemaVersion(element string) *s3proxy.Error {
	return &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: element +
		" must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information."}
}

// StoreReplication switches behaviour 10 on: replication configurations that pass through the layer from now
// on are checked as S3 checks them and kept here, and versioning is learnt from the requests that pass.
func (l *Layer) StoreReplication() { l.switchOn(replicationBehaviour) }

// HoldsReplication reports whether the layer keeps a replication configuration for bucket.
func (l *Layer) HoldsReplication(bucket string) bool {
	return l.replicationOf(bucket) != nil
}

// ReplicationRole is the role of bucket's kept configuration, "" without one: for tests that check what was
// written without going through S3.
func (l *Layer) ReplicationRole(bucket string) string {
	if c := l.replicationOf(bucket); c != nil && c.Role != nil {
		return *c.Role
	}
	return ""
}

// SetVersioning declares bucket's versioning status ("Enabled", "Suspended", or "" for never versioned) as
// if the layer had seen it written: for buckets created on the server directly.
func (l *Layer) SetVersioning(bucket, status string) {
	if status == "" {
		status = versioningNever
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(bucket).versioning = status
}

func (l *Layer) replicationOf(bucket string) (c *replicationConfiguration) {
	l.read(bucket, func(b *bucketState) { c = b.replication })
	return c
}

func (l *Layer) setReplication(bucket string, c *replicationConfiguration) {
	l.read(bucket, func(b *bucketState) { b.replication = c })
}

// versioningOf is what the layer knows of bucket's versioning: "" when nothing.
func (l *Layer) versioningOf(bucket string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[bucket]
	switch {
	case !ok:
		return ""
	case b.versioning != "":
		return b.versioning
	case b.created:
		return versioningNever
	}
	return ""
}

// replicationConfiguration is the document of PutBucketReplication and GetBucketReplication, root
// ReplicationConfiguration. Pointers tell an element sent empty from one left out, so a configuration reads
// back as sent.
type replicationConfiguration struct {
	XMLName xml.Name
	Role    *string           `xml:"Role"`
	Rules   []replicationRule `xml:"Rule"`
}

type replicationRule struct {
	ID                        *string                  `xml:"ID"`
	Priority                  *int                     `xml:"Priority"`
	Prefix                    *string                  `xml:"Prefix"` // the filter of S3's first schema
	Filter                    *replicationFilter       `xml:"Filter"`
	Status                    string                   `xml:"Status"`
	SourceSelectionCriteria   *sourceSelectionCriteria `xml:"SourceSelectionCriteria"`
	ExistingObjectReplication *rawElement              `xml:"ExistingObjectReplication"`
	Destination               *replicationDestination  `xml:"Destination"`
	DeleteMarkerReplication   *deleteMarkerReplication `xml:"DeleteMarkerReplication"`
	Unknown                   []unknownElement         `xml:",any"`
}

type replicationFilter struct {
	Prefix *string     `xml:"Prefix"`
	Tag    *tag        `xml:"Tag"`
	And    *rawElement `xml:"And"`
}

type replicationDestination struct {
	Bucket                   string                    `xml:"Bucket"`
	Account                  *string                   `xml:"Account"`
	StorageClass             *string                   `xml:"StorageClass"`
	AccessControlTranslation *accessControlTranslation `xml:"AccessControlTranslation"`
	EncryptionConfiguration  *replicaEncryption        `xml:"EncryptionConfiguration"`
	ReplicationTime          *rawElement               `xml:"ReplicationTime"`
	Metrics                  *rawElement               `xml:"Metrics"`
	Unknown                  []unknownElement          `xml:",any"`
}

// sourceSelectionCriteria is a rule's opt-in to objects S3 skips by default: SSE-KMS objects, and
// modifications of replicas.
type sourceSelectionCriteria struct {
	SseKmsEncryptedObjects *statusElement   `xml:"SseKmsEncryptedObjects"`
	ReplicaModifications   *statusElement   `xml:"ReplicaModifications"`
	Unknown                []unknownElement `xml:",any"`
}

// statusElement is an element holding only a Status, Enabled or Disabled.
type statusElement struct {
	Status string `xml:"Status"`
}

// replicaEncryption names the key S3 encrypts the replicas of SSE-KMS objects with.
type replicaEncryption struct {
	ReplicaKmsKeyID *string          `xml:"ReplicaKmsKeyID"`
	Unknown         []unknownElement `xml:",any"`
}

type accessControlTranslation struct {
	Owner string `xml:"Owner"`
}

type deleteMarkerReplication struct {
	Status string `xml:"Status"`
}

// rawElement keeps an element the layer does not look into, to answer it as sent.
type rawElement struct {
	Inner string `xml:",innerxml"`
}

// parseReplication reads a document of any root, so that check can refuse the wrong one.
func parseReplication(body []byte) (replicationConfiguration, error) {
	var c replicationConfiguration
	err := xml.Unmarshal(body, &c)
	return c, err
}

// checkSchema answers what S3 refuses as not validating against its schema, or nil.
func (c *replicationConfiguration) checkSchema() *s3proxy.Error {
	if c.XMLName.Local != "ReplicationConfiguration" || c.Role == nil || strings.TrimSpace(*c.Role) == "" ||
		len(c.Rules) == 0 || len(c.Rules) > maxReplicationRules {
		return s3proxy.ErrMalformedXML
	}
	for _, r := range c.Rules {
		if len(r.Unknown) > 0 || (r.Status != "Enabled" && r.Status != "Disabled") || (r.Filter == nil) == (r.Prefix == nil) ||
			r.Destination == nil || r.Destination.Bucket == "" || len(r.Destination.Unknown) > 0 {
			return s3proxy.ErrMalformedXML
		}
		if d := r.DeleteMarkerReplication; d != nil && d.Status != "Enabled" && d.Status != "Disabled" {
			return s3proxy.ErrMalformedXML
		}
		if c := r.SourceSelectionCriteria; c != nil && (len(c.Unknown) > 0 || !validStatus(c.SseKmsEncryptedObjects) || !validStatus(c.ReplicaModifications)) {
			return s3proxy.ErrMalformedXML
		}
		if e := r.Destination.EncryptionConfiguration; e != nil && len(e.Unknown) > 0 {
			return s3proxy.ErrMalformedXML
		}
	}
	return nil
}

// validStatus reports whether an optional status element, when there, says Enabled or Disabled.
func validStatus(e *statusElement) bool {
	return e == nil || e.Status == "Enabled" || e.Status == "Disabled"
}

// optsInToKMSObjects reports whether the rule replicates SSE-KMS objects.
func (r *replicationRule) optsInToKMSObjects() bool {
	c := r.SourceSelectionCriteria
	return c != nil && c.SseKmsEncryptedObjects != nil && c.SseKmsEncryptedObjects.Status == "Enabled"
}

// replicaKey is the rule's ReplicaKmsKeyID, "" without one.
func (r *replicationRule) replicaKey() string {
	if e := r.Destination.EncryptionConfiguration; e != nil && e.ReplicaKmsKeyID != nil {
		return strings.TrimSpace(*e.ReplicaKmsKeyID)
	}
	return ""
}

// checkRules answers S3's refusal of a rule of the current schema (with a Filter) that lacks what that schema
// requires, or nil.
func (c *replicationConfiguration) checkRules() *s3proxy.Error {
	for _, r := range c.Rules {
		if r.Filter == nil {
			continue
		}
		if r.DeleteMarkerReplication == nil {
			return errSchemaVersion("DeleteMarkerReplication")
		}
		if r.Priority == nil {
			return errSchemaVersion("Priority")
		}
	}
	for i := range c.Rules {
		if c.Rules[i].optsInToKMSObjects() && c.Rules[i].replicaKey() == "" {
			return errReplicaKeyMissing
		}
	}
	return nil
}

// destinationBuckets are the names of the buckets the rules replicate into (arn:<partition>:s3:::<name>).
func (c *replicationConfiguration) destinationBuckets() []string {
	var out []string
	for _, r := range c.Rules {
		if i := strings.LastIndex(r.Destination.Bucket, ":"); i >= 0 {
			out = append(out, r.Destination.Bucket[i+1:])
		}
	}
	return out
}

// putBucketReplication checks a configuration as S3 does and keeps it where the server has no replication.
func (l *Layer) putBucketReplication(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(replicationBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	body, ok := l.readBody(w, r)
	if !ok {
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	config, err := parseReplication(body)
	refusal := config.checkSchema()
	if err != nil {
		refusal = s3proxy.ErrMalformedXML
	}
	if refusal == nil {
		if v := l.versioningOf(bucket); v != "" && v != versioningEnabled {
			refusal = errSourceUnversioned
		}
	}
	if refusal == nil {
		refusal = config.checkRules()
	}
	for _, dest := range config.destinationBuckets() {
		if v := l.versioningOf(dest); refusal == nil && v != "" && v != versioningEnabled {
			refusal = errDestinationUnversioned
		}
	}
	if refusal != nil {
		l.refuse(w, r, refusal)
		return
	}

	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	if !isNotImplemented(buf) {
		if buf.Status/100 == 2 {
			l.setReplication(bucket, nil) // the server keeps it itself
		}
		passOn(w, buf)
		return
	}
	for i := range config.Rules {
		if config.Rules[i].ID == nil || *config.Rules[i].ID == "" {
			id := newRuleID()
			config.Rules[i].ID = &id
		}
	}
	config.XMLName = xml.Name{Space: s3NS, Local: "ReplicationConfiguration"}
	l.setReplication(bucket, &config)
	h := w.Header()
	clearEntityHeaders(h)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// getBucketReplication answers with the configuration the layer keeps, where the server has none.
func (l *Layer) getBucketReplication(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(replicationBehaviour) || !l.HoldsReplication(bucket) {
		next.ServeHTTP(w, r)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	held := l.replicationOf(bucket) // read after the server answered, as fresh as its answer
	noneThere := buf.Status == http.StatusNotFound && errorCode(buf.Body.Bytes()) == "ReplicationConfigurationNotFoundError"
	if held == nil || (buf.Status/100 != 2 && !noneThere) {
		passOn(w, buf)
		return
	}
	clearEntityHeaders(w.Header())
	writeXML(w, http.StatusOK, held)
}

// deleteBucketReplication forgets the configuration and answers S3's 204 where the server has no replication.
func (l *Layer) deleteBucketReplication(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(replicationBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	switch {
	case isNotImplemented(buf):
		l.setReplication(bucket, nil)
		clearEntityHeaders(w.Header())
		w.WriteHeader(http.StatusNoContent)
	case buf.Status/100 == 2:
		l.setReplication(bucket, nil)
		passOn(w, buf)
	default:
		passOn(w, buf)
	}
}

// isNotImplemented reports whether the server answered that it has no such operation.
func isNotImplemented(buf *s3proxy.BufferedResponse) bool {
	return buf.Status == http.StatusNotImplemented && errorCode(buf.Body.Bytes()) == "NotImplemented"
}

// newRuleID is the ID a rule sent without one gets.
func newRuleID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return hex.EncodeToString(b)
}

// watchVersioning returns next, and while behaviour 10 is on, for PutBucketVersioning and
// GetBucketVersioning, next wrapped so that the layer learns the bucket's versioning from what the server
// took or answered. It changes nothing in the request or the answer.
func (l *Layer) watchVersioning(op s3proxy.Operation, next http.Handler) http.Handler {
	if (op.Name != "PutBucketVersioning" && op.Name != "GetBucketVersioning") || !l.isOn(replicationBehaviour) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if op.Name == "PutBucketVersioning" {
			body, ok := l.readBody(w, r)
			if !ok {
				return
			}
			status := versioningStatusOf(body)
			s3proxy.ForwardThen(w, r, next, func() {
				if status != "" {
					l.SetVersioning(op.Bucket, status)
				}
			})
			return
		}
		tee := &teeWriter{ResponseWriter: w}
		next.ServeHTTP(tee, r)
		if tee.status == http.StatusOK {
			l.SetVersioning(op.Bucket, versioningStatusOf(tee.body.Bytes()))
		}
	})
}

// versioningStatusOf is the Status of a VersioningConfiguration document; "" when it has none.
func versioningStatusOf(body []byte) string {
	var v struct {
		XMLName xml.Name
		Status  string `xml:"Status"`
	}
	if xml.Unmarshal(body, &v) != nil || v.XMLName.Local != "VersioningConfiguration" {
		return ""
	}
	return v.Status
}

// teeWriter passes an answer through unchanged and keeps its status and the start of its body.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

// maxTeeBody bounds what teeWriter keeps: a versioning answer is a few hundred bytes.
const maxTeeBody = 64 << 10

func (t *teeWriter) WriteHeader(status int) {
	if t.status == 0 && status >= 200 {
		t.status = status
	}
	t.ResponseWriter.WriteHeader(status)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	if room := maxTeeBody - t.body.Len(); room > 0 {
		t.body.Write(b[:min(len(b), room)])
	}
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the client's writer, for flushes.
func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
