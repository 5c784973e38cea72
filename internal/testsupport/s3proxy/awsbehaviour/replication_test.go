package awsbehaviour

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

const (
	replicaRole   = "arn:aws:iam::000000000000:role/pm-replication"
	replicaBucket = "arn:aws:s3:::pm-replica"
)

// versioningServer keeps each bucket's versioning as SeaweedFS does and answers it back; every other request
// as answerAsSeaweedFS (which has no replication).
type versioningServer struct {
	bench *layertest.Bench // the bench has read the body already: the request as the upstream saw it

	mu     sync.Mutex
	status map[string]string
}

func (s *versioningServer) answer(w http.ResponseWriter, r *http.Request) {
	op := s3proxy.Classify(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op.Name {
	case "PutBucketVersioning":
		seen := s.bench.UpstreamSaw()
		s.status[op.Bucket] = versioningStatusOf(seen[len(seen)-1].Body)
	case "GetBucketVersioning":
		w.Header().Set("Content-Type", "application/xml")
		doc := `<VersioningConfiguration xmlns="` + layertest.S3NS + `">`
		if st := s.status[op.Bucket]; st != "" {
			doc += "<Status>" + st + "</Status>"
		}
		_, _ = w.Write([]byte(doc + "</VersioningConfiguration>"))
	default:
		answerAsSeaweedFS(w, r)
	}
}

// newReplicationHarness is a harness with behaviour 10 on, in front of a server that keeps versioning.
func newReplicationHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.layer.StoreReplication()
	h.SetAnswer((&versioningServer{bench: h.Bench, status: map[string]string{}}).answer)
	return h
}

// providerReplication is the configuration the provider writes for a replica owned by another account.
func providerReplication() *types.ReplicationConfiguration {
	return &types.ReplicationConfiguration{Role: aws.String(replicaRole), Rules: []types.ReplicationRule{{
		ID:                      aws.String("protectedmedia-media-replica"),
		Priority:                aws.Int32(1),
		Status:                  types.ReplicationRuleStatusEnabled,
		Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
		DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
		Destination: &types.Destination{Bucket: aws.String(replicaBucket), Account: aws.String("444455556666"),
			StorageClass: types.StorageClassGlacierIr, AccessControlTranslation: &types.AccessControlTranslation{Owner: types.OwnerOverrideDestination}},
	}}}
}

func (h *harness) putReplication(t *testing.T, bucket string, cfg *types.ReplicationConfiguration) error {
	t.Helper()
	_, err := h.sdk().PutBucketReplication(t.Context(), &s3.PutBucketReplicationInput{Bucket: aws.String(bucket), ReplicationConfiguration: cfg})
	return err
}

func (h *harness) getReplication(t *testing.T, bucket string) (*types.ReplicationConfiguration, error) {
	t.Helper()
	out, err := h.sdk().GetBucketReplication(t.Context(), &s3.GetBucketReplicationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return nil, err
	}
	return out.ReplicationConfiguration, nil
}

func (h *harness) setVersioning(t *testing.T, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	if _, err := h.sdk().PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}}); err != nil {
		t.Fatalf("PutBucketVersioning %s: %v", status, err)
	}
}

// createUnversioned creates bucket through the proxy, which the layer then knows as never versioned.
func (h *harness) createUnversioned(t *testing.T, bucket string) {
	t.Helper()
	if _, err := h.sdk().CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
}

func TestReplicationOffForwardsUntouched(t *testing.T) {
	h := newHarness(t)
	body := `<ReplicationConfiguration xmlns="` + layertest.S3NS + `"><Role>` + replicaRole + `</Role><Rule><Status>Enabled</Status>` +
		`<Filter><Prefix></Prefix></Filter><Destination><Bucket>` + replicaBucket + `</Bucket></Destination></Rule></ReplicationConfiguration>`
	for _, q := range []request{
		{method: http.MethodPut, target: "/pm-media?versioning", body: `<VersioningConfiguration xmlns="` + layertest.S3NS + `"><Status>Enabled</Status></VersioningConfiguration>`},
		{method: http.MethodGet, target: "/pm-media?versioning"},
		// Refused on AWS for the missing DeleteMarkerReplication and Priority: not here, while off.
		{method: http.MethodPut, target: "/pm-media?replication", body: body},
		{method: http.MethodGet, target: "/pm-media?replication"},
		{method: http.MethodDelete, target: "/pm-media?replication"},
	} {
		h.expectUntouched(t, q)
	}
	if h.layer.HoldsReplication("pm-media") || h.layer.Refusals() != 0 {
		t.Errorf("HoldsReplication %t, Refusals %d while the behaviour was off", h.layer.HoldsReplication("pm-media"), h.layer.Refusals())
	}
}

// The provider's configuration is kept and read back as sent, whatever the server; a delete forgets it.
func TestReplicationKeptAndReadBack(t *testing.T) {
	h := newReplicationHarness(t)
	h.createUnversioned(t, "pm-media")
	h.setVersioning(t, "pm-media", types.BucketVersioningStatusEnabled)
	h.Reset()

	if err := h.putReplication(t, "pm-media", providerReplication()); err != nil {
		t.Fatalf("PutBucketReplication: %v", err)
	}
	seen := h.UpstreamSaw()
	h.Reset()
	if len(seen) != 1 || seen[0].Method != http.MethodPut || !strings.Contains(string(seen[0].Body), "<Role>"+replicaRole+"</Role>") ||
		seen[0].ContentLength != int64(len(seen[0].Body)) {
		for _, s := range seen {
			t.Logf("upstream saw %s %s", s.Method, s.RequestURI)
		}
		t.Errorf("the upstream saw %d requests, want the put once, as sent (the server judges the caller)", len(seen))
	}
	if !h.layer.HoldsReplication("pm-media") || h.layer.ReplicationRole("pm-media") != replicaRole {
		t.Fatalf("HoldsReplication %t, role %q after an accepted put", h.layer.HoldsReplication("pm-media"), h.layer.ReplicationRole("pm-media"))
	}

	got, err := h.getReplication(t, "pm-media")
	if err != nil {
		t.Fatalf("GetBucketReplication: %v", err)
	}
	want := providerReplication()
	if aws.ToString(got.Role) != replicaRole || len(got.Rules) != 1 {
		t.Fatalf("configuration %+v, want the role and one rule", got)
	}
	g, w := got.Rules[0], want.Rules[0]
	if aws.ToString(g.ID) != aws.ToString(w.ID) || aws.ToInt32(g.Priority) != 1 || g.Status != w.Status ||
		g.Filter == nil || g.Filter.Prefix == nil || *g.Filter.Prefix != "" || g.Prefix != nil || //nolint:staticcheck // SA1019: the first schema's element must stay out
		g.DeleteMarkerReplication == nil || g.DeleteMarkerReplication.Status != types.DeleteMarkerReplicationStatusDisabled ||
		aws.ToString(g.Destination.Bucket) != replicaBucket || aws.ToString(g.Destination.Account) != "444455556666" ||
		g.Destination.StorageClass != types.StorageClassGlacierIr || g.Destination.AccessControlTranslation == nil ||
		g.Destination.AccessControlTranslation.Owner != types.OwnerOverrideDestination || g.ExistingObjectReplication != nil {
		t.Errorf("rule read back %+v (destination %+v), want it as put", g, g.Destination)
	}
	h.Reset()

	// Replaced by another put, then deleted: S3's 204, and the server's 404 for a get afterwards.
	other := providerReplication()
	other.Rules[0].ID = nil
	if err := h.putReplication(t, "pm-media", other); err != nil {
		t.Fatal(err)
	}
	if got, err := h.getReplication(t, "pm-media"); err != nil || aws.ToString(got.Rules[0].ID) == "" {
		t.Errorf("a rule put without an ID reads back %+v (%v), want an ID S3 gave it", got, err)
	}
	h.Reset()
	del := h.do(t, http.MethodDelete, "/pm-media?replication", "")
	h.ExpectForwarded(t, del, http.StatusNoContent)
	if h.layer.HoldsReplication("pm-media") {
		t.Error("HoldsReplication after DeleteBucketReplication")
	}
	_, err = h.getReplication(t, "pm-media")
	layertest.ExpectCode(t, "GetBucketReplication after the delete", err, "ReplicationConfigurationNotFoundError")
	// Deleting none is no error either.
	h.Reset()
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-media?replication", ""), http.StatusNoContent)
}

// The parts of a replication document, as a client other than the SDK may write them.
const (
	filterRule  = "<Filter><Prefix></Prefix></Filter><Priority>1</Priority><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>"
	destination = "<Destination><Bucket>" + replicaBucket + "</Bucket></Destination>"
)

// replicationBody is a ReplicationConfiguration of one rule with these elements; role "" leaves Role out.
func replicationBody(role, rule string) string {
	b := `<ReplicationConfiguration xmlns="` + layertest.S3NS + `">`
	if role != "" {
		b += "<Role>" + role + "</Role>"
	}
	return b + "<Rule>" + rule + "</Rule></ReplicationConfiguration>"
}

// A refused put never reaches the server and keeps what the layer had.
func TestReplicationRefused(t *testing.T) {
	rule := func(f func(r *types.ReplicationRule)) *types.ReplicationConfiguration {
		c := providerReplication()
		f(&c.Rules[0])
		return c
	}
	tests := []struct {
		name   string
		setup  func(t *testing.T, h *harness)
		config *types.ReplicationConfiguration
		body   string // sent as is instead of config, when set
		code   string
		says   string
	}{
		{name: "source never versioned", config: providerReplication(), code: "InvalidRequest",
			says: "Versioning must be 'Enabled' on the bucket to apply a replication configuration", setup: func(*testing.T, *harness) {}},
		{name: "source versioning suspended", config: providerReplication(), code: "InvalidRequest", says: "Versioning must be 'Enabled'",
			setup: func(t *testing.T, h *harness) { h.setVersioning(t, "pm-src", types.BucketVersioningStatusSuspended) }},
		{name: "destination never versioned", config: providerReplication(), code: "InvalidRequest", says: "Destination bucket must have versioning enabled.",
			setup: func(t *testing.T, h *harness) {
				h.setVersioning(t, "pm-src", types.BucketVersioningStatusEnabled)
				h.createUnversioned(t, "pm-replica")
			}},
		// The SDK refuses to send a document without the required elements: written as another client would.
		{name: "no role", body: replicationBody("", "<Status>Enabled</Status>"+filterRule+destination), code: "MalformedXML"},
		{name: "no destination bucket", body: replicationBody(replicaRole, "<Status>Enabled</Status>"+filterRule+"<Destination></Destination>"), code: "MalformedXML"},
		{name: "no status", body: replicationBody(replicaRole, filterRule+destination), code: "MalformedXML"},
		{name: "another status", body: replicationBody(replicaRole, "<Status>On</Status>"+filterRule+destination), code: "MalformedXML"},
		{name: "an element S3 does not define", body: replicationBody(replicaRole, "<Status>Enabled</Status><Replicas>2</Replicas>"+filterRule+destination), code: "MalformedXML"},
		{name: "a rule of the first schema", body: replicationBody(replicaRole, "<Status>Enabled</Status><Prefix></Prefix>"+destination)},
		{name: "no rule", body: `<ReplicationConfiguration xmlns="` + layertest.S3NS + `"><Role>` + replicaRole + `</Role></ReplicationConfiguration>`, code: "MalformedXML"},
		{name: "another document", body: `<VersioningConfiguration xmlns="` + layertest.S3NS + `"><Status>Enabled</Status></VersioningConfiguration>`, code: "MalformedXML"},
		{name: "filter without delete marker replication", code: "InvalidRequest", says: "DeleteMarkerReplication must be specified",
			config: rule(func(r *types.ReplicationRule) { r.DeleteMarkerReplication = nil })},
		{name: "filter without priority", code: "InvalidRequest", says: "Priority must be specified",
			config: rule(func(r *types.ReplicationRule) { r.Priority = nil })},
		{name: "filter and prefix", code: "MalformedXML", config: rule(func(r *types.ReplicationRule) {
			r.Prefix = aws.String("") //nolint:staticcheck // SA1019: the first schema's element, beside a Filter
		})},
		{name: "neither filter nor prefix", code: "MalformedXML", config: rule(func(r *types.ReplicationRule) { r.Filter = nil })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newReplicationHarness(t)
			h.createUnversioned(t, "pm-src")
			if tt.setup != nil {
				tt.setup(t, h)
			} else {
				h.setVersioning(t, "pm-src", types.BucketVersioningStatusEnabled)
			}
			h.Reset()
			var got reply
			if tt.body != "" {
				got = h.do(t, http.MethodPut, "/pm-src?replication", tt.body)
				if tt.code == "" {
					h.ExpectForwarded(t, got, http.StatusOK) // accepted: the server judged the caller
					return
				}
			} else {
				err := h.putReplication(t, "pm-src", tt.config)
				layertest.ExpectCode(t, tt.name, err, tt.code)
				if err != nil && !strings.Contains(err.Error(), tt.says) {
					t.Errorf("refusal %v does not say %q", err, tt.says)
				}
				got = reply{Status: http.StatusBadRequest, Code: tt.code}
			}
			if got.Code != tt.code {
				t.Errorf("answer %d %s (%s), want %s", got.Status, got.Code, got.Body, tt.code)
			}
			if seen := h.UpstreamSaw(); len(seen) != 0 {
				t.Errorf("a refused put reached the server: %+v", seen)
			}
			if h.layer.HoldsReplication("pm-src") || h.layer.Refusals() != 1 {
				t.Errorf("HoldsReplication %t, Refusals %d; want nothing kept, one refusal", h.layer.HoldsReplication("pm-src"), h.layer.Refusals())
			}
		})
	}
}

// Versioning is learnt from what passes: a GetBucketVersioning answer for a bucket the layer never saw
// created, and a versioning write the server took; a bucket it knows nothing of is not judged.
func TestReplicationLearnsVersioning(t *testing.T) {
	h := newReplicationHarness(t)
	// Never seen: not judged, as the layer cannot know.
	if err := h.putReplication(t, "pm-unseen", providerReplication()); err != nil {
		t.Errorf("PutBucketReplication on a bucket whose versioning the layer never saw: %v", err)
	}
	if got, err := h.getReplication(t, "pm-unseen"); err != nil || aws.ToString(got.Role) != replicaRole {
		t.Errorf("GetBucketReplication of the kept configuration: %+v (%v)", got, err)
	}

	// Suspended behind the layer's back, then read through it.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		if s3proxy.Classify(r).Name == "GetBucketVersioning" {
			_, _ = w.Write([]byte(`<VersioningConfiguration xmlns="` + layertest.S3NS + `"><Status>Suspended</Status></VersioningConfiguration>`))
			return
		}
		answerAsSeaweedFS(w, r)
	})
	if _, err := h.sdk().GetBucketVersioning(t.Context(), &s3.GetBucketVersioningInput{Bucket: aws.String("pm-read")}); err != nil {
		t.Fatal(err)
	}
	layertest.ExpectCode(t, "PutBucketReplication after a get answered Suspended", h.putReplication(t, "pm-read", providerReplication()), "InvalidRequest")

	// A versioning write the server refuses teaches nothing.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		if s3proxy.Classify(r).Name == "PutBucketVersioning" {
			s3proxy.WriteError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
			return
		}
		answerAsSeaweedFS(w, r)
	})
	_, err := h.sdk().PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{Bucket: aws.String("pm-read"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	layertest.ExpectCode(t, "the refused PutBucketVersioning", err, "AccessDenied")
	layertest.ExpectCode(t, "PutBucketReplication after a refused versioning write", h.putReplication(t, "pm-read", providerReplication()), "InvalidRequest")

	// SetVersioning declares it for a bucket made on the server directly.
	h.layer.SetVersioning("pm-direct", "")
	layertest.ExpectCode(t, "PutBucketReplication on a bucket declared unversioned", h.putReplication(t, "pm-direct", providerReplication()), "InvalidRequest")
}

// The server's own answers pass on: a refusal of the caller, and a get or delete on a bucket that is gone.
// DeleteBucket and a new CreateBucket of the name forget the configuration.
func TestReplicationServerAnswersAndForgetting(t *testing.T) {
	h := newReplicationHarness(t)
	h.createUnversioned(t, "pm-media")
	h.setVersioning(t, "pm-media", types.BucketVersioningStatusEnabled)
	if err := h.putReplication(t, "pm-media", providerReplication()); err != nil {
		t.Fatal(err)
	}

	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	})
	_, err := h.getReplication(t, "pm-media")
	layertest.ExpectCode(t, "GetBucketReplication the server answers NoSuchBucket", err, "NoSuchBucket")
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
	})
	layertest.ExpectCode(t, "PutBucketReplication the server refuses", h.putReplication(t, "pm-media", providerReplication()), "AccessDenied")
	_, err = h.sdk().DeleteBucketReplication(t.Context(), &s3.DeleteBucketReplicationInput{Bucket: aws.String("pm-media")})
	layertest.ExpectCode(t, "DeleteBucketReplication the server refuses", err, "AccessDenied")
	if !h.layer.HoldsReplication("pm-media") {
		t.Fatal("refused requests dropped the configuration")
	}

	h.SetAnswer(nil)
	if _, err := h.sdk().DeleteBucket(t.Context(), &s3.DeleteBucketInput{Bucket: aws.String("pm-media")}); err != nil {
		t.Fatal(err)
	}
	if h.layer.HoldsReplication("pm-media") {
		t.Error("HoldsReplication after DeleteBucket")
	}
	h.createUnversioned(t, "pm-media")
	layertest.ExpectCode(t, "PutBucketReplication on the new, unversioned bucket of the name", h.putReplication(t, "pm-media", providerReplication()), "InvalidRequest")
}
