package awsbehaviour

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

const replicaKMSKey = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// kmsReplication is the provider's configuration for a media bucket under a KMS key: SSE-KMS objects opted in,
// their replicas encrypted with the replica key.
func kmsReplication() *types.ReplicationConfiguration {
	c := providerReplication()
	c.Rules[0].SourceSelectionCriteria = &types.SourceSelectionCriteria{
		SseKmsEncryptedObjects: &types.SseKmsEncryptedObjects{Status: types.SseKmsEncryptedObjectsStatusEnabled}}
	c.Rules[0].Destination.EncryptionConfiguration = &types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String(replicaKMSKey)}
	return c
}

func TestReplicationKMSKeptAndReadBack(t *testing.T) {
	h := newReplicationHarness(t)
	h.createUnversioned(t, "pm-media")
	h.setVersioning(t, "pm-media", types.BucketVersioningStatusEnabled)
	if err := h.putReplication(t, "pm-media", kmsReplication()); err != nil {
		t.Fatalf("PutBucketReplication: %v", err)
	}
	got, err := h.getReplication(t, "pm-media")
	if err != nil {
		t.Fatalf("GetBucketReplication: %v", err)
	}
	r := got.Rules[0]
	if r.SourceSelectionCriteria == nil || r.SourceSelectionCriteria.SseKmsEncryptedObjects == nil ||
		r.SourceSelectionCriteria.SseKmsEncryptedObjects.Status != types.SseKmsEncryptedObjectsStatusEnabled ||
		r.SourceSelectionCriteria.ReplicaModifications != nil {
		t.Errorf("SourceSelectionCriteria read back %+v, want SseKmsEncryptedObjects Enabled alone", r.SourceSelectionCriteria)
	}
	if e := r.Destination.EncryptionConfiguration; e == nil || aws.ToString(e.ReplicaKmsKeyID) != replicaKMSKey {
		t.Errorf("EncryptionConfiguration read back %+v, want ReplicaKmsKeyID %s", e, replicaKMSKey)
	}
}

// A rule opting in to SSE-KMS objects without a key for their replicas is refused as AWS refuses it, before
// the server; one that opts out needs no key.
func TestReplicationKMSRefused(t *testing.T) {
	noKey := kmsReplication()
	noKey.Rules[0].Destination.EncryptionConfiguration = nil
	emptyKey := kmsReplication()
	emptyKey.Rules[0].Destination.EncryptionConfiguration = &types.EncryptionConfiguration{}
	disabled := kmsReplication()
	disabled.Rules[0].SourceSelectionCriteria.SseKmsEncryptedObjects.Status = types.SseKmsEncryptedObjectsStatusDisabled
	disabled.Rules[0].Destination.EncryptionConfiguration = nil
	for _, tt := range []struct {
		name   string
		config *types.ReplicationConfiguration
		body   string
		code   string
	}{
		{name: "no EncryptionConfiguration", config: noKey, code: "InvalidRequest"},
		{name: "no ReplicaKmsKeyID", config: emptyKey, code: "InvalidRequest"},
		{name: "opted out", config: disabled},
		{name: "another status", code: "MalformedXML", body: replicationBody(replicaRole, "<Status>Enabled</Status>"+filterRule+
			"<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>On</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>"+destination)},
		{name: "an element S3 does not define", code: "MalformedXML", body: replicationBody(replicaRole, "<Status>Enabled</Status>"+filterRule+
			"<SourceSelectionCriteria><Everything><Status>Enabled</Status></Everything></SourceSelectionCriteria>"+destination)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newReplicationHarness(t)
			h.createUnversioned(t, "pm-src")
			h.setVersioning(t, "pm-src", types.BucketVersioningStatusEnabled)
			h.Reset()
			if tt.body != "" {
				if got := h.do(t, http.MethodPut, "/pm-src?replication", tt.body); got.Code != tt.code {
					t.Fatalf("answer %d %s, want %s", got.Status, got.Code, tt.code)
				}
			} else {
				err := h.putReplication(t, "pm-src", tt.config)
				if tt.code == "" {
					if err != nil {
						t.Fatalf("PutBucketReplication: %v", err)
					}
					return
				}
				layertest.ExpectCode(t, tt.name, err, tt.code)
				if err != nil && !strings.Contains(err.Error(), "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.") {
					t.Errorf("refusal %v does not say AWS's words", err)
				}
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
