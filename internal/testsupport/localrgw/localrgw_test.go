package localrgw

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestConfigurationKeepsTheClusterToItsDirectoryAndPorts(t *testing.T) {
	conf := clusterConf{dir: "/tmp/x", fsid: "f", monPort: 21000, rgwPort: 22000, certFile: "/tmp/c.pem", keyFile: "/tmp/k.pem"}.render()
	for _, want := range []string{
		"[global]\n",
		"mon host = v1:127.0.0.1:21000\n",
		"ms bind msgr2 = false\n",
		"auth client required = none\n",
		"osd objectstore = memstore\n",
		"osd pool default size = 1\n",
		"admin socket = /tmp/x/$name.asok\n",
		"log file = /tmp/x/$name.log\n",
		"run dir = /tmp/x\n",
		"[client." + rgwName + "]\n",
		"rgw frontends = beast ssl_endpoint=127.0.0.1:22000 ssl_certificate=/tmp/c.pem ssl_private_key=/tmp/k.pem\n",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("configuration lacks %q:\n%s", want, conf)
		}
	}
	// Every path the daemons write to is under the data directory, so two clusters never share a file.
	for _, m := range regexp.MustCompile(`= (/\S+)`).FindAllStringSubmatch(conf, -1) {
		if !strings.HasPrefix(m[1], "/tmp/x/") && m[1] != "/tmp/x" {
			t.Errorf("path %s outside the data directory", m[1])
		}
	}
}

func TestNewUUIDIsVersion4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := newUUID(), newUUID()
	if !re.MatchString(a) || a == b {
		t.Errorf("newUUID gave %q and %q", a, b)
	}
}

func TestIdentitiesAreChecked(t *testing.T) {
	for name, ids := range map[string][]Identity{
		"missing secret":  {{Name: "app", AccessKey: "K1"}},
		"admin's name":    {{Name: AdminUser, AccessKey: "K1", SecretKey: "s"}},
		"admin's key":     {{Name: "app", AccessKey: "ADMINKEY", SecretKey: "s"}},
		"repeated name":   {{Name: "app", AccessKey: "K1", SecretKey: "s"}, {Name: "app", AccessKey: "K2", SecretKey: "s"}},
		"repeated key":    {{Name: "a", AccessKey: "K1", SecretKey: "s"}, {Name: "b", AccessKey: "K1", SecretKey: "s"}},
		"empty identity":  {{}},
		"missing the key": {{Name: "app", SecretKey: "s"}},
	} {
		if err := checkIdentities("ADMINKEY", ids); err == nil {
			t.Errorf("%s: accepted %+v", name, ids)
		}
	}
	if err := checkIdentities("", []Identity{{Name: "a", AccessKey: "K1", SecretKey: "s"}, {Name: "b", AccessKey: "K2", SecretKey: "s"}}); err != nil {
		t.Errorf("two distinct identities: %v", err)
	}
}

func TestCephEnvDropsCallerConfiguration(t *testing.T) {
	t.Setenv("CEPH_ARGS", "--id someone")
	t.Setenv("CEPH_CONF", "/etc/ceph/other.conf")
	t.Setenv("AWS_ACCESS_KEY_ID", "CALLERKEY")
	for _, kv := range cephEnv() {
		if strings.HasPrefix(kv, "CEPH_") || strings.HasPrefix(kv, "AWS_") {
			t.Errorf("caller's %q reaches the cluster", kv)
		}
	}
}

func TestStartNeedsEveryCephCommand(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "radosgw")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	_, err := Start(t.Context(), Options{Binary: fake, DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "ceph-mon") || !strings.Contains(err.Error(), "ensure-radosgw.sh") {
		t.Fatalf("Start without ceph-mon: %v, want an error naming it and the install script", err)
	}
}

// fakeCeph writes stand-ins for the Ceph commands into a directory: one-shot commands succeed, `ceph osd new`
// prints osdID, the monitor and the OSD run until killed (the OSD logging that it is active), and radosgw runs
// script.
func fakeCeph(t *testing.T, script string) string {
	return fakeCephOSD(t, script, `echo 'osd.0 5 state: booting -> active' >> osd.0.log`)
}

// fakeCephOSD is fakeCeph with osdBoot run by the OSD before it waits to be killed.
func fakeCephOSD(t *testing.T, script, osdBoot string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"monmaptool", "radosgw-admin"} {
		write(name, "exit 0\n")
	}
	write("ceph", "echo "+osdID+"\n")
	for name, boot := range map[string]string{"ceph-mon": "", "ceph-osd": osdBoot} {
		write(name, `case " $* " in *" --mkfs "*) exit 0;; esac`+"\necho $$ >> \"$0.pids\"\n"+boot+"\nexec sleep 60\n")
	}
	write("radosgw", script)
	return dir
}

func TestStartReportsADaemonThatExits(t *testing.T) {
	dir := fakeCeph(t, "echo 'radosgw: something broke' >&2\nexit 3\n")
	start := time.Now()
	_, err := Start(t.Context(), Options{Binary: filepath.Join(dir, "radosgw"), DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "client.rgw exited during startup") || !strings.Contains(err.Error(), "something broke") {
		t.Fatalf("Start with a radosgw that exits: %v, want the exit and its output", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Start took %v to notice the exit", d)
	}
}

func TestStartRetriesWhenAPortIsTaken(t *testing.T) {
	dir := fakeCeph(t, "echo attempt >> \"$0.attempts\"\necho 'failed to bind address: Address already in use' >&2\nexit 1\n")
	_, err := Start(t.Context(), Options{Binary: filepath.Join(dir, "radosgw"), DataDir: t.TempDir()})
	if !errors.Is(err, errPortTaken) {
		t.Fatalf("Start: %v, want errPortTaken", err)
	}
	attempts, _ := os.ReadFile(filepath.Join(dir, "radosgw.attempts"))
	if n := strings.Count(string(attempts), "attempt"); n != portRetries {
		t.Errorf("radosgw started %d times, want %d", n, portRetries)
	}
	// The monitor and OSD of every attempt were stopped and reaped.
	for _, name := range []string{"ceph-mon", "ceph-osd"} {
		pids, _ := os.ReadFile(filepath.Join(dir, name+".pids"))
		fields := strings.Fields(string(pids))
		if len(fields) != portRetries {
			t.Errorf("%s started %d times, want %d", name, len(fields), portRetries)
		}
		for _, f := range fields {
			pid, err := strconv.Atoi(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("%s pid %d still exists after the failed start (%v)", name, pid, err)
			}
		}
	}
}

func TestStartRetriesWhenTheMonitorRefusesTheFirstCommand(t *testing.T) {
	dir := fakeCeph(t, "exec sleep 60\n")
	// The first `ceph osd new` is refused as a monitor that is not this cluster's (or not ready) refuses it;
	// the next cluster, on fresh ports, gets its OSD id.
	script := "if [ ! -e \"$0.refused\" ]; then : > \"$0.refused\"; echo 'Error EPERM: problem getting command descriptions from mon.' >&2; exit 1; fi\necho " + osdID + "\n"
	if err := os.WriteFile(filepath.Join(dir, "ceph"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	// The second cluster's gateway never answers: the start ends when the second monitor has started, or after
	// a deadline long enough for two starts on a loaded machine (a fixed 3 s once ran out in CI first).
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	monitors := func() int {
		pids, _ := os.ReadFile(filepath.Join(dir, "ceph-mon.pids"))
		return len(strings.Fields(string(pids)))
	}
	go func() {
		for ctx.Err() == nil && monitors() < 2 {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // let Start get on with the second cluster before it is stopped
		cancel()
	}()
	_, err := Start(ctx, Options{Binary: filepath.Join(dir, "radosgw"), DataDir: t.TempDir()})
	if errors.Is(err, errMonRefused) {
		t.Fatalf("Start gave up on the refused first command: %v", err)
	}
	pids, _ := os.ReadFile(filepath.Join(dir, "ceph-mon.pids"))
	if n := len(strings.Fields(string(pids))); n != 2 {
		t.Errorf("ceph-mon started %d times, want 2 (the refused cluster, then a fresh one)", n)
	}
}

func TestOSDRefusedForAWrongFSIDIsStartedAgain(t *testing.T) {
	// The first start logs the monitor's refusal and exits, as the real OSD sometimes does; the second boots.
	dir := fakeCephOSD(t, "echo 'radosgw: reached' >&2\nexit 1\n",
		`if [ ! -e "$0.refused" ]; then touch "$0.refused"; echo "osd.0 0 mon_cmd_maybe_osd_create fail: 'wrong fsid': (1) Operation not permitted" >> osd.0.log; exit 1; fi
echo 'osd.0 5 state: booting -> active' >> osd.0.log`)
	_, err := Start(t.Context(), Options{Binary: filepath.Join(dir, "radosgw"), DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "radosgw: reached") {
		t.Fatalf("Start: %v, want it to get past the OSD to radosgw", err)
	}
	if pids, _ := os.ReadFile(filepath.Join(dir, "ceph-osd.pids")); len(strings.Fields(string(pids))) != 2 {
		t.Errorf("OSD started %d times, want 2", len(strings.Fields(string(pids))))
	}
}

func TestOSDThatExitsOtherwiseFailsTheStart(t *testing.T) {
	dir := fakeCephOSD(t, "exit 1\n", "echo 'osd.0 0 unable to mount object store' >> osd.0.log; exit 1")
	_, err := Start(t.Context(), Options{Binary: filepath.Join(dir, "radosgw"), DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "osd.0 exited during startup") || !strings.Contains(err.Error(), "unable to mount") {
		t.Fatalf("Start: %v, want the OSD's exit and its log", err)
	}
	// Neither a wrong fsid nor a taken port: the OSD is not started again.
	if pids, _ := os.ReadFile(filepath.Join(dir, "ceph-osd.pids")); len(strings.Fields(string(pids))) != 1 {
		t.Errorf("OSD started %d times, want once", len(strings.Fields(string(pids))))
	}
}

// TestServerStartsAndStopsCleanly starts a second, private server and checks what Stop leaves: no daemon
// and no data directory.
func TestServerStartsAndStopsCleanly(t *testing.T) {
	sharedServer(t) // skips without the binary
	start := time.Now()
	s, err := Start(t.Context(), Options{Binary: os.Getenv(BinaryEnv)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ready in %s", time.Since(start).Round(time.Millisecond))
	if s.Endpoint == shared.Endpoint || !strings.HasPrefix(s.Endpoint, "https://127.0.0.1:") {
		t.Errorf("endpoint %s, want a loopback HTTPS endpoint of its own", s.Endpoint)
	}
	env := s.Env()
	for _, want := range []string{"AWS_ENDPOINT_URL_S3=" + s.Endpoint, "AWS_CA_BUNDLE=" + s.CAFile, "AWS_ACCESS_KEY_ID=" + s.AccessKey, "AWS_REGION=" + Region} {
		if !slices.Contains(env, want) {
			t.Errorf("Env() lacks %s", want)
		}
	}
	if _, err := rawClient(s, s.AccessKey, s.SecretKey).ListBuckets(t.Context(), nil); err != nil {
		t.Errorf("ListBuckets with the admin's keys: %v", err)
	}
	var pids []int
	for _, d := range s.daemons {
		pids = append(pids, d.cmd.Process.Pid)
	}
	stopStart := time.Now()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped in %s", time.Since(stopStart).Round(time.Millisecond))
	select {
	case <-s.Done():
	default:
		t.Error("Done is not closed after Stop")
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("daemon pid %d still exists after Stop (%v)", pid, err)
		}
	}
	if _, err := os.Stat(s.dataDir); !os.IsNotExist(err) {
		t.Errorf("data directory %s still exists after Stop (%v)", s.dataDir, err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
