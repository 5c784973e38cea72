package bench

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLoad30Pairs applies 30 pairs at -parallelism=10, plans (which must be empty), and destroys them,
// against the real server: no errors, every phase logged with its time.
func TestLoad30Pairs(t *testing.T) {
	requireHarness(t)
	const pairs = 30
	b := make([]byte, 4)
	rand.Read(b)
	w := &workspace{dir: t.TempDir(), pairs: pairs, prefix: "load-" + hex.EncodeToString(b)}
	body := fmt.Sprintf(config, pairs, w.prefix, w.prefix, w.prefix)
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	harness.env.Proxy.ResetCounts()
	phase := func(name string, run func()) {
		start := time.Now()
		run()
		t.Logf("%d pairs: %-8s %s", pairs, name, time.Since(start).Round(time.Millisecond))
	}
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			w.terraform(t, "destroy", "-auto-approve", "-input=false", "-parallelism=10")
		}
	})
	phase("apply", func() { w.terraform(t, "apply", "-auto-approve", "-input=false", "-parallelism=10") })
	phase("plan", func() { w.plan(t) })
	phase("destroy", func() { w.terraform(t, "destroy", "-auto-approve", "-input=false", "-parallelism=10") })
	destroyed = true
	if n := harness.env.Proxy.Count("CreateBucket"); n != 2*pairs {
		t.Fatalf("CreateBucket called %d times for %d pairs; retries or duplicates happened", n, pairs)
	}
	t.Logf("S3 calls by operation over the whole run: %v", harness.env.Proxy.Counts())
}
