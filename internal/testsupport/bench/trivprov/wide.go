package main

// trivial_wide_pair: a resource with the real protectedmedia_bucket_pair's schema and none of its work. Its
// attributes are read from the real resource's schema as `terraform providers schema -json` prints it (the
// file WideSchemaEnv names), so it has the same top-level attributes with the same types and the same
// required, optional and computed flags; nested attributes become object-typed attributes of the same shape.
// Planning it costs what the framework spends on a schema that wide, which is all a provider of that schema
// on this framework can save.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// WideSchemaEnv names the JSON file of the block to copy: the "block" of the resource in
// `terraform providers schema -json`.
const WideSchemaEnv = "TRIVPROV_WIDE_SCHEMA"

type widePairResource struct{}

func (widePairResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_wide_pair"
}

// jsonAttribute is one attribute of a block in Terraform's JSON schema.
type jsonAttribute struct {
	Type       json.RawMessage `json:"type"`
	NestedType *struct {
		Attributes  map[string]jsonAttribute `json:"attributes"`
		NestingMode string                   `json:"nesting_mode"`
	} `json:"nested_type"`
	Required, Optional, Computed, Sensitive bool
}

func (widePairResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{"id": schema.StringAttribute{Computed: true}}
	resp.Schema = schema.Schema{Attributes: attrs}
	file := os.Getenv(WideSchemaEnv)
	if file == "" {
		return // Terraform asks every schema, also of a configuration without this resource
	}
	body, err := os.ReadFile(file)
	if err != nil {
		resp.Diagnostics.AddError("wide schema", err.Error())
		return
	}
	var block struct {
		Attributes map[string]jsonAttribute `json:"attributes"`
	}
	if err := json.Unmarshal(body, &block); err != nil {
		resp.Diagnostics.AddError("wide schema", err.Error())
		return
	}
	for name, a := range block.Attributes {
		t, err := a.attrType()
		if err != nil {
			resp.Diagnostics.AddError("wide schema", fmt.Sprintf("%s: %v", name, err))
			return
		}
		attrs[name] = attribute(t, a.Required, a.Optional, a.Computed, a.Sensitive)
	}
}

// attribute is a schema attribute of type t with the given flags.
func attribute(t attr.Type, required, optional, computed, sensitive bool) schema.Attribute {
	switch t := t.(type) {
	case types.ListType:
		return schema.ListAttribute{ElementType: t.ElemType, Required: required, Optional: optional, Computed: computed, Sensitive: sensitive}
	case types.SetType:
		return schema.SetAttribute{ElementType: t.ElemType, Required: required, Optional: optional, Computed: computed, Sensitive: sensitive}
	case types.MapType:
		return schema.MapAttribute{ElementType: t.ElemType, Required: required, Optional: optional, Computed: computed, Sensitive: sensitive}
	case types.ObjectType:
		return schema.ObjectAttribute{AttributeTypes: t.AttrTypes, Required: required, Optional: optional, Computed: computed, Sensitive: sensitive}
	case basetypes.BoolType:
		return schema.BoolAttribute{Required: required, Optional: optional, Computed: computed, Sensitive: sensitive}
	case basetypes.NumberType:
		return schema.NumberAttribute{Required: required, Optional: optional, Computed: computed, Sensitive: sensitive}
	}
	return schema.StringAttribute{Required: required, Optional: optional, Computed: computed, Sensitive: sensitive}
}

// attrType is the framework type of a JSON schema attribute.
func (a jsonAttribute) attrType() (attr.Type, error) {
	if n := a.NestedType; n != nil {
		obj := types.ObjectType{AttrTypes: map[string]attr.Type{}}
		for name, inner := range n.Attributes {
			t, err := inner.attrType()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			obj.AttrTypes[name] = t
		}
		switch n.NestingMode {
		case "single":
			return obj, nil
		case "list":
			return types.ListType{ElemType: obj}, nil
		case "set":
			return types.SetType{ElemType: obj}, nil
		case "map":
			return types.MapType{ElemType: obj}, nil
		}
		return nil, fmt.Errorf("nesting mode %q", n.NestingMode)
	}
	var v any
	if err := json.Unmarshal(a.Type, &v); err != nil {
		return nil, err
	}
	return ctyType(v)
}

// ctyType converts a type in Terraform's JSON type syntax ("string", ["list", T], ["object", {...}], ...).
func ctyType(v any) (attr.Type, error) {
	switch v := v.(type) {
	case string:
		switch v {
		case "string":
			return types.StringType, nil
		case "number":
			return types.NumberType, nil
		case "bool":
			return types.BoolType, nil
		}
	case []any:
		if len(v) < 2 {
			break
		}
		kind, _ := v[0].(string)
		if kind == "object" {
			fields, _ := v[1].(map[string]any)
			obj := types.ObjectType{AttrTypes: map[string]attr.Type{}}
			for name, ft := range fields {
				t, err := ctyType(ft)
				if err != nil {
					return nil, err
				}
				obj.AttrTypes[name] = t
			}
			return obj, nil
		}
		elem, err := ctyType(v[1])
		if err != nil {
			return nil, err
		}
		switch kind {
		case "list":
			return types.ListType{ElemType: elem}, nil
		case "set":
			return types.SetType{ElemType: elem}, nil
		case "map":
			return types.MapType{ElemType: elem}, nil
		}
	}
	return nil, fmt.Errorf("type %v is not supported", v)
}

// known replaces every unknown in v with null: what an apply that computes nothing leaves.
func known(v tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
}

func (widePairResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if applied(req.Plan.Raw, &resp.State, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathID, "wide")...)
	}
}

func (widePairResource) Read(_ context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State.Raw = req.State.Raw
}

func (widePairResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	applied(req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

// applied sets state to plan with its unknowns made null, as an apply that computes nothing leaves it; false
// when it could not.
func applied(plan tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) bool {
	v, err := known(plan)
	if err != nil {
		diags.AddError("apply", err.Error())
		return false
	}
	state.Raw = v
	return true
}

func (widePairResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
