from django.urls import path

from qingzhuang.ledger import views
from qingzhuang.ledger.urls_reports import urlpatterns as report_urlpatterns

app_name = "ledger"

# Reports, data requests and 找数据 first (as before: their fixed paths come before the data pages).
urlpatterns = [
    *report_urlpatterns,
    path("", views.data_map, name="data_map"),
    path("datasets/<slug:code>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<slug:code>/export/", views.dataset_export, name="dataset_export"),
    path("datasets/<slug:code>/units/", views.dataset_units, name="dataset_units"),
    path("datasets/<slug:code>/import/", views.dataset_import, name="dataset_import"),
    path("datasets/<slug:code>/import/template/", views.dataset_import_template, name="dataset_import_template"),
    path("datasets/<slug:code>/records/<int:pk>/", views.record_detail, name="record_detail"),
    path("datasets/<slug:code>/records/<int:pk>/reveal/", views.record_reveal, name="record_reveal"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/errors/", views.job_errors, name="job_errors"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
]
