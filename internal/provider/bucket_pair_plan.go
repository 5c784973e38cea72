package provider

// Plan-time checks of the bucket pair: configuration rules Terraform can check before any request, and the
// plan itself: derived values, the repair of drift, and whether apply will need an MFA code or would lock
// Terraform out with the guard policy.

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

func (r *bucketPairResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var mfaDelete types.Bool
	var retention types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("mfa_delete"), &mfaDelete)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("noncurrent_version_retention_days"), &retention)...)
	if mfaDelete.ValueBool() && !retention.IsNull() && !retention.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("noncurrent_version_retention_days"), "Retention conflicts with MFA Delete",
			bucketstate.ErrRetentionWithMFADelete.Error()+". Choose one:\n"+
				"  - keep mfa_delete = true and remove noncurrent_version_retention_days: old versions are kept forever, "+
				"and only the root user with the MFA device can delete them;\n"+
				"  - keep the retention and set mfa_delete = false, protecting the versions with least-privilege "+
				"credentials for the app instead (see app_policy_json).")
	}
	resp.Diagnostics.Append(validateWebSettings(ctx, req, mfaDelete, retention)...)
	resp.Diagnostics.Append(validateReplication(ctx, req.Config)...)
	resp.Diagnostics.Append(objectLockProblems(ctx, req.Config, mfaDelete, retention)...)
	var media, static types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("media_bucket"), &media)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("static_bucket"), &static)...)
	if resp.Diagnostics.HasError() || media.IsUnknown() || static.IsUnknown() || media.IsNull() || static.IsNull() {
		return
	}
	if media.ValueString() == static.ValueString() {
		resp.Diagnostics.AddAttributeError(path.Root("static_bucket"), "Media and static buckets must differ",
			fmt.Sprintf("media_bucket and static_bucket are both %q. Static files must live in their own, unversioned "+
				"bucket; choose another name for static_bucket (for example %q).", media.ValueString(), media.ValueString()+"-static"))
	}
	var namespace types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("bucket_namespace"), &namespace)...)
	if namespace.IsUnknown() {
		return
	}
	ns := namespace.ValueString()
	if namespace.IsNull() {
		ns = bucketname.NamespaceGlobal // the default
	}
	for _, b := range []struct {
		attr string
		name types.String
	}{{"media_bucket", media}, {"static_bucket", static}} {
		resp.Diagnostics.Append(namespaceProblems(path.Root(b.attr), b.name.ValueString(), bucketname.NamespaceProblems(b.name.ValueString(), ns, namespaceOption))...)
	}
}

// validateWebSettings checks the CORS rules and the noncurrent version transitions as S3 would, and the
// transitions against MFA Delete, which S3 allows no lifecycle rule beside.
func validateWebSettings(ctx context.Context, req resource.ValidateConfigRequest, mfaDelete types.Bool, retention types.Int64) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, attribute := range []string{"static_cors_rules", "media_cors_rules"} {
		var rules types.List
		diags.Append(req.Config.GetAttribute(ctx, path.Root(attribute), &rules)...)
		diags.Append(corsProblems(ctx, attribute, rules)...)
	}
	var list types.List
	diags.Append(req.Config.GetAttribute(ctx, pathTransitions, &list)...)
	transitions, known, d := transitionsOf(ctx, list)
	diags.Append(d...)
	if !known || len(transitions) == 0 {
		return diags
	}
	if mfaDelete.ValueBool() {
		diags.AddAttributeError(pathTransitions, "Transitions conflict with MFA Delete",
			bucketstate.ErrTransitionsWithMFADelete.Error()+". Choose one: keep mfa_delete = true and remove "+
				"noncurrent_version_transitions (old versions stay in S3 Standard), or keep the transitions and set "+
				"mfa_delete = false, protecting the versions with the guard policy (guard_exempt_principals) instead.")
		return diags
	}
	if !retention.IsUnknown() {
		diags.Append(transitionProblems(transitions, int(retention.ValueInt64()))...)
	}
	return diags
}

// namespaceOption is the argument that chooses the buckets' namespace, for messages.
const namespaceOption = "bucket_namespace"

// accountRegionalNames checks, for a pair created in the account regional namespace, that both names carry
// the pair's region and the account of the provider's credentials. An account that cannot be told is not
// checked (S3 refuses a name of another account's namespace at apply), with a warning saying so.
func (r *bucketPairResource) accountRegionalNames(plan bucketPairModel) diag.Diagnostics {
	var diags diag.Diagnostics
	account := ""
	if r.callerARN != nil {
		caller, err := r.callerARN()
		account = s3api.AccountOf(caller)
		if err == nil && account == "" {
			err = fmt.Errorf("no account in the caller's ARN %q", caller)
		}
		if err != nil {
			diags.AddAttributeWarning(path.Root(namespaceOption), "Cannot check the account in the bucket names",
				fmt.Sprintf("The buckets' names must carry the 12-digit ID of the account the provider's credentials belong "+
					"to, which could not be told (%v). S3 refuses the create if they carry another.", err))
		}
	}
	region := plan.Region.ValueString()
	for _, b := range []struct {
		attr string
		name types.String
	}{{"media_bucket", plan.MediaBucket}, {"static_bucket", plan.StaticBucket}} {
		diags.Append(namespaceProblems(path.Root(b.attr), b.name.ValueString(), bucketname.AccountRegionalProblems(b.name.ValueString(), account, region))...)
	}
	return diags
}

// ModifyPlan fills in everything that follows from the configuration, so it is known at plan time, and
// plans the repair of any drift the last refresh found.
func (r *bucketPairResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return // destroy, or the provider is not configured yet (validate)
	}
	creating := req.State.Raw.IsNull()
	// Every plan of an unchanged pair proposes exactly its refreshed state. Such a plan is read once and
	// written back only if something below changes it: the framework's reflection over the whole model,
	// both ways, was most of this method's cost, and every pair pays it in every plan.
	unchanged := !creating && req.Plan.Raw.Equal(req.State.Raw)
	var plan, state bucketPairModel
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if unchanged {
		plan = state
	} else {
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	}
	if plan.StaticPublicRead.IsUnknown() {
		var configured types.Bool
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("static_public_read"), &configured)...)
		if configured.IsNull() {
			plan.StaticPublicRead = defaultStaticPublicRead(creating, state, plan)
		}
	}
	if resp.Diagnostics.HasError() || plan.MediaBucket.IsUnknown() || plan.StaticBucket.IsUnknown() || plan.StaticPublicRead.IsUnknown() {
		return
	}
	if !plan.StaticPublicRead.ValueBool() && plan.StaticCDN.IsNull() {
		resp.Diagnostics.Append(privateStaticWithoutCDN())
	}

	resp.Diagnostics.Append(plan.setPlanned(ctx, r.client, creating, state, r.defaultTags)...)
	resp.Diagnostics.Append(tagCount(ctx, plan.Tags, r.defaultTags)...)
	if !creating {
		resp.Diagnostics.Append(objectLockRemoval(state, plan)...)
	}
	resp.Diagnostics.Append(kmsPlanProblems(plan)...)
	// What the service cannot do: said once per plan, and an error where the configuration needs it.
	resp.Diagnostics.Append(protectionsLost(r.client)...)
	resp.Diagnostics.Append(unsupportedArguments(ctx, r.client, plan.StaticPublicRead, req.Config, r.defaultTags)...)

	// Buckets about to be created in the account regional namespace must carry its account and region; an
	// existing pair's buckets are where they are.
	newBuckets := creating || !state.MediaBucket.Equal(plan.MediaBucket) || !state.StaticBucket.Equal(plan.StaticBucket) ||
		!state.BucketNamespace.Equal(plan.BucketNamespace)
	if newBuckets && plan.BucketNamespace.ValueString() == bucketname.NamespaceAccountRegional {
		resp.Diagnostics.Append(r.accountRegionalNames(plan)...)
	}

	// Only a plan that writes the media bucket's policy can lock anyone out; drift-detection plans of an
	// unchanged pair neither need the check nor pay its STS call.
	if creating || !state.GuardExemptPrincipals.Equal(plan.GuardExemptPrincipals) || len(state.Drift.Elements()) > 0 {
		// A principal known only at apply (a role created with the pair) cannot be compared yet.
		exempt, known, d := knownStrings(ctx, plan.GuardExemptPrincipals)
		resp.Diagnostics.Append(d...)
		if known && exempt != nil {
			caller, err := r.callerARN()
			resp.Diagnostics.Append(guardLockout(exempt, caller, err)...)
		}
	}

	// A replication role must be the media bucket's account's; asked only by plans that write the configuration.
	if creating || !state.MediaReplication.Equal(plan.MediaReplication) || len(state.Drift.Elements()) > 0 {
		if spec, known := replicaOf(plan.MediaReplication); known && spec != nil {
			caller, err := r.callerARN()
			resp.Diagnostics.Append(replicationRoleAccount(spec, caller, err)...)
		}
	}

	// A public static bucket only works where the account's own Block Public Access allows it; asked only by
	// plans that write the static bucket's policy public.
	if plan.StaticPublicRead.ValueBool() && (creating || !state.StaticPublicRead.ValueBool() || len(state.Drift.Elements()) > 0) {
		block, err := r.accountBlock()
		resp.Diagnostics.Append(accountBlocksPublicStatic(block, err)...)
	}

	if what, guarded := plannedMFAWrite(creating, state, plan); guarded {
		mfa, d := r.mfaFor(ctx, req.Config, plan)
		resp.Diagnostics.Append(d...)
		switch {
		case mfa.Serial == "":
			resp.Diagnostics.Append(mfaSerialMissing(what))
		case mfa.Code == "":
			resp.Diagnostics.Append(mfaCodeForApply(what))
		}
	}
	if unchanged && plan.equal(state) {
		return // resp.Plan is req.Plan, which is the state
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// defaultStaticPublicRead is static_public_read when the configuration leaves it out: served by a CDN, the
// static bucket stays private; otherwise an existing pair keeps what it has (a default never flips a
// bucket's exposure), and a new one is public-read, the one setup without a CDN under which Django's admin
// renders.
func defaultStaticPublicRead(creating bool, state, plan bucketPairModel) types.Bool {
	switch {
	case !plan.StaticCDN.IsNull():
		return types.BoolValue(false)
	case !creating && !state.StaticPublicRead.IsNull() && !state.StaticPublicRead.IsUnknown():
		return state.StaticPublicRead
	default:
		return types.BoolValue(true)
	}
}

// privateStaticWithoutCDN warns of the one static setup that cannot serve Django's admin.
func privateStaticWithoutCDN() diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("static_public_read"), "Django's admin will render without its styles",
		"The static bucket is private and no static_cdn serves it, so every static URL Django renders is a signed one. "+
			"Django's admin stylesheets load more files by relative URL (@import of fonts.css and widgets.css, url(...) "+
			"of icons and fonts); those requests carry no signature and S3 refuses them with 403. Signed URLs also change "+
			"on every page, so browsers and CDNs cannot cache static files.\n\n"+
			"Either remove static_public_read = false (new pairs default to a public-read static bucket, which is safe: "+
			"collectstatic output is public by nature), or put a CloudFront distribution in front of the bucket with "+
			"static_cdn.")
}

// tagCount fails the plan when the pair's own tags and the provider's default tags together are more than S3
// allows on a bucket; each alone is checked by the tags validator.
func tagCount(ctx context.Context, tags types.Map, defaults map[string]string) diag.Diagnostics {
	own, known, diags := knownStringMap(ctx, tags)
	if !known {
		own = nil
		for k := range tags.Elements() { // keys are known even when values are not
			if own == nil {
				own = make(map[string]string)
			}
			own[k] = ""
		}
	}
	if merged := len(bucketstate.MergeTags(defaults, own)); merged > bucketstate.MaxTagsPerBucket {
		diags.Append(tooManyTags(len(own), len(defaults), merged))
	}
	return diags
}

// plannedMFAWrite says whether applying the plan makes a write S3 guards with MFA Delete, and which. An
// mfa_delete not known yet may change: a new pair does not count it, an existing one counts it as a change.
func plannedMFAWrite(creating bool, state, plan bucketPairModel) (what string, guarded bool) {
	want := plan.MFADelete.ValueBool()
	if plan.MFADelete.IsUnknown() && !creating {
		want = !state.MFADelete.ValueBool()
	}
	return bucketstate.PlannedMFAWrite(creating, state.MFADelete.ValueBool(), want, state.MediaVersioning.ValueString())
}

// configGetter is the part of tfsdk.Config (and tfsdk.Plan) mfaFor needs.
type configGetter interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// mfaFor returns the device serial and one-time code for the media bucket's guarded writes: the resource's
// own, else the provider's. The code comes from the configuration, the only place a write-only value lives.
func (r *bucketPairResource) mfaFor(ctx context.Context, config configGetter, m bucketPairModel) (s3api.MFA, diag.Diagnostics) {
	mfa := r.providerMFA
	if v := m.MFASerial.ValueString(); v != "" {
		mfa.Serial = v
	}
	var code types.String
	diags := config.GetAttribute(ctx, path.Root("mfa_code"), &code)
	if v := code.ValueString(); v != "" {
		mfa.Code = v
	}
	return mfa, diags
}

// accountBlocksPublicStatic fails the plan when the account's own Block Public Access would make a public
// static bucket fail: BlockPublicPolicy refuses its policy, RestrictPublicBuckets refuses anonymous reads of
// it. It warns when the account's settings cannot be read.
func accountBlocksPublicStatic(b s3api.AccountBlock, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case err != nil:
		diags.AddAttributeWarning(path.Root("static_public_read"), "Cannot check the account's Block Public Access",
			fmt.Sprintf("%v.\n\nA public static bucket only works when the account's S3 Block Public Access settings "+
				"BlockPublicPolicy and RestrictPublicBuckets are off. Reading them needs s3:GetAccountPublicAccessBlock.", err))
	case b.NotApplicable || b.Block == nil:
	case b.Block.BlockPublicPolicy || b.Block.RestrictPublicBuckets:
		diags.Append(accountBlockDiagnostic(b))
	}
	return diags
}

// guardLockout fails the plan when the guard would deny caller, the principal running Terraform, the writes
// it needs (the bucket policy itself, versioning, lifecycle), and warns when callerErr says who that is cannot
// be told.
func guardLockout(exempt []string, caller string, callerErr error) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case callerErr != nil:
		diags.AddAttributeWarning(path.Root("guard_exempt_principals"), "Cannot check the guard against the caller",
			fmt.Sprintf("%v.\n\nMake sure the principal running Terraform is in guard_exempt_principals: otherwise, once "+
				"applied, the guard denies it the bucket policy and versioning writes, and only the account's root user "+
				"can remove the policy.", callerErr))
	case !bucketpolicy.Exempts(exempt, caller):
		diags.AddAttributeError(path.Root("guard_exempt_principals"), "The guard would lock Terraform out",
			fmt.Sprintf("Terraform runs as %s, which is not in guard_exempt_principals. Once applied, the guard would deny "+
				"it the media bucket's policy, versioning and lifecycle writes, so the next apply could not repair or "+
				"change anything. Add its role or user ARN (for a role session, the role's ARN) to the list.", caller))
	}
	return diags
}
