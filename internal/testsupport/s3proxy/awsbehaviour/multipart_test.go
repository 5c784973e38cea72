package awsbehaviour

// Behaviour 13 in front of a real SeaweedFS, driven by the AWS SDK as aws-sdk-go-v2's feature/s3/manager
// drives a multipart upload; and first what SeaweedFS itself does with the same requests (the package
// comment relies on it).

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/layertest"
)

// clientFor returns an SDK client for endpoint (the proxy's or the server's) with the given checksum mode.
func (s *seaweed) clientFor(t *testing.T, ctx context.Context, endpoint, checksums string) *s3.Client {
	t.Helper()
	c, err := s3api.New(ctx, s3api.Config{SkipBucketOwnerCheck: true, Endpoint: endpoint, AccessKey: s.env.Server.AccessKey,
		SecretKey: s.env.Server.SecretKey, CABundle: s.env.Server.CAFile, Checksums: checksums})
	if err != nil {
		t.Fatal(err)
	}
	return c.S3
}

// multipartBody is an object of two parts as S3 takes them: the 5 MiB minimum, then a short last one.
func multipartBody() [][]byte {
	parts := [][]byte{make([]byte, 5<<20), make([]byte, 1000)}
	for _, p := range parts {
		_, _ = rand.Read(p)
	}
	return parts
}

// crc32Of is data's CRC32 as S3 writes it: base64 of the big-endian checksum.
func crc32Of(data []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)))
}

// multipart is one multipart upload, made step by step.
type multipart struct {
	c           *s3.Client
	bucket, key string
	id          string
}

// createUpload starts an upload with the given checksum algorithm ("" for none).
func createUpload(ctx context.Context, c *s3.Client, bucket, key string, alg types.ChecksumAlgorithm) (*multipart, error) {
	out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key, ChecksumAlgorithm: alg})
	if err != nil {
		return nil, err
	}
	return &multipart{c: c, bucket: bucket, key: key, id: aws.ToString(out.UploadId)}, nil
}

// upload sends the parts as the manager does: the algorithm on each (the client's default when ""), and
// keeps what each answer says for the completion.
func (m *multipart) upload(ctx context.Context, parts [][]byte, alg types.ChecksumAlgorithm) ([]types.CompletedPart, error) {
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := m.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id, PartNumber: &n,
			Body: bytes.NewReader(p), ChecksumAlgorithm: alg})
		if err != nil {
			return done, err
		}
		done = append(done, types.CompletedPart{PartNumber: &n, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	return done, nil
}

func (m *multipart) complete(ctx context.Context, parts []types.CompletedPart) error {
	_, err := m.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return err
}

func (m *multipart) abort(ctx context.Context) error {
	_, err := m.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id})
	return err
}

// messageOf is an S3 error's message, "" for another error.
func messageOf(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorMessage()
	}
	return ""
}

// expectObject checks that key reads back as the parts put together.
func expectObject(t *testing.T, ctx context.Context, c *s3.Client, bucket, key string, parts [][]byte) {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.Join(parts, nil); !bytes.Equal(got, want) {
		t.Errorf("%s reads back %d bytes, not the %d uploaded", key, len(got), len(want))
	}
}

func TestMultipartChecksumsWithSeaweedFS(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), seaweedTimeout)
	defer cancel()
	s := startSeaweed(t, ctx)
	bucket := s.newBucket(t, ctx, "mpu")
	parts := multipartBody()
	supported := s.clientFor(t, ctx, s.env.ProxyURL, s3api.ChecksumsWhenSupported)
	required := s.clientFor(t, ctx, s.env.ProxyURL, s3api.ChecksumsWhenRequired)

	t.Run("SeaweedFS", func(t *testing.T) {
		direct := s.clientFor(t, ctx, s.env.Server.Endpoint, s3api.ChecksumsWhenSupported)
		// The manager's path with when_supported: CRC32 named on the upload and on every part, each part's
		// CRC32 listed in the completion.
		m, err := createUpload(ctx, direct, bucket, "seaweed-crc32", types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatalf("SeaweedFS refuses CreateMultipartUpload with x-amz-checksum-algorithm CRC32: %v", err)
		}
		done, err := m.upload(ctx, parts, types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatalf("SeaweedFS refuses UploadPart with a CRC32 trailer: %v", err)
		}
		for i, p := range done {
			if got, want := aws.ToString(p.ChecksumCRC32), crc32Of(parts[i]); got != want {
				t.Errorf("SeaweedFS answers UploadPart %d with ChecksumCRC32 %q, want %q", i+1, got, want)
			}
		}
		if err := m.complete(ctx, done); err != nil {
			t.Fatalf("SeaweedFS refuses CompleteMultipartUpload listing ChecksumCRC32: %v", err)
		}
		expectObject(t, ctx, direct, bucket, "seaweed-crc32", parts)

		// A part of another type than its upload's, which AWS refuses: SeaweedFS takes it.
		m, err = createUpload(ctx, direct, bucket, "seaweed-mismatch", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.upload(ctx, parts[:1], ""); err != nil {
			t.Errorf("SeaweedFS now refuses a CRC32 part of an upload created without an algorithm (%+v %q): "+
				"the layer's check may duplicate it", refusalOf(err), messageOf(err))
		}
		if err := m.abort(ctx); err != nil {
			t.Fatal(err)
		}

		// A completion without the parts' checksums on an upload created with CRC32: SeaweedFS refuses it
		// too, as AWS does, with another message.
		m, err = createUpload(ctx, direct, bucket, "seaweed-nochecksum", types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatal(err)
		}
		done, err = m.upload(ctx, parts, types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatal(err)
		}
		done[1].ChecksumCRC32 = nil
		err = m.complete(ctx, done)
		t.Logf("SeaweedFS answers a completion of a CRC32 upload without part 2's checksum: %+v %q", refusalOf(err), messageOf(err))
		if got := refusalOf(err); got != (refusal{http.StatusBadRequest, "InvalidRequest"}) {
			t.Errorf("SeaweedFS answers a completion of a CRC32 upload without part 2's checksum %+v %q, want 400 InvalidRequest",
				got, messageOf(err))
		}
		_ = m.abort(ctx)
	})

	t.Run("Off", func(t *testing.T) {
		// Case (a) with the behaviour off: forwarded, and SeaweedFS answers.
		before := s.layer.Refusals()
		m, err := createUpload(ctx, supported, bucket, "off-mismatch", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.upload(ctx, parts[:1], ""); err != nil {
			t.Errorf("behaviour off, a CRC32 part of an upload created without an algorithm: %+v %q, want SeaweedFS's 200",
				refusalOf(err), messageOf(err))
		}
		if s.layer.Refusals() != before {
			t.Errorf("the layer refused %d requests with the behaviour off", s.layer.Refusals()-before)
		}
		_ = m.abort(ctx)
	})

	s.layer.EnforceMultipartChecksums()

	t.Run("PartOfAnotherType", func(t *testing.T) { // (a)
		m, err := createUpload(ctx, supported, bucket, "mismatch", "")
		if err != nil {
			t.Fatal(err)
		}
		before := s.layer.Refusals()
		_, err = m.upload(ctx, parts[:1], "") // the SDK's default: CRC32
		const want = "Checksum Type mismatch occurred, expected checksum Type: null, actual checksum Type: crc32"
		if got := refusalOf(err); got != (refusal{http.StatusBadRequest, "InvalidRequest"}) || messageOf(err) != want {
			t.Errorf("a CRC32 part of an upload created without an algorithm: %+v %q, want 400 InvalidRequest %q", got, messageOf(err), want)
		}
		if s.layer.Refusals() != before+1 {
			t.Errorf("the layer refused %d requests, want 1: the part reached the server", s.layer.Refusals()-before)
		}
		if err := m.abort(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("CRC32Throughout", func(t *testing.T) { // (b)
		m, err := createUpload(ctx, supported, bucket, "crc32", types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatal(err)
		}
		done, err := m.upload(ctx, parts, types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatalf("UploadPart with CRC32 on a CRC32 upload: %v", err)
		}
		if err := m.complete(ctx, done); err != nil {
			t.Fatalf("CompleteMultipartUpload listing each part's ChecksumCRC32: %v", err)
		}
		expectObject(t, ctx, supported, bucket, "crc32", parts)
	})

	t.Run("CompletionWithoutAPartsChecksum", func(t *testing.T) { // (c)
		m, err := createUpload(ctx, supported, bucket, "partial", types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatal(err)
		}
		done, err := m.upload(ctx, parts, types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatal(err)
		}
		done[1].ChecksumCRC32 = nil
		before := s.layer.Refusals()
		err = m.complete(ctx, done)
		const want = "The upload was created using a crc32 checksum. The complete request must include the checksum for each part. " +
			"It was missing for part 2 in the request."
		if got := refusalOf(err); got != (refusal{http.StatusBadRequest, "InvalidRequest"}) || messageOf(err) != want {
			t.Errorf("a completion without part 2's checksum: %+v %q, want 400 InvalidRequest %q", got, messageOf(err), want)
		}
		if s.layer.Refusals() != before+1 {
			t.Errorf("the layer refused %d requests, want 1", s.layer.Refusals()-before)
		}
		// The upload is still there: a completion with every checksum goes through.
		done, err = m.upload(ctx, parts, types.ChecksumAlgorithmCrc32)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.complete(ctx, done); err != nil {
			t.Fatalf("the completion with every part's checksum: %v", err)
		}
		expectObject(t, ctx, supported, bucket, "partial", parts)
	})

	t.Run("NoChecksumsWhenRequired", func(t *testing.T) { // (d)
		m, err := createUpload(ctx, required, bucket, "plain", "")
		if err != nil {
			t.Fatal(err)
		}
		done, err := m.upload(ctx, parts, "")
		if err != nil {
			t.Fatalf("UploadPart without a checksum on an upload without an algorithm: %v", err)
		}
		if err := m.complete(ctx, done); err != nil {
			t.Fatal(err)
		}
		expectObject(t, ctx, required, bucket, "plain", parts)
	})
}

// completeBody is a CompleteMultipartUpload document as the SDK writes it, of parts numbered from 1, each
// with an ETag and, when checksums[i] is not "", its Checksum<ALGORITHM> element.
func completeBody(algorithm string, checksums ...string) string {
	b := `<CompleteMultipartUpload xmlns="` + layertest.S3NS + `">`
	for i, c := range checksums {
		b += "<Part>"
		if c != "" {
			b += "<Checksum" + strings.ToUpper(algorithm) + ">" + c + "</Checksum" + strings.ToUpper(algorithm) + ">"
		}
		b += `<ETag>"e` + strconv.Itoa(i+1) + `"</ETag><PartNumber>` + strconv.Itoa(i+1) + "</PartNumber></Part>"
	}
	return b + "</CompleteMultipartUpload>"
}

// expectMessage checks an answer's error code and message.
func expectMessage(t *testing.T, got reply, code, message string) {
	t.Helper()
	var doc struct{ Code, Message string }
	if err := xml.Unmarshal(got.Body, &doc); err != nil || doc.Code != code || doc.Message != message {
		t.Errorf("answer %d %s, want %s %q", got.Status, got.Body, code, message)
	}
}

func TestEnforceMultipartChecksums(t *testing.T) {
	h := newHarness(t)
	h.layer.EnforceMultipartChecksums()
	const object = "/pm-media/big.bin"
	part := object + "?partNumber=1&uploadId=" + upstreamUploadID
	upload := object + "?uploadId=" + upstreamUploadID
	create := func(kv ...string) {
		t.Helper()
		got := h.send(t, request{method: http.MethodPost, target: object + "?uploads", header: signed(kv...)})
		if !strings.Contains(string(got.Body), "<UploadId>"+upstreamUploadID+"</UploadId>") {
			t.Errorf("CreateMultipartUpload's answer lost its UploadId: %s", got.Body)
		}
		h.ExpectForwarded(t, got, http.StatusOK)
	}
	sendPart := func(kv ...string) reply {
		t.Helper()
		return h.send(t, request{method: http.MethodPut, target: part, header: signed(kv...), body: "part"})
	}
	mismatch := func(expected, actual string) string {
		return "Checksum Type mismatch occurred, expected checksum Type: " + expected + ", actual checksum Type: " + actual
	}

	// An upload created with CRC32: each way of naming a part's checksum type.
	create(headerChecksumAlgorithm, "CRC32")
	for _, c := range []struct {
		header []string
		actual string // "" = the part passes
	}{
		{[]string{headerSDKChecksumAlgorithm, "CRC32", "X-Amz-Checksum-Crc32", "AAAAAA=="}, ""},
		{[]string{"X-Amz-Checksum-Crc32", "AAAAAA=="}, ""},
		{[]string{headerTrailer, "x-amz-checksum-crc32", "Content-Encoding", "aws-chunked"}, ""},
		{[]string{headerSDKChecksumAlgorithm, "CRC32C"}, "crc32c"},
		{[]string{"X-Amz-Checksum-Sha256", "Gy+ntJ0qfWk+w9o7XUbDRHFfm2is2lK7mooEHCuNl3E="}, "sha256"},
		{[]string{headerTrailer, "x-amz-checksum-crc64nvme"}, "crc64nvme"},
		{nil, "null"},
	} {
		got := sendPart(c.header...)
		if c.actual == "" {
			h.ExpectForwarded(t, got, http.StatusOK)
			continue
		}
		h.expectRefused(t, got, http.StatusBadRequest, "InvalidRequest")
		expectMessage(t, got, "InvalidRequest", mismatch("crc32", c.actual))
	}
	// Parts of uploads the layer did not see created, and copies, pass.
	h.ExpectForwarded(t, h.do(t, http.MethodPut, object+"?partNumber=1&uploadId=other", "part"), http.StatusOK)
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media/other.bin?partNumber=1&uploadId="+upstreamUploadID, "part"), http.StatusOK)
	h.ExpectForwarded(t, h.send(t, request{method: http.MethodPut, target: part, header: signed("X-Amz-Copy-Source", "/pm-media/a.jpg")}), http.StatusOK)

	// The completion must list every part's CRC32.
	for _, c := range []struct {
		body, missing string
	}{
		{completeBody("crc32", "", "AAAAAA=="), "1"},
		{completeBody("crc32", "AAAAAA==", ""), "2"},
		{completeBody("crc32c", "AAAAAA==", "AAAAAA=="), "1"}, // another algorithm's checksums
		{strings.Replace(completeBody("crc32", "AAAAAA==", "AAAAAA=="), "AAAAAA==", " ", 1), "1"},
	} {
		got := h.do(t, http.MethodPost, upload, c.body)
		h.expectRefused(t, got, http.StatusBadRequest, "InvalidRequest")
		expectMessage(t, got, "InvalidRequest", "The upload was created using a crc32 checksum. The complete request must "+
			"include the checksum for each part. It was missing for part "+c.missing+" in the request.")
	}
	// What cannot be read as the document is the server's to answer.
	h.ExpectForwarded(t, h.do(t, http.MethodPost, upload, "<CompleteMultipartUpload><Part>"), http.StatusOK)
	// A complete list passes as sent, and the upload is forgotten once completed.
	h.expectUntouched(t, request{method: http.MethodPost, target: upload, body: completeBody("crc32", "AAAAAA==", "AAAAAA==")})
	h.ExpectForwarded(t, sendPart(), http.StatusOK)

	// An upload created without an algorithm takes only parts without a checksum, and completes without.
	create()
	h.ExpectForwarded(t, sendPart(), http.StatusOK)
	got := sendPart(headerTrailer, "x-amz-checksum-crc32")
	h.expectRefused(t, got, http.StatusBadRequest, "InvalidRequest")
	expectMessage(t, got, "InvalidRequest", mismatch("null", "crc32"))
	h.ExpectForwarded(t, h.do(t, http.MethodPost, upload, completeBody("crc32", "", "")), http.StatusOK)

	// AbortMultipartUpload forgets the upload; a failed one does not.
	create(headerChecksumAlgorithm, "SHA256")
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
	})
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, upload, ""), http.StatusForbidden)
	h.SetAnswer(nil)
	h.expectRefused(t, sendPart(), http.StatusBadRequest, "InvalidRequest")
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, upload, ""), http.StatusNoContent)
	h.ExpectForwarded(t, sendPart(), http.StatusOK)

	// A CreateMultipartUpload the server refuses teaches nothing.
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		s3proxy.WriteError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
	})
	h.ExpectForwarded(t, h.send(t, request{method: http.MethodPost, target: object + "?uploads", header: signed(headerChecksumAlgorithm, "CRC32")}),
		http.StatusForbidden)
	h.SetAnswer(nil)
	h.ExpectForwarded(t, sendPart(), http.StatusOK)

	// A FULL_OBJECT upload takes parts without a checksum and completes without them, but not parts of
	// another type.
	create(headerChecksumAlgorithm, "CRC32", headerChecksumType, "FULL_OBJECT")
	h.ExpectForwarded(t, sendPart(), http.StatusOK)
	h.expectRefused(t, sendPart(headerSDKChecksumAlgorithm, "SHA1"), http.StatusBadRequest, "InvalidRequest")
	h.ExpectForwarded(t, h.do(t, http.MethodPost, upload, completeBody("crc32", "", "")), http.StatusOK)

	// DeleteBucket forgets the bucket's uploads.
	create(headerChecksumAlgorithm, "CRC32")
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-media", ""), http.StatusNoContent)
	h.ExpectForwarded(t, sendPart(), http.StatusOK)

	if n := h.layer.Refusals(); n != 11 { // 4 parts and 4 completions of the CRC32 upload, 1 part each of the next three
		t.Errorf("Refusals %d, want 11", n)
	}
}
