package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// rfc3339Of is a time argument's value as the configuration gives it, valid or not.
func rfc3339Of(s string) rfc3339Value {
	return rfc3339Value{timetypes.RFC3339{StringValue: types.StringValue(s)}}
}

var (
	rfc3339Null    = rfc3339Value{timetypes.NewRFC3339Null()}
	rfc3339Unknown = rfc3339Value{timetypes.NewRFC3339Unknown()}
)

func validate(v rfc3339Value, p path.Path) diag.Diagnostics {
	resp := &xattr.ValidateAttributeResponse{}
	v.ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: p}, resp)
	return resp.Diagnostics
}

func TestRFC3339Validation(t *testing.T) {
	for value, ok := range map[string]bool{
		"2026-11-28T09:30:00Z":        true,
		"2026-11-28T10:30:00+01:00":   true,
		"2026-11-28T09:30:00.250Z":    true,
		"2026-11-28":                  false,
		"2026-11-28T09:30:00":         false, // no zone
		"28/11/2026 09:30":            false,
		"2026-11-28 09:30:00Z":        false,
		"yesterday":                   false,
		"2026-13-28T09:30:00Z":        false,
		"2026-11-28T09:30:00+0100":    false,
		"  2026-11-28T09:30:00Z  ":    false,
		"2026-11-28T24:30:00Z":        false,
		"2026-02-30T09:30:00Z":        false,
		"2026-11-28T09:30:00.999999Z": true,
		"":                            false,
	} {
		diags := validate(rfc3339Of(value), path.Root("as_of"))
		if diags.HasError() == ok {
			t.Errorf("%q: error %t, want %t", value, diags.HasError(), !ok)
			continue
		}
		// The parser is the framework's: its own validation agrees, only the message differs.
		framework := &xattr.ValidateAttributeResponse{}
		rfc3339Of(value).RFC3339.ValidateAttribute(t.Context(), xattr.ValidateAttributeRequest{Path: path.Root("as_of")}, framework)
		if framework.Diagnostics.HasError() != diags.HasError() {
			t.Errorf("%q: our error %t, timetypes.RFC3339's %t", value, diags.HasError(), framework.Diagnostics.HasError())
		}
		if ok {
			continue
		}
		want := fmt.Sprintf("as_of: %q is not an RFC 3339 time. Write the date, a \"T\", the time and a zone: "+
			"\"2026-11-28T09:30:00Z\" (UTC) or \"2026-11-28T10:30:00+01:00\".", value)
		d := diags[0]
		withPath, _ := d.(diag.DiagnosticWithPath)
		if len(diags) != 1 || d.Summary() != "Invalid time" || d.Detail() != want || withPath == nil || !withPath.Path().Equal(path.Root("as_of")) {
			t.Errorf("%q: got %v, want one error %q on as_of", value, diags, want)
		}
	}
	// The message names the attribute it is on.
	if diags := validate(rfc3339Of("now"), path.Root("plan_timestamp")); !diags.HasError() ||
		!strings.HasPrefix(diags[0].Detail(), `plan_timestamp: "now" is not an RFC 3339 time`) {
		t.Errorf("plan_timestamp: %v", diags)
	}
	for name, v := range map[string]rfc3339Value{"null": rfc3339Null, "unknown": rfc3339Unknown} {
		if diags := validate(v, path.Root("as_of")); diags.HasError() {
			t.Errorf("a %s value is not an error: %v", name, diags)
		}
	}
}

func TestRFC3339SemanticEquals(t *testing.T) {
	tests := []struct {
		name      string
		old       rfc3339Value
		new       basetypes.StringValuable
		want      bool
		wantError bool
	}{
		{name: "identical", old: rfc3339Of("2026-11-28T09:30:00Z"), new: rfc3339Of("2026-11-28T09:30:00Z"), want: true},
		{name: "Z and +00:00", old: rfc3339Of("2026-11-28T09:30:00Z"), new: rfc3339Of("2026-11-28T09:30:00+00:00"), want: true},
		{name: "-00:00 and Z", old: rfc3339Of("2026-11-28T09:30:00-00:00"), new: rfc3339Of("2026-11-28T09:30:00Z"), want: true},
		// The framework compares the written form, not the instant: another offset is another value.
		{name: "same instant, other offset", old: rfc3339Of("2026-11-28T09:30:00Z"), new: rfc3339Of("2026-11-28T10:30:00+01:00")},
		{name: "another time", old: rfc3339Of("2026-11-28T09:30:00Z"), new: rfc3339Of("2026-11-28T09:30:01Z")},
		{name: "a plain string", old: rfc3339Of("2026-11-28T09:30:00Z"), new: types.StringValue("2026-11-28T09:30:00Z"), wantError: true},
		// Unwrapped, the framework's own value is what the embedded check compares: the same semantics.
		{name: "the framework's value", old: rfc3339Of("2026-11-28T09:30:00Z"), new: timetypes.NewRFC3339ValueMust("2026-11-28T09:30:00+00:00"), want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := tc.old.StringSemanticEquals(t.Context(), tc.new)
			if got != tc.want || diags.HasError() != tc.wantError {
				t.Fatalf("equal %t, diags %v; want %t, error %t", got, diags, tc.want, tc.wantError)
			}
		})
	}
}

// The framework reflects values into models through the type: every method must hand back the wrapper, not
// the embedded timetypes values.
func TestRFC3339Type(t *testing.T) {
	ctx := t.Context()
	typ := rfc3339Type{}
	for name, in := range map[string]tftypes.Value{
		"known":   tftypes.NewValue(tftypes.String, "2026-11-28T09:30:00Z"),
		"invalid": tftypes.NewValue(tftypes.String, "yesterday"), // parsed later: validation reports it
		"null":    tftypes.NewValue(tftypes.String, nil),
		"unknown": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	} {
		v, err := typ.ValueFromTerraform(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, ok := v.(rfc3339Value)
		if !ok {
			t.Fatalf("%s: ValueFromTerraform gave a %T", name, v)
		}
		if !got.Type(ctx).Equal(typ) {
			t.Errorf("%s: value's type %v", name, got.Type(ctx))
		}
		if back, err := got.ToTerraformValue(ctx); err != nil || !back.Equal(in) {
			t.Errorf("%s: round trip gave %v, %v", name, back, err)
		}
	}
	if _, ok := typ.ValueType(ctx).(rfc3339Value); !ok {
		t.Errorf("ValueType is a %T", typ.ValueType(ctx))
	}
	fromString, diags := typ.ValueFromString(ctx, types.StringValue("2026-11-28T09:30:00Z"))
	if !fromString.Equal(rfc3339Of("2026-11-28T09:30:00Z")) || diags.HasError() {
		t.Errorf("ValueFromString gave %#v, %v", fromString, diags)
	}
	for name, other := range map[string]attr.Type{"timetypes.RFC3339Type": timetypes.RFC3339Type{}, "types.String": types.StringType} {
		if typ.Equal(other) {
			t.Errorf("the type equals %s", name)
		}
	}
	if !typ.Equal(rfc3339Type{}) {
		t.Error("the type does not equal itself")
	}
	v := rfc3339Of("2026-11-28T09:30:00Z")
	for name, other := range map[string]attr.Value{
		"another time":    rfc3339Of("2026-11-28T09:30:01Z"),
		"null":            rfc3339Null,
		"the bare value":  v.RFC3339,
		"a plain string":  types.StringValue("2026-11-28T09:30:00Z"),
		"timetypes value": timetypes.NewRFC3339ValueMust("2026-11-28T09:30:00Z"),
	} {
		if v.Equal(other) {
			t.Errorf("the value equals %s", name)
		}
	}
	if !v.Equal(rfc3339Of("2026-11-28T09:30:00Z")) {
		t.Error("the value does not equal itself")
	}
}

// Every time argument has the type, so none falls back to the framework's message or to no check at all.
func TestTimeArgumentsAreRFC3339(t *testing.T) {
	restore, changes := mediaRestoreSchema(), mediaChangesSchema()
	for name, a := range map[string]interface{ GetType() attr.Type }{
		"protectedmedia_media_restore.as_of":          restore.Attributes["as_of"],
		"protectedmedia_media_restore.plan_timestamp": restore.Attributes["plan_timestamp"],
		"protectedmedia_media_changes.since":          changes.Attributes["since"],
	} {
		if a == nil || !a.GetType().Equal(rfc3339Type{}) {
			t.Errorf("%s: type %v", name, a)
		}
	}
}
