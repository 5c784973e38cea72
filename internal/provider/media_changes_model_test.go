package provider

import (
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

func TestSetChanges(t *testing.T) {
	since := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	cet := time.FixedZone("CET", 3600)
	version := func(id string, at time.Time, size int64) recovery.Version {
		return recovery.Version{VersionID: id, LastModified: at, Size: size}
	}
	archived := func(v recovery.Version) recovery.Version { v.StorageClass = "GLACIER"; return v }
	deleted := func(key string, existed bool) recovery.DeletedObject {
		return recovery.DeletedObject{
			Key:            key,
			Version:        archived(version("v-"+key, since.Add(-time.Hour), 12)),
			Marker:         recovery.Version{VersionID: "m-" + key, IsDeleteMarker: true, LastModified: since.Add(time.Minute).In(cet)},
			ExistedAtSince: existed,
		}
	}
	deletedEntry := func(key string, existed bool) deletedModel {
		return deletedModel{
			Key: types.StringValue(key), VersionID: types.StringValue("v-" + key),
			LastModified: types.StringValue("2026-11-28T08:30:00Z"), Size: types.Int64Value(12),
			// Rendered in UTC whatever zone the time came in.
			DeletedAt:             types.StringValue("2026-11-28T09:31:00Z"),
			DeleteMarkerVersionID: types.StringValue("m-" + key), ExistedAtSince: types.BoolValue(existed),
			StorageClass: types.StringValue("GLACIER"), RetainUntil: types.StringNull(),
		}
	}
	overwritten := recovery.OverwrittenObject{
		Key:     "c",
		AtSince: recovery.Version{VersionID: "v-c", LastModified: since.Add(-time.Hour), Size: 5, StorageClass: "STANDARD"},
		Current: version("v-c2", since.Add(2*time.Minute), 13),
	}
	overwrittenEntry := overwrittenModel{
		Key: types.StringValue("c"), VersionID: types.StringValue("v-c"), LastModified: types.StringValue("2026-11-28T08:30:00Z"),
		Size: types.Int64Value(5), CurrentVersionID: types.StringValue("v-c2"),
		CurrentLastModified: types.StringValue("2026-11-28T09:32:00Z"), CurrentSize: types.Int64Value(13),
		StorageClass: types.StringValue("STANDARD"), RetainUntil: types.StringNull(),
	}
	locked := func(e deletedModel, until string) deletedModel { e.RetainUntil = types.StringValue(until); return e }

	tests := []struct {
		name  string
		limit int
		fill  func(*recovery.Changes)
		locks map[string]bucketstate.VersionLock
		want  mediaChangesModel
	}{
		{
			// Lists are empty, never null: a user can take length() of them.
			name: "nothing changed", limit: 10,
			fill: func(c *recovery.Changes) { c.Keys = 4 },
			want: mediaChangesModel{
				KeyCount: types.Int64Value(4), DeletedCount: types.Int64Value(0), OverwrittenCount: types.Int64Value(0),
				CreatedCount: types.Int64Value(0), Truncated: types.BoolValue(false),
				Deleted: []deletedModel{}, Overwritten: []overwrittenModel{},
			},
		},
		{
			name: "one of each, in key order", limit: 10,
			fill: func(c *recovery.Changes) {
				c.Keys, c.DeletedCount, c.OverwrittenCount, c.CreatedCount = 6, 2, 1, 1
				c.Deleted.Add(deleted("g", false))
				c.Deleted.Add(deleted("a", true))
				c.Overwritten.Add(overwritten)
			},
			want: mediaChangesModel{
				KeyCount: types.Int64Value(6), DeletedCount: types.Int64Value(2), OverwrittenCount: types.Int64Value(1),
				CreatedCount: types.Int64Value(1), Truncated: types.BoolValue(false),
				Deleted:     []deletedModel{deletedEntry("a", true), deletedEntry("g", false)},
				Overwritten: []overwrittenModel{overwrittenEntry},
			},
		},
		{
			name: "more than max_keys", limit: 1,
			fill: func(c *recovery.Changes) {
				c.Keys, c.DeletedCount, c.OverwrittenCount = 6, 2, 1
				c.Deleted.Add(deleted("g", false))
				c.Deleted.Add(deleted("a", true))
				c.Overwritten.Add(overwritten)
			},
			want: mediaChangesModel{
				KeyCount: types.Int64Value(6), DeletedCount: types.Int64Value(2), OverwrittenCount: types.Int64Value(1),
				CreatedCount: types.Int64Value(0), Truncated: types.BoolValue(true),
				Deleted:     []deletedModel{deletedEntry("a", true)},
				Overwritten: []overwrittenModel{overwrittenEntry},
			},
		},
		{
			// Each listed version's retention, by its version ID; a legal hold alone has no date to show.
			name: "retain-until of locked versions", limit: 10,
			fill: func(c *recovery.Changes) {
				c.Keys, c.DeletedCount, c.OverwrittenCount = 6, 2, 1
				c.Deleted.Add(deleted("g", false))
				c.Deleted.Add(deleted("a", true))
				c.Overwritten.Add(overwritten)
			},
			locks: map[string]bucketstate.VersionLock{
				"v-a": {Mode: bucketstate.LockGovernance, RetainUntil: since.Add(24 * time.Hour).In(cet)},
				"v-g": {LegalHold: true},
				"v-c": {Mode: bucketstate.LockCompliance, RetainUntil: since.Add(48 * time.Hour)},
				// The current version's lock is not what the entry reports.
				"v-c2": {Mode: bucketstate.LockCompliance, RetainUntil: since.Add(72 * time.Hour)},
			},
			want: mediaChangesModel{
				KeyCount: types.Int64Value(6), DeletedCount: types.Int64Value(2), OverwrittenCount: types.Int64Value(1),
				CreatedCount: types.Int64Value(0), Truncated: types.BoolValue(false),
				Deleted: []deletedModel{locked(deletedEntry("a", true), "2026-11-29T09:30:00Z"), deletedEntry("g", false)},
				Overwritten: []overwrittenModel{func() overwrittenModel {
					o := overwrittenEntry
					o.RetainUntil = types.StringValue("2026-11-30T09:30:00Z")
					return o
				}()},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := recovery.NewChanges(since, tc.limit)
			tc.fill(c)
			// setChanges leaves the arguments alone.
			m := mediaChangesModel{Bucket: types.StringValue("example-media"), Since: rfc3339Of("2026-11-28T10:30:00+01:00")}
			m.setChanges(c, tc.locks)
			tc.want.Bucket, tc.want.Since = m.Bucket, rfc3339Of("2026-11-28T10:30:00+01:00")
			if !reflect.DeepEqual(m, tc.want) {
				t.Fatalf("model\n%+v\nwant\n%+v", m, tc.want)
			}
		})
	}
}

// The model and the schema agree: the framework writes a report into state and reads it back unchanged.
func TestMediaChangesModelMatchesSchema(t *testing.T) {
	ctx := t.Context()
	s := mediaChangesSchema()
	c := recovery.NewChanges(time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC), 10)
	c.Keys, c.DeletedCount = 1, 1
	c.Deleted.Add(recovery.DeletedObject{Key: "a", Version: recovery.Version{VersionID: "v"}, Marker: recovery.Version{VersionID: "m"}})
	m := mediaChangesModel{
		ID: types.StringValue("example-media/@2026-11-28T09:30:00Z"), Bucket: types.StringValue("example-media"),
		Prefix: types.StringNull(), Since: rfc3339Of("2026-11-28T09:30:00Z"), MaxKeys: types.Int64Null(),
	}
	m.setChanges(c, map[string]bucketstate.VersionLock{"v": {Mode: bucketstate.LockGovernance, RetainUntil: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}})
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, &m); diags.HasError() {
		t.Fatalf("set: %v", diags)
	}
	var back mediaChangesModel
	if diags := state.Get(ctx, &back); diags.HasError() {
		t.Fatalf("get: %v", diags)
	}
	if !reflect.DeepEqual(back, m) {
		t.Fatalf("round trip\n%+v\nwant\n%+v", back, m)
	}
}
