"""Scorecard pages: runs, lines, the coaching list and the export files."""

from django.urls import path

from qingzhuang.assessment import views_pages

urlpatterns = [
    path("runs/<int:pk>/", views_pages.run_detail, name="run_detail"),
    path("runs/<int:pk>/export.xlsx", views_pages.run_export, name="run_export"),
    path("lines/<int:pk>/", views_pages.line_detail, name="line_detail"),
    path("lines/<int:pk>/report.docx", views_pages.line_docx, name="line_docx"),
    path("coaching/", views_pages.coaching, name="coaching"),
    path("mine/", views_pages.my_lines, name="my_lines"),
]
