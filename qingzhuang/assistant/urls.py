from django.urls import include, path

from qingzhuang.assistant import views

app_name = "assistant"

urlpatterns = [
    path("", views.search_page, name="policy_search"),
    path("ask/", views.ask_page, name="policy_ask"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/reindex/", views.policy_reindex_stale, name="policy_reindex_stale"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/reindex/", views.policy_reindex, name="policy_reindex"),
    path("policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
    path("policies/<int:pk>/file/", views.policy_file, name="policy_file"),
    path("summary/", include("qingzhuang.assistant.urls_summary")),
]
