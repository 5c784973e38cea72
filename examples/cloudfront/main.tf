# A bucket pair served through CloudFront: one distribution per bucket, each reading its bucket through an
# origin access control. Static files are cached and served unsigned; media stays private and is served only
# on URLs that Django signs with a CloudFront key. The pair grants each distribution read access in the
# bucket's policy and hands Django the matching STORAGES setting.
terraform {
  required_version = ">= 1.11"
  required_providers {
    protectedmedia = {
      source = "protectedmedia/protectedmedia"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "region" {
  description = "AWS region of the two buckets."
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

variable "site_name" {
  description = "Short name of the site, for the names of the CloudFront objects."
  type        = string
  default     = "django-site"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.site_name))
    error_message = "site_name must be 1 to 40 letters, digits, hyphens or underscores."
  }
}

variable "site_origins" {
  description = "Origins of the site's pages as browsers send them, such as [\"https://www.example.com\"]: the only ones allowed to load fonts from the static files."
  type        = list(string)
}

variable "media_url_signing_public_key_file" {
  description = "PEM file holding the public half of the key that signs media URLs. The private half stays out of Terraform."
  type        = string
  default     = "media-url-signing.pub.pem"
}

variable "static_domain" {
  description = "Host name for static files, such as static.example.com; null serves them on the distribution's cloudfront.net name."
  type        = string
  default     = null
}

variable "media_domain" {
  description = "Host name for media, such as media.example.com; null serves it on the distribution's cloudfront.net name."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 covering static_domain and media_domain; needed when either is set."
  type        = string
  default     = null
}

provider "protectedmedia" {
  region = var.region
}

# CloudFront is global; the region only tells the AWS provider where to send requests for regional services.
provider "aws" {
  region = var.region
}

locals {
  # The buckets' regional host names, built from their names. The pair's media_bucket_domain_name and
  # static_bucket_domain_name attributes hold the same names, but cannot be used here: each distribution's
  # origin would then depend on the pair, while the pair depends on the distribution (static_cdn and
  # media_cdn need its ARN), and Terraform refuses the cycle. A distribution may name a bucket that does
  # not exist yet, so the distributions are created first and the pair after them.
  static_origin_domain = "${var.static_bucket}.s3.${var.region}.amazonaws.com"
  media_origin_domain  = "${var.media_bucket}.s3.${var.region}.amazonaws.com"

  # CloudFront speaks HTTPS with a certificate of its own, or with an ACM certificate for custom domains.
  custom_certificate = var.certificate_arn != null
}

# Signs CloudFront's requests to S3 with SigV4, as the service principal the pair's bucket policies allow.
resource "aws_cloudfront_origin_access_control" "site" {
  name                              = var.site_name
  description                       = "Reads the site's static and media buckets."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

data "aws_cloudfront_cache_policy" "caching_optimized" {
  name = "Managed-CachingOptimized"
}

# Managed-CachingOptimized plus the CORS request headers, which CloudFront then forwards to S3 and keys its
# cache on. Browsers fetch fonts with an Origin header, and S3 adds CORS headers to its answer only when the
# request has one. The managed origin request policy Managed-CORS-S3Origin would forward Origin too, but
# leave it out of the cache key: a font first fetched without Origin (by a crawler, or curl) would then be
# cached without CORS headers and refused to every browser until it expires.
resource "aws_cloudfront_cache_policy" "static" {
  name        = "${var.site_name}-static"
  comment     = "CachingOptimized, keyed on the CORS request headers."
  min_ttl     = 1
  default_ttl = 86400
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    headers_config {
      header_behavior = "whitelist"
      headers {
        items = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
      }
    }
    cookies_config {
      cookie_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

resource "aws_cloudfront_distribution" "static" {
  enabled         = true
  comment         = "Static files of ${var.static_bucket}"
  aliases         = var.static_domain == null ? [] : [var.static_domain]
  http_version    = "http2and3"
  is_ipv6_enabled = true

  origin {
    origin_id                = "static"
    domain_name              = local.static_origin_domain
    origin_access_control_id = aws_cloudfront_origin_access_control.site.id
  }

  default_cache_behavior {
    target_origin_id = "static"
    # CloudFront fetches from S3 with the protocol the viewer used, and the bucket policy refuses plain HTTP.
    viewer_protocol_policy = "redirect-to-https"
    # OPTIONS lets CORS preflights reach S3, which answers them from the bucket's CORS rules.
    allowed_methods = ["GET", "HEAD", "OPTIONS"]
    cached_methods  = ["GET", "HEAD", "OPTIONS"]
    cache_policy_id = aws_cloudfront_cache_policy.static.id
    compress        = true
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom_certificate
    acm_certificate_arn            = var.certificate_arn
    ssl_support_method             = local.custom_certificate ? "sni-only" : null
    minimum_protocol_version       = local.custom_certificate ? "TLSv1.2_2021" : "TLSv1"
  }

  lifecycle {
    precondition {
      condition     = var.static_domain == null || local.custom_certificate
      error_message = "static_domain needs certificate_arn: an ACM certificate in us-east-1 that covers it."
    }
  }
}

# The public half of the media URL signing key. Create the pair outside Terraform, so the private key never
# reaches a plan or the state:
#   openssl genrsa -out media-url-signing.pem 2048
#   openssl rsa -in media-url-signing.pem -pubout -out media-url-signing.pub.pem
resource "aws_cloudfront_public_key" "media" {
  name        = "${var.site_name}-media-urls"
  comment     = "Verifies the media URLs Django signs."
  encoded_key = file(var.media_url_signing_public_key_file)
}

resource "aws_cloudfront_key_group" "media" {
  name  = "${var.site_name}-media-urls"
  items = [aws_cloudfront_public_key.media.id]
}

resource "aws_cloudfront_distribution" "media" {
  enabled         = true
  comment         = "Media of ${var.media_bucket}, on signed URLs only"
  aliases         = var.media_domain == null ? [] : [var.media_domain]
  http_version    = "http2and3"
  is_ipv6_enabled = true

  origin {
    origin_id                = "media"
    domain_name              = local.media_origin_domain
    origin_access_control_id = aws_cloudfront_origin_access_control.site.id
  }

  default_cache_behavior {
    target_origin_id       = "media"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    # Query strings are not in this policy's cache key, so every signed URL of a file hits one cached copy;
    # CloudFront checks the signature before it looks in the cache.
    cache_policy_id = data.aws_cloudfront_cache_policy.caching_optimized.id
    # Only URLs signed with a key of this group are served; any other request gets 403.
    trusted_key_groups = [aws_cloudfront_key_group.media.id]
    compress           = true
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom_certificate
    acm_certificate_arn            = var.certificate_arn
    ssl_support_method             = local.custom_certificate ? "sni-only" : null
    minimum_protocol_version       = local.custom_certificate ? "TLSv1.2_2021" : "TLSv1"
  }

  lifecycle {
    precondition {
      condition     = var.media_domain == null || local.custom_certificate
      error_message = "media_domain needs certificate_arn: an ACM certificate in us-east-1 that covers it."
    }
  }
}

resource "protectedmedia_bucket_pair" "site" {
  media_bucket  = var.media_bucket
  static_bucket = var.static_bucket

  # The static bucket stays private (static_public_read defaults to false with static_cdn): its policy lets
  # this distribution, and no other, read objects. Django builds unsigned URLs on custom_domain.
  static_cdn = {
    distribution_arn = aws_cloudfront_distribution.static.arn
    custom_domain    = coalesce(var.static_domain, aws_cloudfront_distribution.static.domain_name)
  }

  # The media bucket stays private as always; its policy lets this distribution read objects, and Django
  # signs each media URL with the key whose ID is given here.
  media_cdn = {
    distribution_arn  = aws_cloudfront_distribution.media.arn
    custom_domain     = coalesce(var.media_domain, aws_cloudfront_distribution.media.domain_name)
    cloudfront_key_id = aws_cloudfront_public_key.media.id
  }

  # Fonts only for the site's own pages, rather than the default rule for any origin.
  static_cors_rules = [{
    allowed_origins = var.site_origins
    allowed_methods = ["GET", "HEAD"]
    max_age_seconds = 3000
  }]

  # Hashed file names: CloudFront and browsers may keep each static file for a year.
  static_manifest = true
}

# The Django STORAGES setting as JSON. Its media storage carries cloudfront_key_id but not the private key:
# the application adds that from its own secret store, for example from an environment variable its platform
# fills from a secret (an ECS task's secrets, a Kubernetes Secret):
#
#   STORAGES = json.loads(os.environ["DJANGO_STORAGES_JSON"])
#   STORAGES["default"]["OPTIONS"]["cloudfront_key"] = os.environ["CLOUDFRONT_MEDIA_PRIVATE_KEY"]
output "django_storages" {
  description = "The Django STORAGES setting, as JSON."
  value       = protectedmedia_bucket_pair.site.django_storages
}

# With static_domain and media_domain: point these names at the distributions (a CNAME, or a Route 53 alias).
output "static_distribution_domain_name" {
  value = aws_cloudfront_distribution.static.domain_name
}

output "media_distribution_domain_name" {
  value = aws_cloudfront_distribution.media.domain_name
}

output "app_policy_json" {
  description = "IAM policy for the Django app's role."
  value       = protectedmedia_bucket_pair.site.app_policy_json
}

output "deploy_policy_json" {
  description = "IAM policy for the job that runs collectstatic."
  value       = protectedmedia_bucket_pair.site.deploy_policy_json
}
