package awsbehaviour

import (
	"encoding/xml"
	"net/http"
	"testing"
)

const otherAccount = "210987654321"

func TestExpectedBucketOwner(t *testing.T) {
	expect := func(owner string) http.Header { return signed("X-Amz-Expected-Bucket-Owner", owner) }

	t.Run("off: not checked", func(t *testing.T) {
		h := newHarness(t)
		h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-media?encryption", header: expect(otherAccount)}), http.StatusNotFound)
	})

	h := newHarness(t)
	h.layer.EnableOwnership()
	for _, target := range []string{"/pm-media?encryption", "/pm-media?versioning", "/pm-media/a.jpg", "/pm-media?list-type=2"} {
		h.expectRefused(t, h.send(t, request{method: http.MethodGet, target: target, header: expect(otherAccount)}), http.StatusForbidden, "AccessDenied")
	}
	got := h.send(t, request{method: http.MethodHead, target: "/pm-media", header: expect(otherAccount)})
	h.ExpectAnswered(t, got, http.StatusForbidden)
	if len(got.Body) != 0 {
		t.Errorf("HeadBucket answered with a body: %s", got.Body)
	}
	h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-media?versioning", header: expect(DefaultAccount)}), http.StatusOK)
	h.ExpectForwarded(t, h.do(t, http.MethodGet, "/pm-media?versioning", ""), http.StatusOK)

	// The copy source's owner.
	copyHeader := signed("X-Amz-Copy-Source", "/pm-other/a.jpg?versionId=v1", "X-Amz-Source-Expected-Bucket-Owner", otherAccount)
	h.expectRefused(t, h.send(t, request{method: http.MethodPut, target: "/pm-media/a.jpg", header: copyHeader}), http.StatusForbidden, "AccessDenied")
	h.layer.ForeignBucket("pm-other", Foreign{Owner: otherAccount, Accessible: true})
	h.ExpectForwarded(t, h.send(t, request{method: http.MethodPut, target: "/pm-media/a.jpg", header: copyHeader}), http.StatusOK)
}

func TestForeignBucketInAnotherRegion(t *testing.T) {
	h := newHarness(t)
	h.layer.ForeignBucket("pm-eu", Foreign{Region: "eu-west-1"})

	for _, target := range []string{"/pm-eu?versioning", "/pm-eu/a.jpg", "/pm-eu?list-type=2"} {
		got := h.do(t, http.MethodGet, target, "")
		h.expectRefused(t, got, http.StatusMovedPermanently, "PermanentRedirect")
		if region := got.Header.Get("X-Amz-Bucket-Region"); region != "eu-west-1" {
			t.Errorf("%s: x-amz-bucket-region %q, want eu-west-1", target, region)
		}
		var e struct {
			XMLName  xml.Name `xml:"Error"`
			Message  string
			Endpoint string
			Bucket   string
		}
		if err := xml.Unmarshal(got.Body, &e); err != nil || e.Bucket != "pm-eu" || e.Endpoint != "pm-eu.s3.eu-west-1.amazonaws.com" ||
			e.Message != "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint." {
			t.Errorf("%s: body %s (%v)", target, got.Body, err)
		}
	}
	got := h.do(t, http.MethodHead, "/pm-eu", "")
	h.ExpectAnswered(t, got, http.StatusMovedPermanently)
	if len(got.Body) != 0 || got.Header.Get("X-Amz-Bucket-Region") != "eu-west-1" {
		t.Errorf("HeadBucket: body %q, region %q; want no body, eu-west-1", got.Body, got.Header.Get("X-Amz-Bucket-Region"))
	}
	// The bucket is this account's: creating it again says so.
	h.expectRefused(t, h.do(t, http.MethodPut, "/pm-eu", ""), http.StatusConflict, "BucketAlreadyOwnedByYou")

	// A foreign bucket in the client's region is served.
	h.layer.ForeignBucket("pm-us", Foreign{Region: DefaultRegion})
	h.ExpectForwarded(t, h.do(t, http.MethodGet, "/pm-us?versioning", ""), http.StatusOK)
	if n := h.layer.Refusals(); n != 5 {
		t.Errorf("Refusals %d, want 5", n)
	}
}

func TestForeignBucketOfAnotherAccount(t *testing.T) {
	t.Run("not accessible", func(t *testing.T) {
		h := newHarness(t)
		h.layer.ForeignBucket("pm-theirs", Foreign{Owner: otherAccount})
		got := h.do(t, http.MethodHead, "/pm-theirs", "")
		h.ExpectAnswered(t, got, http.StatusForbidden)
		if len(got.Body) != 0 {
			t.Errorf("HeadBucket answered with a body: %s", got.Body)
		}
		if region := got.Header.Get("X-Amz-Bucket-Region"); region != DefaultRegion {
			t.Errorf("x-amz-bucket-region %q", region)
		}
		for _, q := range []request{
			{method: http.MethodGet, target: "/pm-theirs/a.jpg"},
			{method: http.MethodGet, target: "/pm-theirs?versioning"},
			{method: http.MethodPut, target: "/pm-theirs?policy", body: tlsOnlyPolicy("pm-theirs")},
			{method: http.MethodDelete, target: "/pm-theirs"},
		} {
			h.expectRefused(t, h.send(t, q), http.StatusForbidden, "AccessDenied")
		}
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-theirs", ""), http.StatusConflict, "BucketAlreadyExists")
	})

	t.Run("accessible", func(t *testing.T) {
		h := newHarness(t)
		h.layer.ForeignBucket("pm-shared", Foreign{Owner: otherAccount, Accessible: true})
		// HeadBucket is answered here, so the bucket need not exist on the server.
		got := h.do(t, http.MethodHead, "/pm-shared", "")
		h.ExpectAnswered(t, got, http.StatusOK)
		if region := got.Header.Get("X-Amz-Bucket-Region"); region != DefaultRegion {
			t.Errorf("x-amz-bucket-region %q", region)
		}
		h.ExpectForwarded(t, h.do(t, http.MethodGet, "/pm-shared?list-type=2", ""), http.StatusOK)
		// Its owner is the other account.
		h.ExpectForwarded(t, h.send(t, request{method: http.MethodGet, target: "/pm-shared?list-type=2", header: signed("X-Amz-Expected-Bucket-Owner", otherAccount)}), http.StatusOK)
		h.expectRefused(t, h.send(t, request{method: http.MethodHead, target: "/pm-shared", header: signed("X-Amz-Expected-Bucket-Owner", DefaultAccount)}), http.StatusForbidden, "")
	})

	t.Run("in another region too: the redirect comes first", func(t *testing.T) {
		h := newHarness(t)
		h.layer.ForeignBucket("pm-far", Foreign{Owner: otherAccount, Region: "ap-southeast-2"})
		h.expectRefused(t, h.do(t, http.MethodGet, "/pm-far/a.jpg", ""), http.StatusMovedPermanently, "PermanentRedirect")
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-far", ""), http.StatusConflict, "BucketAlreadyExists")
	})
}

func TestOwnAccountOption(t *testing.T) {
	clockless := New(Options{Account: "111122223333", Region: "eu-central-1"})
	if clockless.ownerOf("any") != "111122223333" {
		t.Errorf("owner %s", clockless.ownerOf("any"))
	}
	clockless.ForeignBucket("pm-eu", Foreign{Region: "eu-central-1"})
	if f, foreign, on := clockless.where("pm-eu"); !on || !foreign || f.Region != "eu-central-1" || f.Owner != "111122223333" {
		t.Errorf("where = %+v %v %v", f, foreign, on)
	}
}

func TestParseCopySource(t *testing.T) {
	for _, tc := range []struct {
		header, bucket, key string
		ok                  bool
	}{
		{"/pm-media/a.jpg", "pm-media", "a.jpg", true},
		{"pm-media/dir/a%20b.jpg?versionId=v1", "pm-media", "dir/a b.jpg", true},
		{"/pm-media", "", "", false},
		{"arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/a.jpg", "", "", false},
		{"%zz", "", "", false},
	} {
		bucket, key, ok := parseCopySource(tc.header)
		if bucket != tc.bucket || key != tc.key || ok != tc.ok {
			t.Errorf("parseCopySource(%q) = %q, %q, %v; want %q, %q, %v", tc.header, bucket, key, ok, tc.bucket, tc.key, tc.ok)
		}
	}
}
