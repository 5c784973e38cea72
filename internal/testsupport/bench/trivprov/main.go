// Command trivprov is the smallest useful Terraform provider on the same plugin framework, go-plugin and
// gRPC as the real one: trivial_pair, with the two bucket names and tags, whose Read returns the state
// unchanged and which never leaves the process, and trivial_wide_pair (wide.go), which has the real pair's
// schema and does as little. Benchmarks plan the same number of its resources as of real pairs: the
// difference is what the real provider adds, the rest is Terraform's and the framework's floor.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var pathID = path.Root("id")

// Address is where the benchmarks' dev_overrides point Terraform for this provider.
const Address = "registry.terraform.io/protectedmedia/trivial"

func main() {
	if err := providerserver.Serve(context.Background(), func() provider.Provider { return trivialProvider{} }, providerserver.ServeOpts{Address: Address}); err != nil {
		log.Fatal(err)
	}
}

type trivialProvider struct{}

func (trivialProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "trivial"
}

func (trivialProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (trivialProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (trivialProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return pairResource{} }, func() resource.Resource { return widePairResource{} }}
}

func (trivialProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type pairResource struct{}

type pairModel struct {
	ID           types.String `tfsdk:"id"`
	MediaBucket  types.String `tfsdk:"media_bucket"`
	StaticBucket types.String `tfsdk:"static_bucket"`
	Tags         types.Map    `tfsdk:"tags"`
}

func (pairResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pair"
}

func (pairResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":            schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"media_bucket":  schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"static_bucket": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"tags":          schema.MapAttribute{Optional: true, ElementType: types.StringType},
	}}
}

func (pairResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m pairModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue(m.MediaBucket.ValueString() + "," + m.StaticBucket.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (pairResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m pairModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (pairResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m pairModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (pairResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
