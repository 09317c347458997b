"""Writes of data requests, with duplicate-request interception (向系统找数据, not 向基层要数据).

A department lists the fields it wants in free Chinese and the units it would ask. Each field is
matched against the ledger (``matching``): fields the ledger holds are served by a share of the
dataset holding them, granted when the 督查室 approves the request; only the remaining fields can
be sent to the target units, and only after that approval. The request keeps the count of data
items the county did not ask for: held fields × target units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingzhuang.burden.models import Demand, DemandKind
from qingzhuang.burden.services import demand_place
from qingzhuang.ledger import access, matching
from qingzhuang.ledger.models import DataRequest, DataRequestField, DatasetShare
from qingzhuang.ledger.services.admission import (
    clean_targets,
    ensure_sendable,
    require_approver,
    require_manager,
    review,
    submit,
)
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Unit

MAX_FIELDS = 60



@dataclass
class RequestDefinition:
    title: str
    fields_text: str
    purpose: str = ""
    period: str = ""
    due_date: dt.date | None = None
    target_units: list[Unit] = field(default_factory=list)


def _clean(d: RequestDefinition) -> tuple[RequestDefinition, list[matching.FieldMatch]]:
    errors: dict[str, str] = {}
    d.title, d.purpose, d.period = (d.title or "").strip(), (d.purpose or "").strip(), (d.period or "").strip()
    if not d.title:
        errors["title"] = "请填写需求名称"
    fields = matching.split_fields(d.fields_text)
    if not fields:
        errors["fields_text"] = "请列出所需字段，用顿号、逗号或换行分隔"
    elif len(fields) > MAX_FIELDS:
        errors["fields_text"] = f"一次最多列出 {MAX_FIELDS} 个字段"
    try:
        d.target_units = clean_targets(d.target_units or [])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if not d.target_units:
            errors["target_units"] = "请选择填报单位（例如某乡镇的全部村）"
    if errors:
        raise ValidationError(errors)
    d.fields_text = "、".join(fields)
    return d, matching.find_fields(d.fields_text)


def _store(data_request: DataRequest, d: RequestDefinition, matches: list[matching.FieldMatch]) -> None:
    data_request.fields.all().delete()
    DataRequestField.objects.bulk_create(
        DataRequestField(request=data_request, position=i, text=m.field, element_id=m.element.id if m.element else None,
                         dataset_id=m.dataset.id if m.held else None, score=Decimal(str(m.score)))
        for i, m in enumerate(matches)
    )
    data_request.target_units.set(d.target_units)
    held = sum(1 for m in matches if m.held)
    data_request.held_count, data_request.remaining_count = held, len(matches) - held
    data_request.not_asked = matching.not_asked(matches, len(d.target_units))
    data_request.save(update_fields=["held_count", "remaining_count", "not_asked"])


def _apply(data_request: DataRequest, d: RequestDefinition) -> None:
    data_request.title, data_request.purpose, data_request.period = d.title, d.purpose, d.period
    data_request.fields_text, data_request.due_date = d.fields_text, d.due_date


@transaction.atomic
def request_create(*, actor, definition: RequestDefinition, request=None) -> DataRequest:
    if not access.can_define(actor):
        raise PermissionDenied("只有部门填报员可以提出数据需求")
    d, matches = _clean(definition)
    data_request = DataRequest(owner_id=actor.unit_id, created_by=actor)
    _apply(data_request, d)
    data_request.save()
    _store(data_request, d, matches)
    audit.record(actor=actor, action="request.create", obj=data_request, unit=data_request.owner,
                 after={**data_request.audit_dict(), "target_units": len(d.target_units)}, request=request)
    return data_request


@transaction.atomic
def request_update(*, actor, data_request: DataRequest, definition: RequestDefinition, request=None) -> DataRequest:
    data_request = DataRequest.objects.select_for_update().select_related("owner").get(pk=data_request.pk)
    require_manager(actor, data_request)
    if not data_request.is_editable:
        raise ValidationError("已提交审批或已批准的数据需求不能修改")
    before = data_request.audit_dict()
    d, matches = _clean(definition)
    _apply(data_request, d)
    data_request.save()
    _store(data_request, d, matches)
    audit.record(actor=actor, action="request.update", obj=data_request, unit=data_request.owner, before=before,
                 after={**data_request.audit_dict(), "target_units": len(d.target_units)}, request=request)
    return data_request


@transaction.atomic
def request_submit(*, actor, data_request: DataRequest, request=None) -> DataRequest:
    data_request = DataRequest.objects.select_for_update().select_related("owner").get(pk=data_request.pk)
    return submit(actor=actor, obj=data_request, action="request.submit", request=request)


@transaction.atomic
def request_review(*, actor, data_request: DataRequest, approve: bool, note: str = "", request=None) -> DataRequest:
    """Admit or reject. Admitting shares every dataset holding a requested field with the department."""
    require_approver(actor)
    access.require_request(actor, data_request)
    data_request = DataRequest.objects.select_for_update().select_related("owner").get(pk=data_request.pk)
    review(actor=actor, obj=data_request, approve=approve, note=note, action_prefix="request", request=request)
    if approve:
        _share_held(actor=actor, data_request=data_request, request=request)
    return data_request


def _share_held(*, actor, data_request: DataRequest, request=None) -> list[DatasetShare]:
    shares = []
    held = data_request.fields.filter(dataset__isnull=False).select_related("dataset")
    for dataset in {f.dataset for f in held}:
        if dataset.owner_id == data_request.owner_id or dataset.shares.filter(unit=data_request.owner).exists():
            continue
        share = DatasetShare.objects.create(
            dataset=dataset, unit=data_request.owner, granted_by=actor,
            reason=f"数据需求“{data_request.title}”经准入审批，由一套表共享"[:200],
        )
        audit.record(actor=actor, action="dataset.share", obj=share, unit=data_request.owner,
                     after={"dataset": dataset.code, "unit": data_request.owner.code, "request": data_request.pk},
                     request=request)
        shares.append(share)
    return shares


@transaction.atomic
def request_send(*, actor, data_request: DataRequest, request=None) -> list[Demand]:
    """Ask each target unit once for the fields the ledger does not hold."""
    data_request = DataRequest.objects.select_for_update().select_related("owner").get(pk=data_request.pk)
    require_manager(actor, data_request)
    ensure_sendable(data_request)
    if data_request.sent_at:
        raise ValidationError("该数据需求已经下发")
    remaining = list(data_request.fields.filter(dataset__isnull=True).values_list("text", flat=True))
    if not remaining:
        raise ValidationError("所需字段在一套表中都已有，已通过数据共享提供，无需向基层下发。")
    units = list(data_request.target_units.all())
    demands = demand_place(actor=actor, source=data_request, kind=DemandKind.DATA_REQUEST, units=units,
                           title=data_request.title, fields=remaining, placed_by=data_request.owner,
                           due_date=data_request.due_date, request=request)
    data_request.sent_at = timezone.now()
    data_request.save(update_fields=["sent_at", "updated_at"])
    audit.record(actor=actor, action="request.send", obj=data_request, unit=data_request.owner,
                 after={"units": len(units), "fields": remaining}, request=request)
    return demands
