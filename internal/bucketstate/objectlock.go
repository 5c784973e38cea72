package bucketstate

// S3 Object Lock on the media bucket (media_object_lock): the bucket's default retention as the pair wants it
// and as S3 reports it, how the two compare, how it meets lifecycle expiration, and the tally of locked
// versions a destroy must refuse to touch.

import (
	"fmt"
	"time"
)

// Retention modes, as S3 spells them (DefaultRetention's Mode, Amazon S3 API Reference).
const (
	// LockGovernance keeps a version from being deleted or overwritten unless the request says
	// x-amz-bypass-governance-retention: true and its principal has s3:BypassGovernanceRetention.
	LockGovernance = "GOVERNANCE"
	// LockCompliance keeps it so for everyone, the account's root user included, until the date passes.
	LockCompliance = "COMPLIANCE"
)

// LockModes are the retention modes media_object_lock offers, in S3's order. A fresh slice each call.
func LockModes() []string { return []string{LockGovernance, LockCompliance} }

// The longest default retention the provider accepts: S3's longest retention, 100 years ("Setting retention
// limits", Amazon S3 User Guide), written as years or as days.
const (
	MaxLockYears = 100
	MaxLockDays  = 36500
)

// daysPerYear is the shortest a year of retention can be. S3 counts a retention of years in calendar years,
// so this only ever underestimates a period given in years.
const daysPerYear = 365

// LockRetention is a default retention: every new object version is locked in Mode for Days or Years (exactly
// one of them is set) from when it is written.
type LockRetention struct {
	Mode        string
	Days, Years int
}

// String says the retention in a few words: "GOVERNANCE for 30 days".
func (r LockRetention) String() string {
	if r.Years > 0 {
		return fmt.Sprintf("%s for %s", r.Mode, countOf(r.Years, "year"))
	}
	return fmt.Sprintf("%s for %s", r.Mode, countOf(r.Days, "day"))
}

// MinDays is the shortest the period can be, in days.
func (r LockRetention) MinDays() int {
	if r.Years > 0 {
		return r.Years * daysPerYear
	}
	return r.Days
}

// ObjectLock is a bucket's Object Lock configuration as S3 reports it. The zero value is a bucket without
// Object Lock.
type ObjectLock struct {
	// Enabled says the bucket has Object Lock. Once it has, S3 never turns it off again, and never lets its
	// versioning be suspended.
	Enabled bool
	// Default is the default retention of new versions; nil when there is none.
	Default *LockRetention
}

// ObjectLockMatches reports whether observed is what want asks for. With a default retention wanted, the bucket
// must have Object Lock and exactly that retention. Without one, it must have no default retention; whether it
// has Object Lock then does not matter, since S3 cannot turn Object Lock off.
func ObjectLockMatches(want *LockRetention, observed ObjectLock) bool {
	if want == nil {
		return observed.Default == nil
	}
	return observed.Enabled && observed.Default != nil && *observed.Default == *want
}

// describeObjectLock says what a bucket has, for the drift line.
func describeObjectLock(o ObjectLock) string {
	switch {
	case !o.Enabled:
		return "disabled"
	case o.Default == nil:
		return "enabled without default retention"
	}
	return "enabled with " + o.Default.String() + " retention"
}

// describeWantedLock says what the pair wants, for the drift line.
func describeWantedLock(want *LockRetention) string {
	if want == nil {
		return "no default retention"
	}
	return "enabled with " + want.String() + " retention"
}

// LifecycleOutlivedByLock reports whether lifecycle expiration of noncurrent versions after noncurrentDays (0:
// never) can meet versions the default retention r still locks. A version is locked from when it was written,
// while its noncurrent days count from when it was overwritten or deleted, so a version replaced less than
// r's period after it was written is still locked when the lifecycle rule wants it gone: S3 then keeps it (and
// bills for it) until its retain-until date has passed, and expires it at a later lifecycle run.
func LifecycleOutlivedByLock(noncurrentDays int, r *LockRetention) bool {
	return r != nil && noncurrentDays > 0 && noncurrentDays < r.MinDays()
}

// VersionLock is what protects one object version, as HeadObject reports it.
type VersionLock struct {
	// Mode is the version's retention mode; "" when it has no retention.
	Mode string
	// RetainUntil is the end of its retention; zero when it has none.
	RetainUntil time.Time
	// LegalHold is on until someone with s3:PutObjectLegalHold turns it off; it has no date.
	LegalHold bool
}

// Locked reports whether S3 refuses to delete the version at now: a retention not yet past, or a legal hold.
func (v VersionLock) Locked(now time.Time) bool {
	return v.LegalHold || v.Mode != "" && v.RetainUntil.After(now)
}

// LockedVersions tallies the versions of a bucket that are locked at a moment: what a destroy reports when it
// refuses to start.
type LockedVersions struct {
	// Count is every locked version, whatever locks it.
	Count int
	// Governance and Compliance count the versions with a retention in that mode not yet past.
	Governance, Compliance int
	// LegalHolds counts the versions with a legal hold.
	LegalHolds int
	// LatestRetainUntil is the latest retain-until date among them: when no retention is left in the bucket's
	// versions, legal holds aside. Zero when only legal holds lock them.
	LatestRetainUntil time.Time
}

// Add counts v if it is locked at now.
func (l *LockedVersions) Add(v VersionLock, now time.Time) {
	if !v.Locked(now) {
		return
	}
	l.Count++
	if v.LegalHold {
		l.LegalHolds++
	}
	if v.Mode == "" || !v.RetainUntil.After(now) {
		return
	}
	switch v.Mode {
	case LockCompliance:
		l.Compliance++
	default:
		l.Governance++
	}
	if v.RetainUntil.After(l.LatestRetainUntil) {
		l.LatestRetainUntil = v.RetainUntil
	}
}

// countOf says "1 day" or "30 days".
func countOf(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
