package awsbehaviour

import (
	"encoding/xml"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// lifecycleServer answers lifecycle requests as SeaweedFS does: 501 NotImplemented to an enabled rule with
// a transition, otherwise the document is stored as sent and answered back; every other request as
// answerAsSeaweedFS.
type lifecycleServer struct {
	bench *layertest.Bench // the bench has read the body already: the request as the upstream saw it

	mu   sync.Mutex
	docs map[string][]byte
}

func newLifecycleServer(b *layertest.Bench) *lifecycleServer {
	return &lifecycleServer{bench: b, docs: make(map[string][]byte)}
}

func (s *lifecycleServer) answer(w http.ResponseWriter, r *http.Request) {
	op := s3proxy.Classify(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op.Name {
	case "PutBucketLifecycleConfiguration":
		seen := s.bench.UpstreamSaw()
		body := seen[len(seen)-1].Body
		doc := string(body)
		if strings.Contains(doc, "<Status>Enabled</Status>") && (strings.Contains(doc, "<Transition>") || strings.Contains(doc, "<NoncurrentVersionTransition>")) {
			s3proxy.WriteError(w, r, http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
			return
		}
		s.docs[op.Bucket] = body
	case "GetBucketLifecycleConfiguration":
		doc, ok := s.docs[op.Bucket]
		if !ok {
			s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set(minimumObjectSizeHeader, defaultMinimumObjectSize)
		_, _ = w.Write(doc)
	case "DeleteBucketLifecycle":
		delete(s.docs, op.Bucket)
		w.WriteHeader(http.StatusNoContent)
	default:
		answerAsSeaweedFS(w, r)
	}
}

// newLifecycleHarness is a harness with behaviour 9 on, in front of a server with lifecycleServer's
// answers, which it returns too.
func newLifecycleHarness(t *testing.T) (*harness, *lifecycleServer) {
	t.Helper()
	h := newHarness(t)
	h.layer.StoreLifecycleTransitions()
	s := newLifecycleServer(h.Bench)
	h.SetAnswer(s.answer)
	return h, s
}

// sdk is a client of the proxy, as the provider is.
func (h *harness) sdk() *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(h.URL()),
		UsePathStyle: true,
		Region:       DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:   h.Client(),
	})
}

// lifecycleBody is a LifecycleConfiguration document with these rules, as the AWS SDK writes it.
func lifecycleBody(rules ...string) string {
	return `<LifecycleConfiguration xmlns="` + layertest.S3NS + `">` + strings.Join(rules, "") + `</LifecycleConfiguration>`
}

// ruleBody is a whole-bucket rule, enabled, with these actions.
func ruleBody(actions ...string) string {
	return "<Rule><ID>r</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>" + strings.Join(actions, "") + "</Rule>"
}

func noncurrentTransitionBody(days, class string) string {
	return "<NoncurrentVersionTransition><NoncurrentDays>" + days + "</NoncurrentDays><StorageClass>" + class + "</StorageClass></NoncurrentVersionTransition>"
}

const noncurrentExpirationBody = "<NoncurrentVersionExpiration><NoncurrentDays>400</NoncurrentDays></NoncurrentVersionExpiration>"

// providerRule is the rule the provider writes on a media bucket with noncurrent transitions.
func providerRule() types.LifecycleRule {
	return types.LifecycleRule{
		ID:                          aws.String("protectedmedia"),
		Status:                      types.ExpirationStatusEnabled,
		Filter:                      &types.LifecycleRuleFilter{Prefix: aws.String("")},
		NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(400)},
		Expiration:                  &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
		NoncurrentVersionTransitions: []types.NoncurrentVersionTransition{
			{NoncurrentDays: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa},
			{NoncurrentDays: aws.Int32(60), StorageClass: types.TransitionStorageClassIntelligentTiering},
			{NoncurrentDays: aws.Int32(90), StorageClass: types.TransitionStorageClassOnezoneIa},
			{NoncurrentDays: aws.Int32(120), StorageClass: types.TransitionStorageClassGlacierIr},
			{NoncurrentDays: aws.Int32(180), StorageClass: types.TransitionStorageClassGlacier},
			{NoncurrentDays: aws.Int32(365), StorageClass: types.TransitionStorageClassDeepArchive},
		},
		AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
	}
}

// putLifecycle puts a configuration with these rules through the SDK.
func (h *harness) putLifecycle(t *testing.T, bucket string, minimum types.TransitionDefaultMinimumObjectSize, rules ...types.LifecycleRule) (*s3.PutBucketLifecycleConfigurationOutput, error) {
	t.Helper()
	return h.sdk().PutBucketLifecycleConfiguration(t.Context(), &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}, TransitionDefaultMinimumObjectSize: minimum})
}

func (h *harness) getLifecycle(t *testing.T, bucket string) (*s3.GetBucketLifecycleConfigurationOutput, error) {
	t.Helper()
	return h.sdk().GetBucketLifecycleConfiguration(t.Context(), &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
}

// keepProviderRule puts the provider's rule on pm-media, which the layer keeps, and checks that the server
// saw the put once, as sent.
func (h *harness) keepProviderRule(t *testing.T) {
	t.Helper()
	const bucket = "pm-media"
	out, err := h.putLifecycle(t, bucket, "", providerRule())
	if err != nil {
		t.Fatalf("PutBucketLifecycleConfiguration with transitions: %v", err)
	}
	if out.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("the put's minimum object size %q, want the default", out.TransitionDefaultMinimumObjectSize)
	}
	seen := h.UpstreamSaw()
	h.Reset()
	if len(seen) != 1 || seen[0].Method != http.MethodPut || !strings.Contains(string(seen[0].Body), "<NoncurrentVersionTransition>") ||
		seen[0].ContentLength != int64(len(seen[0].Body)) {
		t.Errorf("the upstream saw %+v, want the put as sent", seen)
	}
	if !h.layer.HoldsLifecycle(bucket) {
		t.Fatal("HoldsLifecycle false after a kept put")
	}
}

// expectLifecycleGone checks that the layer no longer answers for pm-media: a get reaches the server, which
// has no configuration.
func (h *harness) expectLifecycleGone(t *testing.T) {
	t.Helper()
	const bucket = "pm-media"
	if h.layer.HoldsLifecycle(bucket) {
		t.Error("HoldsLifecycle true, want the configuration forgotten")
	}
	got := h.do(t, http.MethodGet, "/"+bucket+"?lifecycle", "")
	if got.Code != "NoSuchLifecycleConfiguration" {
		t.Errorf("get after the configuration went: %d %s", got.Status, got.Body)
	}
	h.ExpectForwarded(t, got, http.StatusNotFound)
}

func TestLifecycleOffForwardsUntouched(t *testing.T) {
	h := newHarness(t)
	withTransition := lifecycleBody(ruleBody(noncurrentTransitionBody("30", "STANDARD_IA")))
	for _, q := range []request{
		{method: http.MethodPut, target: "/pm-media?lifecycle", body: withTransition},
		{method: http.MethodPut, target: "/pm-media?lifecycle", body: lifecycleBody(ruleBody(noncurrentTransitionBody("1", "STANDARD_IA")))},
		{method: http.MethodPut, target: "/pm-media?lifecycle", body: lifecycleBody(ruleBody(noncurrentExpirationBody))},
		{method: http.MethodGet, target: "/pm-media?lifecycle"},
		{method: http.MethodDelete, target: "/pm-media?lifecycle"},
	} {
		h.expectUntouched(t, q)
	}
	// SeaweedFS's own refusal reaches the client.
	h.SetAnswer(newLifecycleServer(h.Bench).answer)
	got := h.do(t, http.MethodPut, "/pm-media?lifecycle", withTransition)
	h.ExpectForwarded(t, got, http.StatusNotImplemented)
	if got.Code != "NotImplemented" {
		t.Errorf("answer %s, want the server's NotImplemented", got.Body)
	}
	if h.layer.HoldsLifecycle("pm-media") {
		t.Error("HoldsLifecycle true while the behaviour was off")
	}
	if n := h.layer.Refusals(); n != 0 {
		t.Errorf("Refusals %d, want 0", n)
	}
}

func TestLifecycleKeptAndReadBack(t *testing.T) {
	h, s := newLifecycleHarness(t)
	h.keepProviderRule(t)

	// The SDK reads back the rule as it was put.
	out, err := h.getLifecycle(t, "pm-media")
	if err != nil {
		t.Fatalf("GetBucketLifecycleConfiguration: %v", err)
	}
	if want := []types.LifecycleRule{providerRule()}; !reflect.DeepEqual(out.Rules, want) {
		t.Errorf("rules read back:\n%+v\nwant\n%+v", out.Rules, want)
	}
	if out.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("the get's minimum object size %q, want the default", out.TransitionDefaultMinimumObjectSize)
	}
	// The get went to the server (which checks the caller) and the server has nothing.
	if seen := h.UpstreamSaw(); len(seen) != 1 || seen[0].Method != http.MethodGet {
		t.Errorf("the upstream saw %+v, want the get", seen)
	}
	h.Reset()
	if len(s.docs) != 0 {
		t.Errorf("the server stored %q", s.docs)
	}

	// The document itself is S3's: its namespace, and the header.
	got := h.do(t, http.MethodGet, "/pm-media?lifecycle", "")
	h.ExpectForwarded(t, got, http.StatusOK)
	var doc struct {
		XMLName xml.Name
		Rules   []struct {
			ID string `xml:"ID"`
		} `xml:"Rule"`
	}
	if err := xml.Unmarshal(got.Body, &doc); err != nil || doc.XMLName != (xml.Name{Space: layertest.S3NS, Local: "LifecycleConfiguration"}) ||
		len(doc.Rules) != 1 || doc.Rules[0].ID != "protectedmedia" {
		t.Errorf("document %s (%v)", got.Body, err)
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type %q", ct)
	}
	if n := h.layer.Refusals(); n != 0 {
		t.Errorf("Refusals %d, want 0: a kept configuration is no refusal", n)
	}

	// A put that chose the other minimum object size reports it.
	if _, err := h.putLifecycle(t, "pm-media", types.TransitionDefaultMinimumObjectSizeVariesByStorageClass, providerRule()); err != nil {
		t.Fatal(err)
	}
	h.Reset()
	out, err = h.getLifecycle(t, "pm-media")
	if err != nil || out.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeVariesByStorageClass {
		t.Errorf("minimum object size %q (%v), want the one put", out.TransitionDefaultMinimumObjectSize, err)
	}
}

func TestLifecycleRuleKeptAsSent(t *testing.T) {
	h, _ := newLifecycleHarness(t)
	// Every element S3 defines, a legacy Prefix and a disabled rule beside.
	rules := []types.LifecycleRule{
		{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("logs/"),
				Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}, ObjectSizeGreaterThan: aws.Int64(131072), ObjectSizeLessThan: aws.Int64(1 << 30)}},
			Transitions: []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassOnezoneIa},
				{Days: aws.Int32(0), StorageClass: types.TransitionStorageClassGlacierIr}},
			NoncurrentVersionTransitions: []types.NoncurrentVersionTransition{{NoncurrentDays: aws.Int32(1), NewerNoncurrentVersions: aws.Int32(3),
				StorageClass: types.TransitionStorageClassGlacier}},
			Expiration:                  &types.LifecycleExpiration{Days: aws.Int32(3650)},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(400), NewerNoncurrentVersions: aws.Int32(5)},
		},
		{ID: aws.String("tagged"), Status: types.ExpirationStatusDisabled,
			Filter:      &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("tier"), Value: aws.String("cold")}},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassDeepArchive}}},
		{ID: aws.String("legacy"), Status: types.ExpirationStatusEnabled, Prefix: aws.String("tmp/"), //nolint:staticcheck // SA1019: the legacy element, kept as sent
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}},
	}
	if _, err := h.putLifecycle(t, "pm-logs", "", rules...); err != nil {
		t.Fatal(err)
	}
	h.Reset()
	out, err := h.getLifecycle(t, "pm-logs")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Rules, rules) {
		t.Errorf("rules read back:\n%+v\nwant\n%+v", out.Rules, rules)
	}
}

func TestLifecycleReplacedWithoutTransitions(t *testing.T) {
	h, s := newLifecycleHarness(t)
	h.keepProviderRule(t)
	body := lifecycleBody(ruleBody(noncurrentExpirationBody))

	// A put the server refuses leaves the kept configuration.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
	})
	got := h.do(t, http.MethodPut, "/pm-media?lifecycle", body)
	h.ExpectForwarded(t, got, http.StatusForbidden)
	if !h.layer.HoldsLifecycle("pm-media") {
		t.Error("a refused put without transitions dropped the kept configuration")
	}

	// One it takes replaces it: the server's own answers again.
	h.SetAnswer(s.answer)
	h.expectUntouched(t, request{method: http.MethodPut, target: "/pm-media?lifecycle", body: body})
	if h.layer.HoldsLifecycle("pm-media") {
		t.Error("HoldsLifecycle true after a put without transitions")
	}
	got = h.do(t, http.MethodGet, "/pm-media?lifecycle", "")
	if string(got.Body) != body {
		t.Errorf("get %s, want the server's document as it stored it", got.Body)
	}
	h.ExpectForwarded(t, got, http.StatusOK)
}

func TestLifecycleDeleted(t *testing.T) {
	t.Run("the server deletes its own", func(t *testing.T) {
		h, _ := newLifecycleHarness(t)
		h.keepProviderRule(t)
		if _, err := h.sdk().DeleteBucketLifecycle(t.Context(), &s3.DeleteBucketLifecycleInput{Bucket: aws.String("pm-media")}); err != nil {
			t.Fatalf("DeleteBucketLifecycle: %v", err)
		}
		h.Reset()
		h.expectLifecycleGone(t)
	})
	t.Run("the server had none", func(t *testing.T) {
		h, s := newLifecycleHarness(t)
		h.keepProviderRule(t)
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
			if s3proxy.Classify(r).Name == "DeleteBucketLifecycle" {
				s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
				return
			}
			s.answer(w, r)
		})
		got := h.do(t, http.MethodDelete, "/pm-media?lifecycle", "")
		h.ExpectForwarded(t, got, http.StatusNoContent)
		if len(got.Body) != 0 || got.Header.Get("Content-Type") != "" {
			t.Errorf("answer %q with Content-Type %q, want S3's empty 204", got.Body, got.Header.Get("Content-Type"))
		}
		h.expectLifecycleGone(t)
		if n := h.layer.Refusals(); n != 0 {
			t.Errorf("Refusals %d, want 0", n)
		}
	})
	t.Run("the server refuses", func(t *testing.T) {
		h, _ := newLifecycleHarness(t)
		h.keepProviderRule(t)
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
			s3proxy.WriteError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
		})
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-media?lifecycle", ""), http.StatusForbidden)
		if !h.layer.HoldsLifecycle("pm-media") {
			t.Error("a refused delete dropped the kept configuration")
		}
	})
}

func TestLifecycleBucketDeleted(t *testing.T) {
	h, _ := newLifecycleHarness(t)
	h.keepProviderRule(t)
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-media", ""), http.StatusNoContent)
	h.expectLifecycleGone(t)

	// Declared out of band, likewise.
	h.keepProviderRule(t)
	h.layer.ForgetLifecycle("pm-media")
	h.expectLifecycleGone(t)
}

func TestLifecycleServerAnswersPassOn(t *testing.T) {
	h, s := newLifecycleHarness(t)
	withTransition := lifecycleBody(ruleBody(noncurrentTransitionBody("30", "STANDARD_IA")))

	// What the server refuses before it looks at transitions reaches the client, and nothing is kept.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	})
	got := h.do(t, http.MethodPut, "/pm-gone?lifecycle", withTransition)
	h.ExpectForwarded(t, got, http.StatusNotFound)
	if got.Code != "NoSuchBucket" || h.layer.HoldsLifecycle("pm-gone") {
		t.Errorf("answer %s, kept %t", got.Code, h.layer.HoldsLifecycle("pm-gone"))
	}

	// A get the server refuses is not answered from the kept configuration.
	h.SetAnswer(s.answer)
	h.keepProviderRule(t)
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
	})
	got = h.do(t, http.MethodGet, "/pm-media?lifecycle", "")
	h.ExpectForwarded(t, got, http.StatusForbidden)
	if got.Code != "AccessDenied" {
		t.Errorf("get answered %s, want the server's refusal", got.Body)
	}

	// A server that takes transitions (here: in a disabled rule, as SeaweedFS does) keeps them itself.
	h.SetAnswer(s.answer)
	disabled := strings.Replace(withTransition, "<Status>Enabled</Status>", "<Status>Disabled</Status>", 1)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?lifecycle", disabled), http.StatusOK)
	if h.layer.HoldsLifecycle("pm-media") {
		t.Error("HoldsLifecycle true after the server took the transitions")
	}
	got = h.do(t, http.MethodGet, "/pm-media?lifecycle", "")
	h.ExpectForwarded(t, got, http.StatusOK)
	if string(got.Body) != disabled {
		t.Errorf("get %s, want the server's document", got.Body)
	}

	// A document the layer cannot read is the server's to judge.
	h.expectUntouched(t, request{method: http.MethodPut, target: "/pm-media?lifecycle", body: "<LifecycleConfiguration><Rule>"})
	if n := h.layer.Refusals(); n != 0 {
		t.Errorf("Refusals %d, want 0", n)
	}
}

func TestLifecycleRefused(t *testing.T) {
	transitionBody := func(days, class string) string {
		return "<Transition><Days>" + days + "</Days><StorageClass>" + class + "</StorageClass></Transition>"
	}
	iaMessage := func(field, action, class string) string {
		return "'" + field + "' in " + action + " action must be greater than or equal to 30 for storageClass '" + class + "'"
	}
	for _, c := range []struct {
		name, body, code, message string
	}{
		{"noncurrent STANDARD_IA under 30 days", lifecycleBody(ruleBody(noncurrentTransitionBody("29", "STANDARD_IA"), noncurrentExpirationBody)),
			"InvalidArgument", iaMessage("NoncurrentDays", "NoncurrentVersionTransition", "STANDARD_IA")},
		{"noncurrent ONEZONE_IA under 30 days", lifecycleBody(ruleBody(noncurrentTransitionBody("90", "GLACIER"), noncurrentTransitionBody("1", "ONEZONE_IA"))),
			"InvalidArgument", iaMessage("NoncurrentDays", "NoncurrentVersionTransition", "ONEZONE_IA")},
		{"current STANDARD_IA under 30 days", lifecycleBody(ruleBody(transitionBody("10", "STANDARD_IA"))),
			"InvalidArgument", iaMessage("Days", "Transition", "STANDARD_IA")},
		{"in a disabled rule too", lifecycleBody(strings.Replace(ruleBody(noncurrentTransitionBody("0", "ONEZONE_IA")), "Enabled", "Disabled", 1)),
			"InvalidArgument", iaMessage("NoncurrentDays", "NoncurrentVersionTransition", "ONEZONE_IA")},
		{"negative days", lifecycleBody(ruleBody(noncurrentTransitionBody("-1", "GLACIER"))),
			"InvalidArgument", "'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative"},
		{"negative current days", lifecycleBody(ruleBody(transitionBody("-5", "DEEP_ARCHIVE"))),
			"InvalidArgument", "'Days' in Transition action must be nonnegative"},
		{"a storage class S3 does not define", lifecycleBody(ruleBody(noncurrentTransitionBody("30", "STANDARD"))), "MalformedXML", ""},
		{"no storage class", lifecycleBody(ruleBody("<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays></NoncurrentVersionTransition>")), "MalformedXML", ""},
		{"no NoncurrentDays", lifecycleBody(ruleBody("<NoncurrentVersionTransition><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>")), "MalformedXML", ""},
		{"neither Days nor Date", lifecycleBody(ruleBody("<Transition><StorageClass>GLACIER</StorageClass></Transition>")), "MalformedXML", ""},
		{"both Days and Date", lifecycleBody(ruleBody("<Transition><Date>2027-01-01T00:00:00Z</Date><Days>40</Days><StorageClass>GLACIER</StorageClass></Transition>")), "MalformedXML", ""},
		{"a Status S3 does not define", lifecycleBody(strings.Replace(ruleBody(noncurrentTransitionBody("30", "GLACIER")), "Enabled", "enabled", 1)), "MalformedXML", ""},
		{"an element S3 does not define", lifecycleBody(ruleBody(noncurrentTransitionBody("30", "GLACIER"), "<Expire>1</Expire>")), "MalformedXML", ""},
		{"another root", strings.ReplaceAll(lifecycleBody(ruleBody(noncurrentTransitionBody("30", "GLACIER"))), "LifecycleConfiguration", "BucketLifecycleConfiguration"), "MalformedXML", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, _ := newLifecycleHarness(t)
			got := h.do(t, http.MethodPut, "/pm-media?lifecycle", c.body)
			h.expectRefused(t, got, http.StatusBadRequest, c.code)
			var e struct{ Message string }
			if err := xml.Unmarshal(got.Body, &e); err != nil || (c.message != "" && e.Message != c.message) {
				t.Errorf("body %s (%v), want the message %q", got.Body, err, c.message)
			}
			if h.layer.HoldsLifecycle("pm-media") {
				t.Error("a refused configuration was kept")
			}
			if n := h.layer.Refusals(); n != 1 {
				t.Errorf("Refusals %d, want 1", n)
			}
		})
	}

	// The limits themselves are taken.
	h, _ := newLifecycleHarness(t)
	for _, body := range []string{
		lifecycleBody(ruleBody(noncurrentTransitionBody("30", "STANDARD_IA"), noncurrentTransitionBody("30", "ONEZONE_IA"), transitionBody("30", "STANDARD_IA"))),
		lifecycleBody(ruleBody(noncurrentTransitionBody("0", "GLACIER_IR"), noncurrentTransitionBody("1", "INTELLIGENT_TIERING"), transitionBody("0", "DEEP_ARCHIVE"))),
	} {
		// Forwarded, refused by the server for its transitions, and answered here.
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?lifecycle", body), http.StatusOK)
		if !h.layer.HoldsLifecycle("pm-media") {
			t.Error("a configuration at the limits was not kept")
		}
	}
	if n := h.layer.Refusals(); n != 0 {
		t.Errorf("Refusals %d, want 0", n)
	}
}
