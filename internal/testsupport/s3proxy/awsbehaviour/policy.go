package awsbehaviour

// Whether a bucket policy is public, in the subset of AWS's meaning that this layer implements.
//
// Source: "The meaning of public" (Amazon S3 User Guide, Blocking public access), as the SDKs'
// PublicAccessBlockConfiguration reference repeats it: "Amazon S3 considers a bucket policy public unless
// at least one of the following conditions is true: the policy limits access to a set of CIDRs using
// aws:SourceIp; the policy grants permissions, not including any 'bad actions', to one of: a fixed AWS
// principal, user, role, or service principal; a fixed aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
// aws:SourceOwner, aws:SourceAccount; a fixed value of s3:x-amz-server-side-encryption-aws-kms-key-id; a
// fixed value of aws:userid outside the pattern 'AROLEID:*'." The bad actions are s3:Get*, s3:List*,
// s3:AbortMultipartUpload, s3:Delete*, s3:Put* and s3:RestoreObject.
//
// The subset: a policy is public when one of its statements has Effect Allow, Principal "*", {"AWS": "*"}
// (alone or in a list) or a NotPrincipal, and no condition that fixes one of those keys. Fixing means
// StringEquals, StringEqualsIgnoreCase, ArnEquals, or StringLike / ArnLike with no * or ? in any value;
// for aws:SourceIp, IpAddress with no /0 range. ...IfExists operators and ForAnyValue: / ForAllValues:
// sets fix nothing, as a request without the key passes them. Left out: the bad-action exception (almost
// every S3 action is one, so an Allow to everyone counts as public whatever its actions), keys the
// documentation above does not name (aws:PrincipalOrgID, aws:PrincipalAccount, ... count as not fixing),
// and Deny statements, which never make a policy public.

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/policydoc"
)

// fixingKeys are the condition keys whose fixed value makes an Allow to everyone not public, lower-cased
// (IAM keys are case-insensitive).
var fixingKeys = map[string]bool{
	"aws:sourcearn":     true,
	"aws:sourcevpc":     true,
	"aws:sourcevpce":    true,
	"aws:sourceowner":   true,
	"aws:sourceaccount": true,
	"aws:userid":        true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
}

// exactOperators compare a key with fixed values; likeOperators only when no value has a wildcard.
var (
	exactOperators = map[string]bool{"StringEquals": true, "StringEqualsIgnoreCase": true, "ArnEquals": true}
	likeOperators  = map[string]bool{"StringLike": true, "ArnLike": true}
)

// publicPolicy reports whether the policy document is public; an error means it is not a policy the layer
// can read.
func publicPolicy(doc []byte) (bool, error) {
	var p policydoc.Document
	if err := json.Unmarshal(doc, &p); err != nil {
		return false, err
	}
	for _, s := range p.Statement {
		if isPublic(s) {
			return true, nil
		}
	}
	return false, nil
}

func isPublic(s policydoc.Statement) bool {
	if s.Effect != "Allow" {
		return false
	}
	if s.NotPrincipal == nil && !everyone(s.Principal) {
		return false
	}
	for op, keys := range s.Condition {
		for key, values := range keys {
			if fixes(op, strings.ToLower(key), values) {
				return false
			}
		}
	}
	return true
}

// everyone reports whether a Principal is "*" or names "*" among its AWS principals.
func everyone(raw json.RawMessage) bool {
	return slices.Contains(policydoc.AWSPrincipals(raw), "*")
}

// fixes reports whether one condition (operator, lower-cased key, values) pins the request to fixed
// values of a key that keeps a policy from being public.
func fixes(op, key string, values []string) bool {
	if len(values) == 0 {
		return false
	}
	if key == "aws:sourceip" {
		if op != "IpAddress" {
			return false
		}
		for _, v := range values {
			if strings.HasSuffix(v, "/0") {
				return false
			}
		}
		return true
	}
	if !fixingKeys[key] {
		return false
	}
	switch {
	case exactOperators[op]:
	case likeOperators[op]:
		for _, v := range values {
			if strings.ContainsAny(v, "*?") {
				return false
			}
		}
	default:
		return false
	}
	if key == "aws:userid" {
		for _, v := range values {
			// A role's user ID is "AROLEID:session"; naming every session of it fixes nothing.
			if strings.HasSuffix(v, ":*") {
				return false
			}
		}
	}
	return true
}
