package provider

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var (
	_ datasource.DataSource              = (*mediaChangesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*mediaChangesDataSource)(nil)
)

// NewMediaChangesDataSource is the factory the provider registers.
func NewMediaChangesDataSource() datasource.DataSource { return &mediaChangesDataSource{} }

// mediaChangesDataSource reports what changed in a bucket since a time, through s3api.FindChanges. The schema
// is in media_changes_schema.go, the model and its conversion in media_changes_model.go.
type mediaChangesDataSource struct {
	client *s3api.Client
}

func (d *mediaChangesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_media_changes"
}

func (d *mediaChangesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = mediaChangesSchema()
}

func (d *mediaChangesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		d.client = data.client
	}
}

// listedVersionLocks reads the lock of every version the report lists, by version ID: one request to learn
// whether the bucket has Object Lock, and only then one HeadObject per listed version.
func listedVersionLocks(ctx context.Context, c *s3.Client, bucket string, changes *recovery.Changes) (map[string]bucketstate.VersionLock, error) {
	lock, err := s3api.FindObjectLock(ctx, c, bucket)
	if err != nil || !lock.Enabled {
		return nil, err
	}
	return s3api.FindVersionLocks(ctx, c, bucket, listedVersions(changes), 0)
}

func (d *mediaChangesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m mediaChangesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	since, diags := m.Since.ValueRFC3339Time()
	if diags.HasError() {
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
	locks, err := listedVersionLocks(ctx, d.client.S3, bucket, changes)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Cannot read the listed versions' Object Lock",
			errorDetail(d.client, err, fmt.Sprintf("Reading it needs s3:GetBucketObjectLockConfiguration on bucket %q and, when the "+
				"bucket has Object Lock, s3:GetObjectVersion, s3:GetObjectRetention and s3:GetObjectLegalHold on its objects.", bucket)))
		return
	}
	m.setChanges(changes, locks)
	m.ID = types.StringValue(bucket + "/" + prefix + "@" + m.Since.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
