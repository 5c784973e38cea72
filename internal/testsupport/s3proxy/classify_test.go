package s3proxy

import (
	"net/http"
	"testing"
)

func TestClassify(t *testing.T) {
	copySource := http.Header{"X-Amz-Copy-Source": {"/src-bucket/src-key"}}
	form := http.Header{"Content-Type": {"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"}}
	tests := []struct {
		method, target string
		header         http.Header
		want           Operation
	}{
		{"GET", "/", nil, Operation{Name: "ListBuckets"}},
		{"PUT", "/", nil, Operation{Name: Unknown}},
		{"PUT", "/pm-bucket", nil, Operation{Name: "CreateBucket", Bucket: "pm-bucket"}},
		{"PUT", "/pm-bucket/", nil, Operation{Name: "CreateBucket", Bucket: "pm-bucket"}},
		{"DELETE", "/pm-bucket", nil, Operation{Name: "DeleteBucket", Bucket: "pm-bucket"}},
		{"HEAD", "/pm-bucket", nil, Operation{Name: "HeadBucket", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?versioning", nil, Operation{Name: "GetBucketVersioning", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?versioning=", nil, Operation{Name: "GetBucketVersioning", Bucket: "pm-bucket"}},
		{"PUT", "/pm-bucket?versioning", nil, Operation{Name: "PutBucketVersioning", Bucket: "pm-bucket"}},
		{"DELETE", "/pm-bucket?versioning", nil, Operation{Name: Unknown, Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?publicAccessBlock", nil, Operation{Name: "GetPublicAccessBlock", Bucket: "pm-bucket"}},
		{"PUT", "/pm-bucket?publicAccessBlock", nil, Operation{Name: "PutPublicAccessBlock", Bucket: "pm-bucket"}},
		{"DELETE", "/pm-bucket?publicAccessBlock", nil, Operation{Name: "DeletePublicAccessBlock", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?ownershipControls", nil, Operation{Name: "GetBucketOwnershipControls", Bucket: "pm-bucket"}},
		{"PUT", "/pm-bucket?ownershipControls", nil, Operation{Name: "PutBucketOwnershipControls", Bucket: "pm-bucket"}},
		{"DELETE", "/pm-bucket?ownershipControls", nil, Operation{Name: "DeleteBucketOwnershipControls", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?encryption", nil, Operation{Name: "GetBucketEncryption", Bucket: "pm-bucket"}},
		{"PUT", "/pm-bucket?encryption", nil, Operation{Name: "PutBucketEncryption", Bucket: "pm-bucket"}},
		{"DELETE", "/pm-bucket?encryption", nil, Operation{Name: "DeleteBucketEncryption", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?policy", nil, Operation{Name: "GetBucketPolicy", Bucket: "pm-bucket"}},
		{"PUT", "/pm-bucket?policy", nil, Operation{Name: "PutBucketPolicy", Bucket: "pm-bucket"}},
		{"DELETE", "/pm-bucket?policy", nil, Operation{Name: "DeleteBucketPolicy", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?policyStatus", nil, Operation{Name: "GetBucketPolicyStatus", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?tagging", nil, Operation{Name: "GetBucketTagging", Bucket: "pm-bucket"}},
		{"PUT", "/pm-bucket?tagging", nil, Operation{Name: "PutBucketTagging", Bucket: "pm-bucket"}},
		{"DELETE", "/pm-bucket?tagging", nil, Operation{Name: "DeleteBucketTagging", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?lifecycle", nil, Operation{Name: "GetBucketLifecycleConfiguration", Bucket: "pm-bucket"}},
		{"PUT", "/pm-bucket?lifecycle", nil, Operation{Name: "PutBucketLifecycleConfiguration", Bucket: "pm-bucket"}},
		{"DELETE", "/pm-bucket?lifecycle", nil, Operation{Name: "DeleteBucketLifecycle", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?location", nil, Operation{Name: "GetBucketLocation", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?acl", nil, Operation{Name: "GetBucketAcl", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?cors", nil, Operation{Name: "GetBucketCors", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?object-lock", nil, Operation{Name: "GetObjectLockConfiguration", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?list-type=2&prefix=media%2F&x-id=ListObjectsV2", nil, Operation{Name: "ListObjectsV2", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?prefix=media%2F&delimiter=%2F", nil, Operation{Name: "ListObjects", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket", nil, Operation{Name: "ListObjects", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?versions&key-marker=a&version-id-marker=b", nil, Operation{Name: "ListObjectVersions", Bucket: "pm-bucket"}},
		{"GET", "/pm-bucket?uploads", nil, Operation{Name: "ListMultipartUploads", Bucket: "pm-bucket"}},
		{"POST", "/pm-bucket?delete", nil, Operation{Name: "DeleteObjects", Bucket: "pm-bucket"}},
		{"POST", "/pm-bucket", nil, Operation{Name: Unknown, Bucket: "pm-bucket"}},
		{"POST", "/pm-bucket", form, Operation{Name: "PostObject", Bucket: "pm-bucket"}},
		{"POST", "/pm-bucket?delete", form, Operation{Name: "DeleteObjects", Bucket: "pm-bucket"}},
		{"POST", "/pm-bucket/a.jpg", form, Operation{Name: Unknown, Bucket: "pm-bucket", Key: "a.jpg"}},
		{"POST", "/pm-bucket", http.Header{"Content-Type": {"application/xml"}}, Operation{Name: Unknown, Bucket: "pm-bucket"}},
		{"OPTIONS", "/pm-bucket", nil, Operation{Name: "PreflightObject", Bucket: "pm-bucket"}},
		{"OPTIONS", "/pm-bucket/media/a.jpg", nil, Operation{Name: "PreflightObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"OPTIONS", "/pm-bucket/big.bin?partNumber=1&uploadId=abc", nil, Operation{Name: "PreflightObject", Bucket: "pm-bucket", Key: "big.bin"}},
		{"OPTIONS", "/pm-bucket?uploads", nil, Operation{Name: "PreflightObject", Bucket: "pm-bucket"}},
		{"OPTIONS", "/", nil, Operation{Name: Unknown}},
		{"PUT", "/pm-bucket/media/a.jpg?x-id=PutObject", nil, Operation{Name: "PutObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"PUT", "/pm-bucket/media/a.jpg", copySource, Operation{Name: "CopyObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"GET", "/pm-bucket/media/a.jpg", nil, Operation{Name: "GetObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"GET", "/pm-bucket/media/a.jpg?versionId=v1&partNumber=1", nil, Operation{Name: "GetObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"HEAD", "/pm-bucket/media/a.jpg", nil, Operation{Name: "HeadObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"HEAD", "/pm-bucket/media/a.jpg?versionId=v1", nil, Operation{Name: "HeadObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"DELETE", "/pm-bucket/media/a.jpg?x-id=DeleteObject", nil, Operation{Name: "DeleteObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"DELETE", "/pm-bucket/media/a.jpg?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY", nil, Operation{Name: "DeleteObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"GET", "/pm-bucket/media/a.jpg?tagging", nil, Operation{Name: "GetObjectTagging", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"PUT", "/pm-bucket/media/a.jpg?tagging&versionId=v1", nil, Operation{Name: "PutObjectTagging", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"DELETE", "/pm-bucket/media/a.jpg?tagging", nil, Operation{Name: "DeleteObjectTagging", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"GET", "/pm-bucket/media/a.jpg?acl", nil, Operation{Name: "GetObjectAcl", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"POST", "/pm-bucket/big.bin?uploads", nil, Operation{Name: "CreateMultipartUpload", Bucket: "pm-bucket", Key: "big.bin"}},
		{"PUT", "/pm-bucket/big.bin?partNumber=2&uploadId=abc", nil, Operation{Name: "UploadPart", Bucket: "pm-bucket", Key: "big.bin"}},
		{"PUT", "/pm-bucket/big.bin?partNumber=2&uploadId=abc", copySource, Operation{Name: "UploadPartCopy", Bucket: "pm-bucket", Key: "big.bin"}},
		{"PUT", "/pm-bucket/big.bin?uploadId=abc", nil, Operation{Name: Unknown, Bucket: "pm-bucket", Key: "big.bin"}},
		{"POST", "/pm-bucket/big.bin?uploadId=abc", nil, Operation{Name: "CompleteMultipartUpload", Bucket: "pm-bucket", Key: "big.bin"}},
		{"DELETE", "/pm-bucket/big.bin?uploadId=abc", nil, Operation{Name: "AbortMultipartUpload", Bucket: "pm-bucket", Key: "big.bin"}},
		{"GET", "/pm-bucket/big.bin?uploadId=abc&max-parts=10", nil, Operation{Name: "ListParts", Bucket: "pm-bucket", Key: "big.bin"}},
		{"POST", "/pm-bucket/a.jpg?restore", nil, Operation{Name: "RestoreObject", Bucket: "pm-bucket", Key: "a.jpg"}},
		{"POST", "/pm-bucket/a.jpg", nil, Operation{Name: Unknown, Bucket: "pm-bucket", Key: "a.jpg"}},
		{"PATCH", "/pm-bucket/a.jpg", nil, Operation{Name: Unknown, Bucket: "pm-bucket", Key: "a.jpg"}},
		// Keys are decoded, may contain sub-resource-like words and repeated slashes.
		{"GET", "/pm-bucket/dir%2Fwith%20space/versioning", nil, Operation{Name: "GetObject", Bucket: "pm-bucket", Key: "dir/with space/versioning"}},
		{"PUT", "/pm-bucket/a//b/", nil, Operation{Name: "PutObject", Bucket: "pm-bucket", Key: "a//b/"}},
		// A Host that looks like a bucket is still path-style without a base domain.
		{"GET", "https://pm-bucket.s3.test/key", nil, Operation{Name: "ListObjects", Bucket: "key"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := newRequest(t, tt.method, tt.target, tt.header)
			if got := Classify(r); got != tt.want {
				t.Errorf("Classify(%s %s) = %+v, want %+v", tt.method, tt.target, got, tt.want)
			}
		})
	}
}

func TestClassifierVirtualHosted(t *testing.T) {
	c := Classifier{BaseDomain: "s3.test"}
	tests := []struct {
		method, target string
		want           Operation
	}{
		{"GET", "https://pm-bucket.s3.test/?versioning", Operation{Name: "GetBucketVersioning", Bucket: "pm-bucket"}},
		{"GET", "https://pm-bucket.s3.test:8443/?list-type=2", Operation{Name: "ListObjectsV2", Bucket: "pm-bucket"}},
		{"PUT", "https://PM-Bucket.S3.test./media/a.jpg", Operation{Name: "PutObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		{"DELETE", "https://dotted.bucket.name.s3.test/k?versionId=1", Operation{Name: "DeleteObject", Bucket: "dotted.bucket.name", Key: "k"}},
		{"HEAD", "https://pm-bucket.s3.test", Operation{Name: "HeadBucket", Bucket: "pm-bucket"}},
		{"OPTIONS", "https://pm-bucket.s3.test/media/a.jpg", Operation{Name: "PreflightObject", Bucket: "pm-bucket", Key: "media/a.jpg"}},
		// The base domain itself and unrelated hosts are path-style.
		{"GET", "https://s3.test/", Operation{Name: "ListBuckets"}},
		{"GET", "https://s3.test:8443/pm-bucket/k", Operation{Name: "GetObject", Bucket: "pm-bucket", Key: "k"}},
		{"GET", "https://127.0.0.1:8443/pm-bucket?versioning", Operation{Name: "GetBucketVersioning", Bucket: "pm-bucket"}},
		{"GET", "https://nots3.test/pm-bucket", Operation{Name: "ListObjects", Bucket: "pm-bucket"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := newRequest(t, tt.method, tt.target, nil)
			if got := c.Classify(r); got != tt.want {
				t.Errorf("Classify(%s %s) = %+v, want %+v", tt.method, tt.target, got, tt.want)
			}
		})
	}
}

// newRequest builds a request as a server would see it; a target without scheme goes to a path-style endpoint.
func newRequest(t *testing.T, method, target string, header http.Header) *http.Request {
	t.Helper()
	if target == "" || target[0] == '/' {
		target = "https://127.0.0.1:8443" + target
	}
	r, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatalf("NewRequest(%s %s): %v", method, target, err)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	return r
}

func TestClassifyAccountPublicAccessBlock(t *testing.T) {
	account := http.Header{"X-Amz-Account-Id": {"123456789012"}}
	for _, c := range []Classifier{{}, {BaseDomain: "s3.test"}} {
		tests := []struct {
			method, target string
			header         http.Header
			want           Operation
		}{
			{"GET", "/v20180820/configuration/publicAccessBlock", account, Operation{Name: "GetAccountPublicAccessBlock"}},
			{"PUT", "/v20180820/configuration/publicAccessBlock", account, Operation{Name: "PutAccountPublicAccessBlock"}},
			{"DELETE", "/v20180820/configuration/publicAccessBlock", account, Operation{Name: "DeleteAccountPublicAccessBlock"}},
			{"POST", "/v20180820/configuration/publicAccessBlock", account, Operation{Name: Unknown}},
			// Whatever the host: an SDK with a custom endpoint may put the account ID in front of it, and with a
			// base domain that host looks like a bucket.
			{"GET", "https://123456789012.127.0.0.1:8443/v20180820/configuration/publicAccessBlock", account, Operation{Name: "GetAccountPublicAccessBlock"}},
			{"GET", "https://123456789012.s3.test/v20180820/configuration/publicAccessBlock", account, Operation{Name: "GetAccountPublicAccessBlock"}},
			{"GET", "https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/configuration/publicAccessBlock", account, Operation{Name: "GetAccountPublicAccessBlock"}},
			// Without the account header it is an object in a bucket named v20180820; other paths are S3's.
			{"GET", "/v20180820/configuration/publicAccessBlock", nil, Operation{Name: "GetObject", Bucket: "v20180820", Key: "configuration/publicAccessBlock"}},
			{"GET", "/v20180820/configuration/publicAccessBlock/", account, Operation{Name: "GetObject", Bucket: "v20180820", Key: "configuration/publicAccessBlock/"}},
			{"GET", "/pm-bucket?publicAccessBlock", account, Operation{Name: "GetPublicAccessBlock", Bucket: "pm-bucket"}},
			// Batch Operations jobs.
			{"POST", "/v20180820/jobs", account, Operation{Name: "CreateJob"}},
			{"GET", "/v20180820/jobs", account, Operation{Name: "ListJobs"}},
			{"GET", "https://123456789012.s3.test/v20180820/jobs/0f1e2d3c-job", account, Operation{Name: "DescribeJob"}},
			{"GET", "/v20180820/jobs/0f1e2d3c-job", nil, Operation{Name: "GetObject", Bucket: "v20180820", Key: "jobs/0f1e2d3c-job"}},
			{"GET", "/v20180820/jobs/0f1e2d3c-job/tagging", account, Operation{Name: "GetObject", Bucket: "v20180820", Key: "jobs/0f1e2d3c-job/tagging"}},
		}
		for _, tt := range tests {
			t.Run(c.BaseDomain+" "+tt.method+" "+tt.target, func(t *testing.T) {
				r := newRequest(t, tt.method, tt.target, tt.header)
				if got := c.Classify(r); got != tt.want {
					t.Errorf("Classify(%s %s) = %+v, want %+v", tt.method, tt.target, got, tt.want)
				}
			})
		}
	}
}
