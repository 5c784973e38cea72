package provider

import (
	"maps"
	"testing"
)

func TestSilenceUnreadLogs(t *testing.T) {
	allOff := map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER_PROTECTEDMEDIA": "OFF"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want map[string]string // the variables set, and to what
	}{
		{"no logging", map[string]string{}, allOff},
		{"TF_LOG=off", map[string]string{"TF_LOG": "off"}, allOff},
		{"TF_LOG_PROVIDER=OFF over TF_LOG", map[string]string{"TF_LOG": "trace", "TF_LOG_PROVIDER": "OFF"}, allOff},
		{"explicit levels kept", map[string]string{"TF_LOG_SDK_PROTO": "TRACE"}, map[string]string{
			"TF_LOG_SDK": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER_PROTECTEDMEDIA": "OFF",
		}},
		{"TF_LOG set", map[string]string{"TF_LOG": "debug"}, map[string]string{}},
		{"TF_LOG=JSON", map[string]string{"TF_LOG": "JSON"}, map[string]string{}},
		{"TF_LOG_PROVIDER set", map[string]string{"TF_LOG_PROVIDER": "trace"}, map[string]string{}},
		{"TF_LOG_PROVIDER over TF_LOG=off", map[string]string{"TF_LOG": "off", "TF_LOG_PROVIDER": "info"}, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			set := func(k, v string) error { got[k] = v; return nil }
			silenceUnreadLogs(lookup, set)
			if !maps.Equal(got, tc.want) {
				t.Errorf("set %v, want %v", got, tc.want)
			}
		})
	}
}
