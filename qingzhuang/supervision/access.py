"""Every scope decision of the supervision app, by part, built on ``orgs.access`` predicates.
Forbidden and missing answer the same 404."""

from __future__ import annotations

from django.http import Http404

from qingzhuang.orgs import access as org_access

# --- violations ---


def can_view_violations(user) -> bool:
    """The violations page is county-wide: the 督查室, monitors and leaders (who see every demand)."""
    return org_access.oversees_county(user)


def require_violations(user) -> None:
    if not can_view_violations(user):
        raise Http404("未找到该页面")
