terraform {
  required_providers {
    protectedmedia = {
      source = "protectedmedia/protectedmedia"
    }
  }
}

# On AWS: credentials come from the standard chain (environment variables, AWS_PROFILE, SSO, or the role
# of the machine running Terraform); only the region is set here.
provider "protectedmedia" {
  region = "eu-west-1"

  # Optional: tags every bucket pair puts on both its buckets, merged with each pair's own tags (the pair's
  # value wins on a key both set), as the AWS provider's default_tags block does.
  default_tags {
    tags = {
      managed_by = "terraform"
    }
  }
}

# On an S3-compatible server (MinIO, SeaweedFS, Ceph RGW, ...): point the provider at its endpoint. Path-style
# addressing is the default with a custom endpoint; a private CA is trusted through AWS_CA_BUNDLE.
#
# provider "protectedmedia" {
#   endpoint = "https://s3.example.internal:8443"
#   region   = "us-east-1"
#   profile  = "storage-admin"
# }
#
# On a service the provider knows by its endpoint (Cloudflare R2, Backblaze B2, DigitalOcean Spaces, Wasabi,
# Hetzner, Scaleway), leave region unset: it is taken from the endpoint (R2 signs for "auto"), and so is the
# django_storages output's region_name. Checksums are sent only when an operation requires them, as these
# services need.
#
# provider "protectedmedia" {
#   endpoint = "https://s3.us-west-004.backblazeb2.com"
#   # checksums = "when_required" # the default with any endpoint but Amazon S3's
# }
