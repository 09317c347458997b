"""The burden pages, mounted at /burden/ (the old /ledger/burden/ paths redirect here)."""

from django.urls import path

from qingzhuang.burden import views

app_name = "burden"

urlpatterns = [
    path("", views.burden, name="burden"),
    # Fixed paths before <str:code>/, which would otherwise swallow them.
    path("demands/", views.demand_list, name="demand_list"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("placers/", views.placers, name="placers"),
    path("weights/", views.weights, name="weights"),
    path("<str:code>/", views.burden_unit, name="burden_unit"),
]
