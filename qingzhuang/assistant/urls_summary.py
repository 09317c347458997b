"""一表做总结, included by the assistant's urls at assistant/summary/."""

from django.urls import path

from qingzhuang.assistant import views_summary as views

urlpatterns = [
    path("", views.summary_wizard, name="summary_wizard"),
    path("columns/", views.summary_columns, name="summary_columns"),
    path("download/<str:token>/", views.summary_download, name="summary_download"),
]
