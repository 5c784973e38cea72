package s3api

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// partialService answers bucket configuration reads as an S3-compatible service without the subresources in
// missing does: 501 NotImplemented to those, AWS's "none" answers to the rest. It counts requests per
// subresource.
type partialService struct {
	missing []string
	mu      sync.Mutex
	calls   map[string]int
}

func (p *partialService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sub := ""
	for k := range r.URL.Query() {
		sub = k
	}
	p.mu.Lock()
	p.calls[sub]++
	p.mu.Unlock()
	fail := func(status int, code string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code, code)
	}
	if slices.Contains(p.missing, sub) {
		fail(http.StatusNotImplemented, codeNotImplemented)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	switch sub {
	case "versioning":
		_, _ = io.WriteString(w, `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)
	case "publicAccessBlock":
		fail(http.StatusNotFound, codeNoSuchPublicAccessBlock)
	case "ownershipControls":
		fail(http.StatusNotFound, codeNoOwnershipControls)
	case "encryption":
		fail(http.StatusNotFound, codeNoEncryption)
	case "policy":
		fail(http.StatusNotFound, codeNoSuchBucketPolicy)
	case "tagging":
		fail(http.StatusNotFound, codeNoSuchTagSet)
	case "lifecycle":
		fail(http.StatusNotFound, codeNoSuchLifecycle)
	case "cors":
		fail(http.StatusNotFound, codeNoSuchCORS)
	case "replication":
		fail(http.StatusNotFound, codeNoReplication)
	case "object-lock":
		fail(http.StatusNotFound, codeNoObjectLock)
	default:
		fail(http.StatusBadRequest, "UnexpectedRequest")
	}
}

func (p *partialService) count(sub string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[sub]
}

func partialClient(t *testing.T, missing ...string) (*s3.Client, *partialService) {
	t.Helper()
	svc := &partialService{missing: missing, calls: map[string]int{}}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: &srv.URL, UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")})
	return c, svc
}

func TestCapabilitiesDetectNotImplementedOnce(t *testing.T) {
	c, svc := partialClient(t, "publicAccessBlock", "encryption", "lifecycle", "replication")
	caps := NewCapabilities(false, nil)

	o, err := ObservePairWith(t.Context(), c, caps, "media", "static")
	if err != nil {
		t.Fatal(err)
	}
	want := []bucketstate.Feature{bucketstate.FeaturePublicAccessBlock, bucketstate.FeatureEncryption, bucketstate.FeatureLifecycle, bucketstate.FeatureReplication}
	if got := caps.Unsupported().Sorted(); !slices.Equal(got, want) {
		t.Errorf("detected %v, want %v", got, want)
	}
	if !slices.Equal(o.Media.Unsupported.Sorted(), want) || o.Media.Versioning != bucketstate.VersioningEnabled {
		t.Errorf("media settings %+v", o.Media)
	}

	before := svc.count("publicAccessBlock") + svc.count("encryption") + svc.count("lifecycle") + svc.count("replication")
	if _, err := ObservePairWith(t.Context(), c, caps, "media", "static"); err != nil {
		t.Fatal(err)
	}
	if after := svc.count("publicAccessBlock") + svc.count("encryption") + svc.count("lifecycle") + svc.count("replication"); after != before {
		t.Errorf("a feature known missing was asked about again: %d requests, then %d", before, after)
	}
	if svc.count("policy") != 4 {
		t.Errorf("policy read %d times in two refreshes of a pair, want 4", svc.count("policy"))
	}
}

func TestCapabilitiesDeclaredAreNeverRead(t *testing.T) {
	c, svc := partialClient(t)
	caps := NewCapabilities(false, bucketstate.Features{bucketstate.FeatureCORS: true, bucketstate.FeatureTagging: true})
	o, err := ObservePairWith(t.Context(), c, caps, "media", "static")
	if err != nil {
		t.Fatal(err)
	}
	if n := svc.count("cors") + svc.count("tagging"); n != 0 {
		t.Errorf("declared unsupported features read %d times", n)
	}
	if !o.Static.Unsupported.Has(bucketstate.FeatureCORS) || len(caps.Detected()) != 0 {
		t.Errorf("static unsupported %v, detected %v", o.Static.Unsupported, caps.Detected())
	}
}

func TestNotImplementedOnAWSIsAnError(t *testing.T) {
	for name, caps := range map[string]*Capabilities{"no capabilities": nil, "Amazon S3": NewCapabilities(true, nil)} {
		t.Run(name, func(t *testing.T) {
			c, _ := partialClient(t, "publicAccessBlock")
			_, err := ObservePairWith(t.Context(), c, caps, "media", "static")
			if err == nil || !strings.Contains(err.Error(), "NotImplemented to a read of public_access_block, which Amazon S3 implements") {
				t.Fatalf("got %v, want the NotImplemented read as an error", err)
			}
			if len(caps.Unsupported()) != 0 {
				t.Errorf("marked unsupported on AWS: %v", caps.Unsupported())
			}
		})
	}
}

func TestNotImplementedVersioningIsRefused(t *testing.T) {
	c, _ := partialClient(t, "versioning")
	_, err := ObservePairWith(t.Context(), c, NewCapabilities(false, nil), "media", "static")
	if !IsUnsupported(err) || !strings.Contains(err.Error(), "does not implement bucket versioning") {
		t.Fatalf("got %v, want an UnsupportedError for versioning", err)
	}
}

func TestDestroySkipsObjectLockWhereUnsupported(t *testing.T) {
	c, svc := partialClient(t, "object-lock")
	caps := NewCapabilities(false, nil)
	if err := refuseLockedMedia(t.Context(), c, caps, "media", "static", Contents{Versions: 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !caps.Unsupported().Has(bucketstate.FeatureObjectLock) {
		t.Error("Object Lock's NotImplemented not recorded")
	}
	if err := refuseLockedMedia(t.Context(), c, caps, "media", "static", Contents{Versions: 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := svc.count("object-lock"); n != 1 {
		t.Errorf("Object Lock asked %d times, want once", n)
	}
	if err := refuseLockedMedia(t.Context(), c, nil, "media", "static", Contents{Versions: 1}, time.Now()); err == nil {
		t.Error("on AWS rules, a NotImplemented Object Lock read passed")
	}
}

func TestCapabilitiesKnownAfterAFullRead(t *testing.T) {
	if NewCapabilities(true, nil).needsProbe() || (*Capabilities)(nil).needsProbe() {
		t.Error("Amazon S3 needs no probe")
	}
	c, _ := partialClient(t, "lifecycle")
	caps := NewCapabilities(false, nil)
	if !caps.needsProbe() {
		t.Fatal("a service never read needs a probe before a create")
	}
	if _, err := ObservePairWith(t.Context(), c, caps, "media", "static"); err != nil {
		t.Fatal(err)
	}
	if caps.needsProbe() {
		t.Error("after a full read of a pair, a create still reads first")
	}
}

func TestNotImplementedWriteSaysWhatToDo(t *testing.T) {
	c, _ := partialClient(t, "cors")
	want := bucketstate.Desired{Role: bucketstate.Media, Bucket: "media",
		CORS: []bucketstate.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}}
	err := applySettings(t.Context(), c, want, []bucketstate.Setting{bucketstate.SettingCORS}, MFA{}, PairOptions{})
	if !IsUnsupported(err) || !strings.Contains(err.Error(), "does not implement cors") || !strings.Contains(err.Error(), "unsupported_features") {
		t.Fatalf("got %v, want an UnsupportedError naming cors and the setting", err)
	}
}
