package localrgw

import (
	"context"
	"errors"
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
	s, err := StartForTests(t.Context(), Options{Binary: Binary(t), Identities: identities})
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

// testStartAttempts is how many clusters StartForTests starts before it gives up.
const testStartAttempts = 3

// StartForTests is Start, tried again on failure up to testStartAttempts times: a Ceph cluster starting on two
// busy cores beside other tests' was seen in CI to fail now and then (an OSD exiting at boot), which a fresh
// cluster gets past. Start itself reports each failure, so its own tests see every one.
func StartForTests(ctx context.Context, o Options) (*Server, error) {
	var errs []error
	for range testStartAttempts {
		s, err := Start(ctx, o)
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
