"""The accounts app's workbench (``Module.todos`` / ``Module.charts``): for those who manage
accounts, the accounts that need them (locked out, active without a role), and who holds which
role at which level of the org tree."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from qingzhuang.accounts import access, queries
from qingzhuang.orgs.models import UnitKind
from qingzhuang.orgs.roles import ROLES
from qingzhuang.registry import Chart, Todo

# Levels of the org tree as an account administrator thinks of them.
LEVELS: tuple[tuple[str, frozenset[str]], ...] = (
    ("县直单位", frozenset({UnitKind.COUNTY, UnitKind.PARTY, UnitKind.GOVERNMENT, UnitKind.DEPARTMENT,
                        UnitKind.OTHER})),
    ("乡镇（街道）", frozenset({UnitKind.TOWNSHIP, UnitKind.STREET})),
    ("村（社区）、网格", frozenset({UnitKind.VILLAGE, UnitKind.COMMUNITY, UnitKind.GRID})),
)
LEVEL_COLOURS = ("#0d6efd", "#20c997", "#fd7e14")


def _manages(user) -> bool:
    return user.is_authenticated and user.has_perm("accounts.manage_users")


def todos(user) -> list[Todo]:
    if not _manages(user):
        return []
    base = reverse("accounts:user_list")
    items = []
    locked = queries.search_users(user, status="locked").count()
    if locked:
        items.append(Todo("个账号因多次登录失败被锁定，核实后可解除", locked, f"{base}?status=locked", tone="danger"))
    norole = queries.search_users(user, status="norole").count()
    if norole:
        items.append(Todo("个启用的账号未分配角色", norole, f"{base}?status=norole", tone="warning"))
    return items


def accounts_by_role_and_level(user) -> dict[str, list[int]]:
    """Active accounts in scope: for each role of ``ROLES``, how many at each of ``LEVELS``."""
    rows = (access.visible_users(user).filter(is_active=True).exclude(groups__isnull=True)
            .values("groups__name", "unit__kind").annotate(n=Count("id", distinct=True)))
    found: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["groups__name"], row["unit__kind"])
        found[key] = found.get(key, 0) + row["n"]
    return {
        label: [sum(n for (role, kind), n in found.items() if role == r.name and kind in kinds) for r in ROLES]
        for label, kinds in LEVELS
    }


def charts(user) -> list[Chart]:
    if not _manages(user):
        return []
    by_level = accounts_by_role_and_level(user)
    total = sum(sum(counts) for counts in by_level.values())
    role_names = [r.name for r in ROLES]
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "账号（个）", "minInterval": 1},
        "yAxis": {"type": "category", "data": role_names, "inverse": True},
        "series": [
            {"name": label, "type": "bar", "stack": "level", "data": counts, "itemStyle": {"color": colour}}
            for (label, counts), colour in zip(by_level.items(), LEVEL_COLOURS, strict=True)
        ],
    }
    return [Chart(
        key="accounts-by-role",
        title="启用账号的角色分布（按单位层级）",
        option=option,
        note=f"范围内共{total}个启用且已分配角色的账号；一个账号有几个角色就计入几个角色。",
        empty="" if total else "范围内还没有启用且已分配角色的账号。",
        unit="个",
    )]
