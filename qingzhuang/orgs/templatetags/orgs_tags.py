from __future__ import annotations

import json

from django import template

from qingzhuang.orgs.audit import action_label

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    return action_label(action)


@register.filter
def audit_values(value) -> str:
    """An audit before/after value as readable ``key: value`` lines."""
    if value in (None, "", {}):
        return ""
    if isinstance(value, dict):
        return "\n".join(
            f"{key}: {json.dumps(val, ensure_ascii=False) if isinstance(val, (dict, list)) else val}"
            for key, val in value.items()
        )
    return json.dumps(value, ensure_ascii=False)
