package awsbehaviour

// Behaviour 3: who owns a bucket, and where it lives.
//
// Sources (Amazon S3 API Reference):
//   - Every bucket operation's x-amz-expected-bucket-owner (HeadBucket, GetBucketEncryption, ...): "If the
//     account ID that you provide does not match the actual owner of the bucket, the request fails with
//     the HTTP status code 403 Forbidden (access denied)"; CopyObject's x-amz-source-expected-bucket-owner
//     says the same of the source bucket.
//   - HeadBucket: "If the bucket does not exist or you do not have permission to access it, the HEAD
//     request returns a generic 400 Bad Request, 403 Forbidden or 404 Not Found code. A message body is not
//     included"; a 200 means the bucket exists and the caller may access it (s3:ListBucket); the answer
//     carries x-amz-bucket-region.
//   - Error responses: 301 PermanentRedirect, "The bucket that you are attempting to access must be
//     addressed using the specified endpoint"; 409 BucketAlreadyExists and BucketAlreadyOwnedByYou for
//     CreateBucket. The page shows no body for the redirect; the one written here is what S3 sends, as
//     client issues quote it (aws SDK and tool issues, e.g. yanganto/s3rs#18, JuliaCloud/AWSS3.jl#25):
//     Code, Message ("The bucket you are attempting to access must be addressed using the specified
//     endpoint. Please send all future requests to this endpoint."), Endpoint, Bucket, RequestId, HostId,
//     with the region in x-amz-bucket-region. A HEAD answer has no body.
//
// Chosen where AWS documents nothing: a redirect comes before the owner checks (it is routing); an
// Accessible foreign bucket's HeadBucket is answered 200 by the layer, so the bucket need not exist on
// the server, while every other request on it is forwarded (and meets whatever the server holds); an
// inaccessible one answers 403 AccessDenied to everything but HeadBucket (403, no body) and CreateBucket
// (409 BucketAlreadyExists).

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// Foreign describes a bucket the test account did not create through the proxy.
type Foreign struct {
	// Region is where the bucket lives; "" or the layer's region means the client's region.
	Region string
	// Owner is the owning account's ID; "" means the test account.
	Owner string
	// Accessible says the caller may use a bucket of another account (its policy grants the test account
	// access); otherwise every request on it is refused.
	Accessible bool
}

// EnableOwnership switches behaviour 3 on: x-amz-expected-bucket-owner and
// x-amz-source-expected-bucket-owner are checked against each bucket's owner (the test account unless
// ForeignBucket says otherwise), and foreign buckets redirect or refuse.
func (l *Layer) EnableOwnership() { l.switchOn(ownershipBehaviour) }

// ForeignBucket declares bucket as living in another region or belonging to another account, and switches
// behaviour 3 on.
func (l *Layer) ForeignBucket(bucket string, f Foreign) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.switchOn(ownershipBehaviour)
	l.foreign[bucket] = f
}

// where returns what the layer knows of bucket's owner and region, and whether behaviour 3 is on.
func (l *Layer) where(bucket string) (f Foreign, foreign, on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, foreign = l.foreign[bucket]
	if f.Owner == "" {
		f.Owner = l.account
	}
	if f.Region == "" {
		f.Region = l.region
	}
	return f, foreign, l.isOn(ownershipBehaviour)
}

// ownerOf is bucket's owning account.
func (l *Layer) ownerOf(bucket string) string {
	f, _, _ := l.where(bucket)
	return f.Owner
}

// refuseForeignCreate answers CreateBucket for a name that a foreign bucket holds, and reports whether it
// did: bucket names are global.
func (l *Layer) refuseForeignCreate(w http.ResponseWriter, r *http.Request, bucket string) bool {
	f, foreign, on := l.where(bucket)
	switch {
	case !on || !foreign:
		return false
	case f.Owner != l.account:
		l.refuse(w, r, &s3proxy.Error{Status: http.StatusConflict, Code: "BucketAlreadyExists",
			Message: "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."})
	default:
		l.refuse(w, r, &s3proxy.Error{Status: http.StatusConflict, Code: "BucketAlreadyOwnedByYou",
			Message: "The bucket you tried to create already exists, and you own it."})
	}
	return true
}

// routeToOwner answers a request that AWS would not serve here: a bucket in another region, an expected
// owner that is not the owner, a foreign bucket the caller may not use; and HeadBucket on an accessible
// foreign bucket. It reports whether it answered.
func (l *Layer) routeToOwner(w http.ResponseWriter, r *http.Request, op s3proxy.Operation) bool {
	f, foreign, on := l.where(op.Bucket)
	if !on {
		return false
	}
	if foreign && f.Region != l.region {
		l.redirect(w, r, op.Bucket, f.Region)
		return true
	}
	if expected := r.Header.Get("X-Amz-Expected-Bucket-Owner"); expected != "" && expected != f.Owner {
		l.refuse(w, r, errAccessDenied)
		return true
	}
	if expected := r.Header.Get("X-Amz-Source-Expected-Bucket-Owner"); expected != "" {
		if src, _, ok := copySource(r); ok && expected != l.ownerOf(src) {
			l.refuse(w, r, errAccessDenied)
			return true
		}
	}
	if !foreign {
		return false
	}
	switch {
	case f.Owner != l.account && !f.Accessible:
		if op.Name == "HeadBucket" {
			w.Header().Set("X-Amz-Bucket-Region", f.Region)
		}
		l.refuse(w, r, errAccessDenied) // a HEAD answer carries no body
	case op.Name == "HeadBucket":
		w.Header().Set("X-Amz-Bucket-Region", f.Region)
		w.WriteHeader(http.StatusOK)
	default:
		return false
	}
	return true
}

// permanentRedirect is the body of S3's 301 PermanentRedirect.
type permanentRedirect struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Endpoint  string   `xml:"Endpoint"`
	Bucket    string   `xml:"Bucket"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// redirect answers 301 PermanentRedirect for a bucket in region.
func (l *Layer) redirect(w http.ResponseWriter, r *http.Request, bucket, region string) {
	l.refused.Add()
	id := requestID()
	h := w.Header()
	h.Set("X-Amz-Bucket-Region", region)
	h.Set("X-Amz-Request-Id", id)
	h.Set("X-Amz-Id-2", id)
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}
	writeXML(w, http.StatusMovedPermanently, permanentRedirect{
		Code:      "PermanentRedirect",
		Message:   "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
		Endpoint:  bucket + ".s3." + region + ".amazonaws.com",
		Bucket:    bucket,
		RequestID: id,
		HostID:    id,
	})
}

// copySource reads x-amz-copy-source ("bucket/key" or "/bucket/key", URL-encoded, with an optional
// "?versionId="). Access point ARNs are not understood: ok is false.
func copySource(r *http.Request) (bucket, key string, ok bool) {
	return parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
}

func parseCopySource(h string) (bucket, key string, ok bool) {
	path, _, _ := strings.Cut(h, "?")
	path, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil || strings.HasPrefix(path, "arn:") {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", false
	}
	return bucket, key, true
}

// copySourceVersion is the versionId of x-amz-copy-source, "" for the current version.
func copySourceVersion(r *http.Request) string {
	_, query, _ := strings.Cut(r.Header.Get("X-Amz-Copy-Source"), "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return ""
	}
	return q.Get("versionId")
}
