"""Reads of accounts for the account-management pages, always scoped through ``accounts.access``."""

from __future__ import annotations

from collections.abc import Iterable

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from qingzhuang.accounts import access
from qingzhuang.accounts.models import User

# The account list's status filter: what a workbench to-do links to.
STATUS_CHOICES = (("locked", "已锁定"), ("norole", "未分配角色"), ("inactive", "已停用"))


def search_users(admin, q: str = "", status: str = "") -> QuerySet[User]:
    qs = access.visible_users(admin)
    if status == "locked":
        qs = qs.filter(username__in=locked_usernames(locked_candidates()))
    elif status == "norole":
        qs = qs.filter(is_active=True, groups__isnull=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(unit__name__icontains=q)
            | Q(unit__code__startswith=q)
        )
    return qs.order_by("unit__path", "username")


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


def locked_candidates() -> list[str]:
    """User names with any recorded failed sign-in (django-axes keeps one row per attempt source)."""
    return list(AccessAttempt.objects.values_list("username", flat=True).distinct())


def is_locked_out(username: str) -> bool:
    return username in locked_usernames([username])
