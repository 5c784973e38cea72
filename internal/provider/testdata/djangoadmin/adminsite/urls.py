"""Only the admin: the test logs in and opens the user list and a user's change form."""
from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
