package djangoconfig

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenCases are the configurations whose full output is pinned in testdata/<name>.golden.
var goldenCases = []struct {
	name string
	cfg  Config
}{
	{"aws_private_static", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "eu-west-1"}},
	{"aws_public_static", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "eu-west-1", StaticPublicRead: true}},
	{"aws_virtual_style", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "us-east-1", AddressingStyle: "virtual"}},
	{"endpoint_path_style", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "us-east-1", EndpointURL: "http://127.0.0.1:8333", AddressingStyle: "path"}},
	{"endpoint_auto_style", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "us-east-1", EndpointURL: "https://s3.example.test", StaticPublicRead: true}},
	{"aws_s3_backend_manifest", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "eu-west-1", StaticPublicRead: true, Backend: BackendS3, StaticManifest: true}},
	{"aws_s3boto3_manifest", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "eu-west-1", StaticPublicRead: true, Backend: BackendS3Boto3, StaticManifest: true}},
	{"aws_static_cdn", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "eu-west-1", StaticCustomDomain: "static.example.com"}},
	{"aws_both_cdns", Config{
		MediaBucket: "example-media", StaticBucket: "example-static", Region: "eu-west-1", Backend: BackendS3, StaticManifest: true,
		StaticCustomDomain: "d111111abcdef8.cloudfront.net", MediaCustomDomain: "media.example.com", MediaCloudFrontKeyID: "K2JCJMDEHXQW5F",
	}},
}

// serviceGoldenCases are pinned like goldenCases, for endpoints of services s3services recognises, whose
// region and addressing style forService changes (TestRenderIsValidStoragesJSON expects them unchanged).
var serviceGoldenCases = []struct {
	name string
	cfg  Config
}{
	{"r2_region_auto", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "us-east-1",
		EndpointURL: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com", AddressingStyle: "path", StaticPublicRead: true}},
	{"spaces_virtual_style", Config{MediaBucket: "example-media", StaticBucket: "example-static", Region: "ams3",
		EndpointURL: "https://ams3.digitaloceanspaces.com", StaticPublicRead: true}},
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range append(slices.Clone(goldenCases), serviceGoldenCases...) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.cfg)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `go test ./internal/djangoconfig/ -update` to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Render output differs from %s (rerun with -update if the change is intended)\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
}

func TestRenderRejectsInvalidConfig(t *testing.T) {
	valid := Config{MediaBucket: "m", StaticBucket: "s", Region: "eu-west-1"}
	tests := []struct {
		name   string
		edit   func(*Config)
		fields []string
	}{
		{"no media bucket", func(c *Config) { c.MediaBucket = "" }, []string{"MediaBucket"}},
		{"no static bucket", func(c *Config) { c.StaticBucket = "" }, []string{"StaticBucket"}},
		{"no region", func(c *Config) { c.Region = "" }, []string{"Region"}},
		{"same bucket twice", func(c *Config) { c.StaticBucket = c.MediaBucket }, []string{"StaticBucket"}},
		{"relative endpoint", func(c *Config) { c.EndpointURL = "s3.example.test" }, []string{"EndpointURL"}},
		{"endpoint without host", func(c *Config) { c.EndpointURL = "http://" }, []string{"EndpointURL"}},
		{"unknown addressing style", func(c *Config) { c.AddressingStyle = "auto" }, []string{"AddressingStyle"}},
		{"unknown backend", func(c *Config) { c.Backend = "S3Boto3Storage" }, []string{"Backend"}},
		{"static domain with scheme", func(c *Config) { c.StaticCustomDomain = "https://static.example.com" }, []string{"StaticCustomDomain"}},
		{"static domain with path", func(c *Config) { c.StaticCustomDomain = "cdn.example.com/static" }, []string{"StaticCustomDomain"}},
		{"static domain with port", func(c *Config) { c.StaticCustomDomain = "cdn.example.com:8443" }, []string{"StaticCustomDomain"}},
		{"static domain with trailing slash", func(c *Config) { c.StaticCustomDomain = "cdn.example.com/" }, []string{"StaticCustomDomain"}},
		{"static domain of one label", func(c *Config) { c.StaticCustomDomain = "localhost" }, []string{"StaticCustomDomain"}},
		{"static domain too long", func(c *Config) { c.StaticCustomDomain = strings.Repeat("a.", 126) + "com" }, []string{"StaticCustomDomain"}},
		{"media domain with scheme", func(c *Config) {
			c.MediaCustomDomain, c.MediaCloudFrontKeyID = "https://media.example.com", "K2JCJMDEHXQW5F"
		}, []string{"MediaCustomDomain"}},
		{"media domain without key", func(c *Config) { c.MediaCustomDomain = "media.example.com" }, []string{"MediaCloudFrontKeyID"}},
		{"key without media domain", func(c *Config) { c.MediaCloudFrontKeyID = "K2JCJMDEHXQW5F" }, []string{"MediaCloudFrontKeyID"}},
		{"key without media domain, static domain set", func(c *Config) {
			c.StaticCustomDomain, c.MediaCloudFrontKeyID = "static.example.com", "K2JCJMDEHXQW5F"
		}, []string{"MediaCloudFrontKeyID"}},
		{"private key instead of its ID", func(c *Config) {
			c.MediaCustomDomain, c.MediaCloudFrontKeyID = "media.example.com", privateKeyPEM
		}, []string{"MediaCloudFrontKeyID"}},
		{"everything missing", func(c *Config) { *c = Config{} }, []string{"MediaBucket", "StaticBucket", "Region"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			out, err := Render(cfg)
			if err == nil {
				t.Fatalf("Render succeeded, want an error naming %v; output:\n%s", tt.fields, out)
			}
			if out != "" {
				t.Errorf("Render returned output along with an error: %q", out)
			}
			if got := fieldsOf(err); !slices.Equal(got, tt.fields) {
				t.Errorf("error names fields %v, want %v (error: %v)", got, tt.fields, err)
			}
			for _, f := range tt.fields {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not name %s", err, f)
				}
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), "MIIEow") {
				t.Errorf("error repeats a private key: %q", err)
			}
		})
	}
}

// privateKeyPEM looks like what a user might paste where the key's ID belongs (not a real key).
const privateKeyPEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAexample\n-----END RSA PRIVATE KEY-----\n"

func TestRenderAcceptsHostNames(t *testing.T) {
	for _, domain := range []string{"static.example.com", "d111111abcdef8.cloudfront.net", "CDN.Example.COM", "a-b.c-d.example.co.uk", strings.Repeat("a", 63) + ".example.com"} {
		cfg := Config{MediaBucket: "m", StaticBucket: "s", Region: "eu-west-1", StaticCustomDomain: domain, MediaCustomDomain: domain, MediaCloudFrontKeyID: "APKAEIBAERJR2EXAMPLE"}
		if _, err := Render(cfg); err != nil {
			t.Errorf("%q: %v", domain, err)
		}
	}
}

// fieldsOf lists the fields of the *FieldError values in err, which may be an errors.Join.
func fieldsOf(err error) []string {
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else {
		errs = []error{err}
	}
	var fields []string
	for _, e := range errs {
		var fe *FieldError
		if errors.As(e, &fe) {
			fields = append(fields, fe.Field)
		}
	}
	return fields
}

// The OPTIONS keys the S3 storage accepts (get_default_settings; any other key raises ImproperlyConfigured),
// read from django-storages' source: 1.13.2, the release Debian ships, and 1.14.1 up to current releases,
// which added security_token, cloudfront_key_id, cloudfront_key, transfer_config and later client_config.
// (1.14 itself took cloudfront_key_id and cloudfront_key out of the settings before checking them.)
var (
	settings113 = []string{
		"access_key", "secret_key", "session_profile", "file_overwrite", "object_parameters", "bucket_name",
		"querystring_auth", "querystring_expire", "signature_version", "location", "custom_domain", "cloudfront_signer",
		"addressing_style", "file_name_charset", "gzip", "gzip_content_types", "url_protocol", "endpoint_url",
		"proxies", "region_name", "use_ssl", "verify", "max_memory_size", "default_acl", "use_threads",
	}
	settingsCurrent = []string{
		"access_key", "secret_key", "security_token", "session_profile", "file_overwrite", "object_parameters",
		"bucket_name", "querystring_auth", "querystring_expire", "signature_version", "location", "custom_domain",
		"cloudfront_key_id", "cloudfront_key", "addressing_style", "file_name_charset", "gzip", "gzip_content_types",
		"url_protocol", "endpoint_url", "proxies", "region_name", "use_ssl", "verify", "max_memory_size",
		"default_acl", "use_threads", "transfer_config", "client_config",
	}
)

type storage struct {
	BACKEND string
	OPTIONS map[string]any
}

func TestRenderIsValidStoragesJSON(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Render(tc.cfg)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if !json.Valid([]byte(out)) {
				t.Fatalf("output is not valid JSON:\n%s", out)
			}
			var storages map[string]storage
			dec := json.NewDecoder(strings.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&storages); err != nil {
				t.Fatalf("decoding STORAGES: %v", err)
			}
			if keys := sortedKeys(storages); !slices.Equal(keys, []string{"default", "staticfiles"}) {
				t.Fatalf("aliases = %v, want [default staticfiles]", keys)
			}
			c := tc.cfg
			module := "storages.backends.s3boto3."
			storageClass := module + "S3Boto3Storage"
			if c.Backend == BackendS3 {
				module = "storages.backends.s3."
				storageClass = module + "S3Storage"
			}
			staticClass := storageClass
			if c.StaticManifest {
				staticClass = module + "S3ManifestStaticStorage"
			}

			media := expectedOptions(c, c.MediaBucket, true, false)
			if c.MediaCustomDomain != "" {
				media["custom_domain"] = c.MediaCustomDomain
				media["cloudfront_key_id"] = c.MediaCloudFrontKeyID
			}
			checkStorage(t, "default", storages["default"], storageClass, media)

			static := expectedOptions(c, c.StaticBucket, !c.StaticPublicRead && c.StaticCustomDomain == "", true)
			if c.StaticCustomDomain != "" {
				static["custom_domain"] = c.StaticCustomDomain
			}
			cacheControl := "max-age=3600, public"
			if c.StaticManifest {
				cacheControl = "max-age=31536000, public, immutable"
			}
			static["object_parameters"] = map[string]any{"CacheControl": cacheControl}
			checkStorage(t, "staticfiles", storages["staticfiles"], staticClass, static)
		})
	}
}

// expectedOptions are the OPTIONS every storage has.
func expectedOptions(c Config, bucket string, querystringAuth, fileOverwrite bool) map[string]any {
	want := map[string]any{
		"bucket_name":       bucket,
		"region_name":       c.Region,
		"signature_version": "s3v4",
		"default_acl":       nil,
		"querystring_auth":  querystringAuth,
		"file_overwrite":    fileOverwrite,
	}
	if c.EndpointURL != "" {
		want["endpoint_url"] = c.EndpointURL
	}
	if c.EndpointURL != "" || c.AddressingStyle != "" {
		want["addressing_style"] = nil
		if c.AddressingStyle != "" {
			want["addressing_style"] = c.AddressingStyle
		}
	}
	return want
}

func checkStorage(t *testing.T, alias string, s storage, backend string, want map[string]any) {
	t.Helper()
	if s.BACKEND != backend {
		t.Errorf("%s.BACKEND = %q, want %q", alias, s.BACKEND, backend)
	}
	for key := range s.OPTIONS {
		if !slices.Contains(settingsCurrent, key) {
			t.Errorf("%s.OPTIONS has %q, which current django-storages rejects", alias, key)
		}
		// Only a media CDN's key may leave 1.13 behind, and the documentation says so.
		if !slices.Contains(settings113, key) && key != "cloudfront_key_id" {
			t.Errorf("%s.OPTIONS has %q, which django-storages 1.13 rejects", alias, key)
		}
	}
	if got, w := sortedKeys(s.OPTIONS), sortedKeys(want); !slices.Equal(got, w) {
		t.Errorf("%s.OPTIONS keys = %v, want %v", alias, got, w)
	}
	for key, w := range want {
		if got, ok := s.OPTIONS[key]; ok && !reflect.DeepEqual(got, w) {
			t.Errorf("%s.OPTIONS[%q] = %#v, want %#v", alias, key, got, w)
		}
	}
}

// The default backend is s3boto3 whether it is named or not: the resource names it, the function need not.
func TestRenderDefaultBackend(t *testing.T) {
	for _, manifest := range []bool{false, true} {
		unnamed, err := Render(Config{MediaBucket: "m", StaticBucket: "s", Region: "eu-west-1", StaticManifest: manifest})
		if err != nil {
			t.Fatal(err)
		}
		named, err := Render(Config{MediaBucket: "m", StaticBucket: "s", Region: "eu-west-1", StaticManifest: manifest, Backend: Backends()[0]})
		if err != nil {
			t.Fatal(err)
		}
		if unnamed != named || !strings.Contains(named, `"storages.backends.s3boto3.`) {
			t.Errorf("manifest %t: Backend \"\" gives\n%s\nBackend %q gives\n%s", manifest, unnamed, Backends()[0], named)
		}
	}
}

func TestRenderKeyOrderIsStable(t *testing.T) {
	cfg := Config{
		MediaBucket: "m", StaticBucket: "s", Region: "eu-west-1", EndpointURL: "http://localhost:9000", AddressingStyle: "path",
		StaticCustomDomain: "static.example.com", MediaCustomDomain: "media.example.com", MediaCloudFrontKeyID: "K2JCJMDEHXQW5F",
	}
	first, err := Render(cfg)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for range 20 {
		if again, _ := Render(cfg); again != first {
			t.Fatalf("Render is not deterministic:\n%s\nthen\n%s", first, again)
		}
	}
	common := []string{"bucket_name", "region_name", "endpoint_url", "addressing_style", "signature_version", "default_acl", "querystring_auth", "custom_domain"}
	want := []string{"default", "BACKEND", "OPTIONS"}
	want = append(want, common...)
	want = append(want, "cloudfront_key_id", "file_overwrite")
	want = append(want, "staticfiles", "BACKEND", "OPTIONS")
	want = append(want, common...)
	want = append(want, "file_overwrite", "object_parameters", "CacheControl")
	if got := objectKeys(t, first); !slices.Equal(got, want) {
		t.Errorf("keys in document order:\n got %v\nwant %v", got, want)
	}
	if !strings.HasPrefix(first, "{\n  \"default\": {\n    \"BACKEND\"") || !strings.HasSuffix(first, "}\n") || strings.HasSuffix(first, "\n\n") {
		t.Errorf("want two-space indentation and exactly one trailing newline, got:\n%q", first)
	}
}

// objectKeys returns every object key of the JSON document, in document order.
func objectKeys(t *testing.T, doc string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	next := func() json.Token {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("reading JSON tokens: %v", err)
		}
		return tok
	}
	var keys []string
	var value func()
	value = func() {
		open, ok := next().(json.Delim)
		if !ok {
			return // a scalar
		}
		for dec.More() {
			if open == '{' {
				key, ok := next().(string)
				if !ok {
					t.Fatalf("an object key is not a string in %s", doc)
				}
				keys = append(keys, key)
			}
			value()
		}
		next() // the closing delimiter
	}
	value()
	return keys
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// A recognised service's endpoint gets the region it signs for and, without a style of the caller's, the
// addressing style its documentation configures; other endpoints keep what they were given.
func TestRenderForServices(t *testing.T) {
	tests := []struct {
		endpoint, region, style string
		wantRegion              string
		wantStyle               any
	}{
		{"https://0123456789abcdef.r2.cloudflarestorage.com", "us-east-1", "path", "auto", "path"},
		{"https://0123456789abcdef.r2.cloudflarestorage.com", "auto", "", "auto", nil},
		{"https://s3.us-west-004.backblazeb2.com", "us-east-1", "path", "us-west-004", "path"},
		{"https://nyc3.digitaloceanspaces.com", "nyc3", "", "nyc3", "virtual"},
		{"https://nyc3.digitaloceanspaces.com", "us-east-1", "path", "nyc3", "path"}, // use_path_style = true wins
		{"https://s3.nl-1.wasabisys.com", "us-east-1", "path", "eu-central-1", "path"},
		{"https://hel1.your-objectstorage.com", "us-east-1", "path", "hel1", "path"},
		{"https://s3.fr-par.scw.cloud", "fr-par", "virtual", "fr-par", "virtual"},
		{"https://minio.example.internal:9000", "eu-west-1", "path", "eu-west-1", "path"},
		{"https://rgw.example.com", "default", "", "default", nil},
	}
	for _, tt := range tests {
		out, err := Render(Config{MediaBucket: "m-bucket", StaticBucket: "s-bucket", Region: tt.region, EndpointURL: tt.endpoint, AddressingStyle: tt.style})
		if err != nil {
			t.Fatalf("Render(%s): %v", tt.endpoint, err)
		}
		var storages map[string]struct{ OPTIONS map[string]any }
		if err := json.Unmarshal([]byte(out), &storages); err != nil {
			t.Fatal(err)
		}
		for alias, s := range storages {
			o := s.OPTIONS
			if o["region_name"] != tt.wantRegion || o["addressing_style"] != tt.wantStyle || o["endpoint_url"] != tt.endpoint {
				t.Errorf("%s with region %q, style %q: %s has region_name %v, addressing_style %v, endpoint_url %v; want %q, %v",
					tt.endpoint, tt.region, tt.style, alias, o["region_name"], o["addressing_style"], o["endpoint_url"], tt.wantRegion, tt.wantStyle)
			}
		}
	}
}
