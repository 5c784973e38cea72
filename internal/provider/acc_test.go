package provider

// The acceptance harness: TestMain starts a real SeaweedFS over HTTPS and the S3 test proxy in front of
// it (internal/testenv), and points the provider at the proxy through the standard AWS environment
// variables, exactly as a user would point it at an S3-compatible endpoint.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testenv"
)

// testBucketPrefix marks every bucket the tests create.
const testBucketPrefix = "tf-acc-pm-"

// accEnv is what the acceptance tests share: set once by TestMain, read-only afterwards.
var accEnv *testenv.Env

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
	start := time.Now()
	env, err := testenv.Start(context.Background(), testenvOptions()...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer env.Stop()
	fmt.Fprintf(os.Stderr, "acceptance tests: SeaweedFS at %s (pid %d), proxy at %s, ready in %s\n",
		env.Server.Endpoint, env.Server.PID, env.ProxyURL, time.Since(start).Round(time.Millisecond))

	tfrc := filepath.Join(os.TempDir(), "protectedmedia-acc.tfrc")
	if err := os.WriteFile(tfrc, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := env.SetProcessEnv(tfrc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	accEnv = env
	return m.Run()
}

// testAccPreCheck fails loudly when the harness did not come up.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if accEnv == nil {
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

// testenvOptions are the proxy's semantics layers for the acceptance tests.
func testenvOptions() []s3proxy.Option { return nil }
