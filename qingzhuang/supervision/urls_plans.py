"""The annual plan's and merge proposals' pages."""

from django.urls import path

from qingzhuang.supervision import views_plans as views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.item_create, name="item_create"),
    path("plans/review/", views.review_queue, name="review_queue"),
    path("plans/<int:year>/explain/", views.plan_explain, name="plan_explain"),
    path("plans/items/<int:pk>/", views.item_detail, name="item_detail"),
    path("plans/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("plans/items/<int:pk>/submit/", views.item_submit, name="item_submit"),
    path("plans/items/<int:pk>/review/", views.item_review, name="item_review"),
    path("merges/", views.merge_list, name="merge_list"),
    path("merges/find/", views.merge_find, name="merge_find"),
    path("merges/<int:pk>/", views.merge_detail, name="merge_detail"),
    path("merges/<int:pk>/accept/", views.merge_accept, name="merge_accept"),
    path("merges/<int:pk>/reject/", views.merge_reject, name="merge_reject"),
]
