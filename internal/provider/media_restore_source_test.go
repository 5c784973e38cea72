package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

func TestToRestoreSpecFromSource(t *testing.T) {
	base := func() mediaRestoreModel {
		return mediaRestoreModel{Bucket: types.StringValue("example-media"), Prefix: types.StringValue(""),
			AsOf: rfc3339Of("2026-11-28T10:30:00Z"), Method: types.StringValue("copy"), DeleteCreatedAfter: types.BoolValue(false),
			SourceBucket: types.StringValue("example-media-replica"), SourceBucketOwner: types.StringValue("444455556666")}
	}
	tests := []struct {
		name      string
		change    func(*mediaRestoreModel)
		wantKnown bool
		wantError string // a part of the only error's summary and detail; "" for none
	}{
		{name: "from a replica of another account", wantKnown: true},
		{name: "from a replica of the same account", change: func(m *mediaRestoreModel) { m.SourceBucketOwner = types.StringNull() }, wantKnown: true},
		{name: "unknown source", change: func(m *mediaRestoreModel) { m.SourceBucket = types.StringUnknown() }},
		{name: "unknown owner", change: func(m *mediaRestoreModel) { m.SourceBucketOwner = types.StringUnknown() }},
		{name: "the bucket itself", change: func(m *mediaRestoreModel) { m.SourceBucket = types.StringValue("example-media") },
			wantError: "source_bucket is the bucket restored into"},
		{name: "removing delete markers", change: func(m *mediaRestoreModel) { m.Method = types.StringValue("remove_delete_markers") },
			wantError: "A restore from source_bucket copies"},
		{name: "an owner without a source", change: func(m *mediaRestoreModel) { m.SourceBucket = types.StringNull() },
			wantError: "source_bucket_owner without source_bucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base()
			if tt.change != nil {
				tt.change(&m)
			}
			spec, known, diags := toRestoreSpec(m, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
			if known != tt.wantKnown {
				t.Fatalf("known = %t, want %t (%v)", known, tt.wantKnown, diags)
			}
			switch {
			case tt.wantError == "" && diags.HasError():
				t.Errorf("errors %v", diags)
			case tt.wantError != "" && (len(diags) != 1 || !strings.Contains(diags[0].Summary()+": "+diags[0].Detail(), tt.wantError)):
				t.Errorf("diagnostics %v, want one saying %q", diags, tt.wantError)
			}
			if known && (spec.Source != m.SourceBucket.ValueString() || spec.SourceOwner != m.SourceBucketOwner.ValueString() ||
				spec.Options.Method != recovery.MethodCopy) {
				t.Errorf("spec %+v does not restore from %s", spec, m.SourceBucket)
			}
		})
	}

	// The options hand the source to s3api.Restore with the rest of the spec.
	spec, _, _ := toRestoreSpec(base(), time.Time{})
	o := restoreOptions(spec, s3api.RestoreOptions{DryRun: true, SampleSize: 3})
	if o.Source != "example-media-replica" || o.SourceOwner != "444455556666" || !o.AsOf.Equal(spec.AsOf) || !o.DryRun || o.SampleSize != 3 ||
		o.Recovery.Method != recovery.MethodCopy {
		t.Errorf("restoreOptions = %+v", o)
	}
	if id := restoreID(base()); id != "example-media/@2026-11-28T10:30:00Z from example-media-replica" {
		t.Errorf("restoreID = %q", id)
	}
}
