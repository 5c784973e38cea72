package browser_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/browser"
)

// startBrowser starts Chromium for a test of this package. A real browser takes seconds, so these run with
// the acceptance tests (TF_ACC, as `make test` sets), not with `make unit`.
func startBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	return startBrowserWith(t, browser.Options{})
}

func startBrowserWith(t *testing.T, o browser.Options) *browser.Browser {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("starts a real Chromium: runs with TF_ACC=1 (make test)")
	}
	return browser.Start(t, o)
}

// fontDelay holds the fonts back past the page's load event, so only the wait for a quiet network sees them.
const fontDelay = 300 * time.Millisecond

// A page on one origin whose stylesheet @imports another that pulls two fonts from a second origin, one
// answered with Access-Control-Allow-Origin and one without: the log has every request, and tells the font
// the browser refused apart from the one it used, although the server answered both 200.
func TestRecordCatchesImportsAndCORS(t *testing.T) {
	b := startBrowser(t)

	fonts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(fontDelay)
		if r.URL.Path == "/open.woff" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		w.Header().Set("Content-Type", "font/woff")
		_, _ = w.Write([]byte("wOFF not really a font"))
	}))
	t.Cleanup(fonts.Close)
	site := newSite(t, map[string]string{
		"/": `<!doctype html><html><head><link rel="stylesheet" href="/css/outer.css"></head>
<body><p class="open">open</p><p class="closed">closed</p></body></html>`,
		"/css/outer.css": `@import url(inner.css);`,
		"/css/inner.css": fmt.Sprintf(`
@font-face { font-family: Open; src: url(%[1]s/open.woff); }
@font-face { font-family: Closed; src: url(%[1]s/closed.woff); }
.open { font-family: Open; }
.closed { font-family: Closed; }
`, fonts.URL),
	})

	log, err := b.Load(site.URL + "/")
	if err != nil {
		t.Fatalf("loading the page: %v\n%s", err, log)
	}
	t.Logf("network log:\n%s", log)

	want := []struct {
		url    string
		typ    network.ResourceType
		ok     bool
		status int
		cors   string
	}{
		{site.URL + "/", network.ResourceTypeDocument, true, 200, ""},
		{site.URL + "/css/outer.css", network.ResourceTypeStylesheet, true, 200, ""},
		{site.URL + "/css/inner.css", network.ResourceTypeStylesheet, true, 200, ""},
		{fonts.URL + "/open.woff", network.ResourceTypeFont, true, 200, ""},
		// Answered 200, and still refused: the browser's CORS check, not the server, failed it.
		{fonts.URL + "/closed.woff", network.ResourceTypeFont, false, 200, "MissingAllowOriginHeader"},
	}
	for _, w := range want {
		r, ok := find(log, w.url)
		switch {
		case !ok:
			t.Errorf("%s is not in the log", w.url)
		case r.Type != w.typ || r.OK() != w.ok || r.Status != w.status || !strings.HasPrefix(r.CORSError, w.cors):
			t.Errorf("%s: got %s; want a %s answered %d, OK %t, CORS error %q", w.url, r, w.typ, w.status, w.ok, w.cors)
		}
	}
	if r, _ := find(log, fonts.URL+"/closed.woff"); !r.Failed() || r.ErrorText == "" {
		t.Errorf("the refused font does not count as failed: %s", r)
	}
	if got := log.Of(network.ResourceTypeDocument, network.ResourceTypeStylesheet, network.ResourceTypeFont).NotOK(); len(got) != 1 {
		t.Errorf("NotOK: %d requests, want only the refused font:\n%s", len(got), got)
	}
	if got := log.Of(network.ResourceTypeFont); len(got) != 2 {
		t.Errorf("Of(Font): %d requests, want the 2 fonts:\n%s", len(got), got)
	}
}

// A form is filled in and submitted, the POST is redirected, and the log has both hops and the page the
// redirect led to, while the server got the typed values.
func TestSubmitForm(t *testing.T) {
	b := startBrowser(t)
	var (
		mu  sync.Mutex
		got string
	)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			if r.Method == http.MethodPost {
				mu.Lock()
				got = r.PostFormValue("username") + "/" + r.PostFormValue("password")
				mu.Unlock()
				http.Redirect(w, r, "/welcome", http.StatusFound)
				return
			}
			fmt.Fprint(w, `<!doctype html><form method="post" action="/login">
<input name="username"><input name="password" type="password"><input type="submit" id="go" value="Log in"></form>`)
		case "/welcome":
			fmt.Fprint(w, `<!doctype html><title>welcome</title><link rel="stylesheet" href="/welcome.css">`)
		case "/welcome.css":
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, `body { color: black; }`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(site.Close)

	if log, err := b.Load(site.URL + "/login"); err != nil {
		t.Fatalf("loading the form: %v\n%s", err, log)
	}
	log, err := b.Record(browser.SubmitForm(map[string]string{"username": "ada", "password": "s3cret!"}, "#go"))
	if err != nil {
		t.Fatalf("submitting: %v\n%s", err, log)
	}
	t.Logf("network log:\n%s", log)
	mu.Lock()
	defer mu.Unlock()
	if got != "ada/s3cret!" {
		t.Errorf("the server got %q, want ada/s3cret!", got)
	}
	docs := log.Of(network.ResourceTypeDocument)
	if len(docs) != 2 || docs[0].Method != http.MethodPost || docs[0].Status != http.StatusFound || !docs[0].Finished ||
		docs[1].URL != site.URL+"/welcome" || !docs[1].OK() {
		t.Errorf("documents: want the POST answered 302, then /welcome OK; got\n%s", docs)
	}
	if r, ok := find(log, site.URL+"/welcome.css"); !ok || !r.OK() {
		t.Errorf("the stylesheet of the page after the redirect: %v (in the log: %t)", r, ok)
	}
}

// An HTTPS server with a certificate no CA the browser knows signed: refused, unless its key is among
// TrustedSPKI. Proves the browser does not just ignore every certificate error.
func TestTrustedSPKI(t *testing.T) {
	tlsSite := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, `body { color: black; }`)
	}))
	t.Cleanup(tlsSite.Close)
	site := newSite(t, map[string]string{"/": fmt.Sprintf(`<!doctype html><link rel="stylesheet" href="%s/s.css">`, tlsSite.URL)})
	roots := x509.NewCertPool()
	roots.AddCert(tlsSite.Certificate())
	spki, err := browser.ServerSPKI(t.Context(), tlsSite.Listener.Addr().String(), &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	if want := browser.SPKIHash(tlsSite.Certificate()); spki != want {
		t.Fatalf("ServerSPKI = %s, want the server certificate's %s", spki, want)
	}

	for _, c := range []struct {
		name    string
		trusted []string
		ok      bool
	}{
		{"untrusted", nil, false},
		{"another key trusted", []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}, false},
		{"trusted", []string{spki}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := startBrowserWith(t, browser.Options{TrustedSPKI: c.trusted})
			log, err := b.Load(site.URL + "/")
			if err != nil {
				t.Fatalf("loading the page: %v\n%s", err, log)
			}
			r, found := find(log, tlsSite.URL+"/s.css")
			if !found || r.OK() != c.ok {
				t.Fatalf("stylesheet over HTTPS: want OK %t, got (in the log: %t) %s\nfull log:\n%s", c.ok, found, r, log)
			}
			if !c.ok && !strings.Contains(r.ErrorText, "CERT") {
				t.Errorf("refused for another reason than the certificate: %s", r)
			}
		})
	}
}

// newSite serves pages by path, as CSS when the path ends in .css and as HTML otherwise.
func newSite(t *testing.T, pages map[string]string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".css") {
			w.Header().Set("Content-Type", "text/css")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

// find returns the last request for url (a redirect hop or a retry earlier is not what the page ended with).
func find(log browser.Log, url string) (browser.Request, bool) {
	for i := len(log) - 1; i >= 0; i-- {
		if log[i].URL == url {
			return log[i], true
		}
	}
	return browser.Request{}, false
}
