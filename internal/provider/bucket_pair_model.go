package provider

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/djangoconfig"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// bucketPairModel is the resource's Terraform data.
type bucketPairModel struct {
	ID                     types.String `tfsdk:"id"`
	MediaBucket            types.String `tfsdk:"media_bucket"`
	StaticBucket           types.String `tfsdk:"static_bucket"`
	BucketNamespace        types.String `tfsdk:"bucket_namespace"`
	StaticPublicRead       types.Bool   `tfsdk:"static_public_read"`
	MediaForceDestroy      types.Bool   `tfsdk:"media_force_destroy"`
	Tags                   types.Map    `tfsdk:"tags"`
	TagsAll                types.Map    `tfsdk:"tags_all"`
	MediaVersioning        types.String `tfsdk:"media_versioning"`
	StaticVersioning       types.String `tfsdk:"static_versioning"`
	Drift                  types.List   `tfsdk:"drift"`
	Region                 types.String `tfsdk:"region"`
	MediaBucketARN         types.String `tfsdk:"media_bucket_arn"`
	StaticBucketARN        types.String `tfsdk:"static_bucket_arn"`
	MediaBucketDomainName  types.String `tfsdk:"media_bucket_domain_name"`
	StaticBucketDomainName types.String `tfsdk:"static_bucket_domain_name"`
	DjangoStorages         types.String `tfsdk:"django_storages"`
	MFADelete              types.Bool   `tfsdk:"mfa_delete"`
	MFASerial              types.String `tfsdk:"mfa_serial"`
	// MFACode is write-only: Terraform keeps it out of plan and state; only the configuration has it.
	MFACode  types.String   `tfsdk:"mfa_code"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`

	GuardExemptPrincipals types.Set `tfsdk:"guard_exempt_principals"`

	AppPolicyJSON    types.String `tfsdk:"app_policy_json"`
	DeployPolicyJSON types.String `tfsdk:"deploy_policy_json"`

	NoncurrentVersionRetentionDays types.Int64 `tfsdk:"noncurrent_version_retention_days"`
	NoncurrentVersionsToKeep       types.Int64 `tfsdk:"noncurrent_versions_to_keep"`
	AbortIncompleteUploadsDays     types.Int64 `tfsdk:"abort_incomplete_uploads_days"`
	NoncurrentVersionTransitions   types.List  `tfsdk:"noncurrent_version_transitions"`

	StaticCDN             types.Object `tfsdk:"static_cdn"`
	MediaCDN              types.Object `tfsdk:"media_cdn"`
	StaticCORSRules       types.List   `tfsdk:"static_cors_rules"`
	MediaCORSRules        types.List   `tfsdk:"media_cors_rules"`
	MediaExtraPolicyJSON  types.String `tfsdk:"media_extra_policy_json"`
	StaticExtraPolicyJSON types.String `tfsdk:"static_extra_policy_json"`

	DjangoStoragesBackend types.String `tfsdk:"django_storages_backend"`
	StaticManifest        types.Bool   `tfsdk:"static_manifest"`

	MediaReplication                 types.Object `tfsdk:"media_replication"`
	ReplicationRolePolicyJSON        types.String `tfsdk:"replication_role_policy_json"`
	ReplicationTrustPolicyJSON       types.String `tfsdk:"replication_trust_policy_json"`
	ReplicationDestinationPolicyJSON types.String `tfsdk:"replication_destination_policy_json"`

	MediaKMSKeyARN  types.String `tfsdk:"media_kms_key_arn"`
	StaticKMSKeyARN types.String `tfsdk:"static_kms_key_arn"`

	MediaObjectLock        types.Object `tfsdk:"media_object_lock"`
	MediaObjectLockEnabled types.Bool   `tfsdk:"media_object_lock_enabled"`
}

// equal reports whether every attribute of m holds the same value as in o, as Terraform compares them (an
// empty list equals an empty list however it was built).
func (m bucketPairModel) equal(o bucketPairModel) bool {
	a, b := reflect.ValueOf(m), reflect.ValueOf(o)
	for i := range a.NumField() {
		x, y := a.Field(i).Interface(), b.Field(i).Interface()
		if t, ok := x.(timeouts.Value); ok {
			// Its Equal is the embedded object's, which only accepts a bare object.
			u, _ := y.(timeouts.Value)
			x, y = t.Object, u.Object
		}
		xv, xok := x.(attr.Value)
		yv, yok := y.(attr.Value)
		if !xok || !yok || !xv.Equal(yv) {
			return false
		}
	}
	return true
}

// pairSpec is the plain form of what the configuration asks for.
type pairSpec struct {
	Media, Static    string
	Region           string
	Namespace        string
	StaticPublicRead bool
	MFADelete        bool
	Tags             map[string]string
	Retention        bucketstate.Retention
	GuardExempt      []string
	StaticCDN        cdn
	MediaCDN         cdn
	StaticCORS       []bucketstate.CORSRule
	MediaCORS        []bucketstate.CORSRule
	// StaticExtraPolicy and MediaExtraPolicy are the user's extra policy documents; "" for none.
	StaticExtraPolicy, MediaExtraPolicy string
	// MediaReplica is media_replication; nil for none.
	MediaReplica *bucketstate.ReplicaSpec
	// MediaKMSKey and StaticKMSKey are the buckets' KMS key ARNs; "" for SSE-S3.
	MediaKMSKey, StaticKMSKey string
	// MediaObjectLock is the media bucket's default retention; nil for none.
	MediaObjectLock *bucketstate.LockRetention
}

// toSpec reads the desired pair from a plan or state: null and unknown tags, guard and retention arguments
// all mean "none". The buckets' tags are tags_all, what was planned or last applied; where that is not known
// (a state from before tags_all, an import), the provider's defaults merged with the pair's own tags. Callers
// only use it once the names are known.
func toSpec(ctx context.Context, m bucketPairModel, region string, defaults map[string]string) (pairSpec, diag.Diagnostics) {
	s := pairSpec{
		Media:            m.MediaBucket.ValueString(),
		Static:           m.StaticBucket.ValueString(),
		Region:           region,
		Namespace:        m.BucketNamespace.ValueString(),
		StaticPublicRead: m.StaticPublicRead.ValueBool(),
		MFADelete:        m.MFADelete.ValueBool(),
		Retention: bucketstate.Retention{
			NoncurrentDays:      int(m.NoncurrentVersionRetentionDays.ValueInt64()),
			KeepNoncurrent:      int(m.NoncurrentVersionsToKeep.ValueInt64()),
			AbortIncompleteDays: int(m.AbortIncompleteUploadsDays.ValueInt64()),
		},
	}
	var diags diag.Diagnostics
	switch {
	case !m.TagsAll.IsNull() && !m.TagsAll.IsUnknown():
		diags = m.TagsAll.ElementsAs(ctx, &s.Tags, false)
	case !m.Tags.IsNull() && !m.Tags.IsUnknown():
		diags = m.Tags.ElementsAs(ctx, &s.Tags, false)
		s.Tags = bucketstate.MergeTags(defaults, s.Tags)
	case len(defaults) > 0:
		s.Tags = bucketstate.MergeTags(defaults, nil)
	}
	if len(s.Tags) == 0 {
		s.Tags = nil // no tags, however they were written down
	}
	var d diag.Diagnostics
	s.GuardExempt, _, d = knownStrings(ctx, m.GuardExemptPrincipals)
	diags.Append(d...)
	s.Retention.Transitions, _, d = transitionsOf(ctx, m.NoncurrentVersionTransitions)
	diags.Append(d...)
	s.StaticCORS, _, d = corsRulesOf(ctx, m.StaticCORSRules)
	diags.Append(d...)
	s.MediaCORS, _, d = corsRulesOf(ctx, m.MediaCORSRules)
	diags.Append(d...)
	s.StaticCDN, _ = cdnOf(m.StaticCDN)
	s.MediaCDN, _ = cdnOf(m.MediaCDN)
	s.StaticExtraPolicy, s.MediaExtraPolicy = m.StaticExtraPolicyJSON.ValueString(), m.MediaExtraPolicyJSON.ValueString()
	s.MediaReplica, _ = replicaOf(m.MediaReplication)
	s.MediaKMSKey, s.StaticKMSKey = m.MediaKMSKeyARN.ValueString(), m.StaticKMSKeyARN.ValueString()
	s.MediaObjectLock, _ = objectLockOf(m.MediaObjectLock)
	return s, diags
}

// stringElements is a types.List or types.Set of strings.
type stringElements interface {
	IsNull() bool
	IsUnknown() bool
	Elements() []attr.Value
	ElementsAs(ctx context.Context, target any, allowUnhandled bool) diag.Diagnostics
}

// knownStrings is a list or set of strings as a slice, nil when it is null; known is false when it or one of
// its values is unknown (then it is nil too).
func knownStrings(ctx context.Context, l stringElements) ([]string, bool, diag.Diagnostics) {
	if l.IsNull() {
		return nil, true, nil
	}
	if l.IsUnknown() {
		return nil, false, nil
	}
	for _, e := range l.Elements() {
		if e.IsUnknown() {
			return nil, false, nil
		}
	}
	var out []string
	diags := l.ElementsAs(ctx, &out, false)
	return out, true, diags
}

// objectReader reads a nested argument's attributes by name, for the conversions of static_cdn, media_cdn,
// media_replication and media_object_lock. An attribute the object does not have (cloudfront_key_id exists
// only in media_cdn) reads as null; known turns false at the first unknown one.
type objectReader struct {
	attrs map[string]attr.Value
	known bool
}

func readObject(o types.Object) *objectReader {
	return &objectReader{attrs: o.Attributes(), known: true}
}

func (r *objectReader) str(name string) string {
	v, ok := r.attrs[name].(types.String)
	if !ok {
		return ""
	}
	r.known = r.known && !v.IsUnknown()
	return v.ValueString()
}

func (r *objectReader) number(name string) int {
	v, ok := r.attrs[name].(types.Int64)
	if !ok {
		return 0
	}
	r.known = r.known && !v.IsUnknown()
	return int(v.ValueInt64())
}

// pair is what the S3 layer's pair operations take: the desired settings of both buckets. onAWS says the
// endpoint is Amazon S3's, whose answers always tell whether SSE-C is blocked.
// An extra policy that is not a policy document fails: plan-time validation catches it whenever the value
// is known then.
func (s pairSpec) pair(onAWS bool) (s3api.PairSpec, error) {
	partition := s3api.PartitionOf(s.Region).ID
	mediaARN, staticARN := bucketstate.BucketARN(partition, s.Media), bucketstate.BucketARN(partition, s.Static)
	p := s3api.PairSpec{
		Region:    s.Region,
		Namespace: s.Namespace,
		Media:     bucketstate.MediaDesired(s.Media, mediaARN, s.MFADelete, s.Tags, s.Retention, s.GuardExempt),
		Static:    bucketstate.StaticDesired(s.Static, staticARN, s.StaticPublicRead, s.Tags, s.Retention),
	}
	p.Media.KnowsSSECBlocking, p.Static.KnowsSSECBlocking = onAWS, onAWS
	p.Media.CORS, p.Static.CORS = s.MediaCORS, s.StaticCORS
	p.Media.Replication = bucketstate.MediaReplication(s.MediaReplica)
	p.Media.ObjectLock = s.MediaObjectLock
	p.Media, p.Static = p.Media.WithKMSKey(s.MediaKMSKey), p.Static.WithKMSKey(s.StaticKMSKey)
	var err error
	if p.Media.Policy, err = bucketpolicy.WithAdditions(p.Media.Policy, policyAdditions(mediaARN, s.MediaCDN, s.MediaExtraPolicy)); err != nil {
		return p, fmt.Errorf("media_extra_policy_json: %w", err)
	}
	if p.Static.Policy, err = bucketpolicy.WithAdditions(p.Static.Policy, policyAdditions(staticARN, s.StaticCDN, s.StaticExtraPolicy)); err != nil {
		return p, fmt.Errorf("static_extra_policy_json: %w", err)
	}
	return p, nil
}

// setPlanned fills in a plan what follows from the configuration and the provider, and what a repair will
// make of versioning and the tags. An existing pair keeps its region (buckets never move); drift is planned
// away.
func (m *bucketPairModel) setPlanned(ctx context.Context, c *s3api.Client, creating bool, state bucketPairModel, defaults map[string]string) diag.Diagnostics {
	sameBuckets := !creating && state.MediaBucket.Equal(m.MediaBucket) && state.StaticBucket.Equal(m.StaticBucket)
	region := c.Region
	if sameBuckets && !state.Region.IsNull() {
		region = state.Region.ValueString()
	}
	diags := m.setDerived(c, region)

	m.MediaVersioning = types.StringValue(bucketstate.VersioningEnabled)
	m.StaticVersioning = types.StringValue(bucketstate.VersioningDisabled)
	if sameBuckets && !state.StaticVersioning.IsNull() {
		// A static bucket never versioned stays so; one versioned out of band is suspended, as close to
		// unversioned as S3 allows.
		m.StaticVersioning = state.StaticVersioning
		if state.StaticVersioning.ValueString() == bucketstate.VersioningEnabled {
			m.StaticVersioning = types.StringValue(bucketstate.VersioningSuspended)
		}
	}
	m.Drift = types.ListValueMust(types.StringType, nil)
	m.MediaObjectLockEnabled = plannedObjectLockEnabled(creating, state, *m)
	m.TagsAll = types.MapUnknown(types.StringType)
	if !m.Tags.IsUnknown() {
		diags.Append(m.settleTagsAll(ctx, defaults)...)
	}
	return diags
}

// settleTagsAll makes tags_all the provider's defaults merged with the pair's own tags, when it is not known
// yet (at plan time, and at apply for tags only known then). The tags must be known.
func (m *bucketPairModel) settleTagsAll(ctx context.Context, defaults map[string]string) diag.Diagnostics {
	if !m.TagsAll.IsUnknown() && !m.TagsAll.IsNull() {
		return nil
	}
	var own map[string]string
	var diags diag.Diagnostics
	if !m.Tags.IsNull() {
		diags = m.Tags.ElementsAs(ctx, &own, false)
	}
	var d diag.Diagnostics
	m.TagsAll, d = types.MapValueFrom(ctx, types.StringType, bucketstate.MergeTags(defaults, own))
	return append(diags, d...)
}

// setDerived fills every attribute that follows from the names, the arguments and the provider configuration
// alone. The plan and the state both get them, so they are known at plan time and never differ after apply;
// django_storages is unknown while an argument it follows is.
func (m *bucketPairModel) setDerived(c *s3api.Client, region string) diag.Diagnostics {
	media, static := m.MediaBucket.ValueString(), m.StaticBucket.ValueString()
	m.ID = types.StringValue(pairID(media, static))
	m.Region = types.StringValue(region)
	partition := s3api.PartitionOf(region)
	m.MediaBucketARN = types.StringValue(bucketstate.BucketARN(partition.ID, media))
	m.StaticBucketARN = types.StringValue(bucketstate.BucketARN(partition.ID, static))
	m.MediaBucketDomainName = types.StringValue(bucketstate.DomainName(media, region, partition.DNSSuffix, c.CustomEndpoint(), c.PathStyle))
	m.StaticBucketDomainName = types.StringValue(bucketstate.DomainName(static, region, partition.DNSSuffix, c.CustomEndpoint(), c.PathStyle))
	m.AppPolicyJSON, m.DeployPolicyJSON = identityPolicies(m.MediaBucketARN.ValueString(), m.StaticBucketARN.ValueString(), m.MediaKMSKeyARN, m.StaticKMSKeyARN)
	m.setReplicationPolicies()

	var diags diag.Diagnostics
	in, known := m.djangoInputs(region)
	if !known {
		m.DjangoStorages = types.StringUnknown()
		return diags
	}
	rendered, err := djangoconfig.Render(djangoConfigFor(c, in))
	if err != nil {
		diags.AddError("Cannot render the Django storage configuration", err.Error())
		return diags
	}
	m.DjangoStorages = types.StringValue(rendered)
	return diags
}

// djangoInputs are the pair's arguments that the Django storage configuration follows.
type djangoInputs struct {
	Media, Static, Region string
	StaticPublicRead      bool
	StaticCDN, MediaCDN   cdn
	Backend               string
	StaticManifest        bool
}

// djangoInputs reads them from the model; known is false while one of them is unknown.
func (m bucketPairModel) djangoInputs(region string) (djangoInputs, bool) {
	in := djangoInputs{
		Media:            m.MediaBucket.ValueString(),
		Static:           m.StaticBucket.ValueString(),
		Region:           region,
		StaticPublicRead: m.StaticPublicRead.ValueBool(),
		Backend:          m.DjangoStoragesBackend.ValueString(),
		StaticManifest:   m.StaticManifest.ValueBool(),
	}
	var staticKnown, mediaKnown bool
	in.StaticCDN, staticKnown = cdnOf(m.StaticCDN)
	in.MediaCDN, mediaKnown = cdnOf(m.MediaCDN)
	known := staticKnown && mediaKnown && !m.StaticPublicRead.IsUnknown() && !m.DjangoStoragesBackend.IsUnknown() &&
		!m.StaticManifest.IsUnknown()
	return in, known
}

// djangoConfigFor is the storage configuration of a pair: Django is told the endpoint and addressing style
// only for an S3-compatible server; behind one of AWS's own endpoints, boto3 finds AWS by itself.
func djangoConfigFor(c *s3api.Client, in djangoInputs) djangoconfig.Config {
	cfg := djangoconfig.Config{
		MediaBucket:          in.Media,
		StaticBucket:         in.Static,
		Region:               in.Region,
		EndpointURL:          c.CustomEndpoint(),
		StaticPublicRead:     in.StaticPublicRead,
		Backend:              in.Backend,
		StaticManifest:       in.StaticManifest,
		StaticCustomDomain:   in.StaticCDN.CustomDomain,
		MediaCustomDomain:    in.MediaCDN.CustomDomain,
		MediaCloudFrontKeyID: in.MediaCDN.CloudFrontKeyID,
	}
	if cfg.EndpointURL != "" {
		cfg.AddressingStyle = "virtual"
		if c.PathStyle {
			cfg.AddressingStyle = "path"
		}
	}
	return cfg
}

// setObserved records what S3 reported. A missing bucket leaves its versioning null, and the drift list
// says it is missing. static_public_read, tags, tags_all and mfa_delete are read back from the buckets, so
// changes made outside Terraform show up as planned changes to those arguments; tags without the provider's
// defaults (see bucketstate.OwnTags), and neither with AWS's system tags. The drift list compares S3 with
// what Terraform last applied (the prior values of m); right after an import there is no such thing, and
// the buckets' own values stand in.
func (m *bucketPairModel) setObserved(ctx context.Context, region string, onAWS bool, observed s3api.PairObserved, defaults map[string]string) diag.Diagnostics {
	media, static := observed.Media, observed.Static
	imported := m.Drift.IsNull()
	prior, diags := toSpec(ctx, *m, region, defaults)

	m.MediaVersioning = versioningValue(media)
	m.StaticVersioning = versioningValue(static)
	if m.BucketNamespace.IsNull() || m.BucketNamespace.IsUnknown() {
		// Imported, or from before the argument: S3 tells no bucket's namespace, but its name does.
		m.BucketNamespace = types.StringValue(bucketname.NamespaceOf(m.MediaBucket.ValueString()))
	}
	// A feature the service lacks was not read: its arguments keep what was configured, as nothing can differ.
	if static != nil && !static.Unsupported.Has(bucketstate.FeaturePolicy) {
		arn := bucketstate.BucketARN(s3api.PartitionOf(region).ID, m.StaticBucket.ValueString())
		if pr, ok := bucketstate.PublicReadOf(arn, static.Policy, policyAdditions(arn, prior.StaticCDN, prior.StaticExtraPolicy), prior.StaticPublicRead); ok {
			m.StaticPublicRead = types.BoolValue(pr)
		}
	}
	if static != nil {
		if m.StaticCORSRules.IsNull() || m.StaticCORSRules.IsUnknown() {
			// Imported, or from before the argument: the bucket's own rules.
			m.StaticCORSRules = corsRulesValue(static.CORS)
		}
	}
	if media != nil && imported && len(media.CORS) > 0 {
		m.MediaCORSRules = corsRulesValue(media.CORS)
	}
	if imported {
		m.importReplication(media)
	}
	if imported {
		m.MediaKMSKeyARN, m.StaticKMSKeyARN = importedKMSKey(media), importedKMSKey(static)
	}
	if media != nil && !media.Unsupported.Has(bucketstate.FeatureTagging) {
		userTags := bucketstate.MergeTags(nil, bucketstate.UserTags(media.Tags))
		priorOwn, _, d := knownStringMap(ctx, m.Tags)
		diags.Append(d...)
		if priorOwn == nil && !imported {
			priorOwn = map[string]string{} // none configured, as opposed to none known
		}
		m.Tags, d = tagsValue(ctx, m.Tags, bucketstate.OwnTags(userTags, defaults, priorOwn))
		diags.Append(d...)
		m.TagsAll, d = types.MapValueFrom(ctx, types.StringType, userTags)
		diags.Append(d...)
	}
	if media != nil {
		m.MFADelete = types.BoolValue(media.MFADelete)
		m.MediaObjectLock = objectLockValue(media.ObjectLock.Default)
		m.MediaObjectLockEnabled = types.BoolValue(media.ObjectLock.Enabled)
		if !media.Unsupported.Has(bucketstate.FeaturePolicy) {
			m.GuardExemptPrincipals = guardValue(ctx, media.Policy, &diags)
		}
		if !media.Lifecycle.Foreign && !media.Unsupported.Has(bucketstate.FeatureLifecycle) {
			m.NoncurrentVersionRetentionDays = optionalInt(media.Lifecycle.NoncurrentDays)
			m.NoncurrentVersionsToKeep = optionalInt(media.Lifecycle.KeepNoncurrent)
			m.NoncurrentVersionTransitions = transitionsValue(media.Lifecycle.Transitions)
		}
	}
	if static != nil && !static.Lifecycle.Foreign && !static.Unsupported.Has(bucketstate.FeatureLifecycle) {
		m.AbortIncompleteUploadsDays = types.Int64Value(int64(static.Lifecycle.AbortIncompleteDays))
	}
	if m.AbortIncompleteUploadsDays.IsNull() || m.AbortIncompleteUploadsDays.IsUnknown() {
		m.AbortIncompleteUploadsDays = types.Int64Value(defaultAbortIncompleteDays)
	}
	for _, b := range []*types.Bool{&m.StaticPublicRead, &m.MediaForceDestroy, &m.MFADelete, &m.StaticManifest, &m.MediaObjectLockEnabled} {
		if b.IsNull() || b.IsUnknown() {
			*b = types.BoolValue(false)
		}
	}
	if m.DjangoStoragesBackend.IsNull() || m.DjangoStoragesBackend.IsUnknown() {
		// Imported, or from before the argument: the default, which S3 cannot tell.
		m.DjangoStoragesBackend = types.StringValue(djangoconfig.BackendS3Boto3)
	}

	if m.TagsAll.IsUnknown() {
		// Planned without the tags known, and the media bucket could not be read: what was asked for.
		var d diag.Diagnostics
		m.TagsAll, d = types.MapValueFrom(ctx, types.StringType, bucketstate.MergeTags(nil, prior.Tags))
		diags.Append(d...)
	}

	want := prior
	if imported {
		var d diag.Diagnostics
		want, d = toSpec(ctx, *m, region, defaults)
		diags.Append(d...)
	}
	pair, err := want.pair(onAWS)
	if err != nil {
		diags.Append(invalidExtraPolicy(err))
		return diags
	}
	list, d := types.ListValueFrom(ctx, types.StringType, bucketstate.Strings(pair.Drift(observed)))
	diags.Append(d...)
	m.Drift = list
	return diags
}

func versioningValue(s *bucketstate.Settings) types.String {
	if s == nil {
		return types.StringNull()
	}
	return types.StringValue(s.Versioning)
}

// tagsValue keeps a null tags argument null while the bucket has no tags, so an unset argument does not
// plan a change from null to {}.
func tagsValue(ctx context.Context, prior types.Map, observed map[string]string) (types.Map, diag.Diagnostics) {
	if len(observed) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.MapNull(types.StringType), nil
	}
	return types.MapValueFrom(ctx, types.StringType, observed)
}

func pairID(media, static string) string { return media + "," + static }

// guardValue reads the guard's exempt principals back from the media bucket's policy. A policy without a
// guard is a null set: an unset argument plans nothing, and a guard removed outside Terraform shows as a
// planned change back to the configured list.
func guardValue(ctx context.Context, policy string, diags *diag.Diagnostics) types.Set {
	exempt := bucketpolicy.GuardExempt(policy)
	if len(exempt) == 0 {
		return types.SetNull(types.StringType)
	}
	v, d := types.SetValueFrom(ctx, types.StringType, exempt)
	diags.Append(d...)
	return v
}

// optionalInt maps S3's "not set" (0) to null, so an unset argument does not plan a change to 0.
func optionalInt(n int) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(int64(n))
}
