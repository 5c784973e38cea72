"""Settings of the site TestAccDjangoAdmin_* (internal/provider/django_admin_browser_test.go) runs: Django's admin,
stock, with its static files in the pair's static bucket, as a production site would serve them.

As in examples/django-app, the storage configuration is the pair's django_storages attribute, handed over in
DJANGO_STORAGES_JSON, and the credentials come from the usual AWS variables. The database is a SQLite file
next to this project, which the test copies to a temporary directory.
"""
import json
import os
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "test-only-django-admin-browser-test"
# The test serves the site with runserver; DEBUG changes nothing about where static URLs point (the storage
# builds them), and runserver runs with --nostatic, so a static file Django served itself would 404.
DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "adminsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

USE_TZ = True

# staticfiles requires it; the S3 storage builds the actual URLs of static files.
STATIC_URL = "/static/"

if "DJANGO_STORAGES_JSON" not in os.environ:
    raise RuntimeError("DJANGO_STORAGES_JSON is not set: the test passes the pair's django_storages attribute")
_STORAGES = json.loads(os.environ["DJANGO_STORAGES_JSON"])

if django.VERSION >= (4, 2):
    STORAGES = _STORAGES
else:
    # Before 4.2 Django names one class per purpose (see examples/django-app/mysite/storage_backends.py).
    DEFAULT_FILE_STORAGE = "adminsite.storage_backends.MediaStorage"
    STATICFILES_STORAGE = "adminsite.storage_backends.StaticStorage"
