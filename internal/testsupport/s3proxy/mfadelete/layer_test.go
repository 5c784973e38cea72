package mfadelete

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

func TestEnablingNeedsValidMFA(t *testing.T) {
	h := newHarness(t)
	validCode := Code(testSecret, testStart)
	wrongCode := strconv.Itoa(1_000_000 + (mustAtoi(t, validCode)+1)%1_000_000)[1:]
	for _, tc := range []struct {
		name, mfa string
		status    int
		code      string
		message   string
	}{
		{"missing", "", 403, "AccessDenied", "Mfa Authentication must be used for this request"},
		{"no serial", validCode, 400, "InvalidArgument", "Mfa header is invalid -- the header should be formatted as {serialNumber}(space){tokenCode}"},
		{"empty serial", " " + validCode, 400, "InvalidArgument", ""}, // the server trims the leading space
		{"five digits", testSerial + " " + validCode[:5], 400, "InvalidArgument", ""},
		{"seven digits", testSerial + " " + validCode + "0", 400, "InvalidArgument", ""},
		{"letters", testSerial + " 12345a", 400, "InvalidArgument", ""},
		{"non-ASCII digits", testSerial + " １２３４５６", 400, "InvalidArgument", ""},
		{"two spaces", testSerial + "  " + validCode, 400, "InvalidArgument", ""},
		{"tab", testSerial + "\t" + validCode, 400, "InvalidArgument", ""},
		{"space in serial", "my device " + validCode, 400, "InvalidArgument", ""},
		{"wrong serial", "arn:aws:iam::123456789012:mfa/other " + validCode, 403, "AccessDenied", "The MFA token is invalid"},
		{"wrong code", testSerial + " " + wrongCode, 403, "AccessDenied", "The MFA token is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := h.layer.Refusals()
			got := putVersioning(h, t, "pm-media", "Enabled", "Enabled", tc.mfa)
			h.expectRefused(t, got, tc.status, tc.code)
			if tc.message != "" && !strings.Contains(string(got.Body), "<Message>"+tc.message) {
				t.Errorf("message in %s, want it to start with %q", got.Body, tc.message)
			}
			if h.layer.Enabled("pm-media") {
				t.Error("MFA Delete enabled by a refused request")
			}
			if n := h.layer.Refusals() - before; n != 1 {
				t.Errorf("Refusals grew by %d, want 1", n)
			}
		})
	}

	t.Run("two headers", func(t *testing.T) {
		header := http.Header{"X-Amz-Mfa": {h.validMFA(), h.validMFA()}}
		got, err := h.Send(http.MethodPut, "/pm-media?versioning", header, strings.NewReader(versioningBody("Enabled", "Enabled")))
		if err != nil {
			t.Fatal(err)
		}
		h.expectRefused(t, got, 400, "InvalidArgument")
	})

	t.Run("valid", func(t *testing.T) {
		got := putVersioning(h, t, "pm-media", "Enabled", "Enabled", h.validMFA())
		h.ExpectForwarded(t, got, 200)
		if !h.layer.Enabled("pm-media") {
			t.Error("MFA Delete not enabled after the upstream accepted")
		}
		if h.layer.Enabled("pm-other") {
			t.Error("MFA Delete enabled on another bucket")
		}
	})
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVersioningWithoutMFADeleteEnabled(t *testing.T) {
	h := newHarness(t)

	// Changing Status, or saying Disabled, on a bucket without MFA Delete needs no header.
	h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Suspended", "", ""), 200)
	h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Disabled", ""), 200)
	if h.layer.Enabled("pm-a") {
		t.Error("MfaDelete Disabled enabled MFA Delete")
	}
	if got := getMfaDelete(t, h, "pm-a"); got == nil || *got != "Disabled" {
		t.Errorf("GetBucketVersioning MfaDelete %v, want Disabled once configured", deref(got))
	}
	if h.layer.Refusals() != 0 {
		t.Errorf("Refusals %d, want 0", h.layer.Refusals())
	}
}

func TestOnceEnabledEveryVersioningChangeNeedsMFA(t *testing.T) {
	h := newHarness(t)
	h.layer.SetEnabled("pm-a", true)

	for _, tc := range []struct{ status, mfaDelete string }{
		{"Suspended", ""},
		{"Enabled", ""},
		{"Enabled", "Enabled"},
		{"Enabled", "Disabled"},
	} {
		h.expectRefused(t, putVersioning(h, t, "pm-a", tc.status, tc.mfaDelete, ""), 403, "AccessDenied")
		h.expectRefused(t, putVersioning(h, t, "pm-a", tc.status, tc.mfaDelete, testSerial+" 000000"), 403, "AccessDenied")
	}
	if n := h.layer.Refusals(); n != 8 {
		t.Errorf("Refusals %d, want 8", n)
	}

	// Without MfaDelete the state stays as it is.
	h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Suspended", "", h.validMFA()), 200)
	if !h.layer.Enabled("pm-a") {
		t.Fatal("a versioning change without MfaDelete disabled MFA Delete")
	}
	h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Disabled", h.validMFA()), 200)
	if h.layer.Enabled("pm-a") {
		t.Fatal("MfaDelete Disabled with a valid code did not disable MFA Delete")
	}
	// Disabled again: no header needed any more.
	h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Suspended", "", ""), 200)
}

func TestStateRecordedOnlyWhenTheUpstreamAccepts(t *testing.T) {
	h := newHarness(t)
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `<Error><Code>NoSuchBucket</Code></Error>`)
	})
	h.ExpectForwarded(t, putVersioning(h, t, "pm-gone", "Enabled", "Enabled", h.validMFA()), 404)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-gone?lifecycle", "", lifecycleBody), 404)
	h.SetAnswer(nil)
	if h.layer.Enabled("pm-gone") {
		t.Error("MFA Delete enabled although the upstream refused")
	}
	if got := getMfaDelete(t, h, "pm-gone"); got != nil {
		t.Errorf("GetBucketVersioning reports MfaDelete %s for a bucket never configured", *got)
	}
	// No lifecycle was recorded either, so MFA Delete can be enabled.
	h.ExpectForwarded(t, putVersioning(h, t, "pm-gone", "Enabled", "Enabled", h.validMFA()), 200)

	// A failing disable keeps MFA Delete enabled.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	h.ExpectForwarded(t, putVersioning(h, t, "pm-gone", "Enabled", "Disabled", h.validMFA()), 500)
	if !h.layer.Enabled("pm-gone") {
		t.Error("MFA Delete disabled although the upstream failed")
	}
}

func TestMalformedVersioningConfigurationIsRefused(t *testing.T) {
	h := newHarness(t)
	for _, body := range []string{
		"not xml",
		`<LifecycleConfiguration xmlns="` + layertest.S3NS + `"/>`,
		versioningBody("Enabled", "Maybe"),
	} {
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-a?versioning", h.validMFA(), body), 400, "MalformedXML")
	}
}

func TestDeleteObjectVersionNeedsMFAOnceEnabled(t *testing.T) {
	h := newHarness(t)

	// Without MFA Delete, versions are deleted freely.
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", "", ""), 204)

	h.layer.SetEnabled("pm-a", true)
	for _, target := range []string{"/pm-a/k?versionId=v1", "/pm-a/dir/k?versionId=null", "/pm-a/k?versionId="} {
		h.expectRefused(t, h.do(t, http.MethodDelete, target, "", ""), 403, "AccessDenied")
		h.expectRefused(t, h.do(t, http.MethodDelete, target, "123456", ""), 400, "InvalidArgument")
		h.expectRefused(t, h.do(t, http.MethodDelete, target, testSerial+" "+Code(testSecret, testStart.Add(-time.Hour)), ""), 403, "AccessDenied")
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, target, h.validMFA(), ""), 204)
	}
	// A delete marker needs no MFA; neither does another bucket.
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k", "", ""), 204)
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-b/k?versionId=v1", "", ""), 204)
	if n := h.layer.Refusals(); n != 9 {
		t.Errorf("Refusals %d, want 9", n)
	}
}

func TestDeleteObjectsWithVersionsNeedsMFAOnceEnabled(t *testing.T) {
	h := newHarness(t)
	versions := layertest.DeleteBody([2]string{"a", "-"}, [2]string{"b", "v2"})
	markers := layertest.DeleteBody([2]string{"a", "-"}, [2]string{"b", "-"})

	h.ExpectForwarded(t, h.do(t, http.MethodPost, "/pm-a?delete", "", versions), 200)
	// Without MFA Delete the layer does not even look at the body.
	h.ExpectForwarded(t, h.do(t, http.MethodPost, "/pm-a?delete", "", "not xml"), 200)

	h.layer.SetEnabled("pm-a", true)
	h.expectRefused(t, h.do(t, http.MethodPost, "/pm-a?delete", "", versions), 403, "AccessDenied")
	h.expectRefused(t, h.do(t, http.MethodPost, "/pm-a?delete", testSerial+" 1234", versions), 400, "InvalidArgument")
	h.expectRefused(t, h.do(t, http.MethodPost, "/pm-a?delete", "arn:other "+Code(testSecret, testStart), versions), 403, "AccessDenied")
	h.expectRefused(t, h.do(t, http.MethodPost, "/pm-a?delete", "", layertest.DeleteBody([2]string{"a", ""})), 403, "AccessDenied")
	h.expectRefused(t, h.do(t, http.MethodPost, "/pm-a?delete", h.validMFA(), "not xml"), 400, "MalformedXML")
	h.ExpectForwarded(t, h.do(t, http.MethodPost, "/pm-a?delete", h.validMFA(), versions), 200)
	h.ExpectForwarded(t, h.do(t, http.MethodPost, "/pm-a?delete", "", markers), 200)
	if n := h.layer.Refusals(); n != 5 {
		t.Errorf("Refusals %d, want 5", n)
	}
}

func TestMFADeleteAndLifecycleExcludeEachOther(t *testing.T) {
	h := newHarness(t)

	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 200)
	// MFA is checked before the bucket's state, as authentication comes first.
	h.expectRefused(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", ""), 403, "AccessDenied")
	got := putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA())
	h.expectRefused(t, got, 409, "InvalidBucketState")
	if !strings.Contains(string(got.Body), "lifecycle") {
		t.Errorf("message %s does not name the lifecycle configuration", got.Body)
	}
	// Saying Disabled is no conflict.
	h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Disabled", ""), 200)

	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a?lifecycle", "", ""), 204)
	h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA()), 200)
	got = h.do(t, http.MethodPut, "/pm-a?lifecycle", h.validMFA(), lifecycleBody)
	h.expectRefused(t, got, 409, "InvalidBucketState")
	if !strings.Contains(string(got.Body), "MFA Delete") {
		t.Errorf("message %s does not name MFA Delete", got.Body)
	}
	// Deleting a lifecycle configuration is never refused.
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a?lifecycle", "", ""), 204)

	// Out of band.
	h.layer.SetHasLifecycle("pm-b", true)
	h.expectRefused(t, putVersioning(h, t, "pm-b", "Enabled", "Enabled", h.validMFA()), 409, "InvalidBucketState")
	h.layer.SetHasLifecycle("pm-b", false)
	h.ExpectForwarded(t, putVersioning(h, t, "pm-b", "Enabled", "Enabled", h.validMFA()), 200)
}

func TestDeleteBucketForgetsItsState(t *testing.T) {
	h := newHarness(t)
	h.layer.SetEnabled("pm-a", true)
	h.layer.SetHasLifecycle("pm-a", true)

	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, `<Error><Code>BucketNotEmpty</Code></Error>`)
	})
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a", "", ""), 409)
	if !h.layer.Enabled("pm-a") {
		t.Fatal("a failed DeleteBucket forgot MFA Delete")
	}

	h.SetAnswer(nil)
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a", "", ""), 204)
	if h.layer.Enabled("pm-a") {
		t.Error("a deleted bucket kept MFA Delete")
	}
	if got := getMfaDelete(t, h, "pm-a"); got != nil {
		t.Errorf("a recreated bucket reports MfaDelete %s", *got)
	}
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", "", ""), 204)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 200)
}

// TestForwardedRequestsAreUnchanged checks what the client's SigV4 signature covers: the upstream gets
// the bytes and headers the proxy received, also when the layer read the body.
func TestForwardedRequestsAreUnchanged(t *testing.T) {
	for _, tc := range []struct {
		name, method, target, body string
		chunked                    bool
		setup                      func(*Layer)
	}{
		{"PutBucketVersioning", http.MethodPut, "/pm-a?versioning", versioningBody("Enabled", "Enabled"), false, nil},
		{"PutBucketVersioning chunked", http.MethodPut, "/pm-a?versioning", versioningBody("Suspended", "Disabled"), true, nil},
		{"DeleteObjects", http.MethodPost, "/pm-a?delete", layertest.DeleteBody([2]string{"a b/ü", "v1"}), false, enable},
		{"DeleteObjects chunked", http.MethodPost, "/pm-a?delete", layertest.DeleteBody([2]string{"a", "v1"}), true, enable},
		{"DeleteObject", http.MethodDelete, "/pm-a/a%20b?versionId=v1", "", false, enable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.setup != nil {
				tc.setup(h.layer)
			}
			sum := sha256.Sum256([]byte(tc.body))
			header := http.Header{
				"Authorization":        {"AWS4-HMAC-SHA256 Credential=AKIA/20260301/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-mfa, Signature=abc"},
				"X-Amz-Date":           {"20260301T120015Z"},
				"X-Amz-Content-Sha256": {hex.EncodeToString(sum[:])},
				"X-Amz-Mfa":            {h.validMFA()},
				"X-Amz-Checksum-Crc32": {"AAAAAA=="},
				"Content-Type":         {"application/xml"},
			}
			var body io.Reader
			if tc.body != "" {
				body = bytes.NewReader([]byte(tc.body))
				if tc.chunked {
					body = io.MultiReader(body) // unknown length: the client sends it chunked
				}
			}
			got, err := h.Send(tc.method, tc.target, header, body)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status/100 != 2 {
				t.Fatalf("answer %d %s", got.Status, got.Body)
			}
			up, fronts := h.UpstreamSaw(), h.FrontSaw()
			if len(up) != 1 || len(fronts) != 1 {
				t.Fatalf("%d requests at the front, %d upstream; want 1 each", len(fronts), len(up))
			}
			front := fronts[0]
			if up[0].Method != front.Method || up[0].RequestURI != front.RequestURI {
				t.Errorf("upstream got %s %s, want %s %s", up[0].Method, up[0].RequestURI, front.Method, front.RequestURI)
			}
			if !reflect.DeepEqual(up[0].Header, front.Header) {
				t.Errorf("headers changed:\nupstream %v\nfront    %v", up[0].Header, front.Header)
			}
			if string(up[0].Body) != tc.body {
				t.Errorf("body changed: upstream %q, sent %q", up[0].Body, tc.body)
			}
			if up[0].ContentLength != front.ContentLength {
				t.Errorf("ContentLength upstream %d, received %d", up[0].ContentLength, front.ContentLength)
			}
			if tc.chunked && front.ContentLength != -1 {
				t.Errorf("the client sent ContentLength %d; the test wants a chunked body", front.ContentLength)
			}
		})
	}
}

func enable(l *Layer) { l.SetEnabled("pm-a", true) }

// getVersioning makes a GetBucketVersioning through the proxy.
func getVersioning(t *testing.T, h *harness, bucket string) reply {
	t.Helper()
	got := h.do(t, http.MethodGet, "/"+bucket+"?versioning", "", "")
	h.Reset()
	return got
}

// parsedVersioning is a GetBucketVersioning answer; nil fields were absent.
type parsedVersioning struct {
	XMLName   xml.Name
	Status    *string `xml:"Status"`
	MfaDelete *string `xml:"MfaDelete"`
}

// parseAnswer checks that body is one well-formed XML document and decodes it.
func parseAnswer(t *testing.T, body []byte) parsedVersioning {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	roots := 0
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("answer %q is not well-formed XML: %v", body, err)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 {
		t.Fatalf("answer %q has %d root elements", body, roots)
	}
	var p parsedVersioning
	if err := xml.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func getMfaDelete(t *testing.T, h *harness, bucket string) *string {
	t.Helper()
	got := getVersioning(t, h, bucket)
	if got.Status != 200 {
		t.Fatalf("GetBucketVersioning answered %d %s", got.Status, got.Body)
	}
	return parseAnswer(t, got.Body).MfaDelete
}

func deref(s *string) string {
	if s == nil {
		return "<absent>"
	}
	return *s
}

func TestGetBucketVersioningReportsMfaDelete(t *testing.T) {
	versioned := `<VersioningConfiguration xmlns="` + layertest.S3NS + `"><Status>Suspended</Status></VersioningConfiguration>`
	for _, tc := range []struct {
		name           string
		upstream       string
		configure      func(*harness, *testing.T)
		status, mfaDel string // "" = absent
	}{
		{"never configured", versioned, nil, "Suspended", ""},
		{"enabled", versioned, func(h *harness, t *testing.T) {
			putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA())
		}, "Suspended", "Enabled"},
		{"disabled", versioned, func(h *harness, t *testing.T) { putVersioning(h, t, "pm-a", "Enabled", "Disabled", "") }, "Suspended", "Disabled"},
		{"disabled after enabled", versioned, func(h *harness, t *testing.T) {
			h.layer.SetEnabled("pm-a", true)
			putVersioning(h, t, "pm-a", "Enabled", "Disabled", h.validMFA())
		}, "Suspended", "Disabled"},
		{"never versioned", `<VersioningConfiguration xmlns="` + layertest.S3NS + `"></VersioningConfiguration>`, enableOutOfBand, "", "Enabled"},
		{"self-closing", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<VersioningConfiguration xmlns="` + layertest.S3NS + `"/>`, enableOutOfBand, "", "Enabled"},
		{"no namespace", `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`, enableOutOfBand, "Enabled", "Enabled"},
		{"upstream says otherwise", `<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`, enableOutOfBand, "Enabled", "Enabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.configure != nil {
				tc.configure(h, t)
			}
			h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/xml")
				w.Header().Set("X-Amz-Request-Id", "UPSTREAM")
				_, _ = io.WriteString(w, tc.upstream)
			})
			got := getVersioning(t, h, "pm-a")
			if got.Status != 200 {
				t.Fatalf("answer %d %s", got.Status, got.Body)
			}
			if got.Header.Get("X-Amz-Request-Id") != "UPSTREAM" || got.Header.Get("Content-Type") != "application/xml" {
				t.Errorf("upstream headers lost: %v", got.Header)
			}
			if cl := got.Header.Get("Content-Length"); cl != strconv.Itoa(len(got.Body)) {
				t.Errorf("Content-Length %s, body %d bytes", cl, len(got.Body))
			}
			if tc.mfaDel == "" {
				if string(got.Body) != tc.upstream {
					t.Errorf("body %q, want the upstream's %q unchanged", got.Body, tc.upstream)
				}
				return
			}
			p := parseAnswer(t, got.Body)
			if p.XMLName.Space != layertest.S3NS || p.XMLName.Local != "VersioningConfiguration" {
				t.Errorf("root %v, want VersioningConfiguration in the S3 namespace", p.XMLName)
			}
			if deref(p.Status) != deref(nonEmpty(tc.status)) || deref(p.MfaDelete) != tc.mfaDel {
				t.Errorf("Status %s MfaDelete %s, want %s %s (body %s)", deref(p.Status), deref(p.MfaDelete), deref(nonEmpty(tc.status)), tc.mfaDel, got.Body)
			}
		})
	}
}

func enableOutOfBand(h *harness, _ *testing.T) { h.layer.SetEnabled("pm-a", true) }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func TestGetBucketVersioningErrorsPassUnchanged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"NoSuchBucket", 404, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code></Error>`},
		{"not XML", 200, "upstream ok"},
		{"another document", 200, `<LifecycleConfiguration/>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.layer.SetEnabled("pm-a", true)
			h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			got := getVersioning(t, h, "pm-a")
			if got.Status != tc.status || string(got.Body) != tc.body {
				t.Errorf("answer %d %q, want the upstream's %d %q", got.Status, got.Body, tc.status, tc.body)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t)

	// Enabling MFA Delete and putting a lifecycle configuration at once: exactly one may win.
	const rounds = 20
	for i := range rounds {
		bucket := "pm-race-" + strconv.Itoa(i)
		var wg sync.WaitGroup
		answers := make([]reply, 2)
		errs := make([]error, 2)
		wg.Go(func() {
			answers[0], errs[0] = h.Send(http.MethodPut, "/"+bucket+"?versioning", http.Header{"X-Amz-Mfa": {h.validMFA()}},
				strings.NewReader(versioningBody("Enabled", "Enabled")))
		})
		wg.Go(func() {
			answers[1], errs[1] = h.Send(http.MethodPut, "/"+bucket+"?lifecycle", nil, strings.NewReader(lifecycleBody))
		})
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if won := (answers[0].Status == 200) != (answers[1].Status == 200); !won {
			t.Fatalf("%s: versioning %d, lifecycle %d; want exactly one 200", bucket, answers[0].Status, answers[1].Status)
		}
		if h.layer.Enabled(bucket) != (answers[0].Status == 200) {
			t.Errorf("%s: Enabled %v after versioning answered %d", bucket, h.layer.Enabled(bucket), answers[0].Status)
		}
	}
	refusedBefore := h.layer.Refusals()
	if refusedBefore != rounds {
		t.Errorf("Refusals %d after the races, want %d", refusedBefore, rounds)
	}

	// Many buckets at once, each enabled, then deleted from with and without a code, and read.
	const buckets = 16
	var wg sync.WaitGroup
	for i := range buckets {
		bucket := "pm-many-" + strconv.Itoa(i)
		wg.Go(func() {
			steps := []struct {
				method, target, mfa, body string
				status                    int
			}{
				{http.MethodPut, "/" + bucket + "?versioning", h.validMFA(), versioningBody("Enabled", "Enabled"), 200},
				{http.MethodDelete, "/" + bucket + "/k?versionId=v1", "", "", 403},
				{http.MethodDelete, "/" + bucket + "/k?versionId=v1", h.validMFA(), "", 204},
				{http.MethodPost, "/" + bucket + "?delete", "", layertest.DeleteBody([2]string{"k", "v2"}), 403},
				{http.MethodPost, "/" + bucket + "?delete", h.validMFA(), layertest.DeleteBody([2]string{"k", "v2"}), 200},
				{http.MethodGet, "/" + bucket + "?versioning", "", "", 200},
			}
			for _, s := range steps {
				header := http.Header{}
				if s.mfa != "" {
					header.Set("X-Amz-Mfa", s.mfa)
				}
				var body io.Reader
				if s.body != "" {
					body = strings.NewReader(s.body)
				}
				got, err := h.Send(s.method, s.target, header, body)
				if err != nil {
					t.Error(err)
					return
				}
				if got.Status != s.status {
					t.Errorf("%s %s: %d %s, want %d", s.method, s.target, got.Status, got.Body, s.status)
				}
				if s.method == http.MethodGet && !strings.Contains(string(got.Body), "<MfaDelete>Enabled</MfaDelete>") {
					t.Errorf("GetBucketVersioning %s: %s", bucket, got.Body)
				}
			}
		})
	}
	wg.Wait()
	if n := h.layer.Refusals() - refusedBefore; n != 2*buckets {
		t.Errorf("Refusals grew by %d, want %d", n, 2*buckets)
	}
	for i := range buckets {
		if !h.layer.Enabled("pm-many-" + strconv.Itoa(i)) {
			t.Errorf("pm-many-%d not enabled", i)
		}
	}
}

// TestStateRecordedBeforeTheClientSeesTheAnswer holds the upstream's answer open after its status went
// out: a client that has seen the success must already find MFA Delete enabled.
func TestStateRecordedBeforeTheClientSeesTheAnswer(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, " ") // an unknown length: the proxy flushes every write
		http.NewResponseController(w).Flush()
		<-release
	})
	req, err := http.NewRequest(http.MethodPut, h.URL()+"/pm-a?versioning", strings.NewReader(versioningBody("Enabled", "Enabled")))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Mfa", h.validMFA())
	resp, err := h.Client().Do(req) // returns with the status, before the body ends
	if err != nil {
		close(release)
		t.Fatal(err)
	}
	enabled := h.layer.Enabled("pm-a")
	close(release)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !enabled {
		t.Errorf("status %d, Enabled %v while the answer was still open; want 200, true", resp.StatusCode, enabled)
	}
}
