"""期末考试 (spot checks) and 数据完整度 pages, included by the assessment's urls."""

from django.urls import path

from qingzhuang.assessment import views_spot as views

urlpatterns = [
    path("spot-checks/", views.spotcheck_list, name="spotcheck_list"),
    path("spot-checks/add/", views.spotcheck_add, name="spotcheck_add"),
    path("spot-checks/units/", views.spotcheck_units, name="spotcheck_units"),
    path("spot-checks/<int:pk>/", views.spotcheck_detail, name="spotcheck_detail"),
    path("spot-checks/<int:pk>/delete/", views.spotcheck_delete, name="spotcheck_delete"),
    path("spot-checks/<int:pk>/photos/<int:photo>/", views.spotcheck_photo, name="spotcheck_photo"),
    path("completeness/", views.completeness_page, name="completeness"),
    path("completeness/cell/", views.completeness_cell, name="completeness_cell"),
    path("completeness/remind/", views.completeness_remind, name="completeness_remind"),
]
