package locals3

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

func TestIssuedCertificateVerifiesForLoopbackNames(t *testing.T) {
	ca, err := newAuthority()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.issue("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "localhost"} {
		if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: ca.pool(), DNSName: name}); err != nil {
			t.Errorf("verifying for %s: %v", name, err)
		}
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: ca.pool(), DNSName: "example.com"}); err == nil {
		t.Error("certificate verified for example.com, a name it was not issued for")
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: x509.NewCertPool(), DNSName: "localhost"}); err == nil {
		t.Error("certificate verified without the test CA")
	}

	key, ok := cert.PrivateKey.(*ecdsa.PrivateKey)
	if !ok || key.Curve != elliptic.P256() {
		t.Errorf("private key is %T, want an ECDSA P-256 key", cert.PrivateKey)
	}
	if left := time.Until(cert.Leaf.NotAfter); left < 24*time.Hour || left > 7*24*time.Hour {
		t.Errorf("certificate valid for another %v, want a few days", left)
	}
}

func TestWrittenKeyPairLoads(t *testing.T) {
	ca, err := newAuthority()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.issue("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	if err := writeKeyPair(cert, certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	// weed loads its certificate with Go's crypto/tls, as this does.
	if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
		t.Fatalf("loading the written key pair: %v", err)
	}
	fi, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %v, want 0600", perm)
	}
}

func TestIssueCertServesHTTPSTrustedByTLSConfig(t *testing.T) {
	ca, err := newAuthority()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ca: ca}
	cert, err := s.IssueCert("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	proxy.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	proxy.StartTLS()
	defer proxy.Close()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: s.TLSConfig()}}
	resp, err := client.Get(proxy.URL)
	if err != nil {
		t.Fatalf("GET %s with TLSConfig(): %v", proxy.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %s, want 200", resp.Status)
	}
}

func TestFreePortsAreDistinctAndBelowEphemeralRange(t *testing.T) {
	ports, err := freePorts(portCount)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p < portRangeLow || p >= portRangeHigh || seen[p] {
			t.Errorf("port %d repeated or outside [%d, %d): %v", p, portRangeLow, portRangeHigh, ports)
		}
		seen[p] = true
	}
	if len(ports) != portCount {
		t.Errorf("got %d ports, want %d", len(ports), portCount)
	}
}

func TestWeedEnvReplacesCallerConfiguration(t *testing.T) {
	t.Setenv("AWS_PROFILE", "someone-else")
	t.Setenv("AWS_ACCESS_KEY_ID", "CALLERKEY")
	t.Setenv("WEED_MASTER_VOLUME_GROWTH_COPY_1", "7")
	t.Setenv("S3_BUCKET", "surprise")
	env := weedEnv("KEY", "SECRET")
	for _, kv := range env {
		if strings.HasPrefix(kv, "AWS_PROFILE=") || strings.HasPrefix(kv, "WEED_") ||
			strings.HasPrefix(kv, "S3_") || kv == "AWS_ACCESS_KEY_ID=CALLERKEY" {
			t.Errorf("caller's %q reaches weed", kv)
		}
	}
	for _, want := range []string{"AWS_ACCESS_KEY_ID=KEY", "AWS_SECRET_ACCESS_KEY=SECRET"} {
		if !slices.Contains(env, want) {
			t.Errorf("weed environment lacks %s", want)
		}
	}
}

func TestStartReportsAnEarlyExit(t *testing.T) {
	binary, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false(1) on PATH")
	}
	start := time.Now()
	_, err = Start(t.Context(), Options{Binary: binary, DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "exited during startup") {
		t.Fatalf("Start with a binary that exits at once: %v, want an early-exit error", err)
	}
	t.Log(err)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Start took %v to notice the exit", d)
	}
}

func TestStartRetriesWhenAPortIsTaken(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "weed")
	script := "#!/bin/sh\necho attempt >> " + filepath.Join(dir, "attempts") +
		"\necho 'listen tcp 127.0.0.1:20001: bind: address already in use' >&2\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Start(t.Context(), Options{Binary: fake, DataDir: filepath.Join(dir, "data")})
	if !errors.Is(err, errPortTaken) {
		t.Fatalf("Start: %v, want errPortTaken", err)
	}
	attempts, _ := os.ReadFile(filepath.Join(dir, "attempts"))
	if n := strings.Count(string(attempts), "attempt"); n != portRetries {
		t.Errorf("weed started %d times, want %d", n, portRetries)
	}
}

// weedBinary returns the SeaweedFS binary named by PROTECTEDMEDIA_WEED, or skips the test.
func weedBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("PROTECTEDMEDIA_WEED")
	if bin == "" {
		t.Skip("PROTECTEDMEDIA_WEED is not set; set it to a weed binary (scripts/ensure-seaweedfs.sh prints one) to run this test")
	}
	return bin
}

func TestServersRunSideBySideAndStopCleanly(t *testing.T) {
	bin := weedBinary(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	// Start both at once: concurrent starts are what the tests and the demo do.
	kept := t.TempDir()
	opts := []Options{{Binary: bin}, {Binary: bin, DataDir: kept, AccessKey: "FIXEDKEY", SecretKey: "fixed-secret"}}
	servers := make([]*Server, len(opts))
	errs := make([]error, len(opts))
	var wg sync.WaitGroup
	for i, o := range opts {
		wg.Go(func() {
			start := time.Now()
			servers[i], errs[i] = Start(ctx, o)
			t.Logf("server %d started in %v", i, time.Since(start).Round(10*time.Millisecond))
		})
	}
	wg.Wait()
	for i, s := range servers {
		if errs[i] != nil {
			t.Fatalf("starting server %d: %v", i, errs[i])
		}
		t.Cleanup(func() {
			if err := s.Stop(); err != nil {
				t.Error(err)
			}
		})
	}
	a, b := servers[0], servers[1]
	if a.Endpoint == b.Endpoint {
		t.Fatalf("both servers at %s", a.Endpoint)
	}
	if b.AccessKey != "FIXEDKEY" || b.SecretKey != "fixed-secret" {
		t.Errorf("given credentials not kept: %s / %s", b.AccessKey, b.SecretKey)
	}
	if a.AccessKey == "" || a.SecretKey == "" || a.AccessKey == b.AccessKey {
		t.Errorf("generated credentials %q / %q", a.AccessKey, a.SecretKey)
	}
	for _, s := range servers {
		checkServes(t, s)
	}

	tempDir := filepath.Dir(a.CAFile)
	if err := a.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := syscall.Kill(a.PID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("weed (pid %d) after Stop: kill -0 gave %v, want ESRCH", a.PID, err)
	}
	if err := syscall.Kill(-a.PID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d after Stop: kill -0 gave %v, want ESRCH", a.PID, err)
	}
	if _, err := os.Stat(tempDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp dir %s after Stop: %v, want it removed", tempDir, err)
	}
	if err := a.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}

	checkServes(t, b) // unaffected by the other server stopping
	if err := b.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(b.CAFile); err != nil {
		t.Errorf("the caller's DataDir was not kept: %v", err)
	}
}

// checkServes makes an unsigned S3 request over HTTPS verified with TLSConfig; any HTTP answer shows
// the S3 API is reachable, and weed answers an anonymous ListBuckets with 403.
func checkServes(t *testing.T, s *Server) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: s.TLSConfig()}, Timeout: 5 * time.Second}
	resp, err := client.Get(s.Endpoint + "/")
	if err != nil {
		t.Fatalf("GET %s/: %v", s.Endpoint, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous GET %s/: %s, want 403", s.Endpoint, resp.Status)
	}
	for _, want := range []string{"AWS_ENDPOINT_URL_S3=" + s.Endpoint, "AWS_CA_BUNDLE=" + s.CAFile, "AWS_REGION=us-east-1"} {
		if !slices.Contains(s.Env(), want) {
			t.Errorf("Env() = %v, lacks %s", s.Env(), want)
		}
	}
}

// TestExtraIdentityIsNotAdmin checks Options.Identities on the real server: the extra identity may write
// objects but not configure the bucket, and the admin identity from the environment still works beside it.
func TestExtraIdentityIsNotAdmin(t *testing.T) {
	bin := weedBinary(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	app := Identity{Name: "app", AccessKey: "APPKEY0123456789", SecretKey: "app-secret"}
	srv, err := Start(ctx, Options{Binary: bin, Identities: []Identity{app}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Error(err)
		}
	})
	client := func(accessKey, secretKey string) *s3.Client {
		c, err := s3api.New(ctx, s3api.Config{SkipBucketOwnerCheck: true, Region: Region, Endpoint: srv.Endpoint, AccessKey: accessKey, SecretKey: secretKey, CABundle: srv.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		return c.S3
	}
	admin, appClient := client(srv.AccessKey, srv.SecretKey), client(app.AccessKey, app.SecretKey)

	bucket := "locals3-identities"
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("admin CreateBucket: %v", err)
	}
	if _, err := admin.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("admin PutBucketVersioning: %v", err)
	}
	if _, err := appClient.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("a.txt"), Body: strings.NewReader("a")}); err != nil {
		t.Errorf("app PutObject: %v", err)
	}
	_, err = appClient.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Errorf("app PutBucketVersioning: %v, want AccessDenied", err)
	}
	got, err := admin.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("admin GetBucketVersioning: %v", err)
	}
	if got.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("versioning %q after the app's refused change, want Enabled", got.Status)
	}
}
