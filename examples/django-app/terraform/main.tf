# The bucket pair for the example Django site in the directory above. Its django_storages output is the
# site's storage configuration: export DJANGO_STORAGES_JSON="$(terraform output -raw django_storages)".
terraform {
  required_version = ">= 1.11"
  required_providers {
    protectedmedia = {
      source = "protectedmedia/protectedmedia"
    }
  }
}

provider "protectedmedia" {
  region = var.region # credentials from the standard AWS chain
}

variable "region" {
  description = "The AWS region of the two buckets."
  type        = string
  default     = "eu-west-1"
}

variable "media_bucket" {
  description = "Name of the media bucket (user uploads): globally unique."
  type        = string
}

variable "static_bucket" {
  description = "Name of the static bucket (collectstatic output): globally unique."
  type        = string
}

resource "protectedmedia_bucket_pair" "site" {
  media_bucket  = var.media_bucket
  static_bucket = var.static_bucket
}

output "django_storages" {
  description = "The site's STORAGES setting, as JSON."
  value       = protectedmedia_bucket_pair.site.django_storages
}
