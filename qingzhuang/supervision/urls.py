"""The supervision pages; each part keeps its own url module, included here."""

from qingzhuang.supervision import urls_plans

app_name = "supervision"

urlpatterns: list = [
    *urls_plans.urlpatterns,
]
