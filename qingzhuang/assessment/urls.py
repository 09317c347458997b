"""The assessment pages, mounted at /assessment/ (each part of the module has its own URL list)."""

from qingzhuang.assessment import urls_runs, urls_schemes, urls_spot

app_name = "assessment"

urlpatterns: list = [
    *urls_schemes.urlpatterns,
    *urls_spot.urlpatterns,
    *urls_runs.urlpatterns,
]
