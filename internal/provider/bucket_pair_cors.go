package provider

// The CORS rules of each bucket: their schema, their Terraform model and the conversions to and from the
// plain rules the S3 layer writes.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// corsRuleModel is one element of static_cors_rules or media_cors_rules.
type corsRuleModel struct {
	AllowedOrigins types.List  `tfsdk:"allowed_origins"`
	AllowedMethods types.List  `tfsdk:"allowed_methods"`
	AllowedHeaders types.List  `tfsdk:"allowed_headers"`
	ExposeHeaders  types.List  `tfsdk:"expose_headers"`
	MaxAgeSeconds  types.Int64 `tfsdk:"max_age_seconds"`
}

var corsRuleAttrTypes = map[string]attr.Type{
	"allowed_origins": types.ListType{ElemType: types.StringType},
	"allowed_methods": types.ListType{ElemType: types.StringType},
	"allowed_headers": types.ListType{ElemType: types.StringType},
	"expose_headers":  types.ListType{ElemType: types.StringType},
	"max_age_seconds": types.Int64Type,
}

var corsRulesType = types.ListType{ElemType: types.ObjectType{AttrTypes: corsRuleAttrTypes}}

// corsRulesAttribute is the schema of one bucket's CORS rules; the static bucket's default to
// bucketstate.DefaultStaticCORS.
func corsRulesAttribute(role bucketstate.Role) schema.ListNestedAttribute {
	a := schema.ListNestedAttribute{
		Optional: true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"allowed_origins": schema.ListAttribute{
				ElementType: types.StringType,
				Required:    true,
				MarkdownDescription: "Origins the rule lets in, as the browser sends them (`https://www.example.com`, no path), " +
					"or `*` for any; one `*` may stand for part of an origin (`https://*.example.com`).",
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
			},
			"allowed_methods": schema.ListAttribute{
				ElementType:         types.StringType,
				Required:            true,
				MarkdownDescription: "Methods the rule allows: " + choiceList(bucketstate.CORSMethods()) + ".",
				Validators: []validator.List{listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.OneOf(bucketstate.CORSMethods()...))},
			},
			"allowed_headers": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Request headers a preflight may ask for (`Access-Control-Request-Headers`), `*` for any; " +
					"one `*` may stand for part of a name (`x-amz-*`).",
			},
			"expose_headers": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Response headers the page's script may read, for example `ETag` after an upload.",
			},
			"max_age_seconds": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "How long the browser may cache the preflight answer.",
			},
		}},
	}
	if role == bucketstate.Static {
		a.Computed = true
		a.Default = listdefault.StaticValue(corsRulesValue(bucketstate.DefaultStaticCORS()))
		a.MarkdownDescription = "CORS rules of the static bucket, in the order S3 evaluates them (the first rule that " +
			"matches answers). Browsers fetch fonts with CORS, and the site and the bucket are different origins: " +
			"without a rule for the site, Django's admin loses its fonts (its `fonts.css` pulls them from the bucket). " +
			"Defaults to one rule allowing `GET` and `HEAD` from any origin, which is safe for files every visitor may read; " +
			"set the site's own origins to narrow it, or `[]` for no CORS configuration. Owned like every other setting: " +
			"rules changed outside Terraform show in `drift` and are put back."
		return a
	}
	a.MarkdownDescription = "CORS rules of the media bucket, for browsers that upload straight to it (a presigned " +
		"`POST` or `PUT` made by the site, from the site's origin) or read media from script. Unset (the default), the " +
		"media bucket has no CORS configuration. Owned like every other setting: rules changed outside Terraform show " +
		"in `drift` and are put back. CORS only decides what the page's script may see of an answer: it is not " +
		"access control, and who may upload is still decided by the signature of the presigned request."
	return a
}

// corsRulesValue is rules as the attribute holds them; optional lists that are empty are null, as an unset
// argument is.
func corsRulesValue(rules []bucketstate.CORSRule) types.List {
	elems := make([]attr.Value, len(rules))
	for i, r := range rules {
		maxAge := types.Int64Null()
		if r.MaxAgeSeconds > 0 {
			maxAge = types.Int64Value(int64(r.MaxAgeSeconds))
		}
		elems[i] = types.ObjectValueMust(corsRuleAttrTypes, map[string]attr.Value{
			"allowed_origins": stringListValue(r.AllowedOrigins, false),
			"allowed_methods": stringListValue(r.AllowedMethods, false),
			"allowed_headers": stringListValue(r.AllowedHeaders, true),
			"expose_headers":  stringListValue(r.ExposeHeaders, true),
			"max_age_seconds": maxAge,
		})
	}
	return types.ListValueMust(corsRulesType.ElemType, elems)
}

func stringListValue(s []string, nullWhenEmpty bool) types.List {
	if len(s) == 0 && nullWhenEmpty {
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, len(s))
	for i, v := range s {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// corsRulesOf converts the attribute to plain rules; known is false while any part is unknown. A null list
// means no rules.
func corsRulesOf(ctx context.Context, l types.List) (rules []bucketstate.CORSRule, known bool, diags diag.Diagnostics) {
	if l.IsUnknown() {
		return nil, false, nil
	}
	if l.IsNull() {
		return nil, true, nil
	}
	var models []corsRuleModel
	if diags = l.ElementsAs(ctx, &models, false); diags.HasError() {
		return nil, false, diags
	}
	known = true
	for _, m := range models {
		var r bucketstate.CORSRule
		for _, f := range []struct {
			list types.List
			into *[]string
		}{{m.AllowedOrigins, &r.AllowedOrigins}, {m.AllowedMethods, &r.AllowedMethods}, {m.AllowedHeaders, &r.AllowedHeaders}, {m.ExposeHeaders, &r.ExposeHeaders}} {
			values, ok, d := knownStrings(ctx, f.list)
			diags.Append(d...)
			known = known && ok
			*f.into = values
		}
		if m.MaxAgeSeconds.IsUnknown() {
			known = false
		}
		r.MaxAgeSeconds = int(m.MaxAgeSeconds.ValueInt64())
		rules = append(rules, r)
	}
	return rules, known, diags
}

// corsProblems fails the plan for rules S3 would refuse, naming the attribute.
func corsProblems(ctx context.Context, attribute string, l types.List) diag.Diagnostics {
	rules, known, diags := corsRulesOf(ctx, l)
	if !known || diags.HasError() {
		return diags
	}
	if problems := bucketstate.CORSProblems(rules); len(problems) > 0 {
		diags.AddAttributeError(path.Root(attribute), "Invalid CORS rules",
			fmt.Sprintf("S3 would refuse %s:\n  - %s", attribute, strings.Join(problems, "\n  - ")))
	}
	return diags
}
