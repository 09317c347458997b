from django.urls import path

from qingzhuang.orgs import views

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("audit/", views.audit_list, name="audit_list"),
]
