resource "protectedmedia_bucket_pair" "site" {
  media_bucket  = "example-media"
  static_bucket = "example-static"

  # Static files are public-read by default, so Django links to them on plain URLs. To serve them through
  # CloudFront from a private bucket instead, set static_cdn (see the CDN guide).

  # For browsers that upload straight to the media bucket (a presigned POST or PUT from the site's pages);
  # leave it out otherwise, and the media bucket has no CORS rules.
  media_cors_rules = [{
    allowed_origins = ["https://www.example.com"]
    allowed_methods = ["POST", "PUT"]
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }]

  # Optional: deny deleting versions, changing versioning or lifecycle and changing the policy to every
  # principal not listed. The principal running Terraform must be listed; keep a break-glass role too.
  # guard_exempt_principals = [
  #   "arn:aws:iam::123456789012:role/terraform",
  #   "arn:aws:iam::123456789012:role/break-glass",
  # ]

  # Optional: permanently delete old media versions 90 days after they stopped being current, keeping the
  # newest 3 of each file. Files deleted longer ago than that can no longer be recovered.
  # Not with mfa_delete = true.
  # noncurrent_version_retention_days = 90
  # noncurrent_versions_to_keep       = 3

  tags = {
    project     = "example"
    environment = "production"
  }
}

# The Django STORAGES setting as JSON; load it with json.loads in settings.py.
output "django_storages" {
  value = protectedmedia_bucket_pair.site.django_storages
}

# Least-privilege IAM policies, to attach with the AWS provider, for example:
#
# resource "aws_iam_role_policy" "app_storage" {
#   name   = "django-storage"
#   role   = aws_iam_role.app.id
#   policy = protectedmedia_bucket_pair.site.app_policy_json
# }
#
# resource "aws_iam_role_policy" "deploy_collectstatic" {
#   name   = "collectstatic"
#   role   = aws_iam_role.deploy.id
#   policy = protectedmedia_bucket_pair.site.deploy_policy_json
# }
output "app_policy_json" {
  value = protectedmedia_bucket_pair.site.app_policy_json
}

output "deploy_policy_json" {
  value = protectedmedia_bucket_pair.site.deploy_policy_json
}

# For IAM policies of your own that name these buckets.
output "media_bucket_arn" {
  value = protectedmedia_bucket_pair.site.media_bucket_arn
}

output "static_bucket_arn" {
  value = protectedmedia_bucket_pair.site.static_bucket_arn
}
