// Package localrgw starts a Ceph RADOS Gateway (radosgw) on loopback over HTTPS, so tests can check what the
// provider relies on against an S3 implementation other than SeaweedFS. Its API mirrors locals3's.
//
// The Ceph release Debian 12 ships (16.2, Pacific) has no RGW that stands alone (the dbstore backend came
// with 17.2), so Start first brings up a single-node cluster: one monitor and one OSD that keeps its objects
// in memory (memstore), without cephx. All of it lives in one data directory and ends with Stop.
package localrgw

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
)

// BinaryEnv names the radosgw binary; scripts/ensure-radosgw.sh installs it and prints its path.
const BinaryEnv = "PROTECTEDMEDIA_RADOSGW"

// Region is the region clients are told to use. RGW's default zone group answers to any region in a
// signature; the SDKs need one, and us-east-1 makes them send CreateBucket without a location constraint,
// which RGW would otherwise check against its zone group's name ("default").
const Region = "us-east-1"

// AdminUser is the RGW user that owns Options.AccessKey: it creates and configures the tests' buckets.
const AdminUser = "admin"

const (
	// startTimeout caps Start even when ctx has no deadline. A cold start takes 10 to 20 seconds on two busy
	// cores (the OSD's first map, then RGW creating its seven pools), so a cluster not serving after this
	// long is broken, and a test should fail rather than hang.
	startTimeout = 3 * time.Minute
	// pollInterval is the pause between readiness probes.
	pollInterval = 200 * time.Millisecond
	// probeTimeout bounds one readiness request.
	probeTimeout = 2 * time.Second
	// portRetries is how many fresh port pairs Start tries when another process takes a chosen port between
	// FreePorts and a daemon binding it.
	portRetries = 3
	// stopGracePeriod is how long Stop waits after SIGTERM before SIGKILL, per daemon.
	stopGracePeriod = 10 * time.Second
	// waitDelay bounds how long reaping a daemon waits for its output pipe to close.
	waitDelay = 2 * time.Second
	// logTailLines is how much of a daemon's log a failed start quotes.
	logTailLines = 20
	// osdStartAttempts is how often Start starts an OSD that exits with "wrong fsid" (see startOSD).
	osdStartAttempts = 5
)

// The daemons' Ceph names; each writes <name>.log in the data directory.
const (
	monID   = "a"
	osdID   = "0" // the first OSD a new cluster allocates
	rgwName = "rgw"
)

// Options configures Start.
type Options struct {
	// Binary is the path to radosgw; the other Ceph commands (ceph-mon, ceph-osd, monmaptool, ceph,
	// radosgw-admin) are looked up in its directory first, then on PATH. Required.
	Binary               string
	DataDir              string // stores, logs, sockets and certificates; "" = a new temp dir removed by Stop
	AccessKey, SecretKey string // the AdminUser's keys; "" = random test credentials
	// Identities are further RGW users. Each is a user of its own (principal arn:aws:iam:::user/<Name>, see
	// UserARN) that owns no bucket: on the admin's buckets it may do only what a bucket policy grants.
	Identities []Identity
}

// Identity is an extra S3 user; every field is required, names and access keys must be distinct, and Name
// must not be AdminUser.
type Identity struct {
	Name, AccessKey, SecretKey string
}

// Server is a running single-node Ceph cluster with RGW in front.
type Server struct {
	Endpoint             string // https://127.0.0.1:<port>
	CAFile               string // PEM of the test CA that signed the server certificate
	AccessKey, SecretKey string
	PID                  int // radosgw's

	ca        *locals3.CA
	dataDir   string
	removeDir bool // dataDir was created by Start
	tools     tools
	daemons   []*daemon // in start order: monitor, OSD, gateway

	stopOnce sync.Once
	stopErr  error
}

// tools are the resolved paths of the Ceph commands Start runs.
type tools struct {
	radosgw, mon, osd, monmaptool, ceph, admin string
}

func findTools(radosgw string) (tools, error) {
	rgw, err := exec.LookPath(radosgw)
	if err != nil {
		return tools{}, fmt.Errorf("radosgw binary: %w", err)
	}
	dir := filepath.Dir(rgw)
	find := func(name string) (string, error) {
		if p := filepath.Join(dir, name); isExecutable(p) {
			return p, nil
		}
		p, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("%s (needed beside radosgw; scripts/ensure-radosgw.sh installs it): %w", name, err)
		}
		return p, nil
	}
	t := tools{radosgw: rgw}
	for _, e := range []struct {
		dst  *string
		name string
	}{{&t.mon, "ceph-mon"}, {&t.osd, "ceph-osd"}, {&t.monmaptool, "monmaptool"}, {&t.ceph, "ceph"}, {&t.admin, "radosgw-admin"}} {
		if *e.dst, err = find(e.name); err != nil {
			return tools{}, err
		}
	}
	return t, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Start creates a test CA and a server certificate for 127.0.0.1 and localhost, brings up the cluster and
// RGW on free loopback ports, creates the users, and returns once a signed S3 request over verified HTTPS
// succeeds. It fails early, with the tail of the daemon's log, if a daemon exits, and gives up when ctx
// ends or after startTimeout. On failure nothing is left running and a temp DataDir is removed.
func Start(ctx context.Context, o Options) (_ *Server, err error) {
	if o.Binary == "" {
		return nil, fmt.Errorf("localrgw: Options.Binary is required (%s names it in tests)", BinaryEnv)
	}
	t, err := findTools(o.Binary)
	if err != nil {
		return nil, fmt.Errorf("localrgw: %w", err)
	}
	if err := checkIdentities(o.AccessKey, o.Identities); err != nil {
		return nil, fmt.Errorf("localrgw: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	s := &Server{AccessKey: o.AccessKey, SecretKey: o.SecretKey, dataDir: o.DataDir, tools: t}
	if s.AccessKey == "" {
		s.AccessKey = "LOCALRGW" + strings.ToUpper(randomHex(6))
	}
	if s.SecretKey == "" {
		s.SecretKey = randomHex(20)
	}
	if s.dataDir == "" {
		// Short: the daemons' admin sockets live here, and a Unix socket path has at most 107 bytes.
		if s.dataDir, err = os.MkdirTemp("", "localrgw-"); err != nil {
			return nil, fmt.Errorf("localrgw: %w", err)
		}
		s.removeDir = true
	} else if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("localrgw: %w", err)
	}
	if s.dataDir, err = filepath.Abs(s.dataDir); err != nil {
		return nil, fmt.Errorf("localrgw: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.cleanup())
		}
	}()

	if s.ca, err = locals3.NewCA(); err != nil {
		return nil, fmt.Errorf("localrgw: %w", err)
	}
	s.CAFile = filepath.Join(s.dataDir, "ca.pem")
	if err := os.WriteFile(s.CAFile, s.ca.PEM(), 0o644); err != nil {
		return nil, fmt.Errorf("localrgw: %w", err)
	}
	cert, err := s.ca.Issue("127.0.0.1", "localhost")
	if err != nil {
		return nil, fmt.Errorf("localrgw: %w", err)
	}
	certFile, keyFile := filepath.Join(s.dataDir, "server.pem"), filepath.Join(s.dataDir, "server-key.pem")
	if err := locals3.WriteKeyPair(cert, certFile, keyFile); err != nil {
		return nil, fmt.Errorf("localrgw: writing server certificate: %w", err)
	}

	// One cluster starts at a time on the machine: test packages run at once, and clusters starting side by
	// side on two cores were seen in CI to trip over each other (a monitor refusing, an OSD exiting).
	unlock, err := lockStarts()
	if err != nil {
		return nil, fmt.Errorf("localrgw: %w", err)
	}
	defer unlock()
	for attempt := 1; ; attempt++ {
		err = s.startOnce(ctx, certFile, keyFile)
		if err == nil {
			break
		}
		if retry := errors.Is(err, errPortTaken) || errors.Is(err, errMonRefused); !retry || attempt == portRetries {
			return nil, fmt.Errorf("localrgw: %w", err)
		}
	}
	users := append([]Identity{{Name: AdminUser, AccessKey: s.AccessKey, SecretKey: s.SecretKey}}, o.Identities...)
	for _, u := range users {
		if err := s.createUser(ctx, u); err != nil {
			return nil, fmt.Errorf("localrgw: %w", errors.Join(err, s.kill()))
		}
	}
	if err := s.waitSigned(ctx); err != nil {
		return nil, fmt.Errorf("localrgw: %w", errors.Join(err, s.kill()))
	}
	return s, nil
}

func checkIdentities(adminKey string, ids []Identity) error {
	names, keys := map[string]bool{AdminUser: true}, map[string]bool{}
	if adminKey != "" {
		keys[adminKey] = true
	}
	for _, id := range ids {
		if id.Name == "" || id.AccessKey == "" || id.SecretKey == "" {
			return fmt.Errorf("identity %q: Name, AccessKey and SecretKey are all required", id.Name)
		}
		if names[id.Name] {
			return fmt.Errorf("identity %q: the name is already in use", id.Name)
		}
		if keys[id.AccessKey] {
			return fmt.Errorf("identity %q: access key %s is already in use", id.Name, id.AccessKey)
		}
		names[id.Name], keys[id.AccessKey] = true, true
	}
	return nil
}

// errPortTaken marks a start that failed because a chosen port was no longer free.
var errPortTaken = errors.New("a chosen port was taken")

// lockStarts takes the machine-wide lock of cluster starts (a file lock, released if the process dies).
func lockStarts() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "protectedmedia-localrgw-start.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return func() { _ = f.Close() }, nil
}

// errMonRefused marks a start whose monitor refused the cluster's first command, which a start on fresh ports
// gets past.
var errMonRefused = errors.New("the monitor refused the first command")

// startOnce creates a new cluster in a clean directory on a fresh pair of ports and starts its daemons; it
// returns once RGW answers over HTTPS. On failure nothing it started is left running.
func (s *Server) startOnce(ctx context.Context, certFile, keyFile string) (err error) {
	ports, err := locals3.FreePorts(2)
	if err != nil {
		return err
	}
	dir := filepath.Join(s.dataDir, "cluster")
	if err := os.RemoveAll(dir); err != nil { // what a failed attempt left behind
		return err
	}
	for _, sub := range []string{"mon", "osd", "rgw"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	conf := clusterConf{dir: dir, fsid: newUUID(), monPort: ports[0], rgwPort: ports[1], certFile: certFile, keyFile: keyFile}
	confFile := filepath.Join(dir, "ceph.conf")
	if err := os.WriteFile(confFile, []byte(conf.render()), 0o644); err != nil {
		return err
	}
	s.daemons = nil
	defer func() {
		if err != nil {
			err = errors.Join(err, s.kill())
		}
	}()

	c := s.commands(dir, confFile)
	monmap := filepath.Join(dir, "monmap")
	if err := c.run(ctx, s.tools.monmaptool, "--create", "--fsid", conf.fsid, "--addv", monID, fmt.Sprintf("[v1:127.0.0.1:%d]", conf.monPort), monmap); err != nil {
		return err
	}
	if err := c.run(ctx, s.tools.mon, "-c", confFile, "-i", monID, "--mkfs", "--monmap", monmap); err != nil {
		return err
	}
	mon, err := c.daemon("mon."+monID, s.tools.mon, "-f", "-c", confFile, "-i", monID)
	if err != nil {
		return err
	}

	// `osd new` is the first request to the monitor, so it also waits for the monitor to serve; it
	// allocates the OSD's id, which on a new cluster is osdID.
	osdUUID := newUUID()
	out, err := c.output(ctx, mon, s.tools.ceph, "-c", confFile, "--connect-timeout", "60", "osd", "new", osdUUID)
	if err != nil {
		if strings.Contains(err.Error(), "EPERM") {
			// The monitor refused the cluster's first command ("problem getting command descriptions from
			// mon"): seen once in CI, where several test packages start clusters at the same moment, so a
			// monitor of another cluster may have taken the chosen port. A fresh cluster on fresh ports starts.
			return fmt.Errorf("%w: %w", errMonRefused, err)
		}
		return err
	}
	if id := strings.TrimSpace(out); id != osdID {
		return fmt.Errorf("the new cluster gave its first OSD id %q, want %s", id, osdID)
	}
	if err := c.run(ctx, s.tools.osd, "-c", confFile, "-i", osdID, "--mkfs", "--osd-uuid", osdUUID); err != nil {
		return err
	}
	if err := s.startOSD(ctx, c, confFile); err != nil {
		return err
	}
	rgw, err := c.daemon("client."+rgwName, s.tools.radosgw, "-f", "-c", confFile, "-n", "client."+rgwName)
	if err != nil {
		return err
	}
	s.PID = rgw.cmd.Process.Pid
	s.Endpoint = "https://127.0.0.1:" + strconv.Itoa(conf.rgwPort)
	return s.waitServing(ctx)
}

// startOSD starts the OSD and waits until it is active. The OSD of this release sometimes sends its first
// command to the monitor before it knows the cluster's fsid; the monitor refuses it ("wrong fsid") and the
// OSD exits, to boot normally when started again: seen in 3 of 5 starts on two busy cores.
func (s *Server) startOSD(ctx context.Context, c commands, confFile string) error {
	logFile := filepath.Join(c.dir, "osd."+osdID+".log")
	for attempt := 1; ; attempt++ {
		logged := fileSize(logFile) // what earlier attempts wrote, which says nothing of this one
		osd, err := c.daemon("osd."+osdID, s.tools.osd, "-f", "-c", confFile, "-i", osdID)
		if err != nil {
			return err
		}
		refused, err := s.waitActive(ctx, osd, logFile, logged)
		if err == nil || !refused || attempt == osdStartAttempts {
			return err
		}
		s.daemons = slices.DeleteFunc(s.daemons, func(d *daemon) bool { return d == osd })
	}
}

// waitActive waits until the OSD logs (past offset) that it is active. If it exits first, refused says
// whether the monitor had refused it for a wrong fsid.
func (s *Server) waitActive(ctx context.Context, osd *daemon, logFile string, offset int64) (refused bool, err error) {
	for {
		if strings.Contains(readFrom(logFile, offset), "state: booting -> active") {
			return false, nil
		}
		select {
		case <-osd.done:
			return strings.Contains(readFrom(logFile, offset), "'wrong fsid'"), s.exited()
		case <-ctx.Done():
			return false, fmt.Errorf("the OSD did not become active: %w%s", ctx.Err(), s.logTails())
		case <-time.After(pollInterval):
		}
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// readFrom returns what path holds past offset, or "" if it cannot be read.
func readFrom(path string, offset int64) string {
	data, err := os.ReadFile(path)
	if err != nil || int64(len(data)) < offset {
		return ""
	}
	return string(data[offset:])
}

// waitServing polls RGW until an anonymous ListBuckets answers 200, which RGW does only once its zone and
// pools exist. It fails early if any daemon exits.
func (s *Server) waitServing(ctx context.Context) error {
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: s.TLSConfig()}}
	defer client.CloseIdleConnections()
	var lastErr error
	for {
		if lastErr = getOK(ctx, client, s.Endpoint+"/"); lastErr == nil {
			return nil
		}
		if err := s.exited(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("RGW did not start serving: %w (last probe: %v)%s", ctx.Err(), lastErr, s.logTails())
		case <-time.After(pollInterval):
		}
	}
}

func getOK(ctx context.Context, client *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// createUser adds an RGW user with the given keys. Only once RGW serves: radosgw-admin creates the default
// zone itself when none exists, and running it while RGW creates that zone can leave two of them.
func (s *Server) createUser(ctx context.Context, u Identity) error {
	dir := filepath.Join(s.dataDir, "cluster")
	c := s.commands(dir, filepath.Join(dir, "ceph.conf"))
	err := c.runQuiet(ctx, s.tools.admin, "-c", c.conf, "user", "create", "--uid="+u.Name, "--display-name="+u.Name,
		"--access-key="+u.AccessKey, "--secret-key="+u.SecretKey)
	if err != nil {
		return fmt.Errorf("creating RGW user %s: %w", u.Name, err)
	}
	return nil
}

// waitSigned polls until a ListBuckets request signed with the admin's keys succeeds: RGW reads a new
// user's keys from the cluster, and its cache may answer InvalidAccessKeyId for a moment.
func (s *Server) waitSigned(ctx context.Context) error {
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: s.TLSConfig()}}
	defer client.CloseIdleConnections()
	var lastErr error
	for {
		if lastErr = s.signedListBuckets(ctx, client); lastErr == nil {
			return nil
		}
		if err := s.exited(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("RGW did not accept the admin's keys: %w (last probe: %v)%s", ctx.Err(), lastErr, s.logTails())
		case <-time.After(pollInterval):
		}
	}
}

// UserARN is the principal RGW gives the user name (AdminUser or an Identity's Name) in bucket policies.
func UserARN(name string) string { return "arn:aws:iam:::user/" + name }

// Stop ends the daemons — gateway, OSD, monitor; SIGTERM, then SIGKILL after stopGracePeriod — waits for
// them to exit, and removes DataDir if Start created it. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopErr = errors.Join(s.kill(), s.cleanup())
	})
	return s.stopErr
}

// Done is closed when radosgw has exited, whether through Stop or on its own.
func (s *Server) Done() <-chan struct{} {
	if len(s.daemons) == 0 {
		return nil
	}
	return s.daemons[len(s.daemons)-1].done
}

// Env returns what an S3 client needs to reach the server, as KEY=VALUE strings. RGW 16.2 has no STS
// GetCallerIdentity, so clients must not need the caller's account (the provider's skip_bucket_owner_check).
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		"AWS_CA_BUNDLE=" + s.CAFile,
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=" + Region,
	}
}

// TLSConfig returns a new client configuration that trusts the test CA and nothing else.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.ca.Pool(), MinVersion: tls.VersionTLS12}
}

// IssueCert signs a certificate for hosts with the server's test CA, so a test proxy can serve HTTPS that
// clients configured from Env already trust.
func (s *Server) IssueCert(hosts ...string) (tls.Certificate, error) {
	return s.ca.Issue(hosts...)
}

// kill stops the daemons in the reverse order of their start and waits until each is reaped.
func (s *Server) kill() error {
	var errs []error
	for i := len(s.daemons) - 1; i >= 0; i-- {
		errs = append(errs, s.daemons[i].stop())
	}
	return errors.Join(errs...)
}

// cleanup removes a DataDir that Start created.
func (s *Server) cleanup() error {
	if !s.removeDir {
		return nil
	}
	if err := os.RemoveAll(s.dataDir); err != nil {
		return fmt.Errorf("localrgw: removing %s: %w", s.dataDir, err)
	}
	return nil
}

// exited reports the first daemon that has exited, with the end of its log; errPortTaken when that says
// a port was taken.
func (s *Server) exited() error {
	for _, d := range s.daemons {
		select {
		case <-d.done:
			tail := d.logTail()
			err := fmt.Errorf("%s exited during startup (%v)%s", d.name, d.err, tail)
			if strings.Contains(tail, "Address already in use") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		default:
		}
	}
	return nil
}

// logTails quotes the end of every daemon's log, for a start that timed out without any daemon failing.
func (s *Server) logTails() string {
	var b strings.Builder
	for _, d := range s.daemons {
		b.WriteString(d.logTail())
	}
	return b.String()
}

// commands runs the cluster's commands and daemons with a clean environment in dir.
type commands struct {
	s    *Server
	dir  string
	conf string
}

func (s *Server) commands(dir, conf string) commands { return commands{s: s, dir: dir, conf: conf} }

// cephEnv is the parent's environment without what Ceph's tools read as configuration (CEPH_ARGS,
// CEPH_CONF and the like) or what would reach radosgw's own S3 clients.
func cephEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CEPH_") || strings.HasPrefix(kv, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (c commands) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	cmd.Env = cephEnv()
	cmd.WaitDelay = waitDelay
	return cmd
}

// run runs a one-shot command, quoting its output if it fails.
func (c commands) run(ctx context.Context, name string, args ...string) error {
	out, err := c.command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return nil
}

// runQuiet runs a one-shot command whose output or arguments may hold secrets: a failure quotes only its
// standard error.
func (c commands) runQuiet(ctx context.Context, name string, args ...string) error {
	cmd := c.command(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), args[2], err, stderr.Bytes())
	}
	return nil
}

// output runs a client command against the cluster and returns its standard output. It gives up at once if
// the daemon it talks to exits.
func (c commands) output(ctx context.Context, server *daemon, name string, args ...string) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-server.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	cmd := c.command(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if exitErr := c.s.exited(); exitErr != nil {
			return "", exitErr
		}
		return "", fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.Bytes())
	}
	return string(out), nil
}

// daemon starts a long-running Ceph process in the foreground, in its own process group.
func (c commands) daemon(name, path string, args ...string) (*daemon, error) {
	cmd := exec.Command(path, args...)
	cmd.Dir = c.dir
	cmd.Env = cephEnv()
	out, err := os.Create(filepath.Join(c.dir, name+".out"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = locals3.DaemonProcAttr()
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	d := &daemon{name: name, cmd: cmd, logFile: filepath.Join(c.dir, name+".log"), outFile: out.Name(), done: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		out.Close()
		close(d.done)
	}()
	c.s.daemons = append(c.s.daemons, d)
	return d, nil
}

// daemon is a running Ceph process.
type daemon struct {
	name             string
	cmd              *exec.Cmd
	logFile, outFile string
	done             chan struct{} // closed once the process has exited and been reaped
	err              error         // how it exited; read only after done is closed
}

// stop signals the daemon's process group, SIGTERM then SIGKILL, and waits until it is reaped. Signals go
// only to a process not yet reaped, so a recycled PID is never hit.
func (d *daemon) stop() error {
	select {
	case <-d.done:
		return nil
	default:
	}
	pid := d.cmd.Process.Pid
	if err := syscall.Kill(-pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("localrgw: stopping %s (pid %d): %w", d.name, pid, err)
	}
	select {
	case <-d.done:
		return nil
	case <-time.After(stopGracePeriod):
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("localrgw: killing %s (pid %d): %w", d.name, pid, err)
	}
	<-d.done
	return nil
}

// logTail is the end of the daemon's Ceph log and of what it printed, for an error message.
func (d *daemon) logTail() string {
	var b strings.Builder
	for _, f := range []string{d.outFile, d.logFile} {
		data, err := os.ReadFile(f)
		if err != nil || len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > logTailLines {
			lines = lines[len(lines)-logTailLines:]
		}
		fmt.Fprintf(&b, "\n--- last lines of %s ---\n%s", filepath.Base(f), strings.Join(lines, "\n"))
	}
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// newUUID returns a random (version 4) UUID, as Ceph wants for a cluster's fsid and an OSD's identity.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// emptyPayloadHash is the SHA-256 of an empty body, which S3 signatures carry in x-amz-content-sha256.
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// signedListBuckets sends ListBuckets signed with the admin's keys and expects 200.
func (s *Server) signedListBuckets(ctx context.Context, client *http.Client) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/", nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Content-Sha256", emptyPayloadHash)
	creds := aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, emptyPayloadHash, "s3", Region, time.Now()); err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("signed ListBuckets: %s %s", resp.Status, body)
	}
	return nil
}
