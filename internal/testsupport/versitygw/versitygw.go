// Package versitygw starts a real versitygw (Versity S3 Gateway) over a POSIX directory on loopback, for tests:
// one of the S3-compatible services the provider is tested against. Versioning is on (the posix backend
// needs a versioning directory for it); like many such services it answers 501 NotImplemented to some bucket
// APIs Amazon S3 has. It uses the standard library only.
package versitygw

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BinaryEnv names the versitygw binary; scripts/ensure-versitygw.sh prints its path, and `make test` sets it.
const BinaryEnv = "PROTECTEDMEDIA_VERSITYGW"

// requireClientsEnv is browser.RequireClientsEnv, which CI sets: there a missing binary fails the test.
const requireClientsEnv = "PROTECTEDMEDIA_REQUIRE_CLIENTS"

// Region is the region the gateway signs and answers for.
const Region = "us-east-1"

const (
	// startTimeout bounds a start: versitygw is ready in a fraction of a second.
	startTimeout = 30 * time.Second
	// pollInterval is the pause between readiness probes.
	pollInterval = 50 * time.Millisecond
	// stopGracePeriod is how long Stop waits after SIGTERM before SIGKILL.
	stopGracePeriod = 5 * time.Second
	// portRetries is how many ports Start tries when another process takes the chosen one first.
	portRetries = 3
)

// Server is a running gateway.
type Server struct {
	Endpoint             string // http://127.0.0.1:<port>
	AccessKey, SecretKey string
	PID                  int

	dir      string
	cmd      *exec.Cmd
	done     chan struct{}
	stopOnce sync.Once
	stopErr  error
}

// Binary is the versitygw binary named by BinaryEnv. Without one, the test is skipped with the reason, or,
// when PROTECTEDMEDIA_REQUIRE_CLIENTS is set (CI), fails.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		skip := t.Skipf
		if os.Getenv(requireClientsEnv) != "" {
			skip = t.Fatalf
		}
		skip("SKIP: the versitygw tests need the gateway: set %s to the path scripts/ensure-versitygw.sh prints "+
			"(`make test` does)", BinaryEnv)
	}
	return bin
}

// StartT starts a gateway for one test, stopped when the test ends.
func StartT(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	s, err := Start(t.Context(), bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// Start runs binary with the posix backend in dir (data, versions and log below it) on a free loopback
// port, with fresh root credentials, and returns once it answers S3 requests.
func Start(ctx context.Context, binary, dir string) (*Server, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	s := &Server{AccessKey: "VGW" + strings.ToUpper(randomHex(8)), SecretKey: randomHex(20), dir: dir}
	for _, d := range []string{"data", "versions"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("versitygw: %w", err)
		}
	}
	var err error
	for range portRetries {
		if err = s.startOnce(ctx, binary); err == nil {
			return s, nil
		}
	}
	return nil, err
}

func (s *Server) startOnce(ctx context.Context, binary string) error {
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("versitygw: %w", err)
	}
	logPath := filepath.Join(s.dir, "versitygw.log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("versitygw: %w", err)
	}
	defer log.Close()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// The credentials go through the environment, never the command line, which other users may list.
	cmd := exec.Command(binary, "--port", addr, "--quiet", "posix",
		"--versioning-dir", filepath.Join(s.dir, "versions"), "--sidecar", filepath.Join(s.dir, "meta"),
		filepath.Join(s.dir, "data"))
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	cmd.Stdout, cmd.Stderr = log, log
	if err := os.MkdirAll(filepath.Join(s.dir, "meta"), 0o755); err != nil {
		return fmt.Errorf("versitygw: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("versitygw: starting %s: %w", binary, err)
	}
	s.cmd, s.PID, s.done = cmd, cmd.Process.Pid, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.done) }()
	s.Endpoint = "http://" + addr

	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if ready(ctx, s.Endpoint) {
			return nil
		}
		select {
		case <-s.done:
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("versitygw exited while starting: %s", tail(out))
		case <-ctx.Done():
			_ = s.Stop()
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("versitygw did not answer within %s: %s", startTimeout, tail(out))
		case <-tick.C:
		}
	}
}

// ready reports whether the gateway answers HTTP: an unsigned request gets an S3 error, which is enough.
func ready(ctx context.Context, endpoint string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// Stop ends the gateway: SIGTERM, then SIGKILL after stopGracePeriod.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.cmd == nil || s.cmd.Process == nil {
			return
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(stopGracePeriod):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	return s.stopErr
}

// freePort is a loopback port free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("not a TCP address")
	}
	return addr.Port, nil
}

func tail(b []byte) string {
	const limit = 4 << 10
	if len(b) > limit {
		b = b[len(b)-limit:]
	}
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
