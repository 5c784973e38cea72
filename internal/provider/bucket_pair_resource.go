package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var (
	_ resource.Resource                   = (*bucketPairResource)(nil)
	_ resource.ResourceWithConfigure      = (*bucketPairResource)(nil)
	_ resource.ResourceWithImportState    = (*bucketPairResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*bucketPairResource)(nil)
	_ resource.ResourceWithValidateConfig = (*bucketPairResource)(nil)
)

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

// bucketPairResource is the Terraform side of a pair: it converts between the model and the S3 layer's pair
// operations, which own every request and its order.
type bucketPairResource struct {
	client *s3api.Client
	// providerMFA is the provider block's mfa_serial and mfa_code.
	providerMFA s3api.MFA
	// callerARN says which principal Terraform runs as, for the guard's lock-out check.
	callerARN func() (string, error)
	// accountBlock is the account's own Block Public Access, for a public static bucket's plan.
	accountBlock func() (s3api.AccountBlock, error)
	// defaultTags are the provider's default_tags, merged into every pair's.
	defaultTags map[string]string
}

func (r *bucketPairResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bucket_pair"
}

func (r *bucketPairResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = bucketPairSchema(ctx)
}

func (r *bucketPairResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		r.client, r.providerMFA, r.callerARN, r.accountBlock = data.client, data.mfa, data.callerARN, data.accountBlock
		r.defaultTags = data.defaultTags
	}
}

func (r *bucketPairResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan bucketPairModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	spec, mfa, diags := r.specFor(ctx, &plan, req.Config)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}

	observed, err := s3api.CreatePair(ctx, r.client.S3, spec, r.options(ctx, mfa))
	if err != nil {
		d, created := createPairFailed(r.client, spec, err)
		resp.Diagnostics.Append(d...)
		if !created {
			return
		}
		// What exists is recorded (the framework marks it tainted), so nothing is left behind untracked.
		observed = r.readBack(ctx, spec, err, &resp.Diagnostics)
	}
	r.setState(ctx, &plan, spec.Region, observed, &resp.State, &resp.Diagnostics)
	r.afterWrite(ctx, plan, req.Config, &resp.Diagnostics)
}

// afterWrite reports what the service turned out to lack while the pair was written: the protections it
// cannot give, and, as an error, an argument that needs one of them (the state records what is real).
func (r *bucketPairResource) afterWrite(ctx context.Context, plan bucketPairModel, config configGetter, diags *diag.Diagnostics) {
	if len(r.client.Caps.Detected()) == 0 {
		return // nothing learnt since the plan, which said the rest
	}
	diags.Append(protectionsLost(r.client)...)
	diags.Append(unsupportedArguments(ctx, r.client, plan.StaticPublicRead, config, r.defaultTags)...)
}

func (r *bucketPairResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state bucketPairModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	media, static := state.MediaBucket.ValueString(), state.StaticBucket.ValueString()
	observed, err := s3api.ObservePairWith(ctx, r.client.S3, r.client.Caps, media, static)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the bucket pair", errorDetail(r.client, err, "Check that the credentials may read the buckets' configuration."))
		return
	}
	if observed.Media == nil && observed.Static == nil {
		resp.Diagnostics.AddWarning("Bucket pair no longer exists",
			fmt.Sprintf("Neither bucket %q nor %q exists any more; they were deleted outside Terraform. They are removed "+
				"from state and the next apply creates them again.", media, static))
		resp.State.RemoveResource(ctx)
		return
	}
	region := state.Region.ValueString()
	if region == "" && observed.Media != nil {
		// Just imported: ask S3 once where the buckets live; a normal refresh never pays for this.
		if region, err = s3api.FindRegion(ctx, r.client.S3, media); err != nil {
			resp.Diagnostics.AddError("Cannot read the media bucket's region", errorDetail(r.client, err, ""))
			return
		}
	}
	if region == "" {
		region = r.client.Region
	}
	prior := state
	resp.Diagnostics.Append(state.setObserved(ctx, region, r.client.OnAWS(), observed, r.defaultTags)...)
	// After setObserved: django_storages follows static_public_read as read back, as the plan will.
	resp.Diagnostics.Append(state.setDerived(r.client, region)...)
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
	spec, mfa, diags := r.specFor(ctx, &plan, req.Config)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}

	observed, err := s3api.RepairPair(ctx, r.client.S3, spec, r.options(ctx, mfa))
	if err != nil {
		d, wrote := updatePairFailed(r.client, err)
		resp.Diagnostics.Append(d...)
		if !wrote {
			return
		}
		// Record what is real, so the next plan shows what is left to do.
		observed = r.readBack(ctx, spec, err, &resp.Diagnostics)
	}
	r.setState(ctx, &plan, spec.Region, observed, &resp.State, &resp.Diagnostics)
	r.afterWrite(ctx, plan, req.Config, &resp.Diagnostics)
}

func (r *bucketPairResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state bucketPairModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	media, static := state.MediaBucket.ValueString(), state.StaticBucket.ValueString()
	// Destroy sees no configuration: the only code it can use is the provider's.
	report, err := s3api.DestroyPair(ctx, r.client.S3, media, static, state.MediaForceDestroy.ValueBool(), r.options(ctx, r.providerMFA))
	if err != nil {
		resp.Diagnostics.Append(destroyPairFailed(r.client, media, static, report, err)...)
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

// specFor converts a plan to the pair the S3 layer writes, with the MFA value for its guarded writes. It
// settles tags_all first when the plan could not know it.
func (r *bucketPairResource) specFor(ctx context.Context, plan *bucketPairModel, config configGetter) (s3api.PairSpec, s3api.MFA, diag.Diagnostics) {
	diags := plan.settleTagsAll(ctx, r.defaultTags)
	spec, d := toSpec(ctx, *plan, plan.Region.ValueString(), r.defaultTags)
	diags.Append(d...)
	mfa, d := r.mfaFor(ctx, config, *plan)
	diags.Append(d...)
	if problems := additionsProblems(spec); len(problems) > 0 {
		diags.AddError("Invalid bucket policy additions", "Values known only at apply cannot join the bucket policies; "+
			"nothing was written:\n  - "+strings.Join(problems, "\n  - "))
		return s3api.PairSpec{}, mfa, diags
	}
	if problems := kmsApplyProblems(spec); len(problems) > 0 {
		diags.AddError("Invalid KMS key", "A KMS key known only at apply cannot be used; nothing was written:\n  - "+strings.Join(problems, "\n  - "))
		return s3api.PairSpec{}, mfa, diags
	}
	if problems := replicaProblems(spec.MediaReplica, spec.Media, spec.Static, spec.MediaKMSKey); len(problems) > 0 {
		diags.AddError("Invalid media_replication", "Values known only at apply cannot be used for the replica; nothing was written:\n  - "+strings.Join(problems, "\n  - "))
		return s3api.PairSpec{}, mfa, diags
	}
	if spec.GuardExempt != nil {
		// A guard principal known only at apply was not checked at plan time: check it before it is written.
		caller, err := r.callerARN()
		if d := guardLockout(spec.GuardExempt, caller, err); d.HasError() {
			diags.Append(d...)
			return s3api.PairSpec{}, mfa, diags
		}
	}
	pair, err := spec.pair(r.client.OnAWS())
	if err != nil {
		diags.Append(invalidExtraPolicy(err))
	}
	return pair, mfa, diags
}

// options are the pair operations' options: the MFA value, and the provider's log for their steps.
func (r *bucketPairResource) options(ctx context.Context, mfa s3api.MFA) s3api.PairOptions {
	// Amazon S3 keeps each configuration of a bucket apart, so they can be written at once; an S3-compatible
	// server may not (see s3api.PairOptions.ConcurrentWrites).
	return s3api.PairOptions{MFA: mfa, Log: tfLogger{ctx: ctx}, Caps: r.client.Caps, ConcurrentWrites: r.client.OnAWS()}
}

// readBack reads the pair after a failed operation, so state records what is real: the read the wait gave
// up on, or a fresh one. An empty result means nothing could be read.
func (r *bucketPairResource) readBack(ctx context.Context, spec s3api.PairSpec, opErr error, diags *diag.Diagnostics) s3api.PairObserved {
	var nc *s3api.NotConvergedError
	if errors.As(opErr, &nc) {
		return nc.Observed
	}
	observed, err := s3api.ObservePairWith(ctx, r.client.S3, r.client.Caps, spec.Media.Bucket, spec.Static.Bucket)
	if err != nil {
		diags.AddWarning("Cannot read the bucket pair back", errorDetail(r.client, err, "State records the pair as planned; the next refresh corrects it."))
		return s3api.PairObserved{}
	}
	return observed
}

// stateSetter is the part of tfsdk.State that setState needs; Create and Update both pass theirs.
type stateSetter interface {
	Set(context.Context, any) diag.Diagnostics
}

// setState records the pair as S3 reported it (as planned, where nothing could be read).
func (r *bucketPairResource) setState(ctx context.Context, m *bucketPairModel, region string, observed s3api.PairObserved, state stateSetter, diags *diag.Diagnostics) {
	if observed.Media != nil || observed.Static != nil {
		diags.Append(m.setObserved(ctx, region, r.client.OnAWS(), observed, r.defaultTags)...)
	}
	diags.Append(state.Set(ctx, m)...)
}

// withTimeout bounds an operation by the timeouts block's value for it, or its default.
func withTimeout(ctx context.Context, configured func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	fallback time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	timeout, d := configured(ctx, fallback)
	diags.Append(d...)
	return context.WithTimeout(ctx, timeout)
}

// tfLogger passes the S3 layer's steps to Terraform's log, in the context of the running operation.
type tfLogger struct{ ctx context.Context }

var _ s3api.Logger = tfLogger{}

func (l tfLogger) Info(msg string, fields map[string]any) { tflog.Info(l.ctx, msg, fields) }
func (l tfLogger) Warn(msg string, fields map[string]any) { tflog.Warn(l.ctx, msg, fields) }
