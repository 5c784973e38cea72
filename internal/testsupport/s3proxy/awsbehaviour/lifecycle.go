package awsbehaviour

// Behaviour 9: lifecycle configurations with transitions, which Amazon S3 takes and SeaweedFS refuses.
//
// Sources:
//   - PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration and DeleteBucketLifecycle (Amazon S3
//     API Reference): a configuration replaces the bucket's whole configuration; the put answers 200 with
//     an empty body, the get the LifecycleConfiguration document, both with the
//     x-amz-transition-default-minimum-object-size header, all_storage_classes_128K unless the put's
//     header of that name chose varies_by_storage_class; the delete answers 204 No Content.
//   - Transition and NoncurrentVersionTransition (same reference): a transition names one of the storage
//     classes GLACIER, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, DEEP_ARCHIVE and GLACIER_IR; a
//     Transition has Days or Date, a NoncurrentVersionTransition NoncurrentDays.
//   - "Transitioning objects using Amazon S3 Lifecycle" (Amazon S3 User Guide), its constraints: objects are
//     stored at least 30 days before a transition to S3 Standard-IA or S3 One Zone-IA, and noncurrent
//     versions transition there only once at least 30 days noncurrent. (The API reference's Transition
//     says "greater than 30"; 30 itself is taken, as the user guide says.)
//
// AWS documents no message for the refusals; these are S3's words as users quote them, or chosen:
//   - A Transition to either IA class under 30 days answers 400 InvalidArgument "'Days' in Transition
//     action must be greater than or equal to 30 for storageClass 'STANDARD_IA'" (quoted in aws-cdk and
//     Terraform configurations, and expected by OVH's S3 lifecycle tests). A NoncurrentVersionTransition
//     answers the same with 'NoncurrentDays' in NoncurrentVersionTransition action, chosen by analogy with
//     S3's "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"
//     (hashicorp/terraform-provider-aws#35328). Negative days answer 400 InvalidArgument "... must be
//     nonnegative", as S3 emulators word it (chosen).
//   - A document with a transition that is not a LifecycleConfiguration, a rule of it whose Status is
//     neither Enabled nor Disabled or that holds an element S3 does not define, a transition without a
//     storage class S3 defines, a Transition with neither or both of Days and Date, and a
//     NoncurrentVersionTransition without NoncurrentDays answer 400 MalformedXML, as a document that does
//     not validate against S3's schema does.
//   - The x-amz-transition-default-minimum-object-size a put sends is kept as sent.
//
// Nothing else of S3's lifecycle rules is checked here (rule IDs, filters, the order of actions, dates).
//
// SeaweedFS's PutBucketLifecycleConfiguration checks the caller and the bucket, parses the document, and
// then answers 501 NotImplemented to any enabled rule with a Transition or NoncurrentVersionTransition,
// before it stores anything (seaweedfs_test.go checks the 501 and NoSuchBucket); it takes transitions in
// disabled rules, and answers a GetBucketLifecycleConfiguration with the document it stored, as sent. So a PutBucketLifecycleConfiguration with a transition is checked here
// first (a refusal never reaches the server), then forwarded as sent, so that the server still judges the
// caller and the bucket: when it answers 501 NotImplemented, the layer keeps the configuration for the
// bucket and answers 200 itself; any other answer passes on, and a 2xx one drops what the layer kept.
// While the layer keeps a bucket's configuration, a GetBucketLifecycleConfiguration is forwarded all the
// same and its 200 or 404 NoSuchLifecycleConfiguration answer replaced by the kept configuration, encoded
// afresh in S3's namespace. A PutBucketLifecycleConfiguration without transitions, a
// DeleteBucketLifecycle and a DeleteBucket forget it once the server took them; a DeleteBucketLifecycle
// the server answers 404 NoSuchLifecycleConfiguration then answers S3's 204.
//
// What the tests cannot show this way: nothing runs a lifecycle here, so no version ever moves to the
// storage class a transition names (ListObjectVersions reports STANDARD unless a test declares the
// version archived, behaviour 6), and the minimum object size is only reported. While the layer keeps a
// configuration, the server keeps the one it had before and would go on applying it (in days, so never
// within a test). The layer sees no change made behind its back, by a client talking to the server
// directly; ForgetLifecycle declares one.

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// The header of the default minimum object size, and its default.
const (
	minimumObjectSizeHeader  = "X-Amz-Transition-Default-Minimum-Object-Size"
	defaultMinimumObjectSize = "all_storage_classes_128K"
)

// transitionClasses are the storage classes a transition may name.
var transitionClasses = []string{"GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"}

// minimumIADays is how long an object stays, or a version is noncurrent, before it may move to an IA class.
const minimumIADays = 30

// StoreLifecycleTransitions switches behaviour 9 on: lifecycle configurations with transitions that pass
// through the layer from now on are kept and answered here, where SeaweedFS refuses them.
func (l *Layer) StoreLifecycleTransitions() { l.switchOn(lifecycleBehaviour) }

// HoldsLifecycle reports whether the layer keeps bucket's lifecycle configuration, and so answers for it.
func (l *Layer) HoldsLifecycle(bucket string) bool {
	return l.lifecycleOf(bucket) != nil
}

// ForgetLifecycle declares that bucket's lifecycle configuration was changed behind the layer's back (on
// the server directly): the layer forgets the one it kept, and the server answers for the bucket again.
func (l *Layer) ForgetLifecycle(bucket string) {
	l.setLifecycle(bucket, nil)
}

// lifecycleOf returns the configuration the layer keeps for bucket, or nil; one is never changed, only
// replaced.
func (l *Layer) lifecycleOf(bucket string) (h *heldLifecycle) {
	l.read(bucket, func(b *bucketState) { h = b.lifecycle })
	return h
}

func (l *Layer) setLifecycle(bucket string, h *heldLifecycle) {
	l.read(bucket, func(b *bucketState) { b.lifecycle = h })
}

// heldLifecycle is a configuration the layer answers for.
type heldLifecycle struct {
	config            lifecycleConfiguration
	minimumObjectSize string
}

// lifecycleConfiguration is the document of PutBucketLifecycleConfiguration and
// GetBucketLifecycleConfiguration, root LifecycleConfiguration. XMLName carries the namespace of an answer.
type lifecycleConfiguration struct {
	XMLName xml.Name
	Rules   []lifecycleRule `xml:"Rule"`
}

// lifecycleRule has every element S3 defines for a rule; the pointers tell an element sent empty from one
// left out, so that a rule reads back as sent.
type lifecycleRule struct {
	ID                             *string                 `xml:"ID"`
	Filter                         *lifecycleFilter        `xml:"Filter"`
	Prefix                         *string                 `xml:"Prefix"` // the filter of rules older than Filter
	Status                         string                  `xml:"Status"`
	Transitions                    []transition            `xml:"Transition"`
	NoncurrentVersionTransitions   []noncurrentTransition  `xml:"NoncurrentVersionTransition"`
	Expiration                     *lifecycleExpiration    `xml:"Expiration"`
	NoncurrentVersionExpiration    *noncurrentExpiration   `xml:"NoncurrentVersionExpiration"`
	AbortIncompleteMultipartUpload *abortIncompleteUploads `xml:"AbortIncompleteMultipartUpload"`
	Unknown                        []unknownElement        `xml:",any"`
}

type lifecycleFilter struct {
	Prefix                *string       `xml:"Prefix"`
	Tag                   *tag          `xml:"Tag"`
	ObjectSizeGreaterThan *int64        `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64        `xml:"ObjectSizeLessThan"`
	And                   *lifecycleAnd `xml:"And"`
}

type lifecycleAnd struct {
	Prefix                *string `xml:"Prefix"`
	Tags                  []tag   `xml:"Tag"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan"`
}

type transition struct {
	Date         *string `xml:"Date"`
	Days         *int    `xml:"Days"`
	StorageClass string  `xml:"StorageClass"`
}

type noncurrentTransition struct {
	NoncurrentDays          *int   `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int   `xml:"NewerNoncurrentVersions"`
	StorageClass            string `xml:"StorageClass"`
}

type lifecycleExpiration struct {
	Date                      *string `xml:"Date"`
	Days                      *int    `xml:"Days"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
}

type noncurrentExpiration struct {
	NoncurrentDays          *int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int `xml:"NewerNoncurrentVersions"`
}

type abortIncompleteUploads struct {
	DaysAfterInitiation *int `xml:"DaysAfterInitiation"`
}

// unknownElement is an element of a rule that S3 does not define.
type unknownElement struct {
	XMLName xml.Name
}

// hasTransitions reports whether any rule has a transition, enabled or not: the layer judges those
// documents, the server all others.
func (c *lifecycleConfiguration) hasTransitions() bool {
	return slices.ContainsFunc(c.Rules, func(r lifecycleRule) bool {
		return len(r.Transitions) > 0 || len(r.NoncurrentVersionTransitions) > 0
	})
}

// check answers what S3 would refuse the document with, or nil.
func (c *lifecycleConfiguration) check() *s3proxy.Error {
	if c.XMLName.Local != "LifecycleConfiguration" {
		return s3proxy.ErrMalformedXML
	}
	for _, r := range c.Rules {
		if len(r.Unknown) > 0 || (r.Status != "Enabled" && r.Status != "Disabled") {
			return s3proxy.ErrMalformedXML
		}
		for _, t := range r.Transitions {
			if !slices.Contains(transitionClasses, t.StorageClass) || (t.Days == nil) == (t.Date == nil) {
				return s3proxy.ErrMalformedXML
			}
			if t.Days != nil {
				if err := checkDays("Days", "Transition", *t.Days, t.StorageClass); err != nil {
					return err
				}
			}
		}
		for _, t := range r.NoncurrentVersionTransitions {
			if !slices.Contains(transitionClasses, t.StorageClass) || t.NoncurrentDays == nil {
				return s3proxy.ErrMalformedXML
			}
			if err := checkDays("NoncurrentDays", "NoncurrentVersionTransition", *t.NoncurrentDays, t.StorageClass); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDays refuses a transition's days that S3 refuses for its storage class.
func checkDays(field, action string, days int, class string) *s3proxy.Error {
	switch {
	case days < 0:
		return invalidArgument("'" + field + "' in " + action + " action must be nonnegative")
	case days < minimumIADays && (class == "STANDARD_IA" || class == "ONEZONE_IA"):
		return invalidArgument("'" + field + "' in " + action + " action must be greater than or equal to " +
			strconv.Itoa(minimumIADays) + " for storageClass '" + class + "'")
	}
	return nil
}

func invalidArgument(message string) *s3proxy.Error {
	return &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: message}
}

// parseLifecycle reads a document of any root, so that check can refuse the wrong one.
func parseLifecycle(body []byte) (lifecycleConfiguration, error) {
	var c lifecycleConfiguration
	err := xml.Unmarshal(body, &c)
	return c, err
}

// putBucketLifecycle keeps a configuration with transitions the server refuses only for them, and lets the
// server have every other.
func (l *Layer) putBucketLifecycle(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(lifecycleBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	body, ok := l.readBody(w, r)
	if !ok {
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	config, err := parseLifecycle(body)
	if err != nil || !config.hasTransitions() {
		// The server judges it; once it took it, it is the bucket's configuration.
		s3proxy.ForwardThen(w, r, next, func() { l.setLifecycle(bucket, nil) })
		return
	}
	if refusal := config.check(); refusal != nil {
		l.refuse(w, r, refusal)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	if buf.Status != http.StatusNotImplemented || errorCode(buf.Body.Bytes()) != "NotImplemented" {
		if buf.Status/100 == 2 {
			l.setLifecycle(bucket, nil) // the server took the transitions itself
		}
		passOn(w, buf)
		return
	}
	minimum := r.Header.Get(minimumObjectSizeHeader)
	if minimum == "" {
		minimum = defaultMinimumObjectSize
	}
	config.XMLName = xml.Name{Space: s3NS, Local: "LifecycleConfiguration"}
	l.setLifecycle(bucket, &heldLifecycle{config: config, minimumObjectSize: minimum})
	h := w.Header()
	clearEntityHeaders(h)
	h.Set(minimumObjectSizeHeader, minimum)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// getBucketLifecycle answers with the configuration the layer keeps, where the server has another or none.
func (l *Layer) getBucketLifecycle(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(lifecycleBehaviour) || !l.HoldsLifecycle(bucket) {
		next.ServeHTTP(w, r)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	held := l.lifecycleOf(bucket) // read after the server answered, as fresh as its answer
	if held == nil || (buf.Status/100 != 2 && !isNoSuchLifecycle(buf)) {
		passOn(w, buf)
		return
	}
	clearEntityHeaders(w.Header())
	w.Header().Set(minimumObjectSizeHeader, held.minimumObjectSize)
	writeXML(w, http.StatusOK, held.config)
}

// deleteBucketLifecycle forgets the configuration once the server deleted its own, and answers S3's 204
// where the server had none left to delete.
func (l *Layer) deleteBucketLifecycle(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(lifecycleBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	if !l.HoldsLifecycle(bucket) {
		next.ServeHTTP(w, r)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	switch {
	case buf.Status/100 == 2:
		l.setLifecycle(bucket, nil)
		passOn(w, buf)
	case isNoSuchLifecycle(buf):
		l.setLifecycle(bucket, nil)
		clearEntityHeaders(w.Header())
		w.WriteHeader(http.StatusNoContent)
	default:
		passOn(w, buf)
	}
}

// isNoSuchLifecycle reports whether the server answered that the bucket has no configuration.
func isNoSuchLifecycle(buf *s3proxy.BufferedResponse) bool {
	return buf.Status == http.StatusNotFound && errorCode(buf.Body.Bytes()) == "NoSuchLifecycleConfiguration"
}
