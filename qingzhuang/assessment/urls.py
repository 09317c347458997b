"""The assessment pages, mounted at /assessment/ (each part of the module has its own URL list)."""

from qingzhuang.assessment import urls_pages, urls_runs, urls_schemes, urls_spot

app_name = "assessment"

urlpatterns: list = [
    *urls_schemes.urlpatterns,
    *urls_spot.urlpatterns,
    *urls_runs.urlpatterns,
    *urls_pages.urlpatterns,
]
