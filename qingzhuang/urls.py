"""URLs: each app's pages at the prefixes its ``module.py`` declares, and the API at /api/v1/."""

from django.urls import include, path, re_path

from qingzhuang import registry
from qingzhuang.api import api, unknown_path

urlpatterns = [
    *(path(prefix, include(dotted)) for module in registry.modules() for prefix, dotted in module.urls),
    path("api/v1/", api.urls),
    # After the API's own routes: any other path under it answers the API's JSON 404.
    re_path(r"^api/v1/(?P<rest>[\s\S]*)", unknown_path),
]

handler404 = "qingzhuang.web.views.not_found"
handler403 = "qingzhuang.web.views.forbidden"
