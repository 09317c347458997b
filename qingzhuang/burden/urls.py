"""The burden pages, mounted at /burden/ (the old /ledger/burden/ paths redirect here)."""

from django.urls import path

from qingzhuang.burden import views, views_overview

app_name = "burden"

urlpatterns = [
    path("", views.burden, name="burden"),
    path("units/<str:code>/", views.burden_unit, name="burden_unit"),
    path("demands/", views.demand_list, name="demand_list"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    # The county overview and the rule alerts.
    path("overview/", views_overview.overview_page, name="overview"),
    path("alerts/", views_overview.alerts_page, name="alerts"),
    path("placers/", views.placers, name="placers"),
    path("weights/", views.weights, name="weights"),
]
