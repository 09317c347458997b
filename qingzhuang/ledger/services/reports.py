"""Writes of reports: definition, admission, the register, filling from the ledger, sending (the
demands themselves are placed and filled by ``burden.services``).

Every write is a keyword-only service that checks permission and scope itself, validates, saves
and writes its audit row in one transaction. Filling reads the ledger (``ledger.filling``) outside
the write transaction and records the fill afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingzhuang.burden.models import Demand, DemandKind
from qingzhuang.burden.services import demand_place
from qingzhuang.ledger import access, masking
from qingzhuang.ledger.filling import (
    DISPLAY_LIMIT,
    NUMERIC_TYPES,
    PERIOD_TYPES,
    ReportFiller,
    ReportTable,
    dataset_columns,
    reader_of,
    to_decimal,
)
from qingzhuang.ledger.models import (
    STOP_MESSAGE,
    Aggregate,
    Dataset,
    FilterOp,
    PeriodGrain,
    RegisterStatus,
    Report,
    UnitLevel,
)
from qingzhuang.ledger.services.admission import (
    clean_targets,
    ensure_sendable,
    require_approver,
    require_manager,
    review,
    submit,
)
from qingzhuang.lib.periods import is_period
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Unit

EXPORT_FORMATS = ("xlsx", "csv")




# ---------------------------------------------------------------------------------------------
# Definition

@dataclass
class ReportDefinition:
    name: str
    dataset: Dataset
    purpose: str = ""
    columns: list[str] = field(default_factory=list)
    filters: list[dict] = field(default_factory=list)
    group_unit: str = ""
    group_period: str = ""
    period_element: str = ""
    period_from: str = ""
    period_to: str = ""
    group_elements: list[str] = field(default_factory=list)
    aggregate: str = Aggregate.COUNT
    measure: str = ""
    manual_fields: list[str] = field(default_factory=list)
    target_units: list[Unit] = field(default_factory=list)


def clean_definition(d: ReportDefinition) -> ReportDefinition:
    """Validate a definition against its dataset; raises ValidationError with Chinese messages."""
    errors: dict[str, str] = {}
    d.name = (d.name or "").strip()
    if not d.name:
        errors["name"] = "请填写报表名称"
    columns = dataset_columns(d.dataset)
    types = {code: c.element.value_type for code, c in columns.items()}

    def unknown(codes: Iterable[str]) -> list[str]:
        return [c for c in codes if c not in columns]

    d.columns = list(dict.fromkeys(d.columns or []))
    d.group_elements = list(dict.fromkeys(d.group_elements or []))
    if bad := unknown(d.columns + d.group_elements):
        errors["columns"] = f"数据集“{d.dataset.name}”没有这些字段：{'、'.join(bad)}"
    if d.aggregate not in Aggregate.values:
        errors["aggregate"] = "统计方式无效"
    elif d.aggregate == Aggregate.LIST:
        if not d.columns:
            errors["columns"] = "明细报表至少选择一个字段"
        if d.group_unit or d.group_period or d.group_elements:
            errors["aggregate"] = "明细报表不分组；要分组汇总请选择计数、求和或平均值"
    elif d.aggregate in (Aggregate.SUM, Aggregate.AVG):
        if types.get(d.measure) not in NUMERIC_TYPES:
            errors["measure"] = "求和或平均值需要选择一个数值字段"
    if d.aggregate in (Aggregate.LIST, Aggregate.COUNT):
        d.measure = ""
    if d.group_unit not in UnitLevel.values:
        errors["group_unit"] = "单位分组方式无效"
    if d.group_period not in PeriodGrain.values:
        errors["group_period"] = "期间分组方式无效"
    d.period_from, d.period_to = (d.period_from or "").strip(), (d.period_to or "").strip()
    for name in ("period_from", "period_to"):
        if getattr(d, name) and not is_period(getattr(d, name)):
            errors[name] = "期间格式应为 YYYY-MM，例如 2025-06"
    if d.group_period or d.period_from or d.period_to:
        if types.get(d.period_element) not in PERIOD_TYPES:
            errors["period_element"] = "按期间分组或限定期间时，请选择一个日期或期间字段"
    elif d.period_element and d.period_element not in columns:
        errors["period_element"] = "期间字段不在该数据集中"
    cleaned_filters = []
    for i, f in enumerate(d.filters or [], start=1):
        element, op, value = f.get("element", ""), f.get("op", ""), str(f.get("value", "")).strip()
        if not element and not value:
            continue
        if element not in columns:
            errors["filters"] = f"第{i}个筛选条件：数据集中没有字段“{element}”"
        elif op not in FilterOp.values:
            errors["filters"] = f"第{i}个筛选条件：比较方式无效"
        elif not value:
            errors["filters"] = f"第{i}个筛选条件：请填写比较的值"
        elif op in (FilterOp.GTE, FilterOp.LTE) and types[element] in NUMERIC_TYPES and to_decimal(value) is None:
            errors["filters"] = f"第{i}个筛选条件：“{value}”不是数字"
        else:
            cleaned_filters.append({"element": element, "op": op, "value": value})
    d.filters = cleaned_filters
    d.manual_fields = list(dict.fromkeys(f.strip()[:100] for f in d.manual_fields or [] if f.strip()))
    try:
        d.target_units = clean_targets(d.target_units or [])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return d


def _apply(report: Report, d: ReportDefinition) -> None:
    for name in ("name", "dataset", "purpose", "columns", "filters", "group_unit", "group_period",
                 "period_element", "period_from", "period_to", "group_elements", "aggregate", "measure",
                 "manual_fields"):
        setattr(report, name, getattr(d, name))


@transaction.atomic
def report_create(*, actor, definition: ReportDefinition, request=None) -> Report:
    if not access.can_define(actor):
        raise PermissionDenied("只有部门填报员可以定义报表")
    d = clean_definition(definition)
    report = Report(owner_id=actor.unit_id, created_by=actor)
    _apply(report, d)
    report.save()
    report.target_units.set(d.target_units)
    audit.record(actor=actor, action="report.create", obj=report, unit=report.owner,
                 after={**report.audit_dict(), "target_units": len(d.target_units)}, request=request)
    return report


@transaction.atomic
def report_update(*, actor, report: Report, definition: ReportDefinition, request=None) -> Report:
    report = Report.objects.select_for_update().select_related("owner", "dataset").get(pk=report.pk)
    require_manager(actor, report)
    if not report.is_editable:
        raise ValidationError("已提交审批或已批准的报表不能修改")
    before = report.audit_dict()
    d = clean_definition(definition)
    _apply(report, d)
    report.save()
    report.target_units.set(d.target_units)
    audit.record(actor=actor, action="report.update", obj=report, unit=report.owner, before=before,
                 after={**report.audit_dict(), "target_units": len(d.target_units)}, request=request)
    return report


@transaction.atomic
def report_submit(*, actor, report: Report, request=None) -> Report:
    report = Report.objects.select_for_update().select_related("owner").get(pk=report.pk)
    if report.is_stopped:
        raise ValidationError(STOP_MESSAGE)
    return submit(actor=actor, obj=report, action="report.submit", request=request)


@transaction.atomic
def report_review(*, actor, report: Report, approve: bool, note: str = "", request=None) -> Report:
    require_approver(actor)
    access.require_report(actor, report)
    report = Report.objects.select_for_update().select_related("owner").get(pk=report.pk)
    return review(actor=actor, obj=report, approve=approve, note=note, action_prefix="report", request=request)


@transaction.atomic
def report_set_register(*, actor, report: Report, status: str, reason: str, request=None) -> Report:
    """The 督查室 keeps, stops, optimises or integrates a report of the register, with a reason."""
    require_approver(actor)
    access.require_report(actor, report)
    report = Report.objects.select_for_update().select_related("owner").get(pk=report.pk)
    if status not in RegisterStatus.values:
        raise ValidationError({"status": "清单状态无效"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请写明处理理由"})
    before = {"register_status": report.register_status, "reason": report.register_reason}
    report.register_status, report.register_reason = status, reason[:500]
    report.register_changed_at = timezone.now()
    report.save(update_fields=["register_status", "register_reason", "register_changed_at", "updated_at"])
    audit.record(actor=actor, action="report.register", obj=report, unit=report.owner, before=before,
                 after={"register_status": status, "reason": report.register_reason}, request=request)
    return report


# ---------------------------------------------------------------------------------------------
# Filling from the ledger


def _check_fillable(report: Report) -> None:
    if report.is_stopped:
        raise ValidationError(STOP_MESSAGE)


@transaction.atomic
def _record_fill(*, actor, report: Report, action: str, matched: int, revealed: bool, request=None) -> None:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    _check_fillable(locked)  # stopped while we were reading
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(last_filled_at=now, fill_count=locked.fill_count + 1)
    report.last_filled_at, report.fill_count = now, locked.fill_count + 1
    audit.record(actor=actor, action=action, obj=report, unit=report.owner,
                 after={"matched": matched, "revealed": revealed}, request=request)


def report_fill(*, actor, report: Report, limit: int = DISPLAY_LIMIT, request=None) -> ReportTable:
    """Fill the report from the ledger, asking no unit. The long read runs outside the write
    transaction (on SQLite a write transaction would block every other writer meanwhile)."""
    access.require_report(actor, report)
    _check_fillable(report)
    reveal = masking.can_see_personal(actor)
    table = ReportFiller(report, reader=reader_of(report, actor), reveal=reveal).table(limit)
    _record_fill(actor=actor, report=report, action="report.fill", matched=table.matched,
                 revealed=reveal and report.aggregate == Aggregate.LIST, request=request)
    return table


def report_export(*, actor, report: Report, target, fmt: str = "xlsx", request=None) -> int:
    """Write the whole report as xlsx or csv to ``target`` (a path or binary file); returns how many
    records it covers. A spreadsheet formula in a value is neutralised by ``lib.tables``."""
    from qingzhuang.lib.tables import write_csv, write_xlsx

    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": "导出格式只能是 xlsx 或 csv"})
    access.require_report(actor, report)
    _check_fillable(report)
    reveal = masking.can_see_personal(actor)
    filler = ReportFiller(report, reader=reader_of(report, actor), reveal=reveal)
    if report.aggregate == Aggregate.LIST:
        written = [0]

        def rows() -> Iterator[list]:
            for row in filler.detail_rows():
                written[0] += 1
                yield row

        headers, body = filler.headers(), rows()
    else:
        table = filler.summary()
        headers, body = table.headers, table.rows + ([table.total] if table.total else [])
    if fmt == "csv":
        write_csv(target, headers, body)
    else:
        write_xlsx(target, headers, body, sheet_title="报表")
    count = written[0] if report.aggregate == Aggregate.LIST else table.matched
    _record_fill(actor=actor, report=report, action="report.export", matched=count,
                 revealed=reveal and report.aggregate == Aggregate.LIST, request=request)
    return count


# ---------------------------------------------------------------------------------------------
# Sending and demands


@transaction.atomic
def report_send(*, actor, report: Report, round: str, due_date: dt.date | None = None,
                request=None) -> list[Demand]:
    """Ask every target unit once for this round (period) of the report's non-ledger fields."""
    report = Report.objects.select_for_update().select_related("owner").get(pk=report.pk)
    require_manager(actor, report)
    ensure_sendable(report)
    if report.is_stopped:
        raise ValidationError(STOP_MESSAGE)
    if not report.manual_fields:
        raise ValidationError("该报表完全由一套表生成，无需向基层下发。")
    round = (round or "").strip()[:20]
    if not round:
        raise ValidationError({"round": "请填写填报期次，例如 2025-06"})
    units = list(report.target_units.all())
    if not units:
        raise ValidationError({"target_units": "请先选择填报单位"})
    if report.demands.filter(round=round).exists():
        raise ValidationError({"round": f"第“{round}”期已经下发过"})
    demands = demand_place(actor=actor, source=report, kind=DemandKind.REPORT, units=units, title=report.name,
                           fields=report.manual_fields, placed_by=report.owner, round=round, due_date=due_date,
                           request=request)
    audit.record(actor=actor, action="report.send", obj=report, unit=report.owner,
                 after={"round": round, "units": len(units), "fields": report.manual_fields,
                        "due_date": due_date.isoformat() if due_date else None}, request=request)
    return demands
