"""Storage classes for Django before 4.2, which has no STORAGES setting: each passes the OPTIONS of one
entry of the pair's django_storages value to the backend it names (S3Boto3Storage, or S3Storage on
django-storages 1.14 and later when the pair says so).
"""
import json
import os

from django.utils.module_loading import import_string

_STORAGES = json.loads(os.environ["DJANGO_STORAGES_JSON"])


def _storage(alias):
    entry = _STORAGES[alias]
    base = import_string(entry["BACKEND"])

    class Storage(base):
        def __init__(self, **kwargs):
            super().__init__(**{**entry["OPTIONS"], **kwargs})

    Storage.__name__ = Storage.__qualname__ = base.__name__
    return Storage


MediaStorage = _storage("default")
StaticStorage = _storage("staticfiles")
