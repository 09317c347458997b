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
    ip: str | None = None,
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
        ip=ip or client_ip(request),  # ip: captured earlier (a background job's upload)
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
    ip: str | None = None,
) -> AuditLog:
    _require_transaction()
    entry = build(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                  object_repr=object_repr, unit=unit, before=before, after=after, request=request, ip=ip)
    entry.save()
    return entry


def record_many(entries: list[AuditLog], *, batch_size: int = 500) -> None:
    """Save many rows from ``build`` at once (bulk imports), inside the write's transaction."""
    _require_transaction()
    AuditLog.objects.bulk_create(entries, batch_size=batch_size)


def action_labels() -> dict[str, str]:
    """Chinese names of the actions, for the audit page, as the apps declare them in their
    ``module.py`` (``Module.audit_labels``). An action without one shows its code."""
    from qingzhuang import registry

    return registry.audit_labels()


def action_label(action: str) -> str:
    return action_labels().get(action, action)
