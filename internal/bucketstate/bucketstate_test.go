package bucketstate

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
)

const (
	mediaBucket  = "pm-media"
	staticBucket = "pm-static"
	mediaARN     = "arn:aws:s3:::pm-media"
	staticARN    = "arn:aws:s3:::pm-static"
)

// The public access block texts Diff puts in messages, spelled out so a change in wording shows here.
const (
	pabAllOn    = "BlockPublicAcls=true IgnorePublicAcls=true BlockPublicPolicy=true RestrictPublicBuckets=true"
	pabPublic   = "BlockPublicAcls=true IgnorePublicAcls=true BlockPublicPolicy=false RestrictPublicBuckets=false"
	pabIgnorOff = "BlockPublicAcls=true IgnorePublicAcls=false BlockPublicPolicy=true RestrictPublicBuckets=true"
)

// s3Formatted is the provider's policy for arn as an S3 server hands it back: pretty-printed, keys and
// statements reordered, every value an array, Principal spelled out as {"AWS":["*"]}.
func s3Formatted(arn string, publicRead bool) string {
	deny := fmt.Sprintf(`        {
            "Condition": {
                "Bool": {
                    "aws:SecureTransport": [
                        "false"
                    ]
                }
            },
            "Resource": [
                "%[1]s/*",
                "%[1]s"
            ],
            "Action": [
                "s3:*"
            ],
            "Principal": {
                "AWS": [
                    "*"
                ]
            },
            "Effect": "Deny",
            "Sid": "DenyInsecureTransport"
        }`, arn)
	statements := []string{deny}
	if publicRead {
		statements = append([]string{fmt.Sprintf(`        {
            "Resource": [
                "%s/*"
            ],
            "Action": [
                "s3:GetObject"
            ],
            "Principal": {
                "AWS": [
                    "*"
                ]
            },
            "Effect": "Allow",
            "Sid": "PublicReadGetObject"
        }`, arn)}, statements...)
	}
	return "{\n    \"Statement\": [\n" + strings.Join(statements, ",\n") + "\n    ],\n    \"Version\": \"2012-10-17\"\n}"
}

// observedAs returns settings exactly as desired, as a fresh copy the caller may change.
func observedAs(d Desired) *Settings {
	pab := d.PublicAccessBlock
	var tags map[string]string
	if d.Tags != nil {
		tags = make(map[string]string, len(d.Tags))
		for k, v := range d.Tags {
			tags[k] = v
		}
	}
	s := &Settings{
		Versioning:        d.Versioning,
		PublicAccessBlock: &pab,
		Ownership:         d.Ownership,
		Encryption:        d.Encryption,
		Policy:            d.Policy,
		Tags:              tags,
		Lifecycle:         d.Lifecycle,
		CORS:              slices.Clone(d.CORS),
	}
	if d.MFADelete != nil {
		s.MFADelete = *d.MFADelete
	}
	return s
}

func TestDiff(t *testing.T) {
	tags := map[string]string{"env": "prod", "team": "web"}
	media := MediaDesired(mediaBucket, mediaARN, false, tags, Retention{}, nil)
	staticPrivate := StaticDesired(staticBucket, staticARN, false, tags, Retention{})
	staticPublic := StaticDesired(staticBucket, staticARN, true, tags, Retention{})

	mediaDrift := func(s Setting, observed, want string) Drift {
		return Drift{Role: Media, Bucket: mediaBucket, Setting: s, Observed: observed, Want: want}
	}
	staticDrift := func(s Setting, observed, want string) Drift {
		return Drift{Role: Static, Bucket: staticBucket, Setting: s, Observed: observed, Want: want}
	}
	const (
		wantTags       = `{env="prod", team="web"}`
		providerPolicy = "the provider's policy"
	)

	tests := []struct {
		name   string
		want   Desired
		change func(*Settings) // applied to settings equal to want; nil keeps them equal
		nilObs bool            // observe no bucket at all
		drifts []Drift
	}{
		// No drift.
		{name: "media as desired", want: media},
		{name: "media policy as S3 returns it", want: media, change: func(s *Settings) { s.Policy = s3Formatted(mediaARN, false) }},
		{name: "media with MFA delete as desired", want: MediaDesired(mediaBucket, mediaARN, true, tags, Retention{}, nil)},
		{name: "static MFA delete is not managed", want: staticPrivate, change: func(s *Settings) { s.MFADelete = true }},
		{name: "static private as desired", want: staticPrivate},
		{name: "static public as desired", want: staticPublic},
		{name: "static private policy as S3 returns it", want: staticPrivate, change: func(s *Settings) { s.Policy = s3Formatted(staticARN, false) }},
		{name: "static public policy as S3 returns it", want: staticPublic, change: func(s *Settings) { s.Policy = s3Formatted(staticARN, true) }},
		{name: "static never versioned", want: staticPrivate, change: func(s *Settings) { s.Versioning = VersioningDisabled }},
		{name: "desired nil tags, observed empty tags", want: MediaDesired(mediaBucket, mediaARN, false, nil, Retention{}, nil), change: func(s *Settings) { s.Tags = map[string]string{} }},
		{name: "desired empty tags, observed nil tags", want: MediaDesired(mediaBucket, mediaARN, false, map[string]string{}, Retention{}, nil), change: func(s *Settings) { s.Tags = nil }},

		// Existence.
		{name: "media absent", want: media, nilObs: true, drifts: []Drift{mediaDrift(SettingExistence, "absent", "present")}},
		{name: "static absent", want: staticPublic, nilObs: true, drifts: []Drift{staticDrift(SettingExistence, "absent", "present")}},

		// One setting drifts.
		{
			name: "media versioning suspended", want: media,
			change: func(s *Settings) { s.Versioning = VersioningSuspended },
			drifts: []Drift{mediaDrift(SettingVersioning, VersioningSuspended, VersioningEnabled)},
		},
		{
			name: "media versioning disabled", want: media,
			change: func(s *Settings) { s.Versioning = VersioningDisabled },
			drifts: []Drift{mediaDrift(SettingVersioning, VersioningDisabled, VersioningEnabled)},
		},
		{
			name: "static versioning enabled", want: staticPrivate,
			change: func(s *Settings) { s.Versioning = VersioningEnabled },
			drifts: []Drift{staticDrift(SettingVersioning, VersioningEnabled, VersioningSuspended)},
		},
		{
			name: "media MFA delete on, want off", want: media,
			change: func(s *Settings) { s.MFADelete = true },
			drifts: []Drift{mediaDrift(SettingMFADelete, "enabled", "disabled")},
		},
		{
			name: "media MFA delete off, want on", want: MediaDesired(mediaBucket, mediaARN, true, tags, Retention{}, nil),
			change: func(s *Settings) { s.MFADelete = false },
			drifts: []Drift{mediaDrift(SettingMFADelete, "disabled", "enabled")},
		},
		{
			name: "media public access block absent", want: media,
			change: func(s *Settings) { s.PublicAccessBlock = nil },
			drifts: []Drift{mediaDrift(SettingPublicAccessBlock, "absent", pabAllOn)},
		},
		{
			name: "media public access block one flag off", want: media,
			change: func(s *Settings) { s.PublicAccessBlock.IgnorePublicAcls = false },
			drifts: []Drift{mediaDrift(SettingPublicAccessBlock, pabIgnorOff, pabAllOn)},
		},
		{
			name: "static public wants the block relaxed", want: staticPublic,
			change: func(s *Settings) { s.PublicAccessBlock = &PublicAccessBlock{true, true, true, true} },
			drifts: []Drift{staticDrift(SettingPublicAccessBlock, pabAllOn, pabPublic)},
		},
		{
			name: "media ownership absent", want: media,
			change: func(s *Settings) { s.Ownership = "" },
			drifts: []Drift{mediaDrift(SettingOwnership, "absent", OwnershipBucketOwnerEnforced)},
		},
		{
			name: "media ownership object writer", want: media,
			change: func(s *Settings) { s.Ownership = "ObjectWriter" },
			drifts: []Drift{mediaDrift(SettingOwnership, "ObjectWriter", OwnershipBucketOwnerEnforced)},
		},
		{
			name: "media encryption absent", want: media,
			change: func(s *Settings) { s.Encryption = "" },
			drifts: []Drift{mediaDrift(SettingEncryption, "absent", EncryptionSSES3)},
		},
		{
			name: "media encryption kms", want: media,
			change: func(s *Settings) { s.Encryption = "aws:kms" },
			drifts: []Drift{mediaDrift(SettingEncryption, "aws:kms", EncryptionSSES3)},
		},
		{
			name: "media policy absent", want: media,
			change: func(s *Settings) { s.Policy = "" },
			drifts: []Drift{mediaDrift(SettingPolicy, "absent", providerPolicy)},
		},
		{
			name: "media policy public read", want: media,
			change: func(s *Settings) { s.Policy = s3Formatted(mediaARN, true) },
			drifts: []Drift{mediaDrift(SettingPolicy, "a different policy", providerPolicy)},
		},
		{
			name: "media policy of another bucket", want: media,
			change: func(s *Settings) { s.Policy = s3Formatted(staticARN, false) },
			drifts: []Drift{mediaDrift(SettingPolicy, "a different policy", providerPolicy)},
		},
		{
			name: "media policy unparseable", want: media,
			change: func(s *Settings) { s.Policy = `{"Version":"2012-10-17","Statement":` },
			drifts: []Drift{mediaDrift(SettingPolicy, "a different policy", providerPolicy)},
		},
		{
			name: "static public observed private policy", want: staticPublic,
			change: func(s *Settings) { s.Policy = s3Formatted(staticARN, false) },
			drifts: []Drift{staticDrift(SettingPolicy, "a different policy", providerPolicy)},
		},
		{
			name: "static private observed public policy", want: staticPrivate,
			change: func(s *Settings) { s.Policy = s3Formatted(staticARN, true) },
			drifts: []Drift{staticDrift(SettingPolicy, "a different policy", providerPolicy)},
		},
		{
			name: "media tag value differs", want: media,
			change: func(s *Settings) { s.Tags["env"] = "dev" },
			drifts: []Drift{mediaDrift(SettingTags, `{env="dev", team="web"}`, wantTags)},
		},
		{
			name: "media tag missing", want: media,
			change: func(s *Settings) { delete(s.Tags, "team") },
			drifts: []Drift{mediaDrift(SettingTags, `{env="prod"}`, wantTags)},
		},
		{
			name: "media tags absent", want: media,
			change: func(s *Settings) { s.Tags = nil },
			drifts: []Drift{mediaDrift(SettingTags, "{}", wantTags)},
		},
		{
			name: "no tags desired, one observed", want: MediaDesired(mediaBucket, mediaARN, false, nil, Retention{}, nil),
			change: func(s *Settings) { s.Tags = map[string]string{"stray": "x"} },
			drifts: []Drift{mediaDrift(SettingTags, `{stray="x"}`, "{}")},
		},

		// Several at once, always in the same order.
		{
			name: "media everything drifts", want: media,
			change: func(s *Settings) {
				*s = Settings{Versioning: VersioningSuspended, MFADelete: true, Ownership: "ObjectWriter", Encryption: "aws:kms", Policy: "nonsense", Tags: map[string]string{"env": "dev"}}
			},
			drifts: []Drift{
				mediaDrift(SettingVersioning, VersioningSuspended, VersioningEnabled),
				mediaDrift(SettingMFADelete, "enabled", "disabled"),
				mediaDrift(SettingPublicAccessBlock, "absent", pabAllOn),
				mediaDrift(SettingOwnership, "ObjectWriter", OwnershipBucketOwnerEnforced),
				mediaDrift(SettingEncryption, "aws:kms", EncryptionSSES3),
				mediaDrift(SettingPolicy, "a different policy", providerPolicy),
				mediaDrift(SettingTags, `{env="dev"}`, wantTags),
			},
		},
		{
			name: "static tags and versioning drift", want: staticPublic,
			change: func(s *Settings) { s.Tags = nil; s.Versioning = VersioningEnabled },
			drifts: []Drift{
				staticDrift(SettingVersioning, VersioningEnabled, VersioningSuspended),
				staticDrift(SettingTags, "{}", wantTags),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var observed *Settings
			if !tt.nilObs {
				observed = observedAs(tt.want)
				if tt.change != nil {
					tt.change(observed)
				}
			}
			got := Diff(tt.want, observed)
			if !slices.Equal(got, tt.drifts) {
				t.Errorf("Diff =\n%s\nwant\n%s", dump(got), dump(tt.drifts))
			}
		})
	}
}

func dump(drifts []Drift) string {
	if len(drifts) == 0 {
		return "  (no drift)"
	}
	var b strings.Builder
	for _, d := range drifts {
		fmt.Fprintf(&b, "  %+v\n", d)
	}
	return b.String()
}

func TestDriftString(t *testing.T) {
	tests := []struct {
		drift Drift
		want  string
	}{
		{
			Drift{Role: Media, Bucket: mediaBucket, Setting: SettingExistence, Observed: "absent", Want: "present"},
			`media bucket "pm-media" does not exist; apply creates it`,
		},
		{
			Drift{Role: Static, Bucket: staticBucket, Setting: SettingVersioning, Observed: VersioningEnabled, Want: VersioningSuspended},
			`static bucket "pm-static": versioning is Enabled, want Suspended`,
		},
		{
			Drift{Role: Media, Bucket: mediaBucket, Setting: SettingEncryption, Observed: "absent", Want: EncryptionSSES3},
			`media bucket "pm-media": default encryption is absent, want AES256`,
		},
		{
			Drift{Role: Static, Bucket: staticBucket, Setting: SettingPolicy, Observed: "a different policy", Want: "the provider's policy"},
			`static bucket "pm-static": bucket policy is a different policy, want the provider's policy`,
		},
	}
	for _, tt := range tests {
		if got := tt.drift.String(); got != tt.want {
			t.Errorf("%+v.String() =\n %s\nwant\n %s", tt.drift, got, tt.want)
		}
	}
}

// Every line a user can see names the role, the bucket and the setting, whatever drifted.
func TestDriftStringNamesRoleBucketSetting(t *testing.T) {
	observed := &Settings{Versioning: VersioningEnabled, Policy: "{", Tags: map[string]string{"a": "b"}}
	var drifts []Drift
	drifts = append(drifts, Diff(MediaDesired(mediaBucket, mediaARN, true, nil, Retention{}, nil), &Settings{})...)
	drifts = append(drifts, Diff(StaticDesired(staticBucket, staticARN, true, nil, Retention{}), observed)...)
	drifts = append(drifts, Diff(StaticDesired(staticBucket, staticARN, false, nil, Retention{}), nil)...)

	seen := map[Setting]bool{}
	lines := Strings(drifts)
	if len(lines) != len(drifts) {
		t.Fatalf("Strings returned %d lines for %d drifts", len(lines), len(drifts))
	}
	for i, d := range drifts {
		seen[d.Setting] = true
		line := lines[i]
		if line != d.String() {
			t.Errorf("Strings()[%d] = %q, want %q", i, line, d.String())
		}
		setting := string(d.Setting)
		if d.Setting == SettingExistence {
			setting = "does not exist"
		}
		for _, part := range []string{string(d.Role) + " bucket", fmt.Sprintf("%q", d.Bucket), setting} {
			if !strings.Contains(line, part) {
				t.Errorf("drift line %q does not contain %q", line, part)
			}
		}
		if strings.Contains(line, "%!") {
			t.Errorf("drift line %q has a formatting error", line)
		}
	}
	for _, s := range []Setting{SettingExistence, SettingVersioning, SettingMFADelete, SettingPublicAccessBlock, SettingOwnership, SettingEncryption, SettingPolicy, SettingTags} {
		if !seen[s] {
			t.Errorf("no drift of setting %q was rendered; the test does not cover it", s)
		}
	}
}

func TestSettingsOf(t *testing.T) {
	d := func(role Role, s Setting) Drift { return Drift{Role: role, Bucket: "b", Setting: s} }
	tests := []struct {
		name   string
		drifts []Drift
		want   []Setting
	}{
		{"none", nil, nil},
		{"one", []Drift{d(Media, SettingTags)}, []Setting{SettingTags}},
		{"distinct keep order", []Drift{d(Media, SettingTags), d(Media, SettingVersioning)}, []Setting{SettingTags, SettingVersioning}},
		{
			"duplicates dropped, first position kept",
			[]Drift{d(Media, SettingPolicy), d(Static, SettingTags), d(Static, SettingPolicy), d(Media, SettingVersioning), d(Media, SettingTags)},
			[]Setting{SettingPolicy, SettingTags, SettingVersioning},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SettingsOf(tt.drifts); !slices.Equal(got, tt.want) {
				t.Errorf("SettingsOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDesiredSettings(t *testing.T) {
	tags := map[string]string{"env": "prod"}
	yes, no := true, false
	tests := []struct {
		name       string
		got        Desired
		role       Role
		bucket     string
		versioning string
		pab        PublicAccessBlock
		publicRead bool
		mfaDelete  *bool // nil: not managed
	}{
		{"media", MediaDesired(mediaBucket, mediaARN, false, tags, Retention{}, nil), Media, mediaBucket, VersioningEnabled, PublicAccessBlock{true, true, true, true}, false, &no},
		{"media with MFA delete", MediaDesired(mediaBucket, mediaARN, true, tags, Retention{}, nil), Media, mediaBucket, VersioningEnabled, PublicAccessBlock{true, true, true, true}, false, &yes},
		{"static private", StaticDesired(staticBucket, staticARN, false, tags, Retention{}), Static, staticBucket, VersioningSuspended, PublicAccessBlock{true, true, true, true}, false, nil},
		// Public read relaxes exactly the two switches a public policy needs; ACLs stay blocked.
		{"static public read", StaticDesired(staticBucket, staticARN, true, tags, Retention{}), Static, staticBucket, VersioningSuspended, PublicAccessBlock{
			BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false,
		}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.got
			if d.Role != tt.role || d.Bucket != tt.bucket {
				t.Errorf("role, bucket = %q, %q; want %q, %q", d.Role, d.Bucket, tt.role, tt.bucket)
			}
			if d.Versioning != tt.versioning {
				t.Errorf("Versioning = %q, want %q", d.Versioning, tt.versioning)
			}
			if d.PublicAccessBlock != tt.pab {
				t.Errorf("PublicAccessBlock = %s\nwant %s", d.PublicAccessBlock, tt.pab)
			}
			if (d.MFADelete == nil) != (tt.mfaDelete == nil) || (d.MFADelete != nil && *d.MFADelete != *tt.mfaDelete) {
				t.Errorf("MFADelete = %s, want %s", boolPtr(d.MFADelete), boolPtr(tt.mfaDelete))
			}
			if d.Ownership != OwnershipBucketOwnerEnforced || d.Encryption != EncryptionSSES3 {
				t.Errorf("Ownership, Encryption = %q, %q; want %q, %q", d.Ownership, d.Encryption, OwnershipBucketOwnerEnforced, EncryptionSSES3)
			}
			if !TagsEqual(d.Tags, tags) {
				t.Errorf("Tags = %v, want %v", d.Tags, tags)
			}
			arn := BucketARN("aws", tt.bucket)
			if pr, ok := PublicReadOf(arn, d.Policy, bucketpolicy.Additions{}, !tt.publicRead); !ok || pr != tt.publicRead {
				t.Errorf("PublicReadOf(desired policy) = %v, %v; want %v, true\npolicy: %s", pr, ok, tt.publicRead, d.Policy)
			}
		})
	}
}

func boolPtr(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

func TestVersioningAcceptable(t *testing.T) {
	tests := []struct {
		desired, observed string
		want              bool
	}{
		{VersioningEnabled, VersioningEnabled, true},
		{VersioningEnabled, VersioningSuspended, false},
		{VersioningEnabled, VersioningDisabled, false},
		{VersioningEnabled, "", false},
		{VersioningSuspended, VersioningSuspended, true},
		{VersioningSuspended, VersioningDisabled, true},
		{VersioningSuspended, VersioningEnabled, false},
	}
	for _, tt := range tests {
		if got := VersioningAcceptable(tt.desired, tt.observed); got != tt.want {
			t.Errorf("VersioningAcceptable(%q, %q) = %v, want %v", tt.desired, tt.observed, got, tt.want)
		}
	}
}

func TestPublicReadOf(t *testing.T) {
	tests := []struct {
		name           string
		policy         string
		publicRead, ok bool
	}{
		{"private as written", StaticDesired(staticBucket, staticARN, false, nil, Retention{}).Policy, false, true},
		{"private as S3 returns it", s3Formatted(staticARN, false), false, true},
		{"public as written", StaticDesired(staticBucket, staticARN, true, nil, Retention{}).Policy, true, true},
		{"public as S3 returns it", s3Formatted(staticARN, true), true, true},
		{"empty", "", false, false},
		{"unparseable", "{", false, false},
		{"another bucket's policy", s3Formatted(mediaARN, true), false, false},
		{"someone else's policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::pm-static"}]}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, ok := PublicReadOf(staticARN, tt.policy, bucketpolicy.Additions{}, false)
			if pr != tt.publicRead || ok != tt.ok {
				t.Errorf("PublicReadOf = %v, %v; want %v, %v", pr, ok, tt.publicRead, tt.ok)
			}
		})
	}
}
