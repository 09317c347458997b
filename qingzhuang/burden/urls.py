"""The burden pages, mounted at /burden/ (the old /ledger/burden/ paths redirect here)."""

from django.urls import path

from qingzhuang.burden import views, views_documents

app_name = "burden"

urlpatterns = [
    path("", views.burden, name="burden"),
    # Fixed paths before <str:code>/, which would otherwise swallow them.
    path("demands/", views.demand_list, name="demand_list"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    # -- 发文登记 and 一网协同 ----------------------------------------------------------------
    path("documents/", views_documents.document_list, name="document_list"),
    path("documents/new/", views_documents.document_create, name="document_create"),
    path("documents/import/", views_documents.document_import, name="document_import"),
    path("documents/import/template/", views_documents.document_import_template, name="document_import_template"),
    path("documents/import/errors/", views_documents.document_import_errors, name="document_import_errors"),
    path("documents/explain/<str:code>/<int:year>/", views_documents.document_explain, name="document_explain"),
    path("documents/<int:pk>/", views_documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", views_documents.document_edit, name="document_edit"),
    path("documents/<int:pk>/judge/", views_documents.document_judge, name="document_judge"),
    path("circulations/", views_documents.circulation_list, name="circulation_list"),
    path("circulations/new/", views_documents.circulation_create, name="circulation_create"),
    path("circulations/<int:pk>/", views_documents.circulation_detail, name="circulation_detail"),
    path("circulations/<int:pk>/remind/", views_documents.circulation_remind, name="circulation_remind"),
    path("circulations/<int:pk>/attachment/", views_documents.circulation_attachment,
         name="circulation_attachment"),
    # -- end 发文登记 and 一网协同 --------------------------------------------------------------
    path("<str:code>/", views.burden_unit, name="burden_unit"),
]
