package awsbehaviour

// Behaviour 12: a bucket's configurations written at once (KeepConfigurationsApart).
//
// Amazon S3 keeps each configuration of a bucket (versioning, policy, public access block, ownership,
// encryption, tags, lifecycle, CORS, replication, Object Lock) as its own subresource, so writes of two of them
// that overlap both take effect. SeaweedFS keeps them in one record per bucket and rewrites it whole: of two
// overlapping writes one may be lost without an error. With the behaviour on, the layer passes a bucket's
// configuration writes to the server one at a time, as AWS would keep them apart.
//
// AWS documents no rule about which overlapping writes conflict; what it has answered is 409 OperationAborted
// ("A conflicting conditional operation is currently in progress against this resource") to a bucket policy
// write that overlapped a write of the public access block, of ownership controls or of versioning on the
// same bucket (hashicorp/terraform-provider-aws#7628, #33552; pulumi-components#46). The layer answers that
// to whichever of such a pair arrives while the other is in flight.

import (
	"net/http"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// configurationWrites are the requests that change a bucket configuration.
var configurationWrites = map[string]bool{
	"PutBucketVersioning": true, "PutObjectLockConfiguration": true,
	"PutBucketPolicy": true, "DeleteBucketPolicy": true,
	"PutPublicAccessBlock": true, "DeletePublicAccessBlock": true,
	"PutBucketOwnershipControls": true, "DeleteBucketOwnershipControls": true,
	"PutBucketEncryption": true, "DeleteBucketEncryption": true,
	"PutBucketTagging": true, "DeleteBucketTagging": true,
	"PutBucketLifecycleConfiguration": true, "DeleteBucketLifecycle": true,
	"PutBucketCors": true, "DeleteBucketCors": true,
	"PutBucketReplication": true, "DeleteBucketReplication": true,
}

// policyConflicts are the writes a policy write may not overlap, and the policy writes themselves.
var (
	policyWrites    = map[string]bool{"PutBucketPolicy": true, "DeleteBucketPolicy": true}
	policyConflicts = map[string]bool{
		"PutPublicAccessBlock": true, "DeletePublicAccessBlock": true,
		"PutBucketOwnershipControls": true, "DeleteBucketOwnershipControls": true,
		"PutBucketVersioning": true,
	}
)

// KeepConfigurationsApart switches behaviour 12 on: a bucket's configuration writes reach the server one at a
// time, and a policy write overlapping a public access block, ownership or versioning write answers 409
// OperationAborted.
func (l *Layer) KeepConfigurationsApart() { l.switchOn(configurationsBehaviour) }

// beginConfigurationWrite refuses op when it conflicts with a write in flight on its bucket, and otherwise
// waits for the bucket's configuration writes before it to end. It reports whether op may go on, and the
// function to call when it has been answered.
func (l *Layer) beginConfigurationWrite(w http.ResponseWriter, r *http.Request, op s3proxy.Operation) (func(), bool) {
	l.mu.Lock()
	b := l.bucket(op.Bucket)
	for other, n := range b.writing {
		if n > 0 && (policyWrites[op.Name] && policyConflicts[other] || policyConflicts[op.Name] && policyWrites[other]) {
			l.mu.Unlock()
			l.refuse(w, r, &s3proxy.Error{Status: http.StatusConflict, Code: "OperationAborted",
				Message: "A conflicting conditional operation is currently in progress against this resource. Please try again."})
			return nil, false
		}
	}
	if b.writing == nil {
		b.writing = make(map[string]int)
	}
	b.writing[op.Name]++
	l.mu.Unlock()
	unlock := l.configLocks.Lock(op.Bucket)
	return func() {
		unlock()
		l.mu.Lock()
		defer l.mu.Unlock()
		if writing := l.bucket(op.Bucket).writing; writing != nil { // nil when a DeleteBucket forgot the bucket
			writing[op.Name]--
		}
	}, true
}
