// Package locals3 starts a real SeaweedFS S3 server ("weed mini") on loopback, serving HTTPS with a
// throwaway CA, for tests and the demo. It uses the standard library only.
package locals3

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Region is the region clients are told to use; SeaweedFS accepts any, the SDKs need one.
const Region = "us-east-1"

const (
	// startTimeout caps Start even when ctx has no deadline: a cold start takes a few seconds, so a
	// server not answering after this long is broken, and a test should fail rather than hang.
	startTimeout = 2 * time.Minute
	// pollInterval is the pause between readiness probes.
	pollInterval = 100 * time.Millisecond
	// portRetries is how many fresh port sets Start tries when another process takes a chosen port
	// between freePorts and weed binding it.
	portRetries = 3
	// stopGracePeriod is how long Stop waits after SIGTERM before SIGKILL. weed mini drains its
	// services one after another on SIGTERM, which takes a few seconds.
	stopGracePeriod = 10 * time.Second
	// waitDelay bounds how long reaping the process waits for its output pipe to close.
	waitDelay = 2 * time.Second
	// logTailBytes is how much of the server's recent output is kept to explain a failed start.
	logTailBytes = 8 << 10
)

// Options configures Start.
type Options struct {
	Binary               string    // path to the weed binary; required
	DataDir              string    // directory for data, certificates and logs; "" = a new temp dir removed by Stop
	AccessKey, SecretKey string    // "" = random test credentials
	Log                  io.Writer // receives the server's stdout and stderr; nil = DataDir/weed.log
	// Identities are S3 users beside the admin, each allowed Read, Write, List and Tagging but not Admin
	// (so, for one, not PutBucketVersioning). SeaweedFS gives each the principal ARN
	// arn:aws:iam::000000000000:user/<Name>, and the admin arn:aws:iam::000000000000:user/admin-<first 8
	// characters of AccessKey>.
	Identities []Identity
	// KMSEndpoint, when set, is an AWS KMS endpoint (http://...) SeaweedFS uses for SSE-KMS, through its "aws"
	// KMS provider; without one, SeaweedFS stores a bucket's aws:kms default encryption but answers 500 to
	// every object written under it.
	KMSEndpoint string
}

// Identity is an extra S3 user; every field is required, and access keys must differ from each other and
// from the admin's.
type Identity struct {
	Name, AccessKey, SecretKey string
}

// identityActions are what an extra identity may do: everything a bucket's application does, nothing that
// configures a bucket.
var identityActions = []string{"Read", "Write", "List", "Tagging"}

// Server is a running SeaweedFS S3 server.
type Server struct {
	Endpoint             string // https://127.0.0.1:<port>
	CAFile               string // PEM of the test CA that signed the server certificate
	AccessKey, SecretKey string
	PID                  int

	ca        *authority
	dataDir   string
	removeDir bool // dataDir was created by Start
	logFile   *os.File
	tail      *tailBuffer
	s3Config  string        // the -s3.config file with Options.Identities; "" = none
	done      chan struct{} // closed once the process has exited and been reaped
	waitErr   error         // how the process exited; read only after done is closed

	stopOnce sync.Once
	stopErr  error
}

// Start generates a test CA and a server certificate for 127.0.0.1 and localhost, starts weed mini on
// free loopback ports, and returns once a signed S3 request over verified HTTPS succeeds. It fails
// early, with the tail of the server's output, if weed exits, and gives up when ctx ends or after
// startTimeout. On failure nothing is left running and a temp DataDir is removed.
func Start(ctx context.Context, o Options) (_ *Server, err error) {
	if o.Binary == "" {
		return nil, errors.New("locals3: Options.Binary is required")
	}
	binary, err := exec.LookPath(o.Binary)
	if err != nil {
		return nil, fmt.Errorf("locals3: weed binary: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	s := &Server{AccessKey: o.AccessKey, SecretKey: o.SecretKey, dataDir: o.DataDir, tail: &tailBuffer{max: logTailBytes}}
	if s.AccessKey == "" {
		s.AccessKey = "LOCALS3" + strings.ToUpper(randomHex(7))[:13]
	}
	if s.SecretKey == "" {
		s.SecretKey = randomHex(20)
	}
	if s.dataDir == "" {
		if s.dataDir, err = os.MkdirTemp("", "locals3-"); err != nil {
			return nil, fmt.Errorf("locals3: %w", err)
		}
		s.removeDir = true
	} else if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("locals3: %w", err)
	}
	if s.dataDir, err = filepath.Abs(s.dataDir); err != nil {
		return nil, fmt.Errorf("locals3: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.cleanup())
		}
	}()

	if s.ca, err = newAuthority(); err != nil {
		return nil, fmt.Errorf("locals3: %w", err)
	}
	s.CAFile = filepath.Join(s.dataDir, "ca.pem")
	if err := os.WriteFile(s.CAFile, s.ca.pem, 0o644); err != nil {
		return nil, fmt.Errorf("locals3: %w", err)
	}
	serverCert, err := s.ca.issue("127.0.0.1", "localhost")
	if err != nil {
		return nil, fmt.Errorf("locals3: %w", err)
	}
	certFile, keyFile := filepath.Join(s.dataDir, "server.pem"), filepath.Join(s.dataDir, "server-key.pem")
	if err := writeKeyPair(serverCert, certFile, keyFile); err != nil {
		return nil, fmt.Errorf("locals3: writing server certificate: %w", err)
	}

	if len(o.Identities) > 0 || o.KMSEndpoint != "" {
		s.s3Config = filepath.Join(s.dataDir, "s3-identities.json")
		if err := writeS3Config(s.s3Config, s.AccessKey, o.Identities, o.KMSEndpoint); err != nil {
			return nil, fmt.Errorf("locals3: %w", err)
		}
	}

	log := o.Log
	if log == nil {
		if s.logFile, err = os.OpenFile(filepath.Join(s.dataDir, "weed.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return nil, fmt.Errorf("locals3: %w", err)
		}
		log = s.logFile
	}
	log = io.MultiWriter(log, s.tail)

	for attempt := 1; ; attempt++ {
		err = s.startOnce(ctx, binary, certFile, keyFile, log)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == portRetries {
			return nil, fmt.Errorf("locals3: %w", err)
		}
	}
}

// errPortTaken marks a start that failed because a chosen port was no longer free.
var errPortTaken = errors.New("a chosen port was taken")

// Ports, in the order freePorts hands them to weedArgs.
const (
	portS3HTTPS = iota
	portS3
	portS3GRPC
	portMaster
	portMasterGRPC
	portVolume
	portVolumeGRPC
	portFiler
	portFilerGRPC
	portAdmin
	portAdminGRPC
	portCount
)

// weedArgs builds the command line. Every port mini would otherwise pick itself is given explicitly:
// mini's defaults (9333, 8888, 9340, 12535, …) collide between concurrent servers, and its "move to the
// next free port" fallback races when two start at once. Gateways the tests do not use are turned off.
func weedArgs(dir, certFile, keyFile string, ports []int) []string {
	p := func(i int) string { return strconv.Itoa(ports[i]) }
	return []string{
		// All of glog to stderr, so the log is complete (mini otherwise keeps info lines in files under
		// os.TempDir(), which it does not even flush on SIGTERM) and a failed start shows its cause.
		"-logtostderr",
		"mini",
		"-dir=" + dir,
		"-ip=127.0.0.1",
		"-ip.bind=127.0.0.1",
		"-master.telemetry=false",
		"-webdav=false",
		"-admin.ui=false",      // the admin server and its worker still run, so their ports are set below
		"-admin.port.legacy=0", // otherwise also binds 23646 and 33646
		"-s3.port.iceberg=0",   // 0 disables the Iceberg REST catalog (default 8181)
		"-s3.port.lance=0",     // 0 disables the Lance namespace server (default 9101)
		"-s3.port.https=" + p(portS3HTTPS),
		"-s3.cert.file=" + certFile,
		"-s3.key.file=" + keyFile,
		"-s3.port=" + p(portS3),
		"-s3.port.grpc=" + p(portS3GRPC),
		"-master.port=" + p(portMaster),
		"-master.port.grpc=" + p(portMasterGRPC),
		"-volume.port=" + p(portVolume),
		"-volume.port.grpc=" + p(portVolumeGRPC),
		"-filer.port=" + p(portFiler),
		"-filer.port.grpc=" + p(portFilerGRPC),
		"-admin.port=" + p(portAdmin),
		"-admin.port.grpc=" + p(portAdminGRPC),
	}
}

// removeSockets removes the Unix sockets weed mini creates in /tmp, named after the ports, for local
// traffic between its services. weed does not remove all of them when it exits, so without this every
// test run would leave some behind. The ports were this server's until a moment ago, so the sockets
// are too.
func removeSockets(ports []int) {
	for _, name := range []string{
		"master-grpc-" + strconv.Itoa(ports[portMasterGRPC]),
		"volume-grpc-" + strconv.Itoa(ports[portVolumeGRPC]),
		"filer-grpc-" + strconv.Itoa(ports[portFilerGRPC]),
		"s3-grpc-" + strconv.Itoa(ports[portS3GRPC]),
		"admin-grpc-" + strconv.Itoa(ports[portAdminGRPC]),
		"filer-" + strconv.Itoa(ports[portFiler]),
		"s3-" + strconv.Itoa(ports[portS3]),
	} {
		os.Remove("/tmp/seaweedfs-" + name + ".sock")
	}
}

// writeS3Config writes the identities, and the KMS provider when kmsEndpoint is set, as a SeaweedFS S3
// configuration file, readable by its owner only since it holds secrets.
func writeS3Config(path, adminKey string, ids []Identity, kmsEndpoint string) error {
	type credential struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}
	type identity struct {
		Name        string       `json:"name"`
		Credentials []credential `json:"credentials"`
		Actions     []string     `json:"actions"`
	}
	var conf struct {
		Identities []identity `json:"identities"`
		KMS        any        `json:"kms,omitempty"`
	}
	if kmsEndpoint != "" {
		conf.KMS = kmsConfig(kmsEndpoint)
	}
	keys := map[string]bool{adminKey: true}
	for _, id := range ids {
		if id.Name == "" || id.AccessKey == "" || id.SecretKey == "" {
			return fmt.Errorf("identity %q: Name, AccessKey and SecretKey are all required", id.Name)
		}
		if keys[id.AccessKey] {
			return fmt.Errorf("identity %q: access key %s is already in use", id.Name, id.AccessKey)
		}
		keys[id.AccessKey] = true
		conf.Identities = append(conf.Identities, identity{
			Name:        id.Name,
			Credentials: []credential{{AccessKey: id.AccessKey, SecretKey: id.SecretKey}},
			Actions:     identityActions,
		})
	}
	b, err := json.Marshal(conf)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// kmsConfig is the "kms" section of SeaweedFS's S3 configuration: its "aws" provider, the AWS SDK's KMS
// client, pointed at endpoint. The credentials only satisfy the SDK; the endpoint is a test's.
func kmsConfig(endpoint string) map[string]any {
	return map[string]any{
		"default_provider": "test",
		"providers": map[string]any{"test": map[string]any{
			"type": "aws", "region": Region, "endpoint": endpoint,
			"access_key": "LOCALS3KMSTESTKEY", "secret_key": "locals3-kms-test-secret",
			// Each data key is asked for, so a test sees every request the server makes.
			"cache_enabled": false,
		}},
	}
}

// weedEnv is the parent's environment without anything weed or mini would read as configuration
// (WEED_* settings, S3_BUCKET, the caller's AWS_* credentials and endpoints), plus the server's
// credentials, which weed turns into its admin identity.
func weedEnv(accessKey, secretKey string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "WEED_") || strings.HasPrefix(kv, "S3_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "AWS_ACCESS_KEY_ID="+accessKey, "AWS_SECRET_ACCESS_KEY="+secretKey)
}

// startOnce runs weed on a fresh set of ports and data directory and waits until it is ready. On
// failure the process is gone when it returns.
func (s *Server) startOnce(ctx context.Context, binary, certFile, keyFile string, log io.Writer) error {
	ports, err := freePorts(portCount)
	if err != nil {
		return err
	}
	dir := filepath.Join(s.dataDir, "data")
	if err := os.RemoveAll(dir); err != nil { // what a failed attempt left behind
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	args := weedArgs(dir, certFile, keyFile, ports)
	if s.s3Config != "" {
		// weed still adds the admin identity from AWS_ACCESS_KEY_ID beside the file's (checked on this
		// release by TestExtraIdentityIsNotAdmin).
		args = append(args, "-s3.config="+s.s3Config)
	}
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir // weed reads security.toml and friends from the working directory first
	cmd.Env = weedEnv(s.AccessKey, s.SecretKey)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = waitDelay
	s.tail.reset()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", binary, err)
	}
	s.PID = cmd.Process.Pid
	s.Endpoint = "https://127.0.0.1:" + strconv.Itoa(ports[portS3HTTPS])
	s.done = make(chan struct{})
	s.waitErr = nil
	go func() {
		s.waitErr = cmd.Wait()
		removeSockets(ports)
		close(s.done)
	}()

	client := newProbeClient(s.TLSConfig())
	var lastErr error
	for {
		if lastErr = s.probe(ctx, client); lastErr == nil {
			return nil
		}
		select {
		case <-s.done:
			tail := s.tail.String()
			err := fmt.Errorf("weed exited during startup (%v)%s", s.waitErr, formatTail(tail))
			if strings.Contains(tail, "address already in use") || strings.Contains(tail, "is not available on") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		case <-ctx.Done():
			killErr := s.kill()
			return errors.Join(fmt.Errorf("weed did not become ready: %w (last probe: %v)%s", ctx.Err(), lastErr, formatTail(s.tail.String())), killErr)
		case <-time.After(pollInterval):
		}
	}
}

// Stop ends the server's process group — SIGTERM, then SIGKILL after stopGracePeriod — waits for weed
// to exit, and removes DataDir if Start created it. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopErr = s.kill()
		if err := s.cleanup(); err != nil && s.stopErr == nil {
			s.stopErr = err
		}
	})
	return s.stopErr
}

// kill signals the process group and waits until weed is reaped. Signals go only to a process not yet
// reaped, so a recycled PID is never hit.
func (s *Server) kill() error {
	if s.done == nil {
		return nil
	}
	select {
	case <-s.done:
		return nil
	default:
	}
	if err := syscall.Kill(-s.PID, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("locals3: stopping weed (pid %d): %w", s.PID, err)
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(stopGracePeriod):
	}
	if err := syscall.Kill(-s.PID, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("locals3: killing weed (pid %d): %w", s.PID, err)
	}
	<-s.done
	return nil
}

// cleanup closes the log file and removes a DataDir that Start created.
func (s *Server) cleanup() error {
	var err error
	if s.logFile != nil {
		err = s.logFile.Close()
		s.logFile = nil
	}
	if s.removeDir {
		if rmErr := os.RemoveAll(s.dataDir); rmErr != nil {
			err = fmt.Errorf("locals3: removing %s: %w", s.dataDir, rmErr)
		}
	}
	return err
}

// Done is closed when the weed process has exited, whether through Stop or on its own.
func (s *Server) Done() <-chan struct{} { return s.done }

// Env returns what an S3 client needs to reach the server, as KEY=VALUE strings.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		// SeaweedFS answers STS GetCallerIdentity on its S3 port: the provider learns its account there.
		"AWS_ENDPOINT_URL_STS=" + s.Endpoint,
		"AWS_CA_BUNDLE=" + s.CAFile,
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=" + Region,
	}
}

// TLSConfig returns a new client configuration that trusts the test CA and nothing else.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.ca.pool(), MinVersion: tls.VersionTLS12}
}

// IssueCert signs a certificate for hosts (IP addresses or DNS names) with the server's test CA, so a
// test proxy can serve HTTPS that clients configured from Env already trust.
func (s *Server) IssueCert(hosts ...string) (tls.Certificate, error) {
	return s.ca.issue(hosts...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

func (t *tailBuffer) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = t.buf[:0]
}

// formatTail renders the last lines of the server's output for an error message.
func formatTail(tail string) string {
	const maxLines = 25
	lines := strings.Split(strings.TrimRight(tail, "\n"), "\n")
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "; weed printed nothing"
	}
	return "\n--- last lines of weed output ---\n" + strings.Join(lines, "\n")
}
