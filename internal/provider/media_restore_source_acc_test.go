package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// restoreFromReplicaConfig is a pair replicating into replica and, unless pairOnly, a restore of its media
// bucket from the replica as of var.as_of, with extra lines for the restore.
func restoreFromReplicaConfig(pair pairConfig, replica string, pairOnly bool, extra string) string {
	pair.ResourceExtra += replicationBlock("arn:aws:s3:::"+replica, testReplicationRole, "", "")
	c := pair.String() + `
variable "as_of" {
  type    = string
  default = null
}
`
	if !pairOnly {
		c += fmt.Sprintf(`
resource "protectedmedia_media_restore" "test" {
  bucket        = protectedmedia_bucket_pair.test.media_bucket
  source_bucket = %q
  as_of         = var.as_of
%s}
`, replica, extra)
	}
	return c
}

// The media bucket's history is lost (a leaked key with s3:DeleteObjectVersion erased versions), and the
// replica that media_replication writes still has it: the restore reads the past from the replica and copies
// it back. SeaweedFS does not replicate, so the test writes into the replica what S3 would have replicated:
// the same objects, with the same content and so the same ETags.
func TestAccMediaRestore_fromReplica(t *testing.T) {
	testAccPreCheck(t) // skips outside TF_ACC, before the replica is made
	pair := newRestorePair(t)
	m := media{t, pair.Media}
	replica := newReplica(t, true) // through the proxy, whose AWS layer must see the replica versioned
	r := media{t, replica}

	var asOf string
	var replicaBefore, mediaBefore map[string]recovery.Version
	setup := func() {
		for _, kv := range [][2]string{{"a.jpg", "photo a"}, {"b.jpg", "photo b, longer"}, {"c.jpg", "photo c"}} {
			m.put(kv[0], kv[1])
			r.put(kv[0], kv[1])
		}
		asOf = markAsOf()
		m.put("b.jpg", "defaced") // overwritten...
		m.put("d.jpg", "uploaded after as_of")
		r.put("d.jpg", "uploaded after as_of")
		// ... and the history erased: every version of a.jpg, b.jpg's old one.
		for id, v := range m.versions() {
			if v.Key == "a.jpg" || (v.Key == "b.jpg" && !v.IsLatest) {
				_, err := accEnv.Direct.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(pair.Media),
					Key: aws.String(v.Key), VersionId: aws.String(id)})
				must(t, err)
			}
		}
		replicaBefore, mediaBefore = r.versions(), m.versions()
		resetCounts()
	}
	vars := asOfVars(&asOf)

	pairTest(t, pair, []resource.TestStep{
		{Config: restoreFromReplicaConfig(pair, replica, true, ""), ConfigVariables: vars},
		{
			PreConfig:       setup,
			Config:          restoreFromReplicaConfig(pair, replica, false, `  method = "remove_delete_markers"`+"\n"),
			ConfigVariables: vars,
			ExpectError:     regexp.MustCompile(`(?s)A restore from source_bucket copies`),
		},
		{
			Config:          restoreFromReplicaConfig(pair, pair.Media+"-nope", false, ""),
			ConfigVariables: vars,
			ExpectError:     regexp.MustCompile(`(?s)Source bucket does not exist`),
		},
		{
			Config:          restoreFromReplicaConfig(pair, replica, false, ""),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionCreate),
					// The dry run, from both buckets: a.jpg lost, b.jpg defaced, c.jpg as it was, d.jpg new.
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_count"), knownvalue.Int64Exact(2)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("pending_keys"), knownvalue.ListExact(stringChecks([]string{"a.jpg", "b.jpg"}))),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("deleted_count"), knownvalue.Int64Exact(1)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("overwritten_count"), knownvalue.Int64Exact(1)),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("restored_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("created_after_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(` from `+regexp.QuoteMeta(replica)+`$`))),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkObjects(m, map[string]string{"a.jpg": "photo a", "b.jpg": "photo b, longer", "c.jpg": "photo c", "d.jpg": "uploaded after as_of"}),
				checkNoVersionLost(m, &mediaBefore, 2),
				checkNoVersionLost(r, &replicaBefore, 0), // the replica is only read
				checkCalls(map[string]int{"CopyObject": 2}),
			),
		},
		{
			// Restored: nothing left to do.
			Config:          restoreFromReplicaConfig(pair, replica, false, ""),
			ConfigVariables: vars,
			PlanOnly:        true,
		},
	})
	if awsLayer.HoldsReplication(replica) {
		t.Errorf("the replica %s got a replication configuration", replica)
	}
}
