# What was deleted or overwritten under uploads/ since 09:00 UTC: `terraform plan` prints the outputs.
data "protectedmedia_media_changes" "this_morning" {
  bucket = "example-shop-media" # or protectedmedia_bucket_pair.site.media_bucket
  prefix = "uploads/"
  since  = "2026-11-28T09:00:00Z"
}

output "deleted_uploads" {
  value = [
    for o in data.protectedmedia_media_changes.this_morning.deleted :
    "${o.key}: deleted at ${o.deleted_at}, last written ${o.last_modified} (version ${o.version_id})"
  ]
}

output "overwritten_uploads" {
  value = [
    for o in data.protectedmedia_media_changes.this_morning.overwritten :
    "${o.key}: overwritten at ${o.current_last_modified}; version ${o.version_id} held it at 09:00"
  ]
}
