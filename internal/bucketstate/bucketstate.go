// Package bucketstate holds what the provider owns on each bucket of a pair: the desired settings, the
// settings observed on S3, and the differences between them. It is pure logic (standard library and the
// policy comparer only), so every rule about drift is unit-tested without a server.
package bucketstate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
)

// Role tells the two buckets of a pair apart in messages and in the desired settings.
type Role string

const (
	Media  Role = "media"
	Static Role = "static"
)

// Versioning status as S3 reports it. S3 answers an empty status for a bucket that was never versioned;
// the provider calls that Disabled so users see a word rather than an empty string.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
	VersioningDisabled  = "Disabled"
)

// EncryptionSSES3 is the SSE algorithm name of S3-managed keys (SSE-S3).
const EncryptionSSES3 = "AES256"

// OwnershipBucketOwnerEnforced disables ACLs: the bucket owner owns every object.
const OwnershipBucketOwnerEnforced = "BucketOwnerEnforced"

// PublicAccessBlock mirrors S3's four public access block switches.
type PublicAccessBlock struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// String lists the switches in S3's own order, for messages.
func (p PublicAccessBlock) String() string {
	return fmt.Sprintf("BlockPublicAcls=%t IgnorePublicAcls=%t BlockPublicPolicy=%t RestrictPublicBuckets=%t",
		p.BlockPublicAcls, p.IgnorePublicAcls, p.BlockPublicPolicy, p.RestrictPublicBuckets)
}

// Settings are the settings the provider owns on one bucket, as observed or as desired.
type Settings struct {
	// Versioning is Enabled, Suspended or Disabled.
	Versioning string
	// PublicAccessBlock is nil when the bucket has no public access block configuration.
	PublicAccessBlock *PublicAccessBlock
	// Ownership is the object ownership rule; empty when none is configured.
	Ownership string
	// Encryption is the default SSE algorithm; empty when the bucket has no default encryption.
	Encryption string
	// EncryptionKey is the default encryption's KMS key, if any; BucketKey is its S3 Bucket Key switch.
	EncryptionKey string
	BucketKey     bool
	// SSECBlocked says whether the bucket refuses uploads with customer-provided keys (SSE-C); nil when the
	// server's answer said nothing about it (servers other than AWS that do not know the setting).
	SSECBlocked *bool
	// Policy is the bucket policy document; empty when the bucket has none.
	Policy string
	// Tags are the bucket's tags as S3 reports them, system tags (aws:...) included; nil and empty mean the
	// same.
	Tags map[string]string
	// MFADelete is observed only; versioning writes must carry an MFA code while it is on.
	MFADelete bool
	// Lifecycle is the bucket's lifecycle configuration, as far as the provider understands it.
	Lifecycle Lifecycle
	// CORS is the bucket's CORS configuration; none when the bucket has none.
	CORS []CORSRule
	// Replication is the bucket's replication configuration; nil when it has none, and on the static bucket,
	// whose replication is never read.
	Replication *Replication
	// ObjectLock is the bucket's Object Lock configuration; the zero value on the static bucket, whose Object
	// Lock is never read.
	ObjectLock ObjectLock
	// Unsupported are the features the service does not implement: their fields above were not read, and Diff
	// reports no drift for them.
	Unsupported Features
}

// Setting names one thing the provider owns on a bucket; a drift is repaired by rewriting that setting.
type Setting string

const (
	SettingExistence         Setting = "existence"
	SettingVersioning        Setting = "versioning"
	SettingMFADelete         Setting = "MFA Delete"
	SettingPublicAccessBlock Setting = "public access block"
	SettingOwnership         Setting = "object ownership"
	SettingEncryption        Setting = "default encryption"
	SettingPolicy            Setting = "bucket policy"
	SettingTags              Setting = "tags"
	SettingLifecycle         Setting = "lifecycle"
	SettingCORS              Setting = "CORS"
	SettingReplication       Setting = "replication"
	SettingObjectLock        Setting = "Object Lock"
)

// Desired is what the provider wants on one bucket.
type Desired struct {
	Role   Role
	Bucket string
	// Versioning is Enabled for media. For static it is Suspended: S3 cannot return a bucket to Disabled,
	// so a static bucket that was never versioned is left alone and one that got enabled is suspended.
	Versioning string
	// MFADelete is nil where the provider does not manage MFA Delete (the unversioned static bucket).
	MFADelete         *bool
	PublicAccessBlock PublicAccessBlock
	Ownership         string
	Encryption        string
	// EncryptionKey is the KMS key ARN of SSE-KMS (see WithKMSKey), BucketKey its S3 Bucket Key; "" and
	// false with SSE-S3.
	EncryptionKey string
	BucketKey     bool
	// BlockSSEC keeps uploads with customer-provided keys (SSE-C) out, as AWS sets up every new bucket since
	// April 2026: never weakened.
	BlockSSEC bool
	// KnowsSSECBlocking says the server is AWS, where an answer that does not mention SSE-C blocking means
	// SSE-C is allowed. Elsewhere only an answer that mentions it is compared, and written back.
	KnowsSSECBlocking bool
	Policy            string
	// Tags are the user tags the bucket should carry (the provider's defaults merged with the pair's own);
	// the bucket's system tags are kept beside them.
	Tags map[string]string
	// SystemTags are the bucket's aws: tags as last read, which every tags write sends back unchanged (S3
	// refuses one that drops them); none for a bucket just created.
	SystemTags map[string]string
	Lifecycle  Lifecycle
	// CORS are the bucket's CORS rules; none means no CORS configuration at all.
	CORS []CORSRule
	// Replication is the media bucket's replication configuration (MediaReplication); nil means none.
	Replication *Replication
	// ObjectLock is the media bucket's default retention (media_object_lock); nil means none. A bucket that
	// has Object Lock keeps it without one: S3 cannot turn it off.
	ObjectLock *LockRetention
}

// MediaDesired is the locked-down, versioned media bucket. guardExempt, when not empty, adds the guard
// statement to its policy: only those principals may delete versions or loosen the bucket.
func MediaDesired(bucket, arn string, mfaDelete bool, tags map[string]string, r Retention, guardExempt []string) Desired {
	return Desired{
		Lifecycle:         MediaLifecycle(r, mfaDelete),
		Role:              Media,
		Bucket:            bucket,
		Versioning:        VersioningEnabled,
		MFADelete:         &mfaDelete,
		PublicAccessBlock: PublicAccessBlock{true, true, true, true},
		Ownership:         OwnershipBucketOwnerEnforced,
		Encryption:        EncryptionSSES3,
		BlockSSEC:         true,
		Policy:            bucketpolicy.DesiredMedia(arn, guardExempt),
		Tags:              tags,
	}
}

// StaticDesired is the unversioned static bucket. With publicRead, the public access block is relaxed
// exactly as far as a public bucket policy needs (BlockPublicPolicy and RestrictPublicBuckets off); ACLs
// stay blocked because the bucket has ACLs disabled anyway.
func StaticDesired(bucket, arn string, publicRead bool, tags map[string]string, r Retention) Desired {
	return Desired{
		Lifecycle:         StaticLifecycle(r),
		Role:              Static,
		Bucket:            bucket,
		Versioning:        VersioningSuspended,
		PublicAccessBlock: PublicAccessBlock{true, true, !publicRead, !publicRead},
		Ownership:         OwnershipBucketOwnerEnforced,
		Encryption:        EncryptionSSES3,
		BlockSSEC:         true,
		Policy:            policyFor(arn, publicRead),
		Tags:              tags,
	}
}

// Drift is one owned setting that differs from what is desired.
type Drift struct {
	Role    Role
	Bucket  string
	Setting Setting
	// Observed and Want describe both sides in a few words.
	Observed, Want string
}

// String is the line users see in a plan and in errors.
func (d Drift) String() string {
	if d.Setting == SettingExistence {
		return fmt.Sprintf("%s bucket %q does not exist; apply creates it", d.Role, d.Bucket)
	}
	return fmt.Sprintf("%s bucket %q: %s is %s, want %s", d.Role, d.Bucket, d.Setting, d.Observed, d.Want)
}

// VersioningAcceptable reports whether an observed versioning status satisfies the desired one. A static
// bucket that was never versioned (Disabled) satisfies Suspended: both keep no new versions.
func VersioningAcceptable(desired, observed string) bool {
	if desired == VersioningSuspended {
		return observed != VersioningEnabled
	}
	return observed == desired
}

// Diff lists the owned settings of one bucket that differ from what is desired, in a fixed order. A
// missing bucket is reported as one existence drift: every other setting follows from creating it.
func Diff(want Desired, observed *Settings) []Drift {
	if observed == nil {
		return []Drift{{Role: want.Role, Bucket: want.Bucket, Setting: SettingExistence, Observed: "absent", Want: "present"}}
	}
	var out []Drift
	drift := func(s Setting, obs, w string) {
		if observed.Unsupported.Has(FeatureOf(s)) {
			return // the service cannot have it: neither drift nor repair
		}
		out = append(out, Drift{Role: want.Role, Bucket: want.Bucket, Setting: s, Observed: obs, Want: w})
	}

	if !VersioningAcceptable(want.Versioning, observed.Versioning) {
		drift(SettingVersioning, observed.Versioning, want.Versioning)
	}
	if want.MFADelete != nil && observed.MFADelete != *want.MFADelete {
		drift(SettingMFADelete, onOff(observed.MFADelete), onOff(*want.MFADelete))
	}
	switch {
	case observed.PublicAccessBlock == nil:
		drift(SettingPublicAccessBlock, "absent", want.PublicAccessBlock.String())
	case *observed.PublicAccessBlock != want.PublicAccessBlock:
		drift(SettingPublicAccessBlock, observed.PublicAccessBlock.String(), want.PublicAccessBlock.String())
	}
	if observed.Ownership != want.Ownership {
		drift(SettingOwnership, orAbsent(observed.Ownership), want.Ownership)
	}
	if !encryptionMatches(want, observed) {
		blocked := ssecBlockedOf(want, observed)
		wantBlocked := &want.BlockSSEC
		if blocked == nil {
			wantBlocked = nil // not compared: not mentioned
		}
		drift(SettingEncryption, describeEncryption(observed.Encryption, observed.EncryptionKey, observed.BucketKey, blocked),
			describeEncryption(want.Encryption, want.EncryptionKey, want.BucketKey, wantBlocked))
	}
	if !PolicyMatches(want.Policy, observed.Policy) {
		drift(SettingPolicy, describePolicy(observed.Policy), "the provider's policy")
	}
	// System tags are AWS's: no configuration asks for them, and nobody may remove them.
	if userTags := UserTags(observed.Tags); !TagsEqual(want.Tags, userTags) {
		drift(SettingTags, describeTags(userTags), describeTags(want.Tags))
	}
	if !observed.Lifecycle.Equal(want.Lifecycle) {
		drift(SettingLifecycle, observed.Lifecycle.String(), want.Lifecycle.String())
	}
	if !CORSEqual(observed.CORS, want.CORS) {
		drift(SettingCORS, describeCORS(observed.CORS), describeCORS(want.CORS))
	}
	if !ReplicationEqual(observed.Replication, want.Replication) {
		drift(SettingReplication, describeReplication(observed.Replication), describeReplication(want.Replication))
	}
	if !ObjectLockMatches(want.ObjectLock, observed.ObjectLock) {
		drift(SettingObjectLock, describeObjectLock(observed.ObjectLock), describeWantedLock(want.ObjectLock))
	}
	return out
}

// policyFor is the only place the desired policy is built, so Diff and PublicReadOf agree.
func policyFor(arn string, publicRead bool) string { return bucketpolicy.Desired(arn, publicRead) }

// PolicyMatches compares policies semantically. An observed policy that does not parse never matches:
// the provider rewrites it rather than guess what it means.
func PolicyMatches(want, observed string) bool {
	if observed == "" {
		return want == ""
	}
	ok, err := bucketpolicy.Equivalent(want, observed)
	return err == nil && ok
}

// TagsEqual treats nil and empty tag sets as the same.
func TagsEqual(a, b map[string]string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return maps.Equal(a, b)
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

func orAbsent(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// describePolicy summarizes an observed policy without dumping it into a plan line.
func describePolicy(p string) string {
	if p == "" {
		return "absent"
	}
	return "a different policy"
}

func describeTags(tags map[string]string) string {
	if len(tags) == 0 {
		return "{}"
	}
	keys := slices.Sorted(maps.Keys(tags))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, tags[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// SettingsOf lists the distinct settings a set of drifts touches, in the order they were found.
func SettingsOf(drifts []Drift) []Setting {
	var out []Setting
	for _, d := range drifts {
		if !slices.Contains(out, d.Setting) {
			out = append(out, d.Setting)
		}
	}
	return out
}

// Strings renders drifts for the plan.
func Strings(drifts []Drift) []string {
	out := make([]string, len(drifts))
	for i, d := range drifts {
		out[i] = d.String()
	}
	return out
}

// ssecBlockedOf says whether observed blocks SSE-C as far as the server lets us know: on AWS an answer that
// does not mention it means SSE-C is allowed; elsewhere such an answer says nothing (nil).
func ssecBlockedOf(want Desired, observed *Settings) *bool {
	if observed.SSECBlocked == nil && want.KnowsSSECBlocking {
		allowed := false
		return &allowed
	}
	return observed.SSECBlocked
}

// encryptionMatches reports whether observed default encryption is what want asks for: the algorithm, the
// KMS key (none with SSE-S3) and bucket key, and SSE-C blocked where the server says.
func encryptionMatches(want Desired, observed *Settings) bool {
	if observed.Encryption != want.Encryption || observed.EncryptionKey != want.EncryptionKey || observed.BucketKey != want.BucketKey {
		return false
	}
	blocked := ssecBlockedOf(want, observed)
	return blocked == nil || *blocked == want.BlockSSEC
}

// describeEncryption says what default encryption is in a few words, for the drift line.
func describeEncryption(algorithm, key string, bucketKey bool, ssecBlocked *bool) string {
	if algorithm == "" {
		return "absent"
	}
	out := algorithm
	if key != "" {
		out += " with key " + key
	}
	if bucketKey {
		out += " and an S3 Bucket Key"
	}
	switch {
	case ssecBlocked == nil:
	case *ssecBlocked:
		out += ", SSE-C blocked"
	default:
		out += ", SSE-C allowed"
	}
	return out
}
