"""The assessment's workbench to-dos (``Module.todos``): open reminders to report missing indicator values,
for the reporters of the reminded department. Nothing here concerns spot checks: the assessed unit is not told."""

from __future__ import annotations

from django.urls import reverse

from qingzhuang.assessment import completeness
from qingzhuang.registry import Todo

IMPORT_PERMISSION = "ledger.import_data"


def todos(user) -> list[Todo]:
    if not getattr(user, "unit_id", None) or not user.has_perm(IMPORT_PERMISSION):
        return []
    found = completeness.open_reminders(user)
    if not found:
        return []
    missing = sum(still for _, still in found)
    return [Todo("项考核指标数据待补报（考核办提醒）", missing,
                 reverse("ledger:dataset_import", args=["indicator_values"]), tone="warning")]
