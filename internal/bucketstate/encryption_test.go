package bucketstate

import (
	"strings"
	"testing"
)

// Default encryption: the algorithm, keys set out of band, and SSE-C blocking where the server tells.
func TestEncryptionDrift(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name     string
		onAWS    bool
		observed func(*Settings)
		want     string // the drift line's tail; "" = no drift
	}{
		{"as AWS creates buckets", true, func(s *Settings) { s.SSECBlocked = &yes }, ""},
		{"SSE-C allowed on AWS", true, func(s *Settings) { s.SSECBlocked = &no }, "is AES256, SSE-C allowed, want AES256, SSE-C blocked"},
		{"AWS answer without the element: SSE-C allowed", true, func(s *Settings) { s.SSECBlocked = nil }, "is AES256, SSE-C allowed, want AES256, SSE-C blocked"},
		{"a server that does not know the setting", false, func(s *Settings) { s.SSECBlocked = nil }, ""},
		{"a server that reports it allowed", false, func(s *Settings) { s.SSECBlocked = &no }, "is AES256, SSE-C allowed, want AES256, SSE-C blocked"},
		{"a bucket key set out of band", true, func(s *Settings) { s.BucketKey = true }, "is AES256 and an S3 Bucket Key, SSE-C blocked, want AES256, SSE-C blocked"},
		{"a KMS key set out of band", true, func(s *Settings) {
			s.Encryption, s.EncryptionKey, s.BucketKey = "aws:kms", "arn:aws:kms:eu-west-1:123456789012:key/abc", true
		}, "is aws:kms with key arn:aws:kms:eu-west-1:123456789012:key/abc and an S3 Bucket Key, SSE-C blocked, want AES256, SSE-C blocked"},
		{"removed", false, func(s *Settings) { s.Encryption, s.SSECBlocked = "", nil }, "is absent, want AES256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := MediaDesired("pm-media", BucketARN("aws", "pm-media"), false, nil, Retention{}, nil)
			want.KnowsSSECBlocking = tt.onAWS
			observed := &Settings{Versioning: VersioningEnabled, PublicAccessBlock: &want.PublicAccessBlock, Ownership: want.Ownership,
				Encryption: EncryptionSSES3, SSECBlocked: &yes, Policy: want.Policy, Lifecycle: want.Lifecycle}
			tt.observed(observed)
			var got []string
			for _, d := range Diff(want, observed) {
				got = append(got, d.String())
			}
			switch {
			case tt.want == "" && len(got) > 0:
				t.Fatalf("drift %q, want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.HasSuffix(got[0], "default encryption "+tt.want)):
				t.Fatalf("drift %q, want one line ending %q", got, "default encryption "+tt.want)
			}
		})
	}
}
