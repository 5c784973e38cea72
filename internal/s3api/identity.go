package s3api

// This file finds out who the provider is acting as, so a plan can say whether the media bucket's guard
// policy would lock the provider itself out.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ErrCallerUnknown says the provider cannot tell which principal its credentials belong to. Callers match it
// with errors.Is; the wrapping error says why.
var ErrCallerUnknown = errors.New("cannot determine the principal the provider's credentials belong to")

// STSEndpointEnv is the standard variable naming an STS endpoint; an S3-compatible server that answers
// GetCallerIdentity (SeaweedFS does, on its S3 port) is reached through it.
const STSEndpointEnv = "AWS_ENDPOINT_URL_STS"

// callerTimeout bounds the whole identity lookup, retries included: the answer only improves a plan-time
// message, so it must never hold a plan up for long.
const callerTimeout = 15 * time.Second

// CallerARN returns the ARN of the principal cfg's credentials belong to, as STS GetCallerIdentity reports
// it (for a role, the session ARN arn:aws:sts::<account>:assumed-role/<role>/<session>). s3Endpoint is the
// client's S3 endpoint, empty on AWS.
//
// With a custom S3 endpoint the credentials are the S3-compatible server's, which AWS's STS does not know,
// so without an STS endpoint configured for the same server (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, or an
// sts endpoint_url in the shared config) it returns ErrCallerUnknown at once, sending nothing anywhere.
// Every failure wraps ErrCallerUnknown.
func CallerARN(ctx context.Context, cfg aws.Config, s3Endpoint string) (string, error) {
	client := sts.NewFromConfig(cfg)
	if s3Endpoint != "" && client.Options().BaseEndpoint == nil {
		return "", fmt.Errorf("%w: S3 requests go to %s and no STS endpoint is configured for it; set %s if that server answers STS GetCallerIdentity",
			ErrCallerUnknown, s3Endpoint, STSEndpointEnv)
	}
	ctx, cancel := context.WithTimeout(ctx, callerTimeout)
	defer cancel()
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("%w: STS GetCallerIdentity failed: %w", ErrCallerUnknown, err)
	}
	if arn := aws.ToString(out.Arn); arn != "" {
		return arn, nil
	}
	return "", fmt.Errorf("%w: STS GetCallerIdentity returned no ARN", ErrCallerUnknown)
}

// FindCallerARN returns the ARN of the principal the client's credentials belong to (see CallerARN), asking
// STS once per provider process.
func FindCallerARN(c *Client) (string, error) {
	if c.callerARN == nil {
		return "", fmt.Errorf("%w: the client was not built by New", ErrCallerUnknown)
	}
	return c.callerARN()
}
