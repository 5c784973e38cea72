package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// mediaChangesModel is the data source's Terraform data.
type mediaChangesModel struct {
	ID               types.String       `tfsdk:"id"`
	Bucket           types.String       `tfsdk:"bucket"`
	Prefix           types.String       `tfsdk:"prefix"`
	Since            rfc3339Value       `tfsdk:"since"`
	MaxKeys          types.Int64        `tfsdk:"max_keys"`
	KeyCount         types.Int64        `tfsdk:"key_count"`
	DeletedCount     types.Int64        `tfsdk:"deleted_count"`
	OverwrittenCount types.Int64        `tfsdk:"overwritten_count"`
	CreatedCount     types.Int64        `tfsdk:"created_count"`
	Truncated        types.Bool         `tfsdk:"truncated"`
	Deleted          []deletedModel     `tfsdk:"deleted"`
	Overwritten      []overwrittenModel `tfsdk:"overwritten"`
}

// deletedModel is one entry of deleted.
type deletedModel struct {
	Key                   types.String `tfsdk:"key"`
	VersionID             types.String `tfsdk:"version_id"`
	LastModified          types.String `tfsdk:"last_modified"`
	Size                  types.Int64  `tfsdk:"size"`
	DeletedAt             types.String `tfsdk:"deleted_at"`
	DeleteMarkerVersionID types.String `tfsdk:"delete_marker_version_id"`
	ExistedAtSince        types.Bool   `tfsdk:"existed_at_since"`
	StorageClass          types.String `tfsdk:"storage_class"`
}

// overwrittenModel is one entry of overwritten.
type overwrittenModel struct {
	Key                 types.String `tfsdk:"key"`
	VersionID           types.String `tfsdk:"version_id"`
	LastModified        types.String `tfsdk:"last_modified"`
	Size                types.Int64  `tfsdk:"size"`
	CurrentVersionID    types.String `tfsdk:"current_version_id"`
	CurrentLastModified types.String `tfsdk:"current_last_modified"`
	CurrentSize         types.Int64  `tfsdk:"current_size"`
	StorageClass        types.String `tfsdk:"storage_class"`
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
			StorageClass:          types.StringValue(d.Version.StorageClass),
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
			StorageClass:        types.StringValue(o.AtSince.StorageClass),
		})
	}
}

// versionTimeValue renders a version's time as RFC 3339 in UTC, the form as_of accepts.
func versionTimeValue(t time.Time) types.String {
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
