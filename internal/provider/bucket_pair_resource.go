package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var (
	_ resource.Resource                   = (*bucketPairResource)(nil)
	_ resource.ResourceWithConfigure      = (*bucketPairResource)(nil)
	_ resource.ResourceWithImportState    = (*bucketPairResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*bucketPairResource)(nil)
	_ resource.ResourceWithValidateConfig = (*bucketPairResource)(nil)
)

// confirmTimeout bounds reading back a write until S3 reports it: S3 applies bucket configuration
// eventually, and AWS documents that versioning changes in particular can take a while to show.
const confirmTimeout = 2 * time.Minute

// defaultAbortIncompleteDays cleans up abandoned multipart uploads, which S3 bills for but nobody sees.
const defaultAbortIncompleteDays = 7

// Default operation timeouts, overridable in a timeouts block. Create and update are a handful of calls
// plus bounded waits for S3's eventual consistency; read is one round of concurrent calls; delete may
// empty a static bucket of many thousands of versions, a thousand per request.
const (
	defaultCreateTimeout = 10 * time.Minute
	defaultReadTimeout   = 5 * time.Minute
	defaultUpdateTimeout = 10 * time.Minute
	defaultDeleteTimeout = 60 * time.Minute
)

// NewBucketPairResource is the factory the provider registers.
func NewBucketPairResource() resource.Resource { return &bucketPairResource{} }

type bucketPairResource struct {
	client *s3api.Client
	// providerMFA is the provider block's mfa_serial and mfa_code.
	providerMFA s3api.MFA
}

func (r *bucketPairResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bucket_pair"
}

func (r *bucketPairResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computedString := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A media bucket and a static bucket for a Django site.\n\n" +
			"The **media** bucket (user uploads) is versioned, so a DELETE only lays a delete marker and old " +
			"versions stay restorable; all four public access block settings are on, ACLs are disabled " +
			"(`BucketOwnerEnforced`), objects are encrypted with SSE-S3, and a bucket policy denies any request " +
			"not made over TLS. The **static** bucket (`collectstatic` output) is never versioned — its content " +
			"is rebuilt from version control — and carries the same TLS-only policy.\n\n" +
			"Every refresh reads these settings back; anything changed outside Terraform shows in `terraform plan` " +
			"(in `media_versioning`, `static_versioning`, `static_public_read`, `tags` or `drift`) and `terraform apply` " +
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
					"rules. Changing it replaces the pair.",
				Validators:    []validator.String{bucketNameValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"static_bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the unversioned bucket for `collectstatic` output. Must follow the S3 " +
					"bucket naming rules and differ from `media_bucket`. Changing it replaces the pair.",
				Validators:    []validator.String{bucketNameValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"static_public_read": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Allow anonymous `s3:GetObject` on the static bucket's objects, relaxing its public " +
					"access block exactly as far as that needs (`BlockPublicPolicy` and `RestrictPublicBuckets` off). " +
					"Leave `false` to keep it private, served through signed URLs. The provider owns the whole bucket policy, " +
					"so statements added outside Terraform (for a CDN, say) show as drift and are removed. Defaults to `false`.",
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
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Tags applied to both buckets. Updated in place.",
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
					"public access block, object ownership, default encryption, bucket policy (guard included), tags, " +
					"lifecycle, bucket existence) " +
					"and what S3 reported at the last refresh, one line each, compared with what Terraform last applied. Empty when everything matches; " +
					"a non-empty list plans an in-place update that repairs it. Bucket policies are compared by meaning, " +
					"not byte for byte.",
			},
			"region":                    computedString("Region of the buckets: the provider's region when the pair was created, or the media bucket's location as S3 reports it when imported."),
			"media_bucket_arn":          computedString("ARN of the media bucket."),
			"static_bucket_arn":         computedString("ARN of the static bucket."),
			"media_bucket_domain_name":  computedString("Host name of the media bucket (`<bucket>.s3.<region>.amazonaws.com` on AWS; with a path-style custom endpoint, the endpoint's host)."),
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
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(principalARNValidator{})},
			},
			"app_policy_json": computedString("IAM policy (JSON) for the Django app's runtime role or user: read, write, " +
				"delete (which only lays delete markers) and list on the media bucket, read and list on the static bucket, " +
				"and an explicit deny of everything that would destroy history or loosen the media bucket: deleting object " +
				"versions, changing versioning, lifecycle, the bucket policy, the public access block, ownership or " +
				"encryption, and deleting the bucket. Attach it with `aws_iam_role_policy` or similar."),
			"deploy_policy_json": computedString("IAM policy (JSON) for the deploy job that runs `collectstatic`: write, delete " +
				"and list on the static bucket only; nothing on media."),
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
				"signed URLs, no ACLs) and `staticfiles` for static, with bucket names, region and, for a custom " +
				"endpoint, its URL and addressing style. Load it with `json.loads` in `settings.py`; see the Django guide."),
		},
	}
}

func (r *bucketPairResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		r.client, r.providerMFA = data.client, data.mfa
	}
}

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
	if resp.Diagnostics.HasError() || plan.MediaBucket.IsUnknown() || plan.StaticBucket.IsUnknown() || plan.StaticPublicRead.IsUnknown() {
		return
	}

	region := r.client.Region
	if !creating {
		if !state.Region.IsNull() && state.MediaBucket.Equal(plan.MediaBucket) && state.StaticBucket.Equal(plan.StaticBucket) {
			region = state.Region.ValueString() // buckets never move
		}
	}
	resp.Diagnostics.Append(plan.setDerived(r.client, region, plan.StaticPublicRead.ValueBool())...)

	plan.MediaVersioning = types.StringValue(bucketstate.VersioningEnabled)
	plan.StaticVersioning = types.StringValue(bucketstate.VersioningDisabled)
	if !creating && !state.StaticVersioning.IsNull() && state.MediaBucket.Equal(plan.MediaBucket) && state.StaticBucket.Equal(plan.StaticBucket) {
		plan.StaticVersioning = state.StaticVersioning
		if state.StaticVersioning.ValueString() == bucketstate.VersioningEnabled {
			plan.StaticVersioning = types.StringValue(bucketstate.VersioningSuspended)
		}
	}
	plan.Drift = types.ListValueMust(types.StringType, nil)

	// Only a plan that writes the media bucket's policy can lock anyone out; drift-detection plans of an
	// unchanged pair neither need the check nor pay its STS call.
	if creating || !state.GuardExemptPrincipals.Equal(plan.GuardExemptPrincipals) || len(state.Drift.Elements()) > 0 {
		resp.Diagnostics.Append(r.checkGuardLockout(ctx, plan)...)
	}

	if needsMFA(creating, state, plan) {
		mfa, d := r.mfaFor(ctx, req.Config, plan)
		resp.Diagnostics.Append(d...)
		switch {
		case mfa.Serial == "":
			resp.Diagnostics.AddAttributeError(path.Root("mfa_serial"), "MFA device serial missing",
				"This plan "+mfaReason(creating, state, plan)+", which S3 only accepts with a code from the bucket owner's "+
					"MFA device. Set mfa_serial (on the resource or the provider) to the device's serial number (ARN), "+
					"for example arn:aws:iam::123456789012:mfa/root-account-mfa-device.")
		case mfa.Code == "":
			resp.Diagnostics.AddAttributeWarning(path.Root("mfa_code"), "Apply will need an MFA code",
				"This plan "+mfaReason(creating, state, plan)+", which S3 only accepts with a one-time code. Apply "+
					"refuses without one and changes nothing. Pass a current code through an ephemeral variable:\n\n"+
					"  variable \"mfa_code\" {\n    type      = string\n    ephemeral = true\n  }\n\n"+
					"with mfa_code = var.mfa_code on the resource, then: terraform apply -var mfa_code=123456")
		}
	}
	if unchanged && plan.equal(state) {
		return // resp.Plan is req.Plan, which is the state
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// needsMFA tells from the plan alone whether applying it makes a write S3 guards with MFA Delete.
func needsMFA(creating bool, state, plan bucketPairModel) bool {
	if creating {
		return plan.MFADelete.ValueBool()
	}
	if !state.MFADelete.Equal(plan.MFADelete) {
		return true
	}
	return state.MFADelete.ValueBool() && state.MediaVersioning.ValueString() != bucketstate.VersioningEnabled
}

func mfaReason(creating bool, state, plan bucketPairModel) string {
	switch {
	case creating:
		return "creates a media bucket with MFA Delete"
	case !state.MFADelete.Equal(plan.MFADelete) && plan.MFADelete.ValueBool():
		return "enables MFA Delete on the media bucket"
	case !state.MFADelete.Equal(plan.MFADelete):
		return "disables MFA Delete on the media bucket"
	}
	return "repairs versioning on a media bucket with MFA Delete"
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

func (r *bucketPairResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan bucketPairModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	region := plan.Region.ValueString()
	spec, diags := toSpec(ctx, plan, region)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.client.S3
	var mfa s3api.MFA
	if spec.MFADelete {
		mfa, diags = r.mfaFor(ctx, req.Config, plan)
		resp.Diagnostics.Append(diags...)
		if mfa.Code == "" || mfa.Serial == "" {
			resp.Diagnostics.AddAttributeError(path.Root("mfa_code"), "MFA code required", mfaMissingDetail("create a media bucket with MFA Delete"))
			return
		}
	}

	// Refuse before creating anything: a name already taken, by anyone, is never adopted silently.
	if d := r.checkNamesFree(ctx, spec); d.HasError() {
		resp.Diagnostics.Append(d...)
		return
	}

	wantMedia, wantStatic := spec.desired()
	var created []string
	for _, want := range []bucketstate.Desired{wantMedia, wantStatic} {
		err := s3api.CreateBucket(ctx, c, want.Bucket, region)
		if err == nil {
			err = s3api.WaitBucketVisible(ctx, c, want.Bucket)
		}
		if err != nil {
			r.failPartway(ctx, &plan, resp, created, fmt.Sprintf("creating the %s bucket", want.Role), err)
			return
		}
		created = append(created, want.Bucket)
		tflog.Info(ctx, "created bucket", map[string]any{"bucket": want.Bucket, "role": string(want.Role)})
	}

	// A new bucket has no configuration; write what the pair owns (the static bucket's versioning stays
	// untouched: never versioned is what it should be).
	fresh := &bucketstate.Settings{Versioning: bucketstate.VersioningDisabled}
	err := applyBoth(
		func() error {
			return s3api.ApplyNew(ctx, c, wantMedia, bucketstate.SettingsOf(bucketstate.Diff(wantMedia, fresh)), mfa)
		},
		func() error {
			return s3api.ApplyNew(ctx, c, wantStatic, bucketstate.SettingsOf(bucketstate.Diff(wantStatic, fresh)), s3api.MFA{})
		},
	)
	if err != nil {
		r.failPartway(ctx, &plan, resp, created, "configuring the new buckets", err)
		return
	}
	r.confirmAndSet(ctx, &plan, spec, &resp.State, &resp.Diagnostics)
}

func (r *bucketPairResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state bucketPairModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	media, static, err := s3api.ObservePair(ctx, r.client.S3, state.MediaBucket.ValueString(), state.StaticBucket.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the bucket pair", r.detail(err, "Check that the credentials may read the buckets' configuration."))
		return
	}
	if media == nil && static == nil {
		resp.Diagnostics.AddWarning("Bucket pair no longer exists",
			fmt.Sprintf("Neither bucket %q nor %q exists any more; they were deleted outside Terraform. They are removed "+
				"from state and the next apply creates them again.", state.MediaBucket.ValueString(), state.StaticBucket.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	region := state.Region.ValueString()
	if region == "" && media != nil {
		// Just imported: ask S3 once where the buckets live; a normal refresh never pays for this.
		if region, err = s3api.FindRegion(ctx, r.client.S3, state.MediaBucket.ValueString()); err != nil {
			resp.Diagnostics.AddError("Cannot read the media bucket's region", r.detail(err, ""))
			return
		}
	}
	if region == "" {
		region = r.client.Region
	}
	prior := state
	resp.Diagnostics.Append(state.setObserved(ctx, region, media, static)...)
	// After setObserved: django_storages follows static_public_read as read back, as the plan will.
	resp.Diagnostics.Append(state.setDerived(r.client, region, state.StaticPublicRead.ValueBool())...)
	if state.equal(prior) {
		return // resp.State is req.State; writing it back through the framework's reflection costs more than the check
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *bucketPairResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan bucketPairModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	spec, diags := toSpec(ctx, plan, plan.Region.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.client.S3
	// Repair from a fresh read, not from the refreshed state: it may be minutes old.
	media, static, err := s3api.ObservePair(ctx, c, spec.Media, spec.Static)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the bucket pair", r.detail(err, ""))
		return
	}
	wantMedia, wantStatic := spec.desired()
	mfa, diags := r.mfaFor(ctx, req.Config, plan)
	resp.Diagnostics.Append(diags...)
	mediaDrift := bucketstate.Diff(wantMedia, media)
	guarded := bucketstate.NeedsMFA(media, mediaDrift)
	if guarded && (mfa.Code == "" || mfa.Serial == "") {
		resp.Diagnostics.AddAttributeError(path.Root("mfa_code"), "MFA code required",
			mfaMissingDetail("change "+strings.Join(settingNames(mediaDrift), " and ")+" of the media bucket "+spec.Media+", which has MFA Delete on or is getting it"))
		return
	}
	if !guarded {
		mfa = s3api.MFA{} // send the code only where S3 asks for it
	}

	repair := func(want bucketstate.Desired, observed *bucketstate.Settings, mfa s3api.MFA) error {
		apply := s3api.Apply
		if observed == nil {
			if err := s3api.CreateBucket(ctx, c, want.Bucket, spec.Region); err != nil {
				return err
			}
			if err := s3api.WaitBucketVisible(ctx, c, want.Bucket); err != nil {
				return err
			}
			tflog.Warn(ctx, "recreated a bucket deleted outside Terraform", map[string]any{"bucket": want.Bucket})
			observed = &bucketstate.Settings{Versioning: bucketstate.VersioningDisabled}
			apply = s3api.ApplyNew
		}
		drift := bucketstate.Diff(want, observed)
		for _, d := range drift {
			tflog.Info(ctx, "repairing drift", map[string]any{"drift": d.String()})
		}
		return apply(ctx, c, want, bucketstate.SettingsOf(drift), mfa)
	}
	repairMedia := func() error {
		err := repair(wantMedia, media, mfa)
		if err != nil && guarded && media != nil && !media.Lifecycle.Empty() && wantMedia.Lifecycle.Empty() {
			// Enabling MFA Delete removed the lifecycle configuration first (S3 refuses both at once);
			// the guarded write then failed, so put the bucket back as it was.
			restore := wantMedia
			restore.Lifecycle = media.Lifecycle
			if rErr := s3api.Apply(ctx, c, restore, []bucketstate.Setting{bucketstate.SettingLifecycle}, s3api.MFA{}); rErr != nil {
				return errors.Join(err, fmt.Errorf("restoring the lifecycle configuration removed for MFA Delete: %w", rErr))
			}
		}
		return err
	}
	repairStatic := func() error { return repair(wantStatic, static, s3api.MFA{}) }
	if guarded {
		// The guarded write goes first and alone (Apply writes versioning before anything else), so a
		// refused code leaves both buckets exactly as they were.
		if err = repairMedia(); err == nil {
			err = repairStatic()
		}
	} else {
		err = applyBoth(repairMedia, repairStatic)
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot update the bucket pair", r.detail(err, "Nothing was deleted. Fix the cause and apply again; the plan will show what is still different."))
		// Record what is real, so the next plan shows what is left to do.
		r.readInto(ctx, &plan, &resp.State, &resp.Diagnostics)
		return
	}
	r.confirmAndSet(ctx, &plan, spec, &resp.State, &resp.Diagnostics)
}

func (r *bucketPairResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state bucketPairModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	c := r.client.S3
	media, static := state.MediaBucket.ValueString(), state.StaticBucket.ValueString()

	// Decide about media before touching anything, so a refused destroy deletes nothing at all.
	contents, err := s3api.CountContents(ctx, c, media)
	mediaGone := s3api.IsNotFound(err)
	if err != nil && !mediaGone {
		resp.Diagnostics.AddError("Cannot destroy the bucket pair", r.detail(err, "Nothing was deleted."))
		return
	}
	if !mediaGone && !contents.Empty() && !state.MediaForceDestroy.ValueBool() {
		resp.Diagnostics.AddError("Media bucket is not empty",
			fmt.Sprintf("The media bucket %q holds %s, %s in all and %s. "+
				"Destroying it would lose them, so nothing was deleted (the static bucket %q is untouched too).\n\n"+
				"To keep the media, remove the pair from state instead: terraform state rm <address>. To delete every "+
				"version permanently, set media_force_destroy = true, apply, then destroy.",
				media, plural(contents.Objects, "current object"), plural(contents.Versions, "object version"),
				plural(contents.DeleteMarkers, "delete marker"), static))
		return
	}

	mediaMFA := s3api.MFA{}
	if !mediaGone && !contents.Empty() {
		v, err := s3api.FindVersioning(ctx, c, media)
		if err != nil {
			resp.Diagnostics.AddError("Cannot destroy the bucket pair", r.detail(err, "Nothing was deleted."))
			return
		}
		if v.MFADelete {
			if r.providerMFA.Code == "" || r.providerMFA.Serial == "" {
				resp.Diagnostics.AddError("MFA code required", mfaMissingDestroyDetail(media))
				return
			}
			mediaMFA = r.providerMFA
		}
	}

	n, err := emptyAndDelete(ctx, c, static, s3api.MFA{})
	if err != nil {
		resp.Diagnostics.AddError("Cannot delete the static bucket", r.detail(err, fmt.Sprintf("The media bucket %q was not touched.", media)))
		return
	}
	tflog.Info(ctx, "deleted static bucket", map[string]any{"bucket": static, "versions_deleted": n})
	if mediaGone {
		return
	}
	if !contents.Empty() {
		tflog.Warn(ctx, "media_force_destroy: permanently deleting every version in the media bucket",
			map[string]any{"bucket": media, "versions": contents.Versions, "delete_markers": contents.DeleteMarkers})
	}
	if contents.Empty() {
		// Counted empty a moment ago: no need to list it again.
		if err := s3api.DeleteBucket(ctx, c, media); err != nil {
			resp.Diagnostics.AddError("Cannot delete the media bucket", r.detail(err, fmt.Sprintf("The static bucket %q was already deleted.", static)))
		}
		return
	}
	if _, err := emptyAndDelete(ctx, c, media, mediaMFA); err != nil {
		resp.Diagnostics.AddError("Cannot delete the media bucket", r.detail(err, fmt.Sprintf("The static bucket %q was already deleted.", static)))
	}
}

func (r *bucketPairResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	media, static, ok := strings.Cut(req.ID, ",")
	if !ok || media == "" || static == "" || strings.Contains(static, ",") {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Expected <media_bucket>,<static_bucket>, for example \"example-media,example-static\"; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), pairID(media, static))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("media_bucket"), media)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("static_bucket"), static)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("media_force_destroy"), false)...)
}

// checkNamesFree asks about both names at once; a name that exists is an error that says what to do.
func (r *bucketPairResource) checkNamesFree(ctx context.Context, spec pairSpec) diag.Diagnostics {
	var diags diag.Diagnostics
	names := map[string]string{"media_bucket": spec.Media, "static_bucket": spec.Static}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for attr, bucket := range names {
		wg.Go(func() {
			e, err := s3api.FindExistence(ctx, r.client.S3, bucket)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				diags.AddAttributeError(path.Root(attr), "Cannot check the bucket name", r.detail(err, "Nothing was created."))
			case e == s3api.OwnedByCaller:
				diags.AddAttributeError(path.Root(attr), "Bucket already exists",
					fmt.Sprintf("Bucket %q already exists and belongs to these credentials, but this pair does not manage it. "+
						"Nothing was created. To manage existing buckets, import them:\n\n"+
						"  terraform import <address> %s\n\nor choose another name.", bucket, pairID(spec.Media, spec.Static)))
			case e == s3api.OwnedByOther:
				diags.AddAttributeError(path.Root(attr), "Bucket name is taken",
					fmt.Sprintf("Bucket %q exists and these credentials may not access it (S3 answered AccessDenied): bucket "+
						"names are global, and another account owns it, or it is yours and the credentials lack s3:ListBucket "+
						"on it. Nothing was created; choose another name, or import the bucket with credentials that may read it.", bucket))
			}
		})
	}
	wg.Wait()
	return diags
}

// failPartway reports a create that stopped after some buckets exist. What exists is recorded in state (the
// framework marks it tainted), so nothing is left behind untracked; the next apply replaces the pair,
// which deletes only empty buckets.
func (r *bucketPairResource) failPartway(ctx context.Context, plan *bucketPairModel, resp *resource.CreateResponse, created []string, step string, err error) {
	if len(created) == 0 {
		resp.Diagnostics.AddError("Cannot create the bucket pair", r.detail(err, "Nothing was created."))
		return
	}
	resp.Diagnostics.AddError("Bucket pair only partly created",
		r.detail(err, fmt.Sprintf("Failed while %s. Bucket(s) %s were created and are recorded in state as tainted, "+
			"so nothing is left untracked: the next apply replaces the pair (destroying what was created, under the "+
			"usual rule that a non-empty media bucket is never deleted without media_force_destroy) and creates it again.",
			step, strings.Join(quoteAll(created), " and "))))
	r.readInto(ctx, plan, &resp.State, &resp.Diagnostics)
}

// stateSetter is the part of tfsdk.State the helpers need; Create and Update both pass theirs.
type stateSetter interface {
	Set(context.Context, any) diag.Diagnostics
}

// readInto records the pair as S3 reports it now.
func (r *bucketPairResource) readInto(ctx context.Context, m *bucketPairModel, state stateSetter, diags *diag.Diagnostics) {
	media, static, err := s3api.ObservePair(ctx, r.client.S3, m.MediaBucket.ValueString(), m.StaticBucket.ValueString())
	if err != nil {
		diags.AddWarning("Cannot read the bucket pair back", r.detail(err, "State records the pair as planned; the next refresh corrects it."))
	} else {
		diags.Append(m.setObserved(ctx, m.Region.ValueString(), media, static)...)
	}
	diags.Append(state.Set(ctx, m)...)
}

// confirmAndSet reads the pair back until S3 reports every write (bounded by confirmTimeout and the
// context), then records what it read. It never sleeps a fixed time: the first read usually matches.
func (r *bucketPairResource) confirmAndSet(ctx context.Context, m *bucketPairModel, spec pairSpec, state stateSetter, diags *diag.Diagnostics) {
	wantMedia, wantStatic := spec.desired()
	var media, static *bucketstate.Settings
	var left []bucketstate.Drift
	err := s3api.Poll(ctx, confirmTimeout, func() (bool, error) {
		var err error
		media, static, err = s3api.ObservePair(ctx, r.client.S3, spec.Media, spec.Static)
		if err != nil {
			return false, err
		}
		left = append(bucketstate.Diff(wantMedia, media), bucketstate.Diff(wantStatic, static)...)
		return len(left) == 0, nil
	})
	if err != nil {
		detail := "The writes were accepted but S3 does not report all of them."
		if len(left) > 0 {
			detail += " Still different:\n  - " + strings.Join(bucketstate.Strings(left), "\n  - ")
		}
		diags.AddError("Cannot confirm the bucket pair's settings", r.detail(err, detail))
	}
	if media != nil || static != nil {
		diags.Append(m.setObserved(ctx, spec.Region, media, static)...)
	}
	diags.Append(state.Set(ctx, m)...)
}

// applyBoth configures both buckets at once and reports both failures.
func applyBoth(media, static func() error) error {
	var wg sync.WaitGroup
	var mErr, sErr error
	wg.Go(func() { mErr = media() })
	wg.Go(func() { sErr = static() })
	wg.Wait()
	return errors.Join(mErr, sErr)
}

// emptyAndDelete removes every version and then the bucket; a bucket already gone counts as deleted.
func emptyAndDelete(ctx context.Context, c *s3.Client, bucket string, mfa s3api.MFA) (int, error) {
	n, err := s3api.EmptyBucket(ctx, c, bucket, mfa)
	if err != nil && !s3api.IsNotFound(err) {
		return n, err
	}
	return n, s3api.DeleteBucket(ctx, c, bucket)
}

// detail builds a diagnostic detail: what to do, the error, and where the requests went.
func (r *bucketPairResource) detail(err error, advice string) string {
	var b strings.Builder
	if advice != "" {
		b.WriteString(advice)
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Error: %v\n\nS3 client: %s", s3api.Explain(err), r.client.Describe())
	return b.String()
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func settingNames(drifts []bucketstate.Drift) []string {
	var out []string
	for _, s := range bucketstate.SettingsOf(drifts) {
		out = append(out, string(s))
	}
	return out
}

func mfaMissingDetail(what string) string {
	return "This apply would " + what + ". S3 only accepts that with a current one-time code from the bucket " +
		"owner's MFA device, and none was given, so nothing was changed.\n\n" +
		"Declare an ephemeral variable (it is stored in no state or plan file):\n\n" +
		"  variable \"mfa_code\" {\n    type      = string\n    ephemeral = true\n  }\n\n" +
		"set mfa_code = var.mfa_code and mfa_serial on the resource (or the provider), then run:\n\n" +
		"  terraform apply -var mfa_code=123456"
}

func mfaMissingDestroyDetail(media string) string {
	return fmt.Sprintf("The media bucket %q has MFA Delete on, so deleting its versions (media_force_destroy) needs a "+
		"current one-time code. Nothing was deleted. Destroy cannot see the resource's mfa_code: set mfa_serial and "+
		"mfa_code = var.mfa_code in the provider block, with an ephemeral variable, then run:\n\n"+
		"  terraform destroy -var mfa_code=123456", media)
}

// withTimeout bounds an operation by the timeouts block's value for it, or its default.
func withTimeout(ctx context.Context, configured func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	fallback time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	timeout, d := configured(ctx, fallback)
	diags.Append(d...)
	return context.WithTimeout(ctx, timeout)
}

// checkGuardLockout fails the plan when the guard would deny the principal running Terraform the writes
// it needs (the bucket policy itself, versioning, lifecycle), and warns when it cannot tell who that is.
func (r *bucketPairResource) checkGuardLockout(ctx context.Context, plan bucketPairModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if plan.GuardExemptPrincipals.IsNull() || plan.GuardExemptPrincipals.IsUnknown() {
		return diags
	}
	var exempt []string
	if diags.Append(plan.GuardExemptPrincipals.ElementsAs(ctx, &exempt, false)...); diags.HasError() {
		return diags
	}
	caller, err := s3api.FindCallerARN(r.client)
	switch {
	case err != nil:
		diags.AddAttributeWarning(path.Root("guard_exempt_principals"), "Cannot check the guard against the caller",
			fmt.Sprintf("%v.\n\nMake sure the principal running Terraform is in guard_exempt_principals: otherwise, once "+
				"applied, the guard denies it the bucket policy and versioning writes, and only the account's root user "+
				"can remove the policy.", err))
	case !bucketpolicy.Exempts(exempt, caller):
		diags.AddAttributeError(path.Root("guard_exempt_principals"), "The guard would lock Terraform out",
			fmt.Sprintf("Terraform runs as %s, which is not in guard_exempt_principals. Once applied, the guard would deny "+
				"it the media bucket's policy, versioning and lifecycle writes, so the next apply could not repair or "+
				"change anything. Add its role or user ARN (for a role session, the role's ARN) to the list.", caller))
	}
	return diags
}
