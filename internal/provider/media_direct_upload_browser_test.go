package provider

// A browser uploading straight to the media bucket, as a site does with a presigned POST so that large
// files never pass through Django: the site signs the form with its own boto3 client (the one
// django-storages builds from the pair's django_storages output), and a page on the site's origin posts
// the file to the bucket with fetch(). Only media_cors_rules let the page see the answer; without them the
// browser blocks it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/browser"
)

// directUploadBody is the file the page uploads.
const directUploadBody = "uploaded by the browser, straight to the media bucket\n"

// presignedPost is what boto3's generate_presigned_post returns: the bucket's URL and the form fields
// (key, policy, signature) the upload must carry.
type presignedPost struct {
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

// directUpload is what the page's script reports of its fetch().
type directUpload struct {
	OK        bool   `json:"ok"`
	Status    int    `json:"status"`
	VersionID string `json:"versionId"` // x-amz-version-id, readable only when the CORS rule exposes it
	Error     string `json:"error"`
}

func TestAccMediaDirectUpload_browser(t *testing.T) {
	app := newDjangoApp(t)
	browser.SkipIfMissing(t)
	enableAWSCORS(t)
	// The other origin: a page of the site, served apart from the bucket.
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>upload</title><p>direct upload</p>")
	}))
	t.Cleanup(page.Close)

	cfg := newPair(t)
	cfg.ForceDestroy = true // the uploads stay in the media bucket
	withCORS := cfg
	withCORS.ResourceExtra = fmt.Sprintf(`  media_cors_rules = [{
    allowed_origins = [%q]
    allowed_methods = ["POST", "PUT"]
    allowed_headers = ["*"]
    expose_headers  = ["ETag", "x-amz-version-id"]
  }]
`, page.URL)
	b := startProxyBrowser(t)
	if log, err := b.Load(page.URL + "/"); err != nil {
		t.Fatalf("opening the upload page: %v\n%s", err, log)
	}

	const allowedKey, refusedKey = "uploads/direct/allowed.txt", "uploads/direct/refused.txt"
	pairTest(t, cfg, []resource.TestStep{
		{
			Config: withCORS.String(),
			Check: func(s *terraform.State) error {
				app.storages = pairAttribute(t, s, "django_storages")
				got, log := uploadFromPage(t, b, app.presignPost(t, allowedKey))
				posts := log.Of(network.ResourceTypeFetch)
				if !got.OK || got.Status != http.StatusNoContent || got.VersionID == "" || len(posts) != 1 || !posts[0].OK() {
					return fmt.Errorf("the page's upload: %+v; want 204 with the x-amz-version-id the rule exposes; the browser saw:\n%s", got, log)
				}
				return checkUploadedVersion(t, cfg.Media, allowedKey, got.VersionID)
			},
		},
		{
			// The rule removed: the same upload from the same page is blocked.
			Config: cfg.String(),
			Check: func(*terraform.State) error {
				got, log := uploadFromPage(t, b, app.presignPost(t, refusedKey))
				if got.OK {
					return fmt.Errorf("the page read the upload's answer (%+v) with no CORS rule on the media bucket", got)
				}
				posts := log.Of(network.ResourceTypeFetch)
				if len(posts) != 1 || !strings.HasPrefix(posts[0].CORSError, "MissingAllowOriginHeader") {
					return fmt.Errorf("want the POST refused by the browser's CORS check (%s); the browser saw:\n%s", got.Error, log)
				}
				// A multipart POST is a "simple" request: no preflight, so S3 runs it and only the answer is
				// withheld from the page. CORS keeps the page from reading, not the bucket from being written.
				t.Logf("blocked by CORS: %s (server status %d); the object %s written anyway: %t",
					got.Error, posts[0].Status, refusedKey, objectExists(t, cfg.Media, refusedKey))
				return nil
			},
		},
	})
}

// presignPost has the site sign a form upload of key to its media bucket, through the boto3 client
// django-storages made from the pair's django_storages output: what a view handing out upload forms does.
func (a *djangoApp) presignPost(t *testing.T, key string) presignedPost {
	t.Helper()
	out := a.shell(t, fmt.Sprintf(`
import json
from django.core.files.storage import default_storage
client = default_storage.connection.meta.client
print(json.dumps(client.generate_presigned_post(
    Bucket=default_storage.bucket_name, Key=%q,
    Conditions=[["content-length-range", 1, 1048576]], ExpiresIn=600)))
`, key))
	var p presignedPost
	if err := json.Unmarshal([]byte(lastLine(out)), &p); err != nil || p.URL == "" || p.Fields["key"] != key {
		t.Fatalf("reading the presigned POST from %q: %v", out, err)
	}
	return p
}

// uploadFromPage has the page post directUploadBody with the presigned form, with fetch() and FormData as
// a site's script would, and returns what the script saw and the browser's log of it.
func uploadFromPage(t *testing.T, b *browser.Browser, p presignedPost) (directUpload, browser.Log) {
	t.Helper()
	post, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(directUploadBody)
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`(async () => {
  const post = %s;
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append("file", new Blob([%s], {type: "text/plain"}), "upload.txt"); // S3 wants the file last
  try {
    const resp = await fetch(post.url, {method: "POST", body: form});
    await resp.text(); // read to the end, or the browser logs the request as canceled
    return {ok: resp.ok, status: resp.status, versionId: resp.headers.get("x-amz-version-id") || "", error: ""};
  } catch (e) {
    return {ok: false, status: 0, versionId: "", error: String(e)};
  }
})()`, post, body)
	var got directUpload
	log, err := b.Record(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		var err error
		got, err = chromedp.Evaluate[directUpload](script, chromedp.EvalAwaitPromise)(ctx, target)
		return err
	}))
	if err != nil {
		t.Fatalf("running the upload script: %v\n%s", err, log)
	}
	t.Logf("the page's upload to %s: %+v\n%s", p.URL, got, log)
	return got, log
}

// checkUploadedVersion checks, through the SDK, that key holds the uploaded bytes as a version of the
// versioned media bucket: the one the page was told of, and the only one.
func checkUploadedVersion(t *testing.T, bucket, key, versionID string) error {
	t.Helper()
	resp, err := accEnv.Direct.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("GetObject %s/%s after the browser's upload: %w", bucket, key, err)
	}
	defer resp.Body.Close()
	var got bytes.Buffer
	if _, err := got.ReadFrom(resp.Body); err != nil {
		return fmt.Errorf("reading %s/%s: %w", bucket, key, err)
	}
	if got.String() != directUploadBody || aws.ToString(resp.VersionId) != versionID {
		return fmt.Errorf("%s/%s: %q as version %q; want %q as the version %q the page saw",
			bucket, key, got.String(), aws.ToString(resp.VersionId), directUploadBody, versionID)
	}
	list, err := accEnv.Direct.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		return fmt.Errorf("listing versions of %s/%s: %w", bucket, key, err)
	}
	if len(list.Versions) != 1 || aws.ToString(list.Versions[0].VersionId) != versionID || !aws.ToBool(list.Versions[0].IsLatest) {
		var ids []string
		for _, v := range list.Versions {
			ids = append(ids, aws.ToString(v.VersionId))
		}
		return fmt.Errorf("versions of %s/%s: %q; want only %q, current", bucket, key, ids, versionID)
	}
	return nil
}

// objectExists reports whether key has a current version in bucket.
func objectExists(t *testing.T, bucket, key string) bool {
	t.Helper()
	_, err := accEnv.Direct.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err == nil
}
