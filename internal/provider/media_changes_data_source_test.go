package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The changes data source: what was deleted and overwritten since a time, with version IDs and times, and
// bounded lists.
func TestAccMediaChanges_basic(t *testing.T) {
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	var asOf string
	ids := map[string]string{}
	vars := asOfVars(&asOf)
	cfg := restoreConfig{Pair: pair, Prefix: "files/", NoRestore: true, Changes: true}
	bounded := cfg
	bounded.MaxKeys = 1
	id := func(name string) knownvalue.Check {
		return knownvalue.StringFunc(func(v string) error {
			if v == "" || v != ids[name] {
				return fmt.Errorf("%q, want %s = %q", v, name, ids[name])
			}
			return nil
		})
	}
	afterAsOf := knownvalue.StringFunc(func(v string) error {
		if v <= asOf {
			return fmt.Errorf("%s is not after as_of %s", v, asOf)
		}
		return nil
	})
	pairTest(t, pair, []resource.TestStep{
		{Config: restoreConfig{Pair: pair, NoRestore: true}.String(), ConfigVariables: vars},
		{
			PreConfig: func() {
				for _, k := range []string{"a", "b", "c", "d"} {
					ids[k] = m.put("files/"+k, "content of "+k)
				}
				asOf = markAsOf()
				ids["a-marker"] = m.delete("files/a")
				ids["b2"] = m.put("files/b", "b changed, then deleted")
				ids["b-marker"] = m.delete("files/b")
				ids["c2"] = m.put("files/c", "c overwritten")
				ids["e"] = m.put("files/e", "created after")
				ids["g"] = m.put("files/g", "created and deleted after")
				m.delete("files/g")
			},
			Config:          cfg.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("key_count"), knownvalue.Int64Exact(6)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("deleted_count"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("overwritten_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("created_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("truncated"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("deleted"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"key": knownvalue.StringExact("files/a"), "version_id": id("a"), "delete_marker_version_id": id("a-marker"),
						"existed_at_since": knownvalue.Bool(true), "size": knownvalue.Int64Exact(int64(len("content of a"))), "deleted_at": afterAsOf,
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						// The content that was deleted is the later version.
						"key": knownvalue.StringExact("files/b"), "version_id": id("b2"), "delete_marker_version_id": id("b-marker"),
						"existed_at_since": knownvalue.Bool(true),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"key": knownvalue.StringExact("files/g"), "version_id": id("g"), "existed_at_since": knownvalue.Bool(false),
					}),
				})),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("overwritten"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"key": knownvalue.StringExact("files/c"), "version_id": id("c"), "current_version_id": id("c2"),
						"current_last_modified": afterAsOf, "current_size": knownvalue.Int64Exact(int64(len("c overwritten"))),
					}),
				})),
			},
		},
		{
			Config:          bounded.String(),
			ConfigVariables: vars,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("deleted_count"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("truncated"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("deleted"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact("files/a")}),
				})),
				statecheck.ExpectKnownValue(changesAddr, tfjsonpath.New("overwritten"), knownvalue.ListSizeExact(1)),
			},
		},
	})
}
