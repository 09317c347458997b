"""Second factor: required for system administrators, and for anyone who has enabled it."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from qingzhuang.orgs.roles import SYSADMIN

EXEMPT_PREFIXES = ("/static/", "/account/2fa/", "/account/logout/", "/account/login/")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            if user_has_device(user, confirmed=True):
                return redirect(f"{reverse('two_factor_verify')}?next={request.get_full_path()}")
            if user.groups.filter(name=SYSADMIN).exists():
                return redirect("two_factor_setup")
        return self.get_response(request)
