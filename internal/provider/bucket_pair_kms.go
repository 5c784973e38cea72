package provider

// Customer-managed KMS keys for either bucket (media_kms_key_arn, static_kms_key_arn): their schema, the
// checks S3 would otherwise fail at apply or at every request, what they add to the app and deploy
// policies, and what an import reads back.

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

const (
	mediaKMSKeyOption  = "media_kms_key_arn"
	staticKMSKeyOption = "static_kms_key_arn"
)

// kmsKeyAttribute is media_kms_key_arn or static_kms_key_arn.
func kmsKeyAttribute(role bucketstate.Role) schema.StringAttribute {
	common := "ARN of a customer-managed symmetric KMS key (`aws_kms_key.<name>.arn`), such as `" + bucketstate.ExampleKMSKeyARN +
		"`, for the " + string(role) + " bucket's default encryption (SSE-KMS) instead of S3-managed keys (SSE-S3). New objects are " +
		"encrypted under it; objects already in the bucket keep the key they were written with, so keep access to an old key " +
		"after changing it. An S3 Bucket Key is always on with it: S3 then asks KMS for a data key per bucket from time to time " +
		"rather than for every object, which cuts KMS requests, their cost and the risk of KMS throttling. The key must be in " +
		"the pair's region. Only a key ARN is accepted, not a key ID or an alias: S3 resolves a bare ID or alias in the account " +
		"of whoever writes an object, an alias can be moved to another key at any time, and an IAM policy cannot grant the use " +
		"of a key through its alias. Read back with the rest of the default encryption: another key, SSE-S3 or the bucket key " +
		"switched off outside Terraform shows in `drift`, and apply puts it back. Unset, the bucket uses SSE-S3. "
	if role == bucketstate.Media {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: common + "`app_policy_json` then grants `kms:Decrypt` and `kms:GenerateDataKey` on the key, what " +
				"reading, writing and multipart uploads need, and denies `" + strings.Join(bucketpolicy.MediaKeyDeniedActions(), "`, `") +
				"`: disabling or deleting the key makes every version encrypted under it unreadable. The key's own policy must " +
				"allow the app's principal the same actions (and, with `media_cdn`, `kms:Decrypt` for `cloudfront.amazonaws.com` " +
				"on the condition `AWS:SourceArn`). Restores copy versions under the bucket's key.",
			Validators: []validator.String{kmsKeyARNValidator},
		}
	}
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: common + "S3 serves SSE-KMS objects only to signed requests, so a public-read static bucket cannot " +
			"use one: the plan fails unless `static_public_read` is `false`, normally with `static_cdn` (CloudFront's origin " +
			"access control signs its requests; the key policy must allow `kms:Decrypt` for `cloudfront.amazonaws.com` on the " +
			"condition `AWS:SourceArn`). `deploy_policy_json` then grants `kms:GenerateDataKey` and `kms:Decrypt` on the key, " +
			"`app_policy_json` `kms:Decrypt`.",
		Validators: []validator.String{kmsKeyARNValidator},
	}
}

// kmsKeyProblem says what is wrong with keyARN as the default encryption key of a bucket in region; "" when
// nothing is. S3 uses only a key in the bucket's own region (a multi-Region key's replica there has an ARN of
// its own).
func kmsKeyProblem(keyARN, region string) string {
	key, err := bucketstate.ParseKMSKeyARN(keyARN)
	if err != nil {
		return err.Error()
	}
	partition := s3api.PartitionOf(region).ID
	if key.Region == region && key.Partition == partition {
		return ""
	}
	return fmt.Sprintf("the key %s is in %s, but the pair's buckets are in %s, and S3 encrypts a bucket's objects only with a "+
		"KMS key in the bucket's own region. Use a key in %s (for a multi-Region key, its replica there: arn:%s:kms:%s:%s:key/%s)",
		keyARN, key.Region, region, region, partition, region, key.Account, key.KeyID)
}

// kmsPlanProblems checks the keys a plan names against the pair's region, and the static key against a
// public-read static bucket. Keys not known yet are checked at apply (kmsApplyProblems).
func kmsPlanProblems(plan bucketPairModel) diag.Diagnostics {
	var diags diag.Diagnostics
	region := plan.Region.ValueString()
	for _, k := range []struct {
		option string
		value  types.String
	}{{mediaKMSKeyOption, plan.MediaKMSKeyARN}, {staticKMSKeyOption, plan.StaticKMSKeyARN}} {
		if k.value.IsNull() || k.value.IsUnknown() {
			continue
		}
		if _, err := bucketstate.ParseKMSKeyARN(k.value.ValueString()); err != nil {
			continue // the validator has said so
		}
		if problem := kmsKeyProblem(k.value.ValueString(), region); problem != "" {
			diags.AddAttributeError(path.Root(k.option), "KMS key in another region", k.option+": "+problem+".")
		}
	}
	if !plan.StaticKMSKeyARN.IsNull() && plan.StaticPublicRead.ValueBool() {
		diags.Append(publicStaticWithKMS())
	}
	return diags
}

// publicStaticWithKMS is the error of a public-read static bucket with a KMS key.
func publicStaticWithKMS() diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root(staticKMSKeyOption), "A public-read static bucket cannot use a KMS key",
		"S3 serves objects encrypted with SSE-KMS only to requests signed with Signature Version 4, so with static_kms_key_arn "+
			"every anonymous request for a static file (every page's stylesheets, scripts and fonts) would fail, though "+
			"static_public_read makes the bucket public. Either remove static_kms_key_arn (the static bucket then uses SSE-S3; "+
			"collectstatic output is public by nature), or set static_public_read = false and serve the bucket through "+
			"static_cdn, whose origin access control signs CloudFront's requests (the key policy must then allow kms:Decrypt "+
			"for the service principal cloudfront.amazonaws.com).")
}

// kmsApplyProblems checks, before anything is written, the keys that were not known at plan time.
func kmsApplyProblems(s pairSpec) []string {
	var out []string
	for _, k := range []struct{ option, arn string }{{mediaKMSKeyOption, s.MediaKMSKey}, {staticKMSKeyOption, s.StaticKMSKey}} {
		if k.arn == "" {
			continue
		}
		if problem := kmsKeyProblem(k.arn, s.Region); problem != "" {
			out = append(out, k.option+": "+problem)
		}
	}
	if s.StaticKMSKey != "" && s.StaticPublicRead {
		out = append(out, staticKMSKeyOption+": a public-read static bucket cannot use a KMS key: S3 serves SSE-KMS objects only to signed "+
			"requests; remove static_kms_key_arn, or set static_public_read = false and serve the bucket through static_cdn")
	}
	return out
}

// identityPolicies are app_policy_json and deploy_policy_json for the buckets' ARNs and keys; a policy is
// unknown while a key it names is.
func identityPolicies(mediaARN, staticARN string, mediaKey, staticKey types.String) (app, deploy types.String) {
	app, deploy = types.StringUnknown(), types.StringUnknown()
	if !staticKey.IsUnknown() {
		deploy = types.StringValue(bucketpolicy.DeployPolicy(staticARN, staticKey.ValueString()))
		if !mediaKey.IsUnknown() {
			app = types.StringValue(bucketpolicy.AppPolicy(mediaARN, staticARN, mediaKey.ValueString(), staticKey.ValueString()))
		}
	}
	return app, deploy
}

// importedKMSKey is a key argument as an imported bucket has it: the key of SSE-KMS default encryption, null
// for SSE-S3 (or for the AWS managed key, which no ARN names), so the import's plan is empty for the
// configuration that matches the bucket.
func importedKMSKey(s *bucketstate.Settings) types.String {
	if s == nil || s.Encryption != bucketstate.EncryptionKMS || s.EncryptionKey == "" {
		return types.StringNull()
	}
	return types.StringValue(s.EncryptionKey)
}
