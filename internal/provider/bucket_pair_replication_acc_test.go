package provider

// media_replication against SeaweedFS, whose missing replication the proxy's AWS layer makes up for: the
// configuration is checked as S3 checks it (versioning on both buckets), written, read back on every refresh,
// shown as drift and repaired when changed or removed outside Terraform, handed to another account's owner on
// request, imported, and removed with the argument. What no test here can show: that S3 replicates anything,
// and that IAM lets the role do it (see the layer's replication.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketpolicy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
)

// testReplicationRole is a role of the account the tests run in (SeaweedFS's STS names it).
const testReplicationRole = "arn:aws:iam::" + seaweedAccount + ":role/pm-replication"

// newReplica creates a replica bucket through the proxy, versioned or not, and deletes it at the end.
func newReplica(t *testing.T, versioned bool) string {
	t.Helper()
	name := bucketName(t, "replica")
	c := viaProxy(t)
	_, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	must(t, err)
	// Emptied first: a test may have written into it what S3 would have replicated.
	t.Cleanup(func() { removeBucket(t, context.WithoutCancel(t.Context()), name) }) // t.Context() ends before cleanups run
	if versioned {
		_, err = c.PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
		must(t, err)
	}
	return name
}

// replicationBlock is a media_replication argument; account and class are left out when "".
func replicationBlock(destinationARN, role, account, class string) string {
	b := fmt.Sprintf("\n  media_replication = {\n    destination_bucket_arn = %q\n    role_arn               = %q\n", destinationARN, role)
	if account != "" {
		b += fmt.Sprintf("    destination_account_id = %q\n", account)
	}
	if class != "" {
		b += fmt.Sprintf("    storage_class          = %q\n", class)
	}
	return b + "  }\n"
}

func TestAccBucketPair_replication(t *testing.T) {
	testAccPreCheck(t) // skips outside TF_ACC, before the replicas are made
	replica := newReplica(t, true)
	unversioned := newReplica(t, false)
	replicaARN := "arn:aws:s3:::" + replica
	cfg := newPair(t)
	mediaARN := "arn:aws:s3:::" + cfg.Media
	with := func(dest, role, account, class string) pairConfig {
		c := cfg
		c.ResourceExtra = replicationBlock(dest, role, account, class)
		return c
	}
	sameAccount := with(replicaARN, testReplicationRole, "", "")
	crossAccount := with(replicaARN, testReplicationRole, "444455556666", "GLACIER_IR")
	want := func(account, class string) *bucketstate.Replication {
		return bucketstate.MediaReplication(&bucketstate.ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: testReplicationRole,
			DestinationAccount: account, StorageClass: class})
	}
	// The media bucket under a KMS key, its replicas under a key of another region (the replica's).
	mediaKey := kmsKeyARN(t)
	replicaKey := strings.Replace(kmsKeyARN(t), ":"+locals3.Region+":", ":eu-west-1:", 1)
	keyedNoReplicaKey := cfg
	keyedNoReplicaKey.ResourceExtra = kmsKeys(mediaKey, "") + replicationBlock(replicaARN, testReplicationRole, "", "")
	keyed := cfg
	keyed.ResourceExtra = kmsKeys(mediaKey, "") + replicaKeyBlock(replicaARN, testReplicationRole, replicaKey)
	wantKeyed := bucketstate.MediaReplication(&bucketstate.ReplicaSpec{DestinationBucketARN: replicaARN, RoleARN: testReplicationRole,
		ReplicaKMSKey: replicaKey})
	keyedRolePolicy := bucketpolicy.ReplicationRolePolicy(mediaARN, replicaARN, false, bucketpolicy.ReplicationKeys{
		SourceKeyARN: mediaKey, SourceViaService: "s3." + locals3.Region + ".amazonaws.com",
		ReplicaKeyARN: replicaKey, ReplicaViaService: "s3.eu-west-1.amazonaws.com"})

	pairTest(t, cfg, []resource.TestStep{
		{
			Config:      with(mediaARN, testReplicationRole, "", "").String(),
			ExpectError: regexp.MustCompile(`(?s)The replica must be a bucket of its own.*names the media bucket`),
		},
		{
			Config:      with(replicaARN, "arn:aws:iam::999988887777:role/pm-replication", "", "").String(),
			ExpectError: regexp.MustCompile(`(?s)The replication role belongs to another account.*account 999988887777`),
		},
		{
			Config:      with("arn:aws:s3:::"+replica+"/*", testReplicationRole, "", "").String(),
			ExpectError: regexp.MustCompile(`(?s)Invalid replica bucket ARN.*is not an S3 bucket ARN`),
		},
		{
			Config:      with(replicaARN, "arn:aws:iam::000000000000:user/ci", "", "").String(),
			ExpectError: regexp.MustCompile(`(?s)Invalid replication role ARN.*is not an IAM\s+role`),
		},
		{
			Config:      with(replicaARN, testReplicationRole, "4444", "").String(),
			ExpectError: regexp.MustCompile(`(?s)Invalid account ID.*12 digits`),
		},
		{
			Config:      with(replicaARN, testReplicationRole, "", "COLD").String(),
			ExpectError: regexp.MustCompile(`(?s)storage_class value must be one of`),
		},
		{
			Config: sameAccount.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					// Known at plan time: the role and its policy can be created in the same apply.
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_role_policy_json"),
						knownvalue.StringFunc(equivalentTo(bucketpolicy.ReplicationRolePolicy(mediaARN, replicaARN, false, bucketpolicy.ReplicationKeys{})))),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_trust_policy_json"),
						knownvalue.StringFunc(equivalentTo(bucketpolicy.ReplicationTrustPolicy()))),
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_destination_policy_json"),
						knownvalue.StringFunc(equivalentTo(bucketpolicy.ReplicationDestinationPolicy(replicaARN, testReplicationRole, false)))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_role_policy_json"), knownvalue.StringFunc(grantsNoDelete)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_destination_policy_json"), knownvalue.StringFunc(grantsNoDelete)),
			},
			Check: checkReplication(t, cfg.Media, want("", "")),
		},
		{
			// Someone lets delete markers through by hand: drift, repaired.
			PreConfig: func() {
				_, err := viaProxy(t).PutBucketReplication(t.Context(), &s3.PutBucketReplicationInput{Bucket: aws.String(cfg.Media),
					ReplicationConfiguration: &s3types.ReplicationConfiguration{Role: aws.String(testReplicationRole), Rules: []s3types.ReplicationRule{{
						ID: aws.String("by-hand"), Priority: aws.Int32(1), Status: s3types.ReplicationRuleStatusEnabled,
						Filter:                  &s3types.ReplicationRuleFilter{Prefix: aws.String("")},
						DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusEnabled},
						Destination:             &s3types.Destination{Bucket: aws.String(replicaARN)},
					}}}})
				must(t, err)
			},
			Config: sameAccount.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					expectPriorDrift(`media bucket .*: replication is to ` + regexp.QuoteMeta(replicaARN) + `, replicating delete markers as .*, want to ` +
						regexp.QuoteMeta(replicaARN) + ` as ` + regexp.QuoteMeta(testReplicationRole) + `$`),
				},
			},
			Check: checkReplication(t, cfg.Media, want("", "")),
		},
		{
			// ... and removes it: drift, written again.
			PreConfig: func() {
				_, err := viaProxy(t).DeleteBucketReplication(t.Context(), &s3.DeleteBucketReplicationInput{Bucket: aws.String(cfg.Media)})
				must(t, err)
			},
			Config: sameAccount.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					expectPriorDrift(`media bucket .*: replication is absent, want to ` + regexp.QuoteMeta(replicaARN)),
				},
			},
			Check: checkReplication(t, cfg.Media, want("", "")),
		},
		{
			// S3 refuses a replica without versioning; the pair says which bucket and why.
			Config:      with("arn:aws:s3:::"+unversioned, testReplicationRole, "", "").String(),
			ExpectError: regexp.MustCompile(`(?s)replication on media bucket.*InvalidRequest.*Destination bucket must have versioning enabled`),
		},
		{
			// Another account owns the replica and takes the replicas over, in another storage class.
			Config: crossAccount.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_role_policy_json"),
					knownvalue.StringFunc(equivalentTo(bucketpolicy.ReplicationRolePolicy(mediaARN, replicaARN, true, bucketpolicy.ReplicationKeys{})))),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_destination_policy_json"),
					knownvalue.StringFunc(equivalentTo(bucketpolicy.ReplicationDestinationPolicy(replicaARN, testReplicationRole, true)))),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_destination_policy_json"), knownvalue.StringFunc(
					grants("arn:aws:iam::"+seaweedAccount+":root", "s3:ObjectOwnerOverrideToBucketOwner", replicaARN+"/*"))),
			},
			Check: checkReplication(t, cfg.Media, want("444455556666", "GLACIER_IR")),
		},
		{
			ResourceName:      pairAddr,
			ImportState:       true,
			ImportStateId:     cfg.Media + "," + cfg.Static,
			ImportStateVerify: true,
		},
		{
			// Under a media key, a replica without a replica key would silently miss every new object: refused
			// at plan time, nothing written.
			PreConfig:   func() { addKeys(mediaKey) },
			Config:      keyedNoReplicaKey.String(),
			ExpectError: regexp.MustCompile(`(?s)A replica of a KMS-encrypted media bucket needs a replica key.*media_replication.replica_kms_key_arn.*silently\s+skip\s+every\s+object`),
		},
		{
			// With one: the rule opts in to SSE-KMS objects and names the replica key, and the role may use both keys.
			Config: keyed.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_role_policy_json"), knownvalue.StringFunc(equivalentTo(keyedRolePolicy))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("drift"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_replication").AtMapKey("replica_kms_key_arn"), knownvalue.StringExact(replicaKey)),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_role_policy_json"), knownvalue.StringFunc(grantsNoDelete)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkReplication(t, cfg.Media, wantKeyed), checkKMSElements(t, cfg.Media, replicaKey)),
		},
		{
			// Someone rewrites the rule without SourceSelectionCriteria (and so without the key S3 would then
			// refuse): drift, repaired.
			PreConfig: func() {
				_, err := viaProxy(t).PutBucketReplication(t.Context(), &s3.PutBucketReplicationInput{Bucket: aws.String(cfg.Media),
					ReplicationConfiguration: &s3types.ReplicationConfiguration{Role: aws.String(testReplicationRole), Rules: []s3types.ReplicationRule{{
						ID: aws.String("by-hand"), Priority: aws.Int32(1), Status: s3types.ReplicationRuleStatusEnabled,
						Filter:                  &s3types.ReplicationRuleFilter{Prefix: aws.String("")},
						DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled},
						Destination:             &s3types.Destination{Bucket: aws.String(replicaARN)},
					}}}})
				must(t, err)
			},
			Config: keyed.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pairAddr, plancheck.ResourceActionUpdate),
					expectPriorDrift(`media bucket .*: replication is to ` + regexp.QuoteMeta(replicaARN) + ` as .*, want to ` +
						regexp.QuoteMeta(replicaARN) + `, SSE-KMS objects encrypted with ` + regexp.QuoteMeta(replicaKey) + ` as `),
				},
			},
			Check: resource.ComposeAggregateTestCheckFunc(checkReplication(t, cfg.Media, wantKeyed), checkKMSElements(t, cfg.Media, replicaKey)),
		},
		{
			ResourceName:      pairAddr,
			ImportState:       true,
			ImportStateId:     cfg.Media + "," + cfg.Static,
			ImportStateVerify: true,
		},
		{
			// Without the argument the configuration goes, and so do the documents.
			Config: cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("media_replication"), knownvalue.Null()),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_role_policy_json"), knownvalue.Null()),
				statecheck.ExpectKnownValue(pairAddr, tfjsonpath.New("replication_destination_policy_json"), knownvalue.Null()),
			},
			Check: checkReplication(t, cfg.Media, nil),
		},
	})
}

// replicaKeyBlock is a media_replication argument with a replica key.
func replicaKeyBlock(destinationARN, role, key string) string {
	b := replicationBlock(destinationARN, role, "", "")
	return strings.TrimSuffix(b, "  }\n") + fmt.Sprintf("    replica_kms_key_arn    = %q\n  }\n", key)
}

// checkKMSElements checks the two elements of the replica key in the configuration as the proxy answers it:
// SseKmsEncryptedObjects Enabled and ReplicaKmsKeyID.
func checkKMSElements(t *testing.T, bucket, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := viaProxy(t).GetBucketReplication(t.Context(), &s3.GetBucketReplicationInput{Bucket: aws.String(bucket)})
		if err != nil {
			return err
		}
		r := out.ReplicationConfiguration.Rules[0]
		if c := r.SourceSelectionCriteria; c == nil || c.SseKmsEncryptedObjects == nil || c.SseKmsEncryptedObjects.Status != s3types.SseKmsEncryptedObjectsStatusEnabled {
			return fmt.Errorf("%s: SourceSelectionCriteria %+v, want SseKmsEncryptedObjects Enabled", bucket, c)
		}
		if e := r.Destination.EncryptionConfiguration; e == nil || aws.ToString(e.ReplicaKmsKeyID) != key {
			return fmt.Errorf("%s: EncryptionConfiguration %+v, want ReplicaKmsKeyID %s", bucket, e, key)
		}
		return nil
	}
}

// checkReplication checks the media bucket's configuration as the proxy answers it (SeaweedFS keeps none):
// want by meaning, and the pair's own rule exactly (priority 1, a whole-bucket Filter, delete markers off).
func checkReplication(t *testing.T, bucket string, want *bucketstate.Replication) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := s3api.FindReplication(t.Context(), viaProxy(t), bucket)
		if err != nil {
			return err
		}
		if !bucketstate.ReplicationEqual(got, want) {
			return fmt.Errorf("%s replication %+v, want %+v", bucket, got, want)
		}
		if want == nil {
			if awsLayer.HoldsReplication(bucket) {
				return fmt.Errorf("%s: the proxy still keeps a replication configuration", bucket)
			}
			return nil
		}
		r := got.Rules[0]
		if r.Priority == nil || *r.Priority != 1 || !r.Filter || r.Prefix != "" || r.DeleteMarkerReplication != bucketstate.ReplicationDisabled ||
			r.ID != bucketstate.ReplicationRuleID || got.DeletesReachReplica() {
			return fmt.Errorf("%s rule %+v, want the pair's: priority 1, the whole bucket, delete markers Disabled", bucket, r)
		}
		return nil
	}
}

// equivalentTo checks a policy document by meaning.
func equivalentTo(want string) func(string) error {
	return func(got string) error {
		if ok, err := bucketpolicy.Equivalent(want, got); err != nil || !ok {
			return fmt.Errorf("policy %s, want one equivalent to %s (%v)", got, want, err)
		}
		return nil
	}
}

// grantsNoDelete checks that no statement of a policy allows a delete or a versioning change.
func grantsNoDelete(doc string) error {
	var p struct {
		Statement []struct {
			Effect string
			Action []string
		}
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return err
	}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			if s.Effect == "Allow" && (strings.Contains(strings.ToLower(a), "delete") || a == "s3:PutBucketVersioning" || strings.Contains(a, "*")) {
				return fmt.Errorf("the policy allows %s", a)
			}
		}
	}
	return nil
}

// grants checks that a bucket policy allows principal (an AWS principal) action on resource.
func grants(principal, action, resource string) func(string) error {
	return func(doc string) error {
		var p struct {
			Statement []struct {
				Effect    string
				Principal map[string]string
				Action    []string
				Resource  []string
			}
		}
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			return err
		}
		for _, s := range p.Statement {
			if s.Effect == "Allow" && s.Principal["AWS"] == principal && slices.Contains(s.Action, action) && slices.Contains(s.Resource, resource) {
				return nil
			}
		}
		return fmt.Errorf("no statement of %s allows %s %s on %s", doc, principal, action, resource)
	}
}
