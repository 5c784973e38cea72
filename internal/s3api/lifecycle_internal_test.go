package s3api

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// The rule the provider writes with transitions reads back as the same Lifecycle; a rule with a transition
// the provider never writes (of current versions, or keeping newer versions) is someone else's.
func TestLifecycleFromRulesTransitions(t *testing.T) {
	ours := types.LifecycleRule{
		ID: aws.String(lifecycleRuleID), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
		NoncurrentVersionTransitions: []types.NoncurrentVersionTransition{
			{NoncurrentDays: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa},
			{NoncurrentDays: aws.Int32(90), StorageClass: types.TransitionStorageClassGlacierIr},
		},
		NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(365)},
	}
	got := lifecycleFromRules([]types.LifecycleRule{ours})
	want := bucketstate.Lifecycle{NoncurrentDays: 365, Transitions: []bucketstate.Transition{{Days: 30, StorageClass: "STANDARD_IA"}, {Days: 90, StorageClass: "GLACIER_IR"}}}
	if !got.Equal(want) {
		t.Errorf("lifecycleFromRules = %+v, want %+v", got, want)
	}

	current := ours
	current.Transitions = []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa}}
	if !lifecycleFromRules([]types.LifecycleRule{current}).Foreign {
		t.Error("a transition of current versions is not the provider's")
	}
	keeping := ours
	keeping.NoncurrentVersionTransitions = []types.NoncurrentVersionTransition{
		{NoncurrentDays: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa, NewerNoncurrentVersions: aws.Int32(2)}}
	if !lifecycleFromRules([]types.LifecycleRule{keeping}).Foreign {
		t.Error("a transition keeping newer versions is not the provider's")
	}
}
