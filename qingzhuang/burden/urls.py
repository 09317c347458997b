"""The burden pages, mounted at /burden/ (the old /ledger/burden/ paths redirect here)."""

from django.urls import path

from qingzhuang.burden import views, views_clues

app_name = "burden"

urlpatterns = [
    path("", views.burden, name="burden"),
    # Fixed paths before <str:code>/, which would otherwise swallow them.
    path("demands/", views.demand_list, name="demand_list"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    # 码上减负 clues (views_clues): the public pages first, then the monitors' and units' pages.
    path("clues/report/", views_clues.clue_report, name="clue_report"),
    path("clues/track/", views_clues.clue_track, name="clue_track"),
    path("clues/units/", views_clues.clue_units, name="clue_units"),
    path("clues/poster/", views_clues.clue_poster, name="clue_poster"),
    path("clues/mine/", views_clues.clue_mine, name="clue_mine"),
    path("clues/", views_clues.clue_list, name="clue_list"),
    path("clues/<int:pk>/", views_clues.clue_detail, name="clue_detail"),
    path("clues/<int:pk>/accept/", views_clues.clue_accept, name="clue_accept"),
    path("clues/<int:pk>/dismiss/", views_clues.clue_dismiss, name="clue_dismiss"),
    path("clues/<int:pk>/rectify/", views_clues.clue_rectify, name="clue_rectify"),
    path("clues/<int:pk>/return/", views_clues.clue_return, name="clue_return"),
    path("clues/<int:pk>/close/", views_clues.clue_close, name="clue_close"),
    path("clues/<int:pk>/files/<int:file>/", views_clues.clue_file, name="clue_file"),
    path("<str:code>/", views.burden_unit, name="burden_unit"),
]
