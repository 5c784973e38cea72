package djangoconfig

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
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
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range goldenCases {
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
		})
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

// s3Boto3Settings are the OPTIONS keys that S3Boto3Storage accepts both in django-storages 1.13 and in
// current releases (from get_default_settings); any other key raises ImproperlyConfigured in one of them.
var s3Boto3Settings = []string{
	"access_key", "secret_key", "session_profile", "file_overwrite", "object_parameters", "bucket_name",
	"querystring_auth", "querystring_expire", "signature_version", "location", "custom_domain",
	"addressing_style", "file_name_charset", "gzip", "gzip_content_types", "url_protocol", "endpoint_url",
	"proxies", "region_name", "use_ssl", "verify", "max_memory_size", "default_acl",
}

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
			checkStorage(t, "default", storages["default"], c, c.MediaBucket, true, false)
			checkStorage(t, "staticfiles", storages["staticfiles"], c, c.StaticBucket, !c.StaticPublicRead, true)
		})
	}
}

func checkStorage(t *testing.T, alias string, s storage, c Config, bucket string, querystringAuth, fileOverwrite bool) {
	t.Helper()
	if s.BACKEND != Backend {
		t.Errorf("%s.BACKEND = %q, want %q", alias, s.BACKEND, Backend)
	}
	for key := range s.OPTIONS {
		if !slices.Contains(s3Boto3Settings, key) {
			t.Errorf("%s.OPTIONS has %q, which some supported django-storages release rejects", alias, key)
		}
	}
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
	if got, w := sortedKeys(s.OPTIONS), sortedKeys(want); !slices.Equal(got, w) {
		t.Errorf("%s.OPTIONS keys = %v, want %v", alias, got, w)
	}
	for key, w := range want {
		if got, ok := s.OPTIONS[key]; ok && got != w {
			t.Errorf("%s.OPTIONS[%q] = %#v, want %#v", alias, key, got, w)
		}
	}
}

func TestRenderKeyOrderIsStable(t *testing.T) {
	cfg := Config{MediaBucket: "m", StaticBucket: "s", Region: "eu-west-1", EndpointURL: "http://localhost:9000", AddressingStyle: "path"}
	first, err := Render(cfg)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for range 20 {
		if again, _ := Render(cfg); again != first {
			t.Fatalf("Render is not deterministic:\n%s\nthen\n%s", first, again)
		}
	}
	options := []string{"bucket_name", "region_name", "endpoint_url", "addressing_style", "signature_version", "default_acl", "querystring_auth", "file_overwrite"}
	want := []string{"default", "BACKEND", "OPTIONS"}
	want = append(want, options...)
	want = append(want, "staticfiles", "BACKEND", "OPTIONS")
	want = append(want, options...)
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
