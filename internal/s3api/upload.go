package s3api

// Writing a file the provider made as one object, whatever its size. The only such file is a Batch Operations
// manifest, a CSV (manifestContentType).
//
// Sources (Amazon S3 User Guide, "Amazon S3 multipart upload limits"; API Reference for PutObject,
// CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload): one PutObject takes at
// most 5 GiB; a multipart upload has at most 10,000 parts of 5 MiB to 5 GiB each, the last part excepted; the
// parts of a CompleteMultipartUpload are listed in ascending part number, each with the ETag its UploadPart
// answered. A part uploaded with a checksum must belong to an upload created with that checksum algorithm, and
// its checksum must then be listed again in CompleteMultipartUpload: S3 answers 400 InvalidRequest ("Checksum
// Type mismatch occurred ...") otherwise, which awsbehaviour's behaviour 13 reproduces. So, as the SDK's own
// upload manager does, the upload is created with CRC32 when the client sends checksums (when_supported), and
// with no algorithm at all when it sends them only where required.
//
// An upload that fails part-way is aborted, so no parts are left behind to be billed; the bucket's
// abort-incomplete-multipart-upload lifecycle rule (7 days by default on a pair's buckets) catches an abort
// that fails too.

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// manifestContentType is the Content-Type of what putFile writes.
const manifestContentType = "text/csv"

// S3's multipart upload limits.
const (
	maxPutObjectSize = 5 << 30 // bytes one PutObject takes
	minPartSize      = 5 << 20 // bytes of every part but the last
	maxParts         = 10000
)

// uploadLimits say when an upload is split into parts, and how: the file is written with one PutObject up to
// PutLimit bytes, and above it in parts of PartSize bytes (more when 10,000 of them would not hold the file),
// Concurrency of them at a time. Variables, so a test can split a small file.
var uploadLimits = struct {
	PutLimit, PartSize int64
	Concurrency        int
}{
	// 64 MiB: one stream writes a manifest of up to about half a million rows in a few seconds; beyond
	// that, parts written side by side go faster, and beyond 5 GiB nothing else can write it.
	PutLimit:    64 << 20,
	PartSize:    16 << 20,
	Concurrency: 4,
}

// part is one part of a multipart upload: bytes [Offset, Offset+Size) of the file, numbered from 1.
type part struct {
	Number       int32
	Offset, Size int64
}

// splitParts divides size bytes into parts of partSize (at least minPartSize), grown as needed so that there
// are no more than maxParts; the last part takes what is left.
func splitParts(size, partSize int64) []part {
	partSize = max(partSize, minPartSize, (size+maxParts-1)/maxParts)
	var parts []part
	for off := int64(0); off < size; off += partSize {
		parts = append(parts, part{Number: int32(len(parts) + 1), Offset: off, Size: min(partSize, size-off)})
	}
	return parts
}

// putFile writes f, size bytes from its start, to bucket/key and returns the object's ETag (quotes included,
// as S3 answers it): one PutObject up to uploadLimits.PutLimit, a multipart upload above.
func putFile(ctx context.Context, c *Client, bucket, key string, f *os.File, size int64) (string, error) {
	if size <= min(uploadLimits.PutLimit, maxPutObjectSize) {
		out, err := c.S3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), ContentType: aws.String(manifestContentType),
			Body: io.NewSectionReader(f, 0, size), ContentLength: aws.Int64(size),
		})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ETag), nil
	}
	return putInParts(ctx, c, bucket, key, f, size)
}

// putInParts is putFile's multipart upload; an upload that fails is aborted.
func putInParts(ctx context.Context, c *Client, bucket, key string, f *os.File, size int64) (string, error) {
	var algorithm types.ChecksumAlgorithm
	if c.Checksums == ChecksumsWhenSupported {
		algorithm = types.ChecksumAlgorithmCrc32
	}
	created, err := c.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), ContentType: aws.String(manifestContentType), ChecksumAlgorithm: algorithm,
	})
	if err != nil {
		return "", err
	}
	upload := created.UploadId
	parts := splitParts(size, uploadLimits.PartSize)
	completed, err := uploadParts(ctx, c.S3, bucket, key, upload, algorithm, f, parts)
	if err == nil {
		var out *s3.CompleteMultipartUploadOutput
		out, err = c.S3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: upload,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
		})
		if err == nil {
			return aws.ToString(out.ETag), nil
		}
	}
	// The apply may be ending (ctx cancelled): the abort gets a moment of its own.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if _, aerr := c.S3.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: upload}); aerr != nil {
		return "", fmt.Errorf("%w (and aborting the upload %s failed too: %v; the bucket's lifecycle rule for incomplete uploads removes its parts)",
			err, aws.ToString(upload), aerr)
	}
	return "", err
}

// uploadParts uploads parts, uploadLimits.Concurrency at a time, and returns them as CompleteMultipartUpload
// lists them: in part-number order, each with its ETag and, with a checksum algorithm, its checksum. It stops
// starting parts at the first failure and returns it.
func uploadParts(ctx context.Context, c *s3.Client, bucket, key string, upload *string, algorithm types.ChecksumAlgorithm, f *os.File, parts []part) ([]types.CompletedPart, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	completed := make([]types.CompletedPart, len(parts))
	next := make(chan part)
	var wg sync.WaitGroup
	for range max(1, min(uploadLimits.Concurrency, len(parts))) {
		wg.Go(func() {
			for p := range next {
				if ctx.Err() != nil {
					continue // a part failed: the rest are not sent
				}
				out, err := c.UploadPart(ctx, &s3.UploadPartInput{
					Bucket: aws.String(bucket), Key: aws.String(key), UploadId: upload, PartNumber: aws.Int32(p.Number),
					Body: io.NewSectionReader(f, p.Offset, p.Size), ContentLength: aws.Int64(p.Size), ChecksumAlgorithm: algorithm,
				})
				if err != nil {
					cancel(fmt.Errorf("part %d of %d: %w", p.Number, len(parts), err))
					continue
				}
				completed[p.Number-1] = types.CompletedPart{PartNumber: aws.Int32(p.Number), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32}
			}
		})
	}
	for _, p := range parts {
		if ctx.Err() != nil {
			break
		}
		next <- p
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return completed, nil
}
