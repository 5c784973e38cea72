package bucketstate

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseFeatures(t *testing.T) {
	got, err := ParseFeatures([]string{"cors", "public_access_block", "cors"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Feature{FeaturePublicAccessBlock, FeatureCORS}; !slices.Equal(got.Sorted(), want) {
		t.Errorf("got %v, want %v", got.Sorted(), want)
	}

	_, err = ParseFeatures([]string{"cors", "website", "acl"})
	if err == nil {
		t.Fatal("unknown names accepted")
	}
	for _, want := range []string{`"website"`, `"acl"`, "`public_access_block`", "`replication`"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "`versioning`") {
		t.Errorf("error %q offers versioning as a valid name", err)
	}

	if _, err := ParseFeatures([]string{"versioning"}); !errors.Is(err, ErrVersioningRequired) {
		t.Errorf("versioning declared unsupported: got %v, want ErrVersioningRequired", err)
	}
}

func TestEveryFeatureHasASettingAndAProtection(t *testing.T) {
	for _, f := range AllFeatures() {
		if f.Protection() == string(f) || !strings.HasPrefix(f.Protection(), "no ") {
			t.Errorf("%s: protection %q", f, f.Protection())
		}
	}
	for _, s := range []Setting{SettingVersioning, SettingMFADelete, SettingPublicAccessBlock, SettingOwnership, SettingEncryption,
		SettingPolicy, SettingTags, SettingLifecycle, SettingCORS, SettingReplication, SettingObjectLock} {
		if FeatureOf(s) == "" {
			t.Errorf("setting %s has no feature", s)
		}
	}
	if FeatureOf(SettingExistence) != "" {
		t.Error("existence needs no feature")
	}
}

func TestDiffSkipsUnsupportedFeatures(t *testing.T) {
	want := MediaDesired("m", "arn:aws:s3:::m", false, map[string]string{"a": "b"}, Retention{AbortIncompleteDays: 7}, nil)
	want.CORS = []CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}
	// A versitygw bucket: versioned, with a policy, but no public access block, encryption or lifecycle.
	observed := &Settings{Versioning: VersioningEnabled, Ownership: OwnershipBucketOwnerEnforced, Policy: want.Policy,
		Tags: map[string]string{"a": "b"}, CORS: want.CORS}

	all := SettingsOf(Diff(want, observed))
	for _, s := range []Setting{SettingPublicAccessBlock, SettingEncryption, SettingLifecycle} {
		if !slices.Contains(all, s) {
			t.Errorf("without Unsupported, %s is not drift: %v", s, all)
		}
	}

	observed.Unsupported = Features{FeaturePublicAccessBlock: true, FeatureEncryption: true, FeatureLifecycle: true}
	if d := Diff(want, observed); len(d) != 0 {
		t.Errorf("unsupported features reported as drift: %v", Strings(d))
	}

	observed.Versioning = VersioningSuspended
	if got := SettingsOf(Diff(want, observed)); !slices.Equal(got, []Setting{SettingVersioning}) {
		t.Errorf("supported drift hidden: %v", got)
	}
}

func TestUnmetNeeds(t *testing.T) {
	used := []string{"media_cors_rules", "media_kms_key_arn", "tags", "mfa_delete"}
	got := UnmetNeeds(used, Features{FeatureCORS: true, FeatureEncryption: true, FeatureLifecycle: true})
	want := []ArgumentNeed{{"media_kms_key_arn", FeatureEncryption}, {"media_cors_rules", FeatureCORS}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if s := got[1].String(); !strings.Contains(s, "media_cors_rules needs cors") || !strings.Contains(s, "no CORS rules") {
		t.Errorf("message %q", s)
	}
	if got := UnmetNeeds(used, nil); got != nil {
		t.Errorf("everything supported: %v", got)
	}
}

func TestProtectionsLost(t *testing.T) {
	got := ProtectionsLost(Features{FeatureLifecycle: true, FeaturePublicAccessBlock: true})
	if len(got) != 2 || !strings.HasPrefix(got[0], "no public access block: a bucket policy or ACL mistake can expose media") ||
		!strings.HasPrefix(got[1], "no lifecycle rules") {
		t.Errorf("got %q", got)
	}
}
