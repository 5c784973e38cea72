package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

// The guard's lock-out check, with the caller handed in as the provider hands it STS's answer.
func TestGuardLockout(t *testing.T) {
	const admin = "arn:aws:iam::123456789012:role/terraform"
	session := "arn:aws:sts::123456789012:assumed-role/terraform/ci-run-42"
	tests := []struct {
		name      string
		exempt    []string
		caller    string
		callerErr error
		want      diag.Severity // 0: no diagnostic
		says      string
	}{
		{"caller's role exempt", []string{admin}, admin, nil, 0, ""},
		{"role session of an exempt role", []string{admin}, session, nil, 0, ""},
		{"wildcard covers the role", []string{"arn:aws:iam::123456789012:role/terra*"}, session, nil, 0, ""},
		{"caller not exempt", []string{"arn:aws:iam::123456789012:role/break-glass"}, session, nil, diag.SeverityError, "The guard would lock Terraform out"},
		{"caller unknown", []string{admin}, "", errors.New("no STS endpoint"), diag.SeverityWarning, "Cannot check the guard against the caller"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := guardLockout(tt.exempt, tt.caller, tt.callerErr)
			if tt.want == 0 {
				if len(diags) != 0 {
					t.Fatalf("diagnostics %v, want none", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Severity() != tt.want || diags[0].Summary() != tt.says {
				t.Fatalf("diagnostics %v, want one %v %q", diags, tt.want, tt.says)
			}
			if tt.callerErr == nil && !strings.Contains(diags[0].Detail(), tt.caller) {
				t.Errorf("the detail does not name the caller %s: %s", tt.caller, diags[0].Detail())
			}
		})
	}
}

// When a plan needs an MFA code and why, from the refreshed state and the plan.
func TestPlannedMFAWrite(t *testing.T) {
	state := func(mfa bool, versioning string) bucketPairModel {
		return bucketPairModel{MFADelete: types.BoolValue(mfa), MediaVersioning: types.StringValue(versioning)}
	}
	plan := func(mfa types.Bool) bucketPairModel { return bucketPairModel{MFADelete: mfa} }
	tests := []struct {
		name        string
		creating    bool
		state, plan bucketPairModel
		want        string
	}{
		{"create without", true, bucketPairModel{}, plan(types.BoolValue(false)), ""},
		{"create with", true, bucketPairModel{}, plan(types.BoolValue(true)), "creates a media bucket with MFA Delete"},
		{"create with an unknown mfa_delete", true, bucketPairModel{}, plan(types.BoolUnknown()), ""},
		{"turn on", false, state(false, "Enabled"), plan(types.BoolValue(true)), "enables MFA Delete on the media bucket"},
		{"turn off", false, state(true, "Enabled"), plan(types.BoolValue(false)), "disables MFA Delete on the media bucket"},
		{"unknown may turn it on", false, state(false, "Enabled"), plan(types.BoolUnknown()), "enables MFA Delete on the media bucket"},
		{"unknown may turn it off", false, state(true, "Enabled"), plan(types.BoolUnknown()), "disables MFA Delete on the media bucket"},
		{"versioning repair under MFA Delete", false, state(true, "Suspended"), plan(types.BoolValue(true)), "repairs versioning on a media bucket with MFA Delete"},
		{"nothing guarded", false, state(true, "Enabled"), plan(types.BoolValue(true)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			what, guarded := plannedMFAWrite(tt.creating, tt.state, tt.plan)
			if what != tt.want || guarded != (tt.want != "") {
				t.Errorf("plannedMFAWrite = %q, %t; want %q", what, guarded, tt.want)
			}
		})
	}
}

// A public static bucket against the account's own Block Public Access.
func TestAccountBlocksPublicStatic(t *testing.T) {
	block := func(policy, restrict bool) s3api.AccountBlock {
		return s3api.AccountBlock{Account: "123456789012", Block: &bucketstate.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: policy, RestrictPublicBuckets: restrict}}
	}
	tests := []struct {
		name  string
		block s3api.AccountBlock
		err   error
		want  diag.Severity
		says  []string
	}{
		{"no account block", s3api.AccountBlock{Account: "123456789012"}, nil, 0, nil},
		{"S3-compatible endpoint", s3api.AccountBlock{NotApplicable: true}, nil, 0, nil},
		{"ACLs only", block(false, false), nil, 0, nil},
		{"public policies blocked", block(true, false), nil, diag.SeverityError, []string{"BlockPublicPolicy is on", "--account-id 123456789012", "BlockPublicAcls=true"}},
		{"public buckets restricted", block(false, true), nil, diag.SeverityError, []string{"RestrictPublicBuckets is on", "403"}},
		{"both", block(true, true), nil, diag.SeverityError, []string{"BlockPublicPolicy is on", "RestrictPublicBuckets is on"}},
		{"cannot read", s3api.AccountBlock{}, errors.New("AccessDenied"), diag.SeverityWarning, []string{"s3:GetAccountPublicAccessBlock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := accountBlocksPublicStatic(tt.block, tt.err)
			if tt.want == 0 {
				if len(diags) != 0 {
					t.Fatalf("diagnostics %v, want none", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Severity() != tt.want {
				t.Fatalf("diagnostics %v, want one %v", diags, tt.want)
			}
			for _, s := range tt.says {
				if !strings.Contains(diags[0].Detail(), s) {
					t.Errorf("detail does not say %q:\n%s", s, diags[0].Detail())
				}
			}
		})
	}
}

// Unset static_public_read: a CDN keeps the bucket private; otherwise an existing pair keeps what it has, and
// a new pair's static bucket is public-read.
func TestDefaultStaticPublicRead(t *testing.T) {
	withCDN := bucketPairModel{StaticCDN: types.ObjectValueMust(cdnAttrTypes(false), map[string]attr.Value{
		"distribution_arn": types.StringValue("arn:aws:cloudfront::123456789012:distribution/E1"),
		"custom_domain":    types.StringValue("static.example.com"),
	})}
	noCDN := bucketPairModel{StaticCDN: types.ObjectNull(cdnAttrTypes(false))}
	private := bucketPairModel{StaticPublicRead: types.BoolValue(false)}
	public := bucketPairModel{StaticPublicRead: types.BoolValue(true)}
	tests := []struct {
		name     string
		creating bool
		state    bucketPairModel
		plan     bucketPairModel
		want     bool
	}{
		{"new pair", true, bucketPairModel{}, noCDN, true},
		{"new pair behind a CDN", true, bucketPairModel{}, withCDN, false},
		{"existing private pair", false, private, noCDN, false},
		{"existing public pair", false, public, noCDN, true},
		{"existing public pair gets a CDN", false, public, withCDN, false},
		{"pair from before the argument had a value", false, bucketPairModel{StaticPublicRead: types.BoolNull()}, noCDN, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultStaticPublicRead(tt.creating, tt.state, tt.plan); got.ValueBool() != tt.want || got.IsNull() || got.IsUnknown() {
				t.Errorf("defaultStaticPublicRead = %v, want %t", got, tt.want)
			}
		})
	}
}
