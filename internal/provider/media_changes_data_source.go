package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var (
	_ datasource.DataSource              = (*mediaChangesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*mediaChangesDataSource)(nil)
)

// Bounds of max_keys: the default keeps a plan readable; the maximum keeps the state small.
const (
	defaultChangesMaxKeys = 100
	maxChangesMaxKeys     = 1000
)

// NewMediaChangesDataSource is the factory the provider registers.
func NewMediaChangesDataSource() datasource.DataSource { return &mediaChangesDataSource{} }

type mediaChangesDataSource struct {
	client *s3api.Client
}

type mediaChangesModel struct {
	ID               types.String       `tfsdk:"id"`
	Bucket           types.String       `tfsdk:"bucket"`
	Prefix           types.String       `tfsdk:"prefix"`
	Since            types.String       `tfsdk:"since"`
	MaxKeys          types.Int64        `tfsdk:"max_keys"`
	KeyCount         types.Int64        `tfsdk:"key_count"`
	DeletedCount     types.Int64        `tfsdk:"deleted_count"`
	OverwrittenCount types.Int64        `tfsdk:"overwritten_count"`
	CreatedCount     types.Int64        `tfsdk:"created_count"`
	Truncated        types.Bool         `tfsdk:"truncated"`
	Deleted          []deletedModel     `tfsdk:"deleted"`
	Overwritten      []overwrittenModel `tfsdk:"overwritten"`
}

type deletedModel struct {
	Key                   types.String `tfsdk:"key"`
	VersionID             types.String `tfsdk:"version_id"`
	LastModified          types.String `tfsdk:"last_modified"`
	Size                  types.Int64  `tfsdk:"size"`
	DeletedAt             types.String `tfsdk:"deleted_at"`
	DeleteMarkerVersionID types.String `tfsdk:"delete_marker_version_id"`
	ExistedAtSince        types.Bool   `tfsdk:"existed_at_since"`
}

type overwrittenModel struct {
	Key                 types.String `tfsdk:"key"`
	VersionID           types.String `tfsdk:"version_id"`
	LastModified        types.String `tfsdk:"last_modified"`
	Size                types.Int64  `tfsdk:"size"`
	CurrentVersionID    types.String `tfsdk:"current_version_id"`
	CurrentLastModified types.String `tfsdk:"current_last_modified"`
	CurrentSize         types.Int64  `tfsdk:"current_size"`
}

func (d *mediaChangesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_media_changes"
}

func (d *mediaChangesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	num := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What was deleted and overwritten in a versioned bucket since a point in time: the " +
			"finding step of a recovery. It lists the bucket's versions under `prefix` (one ListObjectVersions " +
			"request per 1,000 versions) and changes nothing. Feed what it finds to `protectedmedia_media_restore`.",
		Attributes: map[string]schema.Attribute{
			"id": str("`<bucket>/<prefix>@<since>`."),
			"bucket": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The bucket to look in, typically a pair's `media_bucket`.",
				Validators:          []validator.String{bucketNameValidator{}},
			},
			"prefix": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only keys starting with this, for example `uploads/invoices/`. Defaults to the whole bucket.",
				Validators:          []validator.String{stringvalidator.LengthAtMost(maxPrefixLength)},
			},
			"since": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "RFC 3339 time, such as `2026-11-28T09:30:00Z`: changes stamped after it are reported. " +
					"S3 records changes to the whole second.",
				Validators: []validator.String{rfc3339Validator{}},
			},
			"max_keys": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many entries `deleted` and `overwritten` each hold at most (the "+
					"first in key order); the counts are always complete. Defaults to `%d`, at most `%d`.", defaultChangesMaxKeys, maxChangesMaxKeys),
				Validators: []validator.Int64{int64validator.Between(0, maxChangesMaxKeys)},
			},
			"key_count": num("Keys under the prefix with any version, changed or not."),
			"deleted_count": num("Keys whose current version is a delete marker laid after `since` and that held an " +
				"object before it."),
			"overwritten_count": num("Keys that held an object at `since` and hold other content now."),
			"created_count":     num("Keys that did not exist at `since` and hold an object now."),
			"truncated":         schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether `deleted` or `overwritten` holds fewer entries than its count."},
			"deleted": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Deleted objects, in key order, at most `max_keys`. A restore with `as_of = since` " +
					"brings back those with `existed_at_since`; one created and deleted after `since` needs an `as_of` " +
					"between its `last_modified` and `deleted_at`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"key":                      str("Object key."),
					"version_id":               str("The newest object version before the delete: the content that was deleted."),
					"last_modified":            str("When that version was written (RFC 3339)."),
					"size":                     num("Its size in bytes."),
					"deleted_at":               str("When the current delete marker was laid (RFC 3339)."),
					"delete_marker_version_id": str("Version ID of the current delete marker."),
					"existed_at_since":         schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the key held an object at `since`."},
				}},
			},
			"overwritten": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Overwritten objects, in key order, at most `max_keys`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"key":                   str("Object key."),
					"version_id":            str("The version that was current at `since`: what a restore with `as_of = since` brings back."),
					"last_modified":         str("When that version was written (RFC 3339)."),
					"size":                  num("Its size in bytes."),
					"current_version_id":    str("The current version."),
					"current_last_modified": str("When the current version was written (RFC 3339)."),
					"current_size":          num("The current version's size in bytes."),
				}},
			},
		},
	}
}

func (d *mediaChangesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		d.client = data.client
	}
}

func (d *mediaChangesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m mediaChangesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	since, err := time.Parse(time.RFC3339, m.Since.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("since"), "Invalid since", rfc3339Detail(m.Since.ValueString()))
		return
	}
	bucket, prefix := m.Bucket.ValueString(), m.Prefix.ValueString()
	limit := defaultChangesMaxKeys
	if !m.MaxKeys.IsNull() {
		limit = int(m.MaxKeys.ValueInt64())
	}

	v, err := s3api.FindVersioning(ctx, d.client.S3, bucket)
	switch {
	case s3api.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Bucket does not exist",
			fmt.Sprintf("Bucket %q does not exist. Check the name.", bucket))
		return
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Cannot read the bucket's versioning",
			errorDetail(d.client, err, fmt.Sprintf("Listing changes needs s3:GetBucketVersioning and s3:ListBucketVersions on bucket %q.", bucket)))
		return
	case v.Status != bucketstate.VersioningEnabled:
		resp.Diagnostics.AddAttributeWarning(path.Root("bucket"), "Bucket versioning is not enabled",
			fmt.Sprintf("Bucket %q has versioning %s: while it is not Enabled, S3 keeps no history of deletes and "+
				"overwrites, so this report can miss them.", bucket, v.Status))
	}
	changes, err := s3api.FindChanges(ctx, d.client.S3, bucket, prefix, since, limit)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Cannot list the bucket's versions",
			errorDetail(d.client, err, fmt.Sprintf("Listing changes needs s3:ListBucketVersions on bucket %q.", bucket)))
		return
	}
	m.setChanges(changes)
	m.ID = types.StringValue(bucket + "/" + prefix + "@" + m.Since.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// setChanges records a changes report in the model.
func (m *mediaChangesModel) setChanges(c *recovery.Changes) {
	m.KeyCount = types.Int64Value(int64(c.Keys))
	m.DeletedCount = types.Int64Value(int64(c.DeletedCount))
	m.OverwrittenCount = types.Int64Value(int64(c.OverwrittenCount))
	m.CreatedCount = types.Int64Value(int64(c.CreatedCount))
	m.Truncated = types.BoolValue(c.Truncated())
	m.Deleted = []deletedModel{}
	for _, d := range c.Deleted.Items() {
		m.Deleted = append(m.Deleted, deletedModel{
			Key:                   types.StringValue(d.Key),
			VersionID:             types.StringValue(d.Version.VersionID),
			LastModified:          versionTimeValue(d.Version.LastModified),
			Size:                  types.Int64Value(d.Version.Size),
			DeletedAt:             versionTimeValue(d.Marker.LastModified),
			DeleteMarkerVersionID: types.StringValue(d.Marker.VersionID),
			ExistedAtSince:        types.BoolValue(d.ExistedAtSince),
		})
	}
	m.Overwritten = []overwrittenModel{}
	for _, o := range c.Overwritten.Items() {
		m.Overwritten = append(m.Overwritten, overwrittenModel{
			Key:                 types.StringValue(o.Key),
			VersionID:           types.StringValue(o.AtSince.VersionID),
			LastModified:        versionTimeValue(o.AtSince.LastModified),
			Size:                types.Int64Value(o.AtSince.Size),
			CurrentVersionID:    types.StringValue(o.Current.VersionID),
			CurrentLastModified: versionTimeValue(o.Current.LastModified),
			CurrentSize:         types.Int64Value(o.Current.Size),
		})
	}
}

// versionTimeValue renders a version's time as RFC 3339 in UTC, the form as_of accepts.
func versionTimeValue(t time.Time) types.String {
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
