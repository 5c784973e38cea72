package recovery

// Restoring through S3 Batch Operations (MethodBatchOperations): instead of copying each version itself, the
// provider writes the versions to copy into a manifest, and an S3 Batch Operations job (operation
// S3PutObjectCopy) copies them on top inside AWS. This file holds the pure parts: the manifest's rows, the
// job's idempotency token, and what the job's statuses mean.

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MethodBatchOperations hands the copies to an S3 Batch Operations job: the apply lists the bucket, writes a
// manifest of the versions to copy and creates the job, which copies each one on top as MethodCopy would.
// Later refreshes track the job.
const MethodBatchOperations Method = "batch_operations"

// ManifestFields are the columns of the manifest, in order: S3 Batch Operations' CSV format
// (S3BatchOperations_CSV_20180820) with a version ID column, so the job copies the version named, not the
// current one.
var ManifestFields = []string{"Bucket", "Key", "VersionId"}

// ManifestRow is one line of the manifest, its newline included: the bucket the version is read from, the
// key and the version ID. S3 Batch Operations wants keys URL-encoded; every byte but an unreserved character
// and "/" is percent-encoded, so a comma, a newline, a "+" or a space in a key can neither split the row nor
// be read back as something else (a space is %20, never "+", which a form decoder would read as a space and
// a path decoder as a plus).
func ManifestRow(bucket, key, versionID string) string {
	return bucket + "," + EscapeKey(key) + "," + EscapeKey(versionID) + "\n"
}

// DecodeManifestKey is the key of a manifest row as S3 Batch Operations reads it back; false when the
// encoding is broken.
func DecodeManifestKey(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case c == '%':
			return "", false
		case c == '+':
			b.WriteByte(' ') // the form encoding AWS's own examples use (Python's quote_plus)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// EscapeKey percent-encodes every byte of s but the unreserved characters and "/", as S3 reads a key in
// x-amz-copy-source and in a Batch Operations manifest: "+" would otherwise read as a space, "?" as the start
// of a query, "," as the next column.
func EscapeKey(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// ManifestKey is the object key of a restore's manifest under prefix: named after the restore (its ID, see
// the resource), so a retried apply of the same restore writes the same object instead of a new one each time.
func ManifestKey(prefix, restoreID string) string {
	sum := sha256.Sum256([]byte(restoreID))
	return prefix + "protectedmedia-restore-" + hex.EncodeToString(sum[:8]) + ".csv"
}

// JobToken is the CreateJob idempotency token (ClientRequestToken, at most 64 characters) of a job over the
// given parts: everything the job is made of, the manifest's ETag among them. A retried apply that writes
// the same manifest for the same job sends the same token, and S3 answers with the job it already created
// instead of a second one. after is the ID of an earlier job with the same token that had already ended
// before this apply began ("" for none): it makes a new token, so a deliberate rerun of a job that restored
// nothing (it failed, or was cancelled) gets a job of its own.
func JobToken(after string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	if after != "" {
		h.Write([]byte("after " + after))
	}
	return hex.EncodeToString(h.Sum(nil)) // 64 hex digits
}

// Job statuses as S3 Batch Operations reports them (DescribeJob). A job created without confirmation goes
// New → Preparing (reading the manifest) → Ready → Active (running its tasks) → Complete; it ends Failed
// when the manifest cannot be read or too many tasks fail, Cancelled when someone cancels it, and may sit
// Suspended (waiting for a confirmation) or Paused on the way. The -ing statuses are the moves between.
const (
	JobNew       = "New"
	JobComplete  = "Complete"
	JobFailed    = "Failed"
	JobCancelled = "Cancelled"
)

// JobEnded reports whether a job status is final: S3 changes nothing more, and keeps the job for 90 days.
func JobEnded(status string) bool {
	return status == JobComplete || status == JobFailed || status == JobCancelled
}
