package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Bounds of max_keys: the default keeps a plan readable; the maximum keeps the state small.
const (
	defaultChangesMaxKeys = 100
	maxChangesMaxKeys     = 1000
)

// storageClassDescription describes the storage_class of a listed version.
const storageClassDescription = "The storage class of `version_id`, as S3 lists it, such as `STANDARD`. A version in " +
	"`GLACIER` or `DEEP_ARCHIVE` (or in an archive tier of `INTELLIGENT_TIERING`, which the listing does not show) " +
	"must be restored from the archive before a restore can copy it."

// retainUntilDescription describes the retain_until of a listed version.
const retainUntilDescription = "When the S3 Object Lock retention of `version_id` ends (RFC 3339): until then S3 refuses to " +
	"delete it. Null when it has no retention, or the bucket has no Object Lock. A legal hold, which has no date, is not shown."

// mediaChangesSchema is the data source's schema. A data source is read afresh on every run and keeps no
// state to upgrade, so it has no version.
func mediaChangesSchema() schema.Schema {
	str := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	num := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
	}
	return schema.Schema{
		MarkdownDescription: "What was deleted and overwritten in a versioned bucket since a point in time: the " +
			"finding step of a recovery. It lists the bucket's versions under `prefix` (one ListObjectVersions " +
			"request per 1,000 versions) and changes nothing. Feed what it finds to `protectedmedia_media_restore`. " +
			"It also asks whether the bucket has S3 Object Lock (one GetObjectLockConfiguration request); when it has, " +
			"each listed version's `retain_until` is read with a HeadObject request, so at most 2 × `max_keys` more " +
			"requests, up to 32 at once.",
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
				CustomType: rfc3339Type{},
				Required:   true,
				MarkdownDescription: "RFC 3339 time, such as `2026-11-28T09:30:00Z`: changes stamped after it are reported. " +
					"S3 records changes to the whole second.",
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
					"storage_class":            str(storageClassDescription),
					"retain_until":             str(retainUntilDescription),
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
					"storage_class":         str(storageClassDescription),
					"retain_until":          str(retainUntilDescription),
				}},
			},
		},
	}
}
