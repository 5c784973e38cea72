package provider

// A replica of the media bucket (media_replication): its schema, its model and conversions, the policy
// documents the role and the replica bucket need (the replication_*_json outputs), and its plan-time checks.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var pathReplication = path.Root("media_replication")

var replicationAttrTypes = map[string]attr.Type{
	"destination_bucket_arn": types.StringType,
	"role_arn":               types.StringType,
	"destination_account_id": types.StringType,
	"storage_class":          types.StringType,
	"replica_kms_key_arn":    types.StringType,
}

func mediaReplicationAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Replicate the media bucket into a bucket you own, in another region or another account, with S3 " +
			"Replication: a copy that survives the loss of the media bucket, its history, or the account's credentials. " +
			"The pair writes one rule over the whole bucket, enabled, that replicates every new object version and **never " +
			"a delete**: delete markers are not replicated (`DeleteMarkerReplication` `Disabled`) and S3 never replicates " +
			"the permanent deletion of a version, so whatever is deleted on the media bucket stays on the replica. Objects " +
			"that exist before replication is set up are not copied (S3 Batch Replication does that). The configuration is " +
			"read back on every refresh: changed or removed outside Terraform, it shows in `drift` and is put back; removing " +
			"the argument removes it from the bucket. S3 needs versioning on both buckets: the media bucket always has it, " +
			"the replica bucket is yours to version (`aws_s3_bucket_versioning`, before the pair: `depends_on`), or S3 " +
			"refuses the configuration. The role and the replica's bucket policy are yours too: see " +
			"`replication_role_policy_json`, `replication_trust_policy_json` and `replication_destination_policy_json`. " +
			"Restore from the replica with `protectedmedia_media_restore`'s `source_bucket`.",
		Attributes: map[string]schema.Attribute{
			"destination_bucket_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the replica bucket (`aws_s3_bucket.<name>.arn`), `arn:aws:s3:::<name>`. It must " +
					"have versioning enabled, and be neither of the pair's buckets.",
				Validators: []validator.String{replicaBucketARNValidator{}},
			},
			"role_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the IAM role S3 assumes to replicate, in the media bucket's account. Give it " +
					"`replication_trust_policy_json` as its trust policy and `replication_role_policy_json` as its permissions; " +
					"Terraform's principal needs `iam:PassRole` on it.",
				Validators: []validator.String{replicationRoleValidator},
			},
			"destination_account_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Account that owns the replica bucket, 12 digits. When it is another account than the " +
					"media bucket's (the role's), the replicas are handed to it (the owner override: `AccessControlTranslation` " +
					"`Owner` `Destination`), so the media bucket's account, and credentials leaked from it, cannot read or change " +
					"them. Unset, or the media bucket's own account, the replicas keep the media bucket's owner.",
				Validators: []validator.String{accountIDValidator},
			},
			"storage_class": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Storage class of the replicas: " + choiceList(bucketstate.ReplicaStorageClasses()) +
					". Unset, each replica keeps its object's class. A restore from replicas in `GLACIER` or `DEEP_ARCHIVE` " +
					"needs them restored from the archive first.",
				Validators: []validator.String{stringvalidator.OneOf(bucketstate.ReplicaStorageClasses()...)},
			},
			"replica_kms_key_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ARN of the symmetric KMS key (`aws_kms_key.<name>.arn`) S3 encrypts the replicas of SSE-KMS " +
					"objects with, such as `" + bucketstate.ExampleKMSKeyARN + "`. **Required with `media_kms_key_arn`**: S3 " +
					"replicates an object encrypted with a KMS key only when the rule opts in to such objects and names a key for " +
					"their replicas, and otherwise skips it without an error, so every object written under the media key would " +
					"be missing from the replica. Set, the rule opts in (`SourceSelectionCriteria` `SseKmsEncryptedObjects` " +
					"`Enabled`) and names the key (`EncryptionConfiguration` `ReplicaKmsKeyID`); both are read back, and " +
					"removed or changed outside Terraform they show in `drift`. The key must be in the **replica bucket's " +
					"region**, which may differ from the pair's: S3 encrypts the replicas there, and does not check the key " +
					"when the configuration is written (a wrong key only makes each replication fail), nor can the pair, as a " +
					"bucket ARN names no region. Only a key ARN, as for `media_kms_key_arn`. `replication_role_policy_json` " +
					"then also grants `kms:Decrypt` on the media key and `kms:Encrypt` (and `kms:Decrypt`, which S3 needs when " +
					"the replica bucket uses an S3 Bucket Key) on this key, each only through S3 in its bucket's region " +
					"(`kms:ViaService`) and for its bucket's objects (`kms:EncryptionContext:aws:s3:arn`); both keys' policies " +
					"must allow the role the same (for a key of another account, its owner must).",
				Validators: []validator.String{kmsKeyARNValidator},
			},
		},
	}
}

// The computed outputs of the documents the replication needs outside the pair.
func replicationRolePolicyAttribute() schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: "Permissions policy (JSON) of `media_replication`'s " +
		"role: read the media bucket's replication configuration and list it (`s3:GetReplicationConfiguration`, " +
		"`s3:ListBucket`), read each version to replicate with its ACL and tags (`s3:GetObjectVersionForReplication`, " +
		"`s3:GetObjectVersionAcl`, `s3:GetObjectVersionTagging`) and its Object Lock retention and legal hold " +
		"(`s3:GetObjectRetention`, `s3:GetObjectLegalHold`, which S3 needs once the media bucket has Object Lock), and " +
		"write replicas and their tags into the replica " +
		"bucket (`s3:ReplicateObject`, `s3:ReplicateTags`, and `s3:ObjectOwnerOverrideToBucketOwner` when the replicas " +
		"go to another account). Never `s3:ReplicateDelete`: the role cannot delete anything on the replica. Attach it with " +
		"`aws_iam_role_policy`. Null without `media_replication`; known at plan time when it is."}
}

func replicationTrustPolicyAttribute() schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: "Trust policy (JSON) of `media_replication`'s role: " +
		"S3 (`s3.amazonaws.com`) may assume it. It never changes, so to avoid a dependency cycle (the pair names the role, " +
		"the role would take this from the pair) write the same document in the role's `assume_role_policy`, or name the " +
		"role in `role_arn` by its ARN rather than by reference. Null without `media_replication`."}
}

func replicationDestinationPolicyAttribute() schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: "Bucket policy (JSON) for the replica bucket, which " +
		"its owner applies when that is another account (`aws_s3_bucket_policy`, with that account's provider): " +
		"`media_replication`'s role may write replicas and their tags into it (`s3:ReplicateObject`, `s3:ReplicateTags`), " +
		"and, when `destination_account_id` names that other account, the media bucket's account may hand the replicas " +
		"over (`s3:ObjectOwnerOverrideToBucketOwner`). Nothing on the bucket itself and nothing that deletes: the media " +
		"bucket's account can neither suspend the replica's versioning nor remove a replica. Null without " +
		"`media_replication`; known at plan time when it is."}
}

// replicaOf converts media_replication; known is false while any part is unknown. A null argument is no
// replica (nil).
func replicaOf(o types.Object) (spec *bucketstate.ReplicaSpec, known bool) {
	if o.IsNull() {
		return nil, true
	}
	if o.IsUnknown() {
		return nil, false
	}
	r := readObject(o)
	s := bucketstate.ReplicaSpec{
		DestinationBucketARN: r.str("destination_bucket_arn"),
		RoleARN:              r.str("role_arn"),
		DestinationAccount:   r.str("destination_account_id"),
		StorageClass:         r.str("storage_class"),
		ReplicaKMSKey:        r.str("replica_kms_key_arn"),
	}
	if !r.known {
		return nil, false
	}
	return &s, true
}

// replicationValue is the argument as an imported pair reads it from the media bucket's configuration: the
// first rule's destination, the role, the owner's account when the replicas change owner, the storage class
// and the replica key. Whatever else differs from the pair's rule shows in drift.
func replicationValue(r *bucketstate.Replication) types.Object {
	if r == nil || len(r.Rules) == 0 {
		return types.ObjectNull(replicationAttrTypes)
	}
	d := r.Rules[0].Destination
	optional := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	account := ""
	if d.OwnerOverride {
		account = d.Account
	}
	return types.ObjectValueMust(replicationAttrTypes, map[string]attr.Value{
		"destination_bucket_arn": types.StringValue(d.Bucket),
		"role_arn":               types.StringValue(r.Role),
		"destination_account_id": optional(account),
		"storage_class":          optional(d.StorageClass),
		"replica_kms_key_arn":    optional(d.ReplicaKMSKey),
	})
}

// setReplicationPolicies fills the replication_*_json outputs from media_replication, the media bucket's ARN,
// region and KMS key: null without a replica, unknown while the argument is; the role's policy is unknown too
// while the media key is.
func (m *bucketPairModel) setReplicationPolicies() {
	spec, known := replicaOf(m.MediaReplication)
	switch {
	case !known:
		m.ReplicationRolePolicyJSON, m.ReplicationTrustPolicyJSON, m.ReplicationDestinationPolicyJSON = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	case spec == nil:
		m.ReplicationRolePolicyJSON, m.ReplicationTrustPolicyJSON, m.ReplicationDestinationPolicyJSON = types.StringNull(), types.StringNull(), types.StringNull()
	default:
		owner := spec.OwnershipToDestination()
		m.ReplicationRolePolicyJSON = types.StringUnknown()
		if !m.MediaKMSKeyARN.IsUnknown() {
			keys := replicationKeys(m.MediaKMSKeyARN.ValueString(), m.Region.ValueString(), spec.ReplicaKMSKey)
			m.ReplicationRolePolicyJSON = types.StringValue(bucketpolicy.ReplicationRolePolicy(m.MediaBucketARN.ValueString(), spec.DestinationBucketARN, owner, keys))
		}
		m.ReplicationTrustPolicyJSON = types.StringValue(bucketpolicy.ReplicationTrustPolicy())
		m.ReplicationDestinationPolicyJSON = types.StringValue(bucketpolicy.ReplicationDestinationPolicy(spec.DestinationBucketARN, spec.RoleARN, owner))
	}
}

// replicationKeys are the keys the role's policy names: the media key, used by S3 in the pair's region, and
// the replica key, used by S3 in its own region, which is the replica bucket's ("" for either: none).
func replicationKeys(mediaKey, region, replicaKey string) bucketpolicy.ReplicationKeys {
	var keys bucketpolicy.ReplicationKeys
	if mediaKey != "" {
		keys.SourceKeyARN, keys.SourceViaService = mediaKey, bucketpolicy.S3ViaService(region, s3api.PartitionOf(region).DNSSuffix)
	}
	if key, err := bucketstate.ParseKMSKeyARN(replicaKey); err == nil {
		keys.ReplicaKeyARN, keys.ReplicaViaService = replicaKey, bucketpolicy.S3ViaService(key.Region, s3api.PartitionOf(key.Region).DNSSuffix)
	}
	return keys
}

// importReplication reads media_replication back from the media bucket right after an import, when the
// state has no value for it.
func (m *bucketPairModel) importReplication(media *bucketstate.Settings) {
	if media != nil && m.MediaReplication.IsNull() {
		m.MediaReplication = replicationValue(media.Replication)
	}
}

// replicaProblems checks media_replication at apply, where the values known only then skipped the attribute
// validators and ValidateConfig: every form the validators check, replicaIsPairBucket, and a replica key
// wherever the media bucket has a key (mediaKMSKey, "" for none).
func replicaProblems(spec *bucketstate.ReplicaSpec, media, static, mediaKMSKey string) []string {
	if spec == nil {
		return nil
	}
	var out []string
	if spec.ReplicaKMSKey != "" {
		if _, err := bucketstate.ParseKMSKeyARN(spec.ReplicaKMSKey); err != nil {
			out = append(out, "media_replication.replica_kms_key_arn: "+err.Error())
		}
	} else if mediaKMSKey != "" {
		out = append(out, "media_replication.replica_kms_key_arn: "+replicaKeyMissing)
	}
	if name, err := bucketpolicy.ValidBucketARN(spec.DestinationBucketARN); err != nil {
		out = append(out, "media_replication.destination_bucket_arn: "+err.Error())
	} else if problems := bucketname.Problems(name); len(problems) > 0 {
		out = append(out, fmt.Sprintf("media_replication.destination_bucket_arn names %q, which breaks the S3 bucket naming rules: %s", name, strings.Join(problems, "; ")))
	} else if p := replicaIsPairBucket(name, media, static); p != "" {
		out = append(out, p)
	}
	if err := bucketpolicy.ValidRoleARN(spec.RoleARN); err != nil {
		out = append(out, "media_replication.role_arn: "+err.Error())
	}
	if spec.DestinationAccount != "" {
		if err := bucketpolicy.ValidAccountID(spec.DestinationAccount); err != nil {
			out = append(out, "media_replication.destination_account_id: "+err.Error())
		}
	}
	return out
}

// replicaIsPairBucket says why the replica bucket name cannot be one of the pair's own buckets; "" when it is
// neither.
func replicaIsPairBucket(name, media, static string) string {
	switch name {
	case media:
		return fmt.Sprintf("media_replication.destination_bucket_arn names the media bucket %q itself: a replica must be another bucket, ideally in another region or account", name)
	case static:
		return fmt.Sprintf("media_replication.destination_bucket_arn names the static bucket %q, which is unversioned and may be public: name a bucket of its own for the replica", name)
	}
	return ""
}

// replicaKeyMissing says why media_kms_key_arn needs a replica key.
const replicaKeyMissing = "media_kms_key_arn encrypts the media bucket's objects with a KMS key, and S3 replicates such an object " +
	"only when the replication rule opts in to SSE-KMS objects and names a key for their replicas: without " +
	"replica_kms_key_arn S3 would silently skip every object written under the media key, and the replica would hold " +
	"none of them. Set media_replication.replica_kms_key_arn to the ARN of a symmetric KMS key in the replica bucket's " +
	"region (aws_kms_key.<name>.arn), and give the replication role replication_role_policy_json, which then grants " +
	"kms:Decrypt on the media key and kms:Encrypt on the replica key"

// validateReplication fails the plan when media_replication names one of the pair's own buckets, or has no
// replica key while the media bucket has a KMS key.
func validateReplication(ctx context.Context, config configGetter) diag.Diagnostics {
	var o types.Object
	var media, static, mediaKey types.String
	diags := config.GetAttribute(ctx, pathReplication, &o)
	diags.Append(config.GetAttribute(ctx, path.Root("media_bucket"), &media)...)
	diags.Append(config.GetAttribute(ctx, path.Root("static_bucket"), &static)...)
	diags.Append(config.GetAttribute(ctx, path.Root(mediaKMSKeyOption), &mediaKey)...)
	spec, known := replicaOf(o)
	if diags.HasError() || !known || spec == nil {
		return diags
	}
	if spec.ReplicaKMSKey == "" && !mediaKey.IsNull() && !mediaKey.IsUnknown() {
		diags.AddAttributeError(pathReplication.AtName("replica_kms_key_arn"), "A replica of a KMS-encrypted media bucket needs a replica key",
			"media_replication.replica_kms_key_arn is not set: "+replicaKeyMissing+".")
	}
	if media.IsUnknown() || static.IsUnknown() {
		return diags
	}
	if name, err := bucketpolicy.ValidBucketARN(spec.DestinationBucketARN); err == nil {
		if p := replicaIsPairBucket(name, media.ValueString(), static.ValueString()); p != "" {
			diags.AddAttributeError(pathReplication.AtName("destination_bucket_arn"), "The replica must be a bucket of its own", p)
		}
	}
	return diags
}

// replicationRoleAccount fails the plan when media_replication's role belongs to another account than the
// principal running Terraform, which the media bucket's owner is: S3 only accepts a role of the source
// bucket's account, and only a principal of that account can pass it. Asked only by plans that write the
// replication configuration; a caller that cannot be told is not checked.
func replicationRoleAccount(spec *bucketstate.ReplicaSpec, caller string, callerErr error) diag.Diagnostics {
	var diags diag.Diagnostics
	if spec == nil || callerErr != nil {
		return diags
	}
	account, role := s3api.AccountOf(caller), bucketpolicy.RoleAccount(spec.RoleARN)
	if account != "" && role != "" && account != role {
		diags.AddAttributeError(pathReplication.AtName("role_arn"), "The replication role belongs to another account",
			fmt.Sprintf("media_replication.role_arn = %q is a role of account %s, and the media bucket belongs to account %s "+
				"(the account Terraform runs in, %s). S3 assumes the role on behalf of the media bucket's owner, so the role "+
				"must be one of that account: create it there (with replication_trust_policy_json and "+
				"replication_role_policy_json). The replica bucket may be in another account: say which in "+
				"destination_account_id.", spec.RoleARN, role, account, caller))
	}
	return diags
}

// replicaBucketARNValidator checks destination_bucket_arn's form and the bucket name in it.
type replicaBucketARNValidator struct{}

var _ validator.String = replicaBucketARNValidator{}

func (replicaBucketARNValidator) Description(context.Context) string {
	return "must be an S3 bucket ARN such as arn:aws:s3:::example-media-replica"
}

func (v replicaBucketARNValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (replicaBucketARNValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name, err := bucketpolicy.ValidBucketARN(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid replica bucket ARN", fmt.Sprintf("%s: %v", req.Path, err))
		return
	}
	if problems := bucketname.Problems(name); len(problems) > 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid replica bucket ARN",
			fmt.Sprintf("%s names the bucket %q, which breaks the S3 bucket naming rules:\n  - %s", req.Path, name, strings.Join(problems, "\n  - ")))
	}
}
