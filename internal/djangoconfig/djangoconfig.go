// Package djangoconfig renders the Django STORAGES setting (Django >= 4.2) that points django-storages at
// a bucket pair: a private, versioned "media" bucket for user uploads and a "static" bucket for
// collectstatic output. The provider exposes the result as the computed django_storages attribute.
//
// An unknown OPTIONS key makes the storage raise ImproperlyConfigured when Django loads it, so every key
// rendered is a setting the S3 storage accepts from django-storages 1.13 (Debian's) up to current releases,
// except cloudfront_key_id, which only a media CDN's signing key brings and which needs 1.14.
package djangoconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3services"
)

// The values of Config.Backend, named after the django-storages module the storage classes come from.
const (
	// BackendS3Boto3 is storages.backends.s3boto3, present in every release; from 1.14 on it only re-exports
	// the classes of storages.backends.s3 under their old names.
	BackendS3Boto3 = "s3boto3"
	// BackendS3 is storages.backends.s3, django-storages 1.14 and later.
	BackendS3 = "s3"
)

// Backends returns the accepted values of Config.Backend, default first, for validators and schema text
// alike; "" means the default. A function, so that no caller can change the list for everyone.
func Backends() []string { return []string{BackendS3Boto3, BackendS3} }

// AddressingStyles returns the accepted values of Config.AddressingStyle, for validators and schema text
// alike; "" lets boto3 decide. A function, so that no caller can change the list for everyone.
func AddressingStyles() []string { return []string{"", "path", "virtual"} }

// The Cache-Control header collectstatic's uploads carry (object_parameters of the static storage).
const (
	// Manifest storage hashes each file's content into its name, so a name never gets other content and
	// may be cached for good.
	cacheControlHashed = "max-age=31536000, public, immutable"
	// Without the manifest a deploy rewrites a file under the same name: an hour bounds how long a browser
	// or CDN may keep serving the previous content, while still sparing a request per file per page.
	cacheControlUnhashed = "max-age=3600, public"
)

// StaticCacheControl returns the Cache-Control header static files are uploaded with, for schema text.
func StaticCacheControl(manifest bool) string {
	if manifest {
		return cacheControlHashed
	}
	return cacheControlUnhashed
}

// Config describes the bucket pair as Django should reach it. Credentials are deliberately absent: the
// application takes them from its own AWS credential chain, and the CloudFront private key from its own
// secrets.
type Config struct {
	MediaBucket      string
	StaticBucket     string
	Region           string // replaced by the signing region of a service s3services recognises in EndpointURL
	EndpointURL      string // empty for AWS (also behind one of AWS's own endpoints); set for an S3-compatible server
	AddressingStyle  string // "" (let boto3 decide), "path" or "virtual"; only emitted when EndpointURL is set or it is non-empty
	StaticPublicRead bool   // static bucket allows anonymous GetObject: static URLs need no signature

	Backend        string // one of Backends(), or "" for BackendS3Boto3
	StaticManifest bool   // staticfiles uses the manifest storage: hashed names, cached for a year

	// StaticCustomDomain and MediaCustomDomain are the host names of CDNs in front of the buckets (no
	// scheme, port or path): django-storages builds URLs as https://<custom_domain>/<key>.
	StaticCustomDomain string
	MediaCustomDomain  string
	// MediaCloudFrontKeyID is the ID of the CloudFront public key whose private key signs media URLs on
	// MediaCustomDomain; set together with it. The private key (cloudfront_key) is added by the app.
	MediaCloudFrontKeyID string
}

// FieldError reports an invalid Config field, so that a caller can attach it to the matching attribute.
type FieldError struct {
	Field  string // the Config field name, e.g. "MediaBucket"
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("djangoconfig: %s %s", e.Field, e.Reason)
}

// Render returns the STORAGES dict as indented JSON (two spaces, trailing newline, stable key order), or an
// error naming the field when a required field (buckets, region) is empty or a field has an unusable value.
// Several invalid fields are reported together (errors.Join of *FieldError, in field order).
func Render(c Config) (string, error) {
	if err := validate(c); err != nil {
		return "", err
	}
	c = forService(c)
	module := "storages.backends.s3boto3."
	storage := module + "S3Boto3Storage"
	if c.Backend == BackendS3 {
		module = "storages.backends.s3."
		storage = module + "S3Storage"
	}
	staticStorage := storage
	if c.StaticManifest {
		// The same class name in both modules: s3boto3 has it from 1.12 on, s3 from its start in 1.14.
		staticStorage = module + "S3ManifestStaticStorage"
	}
	storages := object{
		{"default", object{
			{"BACKEND", storage},
			{"OPTIONS", mediaOptions(c)},
		}},
		{"staticfiles", object{
			{"BACKEND", staticStorage},
			{"OPTIONS", staticOptions(c)},
		}},
	}
	out, err := json.MarshalIndent(storages, "", "  ")
	if err != nil {
		return "", fmt.Errorf("djangoconfig: encoding STORAGES: %w", err)
	}
	return string(out) + "\n", nil
}

// forService applies what a recognised S3-compatible service needs (see s3services): region_name is the
// region it signs for, whatever region the pair was given (Cloudflare R2 signs for "auto"), and without an
// addressing style of the caller's the one its documentation configures (DigitalOcean Spaces: virtual).
// Any other endpoint keeps the configuration as given.
func forService(c Config) Config {
	svc, ok := s3services.Recognize(c.EndpointURL)
	if !ok {
		return c
	}
	c.Region = svc.Region
	if c.AddressingStyle == "" {
		c.AddressingStyle = svc.AddressingStyle
	}
	return c
}

// hostName is a DNS name of labels of letters, digits and hyphens, ending in an alphabetic top-level
// label: what a CloudFront distribution's domain name or alias can be.
var hostName = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// cloudFrontKeyID is the shape of CloudFront public key IDs (K...) and key pair IDs (APKA...). Checking it
// also keeps a private key pasted in by mistake out of the configuration, and out of Terraform's state.
var cloudFrontKeyID = regexp.MustCompile(`^[A-Z0-9]{1,64}$`)

func validate(c Config) error {
	var errs []error
	fail := func(field, reason string) { errs = append(errs, &FieldError{Field: field, Reason: reason}) }
	required := func(field, value string) {
		if value == "" {
			fail(field, "must not be empty")
		}
	}
	required("MediaBucket", c.MediaBucket)
	required("StaticBucket", c.StaticBucket)
	if c.MediaBucket != "" && c.MediaBucket == c.StaticBucket {
		fail("StaticBucket", "must differ from MediaBucket")
	}
	required("Region", c.Region)
	if c.EndpointURL != "" {
		if u, err := url.Parse(c.EndpointURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail("EndpointURL", fmt.Sprintf("must be an absolute http(s) URL, got %q", c.EndpointURL))
		}
	}
	if !slices.Contains(AddressingStyles(), c.AddressingStyle) {
		fail("AddressingStyle", fmt.Sprintf("must be one of %q, got %q", AddressingStyles(), c.AddressingStyle))
	}
	if c.Backend != "" && !slices.Contains(Backends(), c.Backend) {
		fail("Backend", fmt.Sprintf("must be one of %q, got %q", Backends(), c.Backend))
	}
	domain := func(field, value string) {
		if value != "" && (len(value) > 253 || !hostName.MatchString(value)) {
			fail(field, fmt.Sprintf("must be a host name such as \"static.example.com\" or \"d111111abcdef8.cloudfront.net\", "+
				"without scheme, port or path; got %q", value))
		}
	}
	domain("StaticCustomDomain", c.StaticCustomDomain)
	domain("MediaCustomDomain", c.MediaCustomDomain)
	switch {
	case c.MediaCloudFrontKeyID != "" && !cloudFrontKeyID.MatchString(c.MediaCloudFrontKeyID):
		// The value is not repeated: it may be the private key itself.
		fail("MediaCloudFrontKeyID", "must be the ID of a CloudFront public key, such as \"K2JCJMDEHXQW5F\" (capital letters "+
			"and digits), not the key itself")
	case c.MediaCloudFrontKeyID != "" && c.MediaCustomDomain == "":
		fail("MediaCloudFrontKeyID", "needs MediaCustomDomain: django-storages signs with the key only the URLs it "+
			"builds on a custom domain")
	case c.MediaCloudFrontKeyID == "" && c.MediaCustomDomain != "":
		// Media is private: on a custom domain without a signer django-storages builds plain URLs, which a
		// distribution requiring signed URLs refuses and any other serves to anyone.
		fail("MediaCloudFrontKeyID", "must be set with MediaCustomDomain: media URLs on a custom domain are signed "+
			"with a CloudFront key, or not at all")
	}
	return errors.Join(errs...)
}

// storageOptions are the settings that differ between the two storages.
type storageOptions struct {
	bucket          string
	querystringAuth bool   // sign URLs (with S3's signature, or CloudFront's on a custom domain with a key)
	customDomain    string // "" for the bucket's own endpoint
	cloudFrontKeyID string
	fileOverwrite   bool
	cacheControl    string // "" sends none
}

// mediaOptions: private uploads. URLs are signed, by CloudFront when they go through the media CDN (the app
// adds the private key); a new upload never replaces an existing object of the same name (django-storages
// picks a free name instead), and versioning keeps every earlier version anyway. No Cache-Control: a
// signed URL expires, and shared caches must not keep private files beyond it.
func mediaOptions(c Config) object {
	return options(c, storageOptions{
		bucket:          c.MediaBucket,
		querystringAuth: true,
		customDomain:    c.MediaCustomDomain,
		cloudFrontKeyID: c.MediaCloudFrontKeyID,
	})
}

// staticOptions: collectstatic rewrites the same names on every deploy, so overwriting is the point. URLs
// are unsigned whenever anyone may read them (public bucket, or a CDN reading the private bucket): Django's
// admin stylesheets fetch fonts and images by relative URLs that carry no signature, and a signed URL
// changes on every render, which defeats every cache. A private static bucket without a CDN keeps signed
// URLs, the only way its files can be fetched at all.
func staticOptions(c Config) object {
	return options(c, storageOptions{
		bucket:          c.StaticBucket,
		querystringAuth: !c.StaticPublicRead && c.StaticCustomDomain == "",
		customDomain:    c.StaticCustomDomain,
		fileOverwrite:   true,
		cacheControl:    StaticCacheControl(c.StaticManifest),
	})
}

func options(c Config, s storageOptions) object {
	o := object{
		{"bucket_name", s.bucket},
		{"region_name", c.Region},
	}
	if c.EndpointURL != "" {
		o = append(o, member{"endpoint_url", c.EndpointURL})
	}
	if c.EndpointURL != "" || c.AddressingStyle != "" {
		// null means boto3's "auto"; emitting it with an endpoint shows where path style would be set.
		var style any
		if c.AddressingStyle != "" {
			style = c.AddressingStyle
		}
		o = append(o, member{"addressing_style", style})
	}
	o = append(o,
		member{"signature_version", "s3v4"},
		// The buckets have ACLs disabled (BucketOwnerEnforced) and refuse uploads that carry most ACLs, so
		// none is sent. An explicit null also overrides a global AWS_DEFAULT_ACL left in the app's settings.
		member{"default_acl", nil},
		member{"querystring_auth", s.querystringAuth},
	)
	if s.customDomain != "" {
		o = append(o, member{"custom_domain", s.customDomain})
	}
	if s.cloudFrontKeyID != "" {
		o = append(o, member{"cloudfront_key_id", s.cloudFrontKeyID})
	}
	o = append(o, member{"file_overwrite", s.fileOverwrite})
	if s.cacheControl != "" {
		o = append(o, member{"object_parameters", object{{"CacheControl", s.cacheControl}}})
	}
	return o
}

// object is a JSON object that keeps its members in the order given; encoding/json would sort map keys.
type object []member

type member struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", m.key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
