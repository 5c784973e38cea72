package s3api

// The account's own S3 Block Public Access (S3 Control GetPublicAccessBlock): it overrides every bucket's, so
// a public static bucket planned in an account that blocks public policies cannot work, and a plan says so.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// AccountBlockEndpointEnv is the standard variable naming an S3 Control endpoint.
const AccountBlockEndpointEnv = "AWS_ENDPOINT_URL_S3_CONTROL"

// accountBlockTimeout bounds the account lookup, retries included: it only improves a plan-time message.
const accountBlockTimeout = 15 * time.Second

// ErrAccountBlockUnknown says the account's public access block cannot be read; the wrapping error says why.
var ErrAccountBlockUnknown = errors.New("cannot read the account's S3 Block Public Access settings")

// AccountBlock is the account-level public access block: Block is nil when the account has none.
// NotApplicable is set for an S3-compatible endpoint, which has no account-level settings.
type AccountBlock struct {
	Account       string
	Block         *bucketstate.PublicAccessBlock
	NotApplicable bool
}

// FindAccountBlock returns the account's public access block, asking S3 Control once per provider process.
// An S3-compatible endpoint without an S3 Control endpoint configured (AWS_ENDPOINT_URL_S3_CONTROL) has no
// such thing: NotApplicable, sending nothing anywhere. Every failure wraps ErrAccountBlockUnknown.
func FindAccountBlock(c *Client) (AccountBlock, error) {
	if c.accountBlock == nil {
		return AccountBlock{}, fmt.Errorf("%w: the client was not built by New", ErrAccountBlockUnknown)
	}
	return c.accountBlock()
}

func findAccountBlock(ctx context.Context, cfg aws.Config, compatible bool, caller func() (string, error)) (AccountBlock, error) {
	control := s3control.NewFromConfig(cfg)
	base := control.Options().BaseEndpoint
	if compatible && base == nil {
		return AccountBlock{NotApplicable: true}, nil
	}
	arn, err := caller()
	if err != nil {
		return AccountBlock{}, fmt.Errorf("%w: the account is unknown: %w", ErrAccountBlockUnknown, err)
	}
	account := AccountOf(arn)
	if account == "" {
		return AccountBlock{}, fmt.Errorf("%w: no account in the caller's ARN %q", ErrAccountBlockUnknown, arn)
	}
	ctx, cancel := context.WithTimeout(ctx, accountBlockTimeout)
	defer cancel()
	out, err := control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)}, func(o *s3control.Options) {
		if base != nil {
			// A configured endpoint is used as it is: no account ID prefixed to its host name, which a local
			// test endpoint or a VPC endpoint would not resolve.
			o.EndpointResolverV2 = fixedEndpoint{*base}
			o.APIOptions = append(o.APIOptions, disableHostPrefix)
		}
	})
	switch {
	case hasCode(err, codeNoSuchPublicAccessBlock):
		return AccountBlock{Account: account}, nil
	case err != nil:
		return AccountBlock{}, fmt.Errorf("%w: S3 Control GetPublicAccessBlock for account %s: %w", ErrAccountBlockUnknown, account, err)
	}
	cfgOut := out.PublicAccessBlockConfiguration
	if cfgOut == nil {
		return AccountBlock{Account: account}, nil
	}
	return AccountBlock{Account: account, Block: &bucketstate.PublicAccessBlock{
		BlockPublicAcls:       aws.ToBool(cfgOut.BlockPublicAcls),
		IgnorePublicAcls:      aws.ToBool(cfgOut.IgnorePublicAcls),
		BlockPublicPolicy:     aws.ToBool(cfgOut.BlockPublicPolicy),
		RestrictPublicBuckets: aws.ToBool(cfgOut.RestrictPublicBuckets),
	}}, nil
}

// AccountOf is the account ID in an ARN: arn:partition:service:region:account:resource.
func AccountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// fixedEndpoint resolves every request to one configured URL.
type fixedEndpoint struct{ url string }

func (e fixedEndpoint) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(e.url)
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

func disableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ProtectedMediaDisableHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}
