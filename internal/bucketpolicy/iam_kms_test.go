package bucketpolicy

import (
	"slices"
	"strings"
	"testing"
)

const (
	testMediaKey  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testStaticKey = "arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
)

// With KMS keys the app may use the media key to read and write (multipart uploads need kms:Decrypt too),
// the static key only to read, and nothing that would make the media key unusable.
func TestAppPolicyWithKMSKeys(t *testing.T) {
	doc := AppPolicy(testMediaARN, testStaticARN, testMediaKey, testStaticKey)
	statements := checkStatements(t, doc, map[string]wantStatement{
		"MediaList": {"Allow", []string{"s3:ListBucket", "s3:GetBucketLocation"}, []string{testMediaARN}},
		"MediaObjects": {"Allow", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
			"s3:ListMultipartUploadParts"}, []string{testMediaARN + "/*"}},
		"MediaKey":                         {"Allow", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{testMediaKey}},
		"StaticList":                       {"Allow", []string{"s3:ListBucket"}, []string{testStaticARN}},
		"StaticRead":                       {"Allow", []string{"s3:GetObject"}, []string{testStaticARN + "/*"}},
		"StaticKey":                        {"Allow", []string{"kms:Decrypt"}, []string{testStaticKey}},
		"DenyMediaHistoryAndConfigChanges": {"Deny", appDeniedActions(), []string{testMediaARN, testMediaARN + "/*"}},
		"DenyMediaKeyLoss": {"Deny", []string{"kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:DeleteImportedKeyMaterial",
			"kms:PutKeyPolicy"}, []string{testMediaKey}},
	})
	checkNoForbiddenAllow(t, statements)
	for _, s := range statements {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range s.Action {
			for _, denied := range MediaKeyDeniedActions() {
				if globsIntersect(wildcards(strings.ToLower(a)), literal(strings.ToLower(denied))) {
					t.Errorf("%s allows %q, which grants %s", s.Sid, a, denied)
				}
			}
		}
	}
	if strings.Contains(doc, "kms:Encrypt") {
		t.Errorf("the app policy grants kms:Encrypt, which SSE-KMS does not need: %s", doc)
	}

	// Each key on its own: the other bucket's statements stay as with SSE-S3.
	mediaOnly := parseDocument(t, AppPolicy(testMediaARN, testStaticARN, testMediaKey, ""))
	staticOnly := parseDocument(t, AppPolicy(testMediaARN, testStaticARN, "", testStaticKey))
	if sids := sidsOf(mediaOnly); slices.Contains(sids, "StaticKey") || !slices.Contains(sids, "MediaKey") || !slices.Contains(sids, "DenyMediaKeyLoss") {
		t.Errorf("media key only: statements %v", sids)
	}
	if sids := sidsOf(staticOnly); !slices.Contains(sids, "StaticKey") || slices.Contains(sids, "MediaKey") || slices.Contains(sids, "DenyMediaKeyLoss") {
		t.Errorf("static key only: statements %v", sids)
	}
}

func TestDeployPolicyWithKMSKey(t *testing.T) {
	doc := DeployPolicy(testStaticARN, testStaticKey)
	statements := checkStatements(t, doc, map[string]wantStatement{
		"StaticList":    {"Allow", []string{"s3:ListBucket"}, []string{testStaticARN}},
		"StaticObjects": {"Allow", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}, []string{testStaticARN + "/*"}},
		"StaticKey":     {"Allow", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{testStaticKey}},
	})
	checkNoForbiddenAllow(t, statements)
}

// Without keys the documents are exactly those of SSE-S3 pairs, so no existing pair's policies change.
func TestPoliciesWithoutKMSKeysMentionNoKMS(t *testing.T) {
	for _, doc := range []string{AppPolicy(testMediaARN, testStaticARN, "", ""), DeployPolicy(testStaticARN, "")} {
		if strings.Contains(doc, "kms:") {
			t.Errorf("a policy without keys mentions KMS: %s", doc)
		}
	}
}

func TestMediaKeyDeniedActionsIsAFreshSlice(t *testing.T) {
	first := MediaKeyDeniedActions()
	first[0] = "kms:Decrypt"
	if slices.Contains(MediaKeyDeniedActions(), "kms:Decrypt") {
		t.Error("a caller changed MediaKeyDeniedActions for everyone")
	}
}

func sidsOf(statements []parsedStatement) []string {
	out := make([]string, len(statements))
	for i, s := range statements {
		out[i] = s.Sid
	}
	return out
}
