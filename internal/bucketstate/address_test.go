package bucketstate

import "testing"

func TestPartition(t *testing.T) {
	tests := []struct {
		region, want string
	}{
		{"us-east-1", "aws"},
		{"eu-west-1", "aws"},
		{"", "aws"},
		{"cn-north-1", "aws-cn"},
		{"cn-northwest-1", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
		{"us-gov-east-1", "aws-us-gov"},
		{"us-iso-east-1", "aws-iso"},
		{"us-isob-east-1", "aws-iso-b"},
		{"eu-isoe-west-1", "aws-iso-e"},
		{"us-isof-south-1", "aws-iso-f"},
	}
	for _, tt := range tests {
		if got := Partition(tt.region); got != tt.want {
			t.Errorf("Partition(%q) = %q, want %q", tt.region, got, tt.want)
		}
	}
}

func TestARN(t *testing.T) {
	tests := []struct {
		region, bucket, want string
	}{
		{"us-east-1", "pm-media", "arn:aws:s3:::pm-media"},
		{"eu-central-1", "pm-static", "arn:aws:s3:::pm-static"},
		{"cn-north-1", "pm-media", "arn:aws-cn:s3:::pm-media"},
		{"us-gov-west-1", "pm-media", "arn:aws-us-gov:s3:::pm-media"},
	}
	for _, tt := range tests {
		if got := ARN(tt.region, tt.bucket); got != tt.want {
			t.Errorf("ARN(%q, %q) = %q, want %q", tt.region, tt.bucket, got, tt.want)
		}
	}
}

func TestDomainName(t *testing.T) {
	tests := []struct {
		name                     string
		bucket, region, endpoint string
		pathStyle                bool
		want                     string
	}{
		{"aws regional", "pm-media", "eu-west-1", "", false, "pm-media.s3.eu-west-1.amazonaws.com"},
		{"aws us-east-1", "pm-media", "us-east-1", "", false, "pm-media.s3.us-east-1.amazonaws.com"},
		{"aws china", "pm-media", "cn-north-1", "", false, "pm-media.s3.cn-north-1.amazonaws.com.cn"},
		{"aws gov cloud", "pm-media", "us-gov-west-1", "", false, "pm-media.s3.us-gov-west-1.amazonaws.com"},
		{"custom endpoint virtual-hosted", "pm-media", "us-east-1", "https://s3.example.com", false, "pm-media.s3.example.com"},
		{"custom endpoint path style", "pm-media", "us-east-1", "https://s3.example.com", true, "s3.example.com"},
		{"endpoint with port, virtual-hosted", "pm-media", "us-east-1", "http://127.0.0.1:9000", false, "pm-media.127.0.0.1:9000"},
		{"endpoint with port, path style", "pm-media", "us-east-1", "http://localhost:9000", true, "localhost:9000"},
		{"endpoint with path, path style", "pm-static", "us-east-1", "https://storage.example.com/s3/", true, "storage.example.com"},
		{"endpoint with trailing slash", "pm-static", "us-east-1", "https://storage.example.com/", false, "pm-static.storage.example.com"},
		{"endpoint without scheme is used as is", "pm-static", "us-east-1", "minio.internal", true, "minio.internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DomainName(tt.bucket, tt.region, tt.endpoint, tt.pathStyle); got != tt.want {
				t.Errorf("DomainName(%q, %q, %q, %v) = %q, want %q", tt.bucket, tt.region, tt.endpoint, tt.pathStyle, got, tt.want)
			}
		})
	}
}
