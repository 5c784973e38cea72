package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/djangoconfig"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

var _ function.Function = (*djangoStoragesFunction)(nil)

// NewDjangoStoragesFunction returns provider::protectedmedia::django_storages, which renders the same
// Django STORAGES setting as the bucket pair's django_storages attribute from plain inputs, so a
// configuration that does not manage the pair (another workspace, a module) need not re-implement it.
func NewDjangoStoragesFunction() function.Function { return &djangoStoragesFunction{} }

type djangoStoragesFunction struct{}

// Argument positions, for errors that Terraform attributes to the argument.
const (
	argMediaBucket int64 = iota
	argStaticBucket
	argRegion
	argOptions
)

// The keys the options argument accepts. Options is a dynamic parameter, not an object one: function
// object parameters have no optional attributes, and forcing every caller to spell out every key (with
// nulls) would make the common AWS call noisy.
const (
	optEndpointURL          = "endpoint_url"
	optAddressingStyle      = "addressing_style"
	optStaticPublicRead     = "static_public_read"
	optBackend              = "backend"
	optStaticManifest       = "static_manifest"
	optStaticCustomDomain   = "static_custom_domain"
	optMediaCustomDomain    = "media_custom_domain"
	optMediaCloudFrontKeyID = "media_cloudfront_key_id"
)

func optionKeys() []string {
	return []string{
		optEndpointURL, optAddressingStyle, optStaticPublicRead, optBackend, optStaticManifest,
		optStaticCustomDomain, optMediaCustomDomain, optMediaCloudFrontKeyID,
	}
}

func (f *djangoStoragesFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "django_storages"
}

func (f *djangoStoragesFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Renders the Django STORAGES setting for a bucket pair",
		MarkdownDescription: "Renders the Django `STORAGES` setting (JSON) for a media and a static bucket, byte for byte " +
			"what the `django_storages` attribute of `protectedmedia_bucket_pair` holds for the same buckets, region, " +
			"endpoint and options. Use it where the pair itself is not in the configuration: an application workspace " +
			"that reads the bucket names from another workspace's outputs, or a module that is handed existing buckets. " +
			"It calls no API and needs no provider configuration.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "media_bucket",
				MarkdownDescription: "Name of the media (user uploads) bucket. Must be a valid S3 bucket name.",
			},
			function.StringParameter{
				Name:                "static_bucket",
				MarkdownDescription: "Name of the static (`collectstatic`) bucket. Must be a valid S3 bucket name, different from `media_bucket`.",
			},
			function.StringParameter{
				Name: "region",
				MarkdownDescription: "Region of both buckets, for example `eu-west-1` (the pair's `region` attribute). With the " +
					"endpoint of a service the provider knows, the rendered `region_name` is the region that service signs for, " +
					"as in the resource's attribute: " + knownServicesMarkdown + ".",
			},
			function.DynamicParameter{
				Name:           "options",
				AllowNullValue: true,
				MarkdownDescription: "An object with any of the following keys, or `{}` / `null` for the defaults " +
					"(buckets on AWS, static bucket public-read, no CDN); under OpenTofu pass `{}`, since it does not send " +
					"`null` function arguments. A key set to `null` counts as absent; any other key is an error.\n" +
					"    - `" + optEndpointURL + "` (String) URL of an S3-compatible endpoint, the provider's `endpoint`. " +
					"Omit it, or pass `\"\"`, for AWS. One of AWS's own S3 endpoints (regional, FIPS, dual-stack, or a " +
					"VPC interface endpoint) counts as AWS: it is left out of the result, as the resource leaves it out.\n" +
					"    - `" + optAddressingStyle + "` (String) One of " + markdownList(djangoconfig.AddressingStyles()) +
					"; `\"\"` lets boto3 choose, except with DigitalOcean Spaces' endpoint, which gets `\"virtual\"` as its " +
					"documentation configures. With an S3-compatible server's `endpoint` the resource renders `\"path\"` (provider " +
					"`use_path_style` unset or `true`; unset is `\"virtual\"` with Spaces) or `\"virtual\"` (`use_path_style = false`); " +
					"pass the same to get the same output.\n" +
					"    - `" + optStaticPublicRead + "` (Boolean) The pair's `static_public_read`: `true` renders unsigned " +
					"static URLs, `false` signed ones unless `" + optStaticCustomDomain + "` is set. Defaults to `true`.\n" +
					"    - `" + optBackend + "` (String) The pair's `django_storages_backend`: " + markdownList(djangoconfig.Backends()) +
					". Defaults to `\"" + djangoconfig.BackendS3Boto3 + "\"`.\n" +
					"    - `" + optStaticManifest + "` (Boolean) The pair's `static_manifest`: static files through the " +
					"manifest storage, with hashed names cached for a year (`" + djangoconfig.StaticCacheControl(true) +
					"`) instead of an hour (`" + djangoconfig.StaticCacheControl(false) + "`). Defaults to `false`.\n" +
					"    - `" + optStaticCustomDomain + "` (String) The `custom_domain` of the pair's `static_cdn`: a host " +
					"name such as `static.example.com`. Static URLs are then built on it, unsigned.\n" +
					"    - `" + optMediaCustomDomain + "` (String) The `custom_domain` of the pair's `media_cdn`. Requires `" +
					optMediaCloudFrontKeyID + "`.\n" +
					"    - `" + optMediaCloudFrontKeyID + "` (String) The `cloudfront_key_id` of the pair's `media_cdn`: the " +
					"ID of the CloudFront public key whose private key signs media URLs on `" + optMediaCustomDomain + "`. " +
					"Requires `" + optMediaCustomDomain + "`. The private key is never an argument: the application adds it.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *djangoStoragesFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var media, static, region string
	var options types.Dynamic
	resp.Error = req.Arguments.Get(ctx, &media, &static, &region, &options)
	if resp.Error != nil {
		return
	}
	cfg, known, funcErr := toDjangoConfig(media, static, region, options)
	if funcErr != nil {
		resp.Error = funcErr
		return
	}
	if !known {
		// Terraform does not call a function with unknown arguments it was not told to accept; a value that
		// slips through nested in options still gets an honest unknown result, not a guess.
		resp.Error = resp.Result.Set(ctx, types.StringUnknown())
		return
	}
	rendered, err := djangoconfig.Render(cfg)
	if err != nil {
		resp.Error = renderFuncError(err)
		return
	}
	resp.Error = resp.Result.Set(ctx, rendered)
}

// toDjangoConfig maps the arguments to the renderer's plain configuration. Bucket names are checked with the
// resource's own rules, so the function accepts exactly the pairs the resource can create. known is false
// when an option value is not known yet.
func toDjangoConfig(media, static, region string, options types.Dynamic) (cfg djangoconfig.Config, known bool, funcErr *function.FuncError) {
	// The resource's defaults: a static bucket without a CDN is public-read.
	cfg = djangoconfig.Config{MediaBucket: media, StaticBucket: static, Region: region, StaticPublicRead: true}
	if err := bucketNameError(argMediaBucket, media); err != nil {
		return cfg, false, err
	}
	if err := bucketNameError(argStaticBucket, static); err != nil {
		return cfg, false, err
	}

	members, known, funcErr := optionMembers(options)
	if funcErr != nil || !known {
		return cfg, known, funcErr
	}
	var problems []string
	for _, key := range slices.Sorted(maps.Keys(members)) {
		v := members[key]
		var err error
		switch key {
		case optEndpointURL:
			cfg.EndpointURL, err = optionString(v)
		case optAddressingStyle:
			cfg.AddressingStyle, err = optionString(v)
		case optStaticPublicRead:
			cfg.StaticPublicRead, err = optionBool(v)
		case optBackend:
			cfg.Backend, err = optionString(v)
		case optStaticManifest:
			cfg.StaticManifest, err = optionBool(v)
		case optStaticCustomDomain:
			cfg.StaticCustomDomain, err = optionString(v)
		case optMediaCustomDomain:
			cfg.MediaCustomDomain, err = optionString(v)
		case optMediaCloudFrontKeyID:
			cfg.MediaCloudFrontKeyID, err = optionString(v)
		default:
			err = fmt.Errorf("is not an option; the options are %s", quotedList(optionKeys()))
		}
		if err != nil {
			problems = append(problems, key+" "+err.Error())
		}
	}
	if len(problems) > 0 {
		return cfg, true, function.NewArgumentFuncError(argOptions, strings.Join(problems, "; "))
	}
	if _, onAWS := s3api.AWSEndpointRegion(cfg.EndpointURL, region); onAWS {
		cfg.EndpointURL = "" // as djangoConfigFor: boto3 finds AWS by itself
	}
	return cfg, true, nil
}

// bucketNameError reports every S3 naming rule name breaks; an empty name breaks the length rule.
func bucketNameError(position int64, name string) *function.FuncError {
	problems := bucketname.Problems(name)
	if len(problems) == 0 {
		return nil
	}
	return function.NewArgumentFuncError(position,
		fmt.Sprintf("%q is not a valid S3 bucket name: %s", name, strings.Join(problems, "; ")))
}

// optionMembers returns the options as a name → value map, skipping null members. Objects and maps are
// accepted alike (a module may pass its options through a map variable).
func optionMembers(options types.Dynamic) (members map[string]attr.Value, known bool, funcErr *function.FuncError) {
	if options.IsNull() || options.IsUnderlyingValueNull() {
		return nil, true, nil
	}
	if options.IsUnknown() || options.IsUnderlyingValueUnknown() {
		return nil, false, nil
	}
	var all map[string]attr.Value
	switch v := options.UnderlyingValue().(type) {
	case basetypes.ObjectValue:
		all = v.Attributes()
	case basetypes.MapValue:
		all = v.Elements()
	default:
		return nil, true, function.NewArgumentFuncError(argOptions, fmt.Sprintf(
			"must be an object such as { %s = %q }, or null; got a %s", optBackend, djangoconfig.BackendS3, typeName(v)))
	}
	members = make(map[string]attr.Value, len(all))
	for k, v := range all {
		if d, ok := v.(basetypes.DynamicValue); ok {
			if d.IsUnknown() || d.IsUnderlyingValueUnknown() {
				return nil, false, nil
			}
			if d.IsNull() || d.IsUnderlyingValueNull() {
				continue
			}
			v = d.UnderlyingValue()
		}
		if v.IsUnknown() {
			return nil, false, nil
		}
		if v.IsNull() {
			continue
		}
		members[k] = v
	}
	return members, true, nil
}

func optionString(v attr.Value) (string, error) {
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return "", fmt.Errorf("must be a string, got a %s", typeName(v))
	}
	return s.ValueString(), nil
}

// optionBool also accepts "true" and "false", as Terraform's own conversion would: options passed through a
// map(string) variable arrive as strings.
func optionBool(v attr.Value) (bool, error) {
	switch b := v.(type) {
	case basetypes.BoolValue:
		return b.ValueBool(), nil
	case basetypes.StringValue:
		switch b.ValueString() {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, fmt.Errorf("must be a bool, got %s", v)
}

// typeName names a value's Terraform type the way a user writes it in a type constraint.
func typeName(v attr.Value) string {
	switch v.(type) {
	case basetypes.StringValue:
		return "string"
	case basetypes.BoolValue:
		return "bool"
	case basetypes.NumberValue, basetypes.Int64Value, basetypes.Float64Value:
		return "number"
	case basetypes.ListValue, basetypes.TupleValue:
		return "list"
	case basetypes.SetValue:
		return "set"
	case basetypes.MapValue:
		return "map"
	case basetypes.ObjectValue:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// renderFuncError maps the renderer's field errors to the arguments they came from. Terraform shows one
// argument per error: the first field's, with every problem in the text.
func renderFuncError(err error) *function.FuncError {
	var fieldErrs []*djangoconfig.FieldError
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			var fe *djangoconfig.FieldError
			if errors.As(e, &fe) {
				fieldErrs = append(fieldErrs, fe)
			}
		}
	}
	if len(fieldErrs) == 0 {
		return function.NewFuncError("Cannot render the Django storage configuration: " + err.Error())
	}
	names := argumentNames()
	var texts []string
	for _, fe := range fieldErrs {
		texts = append(texts, fieldArgument(fe.Field)+" "+names.Replace(fe.Reason))
	}
	position := argOptions
	switch fieldErrs[0].Field {
	case "MediaBucket":
		position = argMediaBucket
	case "StaticBucket":
		position = argStaticBucket
	case "Region":
		position = argRegion
	}
	return function.NewArgumentFuncError(position, strings.Join(texts, "; "))
}

// configFields maps the djangoconfig.Config fields the function sets to the arguments the caller wrote.
func configFields() map[string]string {
	return map[string]string{
		"MediaBucket":          "media_bucket",
		"StaticBucket":         "static_bucket",
		"Region":               "region",
		"EndpointURL":          "options." + optEndpointURL,
		"AddressingStyle":      "options." + optAddressingStyle,
		"StaticPublicRead":     "options." + optStaticPublicRead,
		"Backend":              "options." + optBackend,
		"StaticManifest":       "options." + optStaticManifest,
		"StaticCustomDomain":   "options." + optStaticCustomDomain,
		"MediaCustomDomain":    "options." + optMediaCustomDomain,
		"MediaCloudFrontKeyID": "options." + optMediaCloudFrontKeyID,
	}
}

// argumentNames rewrites the field names a reason mentions ("needs MediaCustomDomain") as arguments.
func argumentNames() *strings.Replacer {
	fields := configFields()
	var pairs []string
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		pairs = append(pairs, field, fields[field])
	}
	return strings.NewReplacer(pairs...)
}

// fieldArgument names a djangoconfig.Config field as the function's caller wrote it.
func fieldArgument(field string) string {
	if arg, ok := configFields()[field]; ok {
		return arg
	}
	return field
}
