package localrgw

// These tests record what this RGW release does with the S3 calls the provider's bucket pair and media
// restore rely on, through a plain SDK client with the SDK's defaults and no retries. They pin the answers:
// a Ceph upgrade that changes one fails here first, before it surprises an acceptance test.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// outcome is how the server answered one call: the HTTP status, the S3 error code when it failed, and
// for a read that succeeded, what it said (the fields that matter, as the call summarizes them).
type outcome struct {
	Status int
	Code   string
	Says   string
}

func (o outcome) String() string {
	s := fmt.Sprint(o.Status)
	if o.Code != "" {
		s += " " + o.Code
	}
	if o.Says != "" {
		s += " " + o.Says
	}
	return s
}

// recordStatus is a per-call SDK option that stores the HTTP status of the answer in *status.
func recordStatus(status *int) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("localrgwRecordStatus",
				func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleDeserialize(ctx, in)
					if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
						*status = resp.StatusCode
					}
					return out, md, err
				}), middleware.After)
		})
	}
}

// observe runs call with recordStatus and returns its outcome; a failure that never reached the server
// (status 0) fails the test, since it says nothing about the server.
//
// An answer whose error body was lost is asked again, up to three times: RGW closes the connection after
// some refusals, and on a loaded machine the client can lose the race to read the body ("failed to copy
// error response body ... use of closed network connection"), which leaves the status without its code.
// That is the transport, not RGW's answer, and every call in these tables can be sent again.
func observe(t *testing.T, call func(opt func(*s3.Options)) (string, error)) outcome {
	t.Helper()
	for attempt := 1; ; attempt++ {
		o, lostBody := observeOnce(t, call)
		if !lostBody || attempt == 3 {
			return o
		}
		t.Logf("asking again: the answer's error body was lost (%d %s)", o.Status, o.Code)
	}
}

// observeOnce is one call of observe; lostBody says the answer's error body could not be read.
func observeOnce(t *testing.T, call func(opt func(*s3.Options)) (string, error)) (o outcome, lostBody bool) {
	t.Helper()
	var status int
	says, err := call(recordStatus(&status))
	o = outcome{Says: says}
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			o.Code = apiErr.ErrorCode()
		}
		var respErr *awshttp.ResponseError
		if errors.As(err, &respErr) {
			status = respErr.HTTPStatusCode()
		}
		if o.Code == "" {
			o.Code = "(no code)"
			var deserialization *smithy.DeserializationError
			lostBody = errors.As(err, &deserialization)
			t.Logf("an error without an S3 error code: %v", err)
		}
	}
	if status == 0 {
		t.Fatalf("the call got no answer from the server: %v", err)
	}
	o.Status = status
	return o, lostBody
}

// newBucket creates a bucket with a name unique to the test, removed with every version at the end.
func newBucket(t *testing.T, c *s3.Client, role string, lock bool) string {
	t.Helper()
	name := strings.ToLower(fmt.Sprintf("localrgw-%s-%s", role, randomHex(4)))
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &name, ObjectLockEnabledForBucket: aws.Bool(lock)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	t.Cleanup(func() { emptyAndDelete(t, c, name) })
	return name
}

// emptyAndDelete removes every version and delete marker, then the bucket. Object Lock buckets in these
// tests hold no locked version, so nothing needs a bypass.
func emptyAndDelete(t *testing.T, c *s3.Client, bucket string) {
	ctx := context.WithoutCancel(t.Context())
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: &bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Errorf("emptying %s: %v", bucket, err)
			return
		}
		for _, v := range page.Versions {
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: v.Key, VersionId: v.VersionId}); err != nil {
				t.Errorf("emptying %s: %v", bucket, err)
			}
		}
		for _, m := range page.DeleteMarkers {
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: m.Key, VersionId: m.VersionId}); err != nil {
				t.Errorf("emptying %s: %v", bucket, err)
			}
		}
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
		t.Errorf("deleting %s: %v", bucket, err)
	}
}

func putText(t *testing.T, c *s3.Client, bucket, key, body string) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return out
}

// versionsOf lists key's versions and delete markers, newest first, as "id:latest" and "marker id:latest".
func versionsOf(t *testing.T, c *s3.Client, bucket, key string) (versions, markers []string) {
	t.Helper()
	out, err := c.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
	if err != nil {
		t.Fatalf("ListObjectVersions %s: %v", bucket, err)
	}
	for _, v := range out.Versions {
		versions = append(versions, fmt.Sprintf("%s:%t", aws.ToString(v.VersionId), aws.ToBool(v.IsLatest)))
	}
	for _, m := range out.DeleteMarkers {
		markers = append(markers, fmt.Sprintf("%s:%t", aws.ToString(m.VersionId), aws.ToBool(m.IsLatest)))
	}
	return versions, markers
}

// TestVersioningCore walks the versioning life the pair and the media restore rely on: versioning unset,
// enabled and suspended; versions and a delete marker; listing them; restoring an old version by copying it
// over the current one; and removing versions and markers by id.
func TestVersioningCore(t *testing.T) {
	s := sharedServer(t)
	c := rawClient(s, s.AccessKey, s.SecretKey)
	ctx := t.Context()
	b := newBucket(t, c, "core", false)
	const key = "media/photo.jpg"
	// getText reads the current version (versionID "") or the given one.
	getText := func(versionID string) string {
		t.Helper()
		in := &s3.GetObjectInput{Bucket: &b, Key: aws.String(key)}
		if versionID != "" {
			in.VersionId = &versionID
		}
		out, err := c.GetObject(ctx, in)
		if err != nil {
			t.Fatalf("GetObject %s (version %q): %v", key, versionID, err)
		}
		defer out.Body.Close()
		body, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}

	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &b})
	if err != nil || v.Status != "" || v.MFADelete != "" {
		t.Fatalf("GetBucketVersioning on a new bucket: status %q, MFA Delete %q, %v; want both unset", v.Status, v.MFADelete, err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &b}); err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("GetBucketVersioning after enabling: %q, %v", v.Status, err)
	}

	v1 := aws.ToString(putText(t, c, b, key, "one").VersionId)
	v2 := aws.ToString(putText(t, c, b, key, "two").VersionId)
	if v1 == "" || v2 == "" || v1 == v2 || v1 == "null" {
		t.Fatalf("version ids %q and %q, want two distinct real ids", v1, v2)
	}

	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	marker := aws.ToString(del.VersionId)
	if !aws.ToBool(del.DeleteMarker) || marker == "" || marker == v2 {
		t.Fatalf("DeleteObject without a version: delete marker %v, id %q; want a new delete marker", aws.ToBool(del.DeleteMarker), marker)
	}
	got := observe(t, func(opt func(*s3.Options)) (string, error) {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String(key)}, opt)
		return "", err
	})
	if want := (outcome{Status: 404, Code: "NoSuchKey"}); got != want {
		t.Errorf("GetObject behind a delete marker: %v, want %v", got, want)
	}
	if body := getText(v1); body != "one" {
		t.Errorf("GetObject of the first version: %q", body)
	}
	versions, markers := versionsOf(t, c, b, key)
	if want := []string{v2 + ":false", v1 + ":false"}; !slices.Equal(versions, want) {
		t.Errorf("versions %v, want %v", versions, want)
	}
	if want := []string{marker + ":true"}; !slices.Equal(markers, want) {
		t.Errorf("delete markers %v, want %v", markers, want)
	}

	// The media restore: copy the old version over the current one (here, over the delete marker).
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &b, Key: aws.String(key),
		CopySource: aws.String(b + "/" + key + "?versionId=" + v1)})
	if err != nil {
		t.Fatalf("CopyObject of version %s: %v", v1, err)
	}
	// AWS answers with the new version's id (x-amz-version-id) and the source's (x-amz-copy-source-version-id);
	// RGW 16.2 sends neither, so a restore learns the new id only by listing.
	if id, src := aws.ToString(cp.VersionId), aws.ToString(cp.CopySourceVersionId); id != "" || src != "" {
		t.Errorf("CopyObject answered version %q from source version %q; RGW 16.2 was seen to answer neither (a fix would be welcome: update this test)", id, src)
	}
	if body := getText(""); body != "one" {
		t.Errorf("current version after restoring the first: %q, want %q", body, "one")
	}
	versions, markers = versionsOf(t, c, b, key)
	if len(versions) != 3 {
		t.Fatalf("versions after the restore %v, want three", versions)
	}
	v3 := strings.TrimSuffix(versions[0], ":true")
	if want := []string{v3 + ":true", v2 + ":false", v1 + ":false"}; v3 == v1 || v3 == v2 || v3 == marker || !slices.Equal(versions, want) {
		t.Errorf("versions after the restore %v, want a new current one before %v", versions, want[1:])
	}
	if want := []string{marker + ":false"}; !slices.Equal(markers, want) {
		t.Errorf("delete markers after the restore %v, want %v", markers, want)
	}

	// Removing versions by id: the restored copy (the marker is current again), then the marker itself.
	if d, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: aws.String(key), VersionId: &v3}); err != nil ||
		aws.ToString(d.VersionId) != v3 || aws.ToBool(d.DeleteMarker) {
		t.Fatalf("DeleteObject of version %s: id %q, delete marker %v, %v", v3, aws.ToString(d.VersionId), aws.ToBool(d.DeleteMarker), err)
	}
	got = observe(t, func(opt func(*s3.Options)) (string, error) {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String(key)}, opt)
		return "", err
	})
	if want := (outcome{Status: 404, Code: "NotFound"}); got != want {
		t.Errorf("HeadObject once the delete marker is current again: %v, want %v", got, want)
	}
	if d, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: aws.String(key), VersionId: &marker}); err != nil ||
		aws.ToString(d.VersionId) != marker || !aws.ToBool(d.DeleteMarker) {
		t.Fatalf("DeleteObject of the delete marker: id %q, delete marker %v, %v", aws.ToString(d.VersionId), aws.ToBool(d.DeleteMarker), err)
	}
	if body := getText(""); body != "two" {
		t.Errorf("current version once the marker is gone: %q, want %q", body, "two")
	}

	// Suspended: new writes replace the "null" version, older versions stay.
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatal(err)
	}
	if v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &b}); err != nil || v.Status != types.BucketVersioningStatusSuspended {
		t.Fatalf("GetBucketVersioning after suspending: %q, %v", v.Status, err)
	}
	putText(t, c, b, key, "three")
	putText(t, c, b, key, "four")
	versions, _ = versionsOf(t, c, b, key)
	if want := []string{"null:true", v2 + ":false", v1 + ":false"}; !slices.Equal(versions, want) {
		t.Errorf("versions after two writes while suspended %v, want %v", versions, want)
	}
	if body := getText("null"); body != "four" {
		t.Errorf("the null version: %q, want %q", body, "four")
	}
}
