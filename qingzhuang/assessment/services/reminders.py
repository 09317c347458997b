"""提醒报送: the assessment office reminds a department of its missing indicator values."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from qingzhuang.assessment import access, completeness
from qingzhuang.assessment.models import Reminder, Scheme
from qingzhuang.lib import periods
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Unit

NOTHING_MISSING = "该部门数据已报齐，无需提醒"
NOT_AN_OWNER = "该部门不报送本方案的考核指标"
MESSAGE_MAX = 500


def default_message(scheme: Scheme, months: list[str], missing: int) -> str:
    words = "、".join(f"{periods.parse_period(p)[1]}月" for p in months)
    return f"请尽快补报“{scheme.name}”所用指标{words}的数据，共缺{missing}项。"


@transaction.atomic
def reminder_send(*, actor, scheme: Scheme, department: Unit, message: str = "", request=None) -> Reminder:
    """Remind ``department`` of its missing values of ``scheme`` (months past their deadline)."""
    access.require_manage(actor)
    table = completeness.completeness(scheme, departments=[department.pk])
    if not table.rows:
        raise ValidationError(NOT_AN_OWNER)
    row = table.rows[0]
    if not row.missing:
        raise ValidationError(NOTHING_MISSING)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationError({"message": [f"提醒内容不能超过{MESSAGE_MAX}个字"]})
    months = row.missing_months
    reminder = Reminder.objects.create(
        scheme=scheme, department=department, months=months, missing=row.missing,
        message=message or default_message(scheme, months, row.missing),
        sent_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, action="assessment.remind", obj=reminder, unit=department, request=request,
                 after={"scheme": scheme.code, "department": department.code, "months": months,
                        "missing": row.missing})
    return reminder
