package localrgw

import (
	"fmt"
	"path/filepath"
	"strings"
)

// memstoreBytes caps the OSD's in-memory store. Tests write kilobytes; the cap only matters if one goes
// wild, and then the OSD reports itself full instead of eating the machine's memory.
const memstoreBytes = 1 << 30

// clusterConf is what the Ceph configuration file says, apart from the layout of the data directory.
type clusterConf struct {
	dir      string // the data directory: monitor and OSD stores, sockets, logs, certificate
	fsid     string
	monPort  int
	rgwPort  int
	certFile string
	keyFile  string
}

// render writes the configuration every daemon and command of the cluster reads (each is started with
// -c, so /etc/ceph is never consulted). The choices, one reason each:
//   - no cephx: nothing outside this machine's loopback can reach the cluster, and keyrings would only add
//     files to create and pass around;
//   - messenger v1 only, on a port chosen by Start: the monitor's default ports (3300, 6789) would collide
//     between concurrent clusters;
//   - one replica and small placement groups: one OSD must be enough for RGW's pools to become active, and
//     the monitor otherwise refuses RGW's seven pools for exceeding the placement groups allowed per OSD;
//   - memstore: the OSD needs no block device or file system of its own, starts in a second, and leaves
//     nothing behind;
//   - every run, socket, log and pid file in dir, so two clusters never share one.
func (c clusterConf) render() string {
	p := func(name string) string { return filepath.Join(c.dir, name) }
	global := [][2]string{
		{"fsid", c.fsid},
		{"mon host", fmt.Sprintf("v1:127.0.0.1:%d", c.monPort)},
		{"public addr", "127.0.0.1"},
		{"cluster addr", "127.0.0.1"},
		{"ms bind msgr2", "false"},
		{"auth cluster required", "none"},
		{"auth service required", "none"},
		{"auth client required", "none"},
		{"osd pool default size", "1"},
		{"osd pool default min size", "1"},
		{"mon allow pool size one", "true"},
		{"mon warn on pool no redundancy", "false"},
		{"osd pool default pg num", "8"},
		{"osd pool default pgp num", "8"},
		{"osd pool default pg autoscale mode", "off"},
		{"osd crush chooseleaf type", "0"},
		{"osd objectstore", "memstore"},
		{"memstore device bytes", fmt.Sprint(memstoreBytes)},
		// The OSD's data directory shares the test machine's disk, whose free space says nothing about a
		// store kept in memory; without these a nearly full disk stops the monitor.
		{"mon data avail warn", "1"},
		{"mon data avail crit", "0"},
		{"run dir", c.dir},
		{"admin socket", p("$name.asok")},
		{"log file", p("$name.log")},
		{"pid file", p("$name.pid")},
		{"mon data", p("mon")},
		{"osd data", p("osd")},
	}
	rgw := [][2]string{
		{"rgw frontends", fmt.Sprintf("beast ssl_endpoint=127.0.0.1:%d ssl_certificate=%s ssl_private_key=%s", c.rgwPort, c.certFile, c.keyFile)},
		{"rgw data", p("rgw")},
	}
	var b strings.Builder
	section := func(name string, kv [][2]string) {
		fmt.Fprintf(&b, "[%s]\n", name)
		for _, e := range kv {
			fmt.Fprintf(&b, "%s = %s\n", e[0], e[1])
		}
	}
	section("global", global)
	section("client."+rgwName, rgw)
	return b.String()
}
