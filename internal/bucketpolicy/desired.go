// Package bucketpolicy builds the bucket policies the provider owns and compares policies by meaning, since
// S3 returns a stored policy reformatted and a byte comparison would report drift that is not there.
package bucketpolicy

import (
	"bytes"
	"encoding/json"
)

// policyVersion is the current policy language version; the older default lacks policy variables.
const policyVersion = "2012-10-17"

// Sids label the provider's statements for whoever reads the policy in the console; comparison ignores them.
const (
	sidDenyInsecureTransport = "DenyInsecureTransport"
	sidPublicReadGetObject   = "PublicReadGetObject"
)

type document struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal string                       `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  any                          `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Desired returns the bucket policy document (compact JSON) that the provider puts on the bucket bucketARN.
// Every bucket refuses plain HTTP; a publicRead bucket also lets anyone read its objects (not list them).
func Desired(bucketARN string, publicRead bool) string {
	doc := document{
		Version: policyVersion,
		Statement: []statement{{
			Sid:       sidDenyInsecureTransport,
			Effect:    "Deny",
			Principal: "*",
			Action:    "s3:*",
			// The bucket ARN covers bucket operations, the /* form covers object operations.
			Resource:  []string{bucketARN, bucketARN + "/*"},
			Condition: map[string]map[string]string{"Bool": {"aws:SecureTransport": "false"}},
		}},
	}
	if publicRead {
		doc.Statement = append(doc.Statement, statement{
			Sid:       sidPublicReadGetObject,
			Effect:    "Allow",
			Principal: "*",
			Action:    "s3:GetObject",
			Resource:  bucketARN + "/*",
		})
	}
	out, err := marshal(doc)
	if err != nil {
		// Only strings, slices and maps of strings are marshalled; this cannot fail.
		panic("bucketpolicy: marshal desired policy: " + err.Error())
	}
	return out
}

// marshal encodes v as compact JSON without HTML escaping, so ARNs and condition values read as written.
func marshal(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
