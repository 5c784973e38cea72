package bucketstate

// What an S3-compatible service may lack. Amazon S3 implements every bucket API the pair uses; DigitalOcean
// Spaces, Backblaze B2, Cloudflare R2, MinIO, Ceph, Wasabi, versitygw and others each leave some out and answer
// 501 NotImplemented (or nothing useful) to them. A pair on such a service manages exactly what the service
// can do: an unsupported feature is never read, written or reported as drift, and the protection it would
// give is named once in the plan, so nobody mistakes the pair for one on AWS.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Feature is one bucket API a pair uses, named as the provider's unsupported_features setting names it.
type Feature string

const (
	FeatureVersioning        Feature = "versioning"
	FeatureMFADelete         Feature = "mfa_delete"
	FeaturePublicAccessBlock Feature = "public_access_block"
	FeatureOwnershipControls Feature = "ownership_controls"
	FeatureEncryption        Feature = "encryption"
	FeaturePolicy            Feature = "policy"
	FeatureTagging           Feature = "tagging"
	FeatureLifecycle         Feature = "lifecycle"
	FeatureCORS              Feature = "cors"
	FeatureObjectLock        Feature = "object_lock"
	FeatureReplication       Feature = "replication"
)

// features is every feature in the order messages and the compatibility table list them; the protection
// each gives media, in the words a plan warning uses when the service lacks it.
var features = []struct {
	f          Feature
	setting    Setting
	protection string
}{
	{FeatureVersioning, SettingVersioning, "no versioning: an overwrite or delete destroys media for good"},
	{FeatureMFADelete, SettingMFADelete, "no MFA Delete: any credentials allowed to delete object versions can " +
		"erase media history for good, without the owner's MFA device"},
	{FeaturePublicAccessBlock, SettingPublicAccessBlock, "no public access block: a bucket policy or ACL mistake " +
		"can expose media to the internet, since nothing on the bucket refuses a public grant"},
	{FeatureOwnershipControls, SettingOwnership, "no object ownership controls: ACLs stay in force, so an upload " +
		"with a public-read ACL exposes that object"},
	{FeatureEncryption, SettingEncryption, "no default encryption: media is encrypted at rest only if the service " +
		"does that by itself, and uploads with customer-provided keys (SSE-C) are not refused"},
	{FeaturePolicy, SettingPolicy, "no bucket policy: the bucket cannot refuse plain-HTTP requests or enforce the " +
		"guard (guard_exempt_principals), and the static bucket cannot be made public-read; only the credentials' " +
		"own permissions protect media"},
	{FeatureTagging, SettingTags, "no bucket tags: cost reports and tag-based access rules cannot see the buckets"},
	{FeatureLifecycle, SettingLifecycle, "no lifecycle rules: unfinished multipart uploads are never cleaned up " +
		"and noncurrent media versions are kept (and billed) forever"},
	{FeatureCORS, SettingCORS, "no CORS rules: browsers cannot upload to or read from the buckets across origins"},
	{FeatureObjectLock, SettingObjectLock, "no Object Lock: nothing keeps a privileged principal from deleting " +
		"media versions before any retention period"},
	{FeatureReplication, SettingReplication, "no replication: there is no copy of media in a second bucket to " +
		"recover from if this one is lost"},
}

// AllFeatures lists every feature, in a fixed order.
func AllFeatures() []Feature {
	out := make([]Feature, len(features))
	for i, e := range features {
		out[i] = e.f
	}
	return out
}

// OptionalFeatures are the features a service may lack: all but versioning, without which there is no
// protected media at all.
func OptionalFeatures() []Feature {
	return slices.DeleteFunc(AllFeatures(), func(f Feature) bool { return f == FeatureVersioning })
}

// Protection says what media loses on a service without f.
func (f Feature) Protection() string {
	for _, e := range features {
		if e.f == f {
			return e.protection
		}
	}
	return string(f)
}

// FeatureOf is the feature a setting needs; "" for existence, which every service has.
func FeatureOf(s Setting) Feature {
	for _, e := range features {
		if e.setting == s {
			return e.f
		}
	}
	return ""
}

// Features is a set of features; nil is the empty set.
type Features map[Feature]bool

// Has reports whether f is in the set.
func (fs Features) Has(f Feature) bool { return fs[f] }

// Sorted lists the set in AllFeatures' order.
func (fs Features) Sorted() []Feature {
	return slices.DeleteFunc(AllFeatures(), func(f Feature) bool { return !fs[f] })
}

// Union is a new set holding both sets' features.
func (fs Features) Union(other Features) Features {
	out := maps.Clone(fs)
	if out == nil {
		out = Features{}
	}
	maps.Copy(out, other)
	return out
}

// ErrVersioningRequired is why versioning can never be declared unsupported.
var ErrVersioningRequired = fmt.Errorf("versioning cannot be unsupported: the media bucket's protection is its " +
	"versions (every overwrite and delete keeps the previous content), and without them there is nothing to protect " +
	"or restore; use a service that implements bucket versioning")

// ParseFeatures reads unsupported_features: each name must be an optional feature. The error lists the valid
// names.
func ParseFeatures(names []string) (Features, error) {
	out := Features{}
	var unknown []string
	for _, n := range names {
		f := Feature(n)
		switch {
		case f == FeatureVersioning:
			return nil, ErrVersioningRequired
		case !slices.Contains(OptionalFeatures(), f):
			unknown = append(unknown, fmt.Sprintf("%q", n))
		default:
			out[f] = true
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown feature %s: valid names are %s", strings.Join(unknown, ", "), FeatureNames(OptionalFeatures()))
	}
	return out, nil
}

// FeatureNames renders features for messages and docs: `a`, `b`, `c`.
func FeatureNames(fs []Feature) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = "`" + string(f) + "`"
	}
	return strings.Join(parts, ", ")
}

// ArgumentNeed is a resource argument that cannot work without a feature.
type ArgumentNeed struct {
	Argument string
	Feature  Feature
}

// argumentNeeds lists which argument needs which feature; the provider says which arguments a configuration
// uses.
var argumentNeeds = []ArgumentNeed{
	{"mfa_delete", FeatureMFADelete},
	{"static_public_read", FeaturePolicy},
	{"guard_exempt_principals", FeaturePolicy},
	{"media_extra_policy_json", FeaturePolicy},
	{"static_extra_policy_json", FeaturePolicy},
	{"media_cdn", FeaturePolicy},
	{"static_cdn", FeaturePolicy},
	{"media_kms_key_arn", FeatureEncryption},
	{"static_kms_key_arn", FeatureEncryption},
	{"tags", FeatureTagging},
	{"default_tags", FeatureTagging},
	{"noncurrent_version_retention_days", FeatureLifecycle},
	{"noncurrent_versions_to_keep", FeatureLifecycle},
	{"noncurrent_version_transitions", FeatureLifecycle},
	{"abort_incomplete_uploads_days", FeatureLifecycle},
	{"media_cors_rules", FeatureCORS},
	{"static_cors_rules", FeatureCORS},
	{"media_object_lock", FeatureObjectLock},
	{"media_replication", FeatureReplication},
}

// NeedingArguments lists the arguments that need some feature, each once.
func NeedingArguments() []string {
	out := make([]string, len(argumentNeeds))
	for i, n := range argumentNeeds {
		out[i] = n.Argument
	}
	return out
}

// UnmetNeeds lists the used arguments that need a feature in unsupported, in argumentNeeds' order.
func UnmetNeeds(used []string, unsupported Features) []ArgumentNeed {
	var out []ArgumentNeed
	for _, n := range argumentNeeds {
		if unsupported.Has(n.Feature) && slices.Contains(used, n.Argument) {
			out = append(out, n)
		}
	}
	return out
}

// String is the sentence an error about the need shows.
func (n ArgumentNeed) String() string {
	return fmt.Sprintf("%s needs %s, which the S3 service does not implement (%s)", n.Argument, n.Feature, n.Feature.Protection())
}

// ProtectionsLost renders the protections a service without unsupported cannot give, one line each.
func ProtectionsLost(unsupported Features) []string {
	var out []string
	for _, f := range unsupported.Sorted() {
		out = append(out, f.Protection())
	}
	return out
}
