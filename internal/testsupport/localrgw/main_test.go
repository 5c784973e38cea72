package localrgw

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// shared is the server the behaviour tests share (starting one takes 10 to 20 seconds); nil when BinaryEnv
// is unset, and then they skip.
var shared *Server

// appIdentity is a non-owner user of the shared server.
var appIdentity = Identity{Name: "app", AccessKey: "LOCALRGWAPPKEY000001", SecretKey: "localrgw-app-identity-secret"}

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		if os.Getenv(requireClientsEnv) != "" {
			fmt.Fprintf(os.Stderr, "localrgw: %s is set and %s is not: CI must run these tests (make test runs scripts/ensure-radosgw.sh)\n",
				requireClientsEnv, BinaryEnv)
			return 1
		}
		return m.Run()
	}
	start := time.Now()
	srv, err := StartForTests(context.Background(), Options{Binary: bin, Identities: []Identity{appIdentity}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "localrgw: RGW at %s (pid %d) ready in %s\n", srv.Endpoint, srv.PID, time.Since(start).Round(time.Millisecond))
	shared = srv
	code := m.Run()
	stopStart := time.Now()
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "localrgw: stopped in %s\n", time.Since(stopStart).Round(time.Millisecond))
	return code
}

// sharedServer returns the shared server, or skips the test.
func sharedServer(t *testing.T) *Server {
	t.Helper()
	if shared == nil {
		t.Skipf("%s is not set; set it to a radosgw binary (scripts/ensure-radosgw.sh installs one and prints its path) to run this test", BinaryEnv)
	}
	return shared
}

// rawClient is a plain SDK client for s with the given keys and no retries, so every answer a test sees is
// the server's first.
func rawClient(s *Server, accessKey, secretKey string) *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.TLSClientConfig = s.TLSConfig()
		}),
		Retryer: aws.NopRetryer{},
	})
}
