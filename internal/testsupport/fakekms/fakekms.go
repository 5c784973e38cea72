// Package fakekms is test support: an AWS KMS endpoint holding symmetric keys in memory, speaking the
// JSON protocol of the three operations an S3 server needs for SSE-KMS (GenerateDataKey, Decrypt and
// DescribeKey). SeaweedFS's "aws" KMS provider pointed at it encrypts objects under key ARNs as S3 does on
// AWS, which its own local provider cannot (it refuses key IDs with a colon), and tests can see which key
// each data key came from.
//
// It follows the AWS KMS API Reference where S3 depends on it: GenerateDataKey answers the key ARN of the
// key that encrypted the data key (KeyId), whatever identifier the request used; Decrypt needs the same
// encryption context the data key was made with (InvalidCiphertextException otherwise) and answers the key
// ARN; a key that does not exist answers 400 NotFoundException, a disabled key 400 DisabledException.
//
// What it does not do: it checks no credentials, signatures or key policies. The S3 server calls it with
// its own credentials, never the caller's, so nothing a test does here shows whether an IAM principal may
// use a key.
package fakekms

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Operations as the X-Amz-Target header names them (service TrentService).
const (
	OpGenerateDataKey = "GenerateDataKey"
	OpDecrypt         = "Decrypt"
	OpDescribeKey     = "DescribeKey"
)

// Call is one request the server answered.
type Call struct {
	Operation string
	// KeyARN is the key the request used, resolved; "" when it named no key the server has.
	KeyARN string
	// Context is the request's encryption context.
	Context map[string]string
	// Err is the error code answered, "" for success.
	Err string
}

// Server is a running fake KMS endpoint; safe for concurrent use.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:<port>.
	URL string

	mu       sync.Mutex
	keys     map[string]*key // by key ARN
	dataKeys map[string]dataKey
	calls    []Call
	hs       *http.Server
}

type key struct {
	arn      string
	disabled bool
}

// dataKey is what a ciphertext blob stands for: the server keeps the plaintext rather than encrypting it.
type dataKey struct {
	keyARN    string
	plaintext []byte
	context   map[string]string
}

// Start serves a fake KMS on a free loopback port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakekms: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), keys: make(map[string]*key), dataKeys: make(map[string]dataKey)}
	s.hs = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 30 * time.Second}
	go func() {
		// Serve returns http.ErrServerClosed once Close closes it; any other failure shows up as failed
		// requests in the tests.
		_ = s.hs.Serve(ln)
	}()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.hs.Close() }

// AddKey creates an enabled symmetric key with this ARN (arn:<partition>:kms:<region>:<account>:key/<id>);
// adding one that exists enables it again.
func (s *Server) AddKey(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[arn] = &key{arn: arn}
}

// DisableKey disables a key: KMS then refuses it for new data keys and for decrypting old ones.
func (s *Server) DisableKey(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[arn]; ok {
		k.disabled = true
	}
}

// Calls returns the requests answered so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsFor returns the requests answered so far that used the key keyARN.
func (s *Server) CallsFor(keyARN string) []Call {
	return slices.DeleteFunc(s.Calls(), func(c Call) bool { return c.KeyARN != keyARN })
}

// kmsError is an error of the KMS API: the JSON protocol puts its code in __type.
type kmsError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if r.Method != http.MethodPost || !ok {
		answer(w, http.StatusBadRequest, kmsError{Type: "UnknownOperationException", Message: "not a KMS request"})
		return
	}
	var in struct {
		KeyID             string `json:"KeyId"`
		KeySpec           string
		NumberOfBytes     int
		CiphertextBlob    []byte // base64 in JSON, as the protocol sends blobs
		EncryptionContext map[string]string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		answer(w, http.StatusBadRequest, kmsError{Type: "SerializationException", Message: err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	call := Call{Operation: op, Context: maps.Clone(in.EncryptionContext)}
	var out any
	var fail *kmsError
	switch op {
	case OpGenerateDataKey:
		out, call.KeyARN, fail = s.generateDataKey(in.KeyID, in.KeySpec, in.NumberOfBytes, in.EncryptionContext)
	case OpDecrypt:
		out, call.KeyARN, fail = s.decrypt(in.CiphertextBlob, in.KeyID, in.EncryptionContext)
	case OpDescribeKey:
		out, call.KeyARN, fail = s.describeKey(in.KeyID)
	default:
		fail = &kmsError{Type: "UnknownOperationException", Message: op + " is not supported by the fake KMS"}
	}
	if fail != nil {
		call.Err = fail.Type
		s.calls = append(s.calls, call)
		answer(w, http.StatusBadRequest, fail)
		return
	}
	s.calls = append(s.calls, call)
	answer(w, http.StatusOK, out)
}

func answer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body) // the client is gone if this fails
}

// resolve finds a key by its ARN or its ID; s.mu must be held.
func (s *Server) resolve(id string) (*key, *kmsError) {
	if k, ok := s.keys[id]; ok {
		return k, nil
	}
	for _, k := range s.keys {
		if strings.HasSuffix(k.arn, ":key/"+id) {
			return k, nil
		}
	}
	return nil, &kmsError{Type: "NotFoundException", Message: fmt.Sprintf("Key '%s' does not exist", id)}
}

func (s *Server) usable(id string) (*key, *kmsError) {
	k, fail := s.resolve(id)
	if fail == nil && k.disabled {
		return k, &kmsError{Type: "DisabledException", Message: k.arn + " is disabled."}
	}
	return k, fail
}

func (s *Server) generateDataKey(id, spec string, n int, context map[string]string) (any, string, *kmsError) {
	k, fail := s.usable(id)
	if k == nil {
		return nil, "", fail
	}
	if fail != nil {
		return nil, k.arn, fail
	}
	switch {
	case spec == "AES_256" && n == 0:
		n = 32
	case spec == "AES_128" && n == 0:
		n = 16
	case spec != "" || n < 1 || n > 1024:
		return nil, k.arn, &kmsError{Type: "ValidationException", Message: "give KeySpec AES_256 or AES_128, or NumberOfBytes from 1 to 1024"}
	}
	plaintext := random(n)
	blob := random(64)
	s.dataKeys[string(blob)] = dataKey{keyARN: k.arn, plaintext: plaintext, context: maps.Clone(context)}
	return struct {
		KeyID          string `json:"KeyId"`
		Plaintext      []byte
		CiphertextBlob []byte
	}{k.arn, plaintext, blob}, k.arn, nil
}

func (s *Server) decrypt(blob []byte, id string, context map[string]string) (any, string, *kmsError) {
	d, ok := s.dataKeys[string(blob)]
	if !ok {
		return nil, "", &kmsError{Type: "InvalidCiphertextException", Message: "the ciphertext is not one this KMS made"}
	}
	if id != "" {
		if k, fail := s.resolve(id); fail != nil || k.arn != d.keyARN {
			return nil, d.keyARN, &kmsError{Type: "IncorrectKeyException", Message: "the ciphertext was not encrypted under " + id}
		}
	}
	if _, fail := s.usable(d.keyARN); fail != nil {
		return nil, d.keyARN, fail
	}
	if !maps.Equal(d.context, context) {
		return nil, d.keyARN, &kmsError{Type: "InvalidCiphertextException", Message: "the encryption context does not match"}
	}
	return struct {
		KeyID               string `json:"KeyId"`
		Plaintext           []byte
		EncryptionAlgorithm string
	}{d.keyARN, d.plaintext, "SYMMETRIC_DEFAULT"}, d.keyARN, nil
}

func (s *Server) describeKey(id string) (any, string, *kmsError) {
	k, fail := s.resolve(id)
	if fail != nil {
		return nil, "", fail
	}
	state := "Enabled"
	if k.disabled {
		state = "Disabled"
	}
	type metadata struct {
		KeyID       string `json:"KeyId"`
		Arn         string
		Enabled     bool
		KeyState    string
		KeyUsage    string
		KeySpec     string
		Origin      string
		KeyManager  string
		Description string
	}
	return struct{ KeyMetadata metadata }{metadata{
		KeyID: k.arn[strings.LastIndex(k.arn, "/")+1:], Arn: k.arn, Enabled: !k.disabled, KeyState: state,
		KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS", KeyManager: "CUSTOMER",
	}}, k.arn, nil
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return b
}
