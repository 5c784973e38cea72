package mfadelete

import (
	"net/http"
	"testing"
	"time"
)

// TestCodeRFC6238 checks Code against the SHA-1 test vectors of RFC 6238, appendix B, whose 8-digit
// values end in the 6-digit codes (both are the same number modulo a power of ten).
func TestCodeRFC6238(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		want string // the RFC's 8-digit TOTP: 94287082, 07081804, ...
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		if got := Code(testSecret, time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("Code at %d = %s, want %s", tc.unix, got, tc.want)
		}
	}
}

func TestCodeChangesEveryStep(t *testing.T) {
	step := time.Unix(1111111110, 0) // the start of a step
	if Code(testSecret, step) != Code(testSecret, step.Add(29*time.Second)) {
		t.Error("the code changed within a step")
	}
	if Code(testSecret, step) == Code(testSecret, step.Add(-time.Second)) {
		t.Error("the code did not change across a step boundary")
	}
	if got := Code(testSecret, time.Unix(-100, 0)); got != Code(testSecret, time.Unix(0, 0)) {
		t.Errorf("a time before the epoch gave %s, want step 0's code", got)
	}
}

// TestClockTolerance checks, through the proxy, that codes of the current step and one either side pass
// and codes two steps away do not, both in the middle of a step and at its edges.
func TestClockTolerance(t *testing.T) {
	h := newHarness(t)
	h.layer.SetEnabled("pm-a", true)
	stepStart := time.Unix(testStart.Unix()/30*30, 0)
	for _, now := range []time.Time{testStart, stepStart, stepStart.Add(29 * time.Second)} {
		h.clock.Set(now)
		for _, tc := range []struct {
			codeAt time.Time
			ok     bool
		}{
			{stepStart.Add(-60 * time.Second), false},
			{stepStart.Add(-30 * time.Second), true},
			{stepStart.Add(-time.Second), true},
			{stepStart, true},
			{stepStart.Add(29 * time.Second), true},
			{stepStart.Add(30 * time.Second), true},
			{stepStart.Add(59 * time.Second), true},
			{stepStart.Add(60 * time.Second), false},
			{stepStart.Add(-31 * time.Second), false},
		} {
			got := h.do(t, http.MethodDelete, "/pm-a/k?versionId=v1", testSerial+" "+Code(testSecret, tc.codeAt), "")
			offset := tc.codeAt.Sub(now)
			switch {
			case tc.ok && got.Status != http.StatusNoContent:
				t.Errorf("clock %s, code from %v: refused (%d %s), want accepted", now.Format(time.TimeOnly), offset, got.Status, got.Code)
			case !tc.ok && (got.Status != http.StatusForbidden || got.Code != "AccessDenied"):
				t.Errorf("clock %s, code from %v: %d %s, want 403 AccessDenied", now.Format(time.TimeOnly), offset, got.Status, got.Code)
			}
			h.Reset()
		}
	}
}

func TestValidCodeAtTheFirstStep(t *testing.T) {
	epoch := time.Unix(0, 0)
	if !validCode(testSecret, Code(testSecret, epoch), epoch) {
		t.Error("the code of step 0 refused at step 0")
	}
	if !validCode(testSecret, Code(testSecret, epoch.Add(30*time.Second)), epoch) {
		t.Error("the code of step 1 refused at step 0")
	}
}
