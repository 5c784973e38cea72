"""Storage classes for Django before 4.2, which has no STORAGES setting: each passes the OPTIONS of one
entry of the pair's django_storages value to S3Boto3Storage. On Django 4.2 and later settings.py uses the
value directly and this module is not imported.
"""
import json
import os

from storages.backends.s3boto3 import S3Boto3Storage

_STORAGES = json.loads(os.environ["DJANGO_STORAGES_JSON"])


class MediaStorage(S3Boto3Storage):
    def __init__(self, **kwargs):
        super().__init__(**{**_STORAGES["default"]["OPTIONS"], **kwargs})


class StaticStorage(S3Boto3Storage):
    def __init__(self, **kwargs):
        super().__init__(**{**_STORAGES["staticfiles"]["OPTIONS"], **kwargs})
