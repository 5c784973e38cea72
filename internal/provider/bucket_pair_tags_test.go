package provider

// Tags: the pair's own, the provider's default_tags merged into tags_all, AWS's system tags left alone, and
// S3's tagging rules checked at plan time.

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// cloudFormationTags are the system tags CloudFormation puts on a bucket it creates.
var cloudFormationTags = map[string]string{
	"aws:cloudformation:stack-name": "shop",
	"aws:cloudformation:logical-id": "MediaBucket",
}

func stringMap(m map[string]string) types.Map {
	values := make(map[string]attr.Value, len(m))
	for k, v := range m {
		values[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, values)
}

func goMap(t *testing.T, m types.Map) map[string]string {
	t.Helper()
	out, known, diags := knownStringMap(t.Context(), m)
	if diags.HasError() || !known {
		t.Fatalf("map %s: known %t, %v", m, known, diags)
	}
	return out
}

// The plan merges the provider's defaults with the pair's own tags; the read-back after apply gives the same
// tags and tags_all, whatever system tags the bucket carries; an old state or an import without tags_all
// merges the defaults in.
func TestBucketPairTagsWithDefaults(t *testing.T) {
	ctx := t.Context()
	defaults := map[string]string{"env": "prod", "team": "web"}
	own := map[string]string{"app": "shop", "env": "test"}
	merged := map[string]string{"app": "shop", "env": "test", "team": "web"}
	client := &s3api.Client{Region: "eu-west-1"}

	t.Run("plan", func(t *testing.T) {
		for name, tc := range map[string]struct {
			tags types.Map
			want map[string]string // nil: unknown
		}{
			"own and defaults": {stringMap(own), merged},
			"defaults only":    {types.MapNull(types.StringType), defaults},
			"no defaults left": {stringMap(map[string]string{"env": "a", "team": "b"}), map[string]string{"env": "a", "team": "b"}},
			"tags unknown":     {types.MapUnknown(types.StringType), nil},
		} {
			m := appliedPair(t)
			m.Tags = tc.tags
			if diags := m.setPlanned(ctx, client, true, bucketPairModel{}, defaults); diags.HasError() {
				t.Fatalf("%s: %v", name, diags)
			}
			if tc.want == nil {
				if !m.TagsAll.IsUnknown() {
					t.Errorf("%s: tags_all %s, want unknown", name, m.TagsAll)
				}
				continue
			}
			if got := goMap(t, m.TagsAll); !maps.Equal(got, tc.want) {
				t.Errorf("%s: tags_all %v, want %v", name, got, tc.want)
			}
		}
		// Without defaults or tags, tags_all is an empty map, as a refresh reads it.
		m := appliedPair(t)
		m.Tags = types.MapNull(types.StringType)
		m.setPlanned(ctx, client, true, bucketPairModel{}, nil)
		if m.TagsAll.IsNull() || len(m.TagsAll.Elements()) != 0 {
			t.Errorf("tags_all %s, want {}", m.TagsAll)
		}
	})

	t.Run("read back after apply", func(t *testing.T) {
		for name, tags := range map[string]types.Map{"own and defaults": stringMap(own), "defaults only": types.MapNull(types.StringType)} {
			m := appliedPair(t)
			m.Tags = tags
			m.setPlanned(ctx, client, true, bucketPairModel{}, defaults)
			planned := m
			o := matching(t, m)
			maps.Copy(o.Media.Tags, cloudFormationTags)
			if diags := m.setObserved(ctx, "eu-west-1", false, o, defaults); diags.HasError() {
				t.Fatal(diags)
			}
			if got := driftOf(t, m); len(got) != 0 {
				t.Errorf("%s: drift %q", name, got)
			}
			if !m.Tags.Equal(planned.Tags) || !m.TagsAll.Equal(planned.TagsAll) {
				t.Errorf("%s: read back tags %s and tags_all %s, planned %s and %s", name, m.Tags, m.TagsAll, planned.Tags, planned.TagsAll)
			}
		}
	})

	t.Run("drift against the last apply", func(t *testing.T) {
		m := appliedPair(t)
		m.Tags = stringMap(own)
		m.setPlanned(ctx, client, true, bucketPairModel{}, defaults)
		o := matching(t, m)
		o.Media.Tags["team"] = "other" // a default tag changed out of band
		o.Static.Tags["stray"] = "x"
		m.setObserved(ctx, "eu-west-1", false, o, defaults)
		got := driftOf(t, m)
		if len(got) != 2 || !strings.Contains(got[0], `team="other"`) || !strings.Contains(got[1], `stray="x"`) {
			t.Fatalf("drift %q, want the media bucket's team tag and the static bucket's stray tag", got)
		}
		if !maps.Equal(goMap(t, m.Tags), own) || goMap(t, m.TagsAll)["team"] != "other" {
			t.Errorf("tags %s, tags_all %s: want own tags unchanged and the changed default in tags_all", m.Tags, m.TagsAll)
		}
	})

	t.Run("a state from before tags_all", func(t *testing.T) {
		m := appliedPair(t) // tags_all null
		spec, diags := toSpec(ctx, m, "eu-west-1", defaults)
		if diags.HasError() || !maps.Equal(spec.Tags, map[string]string{"app": "shop", "env": "prod", "team": "web"}) {
			t.Fatalf("toSpec tags %v, %v", spec.Tags, diags)
		}
	})

	t.Run("import", func(t *testing.T) {
		applied := appliedPair(t)
		applied.Tags = stringMap(own)
		applied.setPlanned(ctx, client, true, bucketPairModel{}, defaults)
		o := matching(t, applied)
		m := bucketPairModel{MediaBucket: applied.MediaBucket, StaticBucket: applied.StaticBucket, MediaForceDestroy: types.BoolValue(false),
			Tags: types.MapNull(types.StringType), TagsAll: types.MapNull(types.StringType), Drift: types.ListNull(types.StringType),
			GuardExemptPrincipals: types.SetNull(types.StringType)}
		m.setObserved(ctx, "eu-west-1", false, o, defaults)
		if got := driftOf(t, m); len(got) != 0 {
			t.Fatalf("drift %q", got)
		}
		// env has another value than the default's: only the pair's own tags can have set it.
		if !maps.Equal(goMap(t, m.Tags), own) {
			t.Errorf("tags %s, want the pair's own %v", m.Tags, own)
		}
		if !maps.Equal(goMap(t, m.TagsAll), merged) {
			t.Errorf("tags_all %s, want %v", m.TagsAll, merged)
		}
	})
}

func TestTagCount(t *testing.T) {
	ctx := t.Context()
	tags := func(prefix string, n int) map[string]string {
		m := make(map[string]string, n)
		for i := range n {
			m[prefix+strconv.Itoa(i)] = "v"
		}
		return m
	}
	tests := []struct {
		name     string
		own      types.Map
		defaults map[string]string
		want     string // "": no diagnostic
	}{
		{"50 in all", stringMap(tags("own", 25)), tags("default", 25), ""},
		{"51 in all", stringMap(tags("own", 26)), tags("default", 25), "Both buckets of this pair would carry 51 tags: 26 tags in tags and 25 tags in the provider's default_tags (0 keys in both count once). S3 allows at most 50 tags per bucket. Remove 1 from tags"},
		{"keys in both count once", stringMap(tags("k", 40)), tags("k", 30), ""},
		{"defaults alone", types.MapNull(types.StringType), tags("default", 51), "51 tags: 0 tags in tags and 51 tags"},
		{"values not known yet count", types.MapValueMust(types.StringType, map[string]attr.Value{"a": types.StringUnknown(), "b": types.StringValue("x")}), tags("d", 49), "51 tags"},
		{"tags not known yet", types.MapUnknown(types.StringType), tags("d", 50), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := tagCount(ctx, tt.own, tt.defaults)
			if tt.want == "" {
				if diags.HasError() {
					t.Fatalf("diagnostics %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Summary() != "Too many tags" || !strings.Contains(diags[0].Detail(), tt.want) {
				t.Fatalf("diagnostics %v, want one saying %q", diags, tt.want)
			}
		})
	}
}

func TestTagsValidator(t *testing.T) {
	p := path.Root("default_tags").AtName("tags")
	validate := func(m types.Map) []string {
		resp := &validator.MapResponse{}
		tagsValidator{}.ValidateMap(t.Context(), validator.MapRequest{Path: p, ConfigValue: m}, resp)
		var out []string
		for _, d := range resp.Diagnostics {
			out = append(out, d.Summary()+": "+d.Detail())
		}
		return out
	}
	if got := validate(stringMap(map[string]string{"app": "shop", "cost center": "4711"})); got != nil {
		t.Errorf("valid tags refused: %q", got)
	}
	for _, m := range []types.Map{types.MapNull(types.StringType), types.MapUnknown(types.StringType),
		types.MapValueMust(types.StringType, map[string]attr.Value{"app": types.StringUnknown()})} {
		if got := validate(m); got != nil {
			t.Errorf("%s refused: %q", m, got)
		}
	}
	got := validate(stringMap(map[string]string{"AWS:stack": "x", "ok": "a|b"}))
	want := `Invalid tags: default_tags.tags breaks the S3 tagging rules:
  - key "AWS:stack" starts with "AWS:", which AWS reserves for its own tags (in any case); choose another key
  - the value of "ok" contains a character S3 does not allow ('|'); use only letters, digits, spaces and _ . : / = + - @`
	if len(got) != 1 || got[0] != want {
		t.Errorf("diagnostics %q\nwant %q", got, want)
	}
}

func TestDefaultTagsOf(t *testing.T) {
	ctx := t.Context()
	objType := map[string]attr.Type{"tags": types.MapType{ElemType: types.StringType}}
	block := func(tags types.Map) types.Object {
		return types.ObjectValueMust(objType, map[string]attr.Value{"tags": tags})
	}
	tests := []struct {
		name  string
		block types.Object
		want  map[string]string
		known bool
	}{
		{"no block", types.ObjectNull(objType), nil, true},
		{"no tags", block(types.MapNull(types.StringType)), nil, true},
		{"tags", block(stringMap(map[string]string{"team": "web"})), map[string]string{"team": "web"}, true},
		{"block unknown", types.ObjectUnknown(objType), nil, false},
		{"tags unknown", block(types.MapUnknown(types.StringType)), nil, false},
		{"a value unknown", block(types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringUnknown()})), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, known, diags := defaultTagsOf(ctx, tt.block)
			if diags.HasError() || known != tt.known || !maps.Equal(got, tt.want) {
				t.Fatalf("defaultTagsOf = %v, known %t, %v; want %v, known %t", got, known, diags, tt.want, tt.known)
			}
		})
	}
}

// defaultTagsBlock is a provider block's default_tags.
func defaultTagsBlock(tags map[string]string) string {
	var b strings.Builder
	b.WriteString("  default_tags {\n    tags = {\n")
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		fmt.Fprintf(&b, "      %q = %q\n", k, tags[k])
	}
	b.WriteString("    }\n  }\n")
	return b.String()
}

func knownMap(m map[string]string) knownvalue.Check {
	checks := make(map[string]knownvalue.Check, len(m))
	for k, v := range m {
		checks[k] = knownvalue.StringExact(v)
	}
	return knownvalue.MapExact(checks)
}

// Tags S3 refuses are refused at plan time, naming the attribute.
func TestAccBucketPair_invalidTags(t *testing.T) {
	long := strings.Repeat("x", bucketstate.MaxTagValueLength+1)
	cases := map[string]struct {
		config pairConfig
		want   string
	}{
		"system key":       {pairConfig{Tags: map[string]string{"aws:cloudformation:stack-name": "shop"}}, `tags breaks the S3 tagging rules: - key "aws:cloudformation:stack-name" starts with "aws:", which AWS reserves`},
		"character":        {pairConfig{Tags: map[string]string{"app": "shop#1"}}, `the value of "app" contains a character S3 does not allow ('#')`},
		"long value":       {pairConfig{Tags: map[string]string{"app": long}}, `the value of "app" is 257 characters long; a value must be at most 256`},
		"default key":      {pairConfig{ProviderExtra: defaultTagsBlock(map[string]string{"AWS:team": "web"})}, `default_tags.tags breaks the S3 tagging rules: - key "AWS:team" starts with "AWS:"`},
		"default too many": {pairConfig{ProviderExtra: defaultTagsBlock(tagsN("d", 51))}, "default_tags.tags breaks the S3 tagging rules: - there are 51 tags; S3 allows at most 50 per bucket, so remove 1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.config.Media, tc.config.Static = "ok-media", "ok-static"
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.config.String(), PlanOnly: true, ExpectError: phrase(tc.want)}},
			})
		})
	}
}

func tagsN(prefix string, n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[prefix+strconv.Itoa(i)] = "v"
	}
	return m
}

// A pair's tags and the provider's default tags together must fit S3's 50 per bucket: the plan says so
// before anything is created.
func TestAccBucketPair_tooManyTags(t *testing.T) {
	cfg := newPair(t)
	cfg.Tags = tagsN("own", 30)
	cfg.ProviderExtra = defaultTagsBlock(tagsN("default", 21))
	pairTest(t, cfg, []resource.TestStep{{
		Config:      cfg.String(),
		PlanOnly:    true,
		ExpectError: phrase("Too many tags Both buckets of this pair would carry 51 tags: 30 tags in tags and 21 tags in the provider's default_tags"),
	}})
}

// The provider's default_tags go on both buckets with the pair's own; tags keeps meaning the pair's own,
// tags_all shows everything, a change to the defaults plans an update, a default tag changed out of band is
// drift, and an import reads the pair's own tags back without the defaults.
func TestAccBucketPair_defaultTags(t *testing.T) {
	cfg := newPair(t)
	with := func(own, defaults map[string]string) pairConfig {
		c := cfg
		c.Tags = own
		if defaults != nil {
			c.ProviderExtra = defaultTagsBlock(defaults)
		}
		return c
	}
	own := map[string]string{"app": "shop", "env": "test"}
	first := with(own, map[string]string{"team": "web", "env": "prod"})
	firstAll := map[string]string{"app": "shop", "env": "test", "team": "web"}
	second := with(own, map[string]string{"team": "ops", "env": "prod"})
	secondAll := map[string]string{"app": "shop", "env": "test", "team": "ops"}
	bothBuckets := func(want map[string]string) resource.TestCheckFunc {
		return resource.ComposeAggregateTestCheckFunc(checkTags(cfg.Media, want), checkTags(cfg.Static, want))
	}
	last := with(map[string]string{"app": "shop"}, map[string]string{"team": "web"})
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: first.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags_all"), knownMap(firstAll)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags"), knownMap(own)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags_all"), knownMap(firstAll)),
			},
			Check: bothBuckets(firstAll),
		},
		{
			// Only the defaults change: every pair plans an update.
			Config: second.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags"), knownMap(own)),
				plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags_all"), knownMap(secondAll)),
			}},
			Check: bothBuckets(secondAll),
		},
		{
			// A default tag changed out of band is drift, shown in tags_all and repaired; tags stay the pair's.
			PreConfig: func() {
				_, err := accEnv.Direct.PutBucketTagging(t.Context(), &s3.PutBucketTaggingInput{Bucket: aws.String(cfg.Media),
					Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("app"), Value: aws.String("shop")},
						{Key: aws.String("env"), Value: aws.String("test")}, {Key: aws.String("team"), Value: aws.String("other")}}}})
				must(t, err)
			},
			Config: second.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags"), knownMap(own)),
				plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags_all"), knownMap(secondAll)),
			}},
			Check: bothBuckets(secondAll),
		},
		{
			// The defaults gone, the pair's own tags alone.
			Config: with(own, nil).String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags_all"), knownMap(own)),
			},
			Check: bothBuckets(own),
		},
		{
			Config:            last.String(),
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags"), knownMap(map[string]string{"app": "shop"}))},
			Check:             bothBuckets(map[string]string{"app": "shop", "team": "web"}),
		},
		{
			Config:            last.String(),
			ResourceName:      pairAddr,
			ImportState:       true,
			ImportStateId:     cfg.Media + "," + cfg.Static,
			ImportStateVerify: true,
		},
		{
			// Defaults only: tags stays null.
			Config: with(nil, map[string]string{"team": "web"}).String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags"), knownvalue.Null()),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags_all"), knownMap(map[string]string{"team": "web"})),
			},
			Check: bothBuckets(map[string]string{"team": "web"}),
		},
	})
}

// A bucket with AWS's system tags (made by CloudFormation): they show nowhere, no refresh sees drift in
// them, and every tags write keeps them, down to removing every user tag.
func TestAccBucketPair_systemTags(t *testing.T) {
	cfg := newPair(t)
	cfg.Tags = map[string]string{"app": "shop"}
	retagged := cfg
	retagged.Tags = map[string]string{"app": "shop", "env": "prod"}
	untagged := cfg
	untagged.Tags = nil
	t.Cleanup(func() { awsLayer.SetSystemTags(cfg.Media, nil) })
	pairTest(t, cfg, []resource.TestStep{
		{Config: cfg.String()},
		{
			PreConfig: func() { awsLayer.SetSystemTags(cfg.Media, cloudFormationTags) },
			Config:    cfg.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags"), knownMap(cfg.Tags)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags_all"), knownMap(cfg.Tags)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
			},
		},
		{
			Config: retagged.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkTags(cfg.Media, bucketstate.MergeTags(cloudFormationTags, retagged.Tags)),
				checkTags(cfg.Static, retagged.Tags),
			),
		},
		{
			Config: untagged.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags"), knownvalue.Null()),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkTags(cfg.Media, cloudFormationTags), checkTags(cfg.Static, nil)),
		},
	})
}
