from __future__ import annotations

from django import template

from qingzhuang.orgs.audit import action_label
from qingzhuang.orgs.audit_display import audit_fields as _audit_fields

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    return action_label(action)


@register.filter
def audit_fields(entry) -> list:
    """An audit row's before/after as Chinese fields (``orgs.audit_display``)."""
    return _audit_fields(entry)
