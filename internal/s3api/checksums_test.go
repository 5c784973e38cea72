package s3api

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestResolveChecksums(t *testing.T) {
	tests := []struct {
		mode     string
		onAWS    bool
		wantMode string
		want     aws.RequestChecksumCalculation
		wantResp aws.ResponseChecksumValidation
	}{
		{"", true, ChecksumsWhenSupported, aws.RequestChecksumCalculationWhenSupported, aws.ResponseChecksumValidationWhenSupported},
		{"", false, ChecksumsWhenRequired, aws.RequestChecksumCalculationWhenRequired, aws.ResponseChecksumValidationWhenRequired},
		{ChecksumsWhenRequired, true, ChecksumsWhenRequired, aws.RequestChecksumCalculationWhenRequired, aws.ResponseChecksumValidationWhenRequired},
		{ChecksumsWhenSupported, false, ChecksumsWhenSupported, aws.RequestChecksumCalculationWhenSupported, aws.ResponseChecksumValidationWhenSupported},
	}
	for _, tt := range tests {
		got, err := ResolveChecksums(tt.mode, tt.onAWS)
		if err != nil {
			t.Fatalf("ResolveChecksums(%q, %v): %v", tt.mode, tt.onAWS, err)
		}
		if got.Mode != tt.wantMode || got.Request != tt.want || got.Response != tt.wantResp {
			t.Errorf("ResolveChecksums(%q, %v) = %+v, want mode %s, request %v, response %v", tt.mode, tt.onAWS, got, tt.wantMode, tt.want, tt.wantResp)
		}
	}
	if _, err := ResolveChecksums("WHEN_REQUIRED", false); err == nil || !strings.Contains(err.Error(), `"when_required"`) {
		t.Errorf("ResolveChecksums(WHEN_REQUIRED) error = %v, want one naming the accepted values", err)
	}
}

// TestNewAppliesChecksums checks that the client is built with the resolved pair, whichever endpoint names it.
func TestNewAppliesChecksums(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"AWS default endpoint", Config{Region: "eu-west-1"}, ChecksumsWhenSupported},
		{"one of AWS's own endpoints", Config{Endpoint: "https://s3.eu-west-1.amazonaws.com"}, ChecksumsWhenSupported},
		{"S3-compatible endpoint", Config{Endpoint: "https://eu-central-1.linodeobjects.com"}, ChecksumsWhenRequired},
		{"S3-compatible endpoint, set", Config{Endpoint: testEndpoint, Checksums: ChecksumsWhenSupported}, ChecksumsWhenSupported},
		{"AWS, set", Config{Region: "eu-west-1", Checksums: ChecksumsWhenRequired}, ChecksumsWhenRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			cfg := tt.cfg
			cfg.AccessKey, cfg.SecretKey = testAccessKey, testSecretKey
			c, err := New(t.Context(), cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			want, _ := ResolveChecksums(tt.want, false)
			o := c.S3.Options()
			if c.Checksums != tt.want || o.RequestChecksumCalculation != want.Request || o.ResponseChecksumValidation != want.Response {
				t.Errorf("Checksums %q, options %v/%v; want %q, %v/%v", c.Checksums, o.RequestChecksumCalculation,
					o.ResponseChecksumValidation, tt.want, want.Request, want.Response)
			}
		})
	}
	isolateAWS(t)
	if _, err := New(t.Context(), Config{Endpoint: testEndpoint, AccessKey: testAccessKey, SecretKey: testSecretKey, Checksums: "always"}); err == nil ||
		!strings.Contains(err.Error(), "checksums must be one of") {
		t.Errorf("New with checksums = always: error %v, want one naming the accepted values", err)
	}
}
