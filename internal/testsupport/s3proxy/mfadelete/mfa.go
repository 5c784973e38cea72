package mfadelete

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// TOTP parameters of an AWS virtual MFA device (RFC 6238 defaults): HMAC-SHA1, 30-second steps, 6 digits.
const (
	totpStep    = 30 * time.Second
	totpDigits  = 6
	totpModulus = 1_000_000 // 10^totpDigits
	// totpSkew is how many steps either side of the current one are accepted, for clock drift and a code
	// typed just before it changed.
	totpSkew = 1
)

// mfaHeader carries "<device serial> <code>".
const mfaHeader = "X-Amz-Mfa"

// The answers S3 gives to a request lacking MFA authentication it needs.
var (
	errMFAMissing = &s3proxy.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Mfa Authentication must be used for this request"}
	errMFAFormat  = &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Mfa header is invalid -- the header should be formatted as {serialNumber}(space){tokenCode}"}
	errMFAInvalid = &s3proxy.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "The MFA token is invalid: the serial number or the token code is wrong"}
)

// authenticate checks the request's x-amz-mfa header against the layer's device and clock; nil means it
// is valid. An empty header counts as missing.
func (l *Layer) authenticate(h http.Header) *s3proxy.Error {
	values := h.Values(mfaHeader)
	switch {
	case len(values) == 0 || len(values) == 1 && strings.TrimSpace(values[0]) == "":
		return errMFAMissing
	case len(values) > 1:
		return errMFAFormat
	}
	serial, code, ok := strings.Cut(values[0], " ")
	if !ok || serial == "" || !isCode(code) {
		return errMFAFormat
	}
	step, ok := matchCode(l.secret, code, l.now())
	if serial != l.serial || !ok {
		return errMFAInvalid
	}
	if !l.useStep(step) {
		return errMFAInvalid
	}
	return nil
}

// useStep records that the code of step was accepted, and reports false when single-use codes are on and
// it had been already. Steps too old for any code of theirs to pass are forgotten.
func (l *Layer) useStep(step uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.singleUse {
		return true
	}
	if l.usedSteps[step] {
		return false
	}
	l.usedSteps[step] = true
	current := counter(l.now())
	for s := range l.usedSteps {
		if s+totpSkew < current {
			delete(l.usedSteps, s)
		}
	}
	return true
}

// isCode reports whether s is exactly totpDigits ASCII digits.
func isCode(s string) bool {
	if len(s) != totpDigits {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validCode reports whether code is the TOTP code for secret at now, or up to totpSkew steps either side.
func validCode(secret []byte, code string, now time.Time) bool {
	_, ok := matchCode(secret, code, now)
	return ok
}

// matchCode returns the time step whose code is code, among now's and up to totpSkew steps either side.
func matchCode(secret []byte, code string, now time.Time) (step uint64, ok bool) {
	current := counter(now)
	for d := -totpSkew; d <= totpSkew; d++ {
		if d < 0 && current < uint64(-d) {
			continue // before the first step
		}
		step := current + uint64(d)
		if hmac.Equal([]byte(hotp(secret, step)), []byte(code)) {
			return step, true
		}
	}
	return 0, false
}

// Code returns the valid TOTP code for secret at t.
func Code(secret []byte, t time.Time) string {
	return hotp(secret, counter(t))
}

// counter is the RFC 6238 time step of t; times before the Unix epoch are in step 0.
func counter(t time.Time) uint64 {
	s := t.Unix()
	if s < 0 {
		return 0
	}
	return uint64(s) / uint64(totpStep/time.Second)
}

// hotp is the RFC 4226 one-time password for counter c, with totpDigits digits.
func hotp(secret []byte, c uint64) string {
	mac := hmac.New(sha1.New, secret)
	_ = binary.Write(mac, binary.BigEndian, c) // a hash never fails to write
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	value := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, value%totpModulus)
}
