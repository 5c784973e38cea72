package s3api

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/awsbehaviour"
)

func TestSplitParts(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name           string
		size, partSize int64
		wantParts      int
		wantPartSize   int64 // of every part but the last
	}{
		{"one short part", 3 * mib, 16 * mib, 1, 3 * mib},
		{"exactly two parts", 32 * mib, 16 * mib, 2, 16 * mib},
		{"a byte more", 32*mib + 1, 16 * mib, 3, 16 * mib},
		{"parts never under 5 MiB", 12 * mib, 1 * mib, 3, 5 * mib},
		// 4 TiB in 16 MiB parts would be 262,144 parts: the parts grow so that 10,000 hold it.
		{"never more than 10,000 parts", 4 << 40, 16 * mib, 10000, (4<<40 + maxParts - 1) / maxParts},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts := splitParts(c.size, c.partSize)
			if len(parts) != c.wantParts {
				t.Fatalf("%d parts, want %d", len(parts), c.wantParts)
			}
			var next int64
			for i, p := range parts {
				if p.Number != int32(i+1) || p.Offset != next {
					t.Fatalf("part %d = %+v: numbered or placed wrong (want number %d at %d)", i, p, i+1, next)
				}
				if i < len(parts)-1 && p.Size != c.wantPartSize {
					t.Fatalf("part %d is %d bytes, want %d", p.Number, p.Size, c.wantPartSize)
				}
				next += p.Size
			}
			if next != c.size {
				t.Fatalf("the parts cover %d bytes, want %d", next, c.size)
			}
		})
	}
}

// TestPutFileInParts writes files through the test proxy, with S3's own rules for multipart checksums on
// (awsbehaviour's behaviour 13), in front of SeaweedFS: a small file is one PutObject; a file above the limit
// is written in parts, with either checksum setting, and reads back byte for byte under the multipart ETag
// that HeadObject reports too (the one a Batch Operations job checks its manifest against). An upload whose
// part keeps failing is aborted: no parts are left in the bucket.
func TestPutFileInParts(t *testing.T) {
	srv, newBucket := startSeaweedFS(t) // skips without PROTECTEDMEDIA_WEED
	_, bucket := newBucket(t)
	layer := awsbehaviour.New(awsbehaviour.Options{})
	layer.EnforceMultipartChecksums()
	proxy, proxyURL := startProxy(t, srv, layer.Semantics())
	ctx := t.Context()
	limits := uploadLimits
	t.Cleanup(func() { uploadLimits = limits })
	uploadLimits.PutLimit, uploadLimits.PartSize = 1<<20, minPartSize

	dir := t.TempDir()
	file := func(size int) (*os.File, []byte) {
		body := make([]byte, size)
		if _, err := rand.Read(body); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, "manifest.csv")
		if err := os.WriteFile(name, body, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Close() })
		return f, body
	}
	check := func(c *Client, key, etag string, want []byte) {
		t.Helper()
		head, err := c.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(head.ETag) != etag {
			t.Errorf("%s: putFile answered ETag %s, HeadObject %s", key, etag, aws.ToString(head.ETag))
		}
		out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(out.Body)
		_ = out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s reads back %d bytes that differ from the %d written", key, len(got), len(want))
		}
	}

	for _, mode := range ChecksumModes() {
		t.Run(mode, func(t *testing.T) {
			c, err := New(ctx, Config{SkipBucketOwnerCheck: true, Endpoint: proxyURL, AccessKey: srv.AccessKey,
				SecretKey: srv.SecretKey, CABundle: srv.CAFile, Checksums: mode})
			if err != nil {
				t.Fatal(err)
			}
			f, body := file(100 << 10)
			proxy.ResetCounts()
			etag, err := putFile(ctx, c, bucket, "small-"+mode, f, int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			if n, m := proxy.Count("PutObject"), proxy.Count("CreateMultipartUpload"); n != 1 || m != 0 {
				t.Errorf("a file under the limit: %d PutObject, %d CreateMultipartUpload; want 1 and 0", n, m)
			}
			check(c, "small-"+mode, etag, body)

			f, body = file(2*minPartSize + 12345)
			proxy.ResetCounts()
			etag, err = putFile(ctx, c, bucket, "large-"+mode, f, int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			if n := proxy.Count("UploadPart"); n != 3 {
				t.Errorf("%d UploadPart requests, want 3", n)
			}
			if !strings.HasSuffix(strings.Trim(etag, `"`), "-3") {
				t.Errorf("ETag %s is not a 3-part upload's", etag)
			}
			check(c, "large-"+mode, etag, body)
		})
	}
	if n := layer.Refusals(); n != 0 {
		t.Errorf("the layer refused %d requests", n)
	}

	t.Run("a failing part aborts the upload", func(t *testing.T) {
		c, err := New(ctx, Config{SkipBucketOwnerCheck: true, Endpoint: proxyURL, AccessKey: srv.AccessKey,
			SecretKey: srv.SecretKey, CABundle: srv.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		defer proxy.Inject(s3proxy.Fault{Operation: "UploadPart", Status: 500, Code: "InternalError", Skip: 1}).Remove()
		f, body := file(3*minPartSize + 1)
		proxy.ResetCounts()
		// The fault answers before reading the part, so the SDK may see its upload cut short instead of the 500.
		if _, err := putFile(ctx, c, bucket, "failing", f, int64(len(body))); err == nil || !strings.Contains(err.Error(), "UploadPart") {
			t.Fatalf("putFile with a failing part: %v, want the part's failure", err)
		}
		if n := proxy.Count("AbortMultipartUpload"); n != 1 {
			t.Errorf("%d AbortMultipartUpload requests, want 1", n)
		}
		uploads, err := c.S3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		if len(uploads.Uploads) != 0 {
			t.Errorf("%d uploads left in the bucket after the failure", len(uploads.Uploads))
		}
	})
}
