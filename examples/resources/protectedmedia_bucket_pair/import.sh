# The import ID is "<media_bucket>,<static_bucket>".
terraform import protectedmedia_bucket_pair.site example-media,example-static
