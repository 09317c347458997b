"""一事一码 pages: visits, codes, caps, unit counts, evaluations; public verification."""

from django.urls import path

from qingzhuang.supervision import views_visits as views

urlpatterns = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/units/", views.visit_units, name="visit_units"),
    path("visits/issue/", views.visit_issue_bulk, name="visit_issue_bulk"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/print/", views.visit_print, name="visit_print"),
    path("visits/<int:pk>/issue/", views.visit_issue, name="visit_issue"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/result/", views.visit_result, name="visit_result"),
    path("caps/", views.cap_page, name="cap_page"),
    path("unit/", views.unit_page, name="unit_page"),
    path("unit/unfiled/", views.unit_unfiled, name="unit_unfiled"),
    path("evaluations/", views.evaluation_page, name="evaluation_page"),
    # Public: no sign-in.
    path("verify/", views.verify_form, name="verify_form"),
    path("v/<str:code>/", views.verify_code, name="verify_code"),
    path("v/<str:code>/rate/", views.evaluate, name="evaluate"),
]
