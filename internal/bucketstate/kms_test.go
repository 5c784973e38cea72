package bucketstate

import (
	"strings"
	"testing"
)

const (
	testKey      = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	otherTestKey = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
)

func TestParseKMSKeyARN(t *testing.T) {
	got, err := ParseKMSKeyARN(testKey)
	if want := (KMSKeyARN{Partition: "aws", Region: "eu-west-1", Account: "123456789012", KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab"}); err != nil || got != want {
		t.Errorf("ParseKMSKeyARN(%q) = %+v, %v; want %+v", testKey, got, err, want)
	}
	for _, ok := range []string{otherTestKey, "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", ExampleKMSKeyARN} {
		if _, err := ParseKMSKeyARN(ok); err != nil {
			t.Errorf("ParseKMSKeyARN(%q): %v", ok, err)
		}
	}
	for _, tt := range []struct{ in, says string }{
		{"", "empty"},
		{" " + testKey, "spaces"},
		{"1234abcd-12ab-34cd-56ef-1234567890ab", "not a key ARN"},
		{"alias/media", "is an alias"},
		{"arn:aws:kms:eu-west-1:123456789012:alias/media", "alias ARN"},
		{"arn:aws:s3:::pm-media", "not a KMS ARN"},
		{"arn:aws:iam::123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "not a KMS ARN"},
		{"arn:AWS:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "partition"},
		{"arn:aws:kms::123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "region"},
		{"arn:aws:kms:eu-west-1:*:key/1234abcd-12ab-34cd-56ef-1234567890ab", "account"},
		{"arn:aws:kms:eu-west-1:123456789012:key/*", "key/<key ID>"},
		{"arn:aws:kms:eu-west-1:123456789012:key/1234ABCD-12AB-34CD-56EF-1234567890AB", "key/<key ID>"},
		{"arn:aws:kms:eu-west-1:123456789012:1234abcd-12ab-34cd-56ef-1234567890ab", "key/<key ID>"},
	} {
		_, err := ParseKMSKeyARN(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("ParseKMSKeyARN(%q) = %v, want an error saying %q", tt.in, err, tt.says)
		}
	}
}

func TestWithKMSKey(t *testing.T) {
	base := MediaDesired("pm-media", BucketARN("aws", "pm-media"), false, nil, Retention{}, nil)
	if got := base.WithKMSKey(""); got.Encryption != EncryptionSSES3 || got.EncryptionKey != "" || got.BucketKey {
		t.Errorf("without a key: %q %q %t, want SSE-S3 alone", got.Encryption, got.EncryptionKey, got.BucketKey)
	}
	got := base.WithKMSKey(testKey)
	if got.Encryption != EncryptionKMS || got.EncryptionKey != testKey || !got.BucketKey || !got.BlockSSEC {
		t.Errorf("with a key: %q %q bucket key %t, SSE-C blocked %t; want aws:kms, the key, true, true", got.Encryption, got.EncryptionKey, got.BucketKey, got.BlockSSEC)
	}
	if base.Encryption != EncryptionSSES3 {
		t.Error("WithKMSKey changed its receiver")
	}
}

// A pair with a KMS key: the algorithm, the key and the bucket key are each compared, SSE-C blocking as for
// SSE-S3, and the drift line says what is wanted.
func TestKMSEncryptionDrift(t *testing.T) {
	yes, no := true, false
	const want = "want aws:kms with key " + testKey + " and an S3 Bucket Key, SSE-C blocked"
	tests := []struct {
		name     string
		observed func(*Settings)
		want     string // the drift line's tail; "" = no drift
	}{
		{"as written", func(*Settings) {}, ""},
		{"another key", func(s *Settings) { s.EncryptionKey = otherTestKey },
			"is aws:kms with key " + otherTestKey + " and an S3 Bucket Key, SSE-C blocked, " + want},
		{"switched to SSE-S3", func(s *Settings) { s.Encryption, s.EncryptionKey, s.BucketKey = EncryptionSSES3, "", false },
			"is AES256, SSE-C blocked, " + want},
		{"bucket key off", func(s *Settings) { s.BucketKey = false },
			"is aws:kms with key " + testKey + ", SSE-C blocked, " + want},
		{"AWS managed key (no key named)", func(s *Settings) { s.EncryptionKey = "" },
			"is aws:kms and an S3 Bucket Key, SSE-C blocked, " + want},
		{"SSE-C allowed", func(s *Settings) { s.SSECBlocked = &no },
			"is aws:kms with key " + testKey + " and an S3 Bucket Key, SSE-C allowed, " + want},
		{"removed", func(s *Settings) { s.Encryption, s.EncryptionKey, s.BucketKey, s.SSECBlocked = "", "", false, nil }, "is absent, " + want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := MediaDesired("pm-media", BucketARN("aws", "pm-media"), false, nil, Retention{}, nil).WithKMSKey(testKey)
			d.KnowsSSECBlocking = true
			observed := &Settings{Versioning: VersioningEnabled, PublicAccessBlock: &d.PublicAccessBlock, Ownership: d.Ownership,
				Encryption: EncryptionKMS, EncryptionKey: testKey, BucketKey: true, SSECBlocked: &yes, Policy: d.Policy, Lifecycle: d.Lifecycle}
			tt.observed(observed)
			var got []string
			for _, dr := range Diff(d, observed) {
				got = append(got, dr.String())
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

// The static bucket's key is its own: a static bucket with the media key, or with SSE-S3, drifts.
func TestKMSEncryptionDriftStatic(t *testing.T) {
	d := StaticDesired("pm-static", BucketARN("aws", "pm-static"), true, nil, Retention{}).WithKMSKey(otherTestKey)
	for _, tt := range []struct {
		encryption, key string
		bucketKey, ok   bool
	}{
		{EncryptionKMS, otherTestKey, true, true},
		{EncryptionKMS, testKey, true, false},
		{EncryptionSSES3, "", false, false},
		{EncryptionSSES3, "", true, false},
	} {
		observed := &Settings{Versioning: VersioningDisabled, PublicAccessBlock: &d.PublicAccessBlock, Ownership: d.Ownership,
			Encryption: tt.encryption, EncryptionKey: tt.key, BucketKey: tt.bucketKey, Policy: d.Policy, Lifecycle: d.Lifecycle}
		drifts := Diff(d, observed)
		if ok := len(drifts) == 0; ok != tt.ok || !ok && (len(drifts) != 1 || drifts[0].Setting != SettingEncryption) {
			t.Errorf("%s %q bucket key %t: drift %v, want drift %t (of default encryption)", tt.encryption, tt.key, tt.bucketKey, drifts, !tt.ok)
		}
	}
}
