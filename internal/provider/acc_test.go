package provider

// The acceptance harness: TestMain starts a real SeaweedFS over HTTPS and the S3 test proxy in front of
// it, and points the provider at the proxy through the standard AWS environment variables, exactly as a
// user would point it at an S3-compatible endpoint.

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/locals3"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3proxy"
)

// weedEnv names the SeaweedFS binary; `make test` sets it from scripts/ensure-seaweedfs.sh.
const weedEnv = "PROTECTEDMEDIA_WEED"

// testBucketPrefix marks every bucket the tests create.
const testBucketPrefix = "tf-acc-pm-"

// accEnv is what the acceptance tests share: set once by TestMain, read-only afterwards.
var accEnv struct {
	server *locals3.Server
	proxy  *s3proxy.Proxy
	// direct talks to SeaweedFS itself, bypassing the proxy, so out-of-band changes and checks neither
	// meet injected faults nor count as the provider's requests.
	direct *s3.Client
	// anonymous is an HTTP client trusting the test CA, for unsigned (public) requests.
	anonymous *http.Client
	// proxyURL is the endpoint the provider is configured with.
	proxyURL string
}

var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"protectedmedia": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run() // unit tests only; acceptance tests skip themselves
	}
	weed := os.Getenv(weedEnv)
	if weed == "" {
		fmt.Fprintf(os.Stderr, "TF_ACC is set but %s is not: run `make test`, which builds SeaweedFS and sets it\n", weedEnv)
		return 1
	}
	ctx := context.Background()
	start := time.Now()
	srv, err := locals3.Start(ctx, locals3.Options{Binary: weed})
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting SeaweedFS: %v\n", err)
		return 1
	}
	defer srv.Stop()
	fmt.Fprintf(os.Stderr, "acceptance tests: SeaweedFS at %s (pid %d) ready in %s\n", srv.Endpoint, srv.PID, time.Since(start).Round(time.Millisecond))

	proxyURL, stopProxy, err := startProxy(srv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting the S3 test proxy: %v\n", err)
		return 1
	}
	defer stopProxy()

	tfrc := filepath.Join(os.TempDir(), "protectedmedia-acc.tfrc")
	if err := os.WriteFile(tfrc, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	env := map[string]string{
		"AWS_ENDPOINT_URL_S3":   proxyURL,
		"AWS_CA_BUNDLE":         srv.CAFile,
		"AWS_ACCESS_KEY_ID":     srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY": srv.SecretKey,
		"AWS_REGION":            locals3.Region,
		"TF_CLI_CONFIG_FILE":    tfrc,
	}
	for k, v := range env {
		os.Setenv(k, v)
	}
	// Nothing from the machine's own AWS setup may leak into the tests.
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"} {
		os.Unsetenv(k)
	}

	direct, err := s3api.New(ctx, s3api.Config{Endpoint: srv.Endpoint})
	if err != nil {
		fmt.Fprintf(os.Stderr, "test S3 client: %v\n", err)
		return 1
	}
	accEnv.server = srv
	accEnv.proxyURL = proxyURL
	accEnv.direct = direct.S3
	accEnv.anonymous = &http.Client{Transport: &http.Transport{TLSClientConfig: srv.TLSConfig()}, Timeout: 30 * time.Second}
	return m.Run()
}

// startProxy serves the test proxy over HTTPS with a certificate from the server's test CA, so the
// provider trusts both through the same AWS_CA_BUNDLE.
func startProxy(srv *locals3.Server) (string, func(), error) {
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		return "", nil, err
	}
	accEnv.proxy = s3proxy.New(target, &http.Transport{TLSClientConfig: srv.TLSConfig(), MaxIdleConnsPerHost: 64})
	cert, err := srv.IssueCert("127.0.0.1", "localhost")
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: accEnv.proxy, ReadHeaderTimeout: 30 * time.Second}
	go hs.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	return "https://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// testAccPreCheck skips acceptance tests outside TF_ACC, as plugin-testing does, and fails loudly when
// the harness did not come up.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if accEnv.direct == nil {
		t.Fatal("the acceptance harness is not running: run the tests through `make test` or `make testacc`")
	}
}

// bucketName returns a fresh, recognizable test bucket name.
func bucketName(t *testing.T, role string) string {
	t.Helper()
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return testBucketPrefix + role + "-" + hex.EncodeToString(b)
}
