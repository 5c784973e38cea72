package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// maxPrefixLength is S3's limit on a key, and so on a useful prefix.
const maxPrefixLength = 1024

// mediaRestoreSchema is the resource's schema, version 0. A change to it after a release bumps Version and
// adds a state upgrader that reads the state this function describes.
func mediaRestoreSchema() schema.Schema {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	computedCount := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
	}
	s := schema.Schema{
		MarkdownDescription: "Point-in-time restore of a versioned bucket: puts every object under `prefix` that was " +
			"deleted or overwritten after `as_of` back as it was at `as_of`.\n\n" +
			"`terraform plan` lists the bucket's versions and shows what the apply would restore (`pending_count`, " +
			"`pending_keys`), so the plan is the dry run. `terraform apply` restores it once and records that in the " +
			"state; a later plan with the same arguments shows no change. Changing any argument plans a new restore. " +
			"No object version is ever permanently deleted, and destroying the resource only removes the record " +
			"from the state: it changes nothing in S3.\n\n" +
			"With `source_bucket`, the past comes from another bucket that kept it, typically the replica written by " +
			"the pair's `media_replication`: for a media bucket whose versions were permanently deleted, or that was " +
			"deleted and created again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<bucket>/<prefix>@<as_of>`, followed by ` from <source_bucket>` when that is set.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The versioned bucket to restore in, typically a pair's `media_bucket`. Its " +
					"versioning must be `Enabled`.",
				Validators:    []validator.String{bucketNameValidator{}},
				PlanModifiers: replace,
			},
			"prefix": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(""),
				MarkdownDescription: "Only keys starting with this are restored, for example `uploads/invoices/`, or " +
					"one file's full key. Defaults to `\"\"`, the whole bucket.",
				Validators:    []validator.String{stringvalidator.LengthAtMost(maxPrefixLength)},
				PlanModifiers: replace,
			},
			"as_of": schema.StringAttribute{
				CustomType: rfc3339Type{},
				Required:   true,
				MarkdownDescription: "The moment to go back to, as an RFC 3339 time such as `2026-11-28T09:30:00Z` or " +
					"`2026-11-28T10:30:00+01:00`; it must be in the past. S3 records changes to the whole second and a " +
					"change stamped at `as_of` counts as before it, so choose a time at least a second before the first " +
					"unwanted change.",
				PlanModifiers: replace,
			},
			"method": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(recovery.Methods[0]),
				MarkdownDescription: "How deleted objects come back: " + choiceList(recovery.Methods) + ". `copy` (the " +
					"default) copies the version current at `as_of` on top as a new current version: the delete marker " +
					"or unwanted version stays in the history below it, and it works on buckets with MFA Delete. " +
					"`remove_delete_markers` removes the delete markers laid after `as_of` when they are the only " +
					"change to a key, so no copy is made; that permanently deletes the markers (never object data), which " +
					"needs `s3:DeleteObjectVersion`: the plan refuses it on a bucket with MFA Delete, and on a bucket " +
					"whose guard policy (`guard_exempt_principals`) does not exempt the principal running Terraform. " +
					"Overwritten objects are always restored by copy. `batch_operations` hands the copies to an S3 Batch " +
					"Operations job that runs inside S3 (see `batch_operations`), for restores too large for one apply: " +
					"the apply only lists the bucket, writes the manifest and creates the job, and later refreshes track it.",
				Validators:    []validator.String{stringvalidator.OneOf(recovery.Methods...)},
				PlanModifiers: replace,
			},
			"delete_created_after": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Also hide objects that did not exist at `as_of` (created, or re-created, after it), " +
					"so the prefix looks exactly as it did then: each gets a delete marker and stays in the history as a " +
					"noncurrent version. Defaults to `false`: such objects are left alone and only counted in " +
					"`created_after_count`.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"source_bucket": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Restore from this bucket's history instead of `bucket`'s own: typically the replica of the " +
					"pair's `media_replication`, for when the media bucket has lost history (versions permanently deleted, or " +
					"the bucket deleted and created again). What each key held at `as_of` is read from `source_bucket`, what it " +
					"holds now from `bucket`, and every key that differs is copied from `source_bucket` into `bucket`, as a new " +
					"current version; `source_bucket` is only read. Keys the replica did not have at `as_of` count as created " +
					"after it (objects older than the replication itself among them: S3 replicates only what is written once " +
					"replication is set up), so think twice before `delete_created_after`. Only `method = \"copy\"`. The " +
					"provider's credentials must be able to read it: `s3:GetBucketVersioning` and `s3:ListBucketVersions` on " +
					"the bucket, `s3:GetObjectVersion` and `s3:GetObjectVersionTagging` on its objects (in the replica's bucket " +
					"policy, when another account owns it). Versions in `GLACIER` or `DEEP_ARCHIVE` (a replica's " +
					"`storage_class`) must be restored from the archive first. Changing it plans a new restore.",
				Validators:    []validator.String{bucketNameValidator{}},
				PlanModifiers: replace,
			},
			"source_bucket_owner": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Account that owns `source_bucket`, 12 digits, when that is not the provider's own (a " +
					"replica in another account, `media_replication.destination_account_id`). Every request about a bucket " +
					"names its expected owner, so S3 refuses to serve a bucket of the same name that someone else owns; " +
					"unset, that is the provider's account. Changing it plans a new restore.",
				Validators:    []validator.String{accountIDValidator},
				PlanModifiers: replace,
			},
			"plan_timestamp": schema.StringAttribute{
				CustomType: rfc3339Type{},
				Optional:   true,
				WriteOnly:  true,
				MarkdownDescription: "Set it to `plantimestamp()`. The plan then counts the changes made up to that " +
					"moment only, so files deleted or overwritten between `terraform plan` and `terraform apply` (on a " +
					"live site) cannot make Terraform stop the apply with *Provider produced inconsistent final plan*. " +
					"The apply still restores everything that differs from `as_of` when it runs, and warns when that " +
					"is more than the plan showed. An RFC 3339 time, not before `as_of`. Write-only (Terraform 1.11 and " +
					"later): never stored, so a new timestamp in every plan changes nothing.",
			},
			"deleted_count": computedCount("Objects that existed at `as_of` and are deleted now (their current version " +
				"is a delete marker). Known at plan time."),
			"overwritten_count": computedCount("Objects that existed at `as_of` and hold other content now. Known at plan time."),
			"pending_count": computedCount("Objects the apply changes: the deleted and overwritten ones (and, with " +
				"`delete_created_after`, those created after `as_of`), less any S3 cannot copy: versions over 5 GiB, and " +
				"archived versions (`GLACIER`, `DEEP_ARCHIVE`) not restored from the archive (see the plan's warnings). " +
				"Known at plan time."),
			"pending_keys": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: fmt.Sprintf("The first %d keys (in key order) the apply changes; `pending_count` "+
					"has the full number. Known at plan time.", maxPendingKeys),
			},
			"created_after_count": computedCount("Objects under the prefix that did not exist at `as_of` and exist now, " +
				"as found by the apply. Left alone unless `delete_created_after` is set."),
			"restored_count": computedCount("Objects the apply put back (or hid, with `delete_created_after`); with " +
				"`batch_operations`, the versions the job has copied back, as of the last refresh."),
			"batch_operations": batchOperationsAttribute(),
		},
	}
	for name, a := range batchComputedAttributes() {
		s.Attributes[name] = a
	}
	return s
}
