"""Writing the audit log. Call ``record`` inside the transaction of the write it describes."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from qingzhuang.orgs.models import AuditLog, Unit


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def build(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    unit: Unit | None = None,
    before: dict | None = None,
    after: dict | None = None,
    request=None,
) -> AuditLog:
    """An unsaved audit row; ``record`` saves one, ``record_many`` saves many in one INSERT."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if unit is None:
            unit = obj if isinstance(obj, Unit) else getattr(obj, "unit", None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog(
        actor=user,
        actor_name=(user.get_username() if user else "系统"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        unit=unit if isinstance(unit, Unit) else None,
        before=before,
        after=after,
        ip=client_ip(request),
    )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the write it records")


def record(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    unit: Unit | None = None,
    before: dict | None = None,
    after: dict | None = None,
    request=None,
) -> AuditLog:
    _require_transaction()
    entry = build(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                  object_repr=object_repr, unit=unit, before=before, after=after, request=request)
    entry.save()
    return entry


def record_many(entries: list[AuditLog], *, batch_size: int = 500) -> None:
    """Save many rows from ``build`` at once (bulk imports), inside the write's transaction."""
    _require_transaction()
    AuditLog.objects.bulk_create(entries, batch_size=batch_size)


# Chinese names of the actions, for the audit page. New actions fall back to their code.
ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "auth.locked_out": "账号锁定",
    "auth.otp_failed": "动态验证码错误",
    "unit.create": "新增单位",
    "unit.update": "修改单位",
    "unit.import": "导入单位",
    "person.create": "新增干部",
    "person.update": "修改干部",
    "person.import": "导入干部",
    "person.reveal": "查看完整个人信息",
    "person.export": "导出完整个人信息",
    "user.create": "新增账号",
    "user.update": "修改账号",
    "user.set_roles": "调整角色",
    "user.change_password": "修改密码",
    "user.reset_password": "重置密码",
    "user.unlock": "解除锁定",
    "user.totp_enable": "启用动态验证码",
    "user.totp_reset": "重置动态验证码",
    "token.create": "创建API令牌",
    "token.revoke": "吊销API令牌",
    "grant.create": "授权访问范围",
    "demo.seed": "生成演示数据",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
