package bucketstate

import (
	"net/url"
	"strings"
)

// Partition returns the AWS partition a region belongs to, for ARNs.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	default:
		return "aws"
	}
}

// ARN is a bucket's ARN. Bucket ARNs carry neither region nor account.
func ARN(region, bucket string) string {
	return "arn:" + Partition(region) + ":s3:::" + bucket
}

// DomainName is the host name that reaches a bucket: the regional virtual-hosted name on AWS; on a custom
// endpoint, "<bucket>.<endpoint host>", or the endpoint's host alone with path-style addressing (the
// bucket is then the first path segment).
func DomainName(bucket, region, endpoint string, pathStyle bool) string {
	if endpoint == "" {
		suffix := "amazonaws.com"
		if strings.HasPrefix(region, "cn-") {
			suffix = "amazonaws.com.cn"
		}
		return bucket + ".s3." + region + "." + suffix
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
// policy (true) or its private one (false). ok is false when the policy is neither, so the caller keeps
// what it knew and lets the policy drift speak.
func PublicReadOf(arn, observedPolicy string) (publicRead, ok bool) {
	for _, pr := range []bool{false, true} {
		if PolicyMatches(policyFor(arn, pr), observedPolicy) {
			return pr, true
		}
	}
	return false, false
}
