// Package browser is test support: it drives Debian's Chromium, headless, through the DevTools protocol
// (chromedp), and records every request a page made as the browser saw it. Tests use it for what only a
// browser enforces and an HTTP client never sees: CORS on fonts and on cross-origin uploads, stylesheets
// pulled in by @import, relative URLs resolved against a stylesheet's own URL.
//
// A font refused by CORS is answered 200 by the server and then dropped by the browser, so the log keeps the
// failure (Network.loadingFailed) apart from the status: a request is OK only when it was answered 2xx,
// finished loading and did not fail.
package browser

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium, which scripts/ensure-chromium.sh installs. A fixed path, not a search of
// PATH: the tests should run the browser the script checked, not whichever one a machine has first.
const ChromiumPath = "/usr/bin/chromium"

const (
	// networkQuiet is how long no request may be open, and no network event arrive, before a page counts as
	// loaded: fonts are requested only once layout needs them, after the load event, and a stylesheet
	// pulled in by @import only once its parent has arrived.
	networkQuiet = 500 * time.Millisecond
	// recordTimeout bounds one recorded step, its network included; a page on loopback needs a second or two.
	recordTimeout = time.Minute
	// probeTimeout bounds `chromium --version`; the Debian wrapper script starts in well under a second.
	probeTimeout = 30 * time.Second
)

// Missing returns why Chromium cannot run here, or "" when it can.
func Missing() string {
	if _, err := os.Stat(ChromiumPath); err != nil {
		return err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, ChromiumPath, "--headless=new", "--no-sandbox", "--version").CombinedOutput(); err != nil {
		return fmt.Sprintf("%s --version: %v: %s", ChromiumPath, err, bytes.TrimSpace(out))
	}
	return ""
}

// SkipIfMissing skips t, saying how to install it, when Chromium cannot run here.
func SkipIfMissing(t testing.TB) {
	t.Helper()
	if why := Missing(); why != "" {
		skip := t.Skipf
		if os.Getenv(RequireClientsEnv) != "" {
			skip = t.Fatalf // CI installs the clients: a test that cannot run there is a failure, not a skip
		}
		skip("SKIP: the browser tests need Debian's chromium at %s; scripts/ensure-chromium.sh installs it "+
			"(as root; `make test` runs it), or run `apt-get install chromium`: %s", ChromiumPath, why)
	}
}

// RequireClientsEnv, when set (.ci/run sets it), turns the skip of a test whose real client (Chromium,
// Debian's Django) is missing into a failure, so CI cannot pass with those tests silently not run.
const RequireClientsEnv = "PROTECTEDMEDIA_REQUIRE_CLIENTS"

// Options configures Start.
type Options struct {
	// TrustedSPKI are base64 SHA-256 hashes of certificate public keys (SPKIHash) that the browser accepts
	// although no CA it trusts signed them: a test's HTTPS server with a test CA. Only these keys are let
	// through; any other certificate error still fails the request, as it would for a visitor.
	TrustedSPKI []string
}

// Browser is one headless Chromium with one tab. The tab's HTTP cache is off, so each recording sees every
// request of a page, including those a visitor's browser would answer from its cache.
type Browser struct {
	ctx context.Context // the tab's chromedp context
}

// Start starts Chromium for t, or skips t when Chromium is not installed; t's cleanup stops it.
func Start(t testing.TB, o Options) *Browser {
	t.Helper()
	SkipIfMissing(t)
	output := &lockedBuffer{}
	// chromedp's defaults (after Puppeteer's: no first run, no background networking, no /dev/shm, no
	// extensions, ...), then what these tests need: Debian's binary, the new headless mode, no sandbox (the
	// tests run as root in containers, where Chromium's sandbox cannot start) and no GPU.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.NoFirstRun,
		chromedp.CombinedOutput(output),
	)
	if len(o.TrustedSPKI) > 0 {
		// Honoured only with --user-data-dir, which chromedp always passes (a temporary directory).
		opts = append(opts, chromedp.Flag("ignore-certificate-errors-spki-list", strings.Join(o.TrustedSPKI, ",")))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits for the browser to exit
	})
	b := &Browser{ctx: ctx}
	// The first call starts the browser and opens the tab; it must run on the tab's own context, without a
	// deadline, or the deadline would end the browser.
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatalf("starting %s: %v\n%s", ChromiumPath, err, output)
	}
	return b
}

// Load opens rawURL and returns the requests of the page, once it has loaded and its network is quiet.
func (b *Browser) Load(rawURL string) (Log, error) {
	return b.Record(chromedp.Navigate(rawURL))
}

// Record runs the steps in the tab and returns every request they caused, once the network has been
// quiet (no request open, no network event) for half a second. An error from a step, or requests still
// open after a minute, come back with the log so far.
func (b *Browser) Record(steps ...chromedp.Action[chromedp.Void]) (Log, error) {
	ctx, cancel := context.WithTimeout(b.ctx, recordTimeout)
	defer cancel()
	r := newRecorder()
	if err := chromedp.Listen(ctx, r.event); err != nil {
		return nil, err
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		return r.log(), err
	}
	return r.waitQuiet(ctx)
}

// SubmitForm is a step that types each value of fields into the form field of that name (in the order of
// the names, so a run is repeatable) and clicks the element submit (a CSS selector), then waits for the
// page the submission leads to, redirects followed, to fire its load event.
func SubmitForm(fields map[string]string, submit string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			if _, err := chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("[name=%q]", name)), fields[name])(ctx, t); err != nil {
				return fmt.Errorf("typing into the field %q: %w", name, err)
			}
		}
		if _, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(submit)))(ctx, t); err != nil {
			return fmt.Errorf("submitting with %s: %w", submit, err)
		}
		return nil
	})
}

// SPKIHash is the form --ignore-certificate-errors-spki-list takes (RFC 7469's pin): the base64 SHA-256 of
// cert's SubjectPublicKeyInfo.
func SPKIHash(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// ServerSPKI connects to the TLS server at addr (host:port), verifying it with cfg, and returns the
// SPKIHash of the certificate it presents, for Options.TrustedSPKI. Verifying first means the browser is
// told to accept only a server the test itself trusts.
func ServerSPKI(ctx context.Context, addr string, cfg *tls.Config) (string, error) {
	d := tls.Dialer{Config: cfg.Clone(), NetDialer: &net.Dialer{Timeout: probeTimeout}}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("TLS connection to %s: %w", addr, err)
	}
	defer conn.Close()
	tc, ok := conn.(*tls.Conn)
	if !ok {
		return "", fmt.Errorf("TLS connection to %s: got a %T", addr, conn)
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return "", errors.New("TLS connection to " + addr + ": no certificate presented")
	}
	return SPKIHash(certs[0]), nil
}

// lockedBuffer collects Chromium's output, which its own goroutine writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
