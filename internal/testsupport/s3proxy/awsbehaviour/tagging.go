package awsbehaviour

// Behaviour 4: system tags, the aws:-prefixed tags AWS services (CloudFormation, Service Catalog) put on a
// bucket.
//
// Sources:
//   - PutBucketTagging (Amazon S3 API Reference): it replaces the whole tag set; a tag that does not pass
//     validation answers InvalidTag (documented as "InvalidTagError": "The tag provided was not a valid
//     tag. This error can occur if the tag did not pass input validation"), 400 Bad Request.
//   - "User-defined tag restrictions" / "AWS-generated cost allocation tag restrictions" (Billing User
//     Guide) and the tagging best practices: the aws: prefix is reserved for AWS; tags with it cannot be
//     edited or deleted, and users cannot create them.
//   - The messages are not in AWS's documentation; they are S3's own words as users quote them:
//     "System Tags cannot be removed by requester" (hashicorp/terraform-provider-aws#7323,
//     cloud-custodian/cloud-custodian#2834) for a tag set that leaves a system tag out, and "Your TagKey
//     cannot be prefixed with aws:" (cloud-custodian/cloud-custodian#370) for a new aws: key. A tag set
//     that changes a system tag's value is answered as one that removes it (the old tag goes), a choice.
//   - GetBucketTagging: a bucket without tags answers 404 NoSuchTagSet; system tags are part of the set
//     GetBucketTagging returns (which is why a PutBucketTagging must carry them back).
//
// Not documented, and chosen: DeleteBucketTagging on a bucket with system tags. It would remove them, so it
// answers 400 InvalidTag "System Tags cannot be removed by requester"; terraform-provider-aws, for one,
// never sends it while system tags remain (it puts them back with PutBucketTagging instead).
//
// SeaweedFS accepts aws: keys in PutBucketTagging (its tag validation allows ':'), so a tag set that keeps
// the system tags is forwarded as sent, system tags included, and SeaweedFS stores them too; the body is
// never rewritten (see the package comment). GetBucketTagging answers merge the declared system tags in
// (their values win), so they show even for a bucket whose server-side tags never had them.

import (
	"bytes"
	"encoding/xml"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// s3NS is the namespace of S3's documents.
const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// systemPrefix starts every system tag key.
const systemPrefix = "aws:"

var (
	errSystemTagRemoved = &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidTag", Message: "System Tags cannot be removed by requester"}
	errSystemTagAdded   = &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidTag", Message: "Your TagKey cannot be prefixed with aws:"}
)

// SetSystemTags declares bucket's system tags and switches behaviour 4 on; every key must start with
// "aws:". An empty map takes them away. The declaration outlives DeleteBucket, as the name's.
func (l *Layer) SetSystemTags(bucket string, tags map[string]string) {
	for k := range tags {
		if !isSystemKey(k) {
			panic("awsbehaviour: SetSystemTags: " + strconv.Quote(k) + " is not a system tag (no aws: prefix)")
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.switchOn(systemTagsBehaviour)
	b := l.bucket(bucket)
	b.systemTags = nil
	if len(tags) > 0 {
		b.systemTags = maps.Clone(tags)
	}
}

// isSystemKey reports whether a tag key has AWS's reserved prefix, in any case.
func isSystemKey(k string) bool {
	return len(k) >= len(systemPrefix) && strings.EqualFold(k[:len(systemPrefix)], systemPrefix)
}

// systemTagsOf returns whether behaviour 4 is on and bucket's system tags.
func (l *Layer) systemTagsOf(bucket string) (bool, map[string]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.isOn(systemTagsBehaviour), maps.Clone(l.bucket(bucket).systemTags)
}

// tagging is the document of GetBucketTagging and PutBucketTagging, root Tagging. XMLName carries the
// namespace of an answer (a tag on it would override the value's namespace).
type tagging struct {
	XMLName xml.Name
	TagSet  []tag `xml:"TagSet>Tag"`
}

// parseTagging reads a Tagging document.
func parseTagging(body []byte) (tagging, error) {
	var t tagging
	if err := xml.Unmarshal(body, &t); err != nil {
		return tagging{}, err
	}
	if t.XMLName.Local != "Tagging" {
		return tagging{}, errUnexpectedRoot
	}
	return t, nil
}

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// getBucketTagging adds the bucket's system tags to the server's tag set.
func (l *Layer) getBucketTagging(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if on, system := l.systemTagsOf(bucket); !on || len(system) == 0 {
		next.ServeHTTP(w, r)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	// Read after the server answered, so the answer is as fresh as the server's.
	_, system := l.systemTagsOf(bucket)
	var set []tag
	switch {
	case len(system) == 0:
		passOn(w, buf)
		return
	case buf.Status/100 == 2:
		t, err := parseTagging(buf.Body.Bytes())
		if err != nil {
			passOn(w, buf)
			return
		}
		set = t.TagSet
	case buf.Status == http.StatusNotFound && errorCode(buf.Body.Bytes()) == "NoSuchTagSet":
		// The system tags are the only tags.
	default:
		passOn(w, buf)
		return
	}
	var merged []tag
	for _, t := range set {
		if v, ok := system[t.Key]; ok {
			t.Value = v
			delete(system, t.Key)
		}
		merged = append(merged, t)
	}
	for _, k := range slices.Sorted(maps.Keys(system)) {
		merged = append(merged, tag{Key: k, Value: system[k]})
	}
	clearEntityHeaders(w.Header())
	writeXML(w, http.StatusOK, tagging{XMLName: xml.Name{Space: s3NS, Local: "Tagging"}, TagSet: merged})
}

// putBucketTagging refuses a tag set that removes or changes a system tag or adds an aws: key, and
// forwards any other as sent.
func (l *Layer) putBucketTagging(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	on, system := l.systemTagsOf(bucket)
	if !on {
		next.ServeHTTP(w, r)
		return
	}
	body, ok := l.readBody(w, r)
	if !ok {
		return
	}
	t, err := parseTagging(body)
	if err != nil {
		next.ServeHTTP(w, r) // the server refuses what it cannot read, as without the layer
		return
	}
	sent := make(map[string]string, len(t.TagSet))
	for _, tg := range t.TagSet {
		sent[tg.Key] = tg.Value
		if _, ok := system[tg.Key]; isSystemKey(tg.Key) && !ok {
			l.refuse(w, r, errSystemTagAdded)
			return
		}
	}
	for k, v := range system {
		if got, ok := sent[k]; !ok || got != v {
			l.refuse(w, r, errSystemTagRemoved)
			return
		}
	}
	next.ServeHTTP(w, r)
}

// deleteBucketTagging refuses to delete a tag set that holds system tags.
func (l *Layer) deleteBucketTagging(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if on, system := l.systemTagsOf(bucket); on && len(system) > 0 {
		l.refuse(w, r, errSystemTagRemoved)
		return
	}
	next.ServeHTTP(w, r)
}

// passOn writes a held-back answer as the server gave it.
func passOn(w http.ResponseWriter, buf *s3proxy.BufferedResponse) {
	if buf.Status == 0 {
		buf.Status = http.StatusOK
	}
	w.WriteHeader(buf.Status)
	_, _ = w.Write(buf.Body.Bytes())
}

// clearEntityHeaders drops the server's headers that describe a body the layer replaces; writeXML sets
// its own Content-Type and Content-Length.
func clearEntityHeaders(h http.Header) {
	for _, k := range []string{"Content-Length", "Content-Type", "Content-Md5", "Etag", "Content-Encoding"} {
		h.Del(k)
	}
}

// errorCode returns the Code of an S3 error document, or "".
func errorCode(body []byte) string {
	var e struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
	}
	if xml.NewDecoder(bytes.NewReader(body)).Decode(&e) != nil {
		return ""
	}
	return e.Code
}
