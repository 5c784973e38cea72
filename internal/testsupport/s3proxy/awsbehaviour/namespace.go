package awsbehaviour

// Behaviour 7: bucket namespaces. Since March 2026 an account may create general purpose buckets in its own
// account regional namespace, which no other account can use.
//
// Sources:
//   - "Namespaces for general purpose buckets" (S3 User Guide): CreateBucket with the x-amz-bucket-namespace
//     request header set to account-regional creates the bucket in the account regional namespace, whose
//     names are <prefix>-<12-digit account ID>-<region code>-an, with the full region code of the region the
//     bucket is created in; "If another account attempts to create a bucket with your account regional
//     suffix, the CreateBucket request will be rejected."
//   - "General purpose bucket naming rules": "Bucket names can only end with the suffix -an when you are
//     creating buckets in your account regional namespace"; a name S3 refuses answers 400 InvalidBucketName,
//     "The specified bucket is not valid." (Amazon S3 API Reference, "Error responses").
//   - CreateBucket (API Reference, and aws-sdk-go-v2's serializer): the header is X-Amz-Bucket-Namespace,
//     with the values account-regional and global.
//
// Not in AWS's documentation, and taken from what S3 answers as its users and emulators quote it:
//   - A name of the account regional form without the header: 400 MissingNamespaceHeader, "The requested
//     bucket is an account-regional namespace bucket, but your request is missing the required
//     x-amz-bucket-namespace header." (ansible-collections/amazon.aws#2935, S3's answer to botocore).
//   - The header with a name that does not end with the caller's suffix for the region: 400
//     InvalidNamespaceHeader, with the message getmoto/moto#9871 answers ("The requested bucket name did not
//     include the account-regional namespace suffix, ..."). A name with another account's suffix gets the same
//     answer (it does not include the caller's suffix): a choice, since AWS only says such a request "will be
//     rejected".
//
// Chosen: x-amz-bucket-namespace: global counts as no header; any other value answers 400
// InvalidBucketNamespace. The region of the bucket is CreateBucketConfiguration's LocationConstraint, else
// the layer's region (the one the client talks to).
//
// SeaweedFS ignores the header and accepts names ending in -an either way (seaweedfs_test.go), so the layer
// holds the rules, and remembers the namespace of each bucket created through it (NamespaceOf), with or
// without the behaviour on, for tests to assert.

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// The namespaces, as x-amz-bucket-namespace names them.
const (
	NamespaceGlobal          = "global"
	NamespaceAccountRegional = "account-regional"
)

// namespaceHeader is CreateBucket's request header naming the namespace.
const namespaceHeader = "X-Amz-Bucket-Namespace"

// accountRegionalName is <prefix>-<12-digit account>-<region code>-an, of any account and region.
var accountRegionalName = regexp.MustCompile(`^.+-[0-9]{12}-[a-z]{2,}(-[a-z]+)+-[0-9]+-an$`)

var (
	errMissingNamespaceHeader = &s3proxy.Error{Status: http.StatusBadRequest, Code: "MissingNamespaceHeader",
		Message: "The requested bucket is an account-regional namespace bucket, but your request is missing the required x-amz-bucket-namespace header."}
	errInvalidBucketName = &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidBucketName", Message: "The specified bucket is not valid."}
	errInvalidNamespace  = &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidBucketNamespace",
		Message: "The x-amz-bucket-namespace header must be account-regional or global."}
)

// errInvalidNamespaceHeader answers the header with a name that is not in the caller's namespace in region.
func errInvalidNamespaceHeader(account, region string) *s3proxy.Error {
	return &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidNamespaceHeader",
		Message: "The requested bucket name did not include the account-regional namespace suffix, but the provided " +
			"x-amz-bucket-namespace header value is account-regional. Specify -" + account + "-" + region + "-an as the " +
			"bucket name suffix to create a bucket in your account-regional namespace, or remove the header."}
}

// EnforceBucketNamespaces switches behaviour 7 on or off: while on, CreateBucket checks the name against the
// namespace the request asks for.
func (l *Layer) EnforceBucketNamespaces(on bool) {
	if on {
		l.switchOn(namespacesBehaviour)
	} else {
		l.on.And(^uint32(namespacesBehaviour))
	}
}

// NamespaceOf reports the namespace bucket was created in through the proxy (NamespaceGlobal or
// NamespaceAccountRegional), or "" for a bucket the layer did not see created, or saw deleted since.
func (l *Layer) NamespaceOf(bucket string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucket(bucket).namespace
}

// requestedNamespace is the namespace a CreateBucket asks for.
func requestedNamespace(r *http.Request) string {
	if strings.EqualFold(r.Header.Get(namespaceHeader), NamespaceAccountRegional) {
		return NamespaceAccountRegional
	}
	return NamespaceGlobal
}

// refuseNamespace answers a CreateBucket whose name does not belong in the namespace it asks for, and
// reports whether it did.
func (l *Layer) refuseNamespace(w http.ResponseWriter, r *http.Request, bucket string) bool {
	if !l.isOn(namespacesBehaviour) {
		return false
	}
	switch v := r.Header.Get(namespaceHeader); {
	case v != "" && !strings.EqualFold(v, NamespaceGlobal) && !strings.EqualFold(v, NamespaceAccountRegional):
		l.refuse(w, r, errInvalidNamespace)
		return true
	case requestedNamespace(r) == NamespaceGlobal && accountRegionalName.MatchString(bucket):
		l.refuse(w, r, errMissingNamespaceHeader)
		return true
	case requestedNamespace(r) == NamespaceGlobal && strings.HasSuffix(bucket, "-an"):
		l.refuse(w, r, errInvalidBucketName)
		return true
	case requestedNamespace(r) == NamespaceGlobal:
		return false
	}
	region, refusal := l.createRegion(r)
	if refusal != nil {
		l.refuse(w, r, refusal)
		return true
	}
	suffix := "-" + l.account + "-" + region + "-an"
	if !strings.HasSuffix(bucket, suffix) || len(bucket) == len(suffix) {
		l.refuse(w, r, errInvalidNamespaceHeader(l.account, region))
		return true
	}
	return false
}

// createRegion is the region a CreateBucket creates its bucket in: its LocationConstraint, else the layer's.
func (l *Layer) createRegion(r *http.Request) (string, *s3proxy.Error) {
	body, refusal := s3proxy.ReadBody(r)
	if refusal != nil {
		return "", refusal
	}
	if len(body) == 0 {
		return l.region, nil
	}
	var cfg struct {
		XMLName            xml.Name `xml:"CreateBucketConfiguration"`
		LocationConstraint string   `xml:"LocationConstraint"`
	}
	if xml.Unmarshal(body, &cfg) != nil {
		return "", s3proxy.ErrMalformedXML
	}
	if cfg.LocationConstraint == "" {
		return l.region, nil
	}
	return cfg.LocationConstraint, nil
}
