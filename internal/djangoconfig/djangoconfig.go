// Package djangoconfig renders the Django STORAGES setting (Django >= 4.2) that points django-storages at
// a bucket pair: a private, versioned "media" bucket for user uploads and a "static" bucket for
// collectstatic output. The provider exposes the result as the computed django_storages attribute.
//
// Every OPTIONS key is a setting that S3Boto3Storage accepts from django-storages 1.13 (Debian's) up to
// current releases: an unknown key makes the storage raise ImproperlyConfigured when Django loads it.
package djangoconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
)

// Backend is the storage class for both aliases. storages.backends.s3boto3.S3Boto3Storage exists in every
// django-storages release; its newer name, storages.backends.s3.S3Storage, only from 1.14.
const Backend = "storages.backends.s3boto3.S3Boto3Storage"

// AddressingStyles returns the accepted values of Config.AddressingStyle, for validators and schema text
// alike; "" lets boto3 decide. A function, so that no caller can change the list for everyone.
func AddressingStyles() []string { return []string{"", "path", "virtual"} }

// Config describes the bucket pair as Django should reach it. Credentials are deliberately absent: the
// application takes them from its own AWS credential chain.
type Config struct {
	MediaBucket      string
	StaticBucket     string
	Region           string
	EndpointURL      string // empty for AWS (also behind one of AWS's own endpoints); set for an S3-compatible server
	AddressingStyle  string // "" (let boto3 decide), "path" or "virtual"; only emitted when EndpointURL is set or it is non-empty
	StaticPublicRead bool   // static bucket allows anonymous GetObject: static URLs need no signature
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
	storages := object{
		{"default", object{
			{"BACKEND", Backend},
			{"OPTIONS", mediaOptions(c)},
		}},
		{"staticfiles", object{
			{"BACKEND", Backend},
			{"OPTIONS", staticOptions(c)},
		}},
	}
	out, err := json.MarshalIndent(storages, "", "  ")
	if err != nil {
		return "", fmt.Errorf("djangoconfig: encoding STORAGES: %w", err)
	}
	return string(out) + "\n", nil
}

func validate(c Config) error {
	var errs []error
	required := func(field, value string) {
		if value == "" {
			errs = append(errs, &FieldError{Field: field, Reason: "must not be empty"})
		}
	}
	required("MediaBucket", c.MediaBucket)
	required("StaticBucket", c.StaticBucket)
	if c.MediaBucket != "" && c.MediaBucket == c.StaticBucket {
		errs = append(errs, &FieldError{Field: "StaticBucket", Reason: "must differ from MediaBucket"})
	}
	required("Region", c.Region)
	if c.EndpointURL != "" {
		if u, err := url.Parse(c.EndpointURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, &FieldError{Field: "EndpointURL", Reason: fmt.Sprintf("must be an absolute http(s) URL, got %q", c.EndpointURL)})
		}
	}
	if !slices.Contains(AddressingStyles(), c.AddressingStyle) {
		errs = append(errs, &FieldError{Field: "AddressingStyle", Reason: fmt.Sprintf("must be one of %q, got %q", AddressingStyles(), c.AddressingStyle)})
	}
	return errors.Join(errs...)
}

// mediaOptions: private uploads. URLs are signed; a new upload never replaces an existing object of the same
// name (django-storages picks a free name instead), and versioning keeps every earlier version anyway.
func mediaOptions(c Config) object {
	return options(c, c.MediaBucket, true, false)
}

// staticOptions: collectstatic rewrites the same names on every deploy, so overwriting is the point. URLs
// are unsigned when the bucket grants anonymous reads, which also keeps them stable for caches.
func staticOptions(c Config) object {
	return options(c, c.StaticBucket, !c.StaticPublicRead, true)
}

func options(c Config, bucket string, querystringAuth, fileOverwrite bool) object {
	o := object{
		{"bucket_name", bucket},
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
	return append(o,
		member{"signature_version", "s3v4"},
		// The buckets have ACLs disabled (BucketOwnerEnforced) and refuse uploads that carry most ACLs, so
		// none is sent. An explicit null also overrides a global AWS_DEFAULT_ACL left in the app's settings.
		member{"default_acl", nil},
		member{"querystring_auth", querystringAuth},
		member{"file_overwrite", fileOverwrite},
	)
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
