package policyguard

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

const versioningBody = `<VersioningConfiguration xmlns="` + layertest.S3NS + `"><Status>Suspended</Status></VersioningConfiguration>`

const lifecycleBody = `<LifecycleConfiguration xmlns="` + layertest.S3NS + `"><Rule><ID>r</ID><Filter><Prefix></Prefix></Filter>` +
	`<Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>`

func TestGuardPolicyIsStoredAndServed(t *testing.T) {
	h := newHarness(t)
	h.putGuard(t, "pm-media")

	got := h.do(t, appKey, http.MethodGet, "/pm-media?policy", "")
	h.ExpectAnswered(t, got, http.StatusOK)
	if string(got.Body) != guardPolicy("pm-media") {
		t.Errorf("GetBucketPolicy answered %s, want the stored document %s", got.Body, guardPolicy("pm-media"))
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if doc, _ := h.layer.Policy("pm-media"); doc != guardPolicy("pm-media") {
		t.Errorf("Policy() = %s", doc)
	}

	// Another bucket's policy is the server's business.
	got = h.do(t, appKey, http.MethodGet, "/pm-other?policy", "")
	h.ExpectForwarded(t, got, http.StatusNotFound)
	if _, ok := h.layer.Policy("pm-other"); ok {
		t.Error("a policy stored for a bucket that was never given one")
	}
}

func TestOtherPoliciesAreForwarded(t *testing.T) {
	h := newHarness(t)

	t.Run("unparsable", func(t *testing.T) {
		h.ExpectForwarded(t, h.do(t, adminKey, http.MethodPut, "/pm-media?policy", "{not json"), http.StatusNoContent)
	})

	h.putGuard(t, "pm-media")
	t.Run("the server refuses: the stored policy stays", func(t *testing.T) {
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
			s3proxy.WriteError(w, r, http.StatusBadRequest, "MalformedPolicy", "no")
		})
		defer h.SetAnswer(nil)
		got := h.do(t, adminKey, http.MethodPut, "/pm-media?policy", plainPolicy("pm-media"))
		h.ExpectForwarded(t, got, http.StatusBadRequest)
		if _, ok := h.layer.Policy("pm-media"); !ok {
			t.Error("the stored policy was forgotten though the server refused its replacement")
		}
	})
	t.Run("the server accepts: the stored policy goes", func(t *testing.T) {
		got := h.do(t, adminKey, http.MethodPut, "/pm-media?policy", plainPolicy("pm-media"))
		h.ExpectForwarded(t, got, http.StatusNoContent)
		if _, ok := h.layer.Policy("pm-media"); ok {
			t.Error("the stored policy is still there after the server accepted a new one")
		}
		h.ExpectForwarded(t, h.do(t, adminKey, http.MethodGet, "/pm-media?policy", ""), http.StatusNotFound)
		// Nothing is guarded any more.
		h.ExpectForwarded(t, h.do(t, appKey, http.MethodDelete, "/pm-media/a.jpg?versionId=v1", ""), http.StatusNoContent)
	})
}

func TestDeleteBucketPolicyForgetsTheStoredOne(t *testing.T) {
	notFound := func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
	}
	for _, tc := range []struct {
		name        string
		upstream    http.HandlerFunc
		status      int
		keepsStored bool
	}{
		{"the server deletes its own too", nil, http.StatusNoContent, false},
		{"the server has none", notFound, http.StatusNoContent, false},
		{"the server fails", func(w http.ResponseWriter, r *http.Request) {
			s3proxy.WriteError(w, r, http.StatusInternalServerError, "InternalError", "boom")
		}, http.StatusInternalServerError, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.putGuard(t, "pm-media")
			h.SetAnswer(tc.upstream)
			got := h.do(t, adminKey, http.MethodDelete, "/pm-media?policy", "")
			h.ExpectForwarded(t, got, tc.status)
			if tc.status == http.StatusNoContent && len(got.Body) != 0 {
				t.Errorf("204 with a body: %s", got.Body)
			}
			if _, ok := h.layer.Policy("pm-media"); ok != tc.keepsStored {
				t.Errorf("policy stored after the delete: %v, want %v", ok, tc.keepsStored)
			}
		})
	}

	t.Run("nothing stored: the server's answer passes", func(t *testing.T) {
		h := newHarness(t)
		h.SetAnswer(notFound)
		got := h.do(t, adminKey, http.MethodDelete, "/pm-media?policy", "")
		h.ExpectForwarded(t, got, http.StatusNotFound)
		if got.Code != "NoSuchBucketPolicy" {
			t.Errorf("code %s, want NoSuchBucketPolicy", got.Code)
		}
	})
}

func TestDeleteBucketForgetsTheStoredPolicy(t *testing.T) {
	h := newHarness(t)
	h.putGuard(t, "pm-media")
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
	})
	h.ExpectForwarded(t, h.do(t, adminKey, http.MethodDelete, "/pm-media", ""), http.StatusConflict)
	if _, ok := h.layer.Policy("pm-media"); !ok {
		t.Fatal("the policy was forgotten though the bucket was not deleted")
	}
	h.SetAnswer(nil)
	h.ExpectForwarded(t, h.do(t, adminKey, http.MethodDelete, "/pm-media", ""), http.StatusNoContent)
	if _, ok := h.layer.Policy("pm-media"); ok {
		t.Error("the policy outlived its bucket")
	}
}

// TestGuardEnforcement is the guard statement's matrix: each guarded action by the exempt admin, the app,
// a key the layer does not know and an unsigned request, and unguarded requests beside them.
func TestGuardEnforcement(t *testing.T) {
	type request struct{ method, target, body string }
	guarded := map[string]request{
		"DeleteObject with versionId": {http.MethodDelete, "/pm-media/media/a.jpg?versionId=v1", ""},
		"PutBucketVersioning":         {http.MethodPut, "/pm-media?versioning", versioningBody},
		"PutBucketLifecycle":          {http.MethodPut, "/pm-media?lifecycle", lifecycleBody},
		"DeleteBucketLifecycle":       {http.MethodDelete, "/pm-media?lifecycle", ""},
		"PutBucketPolicy plain":       {http.MethodPut, "/pm-media?policy", plainPolicy("pm-media")},
		"PutBucketPolicy guard":       {http.MethodPut, "/pm-media?policy", guardPolicy("pm-media")},
		"DeleteBucketPolicy":          {http.MethodDelete, "/pm-media?policy", ""},
		"DeleteObjects with a version": {http.MethodPost, "/pm-media?delete",
			layertest.DeleteBody([2]string{"media/a.jpg", "-"}, [2]string{"media/b.jpg", "v2"})},
	}
	unguarded := map[string]request{
		"DeleteObject":                    {http.MethodDelete, "/pm-media/media/a.jpg", ""},
		"DeleteObjects without a version": {http.MethodPost, "/pm-media?delete", layertest.DeleteBody([2]string{"media/a.jpg", "-"})},
		"PutObject":                       {http.MethodPut, "/pm-media/media/a.jpg", "content"},
		"GetObject with versionId":        {http.MethodGet, "/pm-media/media/a.jpg?versionId=v1", ""},
		"GetBucketVersioning":             {http.MethodGet, "/pm-media?versioning", ""},
		"ListObjectVersions":              {http.MethodGet, "/pm-media?versions", ""},
		"another bucket's version":        {http.MethodDelete, "/pm-other/a.jpg?versionId=v1", ""},
	}
	for name, req := range guarded {
		for _, key := range []string{appKey, strangerKey, noKey} {
			t.Run(name+" by "+keyName(key)+" is denied", func(t *testing.T) {
				h := newHarness(t)
				h.putGuard(t, "pm-media")
				h.expectDenied(t, h.do(t, key, req.method, req.target, req.body))
				if n := h.layer.Refusals(); n != 1 {
					t.Errorf("Refusals() = %d, want 1", n)
				}
				if doc, _ := h.layer.Policy("pm-media"); doc != guardPolicy("pm-media") {
					t.Errorf("stored policy changed by a denied request: %s", doc)
				}
			})
		}
		t.Run(name+" by the admin passes", func(t *testing.T) {
			h := newHarness(t)
			h.putGuard(t, "pm-media")
			got := h.do(t, adminKey, req.method, req.target, req.body)
			if got.Status/100 != 2 || h.layer.Refusals() != 0 {
				t.Errorf("answer %d %s (%s), refusals %d: want it let through", got.Status, got.Code, got.Body, h.layer.Refusals())
			}
		})
	}
	for name, req := range unguarded {
		t.Run(name+" by the app passes", func(t *testing.T) {
			h := newHarness(t)
			h.putGuard(t, "pm-media")
			h.ExpectForwarded(t, h.do(t, appKey, req.method, req.target, req.body), okStatus(req.method))
		})
	}

	t.Run("presigned", func(t *testing.T) {
		h := newHarness(t)
		h.putGuard(t, "pm-media")
		target := func(key string) string {
			return "/pm-media/media/a.jpg?versionId=v1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" +
				key + "%2F20260301%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00"
		}
		h.expectDenied(t, h.do(t, noKey, http.MethodDelete, target(appKey), ""))
		h.ExpectForwarded(t, h.do(t, noKey, http.MethodDelete, target(adminKey), ""), http.StatusNoContent)
	})
}

func keyName(key string) string {
	switch key {
	case appKey:
		return "the app"
	case strangerKey:
		return "an unknown key"
	case noKey:
		return "nobody"
	}
	return key
}

func okStatus(method string) int {
	if method == http.MethodDelete {
		return http.StatusNoContent
	}
	return http.StatusOK
}

func TestDeleteObjectsIsCheckedPerObject(t *testing.T) {
	h := newHarness(t)
	h.putGuard(t, "pm-media")
	const body = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Delete xmlns="` + layertest.S3NS + `">` +
		`<Object><Key>media/a.jpg</Key></Object><Object><Key>media/b.jpg</Key><VersionId></VersionId></Object></Delete>`
	// An empty VersionId still names a version.
	h.expectDenied(t, h.do(t, appKey, http.MethodPost, "/pm-media?delete", body))

	got := h.do(t, appKey, http.MethodPost, "/pm-media?delete", "<Delete><Object>")
	if got.Code != "MalformedXML" {
		t.Errorf("malformed list: %d %s, want MalformedXML", got.Status, got.Code)
	}
	h.ExpectAnswered(t, got, http.StatusBadRequest)

	// Without a stored policy the body is not even read.
	h.ExpectForwarded(t, h.do(t, appKey, http.MethodPost, "/pm-other?delete", "<Delete><Object>"), http.StatusOK)
}

// TestForwardedBodiesAreUnchanged: what the layer reads it puts back byte for byte, with the client's
// Content-Length, so the server's signature check still passes.
func TestForwardedBodiesAreUnchanged(t *testing.T) {
	h := newHarness(t)
	h.putGuard(t, "pm-media")
	for _, tc := range []struct{ name, method, target, body string }{
		{"DeleteObjects", http.MethodPost, "/pm-media?delete", layertest.DeleteBody([2]string{"media/ä b.jpg", "v1"}, [2]string{"media/c.jpg", "-"})},
		{"PutBucketPolicy plain", http.MethodPut, "/pm-media?policy", plainPolicy("pm-media")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.do(t, adminKey, tc.method, tc.target, tc.body)
			saw := h.UpstreamSaw()
			h.Reset()
			if len(saw) != 1 {
				t.Fatalf("the upstream saw %d requests, want 1", len(saw))
			}
			if !bytes.Equal(saw[0].Body, []byte(tc.body)) || saw[0].ContentLength != int64(len(tc.body)) {
				t.Errorf("upstream body %q (Content-Length %d), want %q (%d)", saw[0].Body, saw[0].ContentLength, tc.body, len(tc.body))
			}
			if got := saw[0].Header.Get("Authorization"); got != authorization(adminKey) {
				t.Errorf("Authorization %q reached the upstream", got)
			}
		})
		// The plain policy replaced the guard; put it back for the next case.
		h.putGuard(t, "pm-media")
	}
}

// TestWildcardsAndCase checks matching beyond the provider's own document: action wildcards, whatever the
// case, resource wildcards, and ? and * in principal patterns.
func TestWildcardsAndCase(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"*"},` +
		`"Action":"S3:Delete*Version","Resource":"arn:aws:s3:::pm-media/private/*",` +
		`"Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::000000000000:user/ap?","arn:aws:iam::*:user/ci-*"]}}}}`
	h := newHarnessFor(t, map[string]string{
		appKey:    appPrincipal,
		"CIKEY":   "arn:aws:iam::123456789012:user/ci-deploy",
		"APPSKEY": "arn:aws:iam::000000000000:user/apps",
	})
	h.ExpectAnswered(t, h.do(t, adminKey, http.MethodPut, "/pm-media?policy", doc), http.StatusNoContent)
	for _, tc := range []struct {
		key, target string
		denied      bool
	}{
		{appKey, "/pm-media/private/x?versionId=1", true},
		{"CIKEY", "/pm-media/private/deep/x?versionId=1", true},
		{"APPSKEY", "/pm-media/private/x?versionId=1", false}, // ? is one character
		{appKey, "/pm-media/public/x?versionId=1", false},     // another resource
		{appKey, "/pm-media/private/x", false},                // s3:DeleteObject has no "Version"
		{strangerKey, "/pm-media/private/x?versionId=1", false},
	} {
		got := h.do(t, tc.key, http.MethodDelete, tc.target, "")
		if tc.denied {
			h.expectDenied(t, got)
		} else {
			h.ExpectForwarded(t, got, http.StatusNoContent)
		}
	}
}

// TestUnsupportedConditionsDoNotDeny: a Deny with a condition the layer cannot evaluate is ignored, so a
// test relying on it fails visibly; Bool aws:SecureTransport is evaluated for an HTTPS proxy.
func TestUnsupportedConditionsDoNotDeny(t *testing.T) {
	statement := func(condition string) string {
		return `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::pm-media/*","Condition":` + condition + `}`
	}
	for _, tc := range []struct {
		name, condition string
		denied          bool
	}{
		{"ArnNotLike alone", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/admin-*"}}`, true},
		{"with an unsupported operator", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/admin-*"},"StringEquals":{"aws:username":"app"}}`, false},
		{"with an unsupported key", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/admin-*","aws:SourceArn":"x"}}`, false},
		{"with SecureTransport false", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/admin-*"},"Bool":{"aws:SecureTransport":"false"}}`, false},
		{"with SecureTransport true", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/admin-*"},"Bool":{"aws:SecureTransport":true}}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			doc := `{"Version":"2012-10-17","Statement":[` + statement(tc.condition) + `]}`
			h.ExpectAnswered(t, h.do(t, adminKey, http.MethodPut, "/pm-media?policy", doc), http.StatusNoContent)
			got := h.do(t, appKey, http.MethodPut, "/pm-media/a.jpg", "x")
			if tc.denied {
				h.expectDenied(t, got)
			} else {
				h.ExpectForwarded(t, got, http.StatusOK)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t)
	const buckets, rounds = 4, 25
	for b := range buckets {
		h.putGuard(t, fmt.Sprintf("pm-media-%d", b))
	}
	var wg sync.WaitGroup
	errs := make(chan error, buckets*rounds*4)
	for b := range buckets {
		bucket := fmt.Sprintf("pm-media-%d", b)
		for i := range rounds {
			wg.Go(func() {
				// Denied: the app deleting a version, by DeleteObject and by DeleteObjects.
				for _, req := range [][3]string{
					{http.MethodDelete, fmt.Sprintf("/%s/k%d?versionId=v", bucket, i), ""},
					{http.MethodPost, "/" + bucket + "?delete", layertest.DeleteBody([2]string{fmt.Sprintf("k%d", i), "v"})},
				} {
					got, err := h.send(appKey, req[0], req[1], req[2])
					if err == nil && got.Code != "AccessDenied" {
						err = fmt.Errorf("%s %s by the app: %d %s, want AccessDenied", req[0], req[1], got.Status, got.Code)
					}
					if err != nil {
						errs <- err
					}
				}
			})
			wg.Go(func() {
				// Allowed: the admin reading the policy and deleting versions, the app laying delete markers.
				for _, req := range []struct{ key, method, target string }{
					{adminKey, http.MethodGet, "/" + bucket + "?policy"},
					{adminKey, http.MethodDelete, fmt.Sprintf("/%s/k%d?versionId=v", bucket, i)},
					{appKey, http.MethodDelete, fmt.Sprintf("/%s/k%d", bucket, i)},
				} {
					got, err := h.send(req.key, req.method, req.target, "")
					if err == nil && got.Status/100 != 2 {
						err = fmt.Errorf("%s %s: %d %s, want success", req.method, req.target, got.Status, got.Code)
					}
					if err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := h.layer.Refusals(); n != buckets*rounds*2 {
		t.Errorf("Refusals() = %d, want %d", n, buckets*rounds*2)
	}
	for b := range buckets {
		if doc, ok := h.layer.Policy(fmt.Sprintf("pm-media-%d", b)); !ok || !strings.Contains(doc, "GuardVersions") {
			t.Errorf("bucket %d: stored policy %q", b, doc)
		}
	}
}
