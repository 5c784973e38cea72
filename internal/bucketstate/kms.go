package bucketstate

// Customer-managed KMS keys (SSE-KMS) as a bucket's default encryption: which key identifiers the pair
// accepts, and the desired encryption that names one.

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// EncryptionKMS is the SSE algorithm name of KMS keys (SSE-KMS).
const EncryptionKMS = "aws:kms"

// ExampleKMSKeyARN shows the accepted form in messages and documentation.
const ExampleKMSKeyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// KMSKeyARN is a parsed KMS key ARN.
type KMSKeyARN struct {
	Partition, Region, Account, KeyID string
}

// Compiled on first use rather than at start-up: Terraform starts the provider three times per plan.
var (
	kmsPartitionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^aws(-[a-z]+)*$`) })
	kmsRegionPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`) })
	kmsAccountPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	// A key ID is a UUID, or mrk- and 32 hex digits for a multi-Region key (AWS KMS Developer Guide, "Key
	// identifiers (KeyId)").
	kmsKeyIDPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	})
)

// ParseKMSKeyARN reads a KMS key ARN, arn:<partition>:kms:<region>:<account>:key/<key ID>. It refuses the
// other ways KMS lets a key be named, each for a reason the error gives: a bare key ID or alias is resolved
// by S3 in the account of whoever writes an object, not necessarily the bucket owner's; an alias (ARN or
// not) can be pointed at another key at any time, and an IAM policy cannot grant the use of a key through
// its alias in Resource, so the pair's app and deploy policies need the key's own ARN.
func ParseKMSKeyARN(s string) (KMSKeyARN, error) {
	if s == "" {
		return KMSKeyARN{}, fmt.Errorf("the key ARN is empty: give the ARN of a symmetric KMS key, such as %s", ExampleKMSKeyARN)
	}
	if strings.TrimSpace(s) != s {
		return KMSKeyARN{}, fmt.Errorf("%q has leading or trailing spaces: remove them", s)
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		if strings.HasPrefix(s, "alias/") {
			return KMSKeyARN{}, fmt.Errorf("%q is an alias: give the ARN of the key it points to (data.aws_kms_alias.<name>.target_key_arn). "+
				"An alias can be moved to another key at any time, and S3 resolves a bare alias in the account of whoever writes each object", s)
		}
		return KMSKeyARN{}, fmt.Errorf("%q is not a key ARN: give the key's full ARN (aws_kms_key.<name>.arn), such as %s. S3 resolves a bare "+
			"key ID in the account of whoever writes each object, not necessarily the bucket owner's", s, ExampleKMSKeyARN)
	}
	arn := KMSKeyARN{Partition: parts[1], Region: parts[3], Account: parts[4]}
	resource := parts[5]
	switch {
	case !kmsPartitionPattern().MatchString(arn.Partition):
		return KMSKeyARN{}, fmt.Errorf("%q has the partition %q: write aws (or aws-cn, aws-us-gov, ...) after \"arn:\"", s, arn.Partition)
	case parts[2] != "kms":
		return KMSKeyARN{}, fmt.Errorf("%q is not a KMS ARN (its service is %q): give the ARN of a KMS key, such as %s", s, parts[2], ExampleKMSKeyARN)
	case !kmsRegionPattern().MatchString(arn.Region):
		return KMSKeyARN{}, fmt.Errorf("%q has the region %q: a key ARN names the key's region, such as us-east-1", s, arn.Region)
	case !kmsAccountPattern().MatchString(arn.Account):
		return KMSKeyARN{}, fmt.Errorf("%q has the account %q: write the key owner's 12-digit account ID", s, arn.Account)
	case strings.HasPrefix(resource, "alias/"):
		return KMSKeyARN{}, fmt.Errorf("%q is an alias ARN: give the ARN of the key it points to (data.aws_kms_alias.<name>.target_key_arn). "+
			"An alias can be moved to another key at any time, and an IAM policy cannot grant the use of a key through its alias, "+
			"so the pair's app_policy_json and deploy_policy_json name the key itself", s)
	}
	id, ok := strings.CutPrefix(resource, "key/")
	if !ok || !kmsKeyIDPattern().MatchString(id) {
		return KMSKeyARN{}, fmt.Errorf("%q does not end in key/<key ID>, where the key ID is a UUID such as "+
			"1234abcd-12ab-34cd-56ef-1234567890ab (or mrk- and 32 hex digits for a multi-Region key)", s)
	}
	arn.KeyID = id
	return arn, nil
}

// WithKMSKey makes d's default encryption SSE-KMS with keyARN and an S3 Bucket Key, which lets S3 ask KMS
// for a data key per bucket and period rather than per object: fewer KMS requests, so lower KMS costs
// and less chance of KMS throttling. An empty keyARN leaves d as it is (SSE-S3).
func (d Desired) WithKMSKey(keyARN string) Desired {
	if keyARN != "" {
		d.Encryption, d.EncryptionKey, d.BucketKey = EncryptionKMS, keyARN, true
	}
	return d
}
