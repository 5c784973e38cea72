package bucketpolicy

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

const testARN = "arn:aws:s3:::pm-static"

func TestDesired(t *testing.T) {
	denyInsecure := map[string]any{
		"Sid":       "DenyInsecureTransport",
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    "s3:*",
		"Resource":  []any{testARN, testARN + "/*"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}
	publicRead := map[string]any{
		"Sid":       "PublicReadGetObject",
		"Effect":    "Allow",
		"Principal": "*",
		"Action":    "s3:GetObject",
		"Resource":  testARN + "/*",
	}
	tests := []struct {
		name       string
		publicRead bool
		want       []any
	}{
		{name: "private", publicRead: false, want: []any{denyInsecure}},
		{name: "public read", publicRead: true, want: []any{denyInsecure, publicRead}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Desired(testARN, tt.publicRead)

			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(got)); err != nil {
				t.Fatalf("Desired is not valid JSON: %v\n%s", err, got)
			}
			if compact.String() != got {
				t.Errorf("Desired is not compact:\n got %s\nwant %s", got, compact.String())
			}

			var doc map[string]any
			if err := json.Unmarshal([]byte(got), &doc); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			want := map[string]any{"Version": "2012-10-17", "Statement": tt.want}
			if !reflect.DeepEqual(doc, want) {
				t.Errorf("Desired(%q, %v) =\n%s\nwant the document\n%#v", testARN, tt.publicRead, got, want)
			}

			// The provider's own output must survive its own comparison.
			if eq, err := Equivalent(got, got); err != nil || !eq {
				t.Errorf("Equivalent(Desired, Desired) = %v, %v; want true, nil", eq, err)
			}
		})
	}
}
