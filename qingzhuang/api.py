"""The HTTP API at /api/v1/ (Django Ninja); OpenAPI schema at /api/v1/openapi.json.

The routers come from the apps' ``module.py`` declarations; this file names no app but accounts,
whose authenticators every router uses."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from qingzhuang import registry
from qingzhuang.accounts.auth import BearerTokenAuth, VerifiedSessionAuth
from qingzhuang.orgs import api_errors


class Api(NinjaAPI):
    """The API; its published schema also documents what is answered before an endpoint runs (401, 422,
    the middleware's 400: ``orgs.api_errors.document_common_responses``)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # A nested router's paths have no leading "/": "/api/v1" + "assessment/…" must not glue together.
        if path_prefix and not path_prefix.endswith("/"):
            path_prefix += "/"
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return api_errors.document_common_responses(schema)


api = Api(
    title="轻装 API",
    version="1",
    description="县级为基层减负平台接口。浏览器使用会话登录；脚本使用个人令牌：`Authorization: Bearer qz_…`。",
    # Bearer first: Ninja stops at the first authenticator that raises, and session auth raises
    # on a failed CSRF check, which a script that sends a token never passes.
    auth=[BearerTokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
)
# One error shape (orgs.api_errors.ErrorOut) for ValidationError, PermissionDenied and Http404.
api_errors.install(api)
# Each app's routers, at the prefixes its module.py declares (qingzhuang/registry.py).
for module in registry.modules():
    for prefix, dotted in module.api:
        api.add_router(prefix, registry.load(dotted))


@csrf_exempt
def unknown_path(request, rest: str = ""):
    """Any other path under /api/v1/ (``/api/v1/people/abc``, a typo): the API's JSON 404, as for a
    missing object, not the HTML page. It reads and writes nothing, so it needs no CSRF token."""
    return JsonResponse(api_errors.error_body(api_errors.NOT_FOUND_MESSAGE), status=404)
