# Put every upload under invoices/ that was deleted or overwritten after 09:30 UTC back as it was then.
# `terraform plan` shows how many objects that is and the first keys; `terraform apply` restores them once.
resource "protectedmedia_media_restore" "invoices_2026_11_28" {
  bucket = "example-shop-media" # or protectedmedia_bucket_pair.site.media_bucket
  prefix = "invoices/"
  as_of  = "2026-11-28T09:30:00Z"

  # The plan counts changes up to the moment it is made, so uploads and deletes on the live site
  # between plan and apply cannot invalidate it.
  plan_timestamp = plantimestamp()
}

output "restored" {
  value = protectedmedia_media_restore.invoices_2026_11_28.restored_count
}
