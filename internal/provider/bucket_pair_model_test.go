package provider

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/djangoconfig"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

func TestBucketPairModelEqual(t *testing.T) {
	base := func() bucketPairModel {
		return bucketPairModel{
			MediaBucket:  types.StringValue("media"),
			StaticBucket: types.StringValue("static"),
			Tags:         types.MapValueMust(types.StringType, map[string]attr.Value{"env": types.StringValue("prod")}),
			Drift:        types.ListValueMust(types.StringType, []attr.Value{}),
			// As read from state, collections always carry their element type, even when null.
			GuardExemptPrincipals:        types.SetNull(types.StringType),
			TagsAll:                      types.MapNull(types.StringType),
			StaticCORSRules:              corsRulesValue(bucketstate.DefaultStaticCORS()),
			MediaCORSRules:               types.ListNull(corsRulesType.ElemType),
			StaticCDN:                    types.ObjectNull(cdnAttrTypes(false)),
			MediaCDN:                     types.ObjectNull(cdnAttrTypes(true)),
			NoncurrentVersionTransitions: types.ListNull(types.ObjectType{AttrTypes: transitionAttrTypes}),
			Timeouts:                     timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"read": types.StringType})},
		}
	}
	if !base().equal(base()) {
		t.Error("identical models compare unequal")
	}
	nilDrift := base()
	nilDrift.Drift = types.ListValueMust(types.StringType, nil)
	if !base().equal(nilDrift) {
		t.Error("an empty list built from nil compares unequal to an empty list: plans of unchanged pairs would all be rewritten")
	}
	for name, change := range map[string]func(*bucketPairModel){
		"a string":        func(m *bucketPairModel) { m.DjangoStorages = types.StringValue("{}") },
		"null to unknown": func(m *bucketPairModel) { m.ID = types.StringUnknown() },
		"a map element": func(m *bucketPairModel) {
			m.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{"env": types.StringValue("dev")})
		},
		"a list element": func(m *bucketPairModel) {
			m.Drift = types.ListValueMust(types.StringType, []attr.Value{types.StringValue("x")})
		},
		"the last field": func(m *bucketPairModel) { m.AbortIncompleteUploadsDays = types.Int64Value(7) },
		"the timeouts block": func(m *bucketPairModel) {
			m.Timeouts.Object = types.ObjectValueMust(map[string]attr.Type{"read": types.StringType}, map[string]attr.Value{"read": types.StringValue("1m")})
		},
	} {
		m := base()
		change(&m)
		if base().equal(m) || m.equal(base()) {
			t.Errorf("models differing in %s compare equal", name)
		}
	}
}

// A pair as Terraform last applied it: names, tags, no guard, no retention, the defaults.
func appliedPair(t *testing.T) bucketPairModel {
	t.Helper()
	return bucketPairModel{
		MediaBucket:                    types.StringValue("pm-media"),
		StaticBucket:                   types.StringValue("pm-static"),
		StaticPublicRead:               types.BoolValue(false),
		MediaForceDestroy:              types.BoolValue(false),
		MFADelete:                      types.BoolValue(false),
		Tags:                           types.MapValueMust(types.StringType, map[string]attr.Value{"app": types.StringValue("shop")}),
		Drift:                          types.ListValueMust(types.StringType, nil),
		GuardExemptPrincipals:          types.SetNull(types.StringType),
		NoncurrentVersionRetentionDays: types.Int64Null(),
		NoncurrentVersionsToKeep:       types.Int64Null(),
		AbortIncompleteUploadsDays:     types.Int64Value(defaultAbortIncompleteDays),
	}
}

// matching is the pair as S3 reports it when it holds exactly what m asks for.
func matching(t *testing.T, m bucketPairModel) s3api.PairObserved {
	t.Helper()
	spec, diags := toSpec(t.Context(), m, "eu-west-1", nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	p := mustPair(t, spec)
	return s3api.PairObserved{Media: observedAs(p.Media), Static: observedAs(p.Static)}
}

func observedAs(want bucketstate.Desired) *bucketstate.Settings {
	s := &bucketstate.Settings{Versioning: want.Versioning, PublicAccessBlock: &want.PublicAccessBlock, Ownership: want.Ownership,
		Encryption: want.Encryption, Policy: want.Policy, Tags: maps.Clone(want.Tags), Lifecycle: want.Lifecycle, CORS: want.CORS}
	if want.MFADelete != nil {
		s.MFADelete = *want.MFADelete
	}
	if want.Role == bucketstate.Static {
		s.Versioning = bucketstate.VersioningDisabled // never versioned
	}
	return s
}

func driftOf(t *testing.T, m bucketPairModel) []string {
	t.Helper()
	var lines []string
	if diags := m.Drift.ElementsAs(t.Context(), &lines, false); diags.HasError() {
		t.Fatal(diags)
	}
	return lines
}

// setObserved maps what S3 reports onto the state: refresh against the last apply, import, a missing
// bucket, a lifecycle the provider did not write, and tags null versus empty.
func TestBucketPairSetObserved(t *testing.T) {
	ctx := t.Context()
	t.Run("refresh of an unchanged pair", func(t *testing.T) {
		m := appliedPair(t)
		before := m
		if diags := m.setObserved(ctx, "eu-west-1", false, matching(t, m), nil); diags.HasError() {
			t.Fatal(diags)
		}
		if got := driftOf(t, m); len(got) != 0 {
			t.Fatalf("drift %q", got)
		}
		if m.MediaVersioning.ValueString() != "Enabled" || m.StaticVersioning.ValueString() != "Disabled" {
			t.Errorf("versioning %s / %s", m.MediaVersioning, m.StaticVersioning)
		}
		if !m.Tags.Equal(before.Tags) || !m.GuardExemptPrincipals.IsNull() || !m.NoncurrentVersionRetentionDays.IsNull() {
			t.Errorf("arguments changed on a refresh of an unchanged pair: tags %s guard %s retention %s", m.Tags, m.GuardExemptPrincipals, m.NoncurrentVersionRetentionDays)
		}
	})
	t.Run("drift is measured against the last apply", func(t *testing.T) {
		m := appliedPair(t)
		o := matching(t, m)
		o.Media.Tags = map[string]string{}
		o.Static.Encryption = ""
		m.setObserved(ctx, "eu-west-1", false, o, nil)
		got := driftOf(t, m)
		if len(got) != 2 || !strings.Contains(got[0], `media bucket "pm-media": tags`) || !strings.Contains(got[1], "default encryption is absent") {
			t.Fatalf("drift %q, want the media tags and the static encryption", got)
		}
		// Tags read back: the plan shows the configured tags coming back.
		if len(m.Tags.Elements()) != 0 || m.Tags.IsNull() {
			t.Errorf("tags %s, want the empty map S3 reported", m.Tags)
		}
	})
	t.Run("import takes the buckets' own values", func(t *testing.T) {
		applied := appliedPair(t)
		applied.StaticPublicRead = types.BoolValue(true)
		applied.NoncurrentVersionRetentionDays = types.Int64Value(30)
		o := matching(t, applied)
		// What ImportState leaves: the names and media_force_destroy; everything else null.
		m := bucketPairModel{MediaBucket: applied.MediaBucket, StaticBucket: applied.StaticBucket, MediaForceDestroy: types.BoolValue(false),
			Tags: types.MapNull(types.StringType), Drift: types.ListNull(types.StringType), GuardExemptPrincipals: types.SetNull(types.StringType)}
		m.setObserved(ctx, "eu-west-1", false, o, nil)
		if got := driftOf(t, m); len(got) != 0 {
			t.Fatalf("an imported pair that matches its own settings shows drift %q", got)
		}
		if !m.StaticPublicRead.ValueBool() || m.NoncurrentVersionRetentionDays.ValueInt64() != 30 || m.Tags.Elements()["app"] == nil {
			t.Errorf("import did not read back static_public_read, retention or tags: %v %v %v", m.StaticPublicRead, m.NoncurrentVersionRetentionDays, m.Tags)
		}
	})
	t.Run("a missing bucket", func(t *testing.T) {
		m := appliedPair(t)
		o := matching(t, m)
		o.Static = nil
		m.setObserved(ctx, "eu-west-1", false, o, nil)
		if !m.StaticVersioning.IsNull() {
			t.Errorf("static_versioning %s, want null for a missing bucket", m.StaticVersioning)
		}
		if got := driftOf(t, m); len(got) != 1 || !strings.Contains(got[0], `static bucket "pm-static" does not exist`) {
			t.Fatalf("drift %q", got)
		}
	})
	t.Run("a lifecycle the provider did not write", func(t *testing.T) {
		m := appliedPair(t)
		m.NoncurrentVersionRetentionDays = types.Int64Value(30)
		o := matching(t, m)
		o.Media.Lifecycle = bucketstate.Lifecycle{Foreign: true, NoncurrentDays: 5}
		m.setObserved(ctx, "eu-west-1", false, o, nil)
		if m.NoncurrentVersionRetentionDays.ValueInt64() != 30 {
			t.Errorf("retention %s: a foreign lifecycle must not be read back as the argument", m.NoncurrentVersionRetentionDays)
		}
		if got := driftOf(t, m); len(got) != 1 || !strings.Contains(got[0], "rules this provider does not manage") {
			t.Fatalf("drift %q", got)
		}
	})
	t.Run("tags: null stays null while the bucket has none", func(t *testing.T) {
		for name, tc := range map[string]struct {
			prior    types.Map
			observed map[string]string
			wantNull bool
			wantLen  int
		}{
			"null, none":     {types.MapNull(types.StringType), map[string]string{}, true, 0},
			"null, some":     {types.MapNull(types.StringType), map[string]string{"a": "b"}, false, 1},
			"empty, none":    {types.MapValueMust(types.StringType, map[string]attr.Value{}), map[string]string{}, false, 0},
			"unknown, none":  {types.MapUnknown(types.StringType), nil, true, 0},
			"some, none":     {appliedPair(t).Tags, map[string]string{}, false, 0},
			"some, changed:": {appliedPair(t).Tags, map[string]string{"app": "blog"}, false, 1},
		} {
			got, diags := tagsValue(ctx, tc.prior, tc.observed)
			if diags.HasError() || got.IsNull() != tc.wantNull || len(got.Elements()) != tc.wantLen {
				t.Errorf("%s: tags %s, want null %t with %d elements", name, got, tc.wantNull, tc.wantLen)
			}
		}
	})
}

// toSpec treats null and unknown collections as none, and carries every argument to the S3 layer.
func TestBucketPairToSpec(t *testing.T) {
	ctx := t.Context()
	m := appliedPair(t)
	m.Tags = types.MapUnknown(types.StringType)
	m.GuardExemptPrincipals = types.SetUnknown(types.StringType)
	spec, diags := toSpec(ctx, m, "eu-west-1", nil)
	if diags.HasError() || spec.Tags != nil || spec.GuardExempt != nil {
		t.Fatalf("unknown tags and guard: %+v %v", spec, diags)
	}
	m = appliedPair(t)
	m.MFADelete = types.BoolValue(true)
	m.StaticPublicRead = types.BoolValue(true)
	m.GuardExemptPrincipals = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("arn:aws:iam::123456789012:role/tf")})
	m.NoncurrentVersionRetentionDays = types.Int64Value(30)
	m.NoncurrentVersionsToKeep = types.Int64Value(3)
	spec, diags = toSpec(ctx, m, "eu-west-1", nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := pairSpec{Media: "pm-media", Static: "pm-static", Region: "eu-west-1", StaticPublicRead: true, MFADelete: true,
		Tags: map[string]string{"app": "shop"}, GuardExempt: []string{"arn:aws:iam::123456789012:role/tf"},
		Retention: bucketstate.Retention{NoncurrentDays: 30, KeepNoncurrent: 3, AbortIncompleteDays: 7}}
	if !reflect.DeepEqual(spec, want) {
		t.Fatalf("toSpec = %+v\nwant     %+v", spec, want)
	}
	p := mustPair(t, spec)
	if p.Media.Bucket != "pm-media" || !*p.Media.MFADelete || !strings.Contains(p.Media.Policy, "arn:aws:iam::123456789012:role/tf") ||
		p.Static.PublicAccessBlock.BlockPublicPolicy || !p.Media.Lifecycle.Empty() {
		t.Errorf("pair() = %+v: media with MFA Delete (so no lifecycle) and the guard, static public", p)
	}
}

// The storage configuration follows the endpoint: none on AWS, the endpoint and addressing style elsewhere.
func TestDjangoConfigFor(t *testing.T) {
	aws := djangoConfigFor(&s3api.Client{Region: "eu-west-1"}, djangoInputs{Media: "m", Static: "s", Region: "eu-west-1", StaticPublicRead: true})
	if aws.EndpointURL != "" || aws.AddressingStyle != "" || !aws.StaticPublicRead || aws.Region != "eu-west-1" {
		t.Errorf("on AWS: %+v", aws)
	}
	in := djangoInputs{Media: "m", Static: "s", Region: "us-east-1"}
	path := djangoConfigFor(&s3api.Client{Endpoint: "https://s3.example", PathStyle: true}, in)
	virtual := djangoConfigFor(&s3api.Client{Endpoint: "https://s3.example"}, in)
	if path.EndpointURL != "https://s3.example" || path.AddressingStyle != "path" || virtual.AddressingStyle != "virtual" {
		t.Errorf("custom endpoint: %+v / %+v", path, virtual)
	}
}

// mustPair is spec.pair for a spec whose extra policies are valid.
func mustPair(t *testing.T, spec pairSpec) s3api.PairSpec {
	t.Helper()
	p, err := spec.pair(false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Extra statements and distribution ARNs known only at apply are checked then, before anything is written.
func TestAdditionsProblems(t *testing.T) {
	ok := pairSpec{MediaCDN: cdn{DistributionARN: "arn:aws:cloudfront::123456789012:distribution/E1ABC"},
		StaticExtraPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::s/*"}]}`}
	if p := additionsProblems(ok); len(p) != 0 {
		t.Fatalf("valid additions refused: %q", p)
	}
	bad := ok
	bad.MediaExtraPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:DeleteObjectVersion","Resource":"arn:aws:s3:::m/*"}]}`
	bad.StaticCDN = cdn{DistributionARN: "arn:aws:cloudfront::123:distribution/e1"}
	p := additionsProblems(bad)
	if len(p) != 2 || !strings.HasPrefix(p[0], "media_extra_policy_json: ") || !strings.HasPrefix(p[1], "static_cdn.distribution_arn: ") {
		t.Errorf("additionsProblems = %q, want the media extra policy and the static distribution ARN", p)
	}
}

// A guard principal known only at apply (a role created in the same run) makes the set not known yet: the
// plan must skip the lock-out check rather than fail converting it, and toSpec must not invent a list.
func TestKnownStringsWithUnknownElement(t *testing.T) {
	set := types.SetValueMust(types.StringType, []attr.Value{
		types.StringValue("arn:aws:iam::123456789012:role/terraform"), types.StringUnknown(),
	})
	got, known, diags := knownStrings(t.Context(), set)
	if diags.HasError() || known || got != nil {
		t.Errorf("knownStrings(set with an unknown) = %v, known %t, %v; want nil, false, no error", got, known, diags)
	}
	list := types.ListValueMust(types.StringType, []attr.Value{types.StringValue("a"), types.StringValue("b")})
	if got, known, diags := knownStrings(t.Context(), list); diags.HasError() || !known || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("knownStrings(known list) = %v, known %t, %v", got, known, diags)
	}
}

// Behind a known service the pair's storage configuration carries the service's region and the client's
// addressing style (virtual-hosted on Spaces unless use_path_style says otherwise).
func TestDjangoConfigForServices(t *testing.T) {
	in := djangoInputs{Media: "m-bucket", Static: "s-bucket", Region: "us-east-1", StaticPublicRead: true}
	for _, tc := range []struct {
		client        *s3api.Client
		region, style string
	}{
		{&s3api.Client{Endpoint: "https://0123456789abcdef.r2.cloudflarestorage.com", Region: "us-east-1", PathStyle: true}, "auto", "path"},
		{&s3api.Client{Endpoint: "https://ams3.digitaloceanspaces.com", Region: "ams3"}, "ams3", "virtual"},
		{&s3api.Client{Endpoint: "https://ams3.digitaloceanspaces.com", Region: "ams3", PathStyle: true}, "ams3", "path"},
	} {
		out, err := djangoconfig.Render(djangoConfigFor(tc.client, in))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"region_name": "` + tc.region + `"`, `"addressing_style": "` + tc.style + `"`, `"endpoint_url": "` + tc.client.Endpoint + `"`} {
			if strings.Count(out, want) != 2 {
				t.Errorf("%s: output does not say %s for both storages:\n%s", tc.client.Endpoint, want, out)
			}
		}
	}
}
