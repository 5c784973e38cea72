package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// restoreConfigWithTimestamp is a restore's configuration holding only plan_timestamp.
func restoreConfigWithTimestamp(t *testing.T, planTimestamp tftypes.Value) tfsdk.Config {
	t.Helper()
	s := mediaRestoreSchema()
	typ := objectType(t, s.Type().TerraformType(t.Context()))
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	values["plan_timestamp"] = planTimestamp
	return tfsdk.Config{Schema: s, Raw: tftypes.NewValue(typ, values)}
}

func TestPlanSeenAt(t *testing.T) {
	asOf := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	tests := []struct {
		name          string
		planTimestamp tftypes.Value
		wantSeenAt    time.Time
		wantKnown     bool
		// wantError is the error's summary and detail, joined by ": "; "" for no error.
		wantError string
	}{
		{name: "unset: the listing is not bounded", planTimestamp: tftypes.NewValue(tftypes.String, nil), wantKnown: true},
		{name: "unknown", planTimestamp: tftypes.NewValue(tftypes.String, tftypes.UnknownValue)},
		{name: "after as_of", planTimestamp: str("2026-11-28T12:00:00Z"), wantSeenAt: asOf.Add(150 * time.Minute), wantKnown: true},
		{name: "after as_of, in another zone", planTimestamp: str("2026-11-28T13:00:00+01:00"), wantSeenAt: asOf.Add(150 * time.Minute), wantKnown: true},
		{name: "equal to as_of", planTimestamp: str("2026-11-28T09:30:00Z"), wantSeenAt: asOf, wantKnown: true},
		{
			name:          "before as_of",
			planTimestamp: str("2026-11-28T09:29:59Z"),
			wantError: `plan_timestamp is before as_of: plan_timestamp = "2026-11-28T09:29:59Z" is before as_of = ` +
				`"2026-11-28T09:30:00Z", so the plan could not see any change to undo. Set plan_timestamp = plantimestamp(), ` +
				`the time of the plan.`,
		},
		{
			// Reading the value runs the type's validation, so the user sees the same message as at validate.
			name:          "not a time",
			planTimestamp: str("now"),
			wantError:     `Invalid time: plan_timestamp: "now" is not an RFC 3339 time`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seenAt, known, diags := planSeenAt(t.Context(), restoreConfigWithTimestamp(t, tc.planTimestamp), asOf)
			if known != tc.wantKnown || !seenAt.Equal(tc.wantSeenAt) {
				t.Errorf("seen at %s, known %t; want %s, %t", seenAt, known, tc.wantSeenAt, tc.wantKnown)
			}
			checkDiagnostics(t, diags, tc.wantError)
		})
	}
}
