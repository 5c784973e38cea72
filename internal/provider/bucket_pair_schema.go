package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/djangoconfig"
)

// defaultAbortIncompleteDays cleans up abandoned multipart uploads, which S3 bills for but nobody sees.
const defaultAbortIncompleteDays = 7

// bucketPairSchema is the resource's schema, version 0. A change to it after a release bumps Version and adds
// a state upgrader that reads the state this function describes.
func bucketPairSchema(ctx context.Context) schema.Schema {
	computedString := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	return schema.Schema{
		MarkdownDescription: "A media bucket and a static bucket for a Django site.\n\n" +
			"The **media** bucket (user uploads) is versioned, so a DELETE only lays a delete marker and old " +
			"versions stay restorable; all four public access block settings are on, ACLs are disabled " +
			"(`BucketOwnerEnforced`), objects are encrypted with SSE-S3 (or SSE-KMS under `media_kms_key_arn`), and a bucket policy denies any request " +
			"not made over TLS. The **static** bucket (`collectstatic` output) is never versioned — its content " +
			"is rebuilt from version control — and carries the same TLS-only policy.\n\n" +
			"Every refresh reads these settings back; anything changed outside Terraform shows in `terraform plan` " +
			"(in `media_versioning`, `static_versioning`, `static_public_read`, `tags`, `tags_all` or `drift`) and " +
			"`terraform apply` " +
			"puts it back.",
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.BlockAll(ctx),
		},
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<media_bucket>,<static_bucket>`; also the import ID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"media_bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the versioned bucket for user uploads. Must follow the S3 bucket naming " +
					"rules, and those of `bucket_namespace`. Changing it replaces the pair.",
				Validators:    []validator.String{bucketNameValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"static_bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the unversioned bucket for `collectstatic` output. Must follow the S3 " +
					"bucket naming rules, and those of `bucket_namespace`, and differ from `media_bucket`. Changing it " +
					"replaces the pair.",
				Validators:    []validator.String{bucketNameValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"bucket_namespace": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(bucketname.NamespaceGlobal),
				MarkdownDescription: "Namespace both buckets are created in: " + choiceList(bucketname.Namespaces) + ". In `" +
					bucketname.NamespaceAccountRegional + "`, the account's own regional namespace, no other account can ever " +
					"create a bucket of those names, before the pair or after it is destroyed, so nobody can squat them or " +
					"receive requests meant for them. Both names must then be `<prefix>-<12-digit account ID>-<region>-an`, " +
					"with the account the provider's credentials belong to and the pair's region (the suffix counts towards " +
					"the 63 characters; S3 offers no such namespace in " + choiceList(bucketname.NamespaceUnavailableRegions) +
					"). In `" + bucketname.NamespaceGlobal + "`, no name may end in `-an`. Both buckets share the " +
					"namespace: they belong to one site, and one argument keeps them from ending up split. Changing it " +
					"replaces the pair. An imported pair reads it from its names. Defaults to `" + bucketname.NamespaceGlobal + "`.",
				Validators:    []validator.String{stringvalidator.OneOf(bucketname.Namespaces...)},
				PlanModifiers: []planmodifier.String{replaceUnlessUnset()},
			},
			"static_public_read": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Allow anonymous `s3:GetObject` on the static bucket's objects, relaxing its public " +
					"access block exactly as far as that needs (`BlockPublicPolicy` and `RestrictPublicBuckets` off), so Django " +
					"serves static files on plain, stable URLs. Unset, a new pair's static bucket is public-read unless " +
					"`static_cdn` is set (then CloudFront serves it and the bucket stays private), and an existing pair keeps " +
					"what it has. `false` without `static_cdn` makes every static URL a signed one: Django's admin then " +
					"renders without its styles, because the URLs its stylesheets reference (`@import`, `url(...)`) carry no " +
					"signature, and the plan warns about it. Read back from the bucket policy.",
			},
			"static_cdn":        staticCDNAttribute(),
			"media_cdn":         mediaCDNAttribute(),
			"static_cors_rules": corsRulesAttribute(bucketstate.Static),
			"media_cors_rules":  corsRulesAttribute(bucketstate.Media),

			"media_replication":                   mediaReplicationAttribute(),
			"replication_role_policy_json":        replicationRolePolicyAttribute(),
			"replication_trust_policy_json":       replicationTrustPolicyAttribute(),
			"replication_destination_policy_json": replicationDestinationPolicyAttribute(),

			"media_extra_policy_json": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "More statements for the media bucket's policy, as a policy document in JSON " +
					"(`data.aws_iam_policy_document.<name>.json` or `jsonencode({...})`). They are merged into the policy the " +
					"pair owns and repaired with it: a statement removed or changed outside Terraform shows in `drift`. A `Sid` " +
					"that is one of the pair's own (" + choiceList(bucketpolicy.ReservedSids()) + ") is refused, and so is any " +
					"statement that would allow anyone (`\"*\"` as principal, or `NotPrincipal`) to delete object versions or " +
					"change a setting that protects the bucket.",
				Validators: []validator.String{extraPolicyValidator{role: bucketstate.Media}},
			},
			"static_extra_policy_json": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "More statements for the static bucket's policy, as for `media_extra_policy_json`: " +
					"merged into the owned policy and repaired with it, the pair's own `Sid`s refused.",
				Validators: []validator.String{extraPolicyValidator{role: bucketstate.Static}},
			},
			"media_kms_key_arn":              kmsKeyAttribute(bucketstate.Media),
			"static_kms_key_arn":             kmsKeyAttribute(bucketstate.Static),
			"noncurrent_version_transitions": transitionsAttribute(),
			"media_object_lock":              objectLockAttribute(),
			"media_object_lock_enabled":      objectLockEnabledAttribute(),
			"django_storages_backend": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(djangoconfig.BackendS3Boto3),
				MarkdownDescription: "Module of the django-storages backend that `django_storages` names: `" +
					djangoconfig.BackendS3 + "` (`storages.backends.s3`, django-storages 1.14 and later) or `" +
					djangoconfig.BackendS3Boto3 + "` (`storages.backends.s3boto3`, every release, kept as an alias from 1.14 " +
					"on). Defaults to `" + djangoconfig.BackendS3Boto3 + "`, which works with whichever django-storages the app has.",
				Validators: []validator.String{stringvalidator.OneOf(djangoconfig.Backends()...)},
			},
			"static_manifest": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Use django-storages' manifest storage for static files: `collectstatic` writes each file " +
					"under a name with its content's hash, so browsers and CDNs may keep it for a year (`Cache-Control: " +
					djangoconfig.StaticCacheControl(true) + "`). Without it names never change, so static files carry `Cache-Control: " +
					djangoconfig.StaticCacheControl(false) + "`. Defaults to `false`.",
			},
			"media_force_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Let `terraform destroy` permanently delete **every object version** in the media " +
					"bucket. Defaults to `false`: a media bucket that holds anything refuses to be destroyed and says " +
					"what it holds. The static bucket is always emptied on destroy.",
			},
			"tags": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "This pair's own tags, for both buckets. They are merged with the provider's " +
					"`default_tags` (a key in both takes the value set here) into `tags_all`, which is what the buckets carry. " +
					"Read back from the media bucket as its tags without the provider's default tags (unless set here as well) " +
					"and without AWS's system tags (`aws:` keys, which CloudFormation and other AWS services put on buckets they " +
					"create, and which the provider never changes or removes): so after an apply `tags` is exactly what is " +
					"configured, and a tag added outside Terraform shows as a planned change here. " + tagRulesMarkdown() +
					" Updated in place.",
				Validators: []validator.Map{tagsValidator{}},
			},
			"tags_all": schema.MapAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "Every tag the provider puts on both buckets: the provider's `default_tags` merged with " +
					"`tags`, the pair's value winning on a key both have. Known at plan time when both are. Read back from the " +
					"media bucket without AWS's system tags, so a tag changed or removed outside Terraform, default or not, " +
					"shows here as a planned change (and in `drift`); a change to the provider's `default_tags` plans an " +
					"update of every pair.",
			},
			"media_versioning": computedString("Versioning status of the media bucket as last read from S3: `Enabled`, " +
				"`Suspended` or `Disabled`. Anything but `Enabled` plans an update that enables it again."),
			"static_versioning": computedString("Versioning status of the static bucket as last read from S3. A bucket " +
				"that was never versioned reads `Disabled`; if versioning gets enabled outside Terraform, the plan " +
				"suspends it (`Suspended` is as close to unversioned as S3 allows once versioning was on)."),
			"drift": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "Differences between the settings this resource owns (versioning, MFA Delete, " +
					"public access block, object ownership, default encryption, bucket policy (guard, CDN and extra statements " +
					"included), CORS, tags (AWS's " +
					"`aws:` system tags aside), " +
					"lifecycle, the media bucket's replication, bucket existence) " +
					"and what S3 reported at the last refresh, one line each, compared with what Terraform last applied. Empty when everything matches; " +
					"a non-empty list plans an in-place update that repairs it. Bucket policies are compared by meaning, " +
					"not byte for byte.",
			},
			"region":                    computedString("Region of the buckets: the provider's region when the pair was created, or the media bucket's location as S3 reports it when imported."),
			"media_bucket_arn":          computedString("ARN of the media bucket."),
			"static_bucket_arn":         computedString("ARN of the static bucket."),
			"media_bucket_domain_name":  computedString("Host name of the media bucket (`<bucket>.s3.<region>.<DNS suffix>` on AWS, the suffix being the partition's: `amazonaws.com`, `amazonaws.com.cn`, ...; with a path-style custom endpoint, the endpoint's host)."),
			"static_bucket_domain_name": computedString("Host name of the static bucket, as for `media_bucket_domain_name`."),
			"mfa_delete": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Turn on S3 MFA Delete for the media bucket: permanently deleting an object version, " +
					"and changing the bucket's versioning, then need a one-time code from the bucket owner's MFA device. " +
					"Read back on every refresh, so MFA Delete switched off (or on) outside Terraform shows in the plan. " +
					"Changing it, and repairing versioning while it is on, needs `mfa_code` and `mfa_serial`. S3 refuses " +
					"MFA Delete on a bucket with a lifecycle configuration, and only the bucket owner's root user may change it. " +
					"Defaults to `false`.",
			},
			"mfa_serial": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Serial number (ARN) of the bucket owner's MFA device, for example " +
					"`arn:aws:iam::123456789012:mfa/root-account-mfa-device`. Defaults to the provider's `mfa_serial`.",
				Validators: []validator.String{mfaSerialValidator{}},
			},
			"mfa_code": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				MarkdownDescription: "**Write-only** (Terraform 1.11 or later): a current one-time code from the MFA device, " +
					"used by an apply that changes `mfa_delete` or repairs versioning on a bucket with MFA Delete. It is " +
					"never stored in state or in a plan file; pass it from an ephemeral variable, for example " +
					"`terraform apply -var mfa_code=123456`. Destroy cannot see it: use the provider's `mfa_code` there.",
				Validators: []validator.String{mfaCodeValidator{}},
			},
			"guard_exempt_principals": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Turn on the guard policy: the media bucket's policy then explicitly denies " +
					"`" + strings.Join(bucketpolicy.GuardedActions(), "`, `") + "` to every principal except these IAM " +
					"role, user or root ARNs (wildcards allowed, as in `aws:PrincipalArn`). It protects the versions without " +
					"root credentials or MFA: even a leaked admin key cannot erase history. The principal running Terraform " +
					"must be in the list, or the plan fails rather than lock the provider out; keep a break-glass role in it.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(principalARNValidator)},
			},
			"app_policy_json": computedString("IAM policy (JSON) for the Django app's runtime role or user: read, write, " +
				"delete (which only lays delete markers) and list on the media bucket, read and list on the static bucket, " +
				"and an explicit deny of everything that would destroy history or loosen the media bucket: deleting object " +
				"versions, changing versioning, lifecycle, the bucket policy, the public access block, ownership, " +
				"encryption or Object Lock (`s3:PutBucketObjectLockConfiguration`), bypassing a version's `GOVERNANCE` " +
				"retention (`s3:BypassGovernanceRetention`, so `media_object_lock` holds against the app's keys), and deleting " +
				"the bucket. It grants no Object Lock action. With `media_kms_key_arn` or `static_kms_key_arn` it also grants what those keys' " +
				"use needs (`kms:Decrypt` and `kms:GenerateDataKey` on the media key, `kms:Decrypt` on the static key) and denies disabling " +
				"or deleting the media key; unknown at plan time while a key is. Attach it with `aws_iam_role_policy` or similar."),
			"deploy_policy_json": computedString("IAM policy (JSON) for the deploy job that runs `collectstatic`: write, delete " +
				"and list on the static bucket only; nothing on media, and no Object Lock action (`s3:BypassGovernanceRetention` " +
				"included). With `static_kms_key_arn`, also `kms:GenerateDataKey` and " +
				"`kms:Decrypt` on that key."),
			"noncurrent_version_retention_days": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Permanently delete media versions this many days after they stopped being current " +
					"(overwritten or deleted), and then the delete markers left hiding nothing. Unset (the default), old " +
					"versions are kept forever. Deleted and overwritten files stay recoverable only within this window. " +
					"S3 refuses lifecycle rules on a bucket with MFA Delete, so this cannot be combined with `mfa_delete`.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"noncurrent_versions_to_keep": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "With `noncurrent_version_retention_days`: keep this many newest noncurrent versions of " +
					"each file however old they are (1 to 100).",
				Validators: []validator.Int64{
					int64validator.Between(1, 100),
					int64validator.AlsoRequires(path.MatchRoot("noncurrent_version_retention_days")),
				},
			},
			"abort_incomplete_uploads_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(defaultAbortIncompleteDays),
				MarkdownDescription: "Abort multipart uploads left unfinished this many days, on both buckets (S3 bills for " +
					"their parts though no object shows them). On a media bucket with MFA Delete S3 allows no lifecycle " +
					"rule at all, so there it applies to the static bucket only. Defaults to `7`.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"django_storages": computedString("Django `STORAGES` setting as a JSON string: `default` for media (private, " +
				"signed URLs, no ACLs; CloudFront-signed on `media_cdn`'s domain) and `staticfiles` for static (unsigned " +
				"URLs with long-lived caching when the bucket is public-read or behind `static_cdn`), with the backend of " +
				"`django_storages_backend`, bucket names, region and, for a custom endpoint, its URL and addressing style. " +
				"Load it with `json.loads` in `settings.py`; see the Django guide."),
		},
	}
}

// replaceUnlessUnset replaces the pair when the argument changes, but not when the state has no value for it
// yet: a pair from before the argument existed (refreshed with -refresh=false) must not be replaced for it.
func replaceUnlessUnset() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = !req.StateValue.IsNull()
	}, "Changing it replaces the pair.", "Changing it replaces the pair.")
}
