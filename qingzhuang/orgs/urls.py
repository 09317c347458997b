from django.urls import path

from qingzhuang.orgs import views, views_edit, views_transfer

app_name = "orgs"

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    # Fixed paths before units/<str:code>/, which would otherwise swallow them.
    path("units/import/", views_transfer.units_import, name="units_import"),
    path("units/export/", views_transfer.units_export, name="units_export"),
    path("units/new/", views_edit.unit_create, name="unit_create"),
    path("units/pick/", views.unit_pick, name="unit_pick"),
    path("units/<str:code>/children/", views.unit_children, name="unit_children"),
    path("units/<str:code>/edit/", views_edit.unit_edit, name="unit_edit"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/import/", views_transfer.people_import, name="people_import"),
    path("people/export/", views_transfer.people_export, name="people_export"),
    path("people/new/", views_edit.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views_edit.person_edit, name="person_edit"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("import/errors/", views_transfer.import_errors, name="import_errors"),
    path("import/<str:kind>/template/", views_transfer.import_template, name="import_template"),
    path("audit/", views.audit_list, name="audit_list"),
]
