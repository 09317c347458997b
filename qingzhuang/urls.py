from django.urls import include, path

from qingzhuang.api import api

urlpatterns = [
    path("", include("qingzhuang.web.urls")),
    path("account/", include("qingzhuang.accounts.urls")),
    path("orgs/", include("qingzhuang.orgs.urls")),
    # The burden ledger keeps the paths it had under the ledger's report pages.
    path("ledger/burden/", include("qingzhuang.burden.urls")),
    path("ledger/", include("qingzhuang.ledger.urls_reports")),
    path("ledger/", include("qingzhuang.ledger.urls")),
    path("assistant/", include("qingzhuang.assistant.urls")),
    path("api/v1/", api.urls),
]

handler404 = "qingzhuang.web.views.not_found"
handler403 = "qingzhuang.web.views.forbidden"
