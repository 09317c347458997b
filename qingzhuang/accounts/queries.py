"""Reads of accounts for the account-management pages, always scoped through ``orgs.access``."""

from __future__ import annotations

from collections.abc import Iterable

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingzhuang.accounts.models import User
from qingzhuang.orgs.access import unit_q


def managed_users(admin) -> QuerySet[User]:
    """Accounts whose unit lies inside ``admin``'s scope, with ``has_totp`` annotated."""
    return (
        User.objects.filter(unit_q(admin, "unit"))
        .select_related("unit")
        .prefetch_related("groups")
        .annotate(has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    )


def search_users(admin, q: str = "") -> QuerySet[User]:
    qs = managed_users(admin)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(unit__name__icontains=q)
            | Q(unit__code__startswith=q)
        )
    return qs.order_by("unit__path", "username")


def get_managed_user_or_404(admin, pk: int) -> User:
    try:
        return managed_users(admin).get(pk=pk)
    except (User.DoesNotExist, ValueError):
        raise Http404("未找到该账号") from None


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of ``usernames`` django-axes currently locks out (failures within the cool-off time)."""
    usernames = list(usernames)
    if not usernames:
        return set()
    attempts = AccessAttempt.objects.filter(username__in=usernames)
    cooloff = get_cool_off()
    if cooloff:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    rows = attempts.values("username").annotate(failures=Sum("failures_since_start"))
    return {row["username"] for row in rows if row["failures"] >= settings.AXES_FAILURE_LIMIT}


def is_locked_out(username: str) -> bool:
    return username in locked_usernames([username])
