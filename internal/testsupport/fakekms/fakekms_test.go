package fakekms

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

const testKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// call sends one KMS request as the JSON protocol does and decodes the answer into out.
func call(t *testing.T, s *Server, op string, in, out any) (status int, errType string) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e kmsError
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Type
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, ""
}

type dataKeyAnswer struct {
	KeyID          string `json:"KeyId"`
	Plaintext      []byte
	CiphertextBlob []byte
}

func TestDataKeysRoundTrip(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	s.AddKey(testKey)
	context := map[string]string{"aws:s3:arn": "arn:aws:s3:::pm-media"}

	var dk dataKeyAnswer
	// By key ID: the answer names the key ARN, as KMS does.
	if st, e := call(t, s, OpGenerateDataKey, map[string]any{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "KeySpec": "AES_256", "EncryptionContext": context}, &dk); st != http.StatusOK {
		t.Fatalf("GenerateDataKey: %d %s", st, e)
	}
	if dk.KeyID != testKey || len(dk.Plaintext) != 32 || len(dk.CiphertextBlob) == 0 {
		t.Fatalf("GenerateDataKey answered key %q, %d bytes of plaintext, %d of ciphertext", dk.KeyID, len(dk.Plaintext), len(dk.CiphertextBlob))
	}
	var plain dataKeyAnswer
	if st, e := call(t, s, OpDecrypt, map[string]any{"CiphertextBlob": dk.CiphertextBlob, "EncryptionContext": context}, &plain); st != http.StatusOK ||
		plain.KeyID != testKey || !bytes.Equal(plain.Plaintext, dk.Plaintext) {
		t.Errorf("Decrypt: %d %s, key %q, plaintext equal %t", st, e, plain.KeyID, bytes.Equal(plain.Plaintext, dk.Plaintext))
	}
	// Another context, another key, an unknown key, a disabled key: refused as KMS refuses them.
	for _, tt := range []struct {
		name, op string
		in       map[string]any
		want     string
	}{
		{"another context", OpDecrypt, map[string]any{"CiphertextBlob": dk.CiphertextBlob, "EncryptionContext": map[string]string{"aws:s3:arn": "arn:aws:s3:::other"}}, "InvalidCiphertextException"},
		{"another key", OpDecrypt, map[string]any{"CiphertextBlob": dk.CiphertextBlob, "KeyId": "arn:aws:kms:us-east-1:123456789012:key/other", "EncryptionContext": context}, "IncorrectKeyException"},
		{"unknown key", OpGenerateDataKey, map[string]any{"KeyId": "arn:aws:kms:us-east-1:123456789012:key/other", "KeySpec": "AES_256"}, "NotFoundException"},
		{"no key spec", OpGenerateDataKey, map[string]any{"KeyId": testKey}, "ValidationException"},
	} {
		if st, e := call(t, s, tt.op, tt.in, &dataKeyAnswer{}); st != http.StatusBadRequest || e != tt.want {
			t.Errorf("%s: %d %s, want 400 %s", tt.name, st, e, tt.want)
		}
	}
	s.DisableKey(testKey)
	if st, e := call(t, s, OpDecrypt, map[string]any{"CiphertextBlob": dk.CiphertextBlob, "EncryptionContext": context}, &plain); st != http.StatusBadRequest || e != "DisabledException" {
		t.Errorf("Decrypt under a disabled key: %d %s", st, e)
	}
	if got := s.CallsFor(testKey); len(got) < 3 || got[0].Operation != OpGenerateDataKey || got[0].Context["aws:s3:arn"] != "arn:aws:s3:::pm-media" {
		t.Errorf("calls recorded for the key: %+v", got)
	}
}
