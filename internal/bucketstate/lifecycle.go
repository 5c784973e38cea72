package bucketstate

import (
	"errors"
	"fmt"
	"slices"
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
	// Transitions move noncurrent versions to cheaper storage classes, in increasing days.
	Transitions []Transition
	// Foreign is set on an observed configuration with rules the provider does not write (transitions,
	// filters, disabled rules...): it never matches what is desired.
	Foreign bool
}

// Transition moves object versions to StorageClass Days days after they stopped being current.
type Transition struct {
	Days         int
	StorageClass string
}

// Empty reports whether the bucket should have no lifecycle configuration.
func (l Lifecycle) Empty() bool { return l.Equal(Lifecycle{}) }

// Equal reports whether two configurations are the same; no transitions and an empty list are the same.
func (l Lifecycle) Equal(o Lifecycle) bool {
	return l.NoncurrentDays == o.NoncurrentDays && l.KeepNoncurrent == o.KeepNoncurrent &&
		l.ExpiredDeleteMarkers == o.ExpiredDeleteMarkers && l.AbortIncompleteDays == o.AbortIncompleteDays &&
		l.Foreign == o.Foreign && slices.Equal(l.Transitions, o.Transitions)
}

// String describes the configuration in a few words, for plans and errors.
func (l Lifecycle) String() string {
	if l.Foreign {
		return "a configuration with rules this provider does not manage"
	}
	var parts []string
	for _, t := range l.Transitions {
		parts = append(parts, fmt.Sprintf("move noncurrent versions to %s after %d days", t.StorageClass, t.Days))
	}
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
	// Transitions of noncurrent media versions to cheaper storage; none when not set.
	Transitions []Transition
}

// ErrRetentionWithMFADelete is S3's rule, checked at plan time: a bucket cannot have both.
var ErrRetentionWithMFADelete = errors.New("S3 refuses a lifecycle configuration on a bucket with MFA Delete, " +
	"and noncurrent-version retention is a lifecycle rule")

// ErrTransitionsWithMFADelete is the same rule for transitions, which are lifecycle rules too.
var ErrTransitionsWithMFADelete = errors.New("S3 refuses a lifecycle configuration on a bucket with MFA Delete, " +
	"and moving noncurrent versions to another storage class is a lifecycle rule")

// TransitionStorageClasses are the classes a noncurrent version can move to, in S3's order: a version only
// ever moves down this list ("Supported lifecycle transitions", Amazon S3 User Guide).
func TransitionStorageClasses() []string {
	return []string{"STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}
}

// minInfrequentAccessDays is S3's floor for a transition to STANDARD_IA or ONEZONE_IA: PutBucketLifecycleConfiguration
// refuses fewer days (Transition, Amazon S3 API Reference).
const minInfrequentAccessDays = 30

// TransitionProblems checks transitions as S3 would, so the plan says what is wrong: known storage classes,
// each at most once, in S3's order with days increasing, 30 days or more before an infrequent-access class,
// and every transition before noncurrent versions expire (expireDays, 0 when they never do).
func TransitionProblems(ts []Transition, expireDays int) []string {
	var out []string
	classes := TransitionStorageClasses()
	for i, t := range ts {
		where := fmt.Sprintf("transition %d (%s after %d days)", i+1, t.StorageClass, t.Days)
		rank := slices.Index(classes, t.StorageClass)
		switch {
		case rank < 0:
			out = append(out, fmt.Sprintf("%s: storage_class must be one of %s", where, strings.Join(classes, ", ")))
			continue
		case t.Days < 1:
			out = append(out, where+": days must be at least 1")
		case (t.StorageClass == "STANDARD_IA" || t.StorageClass == "ONEZONE_IA") && t.Days < minInfrequentAccessDays:
			out = append(out, fmt.Sprintf("%s: S3 moves versions to %s only after %d days or more", where, t.StorageClass, minInfrequentAccessDays))
		}
		if expireDays > 0 && t.Days >= expireDays {
			out = append(out, fmt.Sprintf("%s: noncurrent versions are deleted after %d days (noncurrent_version_retention_days), "+
				"so the transition must come before that", where, expireDays))
		}
		if i == 0 {
			continue
		}
		prev := ts[i-1]
		prevRank := slices.Index(classes, prev.StorageClass)
		if prevRank >= 0 && (rank <= prevRank || t.Days <= prev.Days) {
			out = append(out, fmt.Sprintf("%s: transitions must go down S3's order of storage classes (%s), each class "+
				"once, with more days than the one before (%s after %d days)", where, strings.Join(classes, ", "), prev.StorageClass, prev.Days))
		}
	}
	return out
}

// MediaLifecycle is the media bucket's lifecycle. With MFA Delete there is none at all: S3 refuses any
// lifecycle configuration on such a bucket, the abort rule included.
func MediaLifecycle(r Retention, mfaDelete bool) Lifecycle {
	if mfaDelete {
		return Lifecycle{}
	}
	l := Lifecycle{AbortIncompleteDays: r.AbortIncompleteDays, Transitions: slices.Clone(r.Transitions)}
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
