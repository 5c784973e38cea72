package awsbehaviour

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

func TestBucketBlockPublicPolicy(t *testing.T) {
	h := newHarness(t)
	h.layer.EnforceBlockPublicPolicy(0)

	// A bucket whose block the layer never saw is not held to one.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-unknown?policy", publicReadPolicy("pm-unknown")), http.StatusNoContent)

	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?publicAccessBlock", publicAccessBlockBody(*BlockAll())), http.StatusOK)
	got := h.do(t, http.MethodPut, "/pm-media?policy", publicReadPolicy("pm-media"))
	h.expectRefused(t, got, http.StatusForbidden, "AccessDenied")
	if !strings.Contains(string(got.Body), "<Message>Access Denied</Message>") {
		t.Errorf("body %s, want S3's Access Denied", got.Body)
	}
	// A policy that is not public passes.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?policy", tlsOnlyPolicy("pm-media")), http.StatusNoContent)
	// Only BlockPublicPolicy matters.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?publicAccessBlock", publicAccessBlockBody(PublicAccessBlock{
		BlockPublicAcls: true, IgnorePublicAcls: true, RestrictPublicBuckets: true})), http.StatusOK)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?policy", publicReadPolicy("pm-media")), http.StatusNoContent)

	// Out of band.
	h.layer.SetBucketPublicAccessBlock("pm-static", &PublicAccessBlock{BlockPublicPolicy: true})
	h.expectRefused(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusForbidden, "AccessDenied")
	h.layer.SetBucketPublicAccessBlock("pm-static", nil)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)

	if n := h.layer.Refusals(); n != 2 {
		t.Errorf("Refusals %d, want 2", n)
	}
}

func TestPublicPolicyLag(t *testing.T) {
	const window = 30 * time.Second
	off := publicAccessBlockBody(PublicAccessBlock{})

	t.Run("after PutPublicAccessBlock turns BlockPublicPolicy off", func(t *testing.T) {
		h := newHarness(t)
		h.layer.EnforceBlockPublicPolicy(window)
		// A new bucket has it on (AWS's default since 2023), so turning it off starts the window.
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?publicAccessBlock", off), http.StatusOK)
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusForbidden, "AccessDenied")
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", tlsOnlyPolicy("pm-static")), http.StatusNoContent)
		h.clock.Advance(window - time.Nanosecond)
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusForbidden, "AccessDenied")
		h.clock.Advance(time.Nanosecond)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)

		// Off again, when it already was: no new window.
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?publicAccessBlock", off), http.StatusOK)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)

		// On, then off: a new window.
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?publicAccessBlock", publicAccessBlockBody(*BlockAll())), http.StatusOK)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?publicAccessBlock", off), http.StatusOK)
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusForbidden, "AccessDenied")
		h.clock.Advance(window)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)
	})

	t.Run("after DeletePublicAccessBlock", func(t *testing.T) {
		h := newHarness(t)
		h.layer.EnforceBlockPublicPolicy(window)
		h.layer.SetBucketPublicAccessBlock("pm-static", BlockAll())
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-static?publicAccessBlock", ""), http.StatusNoContent)
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusForbidden, "AccessDenied")
		h.clock.Advance(window)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)
	})

	t.Run("a refused PutPublicAccessBlock changes nothing", func(t *testing.T) {
		h := newHarness(t)
		h.layer.EnforceBlockPublicPolicy(window)
		h.layer.SetBucketPublicAccessBlock("pm-static", BlockAll())
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
			s3proxy.WriteError(w, r, http.StatusInternalServerError, "InternalError", "boom")
		})
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?publicAccessBlock", off), http.StatusInternalServerError)
		h.SetAnswer(nil)
		h.clock.Advance(time.Hour)
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusForbidden, "AccessDenied")
	})

	t.Run("an out-of-band block has propagated", func(t *testing.T) {
		h := newHarness(t)
		h.layer.EnforceBlockPublicPolicy(window)
		h.layer.SetBucketPublicAccessBlock("pm-static", &PublicAccessBlock{})
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)
	})

	t.Run("an unreadable configuration is the server's to refuse", func(t *testing.T) {
		h := newHarness(t)
		h.layer.EnforceBlockPublicPolicy(window)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?publicAccessBlock", "not xml"), http.StatusOK)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", "{not json"), http.StatusNoContent)
	})
}

func TestRestrictPublicBuckets(t *testing.T) {
	anonymous := http.Header{}
	presigned := "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDTEST%2F20261120%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc"

	for _, tc := range []struct {
		name  string
		setup func(h *harness)
	}{
		{"the bucket's", func(h *harness) {
			h.layer.EnforceBlockPublicPolicy(0)
			h.layer.SetBucketPublicAccessBlock("pm-static", &PublicAccessBlock{RestrictPublicBuckets: true})
		}},
		{"the account's", func(h *harness) {
			h.layer.SetAccountPublicAccessBlock(&PublicAccessBlock{RestrictPublicBuckets: true})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tc.setup(h)
			// No public policy yet: anonymous requests are the server's to judge.
			h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-static/index.html", header: anonymous}), http.StatusOK)

			h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)
			h.expectRefused(t, h.send(t, request{method: http.MethodGet, target: "/pm-static/index.html", header: anonymous}), http.StatusForbidden, "AccessDenied")
			got := h.send(t, request{method: http.MethodHead, target: "/pm-static/index.html", header: anonymous})
			h.ExpectAnswered(t, got, http.StatusForbidden)
			if len(got.Body) != 0 {
				t.Errorf("HEAD answered with a body: %s", got.Body)
			}
			// The owner's account and presigned URLs keep access; another bucket is not affected.
			h.ExpectForwarded(t, h.do(t, http.MethodGet, "/pm-static/index.html", ""), http.StatusOK)
			h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-static/index.html" + presigned, header: anonymous}), http.StatusOK)
			h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-media/a.jpg", header: anonymous}), http.StatusOK)

			// A policy that is not public lifts the restriction, and so does deleting the policy.
			h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", tlsOnlyPolicy("pm-static")), http.StatusNoContent)
			h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-static/index.html", header: anonymous}), http.StatusOK)
			if !h.layer.SetBucketPolicy("pm-static", publicReadPolicy("pm-static")) {
				t.Fatal("SetBucketPolicy: the public read policy is not public")
			}
			h.expectRefused(t, h.send(t, request{method: http.MethodGet, target: "/pm-static/index.html", header: anonymous}), http.StatusForbidden, "AccessDenied")
			h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-static?policy", ""), http.StatusNoContent)
			h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-static/index.html", header: anonymous}), http.StatusOK)
		})
	}
}

func TestAccountBlockPublicPolicy(t *testing.T) {
	h := newHarness(t)
	h.layer.SetAccountPublicAccessBlock(&PublicAccessBlock{BlockPublicPolicy: true})
	// Every bucket, whatever its own block says.
	h.layer.SetBucketPublicAccessBlock("pm-static", &PublicAccessBlock{})
	for _, bucket := range []string{"pm-static", "pm-other"} {
		h.expectRefused(t, h.do(t, http.MethodPut, "/"+bucket+"?policy", publicReadPolicy(bucket)), http.StatusForbidden, "AccessDenied")
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/"+bucket+"?policy", tlsOnlyPolicy(bucket)), http.StatusNoContent)
	}
	// Anonymous requests are not restricted by BlockPublicPolicy.
	h.layer.SetBucketPolicy("pm-static", publicReadPolicy("pm-static"))
	h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-static/index.html", header: http.Header{}}), http.StatusOK)

	h.layer.SetAccountPublicAccessBlock(nil)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?policy", publicReadPolicy("pm-static")), http.StatusNoContent)
}

func TestGetAccountPublicAccessBlock(t *testing.T) {
	const target = "/v20180820/configuration/publicAccessBlock"
	account := func(id string) http.Header { return signed("X-Amz-Account-Id", id) }

	t.Run("off: forwarded", func(t *testing.T) {
		h := newHarness(t)
		h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: target, header: account(DefaultAccount)}), http.StatusNotFound)
	})

	t.Run("the account's block", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetAccountPublicAccessBlock(&PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true})
		got := h.send(t, request{method: http.MethodGet, target: target, header: account(DefaultAccount)})
		h.ExpectAnswered(t, got, http.StatusOK)
		want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">` +
			`<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>` +
			`<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets>` +
			`</PublicAccessBlockConfiguration>`
		if string(got.Body) != want {
			t.Errorf("body\n%s\nwant\n%s", got.Body, want)
		}
		if ct := got.Header.Get("Content-Type"); ct != "application/xml" {
			t.Errorf("Content-Type %q", ct)
		}
	})

	t.Run("none", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetAccountPublicAccessBlock(nil)
		got := h.send(t, request{method: http.MethodGet, target: target, header: account(DefaultAccount)})
		h.ExpectAnswered(t, got, http.StatusNotFound)
		var e struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Code    string   `xml:"Error>Code"`
			Message string   `xml:"Error>Message"`
			ID      string   `xml:"RequestId"`
		}
		if err := xml.Unmarshal(got.Body, &e); err != nil || e.Code != "NoSuchPublicAccessBlockConfiguration" || e.ID == "" {
			t.Errorf("body %s (%v), want an S3 Control ErrorResponse NoSuchPublicAccessBlockConfiguration", got.Body, err)
		}
		if h.layer.Refusals() != 1 {
			t.Errorf("Refusals %d, want 1", h.layer.Refusals())
		}
	})

	t.Run("another account's", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetAccountPublicAccessBlock(BlockAll())
		got := h.send(t, request{method: http.MethodGet, target: target, header: account("210987654321")})
		h.ExpectAnswered(t, got, http.StatusForbidden)
		if !strings.Contains(string(got.Body), "<Error><Code>AccessDenied</Code>") {
			t.Errorf("body %s", got.Body)
		}
	})

	t.Run("put and delete are not answered", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetAccountPublicAccessBlock(BlockAll())
		h.ExpectForwarded(t, h.send(t, request{method: http.MethodPut, target: target, header: account(DefaultAccount),
			body: `<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"/>`}), http.StatusOK)
		h.ExpectForwarded(t, h.send(t, request{method: http.MethodDelete, target: target, header: account(DefaultAccount)}), http.StatusOK)
	})
}
