# An application workspace that does not manage the buckets: another workspace created the pair and
# exports its names and region. The function renders what that pair's django_storages attribute holds.
data "terraform_remote_state" "storage" {
  backend = "s3"
  config = {
    bucket = "example-terraform-state"
    key    = "storage/terraform.tfstate"
    region = "eu-west-1"
  }
}

locals {
  storage = data.terraform_remote_state.storage.outputs
}

output "django_storages" {
  value = provider::protectedmedia::django_storages(
    local.storage.media_bucket,
    local.storage.static_bucket,
    local.storage.region,
    { static_public_read = local.storage.static_public_read },
  )
}

# Buckets on AWS with a public-read static bucket: the defaults, so the options are empty.
output "aws" {
  value = provider::protectedmedia::django_storages("example-shop-media", "example-shop-static", "eu-west-1", {})
}

# A pair behind CloudFront: static files on their own domain, unsigned, under hashed names cached for a year;
# media on another, with URLs Django signs with the CloudFront key whose ID is given here. The private key
# stays with the application (see the Django guide).
output "behind_cloudfront" {
  value = provider::protectedmedia::django_storages("example-shop-media", "example-shop-static", "eu-west-1", {
    backend                 = "s3"
    static_manifest         = true
    static_public_read      = false
    static_custom_domain    = "static.example.com"
    media_custom_domain     = "media.example.com"
    media_cloudfront_key_id = "K2JCJMDEHXQW5F"
  })
}

# Buckets on an S3-compatible server. A provider with `endpoint` set addresses buckets path-style unless
# `use_path_style = false`, and the resource renders the same choice; pass it to get identical output.
output "s3_compatible" {
  value = provider::protectedmedia::django_storages("example-shop-media", "example-shop-static", "us-east-1", {
    endpoint_url     = "https://s3.example.internal:8443"
    addressing_style = "path"
  })
}
