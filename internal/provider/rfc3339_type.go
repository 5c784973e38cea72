package provider

// The type of the time arguments (as_of, plan_timestamp, since): the framework's timetypes.RFC3339 with our
// validation message.
//
// Why a wrapper: timetypes.RFC3339 validates itself with "Invalid RFC3339 String Value", and the framework
// runs a value's ValidateAttribute when it reads the value (fwschemadata's ValueAtPath), stopping there
// before any attribute validator could say it better. Users are told `as_of: "2026-11-28 09:30" is not an
// RFC 3339 time` and how to write one, so the wrapper overrides only ValidateAttribute; parsing
// (ValueRFC3339Time) and semantic equality stay the framework's. Every other method here only keeps the
// wrapper's own type through the framework's reflection (the embedded ones would hand back the bare
// timetypes values).

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ basetypes.StringTypable                    = rfc3339Type{}
	_ basetypes.StringValuableWithSemanticEquals = rfc3339Value{}
	_ xattr.ValidateableAttribute                = rfc3339Value{}
)

// rfc3339Type is the attribute type: set it as an attribute's CustomType, with an rfc3339Value in the model.
type rfc3339Type struct {
	timetypes.RFC3339Type
}

func (t rfc3339Type) String() string { return "provider.rfc3339Type" }

func (t rfc3339Type) ValueType(context.Context) attr.Value { return rfc3339Value{} }

func (t rfc3339Type) Equal(o attr.Type) bool {
	other, ok := o.(rfc3339Type)
	return ok && t.RFC3339Type.Equal(other.RFC3339Type)
}

func (t rfc3339Type) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return rfc3339Value{timetypes.RFC3339{StringValue: in}}, nil
}

func (t rfc3339Type) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.RFC3339Type.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	inner, ok := v.(timetypes.RFC3339)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return rfc3339Value{inner}, nil
}

// rfc3339Value is a time argument's value. ValueRFC3339Time parses it.
type rfc3339Value struct {
	timetypes.RFC3339
}

func (v rfc3339Value) Type(context.Context) attr.Type { return rfc3339Type{} }

func (v rfc3339Value) Equal(o attr.Value) bool {
	other, ok := o.(rfc3339Value)
	return ok && v.RFC3339.Equal(other.RFC3339)
}

// StringSemanticEquals is timetypes.RFC3339's: the same time with `Z` or `+00:00` is the same value.
func (v rfc3339Value) StringSemanticEquals(ctx context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	if other, ok := newValuable.(rfc3339Value); ok {
		newValuable = other.RFC3339
	}
	// Any other type reaches the embedded check as it is, which reports it.
	return v.RFC3339.StringSemanticEquals(ctx, newValuable)
}

// ValidateAttribute rejects what ValueRFC3339Time cannot parse, with our message naming the attribute.
func (v rfc3339Value) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if _, diags := v.ValueRFC3339Time(); diags.HasError() {
		resp.Diagnostics.Append(invalidRFC3339(req.Path, v.ValueString()))
	}
}
