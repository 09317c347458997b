"""The audit log's before/after values as Chinese: each field by its label, readable values, and
before → after side by side for a change.

A field's label is the ``verbose_name`` the project gave the audited object's model field, else the
common name from ``KEY_LABELS``, else the key itself; a value with choices shows its label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from qingzhuang.orgs.models import UnitKind

EMPTY = "—"

# Keys the services write into before/after that no model field names (or names differently).
KEY_LABELS = {
    "user": "用户", "username": "用户名", "display_name": "姓名", "roles": "角色", "accounts": "账号",
    "file": "文件", "format": "格式", "rows": "行数", "period": "期间", "job": "任务编号",
    "total": "总行数", "created": "新增", "updated": "更新", "unchanged": "未变",
    "is_active": "启用", "kinds": "单位类型", "kind": "类型", "scale": "规模",
    "code": "代码", "name": "名称", "parent": "上级单位", "unit": "单位", "units": "单位",
    "title": "职务", "phone": "手机", "id_number": "公民身份号码", "reason": "原因",
    "status": "状态", "message": "说明", "round": "轮次", "fields": "字段", "source": "来源",
    "admission": "准入状态", "register_status": "清单状态", "dataset": "数据集", "request": "数据需求",
    "target_units": "目标单位数", "matched": "匹配", "revealed": "查看完整信息", "value": "值",
    "passages": "段落数", "requested": "已申请", "documents": "文件", "doc_number": "文号",
    "attempts_cleared": "清除的失败次数", "devices_removed": "移除的设备数", "prefix": "令牌前缀",
    "ip": "IP", "people": "干部", "policies": "政策文件", "policy_passages": "政策段落",
}

# Keys whose values (or, for a dict, whose keys) are codes of a known set of choices.
VALUE_CHOICES = {"kind": dict(UnitKind.choices), "kinds": dict(UnitKind.choices),
                 "scale": {"seed": "标准", "small": "小"}}


@dataclass(frozen=True)
class AuditField:
    label: str
    before: str | None  # None: no before side (a creation, or a summary)
    after: str | None  # None: no after side


def _model(object_type: str):
    if "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(key: str, model=None) -> str:
    verbose = getattr(_field(model, key), "verbose_name", None)
    # The project's own labels are plain strings; Django's defaults ("is active") and its lazily
    # translated ones (AbstractUser's is_active: 有效) give way to ours.
    if isinstance(verbose, str) and verbose and verbose != key.replace("_", " "):
        return verbose
    return KEY_LABELS.get(key, key)


def display_value(value: Any, key: str = "", model=None) -> str:
    """One value as Chinese text: 是/否, choice labels, lists with 、, dicts as 标签：值；…"""
    choices = VALUE_CHOICES.get(key) or dict(getattr(_field(model, key), "choices", None) or ())
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        if key in VALUE_CHOICES:  # e.g. kinds: {"county": 1} → 县（市、区）1
            return "；".join(f"{choices.get(k, k)} {display_value(v)}" for k, v in value.items())
        return "；".join(f"{field_label(k)}：{display_value(v, k)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(display_value(v, key, model) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) and key not in {"job", "request", "documents"} else str(value)
    return str(choices.get(value, value))


def audit_fields(entry) -> list[AuditField]:
    """The fields of an audit row: a change lists only what changed, as before → after."""
    model = _model(entry.object_type)
    before = entry.before if isinstance(entry.before, dict) else ({} if entry.before is None else {"value": entry.before})
    after = entry.after if isinstance(entry.after, dict) else ({} if entry.after is None else {"value": entry.after})
    keys = list(before) + [k for k in after if k not in before]
    both = bool(before) and bool(after)
    changed = [k for k in keys if before.get(k) != after.get(k)] if both else keys
    rows = []
    for key in changed or keys:
        rows.append(AuditField(
            label=field_label(key, model),
            before=display_value(before.get(key), key, model) if before else None,
            after=display_value(after.get(key), key, model) if after else None,
        ))
    return rows
