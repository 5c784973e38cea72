package mfadelete

// The behaviours a test switches on: the lifecycle propagation window and single-use codes; and codes
// expiring as the layer's clock moves, which is always on.

import (
	"net/http"
	"testing"
	"time"
)

func TestLifecyclePropagationWindow(t *testing.T) {
	const window = 2 * time.Minute

	t.Run("off by default", func(t *testing.T) {
		h := newHarness(t)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 200)
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a?lifecycle", "", ""), 204)
		h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA()), 200)
		h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Disabled", h.validMFA()), 200)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 200)
	})

	t.Run("a deleted lifecycle configuration still blocks MFA Delete", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetLifecyclePropagation(window)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 200)
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a?lifecycle", "", ""), 204)

		h.clock.Advance(window - time.Second)
		h.expectRefused(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA()), 409, "InvalidBucketState")
		// Only enabling conflicts; other buckets are not affected.
		h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Suspended", "", ""), 200)
		h.ExpectForwarded(t, putVersioning(h, t, "pm-b", "Enabled", "Enabled", h.validMFA()), 200)

		h.clock.Advance(time.Second)
		h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA()), 200)
	})

	t.Run("a failed DeleteBucketLifecycle starts no window", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetLifecyclePropagation(window)
		h.layer.SetHasLifecycle("pm-a", true)
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a?lifecycle", "", ""), 500)
		h.SetAnswer(nil)
		h.layer.SetHasLifecycle("pm-b", false) // never had one: nothing was removed
		h.ExpectForwarded(t, putVersioning(h, t, "pm-b", "Enabled", "Enabled", h.validMFA()), 200)
		h.expectRefused(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA()), 409, "InvalidBucketState")
	})

	t.Run("out of band removal starts the window too", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetLifecyclePropagation(window)
		h.layer.SetHasLifecycle("pm-a", true)
		h.layer.SetHasLifecycle("pm-a", false)
		h.expectRefused(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA()), 409, "InvalidBucketState")
		h.clock.Advance(window)
		h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA()), 200)
	})

	t.Run("a disabled MFA Delete still blocks a lifecycle configuration", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetLifecyclePropagation(window)
		h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", h.validMFA()), 200)
		h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Disabled", h.validMFA()), 200)
		if h.layer.Enabled("pm-a") {
			t.Fatal("MFA Delete still enabled")
		}
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 409, "InvalidBucketState")
		// Never enabled: no window.
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-b?lifecycle", "", lifecycleBody), 200)
		h.clock.Advance(window)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 200)

		// Saying Disabled again, when it already is, starts no new window.
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a?lifecycle", "", ""), 204)
		h.clock.Advance(window)
		h.ExpectForwarded(t, putVersioning(h, t, "pm-a", "Enabled", "Disabled", ""), 200)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 200)
	})

	t.Run("out of band disable starts the window too", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetLifecyclePropagation(window)
		h.layer.SetEnabled("pm-a", true)
		h.layer.SetEnabled("pm-a", false)
		h.expectRefused(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 409, "InvalidBucketState")
		// Switching the window off applies every change at once.
		h.layer.SetLifecyclePropagation(0)
		h.ExpectForwarded(t, h.do(t, http.MethodPut, "/pm-a?lifecycle", "", lifecycleBody), 200)
	})
}

func TestSingleUseCodes(t *testing.T) {
	t.Run("off by default: a code passes as often as the clock allows", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetEnabled("pm-a", true)
		code := h.validMFA()
		for range 3 {
			h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 204)
		}
	})

	t.Run("on: a code passes once", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetSingleUseCodes(true)
		h.layer.SetEnabled("pm-a", true)
		code := h.validMFA()
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 204)
		got := h.do(t, http.MethodDelete, "/pm-a/k?versionId=v2", code, "")
		h.expectRefused(t, got, 403, "AccessDenied")
		// On any bucket and for any operation: the code belongs to the device.
		h.expectRefused(t, putVersioning(h, t, "pm-a", "Enabled", "Disabled", code), 403, "AccessDenied")
		h.layer.SetEnabled("pm-b", true)
		h.expectRefused(t, h.do(t, http.MethodDelete, "/pm-b/k?versionId=v1", code, ""), 403, "AccessDenied")

		// The next step's code is a different one, and passes once too, also a step early.
		next := testSerial + " " + Code(testSecret, h.clock.Now().Add(30*time.Second))
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v3", next, ""), 204)
		h.clock.Advance(30 * time.Second)
		h.expectRefused(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v4", next, ""), 403, "AccessDenied")
		if n := h.layer.Refusals(); n != 4 {
			t.Errorf("Refusals %d, want 4", n)
		}
	})

	t.Run("a code used up by a request refused for another reason", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetSingleUseCodes(true)
		h.layer.SetHasLifecycle("pm-a", true)
		code := h.validMFA()
		h.expectRefused(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", code), 409, "InvalidBucketState")
		h.layer.SetHasLifecycle("pm-a", false)
		h.expectRefused(t, putVersioning(h, t, "pm-a", "Enabled", "Enabled", code), 403, "AccessDenied")
	})

	t.Run("switching it off and on again forgets used codes", func(t *testing.T) {
		h := newHarness(t)
		h.layer.SetSingleUseCodes(true)
		h.layer.SetEnabled("pm-a", true)
		code := h.validMFA()
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 204)
		h.layer.SetSingleUseCodes(false)
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 204)
		h.layer.SetSingleUseCodes(true)
		h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 204)
		h.expectRefused(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 403, "AccessDenied")
	})
}

// TestCodesExpireAsTheClockMoves checks that the layer reads the time from New's clock: a code accepted
// now is refused once that clock has moved two steps on, and a code from the future passes once the clock
// reaches it.
func TestCodesExpireAsTheClockMoves(t *testing.T) {
	h := newHarness(t)
	h.layer.SetEnabled("pm-a", true)
	code := h.validMFA()
	later := testSerial + " " + Code(testSecret, h.clock.Now().Add(5*time.Minute))

	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 204)
	h.expectRefused(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", later, ""), 403, "AccessDenied")

	h.clock.Advance(30 * time.Second)
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 204) // one step of tolerance
	h.clock.Advance(30 * time.Second)
	got := h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, "")
	h.expectRefused(t, got, 403, "AccessDenied")

	h.clock.Advance(4 * time.Minute)
	h.ExpectForwarded(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", later, ""), 204)
	h.expectRefused(t, h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", code, ""), 403, "AccessDenied")
}
