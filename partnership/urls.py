"""Top-level URL configuration. Every URL name must be classified in tests/test_url_permissions.py."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
]
