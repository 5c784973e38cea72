package s3services

import "testing"

func TestRecognize(t *testing.T) {
	tests := []struct {
		endpoint, name, region, style string
	}{
		{"https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com", "Cloudflare R2", "auto", ""},
		{"https://0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com", "Cloudflare R2", "auto", ""},
		{"https://s3.us-west-004.backblazeb2.com", "Backblaze B2", "us-west-004", ""},
		{"https://s3.eu-central-003.backblazeb2.com/", "Backblaze B2", "eu-central-003", ""},
		{"https://nyc3.digitaloceanspaces.com", "DigitalOcean Spaces", "nyc3", "virtual"},
		{"https://FRA1.DigitalOceanSpaces.com", "DigitalOcean Spaces", "fra1", "virtual"},
		{"https://s3.wasabisys.com", "Wasabi", "us-east-1", ""},
		{"https://s3.eu-central-2.wasabisys.com", "Wasabi", "eu-central-2", ""},
		{"https://s3.nl-1.wasabisys.com", "Wasabi", "eu-central-1", ""},
		{"https://fsn1.your-objectstorage.com", "Hetzner Object Storage", "fsn1", ""},
		{"https://s3.fr-par.scw.cloud", "Scaleway Object Storage", "fr-par", ""},
		{"http://s3.nl-ams.scw.cloud:80", "Scaleway Object Storage", "nl-ams", ""},
	}
	for _, tt := range tests {
		got, ok := Recognize(tt.endpoint)
		if !ok || got.Name != tt.name || got.Region != tt.region || got.AddressingStyle != tt.style || got.Doc == "" {
			t.Errorf("Recognize(%q) = %+v, %v; want %s, region %q, style %q", tt.endpoint, got, ok, tt.name, tt.region, tt.style)
		}
	}
}

func TestRecognizeLeavesOthersAlone(t *testing.T) {
	for _, endpoint := range []string{
		"", "s3.us-west-004.backblazeb2.com", // no scheme
		"https://minio.example.internal:9000", "https://rgw.ceph.example.com", "https://127.0.0.1:8443",
		"https://s3.eu-west-1.amazonaws.com",
		"https://r2.cloudflarestorage.com.example.com",        // a look-alike
		"https://bucket.nyc3.digitaloceanspaces.com",          // a bucket's host, not the endpoint
		"https://nyc3.cdn.digitaloceanspaces.com",             // the CDN
		"https://s3.us-west-004.backblazeb2.com.evil.example", // a look-alike
		"https://s3.eu_central.wasabisys.com", "https://a.b.s3.x.wasabisys.com",
		"https://s3.scw.cloud", "https://console.wasabisys.com",
	} {
		if got, ok := Recognize(endpoint); ok {
			t.Errorf("Recognize(%q) = %+v, want no service", endpoint, got)
		}
	}
}
