# A bucket pair whose media bucket is replicated into a bucket of another AWS account, in another region: a
# copy of every new upload that survives the media account's credentials, its root user and its region. The
# pair writes the replication configuration (never replicating a delete) and hands over the documents the
# role and the replica's bucket policy need; this configuration creates them, with one aws provider per
# account.
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
  description = "AWS region of the pair's buckets."
  type        = string
  default     = "eu-west-1"
}

variable "replica_region" {
  description = "AWS region of the replica bucket: another one than the pair's, so a regional outage spares it."
  type        = string
  default     = "eu-central-1"
}

variable "replica_profile" {
  description = "AWS CLI profile of the account that owns the replica: not the media bucket's account."
  type        = string
}

variable "media_bucket" {
  description = "Name of the media bucket (user uploads): globally unique."
  type        = string
}

variable "static_bucket" {
  description = "Name of the static bucket (collectstatic output): globally unique."
  type        = string
}

variable "replica_bucket" {
  description = "Name of the replica bucket: globally unique."
  type        = string
}

provider "protectedmedia" {
  region = var.region
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias   = "replica"
  region  = var.replica_region
  profile = var.replica_profile
}

data "aws_caller_identity" "replica" {
  provider = aws.replica
}

# The replica: versioned (S3 refuses to replicate into a bucket that is not), private, ACLs off.
resource "aws_s3_bucket" "replica" {
  provider = aws.replica
  bucket   = var.replica_bucket
}

resource "aws_s3_bucket_versioning" "replica" {
  provider = aws.replica
  bucket   = aws_s3_bucket.replica.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "replica" {
  provider                = aws.replica
  bucket                  = aws_s3_bucket.replica.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

# The role S3 assumes to replicate, in the media bucket's account. Its trust policy is the pair's
# replication_trust_policy_json, written out here: taking it from the pair would make a cycle (the pair names
# the role).
resource "aws_iam_role" "replication" {
  name = "${var.media_bucket}-replication"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "S3AssumesRoleForReplication"
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = ["sts:AssumeRole"]
    }]
  })
}

resource "aws_iam_role_policy" "replication" {
  role   = aws_iam_role.replication.id
  policy = protectedmedia_bucket_pair.site.replication_role_policy_json
}

resource "protectedmedia_bucket_pair" "site" {
  media_bucket  = var.media_bucket
  static_bucket = var.static_bucket

  media_replication = {
    destination_bucket_arn = aws_s3_bucket.replica.arn
    role_arn               = aws_iam_role.replication.arn
    # The replicas belong to the replica's account: the media account cannot read, change or delete them.
    destination_account_id = data.aws_caller_identity.replica.account_id
    storage_class          = "STANDARD_IA"
  }

  # S3 checks the replica's versioning when the configuration is written.
  depends_on = [aws_s3_bucket_versioning.replica]
}

# The replica's owner lets the role write replicas, and the media account hand them over. Nothing else: not a
# delete, not a versioning change.
resource "aws_s3_bucket_policy" "replica" {
  provider = aws.replica
  bucket   = aws_s3_bucket.replica.id
  policy   = protectedmedia_bucket_pair.site.replication_destination_policy_json
}

output "django_storages" {
  description = "The Django STORAGES setting, as JSON."
  value       = protectedmedia_bucket_pair.site.django_storages
}
