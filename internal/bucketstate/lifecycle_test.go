package bucketstate

import (
	"strings"
	"testing"
)

func TestTransitionProblems(t *testing.T) {
	tr := func(days int, class string) Transition { return Transition{Days: days, StorageClass: class} }
	tests := []struct {
		name   string
		ts     []Transition
		expire int
		want   []string // substrings, one per problem, in order
	}{
		{"none", nil, 0, nil},
		{"infrequent access then instant retrieval", []Transition{tr(30, "STANDARD_IA"), tr(90, "GLACIER_IR")}, 365, nil},
		{"straight to deep archive", []Transition{tr(1, "DEEP_ARCHIVE")}, 0, nil},
		{"infrequent access too early", []Transition{tr(29, "STANDARD_IA")}, 0, []string{"only after 30 days"}},
		{"one zone too early", []Transition{tr(7, "ONEZONE_IA")}, 0, []string{"only after 30 days"}},
		{"unknown class", []Transition{tr(30, "REDUCED_REDUNDANCY")}, 0, []string{"storage_class must be one of"}},
		{"up the order", []Transition{tr(90, "GLACIER"), tr(120, "STANDARD_IA")}, 0, []string{"down S3's order"}},
		{"same class twice", []Transition{tr(30, "STANDARD_IA"), tr(60, "STANDARD_IA")}, 0, []string{"down S3's order"}},
		{"days not increasing", []Transition{tr(60, "STANDARD_IA"), tr(60, "GLACIER")}, 0, []string{"more days than the one before"}},
		{"after expiry", []Transition{tr(30, "STANDARD_IA"), tr(400, "GLACIER")}, 365, []string{"deleted after 365 days"}},
		{"on the expiry day", []Transition{tr(30, "GLACIER_IR")}, 30, []string{"deleted after 30 days"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TransitionProblems(tt.ts, tt.expire)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d %q does not contain %q", i, got[i], w)
				}
			}
		})
	}
}

// Transitions are part of the media bucket's one rule, and none at all with MFA Delete; a lifecycle with
// transitions compares by its list.
func TestMediaLifecycleTransitions(t *testing.T) {
	r := Retention{AbortIncompleteDays: 7, Transitions: []Transition{{Days: 30, StorageClass: "STANDARD_IA"}}}
	l := MediaLifecycle(r, false)
	if len(l.Transitions) != 1 || l.Empty() {
		t.Fatalf("MediaLifecycle = %+v, want the transition", l)
	}
	r.Transitions[0].Days = 99 // the lifecycle keeps its own copy
	if l.Transitions[0].Days != 30 {
		t.Error("MediaLifecycle shares the retention's slice")
	}
	if !MediaLifecycle(r, true).Empty() {
		t.Error("with MFA Delete the media bucket must have no lifecycle at all")
	}
	if l.Equal(Lifecycle{AbortIncompleteDays: 7}) {
		t.Error("a lifecycle without the transition compares equal")
	}
	if !(Lifecycle{}).Equal(Lifecycle{Transitions: []Transition{}}) {
		t.Error("no transitions and an empty list differ")
	}
	if got := l.String(); !strings.Contains(got, "move noncurrent versions to STANDARD_IA after 30 days") {
		t.Errorf("String() = %q", got)
	}
}
