package bucketstate

import "testing"

func TestBucketARN(t *testing.T) {
	tests := []struct {
		partition, bucket, want string
	}{
		{"aws", "pm-media", "arn:aws:s3:::pm-media"},
		{"aws-cn", "pm-media", "arn:aws-cn:s3:::pm-media"},
		{"aws-us-gov", "pm-static", "arn:aws-us-gov:s3:::pm-static"},
		{"aws-iso-b", "pm-media", "arn:aws-iso-b:s3:::pm-media"},
		{"aws-eusc", "pm-media", "arn:aws-eusc:s3:::pm-media"},
	}
	for _, tt := range tests {
		if got := BucketARN(tt.partition, tt.bucket); got != tt.want {
			t.Errorf("BucketARN(%q, %q) = %q, want %q", tt.partition, tt.bucket, got, tt.want)
		}
	}
}

func TestDomainName(t *testing.T) {
	tests := []struct {
		name                                string
		bucket, region, dnsSuffix, endpoint string
		pathStyle                           bool
		want                                string
	}{
		{"aws regional", "pm-media", "eu-west-1", "amazonaws.com", "", false, "pm-media.s3.eu-west-1.amazonaws.com"},
		{"aws us-east-1", "pm-media", "us-east-1", "amazonaws.com", "", false, "pm-media.s3.us-east-1.amazonaws.com"},
		{"aws ignores path style", "pm-media", "us-east-1", "amazonaws.com", "", true, "pm-media.s3.us-east-1.amazonaws.com"},
		{"aws china", "pm-media", "cn-north-1", "amazonaws.com.cn", "", false, "pm-media.s3.cn-north-1.amazonaws.com.cn"},
		{"aws gov cloud", "pm-media", "us-gov-west-1", "amazonaws.com", "", false, "pm-media.s3.us-gov-west-1.amazonaws.com"},
		{"aws iso", "pm-media", "us-iso-east-1", "c2s.ic.gov", "", false, "pm-media.s3.us-iso-east-1.c2s.ic.gov"},
		{"aws european sovereign cloud", "pm-media", "eusc-de-east-1", "amazonaws.eu", "", false, "pm-media.s3.eusc-de-east-1.amazonaws.eu"},
		{"custom endpoint virtual-hosted", "pm-media", "us-east-1", "amazonaws.com", "https://s3.example.com", false, "pm-media.s3.example.com"},
		{"custom endpoint path style", "pm-media", "us-east-1", "amazonaws.com", "https://s3.example.com", true, "s3.example.com"},
		{"endpoint with port, virtual-hosted", "pm-media", "us-east-1", "amazonaws.com", "http://127.0.0.1:9000", false, "pm-media.127.0.0.1:9000"},
		{"endpoint with port, path style", "pm-media", "us-east-1", "amazonaws.com", "http://localhost:9000", true, "localhost:9000"},
		{"endpoint with path, path style", "pm-static", "us-east-1", "amazonaws.com", "https://storage.example.com/s3/", true, "storage.example.com"},
		{"endpoint with trailing slash", "pm-static", "us-east-1", "amazonaws.com", "https://storage.example.com/", false, "pm-static.storage.example.com"},
		{"endpoint without scheme is used as is", "pm-static", "us-east-1", "amazonaws.com", "minio.internal", true, "minio.internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DomainName(tt.bucket, tt.region, tt.dnsSuffix, tt.endpoint, tt.pathStyle); got != tt.want {
				t.Errorf("DomainName(%q, %q, %q, %q, %v) = %q, want %q", tt.bucket, tt.region, tt.dnsSuffix, tt.endpoint, tt.pathStyle, got, tt.want)
			}
		})
	}
}
