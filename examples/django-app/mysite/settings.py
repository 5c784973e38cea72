"""Settings of the example site: only what keeping its files in a protectedmedia_bucket_pair needs.

The storage configuration is the pair's django_storages attribute, handed over in the environment:

    export DJANGO_STORAGES_JSON="$(terraform output -raw django_storages)"

It holds no credentials: boto3 finds them the usual way (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
AWS_PROFILE, the role of the instance, task or pod). AWS_CA_BUNDLE makes it trust a private certificate
authority, for an S3-compatible endpoint.
"""
import json
import os
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-set-DJANGO_SECRET_KEY-in-production")
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "pages",
]

USE_TZ = True

# staticfiles requires it; the S3 storage builds the actual URLs of static files.
STATIC_URL = "/static/"

# Fail at start-up, not at the first upload, when the storage configuration is missing or mangled. Not
# ImproperlyConfigured: manage.py swallows that one while loading settings, and the message would be lost.
if "DJANGO_STORAGES_JSON" not in os.environ:
    raise RuntimeError(
        'DJANGO_STORAGES_JSON is not set: export DJANGO_STORAGES_JSON="$(terraform output -raw django_storages)"'
    )
try:
    _STORAGES = json.loads(os.environ["DJANGO_STORAGES_JSON"])
except ValueError as err:
    raise RuntimeError(f"DJANGO_STORAGES_JSON is not valid JSON: {err}") from None

if django.VERSION >= (4, 2):
    # The value is a STORAGES dict as it is.
    STORAGES = _STORAGES
else:
    # Before 4.2 Django names one class per purpose and instantiates it without arguments: the two
    # subclasses in storage_backends.py pass the same OPTIONS on (see the provider's Django guide).
    DEFAULT_FILE_STORAGE = "mysite.storage_backends.MediaStorage"
    STATICFILES_STORAGE = "mysite.storage_backends.StaticStorage"
