package bucketstate

import (
	"errors"
	"fmt"
	"strings"
)

// Lifecycle is the lifecycle configuration the provider owns on a bucket: one rule over the whole bucket.
// The zero value means no lifecycle configuration at all.
type Lifecycle struct {
	// NoncurrentDays expires object versions this many days after they stopped being current (0: never).
	NoncurrentDays int
	// KeepNoncurrent keeps this many newest noncurrent versions of each object whatever their age.
	KeepNoncurrent int
	// ExpiredDeleteMarkers removes delete markers that no longer hide any version.
	ExpiredDeleteMarkers bool
	// AbortIncompleteDays aborts multipart uploads left unfinished this many days (0: never).
	AbortIncompleteDays int
	// Foreign is set on an observed configuration with rules the provider does not write (transitions,
	// filters, disabled rules...): it never matches what is desired.
	Foreign bool
}

// Empty reports whether the bucket should have no lifecycle configuration.
func (l Lifecycle) Empty() bool { return l == Lifecycle{} }

// String describes the configuration in a few words, for plans and errors.
func (l Lifecycle) String() string {
	if l.Foreign {
		return "a configuration with rules this provider does not manage"
	}
	var parts []string
	if l.NoncurrentDays > 0 {
		p := fmt.Sprintf("expire noncurrent versions after %d days", l.NoncurrentDays)
		if l.KeepNoncurrent > 0 {
			p += fmt.Sprintf(" keeping the newest %d", l.KeepNoncurrent)
		}
		parts = append(parts, p)
	}
	if l.ExpiredDeleteMarkers {
		parts = append(parts, "remove expired delete markers")
	}
	if l.AbortIncompleteDays > 0 {
		parts = append(parts, fmt.Sprintf("abort incomplete uploads after %d days", l.AbortIncompleteDays))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Retention is what the configuration asks for.
type Retention struct {
	// NoncurrentDays and KeepNoncurrent are 0 when not set.
	NoncurrentDays, KeepNoncurrent int
	AbortIncompleteDays            int
}

// ErrRetentionWithMFADelete is S3's rule, checked at plan time: a bucket cannot have both.
var ErrRetentionWithMFADelete = errors.New("S3 refuses a lifecycle configuration on a bucket with MFA Delete, " +
	"and noncurrent-version retention is a lifecycle rule")

// MediaLifecycle is the media bucket's lifecycle. With MFA Delete there is none at all: S3 refuses any
// lifecycle configuration on such a bucket, the abort rule included.
func MediaLifecycle(r Retention, mfaDelete bool) Lifecycle {
	if mfaDelete {
		return Lifecycle{}
	}
	l := Lifecycle{AbortIncompleteDays: r.AbortIncompleteDays}
	if r.NoncurrentDays > 0 {
		l.NoncurrentDays, l.KeepNoncurrent = r.NoncurrentDays, r.KeepNoncurrent
		// Once a key's last noncurrent version expires, its delete marker hides nothing: remove it too.
		l.ExpiredDeleteMarkers = true
	}
	return l
}

// StaticLifecycle only cleans up unfinished uploads: static keeps no versions.
func StaticLifecycle(r Retention) Lifecycle {
	return Lifecycle{AbortIncompleteDays: r.AbortIncompleteDays}
}
