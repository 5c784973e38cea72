package awsbehaviour

import (
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

var stackTags = map[string]string{
	"aws:cloudformation:stack-name": "media",
	"aws:cloudformation:logical-id": "MediaBucket",
}

func TestGetBucketTaggingIncludesSystemTags(t *testing.T) {
	h := newHarness(t)
	h.layer.SetSystemTags("pm-media", stackTags)

	t.Run("the server has none", func(t *testing.T) {
		got := h.do(t, http.MethodGet, "/pm-media?tagging", "")
		h.ExpectForwarded(t, got, http.StatusOK)
		if tags := parseTags(t, got.Body); !maps.Equal(tags, stackTags) {
			t.Errorf("tags %v, want %v", tags, stackTags)
		}
		if !strings.Contains(string(got.Body), `<Tagging xmlns="`+layertest.S3NS+`">`) {
			t.Errorf("body %s is not in S3's namespace", got.Body)
		}
	})

	t.Run("merged into the server's", func(t *testing.T) {
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+
				`<Tagging xmlns="`+layertest.S3NS+`"><TagSet><Tag><Key>app</Key><Value>shop</Value></Tag>`+
				`<Tag><Key>aws:cloudformation:stack-name</Key><Value>stale</Value></Tag></TagSet></Tagging>`)
		})
		defer h.SetAnswer(nil)
		got := h.do(t, http.MethodGet, "/pm-media?tagging", "")
		h.ExpectForwarded(t, got, http.StatusOK)
		want := maps.Clone(stackTags)
		want["app"] = "shop"
		if tags := parseTags(t, got.Body); !maps.Equal(tags, want) {
			t.Errorf("tags %v, want %v", tags, want)
		}
		if n := got.Header.Get("Content-Length"); n != "" && n != strconv.Itoa(len(got.Body)) {
			t.Errorf("Content-Length %s for a body of %d", n, len(got.Body))
		}
	})

	t.Run("errors pass", func(t *testing.T) {
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `<Error><Code>NoSuchBucket</Code></Error>`)
		})
		defer h.SetAnswer(nil)
		got := h.do(t, http.MethodGet, "/pm-media?tagging", "")
		h.ExpectForwarded(t, got, http.StatusNotFound)
		if got.Code != "NoSuchBucket" {
			t.Errorf("code %s", got.Code)
		}
	})

	t.Run("another bucket", func(t *testing.T) {
		got := h.do(t, http.MethodGet, "/pm-static?tagging", "")
		h.ExpectForwarded(t, got, http.StatusNotFound)
		if got.Code != "NoSuchTagSet" {
			t.Errorf("code %s", got.Code)
		}
	})
}

func TestPutBucketTaggingKeepsSystemTags(t *testing.T) {
	h := newHarness(t)
	h.layer.SetSystemTags("pm-media", stackTags)
	name, id := "aws:cloudformation:stack-name", "aws:cloudformation:logical-id"

	for _, tc := range []struct {
		name, body string
		message    string
	}{
		{"left out", taggingBody("app", "shop"), "System Tags cannot be removed by requester"},
		{"one left out", taggingBody("app", "shop", name, "media"), "System Tags cannot be removed by requester"},
		{"changed", taggingBody(name, "other", id, "MediaBucket"), "System Tags cannot be removed by requester"},
		{"empty", taggingBody(), "System Tags cannot be removed by requester"},
		{"a new aws: key", taggingBody(name, "media", id, "MediaBucket", "aws:mine", "x"), "Your TagKey cannot be prefixed with aws:"},
		{"a new AWS: key", taggingBody(name, "media", id, "MediaBucket", "AWS:mine", "x"), "Your TagKey cannot be prefixed with aws:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := h.do(t, http.MethodPut, "/pm-media?tagging", tc.body)
			h.expectRefused(t, got, http.StatusBadRequest, "InvalidTag")
			if !strings.Contains(string(got.Body), "<Message>"+tc.message+"</Message>") {
				t.Errorf("body %s, want message %q", got.Body, tc.message)
			}
		})
	}

	// Kept exactly: forwarded as sent, system tags included.
	body := taggingBody("app", "shop", id, "MediaBucket", name, "media")
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?tagging", body), http.StatusOK)

	// A new aws: key is refused on any bucket once the behaviour is on; user tags pass.
	h.expectRefused(t, h.do(t, http.MethodPut, "/pm-static?tagging", taggingBody("aws:mine", "x")), http.StatusBadRequest, "InvalidTag")
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-static?tagging", taggingBody("app", "shop")), http.StatusOK)
	// The server judges what the layer cannot read.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?tagging", "not xml"), http.StatusOK)

	// Taking the declaration away lifts the rule for that bucket.
	h.layer.SetSystemTags("pm-media", nil)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?tagging", taggingBody("app", "shop")), http.StatusOK)
}

func TestDeleteBucketTaggingWithSystemTags(t *testing.T) {
	h := newHarness(t)
	h.layer.SetSystemTags("pm-media", stackTags)
	got := h.do(t, http.MethodDelete, "/pm-media?tagging", "")
	h.expectRefused(t, got, http.StatusBadRequest, "InvalidTag")
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-static?tagging", ""), http.StatusNoContent)
}

func TestSetSystemTagsNeedsThePrefix(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("SetSystemTags accepted a tag without the aws: prefix")
		}
	}()
	New(Options{}).SetSystemTags("pm-media", map[string]string{"app": "shop"})
}
