"""The HTTP API at /api/v1/ (Django Ninja); OpenAPI schema at /api/v1/openapi.json.

The routers come from the apps' ``module.py`` declarations; this file names no app but accounts,
whose authenticators every router uses."""

from ninja import NinjaAPI

from qingzhuang import registry
from qingzhuang.accounts.auth import BearerTokenAuth, VerifiedSessionAuth
from qingzhuang.orgs import api_errors

api = NinjaAPI(
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
