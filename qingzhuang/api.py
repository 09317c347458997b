"""The HTTP API at /api/v1/ (Django Ninja); OpenAPI schema at /api/v1/openapi.json."""

from ninja import NinjaAPI

from qingzhuang.accounts.auth import BearerTokenAuth, VerifiedSessionAuth
from qingzhuang.assistant.api import router as assistant_router
from qingzhuang.ledger.api import router as ledger_router
from qingzhuang.ledger.api_read import router as read_router
from qingzhuang.ledger.api_reports import router as reports_router
from qingzhuang.orgs import api_errors
from qingzhuang.orgs.api import router as orgs_router

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
api.add_router("/", orgs_router)
api.add_router("/ledger/", read_router)
api.add_router("/ledger/", reports_router)
api.add_router("/ledger/", ledger_router)
api.add_router("/assistant/", assistant_router)
