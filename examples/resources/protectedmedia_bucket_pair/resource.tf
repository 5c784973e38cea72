resource "protectedmedia_bucket_pair" "site" {
  media_bucket  = "example-media"
  static_bucket = "example-static"

  # Keep static files private and serve them through CloudFront or signed URLs.
  static_public_read = false

  tags = {
    project     = "example"
    environment = "production"
  }
}

# The Django STORAGES setting as JSON; load it with json.loads in settings.py.
output "django_storages" {
  value = protectedmedia_bucket_pair.site.django_storages
}

# For IAM policies that grant the application access to exactly these buckets.
output "media_bucket_arn" {
  value = protectedmedia_bucket_pair.site.media_bucket_arn
}

output "static_bucket_arn" {
  value = protectedmedia_bucket_pair.site.static_bucket_arn
}
