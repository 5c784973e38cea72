package policyguard

// This file reads bucket policy documents and evaluates their Deny statements, as much of IAM's policy
// language as the provider's guard statement uses.

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/policydoc"
)

// principalArnKey is the condition key the layer understands; keys are case-insensitive in IAM.
const principalArnKey = "aws:PrincipalArn"

// arnOperators are the ARN condition operators. IAM treats ArnEquals like ArnLike and ArnNotEquals like
// ArnNotLike: all four take wildcards. The value says whether the operator is negated.
var arnOperators = map[string]bool{"ArnLike": false, "ArnEquals": false, "ArnNotLike": true, "ArnNotEquals": true}

// policy is a parsed bucket policy.
type policy struct {
	Statement policydoc.Statements `json:"Statement"`
}

// parsePolicy reads a policy document; it checks only what evaluation needs.
func parsePolicy(doc []byte) (*policy, error) {
	var p policy
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// isGuard reports whether the policy has what SeaweedFS cannot store: an ARN operator on aws:PrincipalArn.
func (p *policy) isGuard() bool {
	for _, s := range p.Statement {
		for op, keys := range s.Condition {
			if _, ok := arnOperators[op]; !ok {
				continue
			}
			for key := range keys {
				if strings.EqualFold(key, principalArnKey) {
					return true
				}
			}
		}
	}
	return false
}

// request is what a Deny is evaluated against.
type request struct {
	principal string // the caller's aws:PrincipalArn; "" for an unknown or missing access key
	action    string // s3:DeleteObjectVersion, ...
	resource  string // arn:aws:s3:::bucket or arn:aws:s3:::bucket/key
}

// denies reports whether any Deny statement applies to req. Allow statements are not this layer's
// business: the server decides what is allowed, the layer only adds the explicit denies it cannot store.
func (p *policy) denies(req request) bool {
	for _, s := range p.Statement {
		if s.Effect == "Deny" && applies(s, req) {
			return true
		}
	}
	return false
}

// applies reports whether the statement covers req. What the layer does not understand (NotPrincipal,
// NotAction, NotResource, an unsupported condition) makes the statement not apply: such a Deny is
// ignored, so a test relying on it sees the request pass and fails rather than passing by accident.
func applies(s policydoc.Statement, req request) bool {
	if s.NotPrincipal != nil || s.NotAction != nil || s.NotResource != nil {
		return false
	}
	if !principalMatches(s.Principal, req.principal) {
		return false
	}
	if !anyMatch(s.Action, func(pattern string) bool {
		return globMatch(strings.ToLower(pattern), strings.ToLower(req.action))
	}) {
		return false
	}
	if !anyMatch(s.Resource, func(pattern string) bool { return globMatch(pattern, req.resource) }) {
		return false
	}
	for op, keys := range s.Condition {
		for key, values := range keys {
			if !conditionHolds(op, key, values, req) {
				return false
			}
		}
	}
	return true
}

func anyMatch(patterns []string, match func(string) bool) bool {
	for _, p := range patterns {
		if match(p) {
			return true
		}
	}
	return false
}

// principalMatches reads Principal: "*", {"AWS": "*"} or {"AWS": [ARNs]}. Anything else does not match.
func principalMatches(raw json.RawMessage, principal string) bool {
	return slices.ContainsFunc(policydoc.AWSPrincipals(raw), func(p string) bool {
		return p == "*" || (principal != "" && p == principal)
	})
}

// conditionHolds evaluates one condition key of one operator, with IAM's rules: a positive operator holds
// when the request's value matches any of values, a negated one when it matches none (so also when the
// request has no value). Supported: the ARN operators on aws:PrincipalArn, and Bool on
// aws:SecureTransport, which is always true since the proxy serves HTTPS. Anything else does not hold.
func conditionHolds(op, key string, values []string, req request) bool {
	switch {
	case strings.EqualFold(key, principalArnKey):
		negated, ok := arnOperators[op]
		if !ok {
			return false
		}
		matched := req.principal != "" && anyMatch(values, func(pattern string) bool { return arnLike(pattern, req.principal) })
		return matched != negated
	case op == "Bool" && strings.EqualFold(key, "aws:SecureTransport"):
		return anyMatch(values, func(v string) bool { return strings.EqualFold(v, "true") })
	}
	return false
}

// arnParts is the number of colon-separated parts of an ARN; the last, the resource, may contain colons.
const arnParts = 6

// arnLike is IAM's ArnLike: each of the six colon-separated parts is matched on its own, case-sensitively,
// with * and ? wildcards.
func arnLike(pattern, arn string) bool {
	pp, ap := strings.SplitN(pattern, ":", arnParts), strings.SplitN(arn, ":", arnParts)
	if len(pp) != arnParts || len(ap) != arnParts {
		return false
	}
	for i := range arnParts {
		if !globMatch(pp[i], ap[i]) {
			return false
		}
	}
	return true
}

// globMatch reports whether pattern, in which * is any run of characters and ? any one character, matches
// all of s. It backtracks only to the last *, so it runs in O(len(pattern)·len(s)) at worst.
func globMatch(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi, mark = star+1, mark+1
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
