package policyguard

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// iamActions names the IAM action of the operations whose action is not "s3:" + the operation name,
// among those a test is likely to send. The versioned and body-dependent cases are in actionOf.
var iamActions = map[string]string{
	"ListBuckets":                        "s3:ListAllMyBuckets",
	"HeadBucket":                         "s3:ListBucket",
	"ListObjects":                        "s3:ListBucket",
	"ListObjectsV2":                      "s3:ListBucket",
	"ListObjectVersions":                 "s3:ListBucketVersions",
	"ListMultipartUploads":               "s3:ListBucketMultipartUploads",
	"ListParts":                          "s3:ListMultipartUploadParts",
	"HeadObject":                         "s3:GetObject",
	"CopyObject":                         "s3:PutObject",
	"CreateMultipartUpload":              "s3:PutObject",
	"UploadPart":                         "s3:PutObject",
	"UploadPartCopy":                     "s3:PutObject",
	"CompleteMultipartUpload":            "s3:PutObject",
	"PutBucketLifecycleConfiguration":    "s3:PutLifecycleConfiguration",
	"DeleteBucketLifecycle":              "s3:PutLifecycleConfiguration",
	"GetBucketLifecycleConfiguration":    "s3:GetLifecycleConfiguration",
	"PutBucketEncryption":                "s3:PutEncryptionConfiguration",
	"DeleteBucketEncryption":             "s3:PutEncryptionConfiguration",
	"GetBucketEncryption":                "s3:GetEncryptionConfiguration",
	"PutPublicAccessBlock":               "s3:PutBucketPublicAccessBlock",
	"DeletePublicAccessBlock":            "s3:PutBucketPublicAccessBlock",
	"GetPublicAccessBlock":               "s3:GetBucketPublicAccessBlock",
	"DeleteBucketOwnershipControls":      "s3:PutBucketOwnershipControls",
	"DeleteBucketTagging":                "s3:PutBucketTagging",
	"PutBucketCors":                      "s3:PutBucketCORS",
	"DeleteBucketCors":                   "s3:PutBucketCORS",
	"GetBucketCors":                      "s3:GetBucketCORS",
	"PutBucketReplication":               "s3:PutReplicationConfiguration",
	"DeleteBucketReplication":            "s3:PutReplicationConfiguration",
	"GetBucketReplication":               "s3:GetReplicationConfiguration",
	"PutObjectLockConfiguration":         "s3:PutBucketObjectLockConfiguration",
	"GetObjectLockConfiguration":         "s3:GetBucketObjectLockConfiguration",
	"PutBucketNotificationConfiguration": "s3:PutBucketNotification",
	"GetBucketNotificationConfiguration": "s3:GetBucketNotification",
}

// check is one action on one resource that a request needs.
type check struct{ action, resource string }

// checksOf returns what r needs: one check, or for DeleteObjects one per listed object. body is r's body,
// read only for DeleteObjects.
func checksOf(op s3proxy.Operation, r *http.Request, body []byte) ([]check, error) {
	bucketARN := "arn:aws:s3:::" + op.Bucket
	if op.Name == "DeleteObjects" {
		objects, err := listedObjects(body)
		if err != nil {
			return nil, err
		}
		checks := make([]check, 0, len(objects))
		for _, o := range objects {
			action := "s3:DeleteObject"
			if o.VersionID != nil {
				action = "s3:DeleteObjectVersion"
			}
			checks = append(checks, check{action, bucketARN + "/" + o.Key})
		}
		return checks, nil
	}
	resource := bucketARN
	if op.Key != "" {
		resource += "/" + op.Key
	}
	return []check{{actionOf(op, r), resource}}, nil
}

// actionOf names the IAM action of a request other than DeleteObjects.
func actionOf(op s3proxy.Operation, r *http.Request) string {
	versioned := r.URL.Query().Has("versionId")
	switch {
	case op.Name == "DeleteObject" && versioned:
		return "s3:DeleteObjectVersion"
	case (op.Name == "GetObject" || op.Name == "HeadObject") && versioned:
		return "s3:GetObjectVersion"
	}
	if a, ok := iamActions[op.Name]; ok {
		return a
	}
	return "s3:" + op.Name
}

// deleteRequest is the body of DeleteObjects.
type deleteRequest struct {
	XMLName xml.Name       `xml:"Delete"`
	Objects []listedObject `xml:"Object"`
}

type listedObject struct {
	Key       string  `xml:"Key"`
	VersionID *string `xml:"VersionId"`
}

// listedObjects reads a DeleteObjects body. An empty VersionId element counts as a version: the layer
// does not guess what the server makes of it.
func listedObjects(body []byte) ([]listedObject, error) {
	var d deleteRequest
	if err := xml.Unmarshal(body, &d); err != nil {
		return nil, err
	}
	return d.Objects, nil
}

// accessKeyOf returns the access key ID that signed r: from the Authorization header's Credential, or for
// a presigned URL from X-Amz-Credential; "" when r is not SigV4-signed.
func accessKeyOf(r *http.Request) string {
	credential := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, after, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return ""
		}
		credential, _, _ = strings.Cut(after, ",")
	}
	key, _, ok := strings.Cut(strings.TrimSpace(credential), "/")
	if !ok {
		return ""
	}
	return key
}
