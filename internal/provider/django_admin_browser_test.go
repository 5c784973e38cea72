package provider

// Django's admin, stock, served by `manage.py runserver` with its static files in the pair's static bucket,
// opened in a real (headless) Chromium: every stylesheet, font, image and script of each page must come
// from the bucket and load. Only a browser shows what breaks here: base.css pulls fonts.css in with a
// relative @import, fonts.css pulls the fonts with relative URLs, so those requests carry no signature
// whatever the page's own links carry, and fonts are fetched with CORS from the site's origin. The browser's
// own network log is the evidence, so a font dropped by CORS after a 200 counts as the failure it is.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/browser"
)

// The admin's superuser. The password only ever protects a throwaway SQLite file on loopback.
const (
	djangoAdminUser     = "admin"
	djangoAdminPassword = "browser-test-password-1"
)

// djangoServerStartTimeout bounds the wait for runserver to answer; it needs a second or two.
const djangoServerStartTimeout = time.Minute

// adminPage is a page of the admin the browser opens, and the static files (keys in the static bucket) it
// must have loaded from the bucket, besides everything else it asks for.
type adminPage struct {
	name string
	path string // the URL path the page ends on, redirects followed
	want []string
}

// The admin's pages, in the order the browser opens them: the login form, the index the login leads to,
// the user list and the superuser's change form, whose forms.css @imports widgets.css.
var (
	adminLoginPage = adminPage{"login form", "/admin/login/", []string{
		"admin/css/base.css", "admin/css/fonts.css", "admin/css/login.css", "admin/fonts/Roboto-Regular-webfont.woff",
	}}
	adminIndexPage = adminPage{"index, after logging in", "/admin/", []string{
		"admin/css/base.css", "admin/css/fonts.css", "admin/css/dashboard.css", "admin/fonts/Roboto-Regular-webfont.woff",
	}}
	adminOtherPages = []adminPage{
		{"user list", "/admin/auth/user/", []string{
			"admin/css/base.css", "admin/css/fonts.css", "admin/css/changelists.css", "admin/js/core.js",
			"admin/fonts/Roboto-Regular-webfont.woff",
		}},
		{"user change form", "/admin/auth/user/1/change/", []string{
			"admin/css/base.css", "admin/css/fonts.css", "admin/css/forms.css", "admin/css/widgets.css",
			"admin/fonts/Roboto-Regular-webfont.woff",
		}},
	}
)

// adminVisit is what the browser saw of one page.
type adminVisit struct {
	page adminPage
	log  browser.Log
}

// The pair as a user gets it without choosing anything about static files: the admin must render whole.
func TestAccDjangoAdmin_staticDefaults(t *testing.T) {
	site := newDjangoAdmin(t)
	cfg := newPair(t)
	cfg.DefaultStatic = true
	pairTest(t, cfg, []resource.TestStep{{
		Config: cfg.String(),
		Check: func(s *terraform.State) error {
			visits := site.browse(t, s, cfg.Static)
			if problems := adminStaticProblems(visits, site.url, staticBase(cfg.Static)); len(problems) > 0 {
				return fmt.Errorf("the admin did not render from the static bucket %s; the browser reports:\n  %s",
					cfg.Static, strings.Join(problems, "\n  "))
			}
			t.Logf("what the browser fetched for the login form:\n%s", visits[0].log)
			return nil
		},
	}})
}

// A public static bucket with no CORS rule: every file answers 200, yet the browser drops the fonts, which
// it fetches with CORS from the site's origin. The check must see that, although no request failed on the
// server's side.
func TestAccDjangoAdmin_noCORSLosesFonts(t *testing.T) {
	site := newDjangoAdmin(t)
	cfg := newPair(t)
	cfg.PublicRead = true
	cfg.ResourceExtra = "  static_cors_rules = []\n"
	pairTest(t, cfg, []resource.TestStep{{
		Config: cfg.String(),
		Check: func(s *terraform.State) error {
			visits := site.browse(t, s, cfg.Static)
			problems := adminStaticProblems(visits, site.url, staticBase(cfg.Static))
			t.Logf("the check fails, as it must:\n  %s", strings.Join(problems, "\n  "))
			var fonts int
			for _, v := range visits {
				for _, r := range v.log.Of(network.ResourceTypeFont) {
					if r.Status != http.StatusOK || !strings.HasPrefix(r.CORSError, "MissingAllowOriginHeader") {
						return fmt.Errorf("%s: want a font answered 200 and refused by the browser for want of "+
							"Access-Control-Allow-Origin; got %s", v.page.name, r)
					}
					fonts++
				}
				if other := v.log.Of(network.ResourceTypeStylesheet, network.ResourceTypeImage, network.ResourceTypeScript).NotOK(); len(other) > 0 {
					return fmt.Errorf("%s: only the fonts should fail on a public bucket; also failed:\n%s", v.page.name, other)
				}
			}
			if fonts == 0 || len(problems) != fonts {
				return fmt.Errorf("want the check to report exactly the %d refused fonts (and at least one); it reports:\n  %s",
					fonts, strings.Join(problems, "\n  "))
			}
			return nil
		},
	}})
}

// A private static bucket without a CDN: the links Django writes are signed, but what the stylesheets pull
// in by relative URL is not, and S3 refuses it. The same check must fail, naming those 403s: proof that it
// can tell a broken admin from a whole one.
func TestAccDjangoAdmin_privateStaticFails(t *testing.T) {
	site := newDjangoAdmin(t)
	cfg := newPair(t)
	cfg.PublicRead = false
	pairTest(t, cfg, []resource.TestStep{{
		Config: cfg.String(),
		Check: func(s *terraform.State) error {
			visits := site.browse(t, s, cfg.Static)
			base := staticBase(cfg.Static)
			problems := adminStaticProblems(visits, site.url, base)
			if len(problems) == 0 {
				return fmt.Errorf("the check passed on a private static bucket, where the admin cannot get its fonts.css")
			}
			t.Logf("the check fails, as it must:\n  %s", strings.Join(problems, "\n  "))
			// What fails is what a private bucket refuses: the unsigned, relative requests. The signed link
			// of the same page loaded, so the site itself works.
			var signedOK, unsignedRefused bool
			for _, r := range visits[0].log.Of(network.ResourceTypeStylesheet) {
				switch {
				case strings.HasPrefix(r.URL, base+"admin/css/base.css?") && strings.Contains(r.URL, "X-Amz-Signature=") && r.OK():
					signedOK = true
				case r.URL == base+"admin/css/fonts.css" && r.Status == http.StatusForbidden:
					unsignedRefused = true
				}
			}
			if !signedOK || !unsignedRefused {
				return fmt.Errorf("want the signed base.css loaded and the unsigned @import of fonts.css refused 403; the login page's stylesheets:\n%s",
					visits[0].log.Of(network.ResourceTypeStylesheet))
			}
			if !anyHasPrefix(problems, "Stylesheet GET "+base+"admin/css/fonts.css: 403") {
				return fmt.Errorf("the problems do not name the 403 of fonts.css:\n  %s", strings.Join(problems, "\n  "))
			}
			return nil
		},
	}})
}

// djangoAdminSite is the admin test site (testdata/djangoadmin) against a pair.
type djangoAdminSite struct {
	app *djangoApp
	url string // http://127.0.0.1:<port>, once runserver answers
}

// newDjangoAdmin skips the test unless the acceptance harness runs, Debian's Python has Django,
// django-storages and boto3, and Chromium is installed; it switches on the proxy's AWS CORS behaviour and
// copies the site to a temporary directory.
func newDjangoAdmin(t *testing.T) *djangoAdminSite {
	t.Helper()
	app := newDjangoApp(t)
	browser.SkipIfMissing(t)
	enableAWSCORS(t)
	dir := filepath.Join(t.TempDir(), "djangoadmin")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "djangoadmin"))); err != nil {
		t.Fatalf("copying the admin test site: %v", err)
	}
	// The storage classes for Django before 4.2 are the example app's, so the browser proves them too.
	backends, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "django-app", "mysite", "storage_backends.py"))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "adminsite", "storage_backends.py"), backends, 0o600)
	}
	if err != nil {
		t.Fatalf("copying the example's storage classes: %v", err)
	}
	app.dir = dir
	for i, kv := range app.env {
		if strings.HasPrefix(kv, "HOME=") {
			app.env[i] = "HOME=" + dir
		}
	}
	app.env = append(app.env, "DJANGO_SUPERUSER_PASSWORD="+djangoAdminPassword)
	return &djangoAdminSite{app: app}
}

// enableAWSCORS makes sure the proxy answers cross-origin requests as S3 does, from each bucket's own CORS
// configuration: SeaweedFS alone lets every origin in on a bucket without one, and these tests would pass
// for the wrong reason. The harness switches it on for the whole run (newAWSLayer); switching it on again
// costs nothing and keeps these tests honest should that change.
func enableAWSCORS(t *testing.T) {
	t.Helper()
	awsLayer.EnableCORS()
}

// browse deploys the site on the pair in s (migrate, a superuser, collectstatic into static), starts it,
// and has Chromium open the login form, log in, and open the other admin pages; it returns what the browser
// saw of each, in that order. A page that does not load is fatal: what is checked is the static files.
func (site *djangoAdminSite) browse(t *testing.T, s *terraform.State, static string) []adminVisit {
	t.Helper()
	site.app.storages = pairAttribute(t, s, "django_storages")
	site.app.manage(t, "migrate", "--noinput")
	site.app.manage(t, "createsuperuser", "--noinput", "--username", djangoAdminUser, "--email", "admin@example.com")
	out := site.app.manage(t, "collectstatic", "--noinput")
	mustMatch(t, "collectstatic", out, `\b\d+ static files copied\b`)
	t.Logf("collectstatic into %s: %s", static, lastLine(out))
	site.url = site.app.runserver(t)

	b := startProxyBrowser(t)
	var visits []adminVisit
	visit := func(p adminPage, log browser.Log, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v\n%s", p.name, err, log)
		}
		docs := log.Of(network.ResourceTypeDocument)
		if len(docs) == 0 {
			t.Fatalf("%s: the browser loaded no document:\n%s", p.name, log)
		}
		if last := docs[len(docs)-1]; !last.OK() || !strings.HasPrefix(last.URL, site.url+p.path) {
			t.Fatalf("%s: the browser ended on %s, want a 200 from %s%s; all requests:\n%s", p.name, last, site.url, p.path, log)
		}
		t.Logf("%s: %d requests", p.name, len(log))
		visits = append(visits, adminVisit{p, log})
	}
	log, err := b.Load(site.url + adminLoginPage.path + "?next=" + url.QueryEscape(adminIndexPage.path))
	visit(adminLoginPage, log, err)
	log, err = b.Record(browser.SubmitForm(map[string]string{"username": djangoAdminUser, "password": djangoAdminPassword}, `input[type="submit"]`))
	visit(adminIndexPage, log, err)
	for _, p := range adminOtherPages {
		log, err := b.Load(site.url + p.path)
		visit(p, log, err)
	}
	return visits
}

// adminStaticProblems lists, page by page, what went wrong with static files: a stylesheet, font, image or
// script from the static bucket that did not answer 200 or that the browser refused (CORS included); one
// from anywhere but the bucket or a Django view of the site (the admin's JavaScript catalogue); and a file
// the page should have loaded from the bucket and never asked for (a stylesheet that failed never asks for
// what it @imports).
func adminStaticProblems(visits []adminVisit, siteURL, base string) []string {
	var problems []string
	for _, v := range visits {
		loaded := map[string]bool{}
		for _, r := range v.log.Of(network.ResourceTypeStylesheet, network.ResourceTypeFont, network.ResourceTypeImage, network.ResourceTypeScript) {
			switch {
			case strings.HasPrefix(r.URL, base):
				key, _, _ := strings.Cut(strings.TrimPrefix(r.URL, base), "?")
				loaded[key] = true
				if !r.OK() || r.Status != http.StatusOK {
					problems = append(problems, fmt.Sprintf("%s [%s]", r, v.page.name))
				}
			case strings.HasPrefix(r.URL, siteURL+"/") && !strings.HasPrefix(r.URL, siteURL+"/static/"):
				if !r.OK() {
					problems = append(problems, fmt.Sprintf("%s [%s, from the site]", r, v.page.name))
				}
			case strings.HasPrefix(r.URL, "data:"):
			default:
				problems = append(problems, fmt.Sprintf("not from the static bucket: %s [%s]", r, v.page.name))
			}
		}
		for _, key := range v.page.want {
			if !loaded[key] {
				problems = append(problems, fmt.Sprintf("never requested: %s%s [%s]", base, key, v.page.name))
			}
		}
	}
	return problems
}

// staticBase is the URL prefix of the static bucket's objects, as django-storages writes them against the
// proxy (path style).
func staticBase(static string) string {
	return accEnv.ProxyURL + "/" + static + "/"
}

// startProxyBrowser starts Chromium trusting the S3 proxy's certificate, and only that one: the key the
// proxy presents, checked against the test CA first. --ignore-certificate-errors would do too, but would
// also hide a request that went to some other HTTPS server by mistake.
func startProxyBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	u, err := url.Parse(accEnv.ProxyURL)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := browser.ServerSPKI(t.Context(), u.Host, accEnv.Server.TLSConfig())
	if err != nil {
		t.Fatalf("the S3 proxy's certificate: %v", err)
	}
	return browser.Start(t, browser.Options{TrustedSPKI: []string{spki}})
}

// runserver starts `manage.py runserver` on a free loopback port, without the static files handler (a
// static file Django served itself would hide a broken bucket), and returns the site's URL once it answers;
// t's cleanup stops it.
func (a *djangoApp) runserver(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	// Not t.Context(), which ends before the cleanups run: the cleanup stops the server and waits for it.
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	cmd := exec.CommandContext(ctx, djangoPython, "manage.py", "runserver", "--noreload", "--nostatic", addr)
	cmd.Dir = a.dir
	cmd.Env = append(a.env[:len(a.env):len(a.env)], "DJANGO_STORAGES_JSON="+a.storages)
	output := &syncedBuffer{}
	cmd.Stdout, cmd.Stderr = output, output
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting runserver: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the exit is expected: the cleanup kills it
		close(exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("runserver output:\n%s", output)
		}
	})

	siteURL := "http://" + addr
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(djangoServerStartTimeout)
	for {
		select {
		case <-exited:
			t.Fatalf("runserver exited before answering:\n%s", output)
		default:
		}
		resp, err := client.Get(siteURL + adminLoginPage.path)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return siteURL
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			t.Fatalf("runserver did not answer %s within %s: %v\n%s", siteURL+adminLoginPage.path, djangoServerStartTimeout, err, output)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pairAttribute reads an attribute of the pair from the state s.
func pairAttribute(t *testing.T, s *terraform.State, name string) string {
	t.Helper()
	rs, ok := s.RootModule().Resources[pairAddr]
	if !ok || rs.Primary == nil {
		t.Fatalf("%s is not in the state", pairAddr)
	}
	v := rs.Primary.Attributes[name]
	if v == "" {
		t.Fatalf("%s.%s is empty in the state", pairAddr, name)
	}
	return v
}

// anyHasPrefix reports whether one of lines begins with prefix.
func anyHasPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// syncedBuffer collects a child process's output, which its own goroutines write.
type syncedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
