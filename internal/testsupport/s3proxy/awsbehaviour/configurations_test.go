package awsbehaviour

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestKeepConfigurationsApart(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "publicAccessBlock") {
			select { // held until the test has sent what overlaps it; never past the test's end
			case <-release:
			case <-time.After(10 * time.Second):
			}
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	})

	// Off: overlapping writes reach the server at once, and nothing is refused.
	send := func(target string) <-chan reply {
		ch := make(chan reply, 1)
		go func() {
			rep, err := h.Send(http.MethodPut, target, signed(), strings.NewReader("<x/>"))
			if err != nil {
				t.Error(err)
			}
			ch <- rep
		}()
		return ch
	}
	waitUpstream := func(n int) {
		for deadline := time.Now().Add(5 * time.Second); len(h.UpstreamSaw()) < n; {
			if time.Now().After(deadline) {
				t.Fatalf("the upstream saw %d requests, want %d", len(h.UpstreamSaw()), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	block := send("/pm-media?publicAccessBlock")
	waitUpstream(1)
	policy := send("/pm-media?policy")
	waitUpstream(2)
	close(release)
	if a, b := <-block, <-policy; a.Status != http.StatusOK || b.Status != http.StatusOK || h.layer.Refusals() != 0 {
		t.Fatalf("behaviour off: answers %d and %d, %d refusals; want both forwarded", a.Status, b.Status, h.layer.Refusals())
	}

	h.layer.KeepConfigurationsApart()
	h.Reset()
	release = make(chan struct{})
	block = send("/pm-media?publicAccessBlock")
	waitUpstream(1)
	// A policy write while the public access block write is in flight: refused, never forwarded.
	if got := <-send("/pm-media?policy"); got.Status != http.StatusConflict || got.Code != "OperationAborted" {
		t.Errorf("a policy write overlapping the public access block's: %d %s, want 409 OperationAborted", got.Status, got.Code)
	}
	// Other writes wait for it, on the same bucket only.
	var wg sync.WaitGroup
	answers := make([]reply, 3)
	for i, target := range []string{"/pm-media?tagging", "/pm-media?encryption", "/pm-static?policy"} {
		wg.Go(func() { answers[i] = <-send(target) })
	}
	waitUpstream(2) // the static bucket's policy
	if got := len(h.UpstreamSaw()); got != 2 {
		t.Errorf("the upstream saw %d requests while the media bucket's write was held, want 2 (it and the static bucket's policy)", got)
	}
	close(release)
	<-block
	wg.Wait()
	for i, a := range answers {
		if a.Status != http.StatusOK {
			t.Errorf("answer %d: %d %s, want 200", i, a.Status, a.Code)
		}
	}
	if got := len(h.UpstreamSaw()); got != 4 {
		t.Errorf("the upstream saw %d requests, want 4", got)
	}
	// A policy write after the others have ended goes through.
	h.Reset()
	h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-media?policy", "{}"), http.StatusOK)
	if h.layer.Refusals() != 1 {
		t.Errorf("%d refusals, want 1", h.layer.Refusals())
	}
}
