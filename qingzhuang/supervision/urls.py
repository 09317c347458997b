"""The supervision pages; each part keeps its own url module, included here."""

from qingzhuang.supervision import urls_plans, urls_tasks, urls_violations, urls_visits

app_name = "supervision"

urlpatterns: list = [
    *urls_plans.urlpatterns,
    *urls_visits.urlpatterns,
    *urls_violations.urlpatterns,
    *urls_tasks.urlpatterns,
]
