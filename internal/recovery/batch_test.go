package recovery

import (
	"strings"
	"testing"
)

// A manifest row names the bucket, the URL-encoded key and the version; every key reads back as it was,
// whatever it holds, and nothing in it can split the row.
func TestManifestRow(t *testing.T) {
	tests := []struct {
		key, version, want string
	}{
		{"uploads/a.jpg", "v1", "media,uploads/a.jpg,v1\n"},
		{"uploads/with space+plus.jpg", "v2", "media,uploads/with%20space%2Bplus.jpg,v2\n"},
		{"a,b\nc", "3/L4kqtJl+cF", "media,a%2Cb%0Ac,3/L4kqtJl%2BcF\n"},
		{"résumé%.pdf", "null", "media,r%C3%A9sum%C3%A9%25.pdf,null\n"},
	}
	for _, tt := range tests {
		got := ManifestRow("media", tt.key, tt.version)
		if got != tt.want {
			t.Errorf("ManifestRow(%q) = %q, want %q", tt.key, got, tt.want)
		}
		cols := strings.Split(strings.TrimSuffix(got, "\n"), ",")
		if len(cols) != 3 || strings.Contains(strings.TrimSuffix(got, "\n"), "\n") {
			t.Fatalf("row %q does not have three columns on one line", got)
		}
		if key, ok := DecodeManifestKey(cols[1]); !ok || key != tt.key {
			t.Errorf("key %q reads back as %q (%t)", tt.key, key, ok)
		}
	}
}

// AWS's own examples encode a space as "+" (Python's quote_plus): such a manifest reads back too, and a
// broken escape is refused.
func TestDecodeManifestKey(t *testing.T) {
	if got, ok := DecodeManifestKey("photos/my+photo%2B1.jpg"); !ok || got != "photos/my photo+1.jpg" {
		t.Errorf("got %q %t", got, ok)
	}
	for _, bad := range []string{"a%2", "a%zz", "%"} {
		if _, ok := DecodeManifestKey(bad); ok {
			t.Errorf("%q decoded", bad)
		}
	}
}

func TestManifestKey(t *testing.T) {
	a := ManifestKey("restores/", "media/@2026-11-28T09:30:00Z")
	if !strings.HasPrefix(a, "restores/protectedmedia-restore-") || !strings.HasSuffix(a, ".csv") {
		t.Fatalf("key %q", a)
	}
	if a != ManifestKey("restores/", "media/@2026-11-28T09:30:00Z") {
		t.Error("the same restore gets another manifest key")
	}
	if a == ManifestKey("restores/", "media/@2026-11-28T09:31:00Z") {
		t.Error("another restore gets the same manifest key")
	}
}

// The token is the same for the same job, at most 64 characters, differs when any part differs (parts do not
// run into each other), and differs after an ended job.
func TestJobToken(t *testing.T) {
	base := JobToken("", "123456789012", "media", `"etag"`, "arn:aws:iam::123456789012:role/r")
	if len(base) != 64 || base != JobToken("", "123456789012", "media", `"etag"`, "arn:aws:iam::123456789012:role/r") {
		t.Fatalf("token %q is not stable or not 64 characters", base)
	}
	for name, other := range map[string]string{
		"manifest changed": JobToken("", "123456789012", "media", `"etag2"`, "arn:aws:iam::123456789012:role/r"),
		"parts shifted":    JobToken("", "123456789012", "medi", `a"etag"`, "arn:aws:iam::123456789012:role/r"),
		"after a job":      JobToken("job-1", "123456789012", "media", `"etag"`, "arn:aws:iam::123456789012:role/r"),
	} {
		if other == base {
			t.Errorf("%s: same token", name)
		}
	}
}

func TestJobEnded(t *testing.T) {
	for _, s := range []string{JobComplete, JobFailed, JobCancelled} {
		if !JobEnded(s) {
			t.Errorf("%s not ended", s)
		}
	}
	for _, s := range []string{JobNew, "Preparing", "Ready", "Active", "Suspended", "Completing", "Failing", "Cancelling", "Paused"} {
		if JobEnded(s) {
			t.Errorf("%s ended", s)
		}
	}
}

// A batch restore plans the same actions as a copy: every change is a copy of the version at as_of, a key
// whose only change is a delete marker included.
func TestActionForBatch(t *testing.T) {
	ks := Classify(asOf, []Version{obj("v1", -60, "a", 1), latest(marker("m1", 2))})
	a, ok := ActionFor(ks, Options{Method: MethodBatchOperations})
	if !ok || a.Kind != CopyVersion || a.Source.VersionID != "v1" {
		t.Fatalf("action %+v %t, want a copy of v1", a, ok)
	}
}
