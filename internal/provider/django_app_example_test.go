package provider

// The example Django project in examples/django-app, run with the real Django, django-storages and boto3
// against a pair on the local S3 server: the django_storages output has to be accepted by the storage class
// and has to do what the README promises (unversioned static files, signed media URLs, deletes that can be
// undone). Debian's packages are Django 3.2 and django-storages 1.13, the oldest supported, so this
// exercises the legacy DEFAULT_FILE_STORAGE / STATICFILES_STORAGE path of the Django guide.

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/browser"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
)

// djangoPython is Debian's interpreter: the packages install into its dist-packages, and a python3 earlier
// on PATH (pyenv, a virtualenv) would not see them.
const djangoPython = "/usr/bin/python3"

// djangoModules is what the app imports. Debian ships django-storages' S3 backend in its own package
// (python3-django-storages-boto3), so importing storages alone proves nothing. scripts/ensure-python-deps.sh
// checks the same line.
const djangoModules = "import django, storages.backends.s3boto3, boto3"

// djangoCommandTimeout bounds one manage.py run; each takes about a second, but a hung connection would
// otherwise hang the whole suite.
const djangoCommandTimeout = 2 * time.Minute

const djangoRestoreAddr = "protectedmedia_media_restore.django"

// The media file the test uploads through Django: binary, so that any re-encoding on the way shows.
var (
	djangoMediaName = "uploads/invoices/2026-001.pdf"
	djangoMediaBody = append([]byte("%PDF-1.4\n% invoice 2026-001\n"), 0x00, 0xff, 0xfe, 0x80, '\n')
)

func TestAccDjangoApp(t *testing.T) {
	app := newDjangoApp(t)
	cfg := newPair(t)
	cfg.ForceDestroy = true // the test leaves versions in the media bucket
	var asOf string
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("django_storages"), knownvalue.StringFunc(func(v string) error {
					app.storages = v
					return djangoStoragesFor(cfg.Media, cfg.Static, true).CheckValue(v)
				})),
			},
		},
		{
			// Between the applies the site runs: a deploy, an upload, a deletion by mistake.
			PreConfig: func() {
				app.deployStatic(t, cfg.Static)
				app.uploadMedia(t, cfg.Media)
				asOf = djangoMarkAsOf()
				app.deleteMedia(t, cfg.Media)
			},
			Config:          djangoRestoreConfig(cfg),
			ConfigVariables: config.Variables{"as_of": djangoLazyString{&asOf}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(djangoRestoreAddr, tfjsonpath.New("deleted_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(djangoRestoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(1)),
			},
			Check: func(*terraform.State) error {
				if got := getObject(t, cfg.Media, djangoMediaName); !bytes.Equal(got, djangoMediaBody) {
					return fmt.Errorf("restored %s: %q, want the uploaded %q", djangoMediaName, got, djangoMediaBody)
				}
				// And the site sees it again, through its own storage.
				out := app.shell(t, fmt.Sprintf(`
from django.core.files.storage import default_storage
with default_storage.open(%q) as f:
    print(f.read().hex())
`, djangoMediaName))
				if got := lastLine(out); got != hex.EncodeToString(djangoMediaBody) {
					return fmt.Errorf("Django reads the restored %s as %s, want %x", djangoMediaName, got, djangoMediaBody)
				}
				return nil
			},
		},
	})
}

// djangoRestoreConfig is the pair plus a restore of its media uploads as of var.as_of.
func djangoRestoreConfig(cfg pairConfig) string {
	return cfg.String() + `
variable "as_of" {
  type = string
}

resource "protectedmedia_media_restore" "django" {
  bucket = protectedmedia_bucket_pair.test.media_bucket
  prefix = "uploads/"
  as_of  = var.as_of
}
`
}

// djangoLazyString is a Terraform variable read when the step writes its variables file, after PreConfig
// has recorded it.
type djangoLazyString struct{ value *string }

func (v djangoLazyString) MarshalJSON() ([]byte, error) {
	if *v.value == "" {
		return nil, fmt.Errorf("variable used before it was recorded")
	}
	return json.Marshal(*v.value)
}

// djangoMarkAsOf waits until a whole second after every write so far has passed and returns that second:
// S3 stamps versions to the second, so what was written before is at or before it, what comes after is after.
func djangoMarkAsOf() string {
	asOf := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(asOf.Add(time.Second + 50*time.Millisecond)))
	return asOf.UTC().Format(time.RFC3339)
}

// djangoApp is a copy of examples/django-app and the environment it runs in.
type djangoApp struct {
	dir string
	env []string
	// storages is the pair's django_storages attribute, once the first step has read it.
	storages string
}

// newDjangoApp skips the test unless the acceptance harness runs and the system Python has Django,
// django-storages and boto3, and copies the example project to a temporary directory.
func newDjangoApp(t *testing.T) *djangoApp {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skip("acceptance test: set TF_ACC=1, or run `make test`")
	}
	skip := t.Skipf
	if os.Getenv(browser.RequireClientsEnv) != "" {
		skip = t.Fatalf // CI installs Django: not running the test there is a failure
	}
	if _, err := os.Stat(djangoPython); err != nil {
		skip("SKIP: the Django app test needs %s with Debian's python3-django, python3-django-storages, "+
			"python3-django-storages-boto3 and python3-boto3 (scripts/ensure-python-deps.sh installs them): %v", djangoPython, err)
	}
	if out, err := exec.Command(djangoPython, "-c", djangoModules).CombinedOutput(); err != nil {
		skip("SKIP: %s cannot %q, so the Django app test does not run. Run scripts/ensure-python-deps.sh "+
			"(as root), or install python3-django, python3-django-storages, python3-django-storages-boto3 and "+
			"python3-boto3.\n%s", djangoPython, djangoModules, out)
	}
	testAccPreCheck(t)

	dir := filepath.Join(t.TempDir(), "django-app")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(repoRoot(t), "examples", "django-app"))); err != nil {
		t.Fatalf("copying the example project: %v", err)
	}
	return &djangoApp{
		dir: dir,
		// Only what a deployed site would be given, so nothing of this machine's environment leaks in:
		// credentials, region and CA bundle the AWS way, and HOME pointing nowhere (no ~/.aws/config).
		env: []string{
			"PATH=/usr/bin:/bin",
			"HOME=" + dir,
			"LANG=C.UTF-8",
			"PYTHONDONTWRITEBYTECODE=1",
			"AWS_ACCESS_KEY_ID=" + accEnv.Server.AccessKey,
			"AWS_SECRET_ACCESS_KEY=" + accEnv.Server.SecretKey,
			"AWS_DEFAULT_REGION=" + locals3.Region,
			"AWS_CA_BUNDLE=" + accEnv.Server.CAFile,
			"AWS_EC2_METADATA_DISABLED=true",
		},
	}
}

// manage runs manage.py with args and returns its standard output; a failure fails the test with both
// outputs.
func (a *djangoApp) manage(t *testing.T, args ...string) string {
	t.Helper()
	if a.storages == "" {
		t.Fatalf("manage.py %s: django_storages was not read from the state", strings.Join(args, " "))
	}
	ctx, cancel := context.WithTimeout(t.Context(), djangoCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, djangoPython, append([]string{"manage.py"}, args...)...)
	cmd.Dir = a.dir
	cmd.Env = append(a.env[:len(a.env):len(a.env)], "DJANGO_STORAGES_JSON="+a.storages)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("manage.py %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, &stdout, &stderr)
	}
	return stdout.String()
}

// shell runs Python code in the configured site (manage.py shell -c).
func (a *djangoApp) shell(t *testing.T, code string) string {
	t.Helper()
	return a.manage(t, "shell", "-c", code)
}

// deployStatic runs collectstatic twice, the second time after a change to one file, as two deploys would,
// and checks that the static bucket then holds each collected file once, as its latest content, with no
// older version kept: the bucket is unversioned, so deploys do not pile up copies.
func (a *djangoApp) deployStatic(t *testing.T, bucket string) {
	t.Helper()
	css := filepath.Join(a.dir, "pages", "static", "pages", "css", "site.css")
	js := filepath.Join(a.dir, "pages", "static", "pages", "js", "site.js")
	want := map[string][]byte{"pages/css/site.css": readFile(t, css), "pages/js/site.js": readFile(t, js)}

	out := a.manage(t, "collectstatic", "--noinput")
	mustMatch(t, "first collectstatic", out, `\b2 static files copied\b`)
	t.Logf("first collectstatic: %s", lastLine(out))
	checkStaticBucketHolds(t, bucket, want)

	// The next release changes site.css. collectstatic copies a file only when it is newer than the stored
	// copy, compared to the second, so the new file is dated a minute ahead: written in the same second as
	// the first upload it would tie and be skipped.
	want["pages/css/site.css"] = append(want["pages/css/site.css"], "/* release 2 */\nh1 { font-weight: 600; }\n"...)
	if err := os.WriteFile(css, want["pages/css/site.css"], 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(css, later, later); err != nil {
		t.Fatal(err)
	}
	out = a.manage(t, "collectstatic", "--noinput")
	mustMatch(t, "second collectstatic", out, `\b1 static file copied, 1 unmodified\b`)
	t.Logf("second collectstatic: %s", lastLine(out))
	checkStaticBucketHolds(t, bucket, want)
}

// checkStaticBucketHolds fails unless bucket holds exactly the keys of want, each as one version (no
// older ones, no delete markers) with the wanted content.
func checkStaticBucketHolds(t *testing.T, bucket string, want map[string][]byte) {
	t.Helper()
	versions, markers := listVersions(t, bucket, "")
	if len(markers) > 0 {
		t.Fatalf("static bucket %s has delete markers: %v", bucket, markers)
	}
	for key := range want {
		if versions[key] != 1 {
			t.Errorf("static bucket %s holds %d versions of %s, want exactly 1", bucket, versions[key], key)
		}
	}
	for key, n := range versions {
		if _, ok := want[key]; !ok {
			t.Errorf("static bucket %s holds %d versions of %s, which collectstatic did not write", bucket, n, key)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	for key, body := range want {
		if got := getObject(t, bucket, key); !bytes.Equal(got, body) {
			t.Fatalf("static %s/%s: %q, want %q", bucket, key, got, body)
		}
	}
}

// uploadMedia saves the media file through default_storage, as a FileField would, and checks that it is in
// the media bucket and that the URL Django hands out is signed and serves it, while the unsigned URL does not.
func (a *djangoApp) uploadMedia(t *testing.T, bucket string) {
	t.Helper()
	out := a.shell(t, fmt.Sprintf(`
import json
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
name = default_storage.save(%q, ContentFile(bytes.fromhex(%q)))
print(json.dumps({"name": name, "url": default_storage.url(name)}))
`, djangoMediaName, hex.EncodeToString(djangoMediaBody)))
	var saved struct{ Name, URL string }
	if err := json.Unmarshal([]byte(lastLine(out)), &saved); err != nil {
		t.Fatalf("reading what Django saved from %q: %v", out, err)
	}
	if saved.Name != djangoMediaName {
		t.Fatalf("Django saved the file as %q, want %q (the name was free)", saved.Name, djangoMediaName)
	}
	if got := getObject(t, bucket, djangoMediaName); !bytes.Equal(got, djangoMediaBody) {
		t.Fatalf("media %s/%s: %q, want %q", bucket, djangoMediaName, got, djangoMediaBody)
	}

	u, err := url.Parse(saved.URL)
	if err != nil {
		t.Fatalf("media URL %q: %v", saved.URL, err)
	}
	q := u.Query()
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" || q.Get("X-Amz-Signature") == "" {
		t.Fatalf("media URL %q carries no SigV4 signature (X-Amz-Algorithm, X-Amz-Signature)", saved.URL)
	}
	if want := accEnv.ProxyURL + "/" + bucket + "/" + djangoMediaName; u.Scheme+"://"+u.Host+u.Path != want {
		t.Fatalf("media URL %q, want one for %s (the endpoint, path style)", saved.URL, want)
	}
	if status, body := httpGet(t, saved.URL); status != http.StatusOK || !bytes.Equal(body, djangoMediaBody) {
		t.Fatalf("GET of the signed media URL: status %d, body %q; want 200 and the uploaded bytes", status, body)
	}
	t.Logf("Django's media URL: %s?%s", u.Path, strings.Join(slices.Sorted(maps.Keys(q)), "&"))
	u.RawQuery = ""
	if status, _ := httpGet(t, u.String()); status != http.StatusForbidden {
		t.Fatalf("GET of the media URL without its signature: status %d, want 403 (media is private)", status)
	}
}

// deleteMedia deletes the media file through default_storage, as FieldFile.delete() does, and checks that
// only a delete marker was laid: the version with the content is still there below it.
func (a *djangoApp) deleteMedia(t *testing.T, bucket string) {
	t.Helper()
	out := a.shell(t, fmt.Sprintf(`
from django.core.files.storage import default_storage
default_storage.delete(%q)
print(default_storage.exists(%q))
`, djangoMediaName, djangoMediaName))
	if got := lastLine(out); got != "False" {
		t.Fatalf("after default_storage.delete, Django still sees %s: exists() = %s", djangoMediaName, got)
	}
	resp, err := accEnv.Direct.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{
		Bucket: aws.String(bucket), Prefix: aws.String(djangoMediaName)})
	if err != nil {
		t.Fatalf("listing versions of %s/%s: %v", bucket, djangoMediaName, err)
	}
	var current bool
	for _, m := range resp.DeleteMarkers {
		if aws.ToString(m.Key) == djangoMediaName && aws.ToBool(m.IsLatest) {
			current = true
		}
	}
	if !current || len(resp.DeleteMarkers) != 1 || len(resp.Versions) != 1 {
		t.Fatalf("after Django's delete, %s/%s has %d versions and %d delete markers (current marker: %t); "+
			"want the uploaded version under one current delete marker", bucket, djangoMediaName,
			len(resp.Versions), len(resp.DeleteMarkers), current)
	}
}

// listVersions counts the object versions and delete markers in bucket under prefix, by key.
func listVersions(t *testing.T, bucket, prefix string) (versions, markers map[string]int) {
	t.Helper()
	versions, markers = map[string]int{}, map[string]int{}
	p := s3.NewListObjectVersionsPaginator(accEnv.Direct, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("listing versions of %s: %v", bucket, err)
		}
		for _, v := range page.Versions {
			versions[aws.ToString(v.Key)]++
		}
		for _, m := range page.DeleteMarkers {
			markers[aws.ToString(m.Key)]++
		}
	}
	return versions, markers
}

// getObject reads the current version of key, bypassing the proxy.
func getObject(t *testing.T, bucket, key string) []byte {
	t.Helper()
	resp, err := accEnv.Direct.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s/%s: %v", bucket, key, err)
	}
	return b
}

// httpGet fetches rawURL as a browser would, trusting the test CA.
func httpGet(t *testing.T, rawURL string) (int, []byte) {
	t.Helper()
	resp, err := accEnv.Anonymous.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", rawURL, err)
	}
	return resp.StatusCode, b
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustMatch(t *testing.T, what, out, pattern string) {
	t.Helper()
	if !regexp.MustCompile(pattern).MatchString(out) {
		t.Fatalf("%s: output does not match %s:\n%s", what, pattern, out)
	}
}

// lastLine is the last non-empty line of a command's output: what the script printed last.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
