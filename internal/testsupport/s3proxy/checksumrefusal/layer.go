// Package checksumrefusal is test infrastructure: an s3proxy semantics layer that makes the buckets it is
// given behave like those of an S3-compatible service that predates the integrity checksums AWS SDKs send by
// default since early 2025 (aws-sdk-go-v2 service/s3 v1.73.0, boto3 1.36). Modelled on Backblaze B2, the
// service with the most public reports of the refusal:
//
//   - A PutObject or UploadPart carrying x-amz-sdk-checksum-algorithm, any x-amz-checksum-<algorithm>
//     header, or x-amz-trailer (the aws-chunked upload that sends the checksum after the body) is answered
//     400 InvalidArgument "Unsupported header '<name>' received for this API call.", naming the header.
//     Sources: home-assistant/core#143995 and boto/s3transfer#327 (InvalidArgument on
//     x-amz-sdk-checksum-algorithm from PutObject and UploadPart), iterate-ch/cyberduck#16107 (400 with the
//     same text for x-amz-checksum-sha256 on PutObject), and B2's list of unsupported headers in
//     https://www.backblaze.com/docs/cloud-storage-s3-compatible-api. The reports show no request with
//     x-amz-trailer: refusing it is an assumption, resting on the header it announces (x-amz-checksum-crc32)
//     being one B2 refuses, and on Cloudflare R2 and others answering streaming (aws-chunked) uploads with
//     "not implemented" (cloudflare/cloudflare-docs#6133).
//   - Everything else is forwarded untouched: the operations whose model requires a checksum
//     (PutBucketVersioning, DeleteObjects, ...) carry x-amz-checksum-crc32 whatever the client's setting,
//     and no report shows a service refusing those; nor has any report shown one refusing GetObject's
//     x-amz-checksum-mode, so the layer does not either.
//
// The layer touches only the buckets a test hands it (Add), so one proxy can serve other tests unchanged.
package checksumrefusal

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// Layer refuses the new checksum headers on uploads to its buckets; safe for concurrent use.
type Layer struct {
	mu      sync.Mutex
	buckets map[string]bool
	uploads int // uploads to its buckets it let through
	refused s3proxy.Refusals
}

// New returns a layer with no buckets: it forwards everything until Add.
func New() *Layer { return &Layer{buckets: map[string]bool{}} }

// Add makes the layer treat bucket as hosted on the modelled service.
func (l *Layer) Add(bucket string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buckets[bucket] = true
}

// Remove makes bucket an ordinary one again.
func (l *Layer) Remove(bucket string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, bucket)
}

// Refused reports how many uploads the layer refused.
func (l *Layer) Refused() int { return l.refused.Count() }

// Uploads reports how many uploads to its buckets the layer let through, so a test can show it was in the way.
func (l *Layer) Uploads() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.uploads
}

// Semantics is the layer, for s3proxy.WithSemantics or s3proxy.Chain.
func (l *Layer) Semantics() s3proxy.Semantics {
	return func(w http.ResponseWriter, r *http.Request, op s3proxy.Operation, next http.Handler) {
		if op.Name != "PutObject" && op.Name != "UploadPart" {
			next.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		mine := l.buckets[op.Bucket]
		l.mu.Unlock()
		if !mine {
			next.ServeHTTP(w, r)
			return
		}
		if h := UnsupportedHeader(r.Header); h != "" {
			l.refused.Refuse(w, r, &s3proxy.Error{Status: http.StatusBadRequest, Code: "InvalidArgument",
				Message: "Unsupported header '" + h + "' received for this API call."})
			return
		}
		l.mu.Lock()
		l.uploads++
		l.mu.Unlock()
		next.ServeHTTP(w, r)
	}
}

// UnsupportedHeader is the first checksum header in h the modelled service refuses on an upload, in
// lower case as B2 names it, or "": x-amz-sdk-checksum-algorithm, then x-amz-trailer, then the
// x-amz-checksum-* headers in name order.
func UnsupportedHeader(h http.Header) string {
	for _, name := range []string{"x-amz-sdk-checksum-algorithm", "x-amz-trailer"} {
		if h.Get(name) != "" {
			return name
		}
	}
	var checksums []string
	for name := range h {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-amz-checksum-") {
			checksums = append(checksums, lower)
		}
	}
	slices.Sort(checksums)
	if len(checksums) > 0 {
		return checksums[0]
	}
	return ""
}
