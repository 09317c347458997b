"""Reports, data requests and 找数据, under /ledger/ beside the data pages (the burden ledger is
``burden.urls``, under /burden/)."""

from django.urls import path

from qingzhuang.ledger import views_reports as views

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/fill/", views.report_fill, name="report_fill"),
    path("reports/<int:pk>/export/", views.report_export, name="report_export"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/register/", views.report_register, name="report_register"),
    path("reports/<int:pk>/send/", views.report_send, name="report_send"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/submit/", views.request_submit, name="request_submit"),
    path("requests/<int:pk>/review/", views.request_review, name="request_review"),
    path("requests/<int:pk>/send/", views.request_send, name="request_send"),
    path("requests/<int:pk>/fields/<int:field_id>/confirm/", views.request_field_confirm,
         name="request_field_confirm"),
    path("find/", views.find_data, name="find_data"),
]
