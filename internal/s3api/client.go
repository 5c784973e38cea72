// Package s3api is the provider's only door to S3: client construction, one finder per owned setting that
// maps "no such thing" to typed results, and the writes that create, repair and remove buckets. It knows
// nothing of Terraform.
package s3api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/smithy-go/logging"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3services"
)

// DefaultMaxRetries is how many times a retryable error (throttling, 5xx, a dropped connection) is retried
// before the error reaches the user.
const DefaultMaxRetries = 5

// dialTimeout bounds connecting to an endpoint, so a wrong endpoint fails in seconds rather than hanging
// on the operating system's TCP timeout.
const dialTimeout = 5 * time.Second

// retryableCodes are S3 error codes retried on top of the SDK's throttling and 5xx rules.
var retryableCodes = map[string]struct{}{"OperationAborted": {}}

// maxIdleConnsPerHost keeps enough connections open for a whole refresh wave: Terraform refreshes 10
// resources at once by default and each pair reads the 7 owned settings of both its buckets concurrently
// (ObserveBucket), so ~140 requests are in flight. The SDK's default of 10 idle connections would close
// most of them after every wave, paying a new TCP and TLS handshake for nearly every call.
const maxIdleConnsPerHost = 128

// maxConnsPerHost caps concurrent connections. Each new connection costs a TLS handshake (the hybrid
// post-quantum key exchange and certificate checks stand out in a CPU profile of a plan), and every plan is
// a new provider process with an empty pool. 32 still carries a 10-pair refresh wave in a few round trips:
// the handshakes it saves make a plan faster overall, while the requests it holds back cost a plan only a
// little more wall time when every S3 call is a slow round trip.
const maxConnsPerHost = 32

// credentialTimeout bounds resolving credentials at configure time (SSO and web identity make calls).
const credentialTimeout = 20 * time.Second

// EndpointEnv is the standard variable naming an S3-compatible endpoint.
const EndpointEnv = "AWS_ENDPOINT_URL_S3"

// Config is what the provider block says; empty fields fall back to the standard AWS chain.
type Config struct {
	Region    string
	Profile   string
	AccessKey string
	SecretKey string
	// SessionToken goes with temporary keys; it needs AccessKey and SecretKey.
	SessionToken string
	Endpoint     string
	// UsePathStyle nil means: path-style with an S3-compatible server's endpoint (such servers rarely have
	// wildcard DNS), virtual-hosted on AWS, whether through the default endpoint or one of AWS's own (see
	// AWSEndpointRegion), and with a service whose documentation configures it (see defaultPathStyle).
	UsePathStyle *bool
	// MaxRetries nil means DefaultMaxRetries.
	MaxRetries *int
	// SkipBucketOwnerCheck stops sending x-amz-expected-bucket-owner, which needs the caller's account from
	// STS: for S3-compatible endpoints without STS.
	SkipBucketOwnerCheck bool
	// CABundle is a PEM file of extra trusted certificate authorities; empty means AWS_CA_BUNDLE, if set.
	CABundle string
	// Logger receives one line per retried request (operation, attempt, error), never headers or bodies.
	Logger logging.Logger
	// Unsupported are the features an S3-compatible service is declared not to implement (see Capabilities).
	Unsupported bucketstate.Features
	// Checksums is one of ChecksumModes(), or "" for the default: when_supported on Amazon S3, when_required
	// against any other endpoint (see ResolveChecksums).
	Checksums string
}

// Client is a configured S3 client plus the facts about how it was configured, for messages and for the
// storage configuration the resource renders.
type Client struct {
	S3       *s3.Client
	Region   string
	Endpoint string // empty for AWS's default endpoint
	// AWSEndpoint says Endpoint is one of AWS's own (regional, FIPS, dual-stack, VPC interface endpoint): the
	// buckets are on AWS all the same.
	AWSEndpoint bool
	PathStyle   bool
	// Checksums is the checksum mode the client was built with (one of ChecksumModes()).
	Checksums string
	// Where the endpoint and credentials came from, so errors can say which source was used.
	EndpointSource   string
	CredentialSource string

	// callerARN asks STS once: the principal cannot change while the provider runs, and plans ask per pair.
	callerARN func() (string, error)
	// accountBlock asks S3 Control for the account's public access block once (account.go).
	accountBlock func() (AccountBlock, error)
	// control is the S3 Control client of Batch Operations jobs (batch.go), and controlEndpoint the endpoint it
	// is pinned to ("" for AWS's, which puts the account ID in front of the host).
	control         *s3control.Client
	controlEndpoint string
	// Caps is what the service implements, declared and learnt, shared by every request of the client.
	Caps *Capabilities
}

// New builds a client and resolves credentials once, so that missing or broken credentials fail at
// configure time with the source named, not later in the middle of an apply.
func New(ctx context.Context, c Config) (*Client, error) {
	endpoint, endpointSource := c.Endpoint, "provider argument endpoint"
	if endpoint == "" {
		endpoint, endpointSource = os.Getenv(EndpointEnv), "environment variable "+EndpointEnv
	}
	if endpoint == "" {
		endpointSource = "AWS default"
	} else if err := checkEndpoint(endpoint); err != nil {
		return nil, fmt.Errorf("endpoint %q (from %s) %w", endpoint, endpointSource, err)
	}

	maxRetries := DefaultMaxRetries
	if c.MaxRetries != nil {
		maxRetries = *c.MaxRetries
	}
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = maxIdleConnsPerHost
			t.MaxIdleConnsPerHost = maxIdleConnsPerHost
			t.MaxConnsPerHost = maxConnsPerHost
		})
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxRetries + 1
				// No client-side retry quota: many pairs refreshed at once against a throttling
				// endpoint must each get their retries rather than fail on a shared bucket of tokens.
				o.RateLimiter = ratelimit.None
				// S3's 409 OperationAborted means a conflicting operation on the bucket is still in
				// progress (typically right after a create or delete): worth another try.
				// A refused connection or an unknown host means a wrong endpoint, not a blip: fail now
				// rather than after a minute of backoff. This rule goes first so it wins.
				o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(unreachable)},
					append(slices.Clone(o.Retryables), retry.RetryableErrorCode{Codes: retryableCodes})...)
			})
		}),
	}
	if c.Logger != nil {
		opts = append(opts, config.WithLogger(c.Logger), config.WithClientLogMode(aws.LogRetries))
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.CABundle != "" {
		pem, err := os.ReadFile(c.CABundle)
		if err != nil {
			return nil, fmt.Errorf("reading the CA bundle: %w", err)
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if c.AccessKey != "" || c.SecretKey != "" || c.SessionToken != "" {
		if c.AccessKey == "" || c.SecretKey == "" {
			if c.SessionToken != "" {
				return nil, errors.New("token is the session token of temporary credentials: set access_key and secret_key with it")
			}
			return nil, errors.New("access_key and secret_key must be set together")
		}
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, c.SessionToken)))
	}

	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if endpoint == "" && cfg.BaseEndpoint != nil {
		// AWS_ENDPOINT_URL or a profile's endpoint_url: the SDK would send requests there anyway, so path
		// style, messages and the rendered Django configuration must know about it too.
		endpoint, endpointSource = *cfg.BaseEndpoint, "AWS_ENDPOINT_URL or the shared config profile's endpoint_url"
		if err := checkEndpoint(endpoint); err != nil {
			return nil, fmt.Errorf("endpoint %q (from %s) %w", endpoint, endpointSource, err)
		}
	}
	if cfg.Region == "" {
		if endpoint == "" {
			return nil, errors.New("no region: set the provider argument region, AWS_REGION, or a region in the shared config profile")
		}
		// AWS's own endpoints name their region, and so do the S3-compatible services s3services knows
		// (Cloudflare R2 signs for "auto"); other servers sign and answer for us-east-1 unless told otherwise.
		cfg.Region = defaultRegion
		if r, ok := AWSEndpointRegion(endpoint, ""); ok {
			cfg.Region = r
		} else if svc, ok := s3services.Recognize(endpoint); ok {
			cfg.Region = svc.Region
		}
	}

	awsEndpoint := isAWSEndpoint(endpoint, cfg.Region)
	pathStyle := defaultPathStyle(endpoint, awsEndpoint)
	if c.UsePathStyle != nil {
		pathStyle = *c.UsePathStyle
	}

	credSource, err := credentialSource(ctx, cfg.Credentials, c)
	if err != nil {
		return nil, err
	}

	// Behind one of AWS's own S3 endpoints the credentials are AWS's, so AWS's STS knows them. The hint is
	// read when STS is first asked, after the endpoint is settled below.
	var stsHint string
	callerARN := sync.OnceValues(func() (string, error) {
		// Not bound to one request's context: the answer is shared by every later one.
		return CallerARN(context.Background(), cfg, stsHint)
	})
	ownerCheck := func(o *s3.Options) {
		if !c.SkipBucketOwnerCheck {
			o.APIOptions = append(o.APIOptions, expectedBucketOwner(func() (string, error) { return accountFrom(callerARN()) }))
		}
	}
	checksums, err := ResolveChecksums(c.Checksums, endpoint == "" || awsEndpoint)
	if err != nil {
		return nil, err
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}, ownerCheck, checksums.apply)
	if resolved := client.Options().BaseEndpoint; endpoint == "" && resolved != nil {
		// An S3-only endpoint_url from the shared config's services section is resolved by the client
		// itself; rebuild with the same defaults a configured endpoint gets.
		endpoint, endpointSource = *resolved, "the shared config's services section (s3 endpoint_url)"
		if err := checkEndpoint(endpoint); err != nil {
			return nil, fmt.Errorf("endpoint %q (from %s) %w", endpoint, endpointSource, err)
		}
		awsEndpoint = isAWSEndpoint(endpoint, cfg.Region)
		if c.UsePathStyle == nil {
			pathStyle = defaultPathStyle(endpoint, awsEndpoint)
		}
		if checksums, err = ResolveChecksums(c.Checksums, awsEndpoint); err != nil {
			return nil, err
		}
		client = s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = pathStyle
			o.BaseEndpoint = aws.String(endpoint)
		}, ownerCheck, checksums.apply)
	}
	stsHint = endpoint
	if awsEndpoint {
		stsHint = ""
	}
	c2 := &Client{
		callerARN:        callerARN,
		S3:               client,
		Region:           cfg.Region,
		Endpoint:         endpoint,
		AWSEndpoint:      awsEndpoint,
		PathStyle:        pathStyle,
		Checksums:        checksums.Mode,
		EndpointSource:   endpointSource,
		CredentialSource: credSource,
	}
	c2.control, c2.controlEndpoint = newControlClient(cfg, c2.CustomEndpoint())
	c2.Caps = NewCapabilities(c2.OnAWS(), c.Unsupported)
	c2.accountBlock = sync.OnceValues(func() (AccountBlock, error) {
		return findAccountBlock(context.Background(), cfg, !c2.OnAWS(), func() (string, error) { return FindCallerARN(c2) })
	})
	return c2, nil
}

// defaultPathStyle is the addressing style without use_path_style: virtual-hosted on AWS and with a service
// whose documentation configures it (DigitalOcean Spaces), path style with any other endpoint, since such
// servers rarely have wildcard DNS.
func defaultPathStyle(endpoint string, awsEndpoint bool) bool {
	if endpoint == "" || awsEndpoint {
		return false
	}
	svc, ok := s3services.Recognize(endpoint)
	return !ok || svc.AddressingStyle != "virtual"
}

// isAWSEndpoint reports whether endpoint is one of AWS's own S3 endpoints; false for none.
func isAWSEndpoint(endpoint, region string) bool {
	if endpoint == "" {
		return false
	}
	_, ok := AWSEndpointRegion(endpoint, region)
	return ok
}

// CustomEndpoint is the endpoint of the S3-compatible server the client talks to: what every other client of
// the buckets must be told too. Empty on AWS, whether the client uses the default endpoint or one of AWS's
// own.
func (c *Client) CustomEndpoint() string {
	if c.OnAWS() {
		return ""
	}
	return c.Endpoint
}

// OnAWS says the client talks to Amazon S3 itself, through the default endpoint or one of AWS's own.
func (c *Client) OnAWS() bool { return c.Endpoint == "" || c.AWSEndpoint }

// Describe says where requests go and with whose credentials, for error messages.
func (c *Client) Describe() string {
	endpoint := "AWS S3"
	if c.Endpoint != "" {
		endpoint = c.Endpoint
	}
	return fmt.Sprintf("endpoint %s (from %s), region %s, credentials from %s", endpoint, c.EndpointSource, c.Region, c.CredentialSource)
}

func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("is not a valid URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return errors.New("must start with https:// (or http:// for a local test server)")
	}
	if u.Host == "" {
		return errors.New("has no host; write it as https://host[:port]")
	}
	return nil
}

// credentialSource retrieves credentials once and names where they came from. The keys themselves are
// never returned or logged.
func credentialSource(ctx context.Context, provider aws.CredentialsProvider, c Config) (string, error) {
	var tried string
	switch {
	case c.AccessKey != "":
		tried = "the provider arguments access_key/secret_key"
	case c.Profile != "":
		tried = fmt.Sprintf("the shared config profile %q", c.Profile)
	default:
		tried = "the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the shared config and credentials files, SSO, web identity, container and instance roles)"
	}
	if provider == nil {
		return "", fmt.Errorf("no AWS credentials found in %s", tried)
	}
	ctx, cancel := context.WithTimeout(ctx, credentialTimeout)
	defer cancel()
	creds, err := provider.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("no usable AWS credentials from %s: %w", tried, err)
	}
	return describeSource(creds.Source, tried), nil
}

// describeSource turns the SDK's name for a credentials provider into words a user recognizes.
func describeSource(source, fallback string) string {
	switch {
	case source == "":
		return fallback
	case source == credentials.StaticCredentialsName:
		return "the provider arguments access_key/secret_key"
	case source == config.CredentialsSourceName:
		return "the environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
	case strings.HasPrefix(source, "SharedConfigCredentials"):
		return "the shared credentials file (" + source + ")"
	}
	return source
}

// unreachable vetoes retries of errors that say the endpoint is not there at all.
func unreachable(err error) aws.Ternary {
	var dnsErr *net.DNSError
	if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}
