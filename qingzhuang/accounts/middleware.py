"""Second factor: required for system administrators, and for anyone who has enabled it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from qingzhuang.orgs.roles import SYSADMIN

# The API is not redirected: its session authentication (``accounts.auth.VerifiedSessionAuth``)
# refuses an unverified session with 401, which a script understands better than a redirect.
EXEMPT_PREFIXES = ("/static/", "/account/2fa/", "/account/logout/", "/account/login/", "/api/", "/healthz")


def needs_second_factor(user) -> str | None:
    """``"verify"`` or ``"setup"`` when ``user`` must still pass the second factor, else None."""
    if user is None or not user.is_authenticated or user.is_verified():
        return None
    if user_has_device(user, confirmed=True):
        return "verify"
    if user.groups.filter(name=SYSADMIN).exists():
        return "setup"
    return None


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(EXEMPT_PREFIXES):
            step = needs_second_factor(getattr(request, "user", None))
            if step == "verify":
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
            if step == "setup":
                return redirect("accounts:two_factor_setup")
        return self.get_response(request)
