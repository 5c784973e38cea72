// Package testenv is shared test support: it starts a real SeaweedFS on loopback over HTTPS and the S3 test
// proxy in front of it, so acceptance tests and benchmarks see the provider talk to an S3-compatible
// endpoint exactly as a user's would, while the tests can count requests and inject faults.
package testenv

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakekms"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// WeedEnv names the SeaweedFS binary; `make test` sets it from scripts/ensure-seaweedfs.sh.
const WeedEnv = "PROTECTEDMEDIA_WEED"

// Env is a running server and proxy.
type Env struct {
	Server *locals3.Server
	Proxy  *s3proxy.Proxy
	// ProxyURL is the endpoint the provider is pointed at.
	ProxyURL string
	// Direct talks to SeaweedFS itself, bypassing the proxy, so out-of-band changes and checks neither meet
	// injected faults nor count as the provider's requests.
	Direct *s3.Client
	// Anonymous is an HTTP client trusting the test CA, for unsigned (public) requests.
	Anonymous *http.Client
	// KMS is the fake AWS KMS SeaweedFS encrypts SSE-KMS objects with; nil unless Options.KMS. A test adds
	// the keys its buckets name.
	KMS *fakekms.Server

	stopProxy func() error
}

// Options configures StartWith.
type Options struct {
	// Identities are S3 users beside the admin, for tests that need a non-admin principal; see
	// locals3.Options.Identities.
	Identities []locals3.Identity
	// ProxyOptions configure the proxy (semantics layers).
	ProxyOptions []s3proxy.Option
	// KMS starts a fake AWS KMS (Env.KMS) and points SeaweedFS's SSE-KMS at it.
	KMS bool
}

// Start starts SeaweedFS (the binary named by PROTECTEDMEDIA_WEED) and the proxy, with opts for the proxy
// (semantics layers). It does not touch the process environment; see Environ.
func Start(ctx context.Context, opts ...s3proxy.Option) (*Env, error) {
	return StartWith(ctx, Options{ProxyOptions: opts})
}

// StartWith is Start with server options too.
func StartWith(ctx context.Context, o Options) (*Env, error) {
	weed := os.Getenv(WeedEnv)
	if weed == "" {
		return nil, fmt.Errorf("%s is not set: run the tests through `make test`, which builds SeaweedFS and sets it", WeedEnv)
	}
	e := &Env{}
	kmsEndpoint := ""
	if o.KMS {
		kms, err := fakekms.Start()
		if err != nil {
			return nil, err
		}
		e.KMS, kmsEndpoint = kms, kms.URL
	}
	srv, err := locals3.Start(ctx, locals3.Options{Binary: weed, Identities: o.Identities, KMSEndpoint: kmsEndpoint})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("starting SeaweedFS: %w", err), e.stop())
	}
	e.Server = srv
	if err := e.startProxy(o.ProxyOptions); err != nil {
		return nil, errors.Join(fmt.Errorf("starting the S3 test proxy: %w", err), srv.Stop())
	}
	// Direct sets up and checks out of band: it is not the provider, and sends no expected owner.
	direct, err := s3api.New(ctx, s3api.Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CABundle: srv.CAFile, SkipBucketOwnerCheck: true})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("test S3 client: %w", err), e.stop())
	}
	e.Direct = direct.S3
	e.Anonymous = &http.Client{Transport: &http.Transport{TLSClientConfig: srv.TLSConfig()}, Timeout: 30 * time.Second}
	return e, nil
}

// startProxy serves the proxy over HTTPS with a certificate from the server's test CA, so clients trust
// both through the same AWS_CA_BUNDLE.
func (e *Env) startProxy(opts []s3proxy.Option) error {
	target, err := url.Parse(e.Server.Endpoint)
	if err != nil {
		return err
	}
	e.Proxy = s3proxy.New(target, &http.Transport{TLSClientConfig: e.Server.TLSConfig(), MaxIdleConnsPerHost: 256}, opts...)
	cert, err := e.Server.IssueCert("127.0.0.1", "localhost")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: e.Proxy, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		// Serve returns http.ErrServerClosed once stopProxy closes it; any other failure shows up as
		// failed requests in the tests.
		_ = hs.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}()
	e.ProxyURL = "https://" + ln.Addr().String()
	e.stopProxy = hs.Close
	return nil
}

// Environ is what a client of the proxy needs: endpoint, CA bundle, credentials and region, as the
// standard AWS variables, plus TF_CLI_CONFIG_FILE when tfrc is not empty.
func (e *Env) Environ(tfrc string) map[string]string {
	env := map[string]string{
		"AWS_ENDPOINT_URL_S3":   e.ProxyURL,
		"AWS_ENDPOINT_URL_STS":  e.ProxyURL, // SeaweedFS answers GetCallerIdentity on its S3 port
		"AWS_CA_BUNDLE":         e.Server.CAFile,
		"AWS_ACCESS_KEY_ID":     e.Server.AccessKey,
		"AWS_SECRET_ACCESS_KEY": e.Server.SecretKey,
		"AWS_REGION":            locals3.Region,
	}
	if tfrc != "" {
		env["TF_CLI_CONFIG_FILE"] = tfrc
	}
	return env
}

// SetProcessEnv points this process (and the Terraform it starts) at the proxy, and clears the machine's
// own AWS settings so none of them leak into a test.
func (e *Env) SetProcessEnv(tfrc string) error {
	var errs []error
	for k, v := range e.Environ(tfrc) {
		errs = append(errs, os.Setenv(k, v))
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"} {
		errs = append(errs, os.Unsetenv(k))
	}
	return errors.Join(errs...)
}

// Stop stops the proxy and the server. It runs in teardown, where nothing can act on a failure any more, so
// a failure is printed (the test log shows it) rather than returned.
func (e *Env) Stop() {
	if err := e.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv: stopping:", err)
	}
}

func (e *Env) stop() error {
	var errs []error
	if e.stopProxy != nil {
		errs = append(errs, e.stopProxy())
	}
	if e.Server != nil {
		errs = append(errs, e.Server.Stop())
	}
	if e.KMS != nil {
		errs = append(errs, e.KMS.Close())
	}
	return errors.Join(errs...)
}
