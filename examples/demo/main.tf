# The configuration `make demo` applies against a local SeaweedFS server. The endpoint, CA bundle and
# credentials come from the environment (AWS_ENDPOINT_URL_S3, AWS_CA_BUNDLE, AWS_ACCESS_KEY_ID, ...), exactly
# as they would for any S3-compatible endpoint.
terraform {
  required_version = ">= 1.11"
  required_providers {
    protectedmedia = {
      source = "protectedmedia/protectedmedia"
    }
  }
}

provider "protectedmedia" {}

variable "media_force_destroy" {
  description = "Let destroy delete every media version. The demo sets it only to clean up."
  type        = bool
  default     = false
}

resource "protectedmedia_bucket_pair" "site" {
  media_bucket        = "demo-site-media"
  static_bucket       = "demo-site-static"
  media_force_destroy = var.media_force_destroy

  tags = {
    app = "demo-site"
  }
}

output "django_storages" {
  description = "The Django STORAGES setting, as JSON."
  value       = protectedmedia_bucket_pair.site.django_storages
}

output "media_bucket_arn" {
  value = protectedmedia_bucket_pair.site.media_bucket_arn
}

output "media_versioning" {
  value = protectedmedia_bucket_pair.site.media_versioning
}
