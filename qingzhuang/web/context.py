"""Role-aware navigation: only modules that exist and that the user may open are listed."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from qingzhuang.orgs.roles import user_roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    permission: str | None = None
    roles: tuple[str, ...] = ()
    # Other URL names whose pages belong to this item (the longest matching prefix wins).
    also: tuple[str, ...] = ()


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("首页", "home", "house"),
    NavItem("组织架构", "unit_tree", "diagram-3"),
    NavItem("干部名录", "person_list", "people"),
    NavItem("一套表", "data_map", "table"),
    NavItem("报表准入", "report_list", "clipboard-check", also=("request_list", "burden")),
    NavItem("找数据", "find_data", "search"),
    NavItem("AI社工", "policy_search", "robot", also=("policy_ask", "policy_list")),
    NavItem("审计日志", "audit_list", "journal-text", permission="orgs.view_audit"),
    NavItem("账号管理", "user_list", "person-badge", permission="accounts.manage_users"),
    NavItem("我的账号", "account", "person-gear"),
)


def nav_for(user, path: str = "") -> list[dict]:
    if not user.is_authenticated:
        return []
    roles = set(user_roles(user))
    items = []
    for item in NAV_ITEMS:
        if item.permission and not user.has_perm(item.permission):
            continue
        if item.roles and not roles & set(item.roles):
            continue
        url = reverse(item.url_name)
        prefixes = [url, *(reverse(name) for name in item.also)]
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": False, "prefixes": prefixes})
    # The active item is the one with the longest URL prefix of the path
    # (/account/users/ is 账号管理, not 我的账号; /ledger/requests/ is 报表准入, not 一套表).
    best, best_len = None, -1
    for entry in items:
        for prefix in entry["prefixes"]:
            if (path == prefix or (prefix != "/" and path.startswith(prefix))) and len(prefix) > best_len:
                best, best_len = entry, len(prefix)
    if best is not None:
        best["active"] = True
    return items


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    return {"nav_items": nav_for(user, request.path), "user_roles": user_roles(user)}
