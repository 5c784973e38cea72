// Package provider is the Terraform layer: schemas, plan logic and the mapping between Terraform values
// and the plain types of the packages below it. It is the only package that imports terraform-plugin-*.
package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/smithy-go/logging"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var (
	_ provider.Provider              = (*protectedMediaProvider)(nil)
	_ provider.ProviderWithFunctions = (*protectedMediaProvider)(nil)
)

// New returns the provider factory that main and the tests serve.
func New(version string) func() provider.Provider {
	return newWithClock(version, time.Now)
}

// newWithClock is New with the clock resources check times against (as_of is in the past); tests pass a
// fake one.
func newWithClock(version string, now func() time.Time) func() provider.Provider {
	return func() provider.Provider { return &protectedMediaProvider{version: version, now: now} }
}

type protectedMediaProvider struct {
	version string
	now     func() time.Time
}

type providerModel struct {
	Region       types.String `tfsdk:"region"`
	Profile      types.String `tfsdk:"profile"`
	AccessKey    types.String `tfsdk:"access_key"`
	SecretKey    types.String `tfsdk:"secret_key"`
	Token        types.String `tfsdk:"token"`
	Endpoint     types.String `tfsdk:"endpoint"`
	UsePathStyle types.Bool   `tfsdk:"use_path_style"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
	MFASerial    types.String `tfsdk:"mfa_serial"`
	MFACode      types.String `tfsdk:"mfa_code"`

	SkipBucketOwnerCheck types.Bool   `tfsdk:"skip_bucket_owner_check"`
	UnsupportedFeatures  types.Set    `tfsdk:"unsupported_features"`
	Checksums            types.String `tfsdk:"checksums"`

	// DefaultTags is the default_tags block: an object with one attribute, tags; null without the block.
	DefaultTags types.Object `tfsdk:"default_tags"`
}

// providerData is what resources get from Configure.
type providerData struct {
	client *s3api.Client
	// mfa is the provider-level device serial and code: the only code a destroy can use, since destroy
	// sees no resource configuration.
	mfa s3api.MFA
	// callerARN names the principal the credentials belong to, asking STS at most once.
	callerARN func() (string, error)
	// accountBlock is the account's own S3 Block Public Access, asked of S3 Control at most once.
	accountBlock func() (s3api.AccountBlock, error)
	// now is the provider's clock.
	now func() time.Time
	// defaultTags are the default_tags block's tags, which every pair merges with its own; nil without any.
	defaultTags map[string]string
}

func (p *protectedMediaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "protectedmedia"
	resp.Version = p.version
}

func (p *protectedMediaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Creates and guards the S3 buckets of a Django site: a versioned, locked-down bucket for " +
			"user uploads (media) and an unversioned bucket for `collectstatic` output (static), with optional MFA " +
			"Delete, drift detection and repair. Credentials and region come from the standard AWS chain unless set here.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "AWS region of the buckets. Defaults to `AWS_REGION` / `AWS_DEFAULT_REGION` or the " +
					"shared config profile. With no region anywhere: the region an AWS `endpoint` names " +
					"(`s3-fips.us-gov-west-1.amazonaws.com`) or a known service's `endpoint` signs for (" + knownServicesMarkdown +
					"), else, with another S3-compatible server's `endpoint`, `us-east-1`. A region set here that differs from " +
					"the known service's is used, with a warning.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile from the shared config and credentials files. Defaults to `AWS_PROFILE`.",
			},
			"access_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Access key ID. Prefer the standard chain (environment, profiles, SSO, roles): a key " +
					"written here ends up in your configuration files. Requires `secret_key`.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Secret access key matching `access_key`.",
			},
			"token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Session token of temporary credentials (from STS: an assumed role, a federation " +
					"or MFA session), sent with `access_key` and `secret_key`, which it requires. Feed all three from " +
					"ephemeral variables so none is stored in a plan or state file.",
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "URL of an S3-compatible endpoint, for example `https://s3.example.internal:8443`. " +
					"Defaults to `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL` or a profile's `endpoint_url`, else AWS " +
					"itself. Private certificate authorities are trusted through `AWS_CA_BUNDLE`.",
			},
			"use_path_style": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Address buckets as `https://endpoint/bucket` instead of `https://bucket.endpoint`. " +
					"Defaults to `true` when `endpoint` is an S3-compatible server's (such servers rarely have wildcard " +
					"DNS) other than DigitalOcean Spaces (`<region>.digitaloceanspaces.com`, whose documentation configures " +
					"virtual-hosted addressing), `false` on AWS, including when `endpoint` is one of AWS's own S3 endpoints: regional " +
					"(`s3.<region>.amazonaws.com`), FIPS (`s3-fips.…`), dual-stack (`s3.dualstack.…`) or a VPC interface " +
					"endpoint (`bucket.vpce-….s3.<region>.vpce.amazonaws.com`), in any partition.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a throttled, failed (5xx) or dropped request is retried with backoff " +
					"before the error is reported. Defaults to `5`.",
				Validators: []validator.Int64{int64validator.Between(0, 25)},
			},
			"skip_bucket_owner_check": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Stop sending the expected bucket owner with every request. By default every request " +
					"about a pair's buckets names the account of the provider's credentials (`x-amz-expected-bucket-owner`, " +
					"the account from STS `GetCallerIdentity`), so S3 refuses to read, change or delete a bucket of the " +
					"same name that another account owns. Set `true` only for an S3-compatible endpoint that has no STS " +
					"(the provider says so when it needs it); on AWS keep the default.",
			},
			"checksums": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "When requests carry the integrity checksums AWS SDKs add by default since early 2025, one of " +
					markdownList(s3api.ChecksumModes()) + ". `\"" + s3api.ChecksumsWhenSupported + "\"` sends a CRC32 with every " +
					"upload that can carry one (an `aws-chunked` body with a trailing `x-amz-checksum-crc32`) and checks the " +
					"checksum of every download; `\"" + s3api.ChecksumsWhenRequired + "\"` only where the operation requires one " +
					"(bucket configuration writes and `DeleteObjects` send `x-amz-checksum-crc32` either way). Defaults to `\"" +
					s3api.ChecksumsWhenSupported + "\"` on Amazon S3 (no `endpoint`, or one of AWS's own) and `\"" +
					s3api.ChecksumsWhenRequired + "\"` with any other `endpoint`, since several S3-compatible services (Backblaze B2 " +
					"among them) refuse the new headers. The provider's own requests today (bucket settings, listings, a " +
					"restore's copies) are the same in both modes: only uploads and downloads differ, which the application " +
					"makes, and the Django guide says what its boto3 needs. The SDK's `AWS_REQUEST_CHECKSUM_CALCULATION` and " +
					"`AWS_RESPONSE_CHECKSUM_VALIDATION` are not read: this argument decides.",
				Validators: []validator.String{stringvalidator.OneOf(s3api.ChecksumModes()...)},
			},
			"mfa_serial": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Serial number (ARN) of the bucket owner's MFA device, for buckets with `mfa_delete`. " +
					"A resource's own `mfa_serial` overrides it.",
				Validators: []validator.String{mfaSerialValidator{}},
			},
			"mfa_code": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "A current one-time code from the MFA device, for **destroy** of a media bucket with MFA " +
					"Delete and `media_force_destroy` (destroy sees no resource configuration), and as a fallback for the " +
					"resource's write-only `mfa_code`. Feed it from an ephemeral variable " +
					"(`variable \"mfa_code\" { ephemeral = true }`) so it is stored in no state or plan file.",
				Validators: []validator.String{mfaCodeValidator{}},
			},
			"unsupported_features": unsupportedFeaturesAttribute(),
		},
		Blocks: map[string]schema.Block{
			"default_tags": schema.SingleNestedBlock{
				MarkdownDescription: "Tags for every `protectedmedia_bucket_pair` to put on both its buckets, as the AWS " +
					"provider's `default_tags` block does. Each pair merges them with its own `tags` (the pair's value wins " +
					"on a key both set) into its `tags_all`, which is what the buckets carry; changing them plans an update " +
					"of every pair. A pair's `tags` leave them out when they read the buckets back, so a default tag is not " +
					"listed twice.",
				Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{
						ElementType:         types.StringType,
						Optional:            true,
						MarkdownDescription: "The default tags. " + tagRulesMarkdown(),
						Validators:          []validator.Map{tagsValidator{}},
					},
				},
			},
		},
	}
}

func (p *protectedMediaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"region": cfg.Region, "profile": cfg.Profile, "access_key": cfg.AccessKey, "secret_key": cfg.SecretKey, "token": cfg.Token,
		"endpoint": cfg.Endpoint, "use_path_style": cfg.UsePathStyle, "max_retries": cfg.MaxRetries,
		"mfa_serial": cfg.MFASerial, "mfa_code": cfg.MFACode, "skip_bucket_owner_check": cfg.SkipBucketOwnerCheck,
		"unsupported_features": cfg.UnsupportedFeatures,
		"checksums":            cfg.Checksums,
	} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Provider argument not known yet",
				"The provider needs "+name+" to talk to S3, but its value is only known after apply. Set it from a "+
					"variable or a value known at plan time.")
		}
	}
	defaultTags, known, d := defaultTagsOf(ctx, cfg.DefaultTags)
	resp.Diagnostics.Append(d...)
	if !known {
		resp.Diagnostics.AddAttributeError(path.Root("default_tags").AtName("tags"), "Provider argument not known yet",
			"Every pair plans its tags_all from default_tags, but their value is only known after apply. Set them from "+
				"variables or other values known at plan time.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	clientCfg := toClientConfig(cfg)
	clientCfg.Logger = sdkLogger{ctx: ctx}
	clientCfg.Unsupported, d = unsupportedFeaturesOf(ctx, cfg.UnsupportedFeatures)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	client, err := s3api.New(ctx, clientCfg)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the S3 client", err.Error())
		return
	}
	if resp.Diagnostics.Append(unsupportedOnAWS(client, clientCfg.Unsupported)...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(serviceRegionWarning(client)...)
	data := &providerData{
		client:       client,
		mfa:          s3api.MFA{Serial: cfg.MFASerial.ValueString(), Code: cfg.MFACode.ValueString()},
		callerARN:    func() (string, error) { return s3api.FindCallerARN(client) },
		accountBlock: func() (s3api.AccountBlock, error) { return s3api.FindAccountBlock(client) },
		now:          p.now,
		defaultTags:  defaultTags,
	}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// providerDataFrom unpacks what the provider's Configure hands resources and data sources; nil while the
// provider is not configured yet (validate).
func providerDataFrom(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T", raw))
	}
	return data
}

// defaultTagsOf reads the default_tags block: nil without the block or its tags. known is false when a tag
// (or the whole map) is not known yet.
func defaultTagsOf(ctx context.Context, block types.Object) (tags map[string]string, known bool, diags diag.Diagnostics) {
	if block.IsUnknown() {
		return nil, false, nil
	}
	if block.IsNull() {
		return nil, true, nil
	}
	m, ok := block.Attributes()["tags"].(types.Map)
	if !ok {
		diags.AddError("Unexpected default_tags", fmt.Sprintf("expected a map of tags, got %T", block.Attributes()["tags"]))
		return nil, true, diags
	}
	return knownStringMap(ctx, m)
}

// knownStringMap converts a map of strings: nil when it is null; known is false when it or one of its
// values is unknown.
func knownStringMap(ctx context.Context, m types.Map) (out map[string]string, known bool, diags diag.Diagnostics) {
	if m.IsUnknown() {
		return nil, false, nil
	}
	if m.IsNull() {
		return nil, true, nil
	}
	for _, v := range m.Elements() {
		if v.IsUnknown() {
			return nil, false, nil
		}
	}
	diags = m.ElementsAs(ctx, &out, false)
	return out, true, diags
}

// toClientConfig maps the provider block to the S3 layer's plain configuration.
func toClientConfig(m providerModel) s3api.Config {
	c := s3api.Config{
		Region:       m.Region.ValueString(),
		Profile:      m.Profile.ValueString(),
		AccessKey:    m.AccessKey.ValueString(),
		SecretKey:    m.SecretKey.ValueString(),
		SessionToken: m.Token.ValueString(),
		Endpoint:     m.Endpoint.ValueString(),

		SkipBucketOwnerCheck: m.SkipBucketOwnerCheck.ValueBool(),
		Checksums:            m.Checksums.ValueString(),
	}
	if !m.UsePathStyle.IsNull() {
		v := m.UsePathStyle.ValueBool()
		c.UsePathStyle = &v
	}
	if !m.MaxRetries.IsNull() {
		v := int(m.MaxRetries.ValueInt64())
		c.MaxRetries = &v
	}
	return c
}

func (p *protectedMediaProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewBucketPairResource, NewMediaRestoreResource}
}

func (p *protectedMediaProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewMediaChangesDataSource}
}

func (p *protectedMediaProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{NewDjangoStoragesFunction}
}

// sdkLogger passes the AWS SDK's retry lines (operation, attempt, error; never headers or bodies) to
// Terraform's log, in the context of the request being retried.
type sdkLogger struct{ ctx context.Context }

var _ logging.ContextLogger = sdkLogger{}

func (l sdkLogger) Logf(_ logging.Classification, format string, v ...any) {
	tflog.Warn(l.ctx, "S3: "+fmt.Sprintf(format, v...))
}

func (l sdkLogger) WithContext(ctx context.Context) logging.Logger { return sdkLogger{ctx: ctx} }
