"""The burden pages, mounted at /burden/ (the old /ledger/burden/ paths redirect here)."""

from django.urls import path

from qingzhuang.burden import views, views_clues, views_documents, views_overview, views_registries

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

# Registries: 会议登记, 工作群, 政务应用 (views_registries).
urlpatterns += [
    path("meetings/", views_registries.meeting_list, name="meeting_list"),
    path("meetings/new/", views_registries.meeting_create, name="meeting_create"),
    path("meetings/import/", views_registries.meeting_import, name="meeting_import"),
    path("meetings/import/template/", views_registries.meeting_template, name="meeting_template"),
    path("meetings/<int:pk>/", views_registries.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views_registries.meeting_edit, name="meeting_edit"),
    path("groups/", views_registries.group_list, name="group_list"),
    path("groups/new/", views_registries.group_create, name="group_create"),
    path("groups/close/", views_registries.group_close_many, name="group_close_many"),
    path("groups/import/", views_registries.group_import, name="group_import"),
    path("groups/import/template/", views_registries.group_template, name="group_template"),
    path("groups/<int:pk>/", views_registries.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views_registries.group_edit, name="group_edit"),
    path("groups/<int:pk>/close/", views_registries.group_close, name="group_close"),
    path("apps/", views_registries.app_list, name="app_list"),
    path("apps/new/", views_registries.app_create, name="app_create"),
    path("apps/import/", views_registries.app_import, name="app_import"),
    path("apps/import/template/", views_registries.app_template, name="app_template"),
    path("apps/<int:pk>/", views_registries.app_detail, name="app_detail"),
    path("apps/<int:pk>/edit/", views_registries.app_edit, name="app_edit"),
    path("registries/import/errors/", views_registries.registry_import_errors, name="registry_import_errors"),
]

# 码上减负 clues (views_clues): the public pages first, then the monitors' and units' pages.
urlpatterns += [
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
]

# 发文登记 and 一网协同 (views_documents).
urlpatterns += [
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
]
