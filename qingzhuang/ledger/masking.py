"""Masking of personal data in ledger values (pages, API and exports all use this)."""

from __future__ import annotations

from qingzhuang.lib import ids
from qingzhuang.orgs import access

PERSONAL_TYPES = {"id_number": ids.mask_id_number, "phone": ids.mask_phone}


def can_see_personal(user) -> bool:
    return access.can_view_personal_data(user)


def display_value(value_type: str, value, *, reveal: bool) -> str:
    """The text of ``value`` as a user may see it: ID numbers and phones masked unless ``reveal``."""
    if value is None:
        return ""
    text = str(value)
    if not reveal and value_type in PERSONAL_TYPES:
        return PERSONAL_TYPES[value_type](text)
    return text
