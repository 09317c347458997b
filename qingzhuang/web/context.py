"""Role-aware navigation, built from the menu entries the apps declare (``registry.NavEntry``).

Only entries the user may open are listed. Entries are grouped (数据 / 考核 / 督查 / 减负 / AI社工 /
系统, ``registry.NAV_GROUPS``); a group with one visible entry shows as that entry, so a village
cadre's phone menu stays short.
"""

from __future__ import annotations

from django.urls import reverse

from qingzhuang import registry
from qingzhuang.orgs.roles import user_roles


def _visible(entry: registry.NavEntry, user, roles: set[str]) -> bool:
    if entry.permission and not user.has_perm(entry.permission):
        return False
    return not entry.roles or bool(roles & set(entry.roles))


def _mark_active(items: list[dict], path: str) -> None:
    """The active entry is the one with the longest URL prefix of the path (/account/users/ is
    账号管理, not 我的账号; /ledger/requests/ is 数据需求, not 一套表)."""
    best, best_len = None, -1
    for item in items:
        for prefix in item["prefixes"]:
            if (path == prefix or (prefix != "/" and path.startswith(prefix))) and len(prefix) > best_len:
                best, best_len = item, len(prefix)
    if best is not None:
        best["active"] = True


def nav_for(user, path: str = "") -> list[dict]:
    """The menu: top-level entries and groups, each group with its entries, in menu order."""
    if not user.is_authenticated:
        return []
    roles = set(user_roles(user))
    entries = sorted(
        (e for e in registry.nav_entries() if _visible(e, user, roles)),
        key=lambda e: (registry.NAV_GROUP_NAMES.index(e.group) + 1 if e.group else 0, e.order, e.label),
    )
    items = []
    for entry in entries:
        url = reverse(entry.url_name)
        items.append({"label": entry.label, "url": url, "icon": entry.icon, "group": entry.group,
                      "active": False, "prefixes": [url, *(reverse(name) for name in entry.also)]})
    _mark_active(items, path)
    menu: list[dict] = []
    groups: dict[str, dict] = {}
    icons = dict(registry.NAV_GROUPS)
    for item in items:
        if not item["group"]:
            menu.append(item)
            continue
        group = groups.get(item["group"])
        if group is None:
            group = groups[item["group"]] = {"label": item["group"], "icon": icons[item["group"]],
                                             "children": [], "active": False}
            menu.append(group)
        group["children"].append(item)
        group["active"] = group["active"] or item["active"]
    # A group of one entry is that entry.
    return [m["children"][0] if m.get("children") and len(m["children"]) == 1 else m for m in menu]


def leaf_items(menu: list[dict]) -> list[dict]:
    """Every entry of a menu, groups opened, in order."""
    return [leaf for item in menu for leaf in (item.get("children") or [item])]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    return {"nav_items": nav_for(user, request.path), "user_roles": user_roles(user)}
