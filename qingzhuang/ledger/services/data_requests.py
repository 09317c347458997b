"""Writes of data requests, with duplicate-request interception (向系统找数据, not 向基层要数据).

A department lists the fields it wants in free Chinese and the units it would ask. Each field is
matched against the ledger (``matching``): 已有 (the same data item), 相近（需确认） (a near one)
or 未找到. Fields the ledger holds are served by a share of the dataset holding them, granted when
the 督查室 approves the request; only the remaining fields can be sent to the target units, and
only after that approval. A related field is held only once a person confirms that the near
element answers it (``request_field_confirm``): the requesting department while the request is a
draft (or was rejected), the 督查室 while it reviews it. The request keeps the count of data items
the county did not ask for: held fields × target units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from qingzhuang.burden.models import Demand, DemandKind
from qingzhuang.burden.services import demand_place
from qingzhuang.ledger import access, matching
from qingzhuang.ledger.models import Admission, DataRequest, DataRequestField, DatasetShare, MatchOutcome
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
    """Replace the request's fields with ``matches``. A related field that was confirmed before and
    still matches the same element stays confirmed (an edit of the title does not undo it)."""
    kept = {(f.text, f.element_id): (f.confirmed_by_id, f.confirmed_at)
            for f in data_request.fields.filter(confirmed_at__isnull=False)}
    data_request.fields.all().delete()
    rows = []
    for i, m in enumerate(matches):
        element_id = m.element.id if m.element else None
        confirmed = kept.get((m.field, element_id), (None, None)) if m.related else (None, None)
        rows.append(DataRequestField(
            request=data_request, position=i, text=m.field, element_id=element_id,
            dataset_id=m.dataset.id if m.outcome != matching.NONE else None, score=Decimal(str(m.score)),
            outcome=m.outcome, reason=m.reason[:200], confirmed_by_id=confirmed[0], confirmed_at=confirmed[1]))
    DataRequestField.objects.bulk_create(rows)
    data_request.target_units.set(d.target_units)
    _recount(data_request, len(d.target_units))


def _recount(data_request: DataRequest, target_units: int | None = None) -> None:
    """Held fields (exact, or related and confirmed) and the data items not asked because of them."""
    if target_units is None:
        target_units = data_request.target_units.count()
    held = data_request.fields.held().count()
    data_request.held_count, data_request.remaining_count = held, data_request.fields.count() - held
    data_request.not_asked = held * target_units
    data_request.save(update_fields=["held_count", "remaining_count", "not_asked", "updated_at"])


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


CONFIRM_STATE_MESSAGE = "已批准的数据需求不能再确认或撤销相近字段"
CONFIRM_WHO_MESSAGE = "相近字段由提出数据需求的部门在草稿时确认，或由督查室在准入审批时确认"
NOT_RELATED_MESSAGE = "只有“相近（需确认）”的字段需要确认"


@transaction.atomic
def request_field_confirm(*, actor, data_request: DataRequest, field_id: int, confirm: bool = True,
                          request=None) -> DataRequestField:
    """Confirm (or withdraw the confirmation) that the near element found for a related field
    answers it: the field is then served from the ledger like an exact one and counts as not asked.
    The requesting department decides while the request is a draft or rejected, the 督查室 while
    it is pending review; nobody once it is approved."""
    access.require_request(actor, data_request)
    data_request = DataRequest.objects.select_for_update().select_related("owner").get(pk=data_request.pk)
    try:
        f = data_request.fields.select_related("element", "dataset").get(pk=field_id)
    except (DataRequestField.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该字段") from None
    if data_request.is_approved:
        raise ValidationError(CONFIRM_STATE_MESSAGE)
    may = (data_request.is_editable and access.can_manage(actor, data_request)) or (
        data_request.admission == Admission.PENDING and access.can_approve(actor))
    if not may:
        raise PermissionDenied(CONFIRM_WHO_MESSAGE)
    if f.outcome != MatchOutcome.RELATED or f.dataset_id is None:
        raise ValidationError(NOT_RELATED_MESSAGE)
    if f.confirmed == confirm:
        return f  # nothing changes, nothing to record
    before = {"field": f.text, "confirmed": f.confirmed, "held_count": data_request.held_count,
              "not_asked": data_request.not_asked}
    f.confirmed_by, f.confirmed_at = (actor, timezone.now()) if confirm else (None, None)
    f.save(update_fields=["confirmed_by", "confirmed_at"])
    _recount(data_request)
    audit.record(actor=actor, action="request.field_confirm" if confirm else "request.field_unconfirm",
                 obj=data_request, unit=data_request.owner, before=before,
                 after={"field": f.text, "element": f.element.code, "dataset": f.dataset.code,
                        "confirmed": f.confirmed, "held_count": data_request.held_count,
                        "not_asked": data_request.not_asked}, request=request)
    return f


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
    held = data_request.fields.held().select_related("dataset")
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
    remaining = list(data_request.fields.not_held().values_list("text", flat=True))
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
