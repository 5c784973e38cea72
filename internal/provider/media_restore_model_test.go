package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

func TestToRestoreSpec(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	base := func() mediaRestoreModel {
		return mediaRestoreModel{
			Bucket: types.StringValue("example-media"), Prefix: types.StringValue("uploads/"),
			AsOf: rfc3339Of("2026-11-28T10:30:00+01:00"), Method: types.StringValue("remove_delete_markers"),
			DeleteCreatedAfter: types.BoolValue(true),
		}
	}
	baseSpec := restoreSpec{Bucket: "example-media", Prefix: "uploads/", AsOf: time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC),
		Options: recovery.Options{Method: recovery.MethodRemoveDeleteMarkers, DeleteCreatedAfter: true}}
	tests := []struct {
		name   string
		change func(*mediaRestoreModel)
		now    time.Time // zero: no clock, as at apply
		// wantKnown is whether a spec comes back; want, when set, is that spec.
		wantKnown bool
		want      *restoreSpec
		// wantError is the error's summary and detail, joined by ": "; "" for no error.
		wantError string
	}{
		{name: "all set", now: now, wantKnown: true, want: &baseSpec},
		{name: "all set, no clock", wantKnown: true, want: &baseSpec},

		// Unknown arguments: nothing to convert yet, and nothing wrong.
		{name: "unknown bucket", change: func(m *mediaRestoreModel) { m.Bucket = types.StringUnknown() }, now: now},
		{name: "unknown prefix", change: func(m *mediaRestoreModel) { m.Prefix = types.StringUnknown() }, now: now},
		{name: "unknown as_of", change: func(m *mediaRestoreModel) { m.AsOf = rfc3339Unknown }, now: now},
		{name: "unknown method", change: func(m *mediaRestoreModel) { m.Method = types.StringUnknown() }, now: now},
		{name: "unknown delete_created_after", change: func(m *mediaRestoreModel) { m.DeleteCreatedAfter = types.BoolUnknown() }, now: now},
		{
			name:   "unknown beats invalid",
			change: func(m *mediaRestoreModel) { m.Bucket, m.AsOf = types.StringUnknown(), rfc3339Of("yesterday") }, now: now,
		},

		// Null optional arguments mean their defaults.
		{
			name: "null optional arguments",
			change: func(m *mediaRestoreModel) {
				m.Method, m.DeleteCreatedAfter, m.Prefix = types.StringNull(), types.BoolNull(), types.StringNull()
			},
			now: now, wantKnown: true,
			want: &restoreSpec{Bucket: "example-media", AsOf: baseSpec.AsOf, Options: recovery.Options{Method: recovery.MethodCopy}},
		},
		{
			name:      "null as_of (required, so only in a broken plan)",
			change:    func(m *mediaRestoreModel) { m.AsOf = rfc3339Null },
			now:       now,
			wantError: `Invalid as_of: "" is not an RFC 3339 time`,
		},
		{
			name:      "invalid as_of",
			change:    func(m *mediaRestoreModel) { m.AsOf = rfc3339Of("2026-11-28 10:30") },
			now:       now,
			wantError: `Invalid as_of: "2026-11-28 10:30" is not an RFC 3339 time`,
		},

		// as_of against the injected clock.
		{
			name:   "as_of a second after now",
			change: func(m *mediaRestoreModel) { m.AsOf = rfc3339Of("2026-11-28T12:00:01Z") },
			now:    now,
			wantError: `as_of is in the future: as_of = "2026-11-28T12:00:01Z" is after the current time, 2026-11-28T12:00:00Z. ` +
				`A restore puts objects back as they were at a past moment: set as_of to a time before the first unwanted ` +
				`change, for example 2026-11-28T11:00:00Z.`,
		},
		{
			name:   "as_of after now, written in another zone",
			change: func(m *mediaRestoreModel) { m.AsOf = rfc3339Of("2026-11-28T13:00:01+01:00") },
			now:    time.Date(2026, 11, 28, 13, 0, 0, 0, time.FixedZone("CET", 3600)), // 12:00:00Z
			wantError: `as_of is in the future: as_of = "2026-11-28T13:00:01+01:00" is after the current time, 2026-11-28T12:00:00Z. ` +
				`A restore puts objects back as they were at a past moment: set as_of to a time before the first unwanted ` +
				`change, for example 2026-11-28T11:00:00Z.`,
		},
		{
			name:      "as_of after now, no clock (apply)",
			change:    func(m *mediaRestoreModel) { m.AsOf = rfc3339Of("2026-11-28T12:00:01Z") },
			wantKnown: true,
		},
		{
			name:      "as_of exactly now",
			change:    func(m *mediaRestoreModel) { m.AsOf = rfc3339Of("2026-11-28T12:00:00Z") },
			now:       now,
			wantKnown: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			if tc.change != nil {
				tc.change(&m)
			}
			spec, known, diags := toRestoreSpec(m, tc.now)
			if known != tc.wantKnown {
				t.Errorf("known %t, want %t", known, tc.wantKnown)
			}
			checkDiagnostics(t, diags, tc.wantError)
			if w := tc.want; w != nil && (!spec.AsOf.Equal(w.AsOf) || spec.Bucket != w.Bucket || spec.Prefix != w.Prefix || spec.Options != w.Options) {
				t.Errorf("spec %+v, want %+v", spec, *w)
			}
		})
	}
}

// checkDiagnostics fails unless diags is empty (want "") or one error whose summary and detail, joined by
// ": ", start with want.
func checkDiagnostics(t *testing.T, diags diag.Diagnostics, want string) {
	t.Helper()
	switch {
	case want == "" && len(diags) > 0:
		t.Errorf("diagnostics %v", diags)
	case want != "" && (!diags.HasError() || len(diags) != 1):
		t.Errorf("diagnostics %v, want one error %q", diags, want)
	case want != "":
		if got := diags[0].Summary() + ": " + diags[0].Detail(); !strings.HasPrefix(got, want) {
			t.Errorf("error %q, want %q", got, want)
		}
	}
}

func TestRestoreID(t *testing.T) {
	m := mediaRestoreModel{Bucket: types.StringValue("example-media"), Prefix: types.StringValue("uploads/"), AsOf: rfc3339Of("2026-11-28T10:30:00+01:00")}
	// as_of as written, not normalized: the ID is what the user configured.
	if got := restoreID(m); got != "example-media/uploads/@2026-11-28T10:30:00+01:00" {
		t.Fatalf("id %q", got)
	}
}

func TestRestoreSetTally(t *testing.T) {
	tally := recovery.NewTally(2)
	tally.Deleted, tally.Overwritten, tally.Pending = 3, 1, 4
	for _, k := range []string{"b", "a", "c"} {
		tally.PendingKeys.Add(k)
	}
	var m mediaRestoreModel
	m.setTally(tally)
	if m.DeletedCount.ValueInt64() != 3 || m.OverwrittenCount.ValueInt64() != 1 || m.PendingCount.ValueInt64() != 4 {
		t.Fatalf("counts %+v", m)
	}
	if !m.PendingKeys.Equal(types.ListValueMust(types.StringType, []attr.Value{types.StringValue("a"), types.StringValue("b")})) {
		t.Fatalf("pending keys %v", m.PendingKeys)
	}
	if got := keyList(nil); got.IsNull() || len(got.Elements()) != 0 {
		t.Fatalf("no keys must be an empty list, got %v", got)
	}
}

// The model and the schema agree: the framework reads a plan into the model and writes it back unchanged.
func TestMediaRestoreModelMatchesSchema(t *testing.T) {
	ctx := t.Context()
	s := mediaRestoreSchema()
	typ := objectType(t, s.Type().TerraformType(ctx))
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, tftypes.UnknownValue)
	}
	values["bucket"] = tftypes.NewValue(tftypes.String, "example-media")
	values["as_of"] = tftypes.NewValue(tftypes.String, "2026-11-28T10:30:00+01:00")
	values["plan_timestamp"] = tftypes.NewValue(tftypes.String, nil)
	raw := tftypes.NewValue(typ, values)

	var m mediaRestoreModel
	if diags := (tfsdk.Plan{Schema: s, Raw: raw}).Get(ctx, &m); diags.HasError() {
		t.Fatalf("get: %v", diags)
	}
	if !m.AsOf.Equal(rfc3339Of("2026-11-28T10:30:00+01:00")) || !m.PlanTimestamp.IsNull() || !m.PendingKeys.IsUnknown() {
		t.Fatalf("model %+v", m)
	}
	out := tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(typ, nil)}
	if diags := out.Set(ctx, &m); diags.HasError() {
		t.Fatalf("set: %v", diags)
	}
	if !out.Raw.Equal(raw) {
		t.Fatalf("round trip changed the plan:\n%v\nwant\n%v", out.Raw, raw)
	}
}

// objectType is a schema's Terraform type, which is always an object.
func objectType(t *testing.T, typ tftypes.Type) tftypes.Object {
	t.Helper()
	o, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type %T, want tftypes.Object", typ)
	}
	return o
}
