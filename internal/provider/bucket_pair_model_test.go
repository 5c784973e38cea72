package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestBucketPairModelEqual(t *testing.T) {
	base := func() bucketPairModel {
		return bucketPairModel{
			MediaBucket:  types.StringValue("media"),
			StaticBucket: types.StringValue("static"),
			Tags:         types.MapValueMust(types.StringType, map[string]attr.Value{"env": types.StringValue("prod")}),
			Drift:        types.ListValueMust(types.StringType, []attr.Value{}),
			// As read from state, collections always carry their element type, even when null.
			GuardExemptPrincipals: types.SetNull(types.StringType),
			Timeouts:              timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"read": types.StringType})},
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
