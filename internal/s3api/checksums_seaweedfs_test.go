package s3api

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/checksumrefusal"
)

// TestChecksumsAgainstAServiceThatRefusesThem runs uploads, downloads and a restore through the test proxy
// with a layer that refuses the SDK's default checksum headers as Backblaze B2 does, in front of SeaweedFS
// over HTTPS (where the SDK's default is an aws-chunked upload with a trailing checksum). The default
// client against this endpoint sends checksums only when required, and gets everything done; a client
// told when_supported has its uploads refused with advice naming the setting. The restore copies
// (CopyObject), which carry no checksum either way, so it works in both modes.
func TestChecksumsAgainstAServiceThatRefusesThem(t *testing.T) {
	srv, newBucket := startSeaweedFS(t) // skips without PROTECTEDMEDIA_WEED
	_, bucket := newBucket(t)
	layer := checksumrefusal.New()
	layer.Add(bucket)
	_, proxyURL := startProxy(t, srv, layer.Semantics())
	client := func(mode string) *Client {
		c, err := New(t.Context(), Config{SkipBucketOwnerCheck: true, Endpoint: proxyURL, AccessKey: srv.AccessKey,
			SecretKey: srv.SecretKey, CABundle: srv.CAFile, Checksums: mode})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := t.Context()
	put := func(c *Client, key, body string) error {
		_, err := c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)})
		return err
	}
	restore := func(c *Client, asOf time.Time) *RestoreReport {
		t.Helper()
		r, err := Restore(ctx, c.S3, bucket, "media/", RestoreOptions{AsOf: asOf, Recovery: recovery.Options{Method: recovery.MethodCopy}})
		if err != nil {
			t.Fatalf("restore with checksums %s: %v", c.Checksums, err)
		}
		return r
	}

	def := client("")
	if def.Checksums != ChecksumsWhenRequired {
		t.Fatalf("default checksums against %s = %q, want %q", proxyURL, def.Checksums, ChecksumsWhenRequired)
	}
	if err := put(def, "media/a.txt", "original"); err != nil {
		t.Fatalf("upload with the default: %v", err)
	}
	asOf := nextWholeSecond()
	if err := put(def, "media/a.txt", "overwritten"); err != nil {
		t.Fatalf("upload with the default: %v", err)
	}
	if r := restore(def, asOf); r.Restored != 1 {
		t.Fatalf("restore with the default: restored %d keys, want 1", r.Restored)
	}
	out, err := def.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("media/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != "original" {
		t.Fatalf("after the restore media/a.txt holds %q, want %q", body, "original")
	}
	if layer.Refused() != 0 || layer.Uploads() != 2 {
		t.Fatalf("the layer refused %d and let %d uploads through, want 0 and 2", layer.Refused(), layer.Uploads())
	}

	supported := client(ChecksumsWhenSupported)
	err = put(supported, "media/a.txt", "refused")
	if err == nil {
		t.Fatal("an upload with checksums when_supported passed the layer")
	}
	msg := Explain(err).Error()
	for _, want := range []string{"InvalidArgument", "Unsupported header 'x-amz-trailer'", `set the provider argument checksums = "when_required"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refused upload's error %q does not say %q", msg, want)
		}
	}
	if layer.Refused() != 1 {
		t.Errorf("the layer refused %d uploads, want 1", layer.Refused())
	}
	if err := put(def, "media/a.txt", "overwritten again"); err != nil {
		t.Fatalf("upload with the default: %v", err)
	}
	if r := restore(supported, asOf); r.Restored != 1 {
		t.Errorf("restore with checksums when_supported: restored %d keys, want 1 (copies carry no checksum)", r.Restored)
	}
}
