package awsbehaviour

import (
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// getEncryption reads the bucket's encryption through the proxy; the request always reaches the server.
func (h *harness) getEncryption(t *testing.T, bucket string) (reply, Encryption) {
	t.Helper()
	got := h.do(t, http.MethodGet, "/"+bucket+"?encryption", "")
	if got.Status != http.StatusOK {
		return got, Encryption{}
	}
	c, err := parseEncryption(got.Body)
	if err != nil || len(c.Rules) != 1 {
		t.Fatalf("GetBucketEncryption answer %s: %v", got.Body, err)
	}
	rule := c.Rules[0]
	e := Encryption{Algorithm: rule.Default.SSEAlgorithm, KMSMasterKeyID: rule.Default.KMSMasterKeyID}
	if rule.BucketKeyEnabled == nil {
		t.Errorf("answer %s has no BucketKeyEnabled", got.Body)
	} else {
		e.BucketKeyEnabled = *rule.BucketKeyEnabled
	}
	if rule.Blocked != nil {
		e.BlockedEncryptionTypes = rule.Blocked.EncryptionType
	}
	return got, e
}

func encryptionBody(algorithm, kmsKey, blocked string, bucketKey *bool) string {
	b := `<ServerSideEncryptionConfiguration xmlns="` + layertest.S3NS + `"><Rule><ApplyServerSideEncryptionByDefault>` +
		`<SSEAlgorithm>` + algorithm + `</SSEAlgorithm>`
	if kmsKey != "" {
		b += `<KMSMasterKeyID>` + kmsKey + `</KMSMasterKeyID>`
	}
	b += `</ApplyServerSideEncryptionByDefault>`
	if blocked != "" {
		b += `<BlockedEncryptionTypes><EncryptionType>` + blocked + `</EncryptionType></BlockedEncryptionTypes>`
	}
	if bucketKey != nil {
		if *bucketKey {
			b += `<BucketKeyEnabled>true</BucketKeyEnabled>`
		} else {
			b += `<BucketKeyEnabled>false</BucketKeyEnabled>`
		}
	}
	return b + `</Rule></ServerSideEncryptionConfiguration>`
}

func TestDefaultEncryptionOfANewBucket(t *testing.T) {
	h := newHarness(t)
	h.layer.EnableDefaultEncryption()
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media", ""), http.StatusOK)

	got, e := h.getEncryption(t, "pm-media")
	h.ExpectForwarded(t, got, http.StatusOK)
	if want := DefaultEncryption(); !reflect.DeepEqual(e, want) {
		t.Errorf("encryption %+v, want %+v", e, want)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ServerSideEncryptionConfiguration xmlns="` + layertest.S3NS + `"><Rule>` +
		`<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>` +
		`<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>` +
		`<BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`
	if string(got.Body) != want {
		t.Errorf("body\n%s\nwant\n%s", got.Body, want)
	}

	// A bucket the layer did not see created is the server's.
	got = h.do(t, http.MethodGet, "/pm-old?encryption", "")
	h.ExpectForwarded(t, got, http.StatusNotFound)
	if got.Code != "ServerSideEncryptionConfigurationNotFoundError" {
		t.Errorf("code %s", got.Code)
	}
	// A failed create records nothing.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusConflict, "BucketAlreadyExists", "taken")
	})
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-taken", ""), http.StatusConflict)
	h.SetAnswer(nil)
	h.ExpectForwarded(t, h.do(t, http.MethodGet, "/pm-taken?encryption", ""), http.StatusNotFound)
	// Server errors other than "no configuration" pass.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchBucket", "gone")
	})
	got = h.do(t, http.MethodGet, "/pm-media?encryption", "")
	h.ExpectForwarded(t, got, http.StatusNotFound)
	if got.Code != "NoSuchBucket" {
		t.Errorf("code %s", got.Code)
	}
	h.SetAnswer(nil)

	// DeleteBucket forgets the bucket.
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-media", ""), http.StatusNoContent)
	h.ExpectForwarded(t, h.do(t, http.MethodGet, "/pm-media?encryption", ""), http.StatusNotFound)
}

func TestDefaultEncryptionOfABucketCreatedBeforeTheBehaviour(t *testing.T) {
	h := newHarness(t)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media", ""), http.StatusOK)
	// Off: the server's answer.
	h.ExpectForwarded(t, h.do(t, http.MethodGet, "/pm-media?encryption", ""), http.StatusNotFound)
	h.layer.EnableDefaultEncryption()
	got, e := h.getEncryption(t, "pm-media")
	h.ExpectForwarded(t, got, http.StatusOK)
	if !reflect.DeepEqual(e, DefaultEncryption()) {
		t.Errorf("encryption %+v", e)
	}
}

func TestPutBucketEncryptionIsKept(t *testing.T) {
	h := newHarness(t)
	h.layer.EnableDefaultEncryption()
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media", ""), http.StatusOK)
	yes, no := true, false

	// SSE-C allowed again, with a KMS key and a bucket key.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("aws:kms", "arn:aws:kms:us-east-1:123456789012:key/k", "NONE", &yes)), http.StatusOK)
	got, e := h.getEncryption(t, "pm-media")
	h.ExpectForwarded(t, got, http.StatusOK)
	if want := (Encryption{Algorithm: "aws:kms", KMSMasterKeyID: "arn:aws:kms:us-east-1:123456789012:key/k", BucketKeyEnabled: true,
		BlockedEncryptionTypes: []string{"NONE"}}); !reflect.DeepEqual(e, want) {
		t.Errorf("encryption %+v, want %+v", e, want)
	}

	// Without BlockedEncryptionTypes the blocked types stay; without BucketKeyEnabled it is off.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("AES256", "", "", nil)), http.StatusOK)
	got, e = h.getEncryption(t, "pm-media")
	h.ExpectForwarded(t, got, http.StatusOK)
	if want := (Encryption{Algorithm: "AES256", BlockedEncryptionTypes: []string{"NONE"}}); !reflect.DeepEqual(e, want) {
		t.Errorf("encryption %+v, want %+v", e, want)
	}

	// The server's acceptance counts: a refused configuration changes nothing.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusBadRequest, "InvalidEncryptionAlgorithmError", "no")
	})
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("aws:kms:dsse", "", "SSE-C", &no)), http.StatusBadRequest)
	h.SetAnswer(nil)
	_, e = h.getEncryption(t, "pm-media")
	h.Reset()
	if e.Algorithm != "AES256" {
		t.Errorf("algorithm %s after a refused put", e.Algorithm)
	}

	// On a bucket the layer did not know, a put makes it known.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-old?encryption", encryptionBody("AES256", "", "", &no)), http.StatusOK)
	got, e = h.getEncryption(t, "pm-old")
	h.ExpectForwarded(t, got, http.StatusOK)
	if want := (Encryption{Algorithm: "AES256"}); !reflect.DeepEqual(e, want) {
		t.Errorf("encryption %+v, want %+v", e, want)
	}
	// Unreadable: the server's to refuse.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", "not xml"), http.StatusOK)
}

func TestDeleteBucketEncryptionReturnsToTheDefault(t *testing.T) {
	h := newHarness(t)
	h.layer.SetEncryption("pm-media", Encryption{Algorithm: "aws:kms", KMSMasterKeyID: "k", BucketKeyEnabled: true, BlockedEncryptionTypes: []string{"NONE"}})
	_, e := h.getEncryption(t, "pm-media")
	h.Reset()
	if e.KMSMasterKeyID != "k" || !e.BucketKeyEnabled {
		t.Fatalf("out-of-band encryption not reported: %+v", e)
	}

	// The server has no configuration (SeaweedFS: 404): AWS always has one, so 204.
	got := h.do(t, http.MethodDelete, "/pm-media?encryption", "")
	h.ExpectForwarded(t, got, http.StatusNoContent)
	if len(got.Body) != 0 {
		t.Errorf("204 with a body: %s", got.Body)
	}
	_, e = h.getEncryption(t, "pm-media")
	h.Reset()
	if want := DefaultEncryption(); !reflect.DeepEqual(e, want) {
		t.Errorf("encryption %+v after delete, want %+v", e, want)
	}

	// Other errors pass and change nothing.
	h.layer.SetEncryption("pm-media", Encryption{Algorithm: "aws:kms"})
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusNotFound, "NoSuchBucket", "gone")
	})
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-media?encryption", ""), http.StatusNotFound)
	h.SetAnswer(nil)
	_, e = h.getEncryption(t, "pm-media")
	h.Reset()
	if e.Algorithm != "aws:kms" {
		t.Errorf("algorithm %s after a failed delete", e.Algorithm)
	}

	// A bucket the layer does not know: the server's answer.
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-old?encryption", ""), http.StatusNotFound)
}

func TestBlockedSSEC(t *testing.T) {
	h := newHarness(t)
	h.layer.EnableDefaultEncryption()
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media", ""), http.StatusOK)
	ssec := signed(sseCustomerAlgorithm, "AES256", "X-Amz-Server-Side-Encryption-Customer-Key", "a2V5", "X-Amz-Server-Side-Encryption-Customer-Key-Md5", "bWQ1")

	for _, q := range []request{
		{method: http.MethodPut, target: "/pm-media/a.jpg", header: ssec, body: "x"},
		{method: http.MethodPost, target: "/pm-media/big.bin?uploads", header: ssec},
	} {
		h.expectRefused(t, h.send(t, q), http.StatusForbidden, "AccessDenied")
	}
	copyHeader := signed(sseCustomerAlgorithm, "AES256", "X-Amz-Copy-Source", "/pm-media/b.jpg")
	h.expectRefused(t, h.send(t, request{method: http.MethodPut, target: "/pm-media/a.jpg", header: copyHeader}), http.StatusForbidden, "AccessDenied")
	// Without SSE-C, and on a bucket the layer does not know, writes pass.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media/a.jpg", "x"), http.StatusOK)
	h.ExpectForwarded(t, h.send(t, request{method: http.MethodPut, target: "/pm-old/a.jpg", header: ssec, body: "x"}), http.StatusOK)

	// Unblocked.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?encryption", encryptionBody("AES256", "", "NONE", nil)), http.StatusOK)
	h.ExpectForwarded(t, h.send(t, request{method: http.MethodPut, target: "/pm-media/a.jpg", header: ssec, body: "x"}), http.StatusOK)
}

func TestEncryptionAnswerReplacesTheServersHeaders(t *testing.T) {
	h := newHarness(t)
	h.layer.SetEncryption("pm-media", DefaultEncryption())
	// SeaweedFS answers its own configuration, without a namespace and with its own length.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = io.WriteString(w, `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>`+
			`</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`)
	})
	got, e := h.getEncryption(t, "pm-media")
	h.ExpectForwarded(t, got, http.StatusOK)
	if !reflect.DeepEqual(e, DefaultEncryption()) {
		t.Errorf("encryption %+v", e)
	}
}
