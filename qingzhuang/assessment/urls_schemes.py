"""Scheme pages (考核方案) and the bonus, deduction and veto records, under /assessment/schemes/."""

from django.urls import path

from qingzhuang.assessment import views_schemes as views

urlpatterns = [
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/upload/", views.scheme_upload, name="scheme_upload"),
    path("schemes/upload/errors/", views.scheme_upload_errors, name="scheme_upload_errors"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/export/", views.scheme_export, name="scheme_export"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/copy/", views.scheme_copy, name="scheme_copy"),
    path("schemes/<int:pk>/delete/", views.scheme_delete, name="scheme_delete"),
    path("schemes/<int:pk>/adjustments/", views.adjustment_list, name="adjustment_list"),
    path("schemes/<int:pk>/adjustments/<int:adjustment_id>/delete/", views.adjustment_delete,
         name="adjustment_delete"),
    path("schemes/<int:pk>/adjustments/<int:adjustment_id>/evidence/", views.adjustment_evidence,
         name="adjustment_evidence"),
]
