"""Which accounts and API tokens a user reaches (the scope itself is ``orgs.access``).

An account is managed by an administrator whose scope covers the account's unit; a token belongs
to its own user only. Out of reach answers like missing: 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingzhuang.accounts.models import ApiToken, User
from qingzhuang.orgs.access import ACCOUNT_NOT_FOUND, unit_q

TOKEN_NOT_FOUND = "未找到该令牌"  # noqa: S105  (a message, not a secret)


def visible_users(admin) -> QuerySet[User]:
    """Accounts whose unit lies inside ``admin``'s scope, with ``has_totp`` annotated."""
    return (
        User.objects.filter(unit_q(admin, "unit"))
        .select_related("unit")
        .prefetch_related("groups")
        .annotate(has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    )


def get_managed_user_or_404(admin, pk: int) -> User:
    try:
        return visible_users(admin).get(pk=pk)
    except (User.DoesNotExist, ValueError):
        raise Http404(ACCOUNT_NOT_FOUND) from None


def visible_tokens(user) -> QuerySet[ApiToken]:
    """The API tokens of ``user`` themselves (nobody sees another's)."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def get_token_or_404(user, pk: int) -> ApiToken:
    try:
        return visible_tokens(user).get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError):
        raise Http404(TOKEN_NOT_FOUND) from None


def is_self(actor, user) -> bool:
    """Whether ``actor`` acts on their own account (their password, tokens, second factor)."""
    return getattr(actor, "is_authenticated", False) and actor.pk == user.pk
