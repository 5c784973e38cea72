package provider

// A restore from another bucket's history (source_bucket, typically the replica of media_replication): the
// arguments' rules, and what a restore needs of the source bucket.

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var pathSourceBucket = path.Root("source_bucket")

// sourceProblems checks source_bucket against the other arguments, all known: it is another bucket than
// bucket, restored into by copy, and source_bucket_owner needs it.
func sourceProblems(m mediaRestoreModel, method recovery.Method) diag.Diagnostics {
	var diags diag.Diagnostics
	source := m.SourceBucket.ValueString()
	switch {
	case source == "" && m.SourceBucketOwner.ValueString() != "":
		diags.AddAttributeError(path.Root("source_bucket_owner"), "source_bucket_owner without source_bucket",
			"source_bucket_owner names the account of the bucket to restore from, and no source_bucket is set. Set "+
				"source_bucket to the replica, or remove source_bucket_owner.")
	case source == "":
	case source == m.Bucket.ValueString():
		diags.AddAttributeError(pathSourceBucket, "source_bucket is the bucket restored into",
			fmt.Sprintf("source_bucket = %q is bucket itself. It names another bucket that kept the history, such as the "+
				"replica of the pair's media_replication; to restore from the bucket's own history, remove source_bucket.", source))
	case method == recovery.MethodRemoveDeleteMarkers:
		diags.AddAttributeError(path.Root("method"), "A restore from source_bucket copies",
			fmt.Sprintf("method = %q removes the delete markers of bucket's own history, which source_bucket's versions "+
				"have nothing to do with: a restore from source_bucket copies each version from it. Remove method, or set "+
				"method = \"copy\".", method))
	}
	return diags
}

// checkSource checks what a restore needs of its source bucket, when it has one: it exists and the
// provider's credentials may read it (its versioning, as the owner named). At plan time (planning) a source
// that does not exist yet is only a warning, as for bucket. An unversioned source only warns: it has one
// version of each key, and a restore takes what it has. It reports whether the restore can go on.
func (r *mediaRestoreResource) checkSource(ctx context.Context, spec restoreSpec, planning bool, diags *diag.Diagnostics) bool {
	if spec.Source == "" {
		return true
	}
	v, err := s3api.FindVersioningOf(ctx, r.client.S3, spec.Source, spec.SourceOwner)
	switch {
	case s3api.IsNotFound(err) && planning:
		diags.AddAttributeWarning(pathSourceBucket, "Source bucket does not exist yet",
			fmt.Sprintf("Bucket %q does not exist, so there is nothing to list. If this apply creates it, there is nothing "+
				"to restore from either; otherwise the apply fails. The counts are known after apply.", spec.Source))
		return false
	case s3api.IsNotFound(err):
		diags.AddAttributeError(pathSourceBucket, "Source bucket does not exist",
			fmt.Sprintf("Bucket %q does not exist, so nothing can be restored from it. Check the name.", spec.Source))
		return false
	case err != nil:
		owner := "the provider's own account"
		if spec.SourceOwner != "" {
			owner = "account " + spec.SourceOwner
		}
		diags.AddAttributeError(pathSourceBucket, "Cannot read the source bucket",
			errorDetail(r.client, err, fmt.Sprintf("A restore from bucket %q needs s3:GetBucketVersioning and "+
				"s3:ListBucketVersions on it, and s3:GetObjectVersion and s3:GetObjectVersionTagging on its objects (granted "+
				"by its bucket policy when another account owns it), and the bucket must belong to %s: set "+
				"source_bucket_owner to the account that owns it.", spec.Source, owner)))
		return false
	case v.Status != bucketstate.VersioningEnabled:
		diags.AddAttributeWarning(pathSourceBucket, "Source bucket versioning is not enabled",
			fmt.Sprintf("Bucket %q has versioning %s, so it keeps no history: what it holds now is taken as what it "+
				"held at as_of, as far as each object's time allows. A replica written by S3 Replication is always "+
				"versioned.", spec.Source, v.Status))
	}
	return true
}

// restoreOptions are s3api.Restore's options for spec: the restore's source, if any, beside the given ones.
func restoreOptions(spec restoreSpec, o s3api.RestoreOptions) s3api.RestoreOptions {
	o.AsOf, o.Recovery, o.Source, o.SourceOwner = spec.AsOf, spec.Options, spec.Source, spec.SourceOwner
	return o
}
