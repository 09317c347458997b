from django.urls import include, path

from qingzhuang.api import api

urlpatterns = [
    path("", include("qingzhuang.web.urls")),
    path("account/", include("qingzhuang.accounts.urls")),
    path("orgs/", include("qingzhuang.orgs.urls")),
    path("ledger/", include("qingzhuang.ledger.urls_reports")),
    path("ledger/", include("qingzhuang.ledger.urls")),
    path("assistant/", include("qingzhuang.assistant.urls")),
    path("api/v1/", api.urls),
]

handler404 = "qingzhuang.web.views.not_found"
handler403 = "qingzhuang.web.views.forbidden"
