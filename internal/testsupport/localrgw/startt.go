package localrgw

import (
	"os"
	"testing"
)

// requireClientsEnv is browser.RequireClientsEnv, which CI sets: there a missing radosgw fails the test.
const requireClientsEnv = "PROTECTEDMEDIA_REQUIRE_CLIENTS"

// Binary is the radosgw binary named by BinaryEnv. Without one, the test is skipped with the reason, or,
// when PROTECTEDMEDIA_REQUIRE_CLIENTS is set (CI), fails.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		skip := t.Skipf
		if os.Getenv(requireClientsEnv) != "" {
			skip = t.Fatalf
		}
		skip("SKIP: the Ceph RGW tests need radosgw: set %s to the path scripts/ensure-radosgw.sh prints "+
			"(`make test` does)", BinaryEnv)
	}
	return bin
}

// StartT starts a cluster with RGW for one test, with the given extra users, stopped when the test ends.
func StartT(t testing.TB, identities ...Identity) *Server {
	t.Helper()
	s, err := Start(t.Context(), Options{Binary: Binary(t), Identities: identities})
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
