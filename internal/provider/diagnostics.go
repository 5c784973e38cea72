package provider

// Every error and warning text the resources show, written once: the detail builder, the MFA guidance, the
// mapping from the S3 layer's typed errors to diagnostics, the restore's and the time arguments' messages,
// and the list and plural formatting they use.

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3services"
)

// errorDetail builds a diagnostic detail: what to do, the error with what a user can do about it, and where
// the requests went.
func errorDetail(c *s3api.Client, err error, advice string) string {
	var b strings.Builder
	if advice != "" {
		b.WriteString(advice)
		b.WriteString("\n\n")
	}
	var gone *s3api.VersionNotFoundError
	if errors.As(err, &gone) {
		b.WriteString("The version was listed a moment ago and is gone now: something is permanently deleting " +
			"versions in this bucket (a lifecycle rule expiring noncurrent versions, or a user). Check that first.\n\n")
	}
	fmt.Fprintf(&b, "Error: %v\n\nS3 client: %s", s3api.Explain(err), c.Describe())
	return b.String()
}

// mfaVariableHowTo is how users are told to pass a one-time code: an ephemeral variable, which no state or
// plan file stores.
const mfaVariableHowTo = "  variable \"mfa_code\" {\n    type      = string\n    ephemeral = true\n  }\n\n"

// mfaCodeRequired explains an operation refused for want of a code, where the code must come from.
func mfaCodeRequired(e *s3api.MFACodeRequiredError) diag.Diagnostic {
	if e.Op == s3api.OpDelete {
		return diag.NewErrorDiagnostic("MFA code required",
			fmt.Sprintf("The media bucket %q has MFA Delete on, so deleting its versions (media_force_destroy) needs a "+
				"current one-time code. Nothing was deleted. Destroy cannot see the resource's mfa_code: set mfa_serial and "+
				"mfa_code = var.mfa_code in the provider block, with an ephemeral variable, then run:\n\n"+
				"  terraform destroy -var mfa_code=123456", e.Bucket))
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("mfa_code"), "MFA code required",
		"This apply would "+e.Change+". S3 only accepts that with a current one-time code from the bucket "+
			"owner's MFA device, and none was given, so nothing was changed.\n\n"+
			"Declare an ephemeral variable (it is stored in no state or plan file):\n\n"+mfaVariableHowTo+
			"set mfa_code = var.mfa_code and mfa_serial on the resource (or the provider), then run:\n\n"+
			"  terraform apply -var mfa_code=123456")
}

// mfaSerialMissing is the plan-time error for a guarded write without a device serial anywhere.
func mfaSerialMissing(what string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("mfa_serial"), "MFA device serial missing",
		"This plan "+what+", which S3 only accepts with a code from the bucket owner's MFA device. Set mfa_serial "+
			"(on the resource or the provider) to the device's serial number (ARN), for example "+
			"arn:aws:iam::123456789012:mfa/root-account-mfa-device.")
}

// mfaCodeForApply is the plan-time warning for a guarded write planned without a code.
func mfaCodeForApply(what string) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("mfa_code"), "Apply will need an MFA code",
		"This plan "+what+", which S3 only accepts with a one-time code. Apply refuses without one and changes "+
			"nothing. Pass a current code through an ephemeral variable:\n\n"+mfaVariableHowTo+
			"with mfa_code = var.mfa_code on the resource, then: terraform apply -var mfa_code=123456")
}

// createPairFailed turns s3api.CreatePair's error into diagnostics. It reports whether buckets exist that
// state must record.
func createPairFailed(c *s3api.Client, spec s3api.PairSpec, err error) (diags diag.Diagnostics, created bool) {
	var mfa *s3api.MFACodeRequiredError
	var partial *s3api.PartialCreateError
	var nc *s3api.NotConvergedError
	switch {
	case errors.As(err, &mfa):
		diags.Append(mfaCodeRequired(mfa))
	case errors.As(err, &partial):
		diags.AddError("Bucket pair only partly created",
			errorDetail(c, partial.Err, fmt.Sprintf("Failed while %s. Bucket(s) %s were created and are recorded in state as tainted, "+
				"so nothing is left untracked: the next apply replaces the pair (destroying what was created, under the "+
				"usual rule that a non-empty media bucket is never deleted without media_force_destroy) and creates it again.",
				partial.Step, strings.Join(quoteAll(partial.Created), " and "))))
		return diags, true
	case errors.As(err, &nc):
		diags.Append(notConverged(c, nc))
		return diags, true
	default:
		names := nameCheckErrors(err)
		if len(names) == 0 {
			diags.AddError("Cannot create the bucket pair", errorDetail(c, err, "Nothing was created."))
		}
		for _, e := range names {
			diags.Append(nameCheckFailed(c, spec, e))
		}
	}
	return diags, false
}

// nameCheckErrors unpacks the per-name errors a create joins.
func nameCheckErrors(err error) []*s3api.NameCheckError {
	var out []*s3api.NameCheckError
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		var nc *s3api.NameCheckError
		if errors.As(e, &nc) {
			out = append(out, nc)
		}
	}
	return out
}

func nameCheckFailed(c *s3api.Client, spec s3api.PairSpec, e *s3api.NameCheckError) diag.Diagnostic {
	attr := path.Root(string(e.Role) + "_bucket")
	switch {
	case e.Err != nil:
		return diag.NewAttributeErrorDiagnostic(attr, "Cannot check the bucket name", errorDetail(c, e.Err, "Nothing was created."))
	case e.Existence == s3api.InOtherRegion:
		where := "in another region"
		if e.Region != "" {
			where = "in region " + e.Region
		}
		return diag.NewAttributeErrorDiagnostic(attr, "Bucket name is taken",
			fmt.Sprintf("Bucket %q already exists, %s (S3 answered with a redirect there). Bucket names are "+
				"global: another account owns it, or this one does there. Nothing was created; choose another "+
				"name. The provider's region is not the problem: no region would make the name free.", e.Bucket, where))
	case e.Existence == s3api.OwnedByCaller:
		return diag.NewAttributeErrorDiagnostic(attr, "Bucket already exists",
			fmt.Sprintf("Bucket %q already exists and belongs to these credentials, but this pair does not manage it. "+
				"Nothing was created. To manage existing buckets, import them:\n\n"+
				"  terraform import <address> %s\n\nor choose another name.", e.Bucket, pairID(spec.Media.Bucket, spec.Static.Bucket)))
	}
	return diag.NewAttributeErrorDiagnostic(attr, "Bucket name is taken",
		fmt.Sprintf("Bucket %q exists and these credentials may not access it (S3 answered AccessDenied): bucket "+
			"names are global, and another account owns it, or it is yours and the credentials lack s3:ListBucket "+
			"on it. Nothing was created; choose another name, or import the bucket with credentials that may read it.", e.Bucket))
}

// notConverged reports writes S3 accepted but does not show yet.
func notConverged(c *s3api.Client, e *s3api.NotConvergedError) diag.Diagnostic {
	detail := "The writes were accepted but S3 does not report all of them."
	if len(e.Left) > 0 {
		detail += " Still different:\n  - " + strings.Join(bucketstate.Strings(e.Left), "\n  - ")
	}
	return diag.NewErrorDiagnostic("Cannot confirm the bucket pair's settings", errorDetail(c, e.Err, detail))
}

// updatePairFailed turns s3api.RepairPair's error into diagnostics. It reports whether anything may have been
// written, so state must record what S3 reports now.
func updatePairFailed(c *s3api.Client, err error) (diags diag.Diagnostics, wrote bool) {
	var mfa *s3api.MFACodeRequiredError
	var nc *s3api.NotConvergedError
	switch {
	case errors.As(err, &mfa):
		diags.Append(mfaCodeRequired(mfa))
		return diags, false
	case errors.As(err, &nc):
		diags.Append(notConverged(c, nc))
	default:
		diags.AddError("Cannot update the bucket pair", errorDetail(c, err,
			"Nothing was deleted. Fix the cause and apply again; the plan will show what is still different."))
	}
	return diags, true
}

// destroyPairFailed turns s3api.DestroyPair's error into diagnostics; r is what it did before it stopped.
func destroyPairFailed(c *s3api.Client, media, static string, r *s3api.DestroyReport, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	var mfa *s3api.MFACodeRequiredError
	var tooLarge *s3api.MFADestroyTooLargeError
	var notEmpty *s3api.MediaNotEmptyError
	var locked *s3api.MediaLockedError
	var destroy *s3api.DestroyError
	switch {
	case errors.As(err, &mfa):
		diags.Append(mfaCodeRequired(mfa))
	case errors.As(err, &tooLarge):
		diags.AddError("Media bucket too large to destroy under MFA Delete",
			fmt.Sprintf("The media bucket %q has MFA Delete on and holds %d object versions and delete markers. S3 deletes "+
				"at most 1,000 per request and wants a fresh one-time code for each, while a destroy has one code, so "+
				"nothing was deleted (the static bucket %q is untouched too).\n\n"+
				"To destroy the pair, turn MFA Delete off first, which takes one code: set mfa_delete = false and run\n\n"+
				"  terraform apply -var mfa_code=123456\n\n"+
				"then terraform destroy, which no longer needs a code.", media, tooLarge.Entries, static))
	case errors.As(err, &locked):
		diags.Append(mediaLocked(locked))
	case errors.As(err, &notEmpty):
		n := notEmpty.Contents
		diags.AddError("Media bucket is not empty",
			fmt.Sprintf("The media bucket %q holds %s, %s in all and %s. "+
				"Destroying it would lose them, so nothing was deleted (the static bucket %q is untouched too).\n\n"+
				"To keep the media, remove the pair from state instead: terraform state rm <address>. To delete every "+
				"version permanently, set media_force_destroy = true, apply, then destroy.",
				media, plural(n.Objects, "current object"), plural(n.Versions, "object version"),
				plural(n.DeleteMarkers, "delete marker"), static))
	case errors.As(err, &destroy) && destroy.Step == s3api.StepDeleteMedia:
		done := fmt.Sprintf("The static bucket %q was not touched.", static)
		if len(destroy.Deleted) > 0 {
			done = fmt.Sprintf("The static bucket %q was already deleted.", static)
		}
		diags.AddError("Cannot delete the media bucket", errorDetail(c, destroy.Err, done))
	case errors.As(err, &destroy) && destroy.Step == s3api.StepDeleteStatic:
		done := fmt.Sprintf("The media bucket %q was not touched.", media)
		if r != nil && r.MediaVersions > 0 {
			done = fmt.Sprintf("The media bucket %q was emptied (%s deleted, as media_force_destroy asked) but not deleted.",
				media, plural(r.MediaVersions, "version and delete marker"))
		}
		diags.AddError("Cannot delete the static bucket", errorDetail(c, destroy.Err, done))
	default:
		diags.AddError("Cannot destroy the bucket pair", errorDetail(c, err, "Nothing was deleted."))
	}
	return diags
}

// mediaLocked explains a force destroy refused because S3 Object Lock protects versions of the media bucket,
// with what unlocks each kind.
func mediaLocked(e *s3api.MediaLockedError) diag.Diagnostic {
	l := e.Locked
	var kinds, fixes []string
	if l.Governance > 0 {
		kinds = append(kinds, plural(l.Governance, "version")+" under GOVERNANCE retention")
		fixes = append(fixes, "GOVERNANCE: a principal with s3:BypassGovernanceRetention (which app_policy_json denies) can "+
			"delete such a version by asking S3 to bypass the retention, which the provider never does:\n\n"+
			"      aws s3api delete-object --bucket "+shellQuote(e.Bucket)+" --key <key> --version-id <id> --bypass-governance-retention")
	}
	if l.Compliance > 0 {
		kinds = append(kinds, plural(l.Compliance, "version")+" under COMPLIANCE retention")
		fixes = append(fixes, "COMPLIANCE: nobody can delete such a version or shorten its retention before its date, the "+
			"account's root user included")
	}
	if l.LegalHolds > 0 {
		kinds = append(kinds, plural(l.LegalHolds, "version")+" with a legal hold")
		fixes = append(fixes, "legal holds have no date: whoever may (s3:PutObjectLegalHold) lifts each one with\n\n"+
			"      aws s3api put-object-legal-hold --bucket "+shellQuote(e.Bucket)+" --key <key> --version-id <id> --legal-hold Status=OFF")
	}
	until := "Only legal holds lock them."
	if !l.LatestRetainUntil.IsZero() {
		until = "The last retention ends at " + l.LatestRetainUntil.UTC().Format(time.RFC3339) + ": from then on, legal holds aside, " +
			"terraform destroy can delete them."
	}
	stop := "New versions are locked too while media_object_lock is set: remove it and apply first, so that uploads made " +
		"meanwhile do not push the date further."
	if e.Default == nil {
		stop = "The bucket has no default retention any more, so new uploads are not locked."
	}
	return diag.NewErrorDiagnostic("Media bucket holds locked versions",
		fmt.Sprintf("S3 Object Lock protects %s of the %s in the media bucket %q: %s. S3 refuses to delete a locked "+
			"version, so the destroy deleted nothing (the static bucket %q is untouched too).\n\n%s %s\n\n"+
			"  - %s;\n  - to keep the media and stop managing the pair, remove it from state instead: terraform state rm <address>.",
			plural(l.Count, "object version"), plural(e.Versions, "object version"), e.Bucket, strings.Join(kinds, ", "), e.Static,
			until, stop, strings.Join(fixes, ";\n  - ")))
}

// lifecycleOutlivedByLock warns that lifecycle expiration of noncurrent versions comes before their default
// retention ends, so S3 keeps them longer than the argument says.
func lifecycleOutlivedByLock(noncurrentDays int, r bucketstate.LockRetention) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("noncurrent_version_retention_days"), "Locked versions outlive the lifecycle retention",
		fmt.Sprintf("noncurrent_version_retention_days = %d is shorter than media_object_lock's %s. A version is locked from "+
			"when it was written, while its noncurrent days count from when it was overwritten or deleted, and S3's lifecycle "+
			"never deletes a locked version: one replaced within %s of being written stays (and is billed) until its "+
			"retention has passed, and a later lifecycle run deletes it. To have versions deleted when the lifecycle rule "+
			"says, set noncurrent_version_retention_days to %d or more, or shorten the retention.",
			noncurrentDays, r, periodOf(r), r.MinDays()))
}

// forceDestroyMeetsLock warns that a destroy with media_force_destroy will refuse to start while any media version
// is locked, which under the default retention every recent one is.
func forceDestroyMeetsLock(r bucketstate.LockRetention) diag.Diagnostic {
	who := "S3 refuses to delete it unless a principal with s3:BypassGovernanceRetention asks it to bypass the retention, " +
		"which the provider never does. Destroying the pair then means waiting until the last retention has passed, or " +
		"deleting the locked versions with the bypass first."
	if r.Mode == bucketstate.LockCompliance {
		who = "nobody can delete it or shorten its retention before then, the account's root user included. Destroying the " +
			"pair means waiting until " + periodOf(r) + " after the last upload."
	}
	return diag.NewAttributeWarningDiagnostic(path.Root("media_force_destroy"), "Destroy cannot finish while media versions are locked",
		fmt.Sprintf("media_force_destroy = true with media_object_lock in %s mode: every media version stays locked for %s "+
			"after it is written, and %s terraform destroy checks first and, while any version is locked, deletes nothing "+
			"and says until when. Removing media_object_lock (and applying) before the last uploads stops new versions "+
			"from being locked.", r.Mode, periodOf(r), who))
}

// objectLockStaysOn is the plan's warning when media_object_lock is removed: only the default retention goes.
func objectLockStaysOn(bucket string, prior bucketstate.LockRetention) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(pathObjectLock, "Object Lock stays on",
		fmt.Sprintf("Removing media_object_lock removes the default retention (%s) of the media bucket %q, so new versions "+
			"are no longer locked. S3 cannot turn Object Lock off: it stays enabled (media_object_lock_enabled stays true) "+
			"and versioning can never be suspended. Versions already locked stay locked until their retain-until dates "+
			"(under COMPLIANCE, nobody can shorten them), and a force destroy refuses to start until then.", prior, bucket))
}

// periodOf says a retention's period in words: "30 days", "1 year".
func periodOf(r bucketstate.LockRetention) string {
	if r.Years > 0 {
		return plural(r.Years, "year")
	}
	return plural(r.Days, "day")
}

// addBlockedWarning names the objects S3 would refuse to copy in a restore of bucket, with why, and, when
// some are archived, how to restore them from the archive. applied says the restore has run (the apply's
// summary) rather than being planned.
func addBlockedWarning(diags *diag.Diagnostics, t *recovery.Tally, bucket string, applied bool) {
	if t.BlockedCount == 0 {
		return
	}
	what := "will not be restored"
	switch {
	case applied && t.BlockedCount == 1:
		what = "was not restored"
	case applied:
		what = "were not restored"
	}
	var lines []string
	var archived *recovery.Action
	for _, a := range t.Blocked.Items() {
		lines = append(lines, fmt.Sprintf("  - %s (version %s): %s", a.Key, a.Source.VersionID, a.Blocked))
		if a.Archived && archived == nil {
			archived = &a
		}
	}
	more := ""
	if n := t.BlockedCount - len(lines); n > 0 {
		more = fmt.Sprintf("\n  ... and %d more", n)
	}
	them := "them"
	if t.BlockedCount == 1 {
		them = "it"
	}
	detail := fmt.Sprintf("%s %s, because S3 refuses to copy %s:\n%s%s", plural(t.BlockedCount, "object"), what, them, strings.Join(lines, "\n"), more)
	if archived != nil {
		detail += "\n\n" + archiveRestoreAdvice(bucket, *archived, applied)
	}
	diags.AddWarning("Some objects cannot be restored by copy", detail)
}

// invalidRFC3339 is the validation error of a time argument (see rfc3339Value), naming the attribute.
func invalidRFC3339(p path.Path, got string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid time", fmt.Sprintf("%s: %s", p, rfc3339Detail(got)))
}

// rfc3339Detail says that got is not a time and how to write one.
func rfc3339Detail(got string) string {
	return fmt.Sprintf("%q is not an RFC 3339 time. Write the date, a \"T\", the time and a zone: "+
		"\"2026-11-28T09:30:00Z\" (UTC) or \"2026-11-28T10:30:00+01:00\".", got)
}

// accountBlockDiagnostic explains an account whose Block Public Access defeats a public static bucket.
func accountBlockDiagnostic(b s3api.AccountBlock) diag.Diagnostic {
	var what []string
	if b.Block.BlockPublicPolicy {
		what = append(what, "BlockPublicPolicy is on, so S3 refuses the static bucket's public policy")
	}
	if b.Block.RestrictPublicBuckets {
		what = append(what, "RestrictPublicBuckets is on, so S3 refuses every anonymous request to a bucket with a "+
			"public policy: browsers would get 403 for every static file")
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("static_public_read"), "The account blocks public buckets",
		fmt.Sprintf("static_public_read = true needs the account's S3 Block Public Access to allow a public bucket "+
			"policy, and in account %s %s. These account settings override every bucket's.\n\n"+
			"Either turn both off for the account (S3 console: Block Public Access settings for this account), for example\n\n"+
			"  aws s3control put-public-access-block --account-id %s --public-access-block-configuration "+
			"BlockPublicAcls=%t,IgnorePublicAcls=%t,BlockPublicPolicy=false,RestrictPublicBuckets=false\n\n"+
			"or keep static_public_read = false and serve the static bucket through a CDN.",
			b.Account, strings.Join(what, ", and "), b.Account, b.Block.BlockPublicAcls, b.Block.IgnorePublicAcls))
}

// namespaceProblems are the plan-time errors of a bucket name that does not fit the pair's namespace.
func namespaceProblems(p path.Path, name string, problems []string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, problem := range problems {
		diags.AddAttributeError(p, "Bucket name does not fit its namespace", fmt.Sprintf("%s = %q %s.", p, name, problem))
	}
	return diags
}

// invalidTags is the validation error of a tags map, naming the attribute and every rule broken.
func invalidTags(p path.Path, problems []string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid tags",
		fmt.Sprintf("%s breaks the S3 tagging rules:\n  - %s", p, strings.Join(problems, "\n  - ")))
}

// tooManyTags is the plan-time error of a pair whose tags and the provider's default_tags together exceed
// what S3 allows on a bucket.
func tooManyTags(own, defaults, merged int) diag.Diagnostic {
	both := own + defaults - merged
	return diag.NewAttributeErrorDiagnostic(path.Root("tags"), "Too many tags",
		fmt.Sprintf("Both buckets of this pair would carry %d tags: %s in tags and %s in the provider's default_tags "+
			"(%d keys in both count once). S3 allows at most %d tags per bucket. Remove %d from tags, or from "+
			"default_tags in the provider block, which every pair gets.",
			merged, plural(own, "tag"), plural(defaults, "tag"), both, bucketstate.MaxTagsPerBucket, merged-bucketstate.MaxTagsPerBucket))
}

// plural says "1 object" or "3 objects".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// quoteAll quotes each name, for messages.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}

// quotedList lists values for an error message: "a", "b", "c".
func quotedList(values []string) string { return strings.Join(quoteAll(values), ", ") }

// markdownList lists values for documentation: `"a"`, `"b"`, `"c"`.
func markdownList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("`%q`", v)
	}
	return strings.Join(q, ", ")
}

// choiceList lists allowed values for a description: `a`, `b` or `c`.
func choiceList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// archiveRestoreAdvice says how to make archived versions copyable, with the command for a, one of them:
// RestoreObject, with the days and the retrieval tier to choose, then applying (again).
func archiveRestoreAdvice(bucket string, a recovery.Action, applied bool) string {
	request := `{"Days": 7, "GlacierJobParameters": {"Tier": "Standard"}}`
	if a.Source.StorageClass == recovery.ClassIntelligentTiering {
		request = `{"GlacierJobParameters": {"Tier": "Standard"}}` // its archive tiers take no Days
	}
	then := "Once the restores have completed, apply; or apply now and, once they have completed, restore the " +
		"rest with terraform apply -replace=<this resource's address>: what is restored already counts as " +
		"unchanged, so only these are copied."
	if applied {
		then = "Once the restores have completed, run terraform apply -replace=<this resource's address>: what this " +
			"apply restored counts as unchanged, so only these are copied."
	}
	return fmt.Sprintf("An archived version can be copied once it is restored from the archive (s3:RestoreObject). "+
		"Ask S3 to restore each version listed as archived, for example:\n\n"+
		"  aws s3api restore-object --bucket %s --key %s --version-id %s \\\n    --restore-request '%s'\n\n"+
		"  - Days: how long the restored copy stays readable; enough to apply once it is there (the copy the apply "+
		"makes is a new current version in STANDARD, which stays). GLACIER and DEEP_ARCHIVE only: "+
		"INTELLIGENT_TIERING takes no Days and moves the version back to its Frequent Access tier.\n"+
		"  - Tier: Expedited (1-5 minutes, the dearest; not from DEEP_ARCHIVE or the Deep Archive Access tier), "+
		"Standard (3-5 hours; up to 12 hours from DEEP_ARCHIVE or the Deep Archive Access tier) or Bulk (the "+
		"cheapest: 5-12 hours; up to 48 hours from those).\n\n"+
		"A restore has completed when aws s3api head-object with the same --bucket, --key and --version-id shows "+
		"Restore: ongoing-request=\"false\" (GLACIER, DEEP_ARCHIVE) or no ArchiveStatus (INTELLIGENT_TIERING). %s",
		shellQuote(bucket), shellQuote(a.Key), shellQuote(a.Source.VersionID), request, then)
}

// shellQuote quotes s for a POSIX shell, for commands in messages that users paste.
func shellQuote(s string) string {
	const unquoted = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@+" // no shell meaning
	if s != "" && strings.Trim(s, unquoted) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// invalidExtraPolicy is the error of an extra policy document the pair cannot merge into a bucket policy
// (err names the argument). Plan-time validation catches it whenever the value is known then; this is what
// is left: a value known only at apply, or one an older provider put in state.
func invalidExtraPolicy(err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Invalid extra policy statements",
		fmt.Sprintf("%v.\n\nThe pair merges the argument's statements into the bucket policy it writes, so it must be a "+
			"JSON policy document with a Statement (as data.aws_iam_policy_document.<name>.json renders one). "+
			"Correct it, or remove it, and apply again.", err))
}

// serviceRegionWarning warns when the client's region is not the one the S3-compatible service it talks to
// signs for (s3services): the pairs' django_storages follows the service, so the application will work, but
// the provider's own requests carry the other region, and the user should know why the two differ.
func serviceRegionWarning(c *s3api.Client) diag.Diagnostics {
	svc, ok := s3services.Recognize(c.CustomEndpoint())
	if !ok || c.Region == svc.Region {
		return nil
	}
	var diags diag.Diagnostics
	diags.AddAttributeWarning(path.Root("region"), "Region does not match the S3 service",
		fmt.Sprintf("The endpoint %s is %s, which signs requests for region %q (%s), but the provider's region is %q "+
			"(from the provider argument region, AWS_REGION or the shared config profile). Every pair's django_storages "+
			"says region_name = %q, as the service needs; the provider's own requests are signed for %q, which the "+
			"service may refuse. Set the provider argument region = %q, or leave region unset everywhere: the provider "+
			"then takes it from the endpoint.", c.Endpoint, svc.Name, svc.Region, svc.Doc, c.Region, svc.Region, c.Region, svc.Region))
	return diags
}

// knownServicesMarkdown lists the services s3services recognises with the region each signs for, for schema
// and function text.
const knownServicesMarkdown = "Cloudflare R2 (`<account>.r2.cloudflarestorage.com`: `auto`), Backblaze B2 " +
	"(`s3.<region>.backblazeb2.com`), DigitalOcean Spaces (`<region>.digitaloceanspaces.com`), Wasabi " +
	"(`s3.<region>.wasabisys.com`), Hetzner (`<location>.your-objectstorage.com`) and Scaleway (`s3.<region>.scw.cloud`)"
