package awsbehaviour

import (
	"net/http"
	"strings"
	"testing"
)

// createBucketConfiguration is a CreateBucket body naming the region, as the AWS SDK writes it.
func createBucketConfiguration(region string) string {
	return `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>` + region +
		`</LocationConstraint></CreateBucketConfiguration>`
}

// createBucket sends CreateBucket for bucket with x-amz-bucket-namespace (none when namespace is "") and body.
func (h *harness) createBucket(t *testing.T, bucket, namespace, body string) reply {
	t.Helper()
	header := signed()
	if namespace != "" {
		header.Set("X-Amz-Bucket-Namespace", namespace)
	}
	return h.send(t, request{method: http.MethodPut, target: "/" + bucket, header: header, body: body})
}

func TestNamespaceOff(t *testing.T) {
	h := newHarness(t)
	// Off, nothing is checked; the namespace asked for is still recorded.
	h.ExpectForwarded(t, h.createBucket(t, "pm-media-123456789012-us-east-1-an", "", ""), http.StatusOK)
	h.ExpectForwarded(t, h.createBucket(t, "pm-plain", NamespaceAccountRegional, ""), http.StatusOK)
	h.ExpectForwarded(t, h.createBucket(t, "pm-global", NamespaceGlobal, ""), http.StatusOK)
	for bucket, want := range map[string]string{
		"pm-media-123456789012-us-east-1-an": NamespaceGlobal,
		"pm-plain":                           NamespaceAccountRegional,
		"pm-global":                          NamespaceGlobal,
		"pm-never-created":                   "",
	} {
		if got := h.layer.NamespaceOf(bucket); got != want {
			t.Errorf("NamespaceOf(%s) = %q, want %q", bucket, got, want)
		}
	}
	if n := h.layer.Refusals(); n != 0 {
		t.Errorf("Refusals %d, want 0", n)
	}
}

func TestAccountRegionalNamespace(t *testing.T) {
	h := newHarness(t)
	h.layer.EnforceBucketNamespaces(true)
	const (
		mine      = "pm-media-" + DefaultAccount + "-us-east-1-an"
		theirs    = "pm-media-" + otherAccount + "-us-east-1-an"
		elsewhere = "pm-media-" + DefaultAccount + "-eu-west-1-an"
	)

	t.Run("the account's own name in its region", func(t *testing.T) {
		h.ExpectForwarded(t, h.createBucket(t, mine, NamespaceAccountRegional, ""), http.StatusOK)
		if got := h.layer.NamespaceOf(mine); got != NamespaceAccountRegional {
			t.Errorf("NamespaceOf = %q, want %q", got, NamespaceAccountRegional)
		}
		// In the region the body names.
		got := h.createBucket(t, elsewhere, NamespaceAccountRegional, createBucketConfiguration("eu-west-1"))
		h.ExpectForwarded(t, got, http.StatusOK)
		// Deleted, the bucket's namespace is forgotten.
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/"+mine, ""), http.StatusNoContent)
		if got := h.layer.NamespaceOf(mine); got != "" {
			t.Errorf("NamespaceOf a deleted bucket = %q", got)
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			what, bucket, namespace, body string
			code, message                 string
		}{
			{"header without the suffix", "pm-media", NamespaceAccountRegional, "", "InvalidNamespaceHeader", "Specify -123456789012-us-east-1-an as the bucket name suffix"},
			{"another account's suffix", theirs, NamespaceAccountRegional, "", "InvalidNamespaceHeader", "-123456789012-us-east-1-an"},
			{"another region's suffix", "pm-static-" + DefaultAccount + "-eu-west-1-an", NamespaceAccountRegional, "", "InvalidNamespaceHeader", "-123456789012-us-east-1-an"},
			{"the suffix of another region than the body's", mine, NamespaceAccountRegional, createBucketConfiguration("eu-west-1"), "InvalidNamespaceHeader", "-123456789012-eu-west-1-an"},
			{"the suffix alone", "-" + DefaultAccount + "-us-east-1-an", NamespaceAccountRegional, "", "InvalidNamespaceHeader", ""},
			{"the form without the header", mine, "", "", "MissingNamespaceHeader", "missing the required x-amz-bucket-namespace header"},
			{"another account's form without the header", theirs, "", "", "MissingNamespaceHeader", ""},
			{"the form in the global namespace", mine, NamespaceGlobal, "", "MissingNamespaceHeader", ""},
			{"-an without the form", "pm-media-an", "", "", "InvalidBucketName", "The specified bucket is not valid."},
			{"an unknown namespace", "pm-media", "regional", "", "InvalidBucketNamespace", ""},
			{"a body that is not XML", mine, NamespaceAccountRegional, "<CreateBucketConfiguration>", "MalformedXML", ""},
		} {
			t.Run(tc.what, func(t *testing.T) {
				got := h.createBucket(t, tc.bucket, tc.namespace, tc.body)
				h.expectRefused(t, got, http.StatusBadRequest, tc.code)
				if !strings.Contains(string(got.Body), tc.message) {
					t.Errorf("body %s, want it to say %q", got.Body, tc.message)
				}
				if ns := h.layer.NamespaceOf(tc.bucket); ns != "" {
					t.Errorf("a refused create recorded namespace %q", ns)
				}
			})
		}
	})

	t.Run("global names pass", func(t *testing.T) {
		h.ExpectForwarded(t, h.createBucket(t, "pm-static", "", ""), http.StatusOK)
		h.ExpectForwarded(t, h.createBucket(t, "pm-static-2", NamespaceGlobal, createBucketConfiguration("eu-west-1")), http.StatusOK)
		if got := h.layer.NamespaceOf("pm-static"); got != NamespaceGlobal {
			t.Errorf("NamespaceOf = %q, want %q", got, NamespaceGlobal)
		}
	})

	t.Run("switched off again", func(t *testing.T) {
		h.layer.EnforceBucketNamespaces(false)
		h.ExpectForwarded(t, h.createBucket(t, mine, "", ""), http.StatusOK)
	})
}
