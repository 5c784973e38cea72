package s3api

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const (
	testAccessKey = "AKIATESTEXAMPLE0000"
	testSecretKey = "s3cr3t/DoNotPrint+wJalrXUtnFEMIK7MDENG"
	testEndpoint  = "http://127.0.0.1:9000"
)

// isolateAWS hides every AWS setting of the machine running the tests: the variables the SDK reads are
// cleared and the shared config and credentials files are empty temporary files. Instance metadata is
// disabled, so nothing ever reaches the network.
func isolateAWS(t testing.TB) {
	t.Helper()
	for _, name := range []string{
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
		"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_ENDPOINT_URL", EndpointEnv, STSEndpointEnv, AccountBlockEndpointEnv, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_CA_BUNDLE",
	} {
		t.Setenv(name, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	dir := t.TempDir()
	for name, file := range map[string]string{"AWS_CONFIG_FILE": "config", "AWS_SHARED_CREDENTIALS_FILE": "credentials"} {
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv(name, path)
	}
}

func TestNewRejectsMalformedEndpoint(t *testing.T) {
	const (
		fromArgument = "provider argument endpoint"
		fromEnv      = "environment variable " + EndpointEnv
	)
	tests := []struct {
		name     string
		argument string // Config.Endpoint
		env      string // AWS_ENDPOINT_URL_S3
		endpoint string // the one the error must name
		source   string
		reason   string
	}{
		{"argument without scheme", "localhost:9000", "", "localhost:9000", fromArgument, "must start with https://"},
		{"argument host without scheme", "minio.example.com", "", "minio.example.com", fromArgument, "must start with https://"},
		{"argument ftp", "ftp://files.example.com", "", "ftp://files.example.com", fromArgument, "must start with https://"},
		{"argument without host", "http://", "", "http://", fromArgument, "has no host"},
		{"argument not a URL", "http://[::1", "", "http://[::1", fromArgument, "is not a valid URL"},
		{"environment ftp", "", "ftp://files.example.com", "ftp://files.example.com", fromEnv, "must start with https://"},
		{"environment without host", "", "http://", "http://", fromEnv, "has no host"},
		{"argument wins over environment", "ftp://arg.example.com", "https://env.example.com", "ftp://arg.example.com", fromArgument, "must start with https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			t.Setenv(EndpointEnv, tt.env)
			c, err := New(t.Context(), Config{Endpoint: tt.argument, AccessKey: testAccessKey, SecretKey: testSecretKey})
			if err == nil {
				t.Fatalf("New succeeded with endpoint %q (%s): %s", tt.endpoint, tt.source, c.Describe())
			}
			for _, part := range []string{`"` + tt.endpoint + `"`, tt.source, tt.reason} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestNewConfigurationErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error
	}{
		{"access key alone", Config{Endpoint: testEndpoint, AccessKey: testAccessKey}, []string{"access_key and secret_key must be set together"}},
		{"secret key alone", Config{Endpoint: testEndpoint, SecretKey: testSecretKey}, []string{"access_key and secret_key must be set together"}},
		{"session token alone", Config{Endpoint: testEndpoint, SessionToken: "FwoGZXIvYXdzEXAMPLE"}, []string{"set access_key and secret_key with it"}},
		{"session token with one key", Config{Endpoint: testEndpoint, AccessKey: testAccessKey, SessionToken: "FwoGZXIvYXdzEXAMPLE"}, []string{"set access_key and secret_key with it"}},
		{"no region and no endpoint", Config{AccessKey: testAccessKey, SecretKey: testSecretKey}, []string{"no region", "AWS_REGION"}},
		{"unknown profile", Config{Endpoint: testEndpoint, Profile: "pm-missing"}, []string{"loading AWS configuration", "pm-missing"}},
		{
			"no credentials anywhere", Config{Endpoint: testEndpoint},
			[]string{"no usable AWS credentials", "the standard AWS chain", "AWS_ACCESS_KEY_ID", "instance roles"},
		},
		{
			"no credentials, region but no endpoint", Config{Region: "eu-west-1"},
			[]string{"no usable AWS credentials", "the standard AWS chain"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			c, err := New(t.Context(), tt.cfg)
			if err == nil {
				t.Fatalf("New succeeded: %s", c.Describe())
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
			if strings.Contains(err.Error(), testSecretKey) {
				t.Errorf("error %q contains the secret key", err)
			}
		})
	}
}

func TestNewWithStaticKeys(t *testing.T) {
	tests := []struct {
		name           string
		cfg            Config
		env            string // AWS_ENDPOINT_URL_S3
		region         string // AWS_REGION
		wantRegion     string
		wantEndpoint   string
		wantSource     string
		wantPathStyle  bool
		wantMaxAttempt int
	}{
		{
			name:         "endpoint argument, no region",
			cfg:          Config{Endpoint: testEndpoint},
			wantRegion:   "us-east-1",
			wantEndpoint: testEndpoint, wantSource: "provider argument endpoint",
			wantPathStyle: true, wantMaxAttempt: DefaultMaxRetries + 1,
		},
		{
			name:         "endpoint from environment",
			cfg:          Config{},
			env:          "https://s3.example.com",
			wantRegion:   "us-east-1",
			wantEndpoint: "https://s3.example.com", wantSource: "environment variable " + EndpointEnv,
			wantPathStyle: true, wantMaxAttempt: DefaultMaxRetries + 1,
		},
		{
			name:         "virtual-hosted on a custom endpoint",
			cfg:          Config{Endpoint: testEndpoint, UsePathStyle: aws.Bool(false), MaxRetries: aws.Int(0)},
			wantRegion:   "us-east-1",
			wantEndpoint: testEndpoint, wantSource: "provider argument endpoint",
			wantPathStyle: false, wantMaxAttempt: 1,
		},
		{
			name:         "region argument with endpoint",
			cfg:          Config{Endpoint: testEndpoint, Region: "eu-central-1", MaxRetries: aws.Int(2)},
			wantRegion:   "eu-central-1",
			wantEndpoint: testEndpoint, wantSource: "provider argument endpoint",
			wantPathStyle: true, wantMaxAttempt: 3,
		},
		{
			name:         "AWS with region from environment",
			cfg:          Config{},
			region:       "ap-southeast-2",
			wantRegion:   "ap-southeast-2",
			wantEndpoint: "", wantSource: "AWS default",
			wantPathStyle: false, wantMaxAttempt: DefaultMaxRetries + 1,
		},
		{
			name:         "path style forced on AWS",
			cfg:          Config{Region: "eu-west-1", UsePathStyle: aws.Bool(true)},
			wantRegion:   "eu-west-1",
			wantEndpoint: "", wantSource: "AWS default",
			wantPathStyle: true, wantMaxAttempt: DefaultMaxRetries + 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			t.Setenv(EndpointEnv, tt.env)
			t.Setenv("AWS_REGION", tt.region)
			cfg := tt.cfg
			cfg.AccessKey, cfg.SecretKey = testAccessKey, testSecretKey

			c, err := New(t.Context(), cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.S3 == nil {
				t.Fatal("New returned no S3 client")
			}
			if c.Region != tt.wantRegion {
				t.Errorf("Region = %q, want %q", c.Region, tt.wantRegion)
			}
			if c.Endpoint != tt.wantEndpoint || c.EndpointSource != tt.wantSource {
				t.Errorf("Endpoint, EndpointSource = %q, %q; want %q, %q", c.Endpoint, c.EndpointSource, tt.wantEndpoint, tt.wantSource)
			}
			if c.PathStyle != tt.wantPathStyle {
				t.Errorf("PathStyle = %v, want %v", c.PathStyle, tt.wantPathStyle)
			}
			if c.CredentialSource != "the provider arguments access_key/secret_key" {
				t.Errorf("CredentialSource = %q, want the provider arguments", c.CredentialSource)
			}

			// The SDK client must be configured the way the Client says it is.
			o := c.S3.Options()
			if o.Region != tt.wantRegion || o.UsePathStyle != tt.wantPathStyle {
				t.Errorf("S3 options region, path style = %q, %v; want %q, %v", o.Region, o.UsePathStyle, tt.wantRegion, tt.wantPathStyle)
			}
			if got := aws.ToString(o.BaseEndpoint); got != tt.wantEndpoint {
				t.Errorf("S3 options BaseEndpoint = %q, want %q", got, tt.wantEndpoint)
			}
			if got := o.Retryer.MaxAttempts(); got != tt.wantMaxAttempt {
				t.Errorf("retryer MaxAttempts = %d, want %d", got, tt.wantMaxAttempt)
			}

			d := c.Describe()
			endpoint := tt.wantEndpoint
			if endpoint == "" {
				endpoint = "AWS S3"
			}
			for _, part := range []string{"endpoint " + endpoint, tt.wantSource, "region " + tt.wantRegion, "credentials from the provider arguments access_key/secret_key"} {
				if !strings.Contains(d, part) {
					t.Errorf("Describe() = %q does not contain %q", d, part)
				}
			}
			if strings.Contains(d, testSecretKey) {
				t.Errorf("Describe() = %q contains the secret key", d)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		client Client
		want   string
	}{
		{
			Client{Region: "us-east-1", Endpoint: testEndpoint, EndpointSource: "provider argument endpoint", CredentialSource: "StaticCredentials"},
			"endpoint http://127.0.0.1:9000 (from provider argument endpoint), region us-east-1, credentials from StaticCredentials",
		},
		{
			Client{Region: "eu-west-1", EndpointSource: "AWS default", CredentialSource: "SharedConfigCredentials: /home/u/.aws/credentials"},
			"endpoint AWS S3 (from AWS default), region eu-west-1, credentials from SharedConfigCredentials: /home/u/.aws/credentials",
		},
	}
	for _, tt := range tests {
		if got := tt.client.Describe(); got != tt.want {
			t.Errorf("Describe() =\n %s\nwant\n %s", got, tt.want)
		}
	}
}

// A known S3-compatible service's endpoint sets the region the client signs for when none is configured,
// and the addressing style its documentation configures; a configured value wins.
func TestNewFollowsKnownServices(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		region     string // AWS_REGION
		wantRegion string
		wantPath   bool
	}{
		{"R2", Config{Endpoint: "https://0123456789abcdef.r2.cloudflarestorage.com"}, "", "auto", true},
		{"B2", Config{Endpoint: "https://s3.us-west-004.backblazeb2.com"}, "", "us-west-004", true},
		{"Spaces", Config{Endpoint: "https://fra1.digitaloceanspaces.com"}, "", "fra1", false},
		{"Spaces, path style set", Config{Endpoint: "https://fra1.digitaloceanspaces.com", UsePathStyle: aws.Bool(true)}, "", "fra1", true},
		{"B2, region set", Config{Endpoint: "https://s3.us-west-004.backblazeb2.com", Region: "eu-central-003"}, "", "eu-central-003", true},
		{"R2, AWS_REGION set", Config{Endpoint: "https://0123456789abcdef.r2.cloudflarestorage.com"}, "us-east-1", "us-east-1", true},
		{"MinIO", Config{Endpoint: "https://minio.example.internal:9000"}, "", "us-east-1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			t.Setenv("AWS_REGION", tt.region)
			cfg := tt.cfg
			cfg.AccessKey, cfg.SecretKey = testAccessKey, testSecretKey
			c, err := New(t.Context(), cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			o := c.S3.Options()
			if c.Region != tt.wantRegion || o.Region != tt.wantRegion || c.PathStyle != tt.wantPath || o.UsePathStyle != tt.wantPath {
				t.Errorf("region %q (options %q), path style %v (options %v); want %q, %v", c.Region, o.Region, c.PathStyle, o.UsePathStyle, tt.wantRegion, tt.wantPath)
			}
		})
	}
}
