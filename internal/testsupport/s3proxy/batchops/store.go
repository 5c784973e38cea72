package batchops

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

// S3Store runs jobs against the server c talks to (the server itself, not the proxy: a job's copies are S3's
// own work, which no client request carries).
func S3Store(c *s3.Client) Store { return s3Store{c} }

type s3Store struct{ c *s3.Client }

func (s s3Store) ETag(ctx context.Context, bucket, key string) (string, error) {
	out, err := s.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

func (s s3Store) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := s.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func (s s3Store) Put(ctx context.Context, bucket, key string, body []byte) error {
	_, err := s.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	return err
}

func (s s3Store) Copy(ctx context.Context, target, from, key, versionID string) error {
	src := from + "/" + recovery.EscapeKey(key)
	if versionID != "" {
		src += "?versionId=" + recovery.EscapeKey(versionID)
	}
	_, err := s.c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(target), Key: aws.String(key), CopySource: aws.String(src)})
	if err == nil {
		return nil
	}
	te := &TaskError{Code: "InternalError", Status: http.StatusInternalServerError, Message: err.Error()}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		te.Code, te.Message = apiErr.ErrorCode(), apiErr.ErrorMessage()
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		te.Status = respErr.HTTPStatusCode()
	}
	return te
}
