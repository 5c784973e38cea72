package bucketstate

import (
	"net/url"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
)

// BucketARN is a bucket's ARN in partition (aws, aws-cn, ...: s3api.PartitionOf). Bucket ARNs carry
// neither region nor account.
func BucketARN(partition, bucket string) string {
	return "arn:" + partition + ":s3:::" + bucket
}

// DomainName is the host name that reaches a bucket. On AWS (endpoint empty, also when the provider goes
// through one of AWS's own endpoints) it is the regional virtual-hosted name, <bucket>.s3.<region>.<dnsSuffix>
// with the DNS suffix of the region's partition. On an S3-compatible server's endpoint it is
// "<bucket>.<endpoint host>", or the endpoint's host alone with path-style addressing (the bucket is then
// the first path segment).
func DomainName(bucket, region, dnsSuffix, endpoint string, pathStyle bool) string {
	if endpoint == "" {
		return bucket + ".s3." + region + "." + dnsSuffix
	}
	host := endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		host = u.Host
	}
	if pathStyle {
		return host
	}
	return bucket + "." + host
}

// PublicReadOf tells from an observed static bucket policy whether it is the provider's public-read
// policy (true) or its private one (false), with the same additions (CDN statement, extra statements) as
// configured. ok is false when the policy is neither, so the caller keeps
// what it knew and lets the policy drift speak. likely is tried first: every refresh asks, and a bucket
// nearly always still has what was applied, so one policy is built and compared instead of two.
func PublicReadOf(arn, observedPolicy string, add bucketpolicy.Additions, likely bool) (publicRead, ok bool) {
	for _, pr := range []bool{likely, !likely} {
		want, err := bucketpolicy.WithAdditions(policyFor(arn, pr), add)
		if err == nil && PolicyMatches(want, observedPolicy) {
			return pr, true
		}
	}
	return false, false
}
