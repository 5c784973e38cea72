package provider

// Every error and warning text the resources show, written once: the detail builder, the MFA guidance, the
// mapping from the S3 layer's typed errors to diagnostics, the restore's and the time arguments' messages,
// and the list and plural formatting they use.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
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

// addBlockedWarning names the objects S3 would refuse to copy in a restore, with why.
func addBlockedWarning(diags *diag.Diagnostics, t *recovery.Tally, what string) {
	if t.BlockedCount == 0 {
		return
	}
	var lines []string
	for _, a := range t.Blocked.Items() {
		lines = append(lines, fmt.Sprintf("  - %s (version %s): %s", a.Key, a.Source.VersionID, a.Blocked))
	}
	more := ""
	if n := t.BlockedCount - len(lines); n > 0 {
		more = fmt.Sprintf("\n  ... and %d more", n)
	}
	diags.AddWarning("Some objects cannot be restored by copy",
		fmt.Sprintf("%s %s, because S3 refuses to copy them:\n%s%s", plural(t.BlockedCount, "object"), what, strings.Join(lines, "\n"), more))
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
