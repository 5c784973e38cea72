package s3api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// iamActionsOf are the IAM actions S3 checks for each API operation the provider sends (AWS's "Actions,
// resources, and condition keys for Amazon S3" and each operation's Permissions section).
var iamActionsOf = map[string][]string{
	"CreateBucket":                    {"s3:CreateBucket", "s3:PutBucketOwnershipControls", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"}, // ObjectOwnership, and Object Lock, on create
	"DeleteBucket":                    {"s3:DeleteBucket"},
	"HeadBucket":                      {"s3:ListBucket"},
	"GetBucketLocation":               {"s3:GetBucketLocation"},
	"GetBucketVersioning":             {"s3:GetBucketVersioning"},
	"PutBucketVersioning":             {"s3:PutBucketVersioning"},
	"GetPublicAccessBlock":            {"s3:GetBucketPublicAccessBlock"},
	"PutPublicAccessBlock":            {"s3:PutBucketPublicAccessBlock"},
	"GetBucketOwnershipControls":      {"s3:GetBucketOwnershipControls"},
	"PutBucketOwnershipControls":      {"s3:PutBucketOwnershipControls"},
	"GetBucketEncryption":             {"s3:GetEncryptionConfiguration"},
	"PutBucketEncryption":             {"s3:PutEncryptionConfiguration"},
	"GetBucketPolicy":                 {"s3:GetBucketPolicy"},
	"PutBucketPolicy":                 {"s3:PutBucketPolicy"},
	"GetBucketTagging":                {"s3:GetBucketTagging"},
	"PutBucketTagging":                {"s3:PutBucketTagging"},
	"DeleteBucketTagging":             {"s3:PutBucketTagging"},
	"GetBucketLifecycleConfiguration": {"s3:GetLifecycleConfiguration"},
	"PutBucketLifecycleConfiguration": {"s3:PutLifecycleConfiguration"},
	"DeleteBucketLifecycle":           {"s3:PutLifecycleConfiguration"},
	"GetObjectLockConfiguration":      {"s3:GetBucketObjectLockConfiguration"},
	"PutObjectLockConfiguration":      {"s3:PutBucketObjectLockConfiguration"},
	"HeadObject":                      {"s3:GetObjectVersion", "s3:GetObjectRetention", "s3:GetObjectLegalHold"}, // the lock headers need the latter two
	"GetBucketCors":                   {"s3:GetBucketCORS"},
	"PutBucketCors":                   {"s3:PutBucketCORS"},
	"DeleteBucketCors":                {"s3:PutBucketCORS"},
	"GetBucketReplication":            {"s3:GetReplicationConfiguration"},
	"PutBucketReplication":            {"s3:PutReplicationConfiguration", "iam:PassRole"}, // the role S3 assumes
	"DeleteBucketReplication":         {"s3:PutReplicationConfiguration"},
	"ListObjectVersions":              {"s3:ListBucketVersions"},
	"DeleteObjects":                   {"s3:DeleteObject", "s3:DeleteObjectVersion"},
	"DeleteObject":                    {"s3:DeleteObject", "s3:DeleteObjectVersion"},
	"CopyObject":                      {"s3:GetObjectVersion", "s3:PutObject", "s3:GetObjectVersionTagging", "s3:PutObjectTagging"},
	"GetObjectTagging":                {"s3:GetObjectVersionTagging"},
	"PutObjectTagging":                {"s3:PutObjectVersionTagging"},
	"GetAccountPublicAccessBlock":     {"s3:GetAccountPublicAccessBlock"}, // S3 Control's GetPublicAccessBlock
	"PutObject":                       {"s3:PutObject"},                   // a batch restore's manifest
	"CreateMultipartUpload":           {"s3:PutObject"},                   // a manifest over 64 MiB
	"UploadPart":                      {"s3:PutObject"},
	"CompleteMultipartUpload":         {"s3:PutObject"},
	"AbortMultipartUpload":            {"s3:AbortMultipartUpload"},
	"CreateJob":                       {"s3:CreateJob", "iam:PassRole"}, // S3 Control; the role the job runs as
	"DescribeJob":                     {"s3:DescribeJob"},
	"GetCallerIdentity":               nil, // STS: needs no permission
}

// The "Running on AWS" guide's policy for Terraform grants every action the provider's S3 calls need: a call
// added to the S3 layer without its permission in the guide fails here.
func TestRunningOnAWSGuideGrantsEveryCall(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", "templates", "guides", "running-on-aws.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```json\n(.*?)```").FindSubmatch(guide)
	if block == nil {
		t.Fatal("the guide has no JSON policy")
	}
	var policy struct {
		Statement []struct {
			Action any
		}
	}
	if err := json.Unmarshal(block[1], &policy); err != nil {
		t.Fatalf("the guide's policy is not JSON: %v", err)
	}
	var granted []string
	for _, st := range policy.Statement {
		switch a := st.Action.(type) {
		case string:
			granted = append(granted, a)
		case []any:
			for _, x := range a {
				if s, ok := x.(string); ok {
					granted = append(granted, s)
				}
			}
		}
	}

	// Every S3, S3 Control and STS operation the package's non-test code sends.
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\b(?:c|control|client)(?:\.S3)?\.([A-Z][A-Za-z]+)\((?:ctx|actx)`)
	paginator := regexp.MustCompile(`\bs3\.New([A-Z][A-Za-z]+)Paginator\(`)
	used := map[string]bool{}
	for _, f := range sources {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllSubmatch(src, -1) {
			op := string(m[1])
			if op == "GetPublicAccessBlock" && strings.Contains(string(src), "s3control") {
				op = "GetAccountPublicAccessBlock"
			}
			used[op] = true
		}
		for _, m := range paginator.FindAllSubmatch(src, -1) {
			used[string(m[1])] = true
		}
	}
	if len(used) < 20 {
		t.Fatalf("found only %d operations in the sources: the scan is broken", len(used))
	}
	for op := range used {
		actions, known := iamActionsOf[op]
		if !known {
			t.Errorf("the S3 layer sends %s: add its IAM actions to iamActionsOf and to the guide's policy", op)
			continue
		}
		for _, a := range actions {
			if !slices.Contains(granted, a) {
				t.Errorf("the S3 layer sends %s, which needs %s, and the guide's policy does not grant it", op, a)
			}
		}
	}
}
