"""The assessment pages, mounted at /assessment/ (each part of the module includes its own URLs)."""

from django.urls import path  # noqa: F401 (parts add their routes here)

from qingzhuang.assessment import urls_pages

app_name = "assessment"

urlpatterns: list = [
    *urls_pages.urlpatterns,
]
