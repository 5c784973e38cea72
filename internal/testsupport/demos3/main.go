// Command demos3 is the demo's small S3 client: it does the few things `make demo` shows happening to the
// buckets outside Terraform, through the same client code as the provider, so the demo needs no AWS CLI.
//
//	demos3 put BUCKET KEY TEXT       upload an object (a new version on a versioned bucket)
//	demos3 versions BUCKET           list every version and delete marker
//	demos3 suspend-versioning BUCKET suspend versioning, as a careless or hostile admin would
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "demos3:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: demos3 put BUCKET KEY TEXT | versions BUCKET | suspend-versioning BUCKET")
	}
	client, err := s3api.New(ctx, s3api.Config{SkipBucketOwnerCheck: true})
	if err != nil {
		return err
	}
	c, bucket := client.S3, args[1]
	switch args[0] {
	case "put":
		if len(args) != 4 {
			return fmt.Errorf("usage: demos3 put BUCKET KEY TEXT")
		}
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(args[2]), Body: strings.NewReader(args[3])})
		if err != nil {
			return err
		}
		fmt.Printf("uploaded s3://%s/%s (version %s)\n", bucket, args[2], aws.ToString(out.VersionId))
	case "versions":
		out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "KEY\tVERSION\tLATEST\tSIZE\tKIND")
		for _, v := range out.Versions {
			fmt.Fprintf(w, "%s\t%s\t%t\t%d\tobject\n", aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), aws.ToInt64(v.Size))
		}
		for _, m := range out.DeleteMarkers {
			fmt.Fprintf(w, "%s\t%s\t%t\t-\tdelete marker\n", aws.ToString(m.Key), aws.ToString(m.VersionId), aws.ToBool(m.IsLatest))
		}
		return w.Flush()
	case "suspend-versioning":
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  aws.String(bucket),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended},
		})
		if err != nil {
			return err
		}
		fmt.Printf("versioning of %s is now Suspended\n", bucket)
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	return nil
}
