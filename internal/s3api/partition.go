package s3api

// This file asks the SDK's endpoint data which AWS partition a region belongs to and which hosts are AWS's own
// S3 endpoints, so ARNs, bucket host names and the default addressing style follow the SDK (updated with
// every SDK release) instead of rules written here.

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// defaultRegion is the region a client signs for when none is configured (see New).
const defaultRegion = "us-east-1"

// Partition is what an AWS partition means for a bucket's addresses.
type Partition struct {
	// ID is the partition's name in ARNs: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f,
	// aws-eusc, or whatever later SDK releases add.
	ID string
	// DNSSuffix is the domain of the partition's S3 endpoints, s3.<region>.<DNSSuffix>: amazonaws.com,
	// amazonaws.com.cn, c2s.ic.gov, ...
	DNSSuffix string
}

// PartitionOf returns the partition region belongs to, as the SDK resolves it: a region the SDK does not know
// yet belongs to the partition whose region pattern it matches (cn-…, us-gov-…), anything else, the region
// name an S3-compatible server uses included, to aws. "" means the default region.
//
// Both facts come from the S3 package's endpoint resolver (aws.Endpoint.PartitionID and URL): the SDK's
// partition table itself (awsrulesfn.GetPartition) is internal to the SDK, and the rules-based resolver the
// client sends requests through yields hosts but no partition name. Both resolvers are generated from the
// same endpoint model; the tests check that they agree.
func PartitionOf(region string) Partition {
	if region == "" {
		region = defaultRegion
	}
	e, err := s3.NewDefaultEndpointResolver().ResolveEndpoint(region, s3.EndpointResolverOptions{})
	if err != nil || e.PartitionID == "" {
		// The resolver fails only without a region, handled above; the SDK's own default, should that change.
		return Partition{ID: "aws", DNSSuffix: "amazonaws.com"}
	}
	// The endpoint is https://s3.<region>.<suffix>; a pseudo-region (aws-global) has s3.<suffix>.
	suffix := strings.TrimPrefix(hostOf(e.URL), "s3.")
	suffix = strings.TrimPrefix(suffix, strings.ToLower(region)+".")
	return Partition{ID: e.PartitionID, DNSSuffix: suffix}
}

// AWSEndpointRegion reports whether endpoint is one of AWS's own S3 endpoints, in any partition, and for which
// region: the regional s3.<region>.<suffix>, FIPS s3-fips.<region>.<suffix>, dual-stack
// s3.dualstack.<region>.<suffix> and s3-fips.dualstack.<region>.<suffix>, the global s3.amazonaws.com
// (us-east-1), or a VPC interface endpoint, [bucket.]vpce-<id>.s3.<region>.vpce.<suffix>. Buckets behind
// any of them are on AWS and are addressed virtual-hosted style, as without an endpoint.
//
// The region is read from the host, and the host must then be one the SDK's endpoint rules give for it.
// region is the configured region ("" for none), tried as well, since the global endpoint names none.
// Anything else (an S3-compatible server, a load balancer or an EC2 host that happens to be under
// amazonaws.com, a legacy s3-<region> name) is not.
func AWSEndpointRegion(endpoint, region string) (string, bool) {
	host := hostOf(endpoint)
	if host == "" {
		return "", false
	}
	if region == "" {
		region = defaultRegion
	}
	for _, r := range []string{regionLabel(host), region} {
		if r == "" {
			continue
		}
		if slices.Contains(awsS3Hosts(r), host) || isVPCEndpoint(host, r) {
			return r, true
		}
	}
	return "", false
}

// awsS3Hosts are the hosts the SDK's endpoint rules send a region's requests to: regional, FIPS, dual-stack,
// FIPS and dual-stack, and the global endpoint (which only us-east-1 has; other regions get the regional one
// again). A variant the partition does not offer (FIPS in China) is left out.
func awsS3Hosts(region string) []string {
	resolver := s3.NewDefaultEndpointResolverV2()
	var hosts []string
	for _, p := range []s3.EndpointParameters{
		{},
		{UseFIPS: aws.Bool(true)},
		{UseDualStack: aws.Bool(true)},
		{UseFIPS: aws.Bool(true), UseDualStack: aws.Bool(true)},
		{UseGlobalEndpoint: aws.Bool(true)},
	} {
		p.Region = aws.String(region)
		// Resolution is a pure function of the parameters: no request is sent, so no context to carry.
		e, err := resolver.ResolveEndpoint(context.Background(), p)
		if err == nil {
			hosts = append(hosts, strings.ToLower(e.URI.Hostname()))
		}
	}
	return hosts
}

// isVPCEndpoint reports whether host is an S3 interface endpoint in region: <labels>.vpce-<id>.s3.<region>.vpce.<suffix>.
func isVPCEndpoint(host, region string) bool {
	prefix, ok := strings.CutSuffix(host, ".s3."+region+".vpce."+PartitionOf(region).DNSSuffix)
	if !ok {
		return false
	}
	endpointID := prefix[strings.LastIndex(prefix, ".")+1:]
	return strings.HasPrefix(endpointID, "vpce-") && len(endpointID) > len("vpce-")
}

// regionLabel is the label after the first s3 or s3-fips label of host (and after dualstack, if that follows):
// where every AWS S3 endpoint but the global one names its region.
func regionLabel(host string) string {
	labels := strings.Split(host, ".")
	for i, l := range labels {
		if l != "s3" && l != "s3-fips" {
			continue
		}
		i++
		if i < len(labels) && labels[i] == "dualstack" {
			i++
		}
		if i < len(labels) {
			return labels[i]
		}
		return ""
	}
	return ""
}

// hostOf is the lower-case host name of an http(s) URL, without port; "" for anything else.
func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
