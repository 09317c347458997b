"""URLs of the 成绩单 pages (runs, diffs, appeals); included by ``urls.py``."""

from django.urls import path

from qingzhuang.assessment import views_runs

urlpatterns = [
    path("runs/", views_runs.run_list, name="run_list"),
    path("runs/start/", views_runs.run_start, name="run_start"),
    path("runs/<int:pk>/publish/", views_runs.run_publish, name="run_publish"),
    path("runs/<int:pk>/delete/", views_runs.run_delete, name="run_delete"),
    path("runs/<int:pk>/diff/", views_runs.run_diff, name="run_diff"),
    path("appeals/", views_runs.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/answer/", views_runs.appeal_answer, name="appeal_answer"),
    path("lines/<int:pk>/appeal/", views_runs.appeal_file, name="appeal_file"),
]
