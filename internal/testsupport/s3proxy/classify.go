package s3proxy

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Unknown is the operation name of a request Classify cannot name.
const Unknown = "Unknown"

// STS is the operation name of any request signed for AWS STS (SeaweedFS answers GetCallerIdentity on its
// S3 port, so the provider's account lookup comes through the proxy too).
const STS = "STS"

// Operation identifies an S3 API request. Name is the AWS API operation name, the one the AWS SDK reports
// for the call (GetBucketVersioning, PutObject, DeleteBucketLifecycle, ...), or Unknown. S3 Control's
// account-level public access block operations, which the SDK reports as GetPublicAccessBlock,
// PutPublicAccessBlock and DeletePublicAccessBlock like the bucket-level ones, are named after their IAM
// actions instead (GetAccountPublicAccessBlock, ...), so that counts and layers tell the two apart.
// Browser requests that no SDK sends have names of their own: PreflightObject (a CORS preflight on a bucket
// or object URL, "OPTIONS object" in the API Reference) and PostObject (a form upload to the bucket URL,
// "POST Object").
type Operation struct {
	Name   string
	Bucket string // "" for service-level requests (ListBuckets) and S3 Control requests
	Key    string // decoded object key; "" for bucket- and service-level requests
}

// Classify names the S3 operation of a path-style request from its method, path and query sub-resources,
// and the S3 Control requests it knows (see Operation) from their path and x-amz-account-id header,
// whatever the Host. It reads no body and changes nothing, so it is safe on a request that is about to be
// forwarded.
func Classify(r *http.Request) Operation {
	return Classifier{}.Classify(r)
}

// Classifier names S3 operations. The zero value understands path-style addressing only.
type Classifier struct {
	// BaseDomain, when set, adds virtual-hosted-style addressing: a request whose Host, port ignored, is
	// "<bucket>.<BaseDomain>" addresses that bucket, and its whole path is the key. Any other host, BaseDomain
	// itself included, is path-style. Without a base domain a host such as "a.b.example" could be a bucket
	// or a server, so virtual-hosted style is never guessed.
	BaseDomain string
}

// Classify names the S3 operation of r.
func (c Classifier) Classify(r *http.Request) Operation {
	if name := controlOperation(r); name != "" {
		return Operation{Name: name}
	}
	if strings.Contains(r.Header.Get("Authorization"), "/sts/aws4_request") {
		return Operation{Name: STS}
	}
	bucket, key := c.address(r)
	op := Operation{Bucket: bucket, Key: key}
	q := r.URL.Query()
	switch {
	case bucket == "":
		op.Name = serviceOperation(r.Method, r.URL.Path)
	case r.Method == http.MethodOptions:
		// A browser's CORS preflight ("OPTIONS object" in the Amazon S3 API Reference), whatever the
		// sub-resources of the request it asks about.
		op.Name = "PreflightObject"
	case key == "":
		op.Name = bucketOperation(r.Method, q)
		if op.Name == "" && r.Method == http.MethodPost && isMultipartForm(r.Header) {
			// A browser's form upload ("POST Object"): the key is a form field.
			op.Name = "PostObject"
		}
	default:
		op.Name = objectOperation(r.Method, q, r.Header)
	}
	if op.Name == "" {
		op.Name = Unknown
	}
	return op
}

// address splits a request into bucket and key.
func (c Classifier) address(r *http.Request) (bucket, key string) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if b, ok := c.virtualHostBucket(r.Host); ok {
		return b, path
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

func (c Classifier) virtualHostBucket(host string) (string, bool) {
	if c.BaseDomain == "" {
		return "", false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	suffix := "." + strings.ToLower(strings.Trim(c.BaseDomain, "."))
	bucket, ok := strings.CutSuffix(host, suffix)
	if !ok || bucket == "" {
		return "", false
	}
	return bucket, true
}

// AccountPublicAccessBlockPath is the path of S3 Control's account-level public access block
// (API_control_GetPublicAccessBlock, API_control_PutPublicAccessBlock, API_control_DeletePublicAccessBlock in
// the Amazon S3 API Reference). The account is in the x-amz-account-id header, which S3 Control requires.
const AccountPublicAccessBlockPath = "/v20180820/configuration/publicAccessBlock"

// controlOperation names the S3 Control requests the proxy knows, or returns "". It goes by the path and the
// x-amz-account-id header alone: SDKs pointed at a custom endpoint may or may not put the account ID in
// front of the host, and with a base domain such a host would read as a bucket. Without the header the
// request is an ordinary S3 one (a key under a bucket named v20180820).
func controlOperation(r *http.Request) string {
	if r.Header.Get("X-Amz-Account-Id") == "" {
		return ""
	}
	if name := jobOperation(r); name != "" {
		return name
	}
	if r.URL.Path != AccountPublicAccessBlockPath {
		return ""
	}
	switch r.Method {
	case http.MethodGet:
		return "GetAccountPublicAccessBlock"
	case http.MethodPut:
		return "PutAccountPublicAccessBlock"
	case http.MethodDelete:
		return "DeleteAccountPublicAccessBlock"
	}
	return Unknown
}

// JobsPath is the path of S3 Control's Batch Operations jobs: POST creates one (API_control_CreateJob), GET
// lists them (API_control_ListJobs), and GET of JobsPath/{id} describes one (API_control_DescribeJob).
const JobsPath = "/v20180820/jobs"

// jobOperation names the Batch Operations requests the proxy knows, or returns "".
func jobOperation(r *http.Request) string {
	switch {
	case r.URL.Path == JobsPath && r.Method == http.MethodPost:
		return "CreateJob"
	case r.URL.Path == JobsPath && r.Method == http.MethodGet:
		return "ListJobs"
	case strings.HasPrefix(r.URL.Path, JobsPath+"/") && !strings.Contains(strings.TrimPrefix(r.URL.Path, JobsPath+"/"), "/") && r.Method == http.MethodGet:
		return "DescribeJob"
	}
	return ""
}

// isMultipartForm reports whether a request's body is multipart/form-data.
func isMultipartForm(h http.Header) bool {
	t, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && t == "multipart/form-data"
}

func serviceOperation(method, path string) string {
	if method == http.MethodGet && strings.Trim(path, "/") == "" {
		return "ListBuckets"
	}
	return ""
}

// subresource names the operations of one query sub-resource, by method; "" means no such operation.
// A request carrying a sub-resource is named by the first one present, in table order, and never falls back
// to the plain operation: DELETE ?versioning is Unknown, not DeleteBucket.
type subresource struct {
	query                  string
	get, put, delete, post string
}

var bucketSubresources = []subresource{
	{query: "versioning", get: "GetBucketVersioning", put: "PutBucketVersioning"},
	{query: "publicAccessBlock", get: "GetPublicAccessBlock", put: "PutPublicAccessBlock", delete: "DeletePublicAccessBlock"},
	{query: "ownershipControls", get: "GetBucketOwnershipControls", put: "PutBucketOwnershipControls", delete: "DeleteBucketOwnershipControls"},
	{query: "encryption", get: "GetBucketEncryption", put: "PutBucketEncryption", delete: "DeleteBucketEncryption"},
	{query: "policyStatus", get: "GetBucketPolicyStatus"},
	{query: "policy", get: "GetBucketPolicy", put: "PutBucketPolicy", delete: "DeleteBucketPolicy"},
	{query: "tagging", get: "GetBucketTagging", put: "PutBucketTagging", delete: "DeleteBucketTagging"},
	{query: "lifecycle", get: "GetBucketLifecycleConfiguration", put: "PutBucketLifecycleConfiguration", delete: "DeleteBucketLifecycle"},
	{query: "location", get: "GetBucketLocation"},
	{query: "acl", get: "GetBucketAcl", put: "PutBucketAcl"},
	{query: "cors", get: "GetBucketCors", put: "PutBucketCors", delete: "DeleteBucketCors"},
	{query: "website", get: "GetBucketWebsite", put: "PutBucketWebsite", delete: "DeleteBucketWebsite"},
	{query: "logging", get: "GetBucketLogging", put: "PutBucketLogging"},
	{query: "notification", get: "GetBucketNotificationConfiguration", put: "PutBucketNotificationConfiguration"},
	{query: "replication", get: "GetBucketReplication", put: "PutBucketReplication", delete: "DeleteBucketReplication"},
	{query: "object-lock", get: "GetObjectLockConfiguration", put: "PutObjectLockConfiguration"},
	{query: "accelerate", get: "GetBucketAccelerateConfiguration", put: "PutBucketAccelerateConfiguration"},
	{query: "requestPayment", get: "GetBucketRequestPayment", put: "PutBucketRequestPayment"},
	{query: "uploads", get: "ListMultipartUploads"},
	{query: "versions", get: "ListObjectVersions"},
	{query: "delete", post: "DeleteObjects"},
}

var objectSubresources = []subresource{
	{query: "tagging", get: "GetObjectTagging", put: "PutObjectTagging", delete: "DeleteObjectTagging"},
	{query: "acl", get: "GetObjectAcl", put: "PutObjectAcl"},
	{query: "retention", get: "GetObjectRetention", put: "PutObjectRetention"},
	{query: "legal-hold", get: "GetObjectLegalHold", put: "PutObjectLegalHold"},
	{query: "attributes", get: "GetObjectAttributes"},
	{query: "torrent", get: "GetObjectTorrent"},
	{query: "uploads", post: "CreateMultipartUpload"},
	// PUT ?partNumber&uploadId is UploadPart, or UploadPartCopy with a copy source; see objectOperation.
	{query: "uploadId", get: "ListParts", put: "UploadPart", delete: "AbortMultipartUpload", post: "CompleteMultipartUpload"},
	{query: "restore", post: "RestoreObject"},
	{query: "select", post: "SelectObjectContent"},
}

// lookup returns the operation of the first sub-resource present in q, and whether any was present.
func lookup(table []subresource, method string, q url.Values) (string, bool) {
	for _, s := range table {
		if !q.Has(s.query) {
			continue
		}
		switch method {
		case http.MethodGet:
			return s.get, true
		case http.MethodPut:
			return s.put, true
		case http.MethodDelete:
			return s.delete, true
		case http.MethodPost:
			return s.post, true
		}
		return "", true
	}
	return "", false
}

func bucketOperation(method string, q url.Values) string {
	if name, ok := lookup(bucketSubresources, method, q); ok {
		return name
	}
	switch method {
	case http.MethodGet:
		if q.Get("list-type") == "2" {
			return "ListObjectsV2"
		}
		return "ListObjects"
	case http.MethodHead:
		return "HeadBucket"
	case http.MethodPut:
		return "CreateBucket"
	case http.MethodDelete:
		return "DeleteBucket"
	}
	return ""
}

func objectOperation(method string, q url.Values, h http.Header) string {
	copySource := h.Get("X-Amz-Copy-Source") != ""
	if method == http.MethodHead {
		return "HeadObject" // HEAD ?partNumber and ?versionId are still HeadObject
	}
	if name, ok := lookup(objectSubresources, method, q); ok {
		if name == "UploadPart" {
			switch {
			case !q.Has("partNumber"):
				return ""
			case copySource:
				return "UploadPartCopy"
			}
		}
		return name
	}
	switch method {
	case http.MethodGet:
		return "GetObject"
	case http.MethodPut:
		if copySource {
			return "CopyObject"
		}
		return "PutObject"
	case http.MethodDelete:
		return "DeleteObject"
	}
	return ""
}
