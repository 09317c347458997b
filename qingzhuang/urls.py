"""URLs: each app's pages at the prefixes its ``module.py`` declares, and the API at /api/v1/."""

from django.urls import include, path

from qingzhuang import registry
from qingzhuang.api import api

urlpatterns = [
    *(path(prefix, include(dotted)) for module in registry.modules() for prefix, dotted in module.urls),
    path("api/v1/", api.urls),
]

handler404 = "qingzhuang.web.views.not_found"
handler403 = "qingzhuang.web.views.forbidden"
