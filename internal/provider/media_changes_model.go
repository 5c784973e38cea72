package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
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
	RetainUntil           types.String `tfsdk:"retain_until"`
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
	RetainUntil         types.String `tfsdk:"retain_until"`
}

// setChanges records a changes report in the model, with the Object Lock of the listed versions by version ID
// (none for a bucket without Object Lock).
func (m *mediaChangesModel) setChanges(c *recovery.Changes, locks map[string]bucketstate.VersionLock) {
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
			RetainUntil:           retainUntilValue(locks[d.Version.VersionID]),
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
			RetainUntil:         retainUntilValue(locks[o.AtSince.VersionID]),
		})
	}
}

// listedVersions are the versions setChanges lists, whose lock the data source reads.
func listedVersions(c *recovery.Changes) []s3api.VersionRef {
	var refs []s3api.VersionRef
	for _, d := range c.Deleted.Items() {
		refs = append(refs, s3api.VersionRef{Key: d.Key, VersionID: d.Version.VersionID})
	}
	for _, o := range c.Overwritten.Items() {
		refs = append(refs, s3api.VersionRef{Key: o.Key, VersionID: o.AtSince.VersionID})
	}
	return refs
}

// retainUntilValue is a version's retain-until date, null when it has no retention.
func retainUntilValue(l bucketstate.VersionLock) types.String {
	if l.Mode == "" || l.RetainUntil.IsZero() {
		return types.StringNull()
	}
	return versionTimeValue(l.RetainUntil)
}

// versionTimeValue renders a version's time as RFC 3339 in UTC, the form as_of accepts.
func versionTimeValue(t time.Time) types.String {
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
