package s3api

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// converge counts reads in a row: a matching read after a stale one starts the count again.
func TestConvergeNeedsReadsInARow(t *testing.T) {
	spec := PairSpec{
		Media:  bucketstate.MediaDesired("m", bucketstate.BucketARN("aws", "m"), false, nil, bucketstate.Retention{}, nil),
		Static: bucketstate.StaticDesired("s", bucketstate.BucketARN("aws", "s"), false, nil, bucketstate.Retention{}),
	}
	good := PairObserved{Media: settingsOf(spec.Media), Static: settingsOf(spec.Static)}
	stale := PairObserved{Media: settingsOf(spec.Media), Static: settingsOf(spec.Static)}
	stale.Media.Versioning = bucketstate.VersioningSuspended

	tests := []struct {
		name  string
		reads []PairObserved
		want  int // reads made; 0 = never converges
	}{
		{"consistent at once", []PairObserved{good, good, good}, 3},
		{"stale first", []PairObserved{stale, good, good, good}, 4},
		{"stale in between restarts the count", []PairObserved{good, good, stale, good, good, good}, 6},
		{"never", []PairObserved{stale}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			observe := func() (PairObserved, error) {
				o := tt.reads[min(n, len(tt.reads)-1)]
				n++
				return o, nil
			}
			timeout := 5 * time.Second
			if tt.want == 0 {
				timeout = 300 * time.Millisecond
			}
			got, err := converge(t.Context(), spec, Converge{Timeout: timeout}, observe, nil)
			if tt.want == 0 {
				var nc *NotConvergedError
				if !errors.As(err, &nc) || len(nc.Left) != 1 || nc.Left[0].Setting != bucketstate.SettingVersioning || nc.Observed.Media == nil {
					t.Fatalf("never consistent: %v, want *NotConvergedError naming versioning, with the last read", err)
				}
				return
			}
			if err != nil || n != tt.want || len(spec.Drift(got)) > 0 {
				t.Fatalf("reads %d, err %v; want %d reads and no drift", n, err, tt.want)
			}
		})
	}
}

// A read that fails ends the wait with that error: no point waiting for a bucket that cannot be read.
func TestConvergeStopsOnReadError(t *testing.T) {
	boom := errors.New("access denied")
	_, err := converge(t.Context(), PairSpec{}, Converge{}, func() (PairObserved, error) { return PairObserved{}, boom }, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("converge = %v, want the read's error", err)
	}
}

// settingsOf is what S3 reports for a bucket configured exactly as want says.
func settingsOf(want bucketstate.Desired) *bucketstate.Settings {
	s := &bucketstate.Settings{
		Versioning:        want.Versioning,
		PublicAccessBlock: &want.PublicAccessBlock,
		Ownership:         want.Ownership,
		Encryption:        want.Encryption,
		Policy:            want.Policy,
		Tags:              want.Tags,
		Lifecycle:         want.Lifecycle,
	}
	if want.MFADelete != nil {
		s.MFADelete = *want.MFADelete
	}
	return s
}

// A new bucket on AWS already has what AWS sets up by default: those writes are not sent. Elsewhere
// everything but versioning is written.
func TestNewBucketDefaultsSkipWritesThatChangeNothing(t *testing.T) {
	media := bucketstate.MediaDesired("m", bucketstate.BucketARN("aws", "m"), false, map[string]string{"app": "shop"}, bucketstate.Retention{AbortIncompleteDays: 7}, nil)
	static := bucketstate.StaticDesired("s", bucketstate.BucketARN("aws", "s"), true, nil, bucketstate.Retention{})
	tests := []struct {
		name  string
		want  bucketstate.Desired
		onAWS bool
		write []bucketstate.Setting
	}{
		{"media on AWS", media, true, []bucketstate.Setting{bucketstate.SettingVersioning, bucketstate.SettingPolicy, bucketstate.SettingTags, bucketstate.SettingLifecycle}},
		{"public static on AWS", static, true, []bucketstate.Setting{bucketstate.SettingPublicAccessBlock, bucketstate.SettingPolicy}},
		{"media elsewhere", media, false, []bucketstate.Setting{bucketstate.SettingVersioning, bucketstate.SettingPublicAccessBlock,
			bucketstate.SettingOwnership, bucketstate.SettingEncryption, bucketstate.SettingPolicy, bucketstate.SettingTags, bucketstate.SettingLifecycle}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.KnowsSSECBlocking = tt.onAWS
			got := bucketstate.SettingsOf(bucketstate.Diff(tt.want, newBucketDefaults(tt.onAWS)))
			if !slices.Equal(got, tt.write) {
				t.Errorf("writes %q, want %q", got, tt.write)
			}
		})
	}
}
