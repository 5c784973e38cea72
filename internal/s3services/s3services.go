// Package s3services knows the S3-compatible services Django sites commonly run on, recognised from the host
// of their endpoint: the region a client must sign for, and the addressing style the service tells SDK users
// to configure. Each fact is taken from the service's public documentation (cited beside it); where the
// documentation found does not settle a fact, the table says nothing and the caller keeps its default. MinIO,
// Ceph and any other host are not recognised: path style and the configured region, as before.
//
// Standard library only, so the S3 client and the Django configuration read the same table.
package s3services

import (
	"net/url"
	"regexp"
	"strings"
)

// Service is a recognised S3-compatible service.
type Service struct {
	// Name is how the service calls itself, for messages: "Cloudflare R2".
	Name string
	// Region is the region clients sign requests for.
	Region string
	// AddressingStyle is the style the service's own SDK examples configure: "virtual", or "" where its
	// documentation does not say (the caller's default stands, path style for an S3-compatible endpoint).
	AddressingStyle string
	// Doc is the documentation the facts come from.
	Doc string
}

// regionLabel is the shape of the region names the services below put in their hosts.
var regionLabel = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// wasabiAliases are the alternative host names Wasabi lists for some regions, by the region they serve
// (https://docs.wasabi.com/docs/service-urls-for-wasabis-storage-regions).
var wasabiAliases = map[string]string{
	"nl-1": "eu-central-1",
	"de-1": "eu-central-2",
	"uk-1": "eu-west-1",
	"fr-1": "eu-west-2",
	"uk-2": "eu-west-3",
	"it-1": "eu-south-1",
}

// Recognize returns the service whose endpoint this is; false for any other endpoint (MinIO, Ceph, a
// gateway of one's own, AWS) or one that is not an http(s) URL.
func Recognize(endpoint string) (Service, bool) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return Service{}, false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	labels := strings.Split(host, ".")
	n := len(labels)
	// region returns labels[i] when it is shaped like a region name.
	region := func(i int) (string, bool) {
		if i < 0 || i >= n || !regionLabel.MatchString(labels[i]) {
			return "", false
		}
		return labels[i], true
	}
	switch {
	case strings.HasSuffix(host, ".r2.cloudflarestorage.com"):
		// https://<ACCOUNT_ID>.r2.cloudflarestorage.com (jurisdictions add a label: <ACCOUNT_ID>.eu.r2...).
		// Cloudflare's boto3 example sets region_name="auto", "required by SDK but not used by R2"
		// (https://developers.cloudflare.com/r2/examples/aws/boto3/). The addressing style is not stated there.
		return Service{Name: "Cloudflare R2", Region: "auto", Doc: "https://developers.cloudflare.com/r2/examples/aws/boto3/"}, true
	case n == 4 && labels[0] == "s3" && labels[2] == "backblazeb2" && labels[3] == "com":
		// s3.<region>.backblazeb2.com with the account's region, like us-west-004, as region_name:
		// django-storages' Backblaze B2 page (docs/backends/s3_compatible/backblaze-B2.rst), and Backblaze's
		// S3-compatible API documentation (https://www.backblaze.com/docs/cloud-storage-s3-compatible-api). The
		// addressing style is not stated there.
		if r, ok := region(1); ok {
			return Service{Name: "Backblaze B2", Region: r, Doc: "https://www.backblaze.com/docs/cloud-storage-s3-compatible-api"}, true
		}
	case n == 3 && labels[1] == "digitaloceanspaces" && labels[2] == "com":
		// <region>.digitaloceanspaces.com with region_name = the region slug (nyc3)
		// (https://docs.digitalocean.com/products/spaces/reference/aws-sdks/), and DigitalOcean's Python example
		// configuring boto3 with s3={"addressing_style": "virtual"} (its S3 SDK examples page, as quoted in
		// https://www.digitalocean.com/community/questions/s3-sdk-examples-nameerror-name-botocore-is-not-defined).
		if r, ok := region(0); ok {
			return Service{Name: "DigitalOcean Spaces", Region: r, AddressingStyle: "virtual",
				Doc: "https://docs.digitalocean.com/products/spaces/reference/aws-sdks/"}, true
		}
	case n >= 3 && labels[0] == "s3" && labels[n-2] == "wasabisys" && labels[n-1] == "com":
		// s3.wasabisys.com is US East 1, s3.<region>.wasabisys.com every region, some with an alias
		// (s3.nl-1.wasabisys.com for eu-central-1): Wasabi's service URL table
		// (https://docs.wasabi.com/docs/service-urls-for-wasabis-storage-regions). The addressing style is not
		// stated there.
		const doc = "https://docs.wasabi.com/docs/service-urls-for-wasabis-storage-regions"
		if n == 3 {
			return Service{Name: "Wasabi", Region: "us-east-1", Doc: doc}, true
		}
		if r, ok := region(1); ok && n == 4 {
			if canonical, alias := wasabiAliases[r]; alias {
				r = canonical
			}
			return Service{Name: "Wasabi", Region: r, Doc: doc}, true
		}
	case n == 3 && labels[1] == "your-objectstorage" && labels[2] == "com":
		// <location>.your-objectstorage.com (fsn1, nbg1, hel1). That clients sign for the location as the
		// region comes from third-party guides (for example https://formspring.io/docs/integrations/hetzner-s3),
		// not from Hetzner's own documentation (https://docs.hetzner.com/storage/object-storage/faq/general), which
		// the search did not show saying it; nor is the addressing style confirmed.
		if r, ok := region(0); ok {
			return Service{Name: "Hetzner Object Storage", Region: r, Doc: "https://docs.hetzner.com/storage/object-storage/faq/general"}, true
		}
	case n == 4 && labels[0] == "s3" && labels[2] == "scw" && labels[3] == "cloud":
		// s3.<region>.scw.cloud with the region (fr-par, nl-ams) as region_name: django-storages' Scaleway page
		// (added in jschneier/django-storages commit 6c494a071a907b75727a15898167a27cd0d2cb89, docs/backends/
		// s3_compatible/scaleway.rst), which shows the same file reached path style and virtual-hosted alike.
		if r, ok := region(1); ok {
			return Service{Name: "Scaleway Object Storage", Region: r,
				Doc: "https://github.com/jschneier/django-storages/blob/master/docs/backends/s3_compatible/scaleway.rst"}, true
		}
	}
	return Service{}, false
}
