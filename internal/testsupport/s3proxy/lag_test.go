package s3proxy

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestCreateLag(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer upstream.Close()
	target, _ := url.Parse(upstream.URL)
	now := time.Unix(1000, 0)
	p := New(target, nil, WithClock(func() time.Time { return now }))
	proxy := httptest.NewServer(p)
	defer proxy.Close()
	do := func(method, path string) int {
		req, _ := http.NewRequest(method, proxy.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// Off by default.
	if do(http.MethodPut, "/early") != 200 || do(http.MethodGet, "/early?versioning") != 200 {
		t.Fatal("a bucket created without the lag must answer at once")
	}
	p.SetCreateLag(2 * time.Second)
	if got := do(http.MethodPut, "/b"); got != 200 {
		t.Fatalf("CreateBucket: %d", got)
	}
	if got := do(http.MethodGet, "/b?versioning"); got != http.StatusNotFound {
		t.Fatalf("inside the lag: %d, want 404", got)
	}
	if got := do(http.MethodGet, "/early?versioning"); got != 200 {
		t.Fatalf("a bucket created before the lag was set: %d", got)
	}
	now = now.Add(2 * time.Second)
	if got := do(http.MethodGet, "/b?versioning"); got != 200 {
		t.Fatalf("after the lag: %d, want 200", got)
	}
	if p.Count("GetBucketVersioning") != 4 {
		t.Fatalf("lagged requests are counted too: %v", p.Counts())
	}
}
