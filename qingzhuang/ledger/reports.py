"""Reports from the ledger: definition, admission (准入), the register (报表清单), filling, sending,
the demands sending places on units, and the per-unit burden ledger that counts them.

Every write is a keyword-only service that validates, saves and writes its audit row in one
transaction. Filling reads the ledger as the report's definer may read it (``ledger.access``:
their unit's subtree, plus whole datasets their unit owns or has been shared); it streams the
records in chunks and aggregates in Python, so memory stays flat at 720,000 records. Equality
and containment filters on text columns are pushed into the database first (a superset), and
every filter is then checked exactly in Python, so the two databases give the same answer.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import Http404
from django.utils import timezone

from qingzhuang.ledger import access, masking, matching
from qingzhuang.ledger.models import (
    Admission,
    Aggregate,
    DataRequest,
    Dataset,
    DatasetColumn,
    Demand,
    DemandStatus,
    FilterOp,
    Indicator,
    PeriodGrain,
    RegisterStatus,
    Report,
    Storage,
    UnitLevel,
    ValueType,
)
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.lib.periods import is_period, quarter_of
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit, UnitKind

DISPLAY_LIMIT = 500
CHUNK_SIZE = 2000
NUMERIC_TYPES = {ValueType.INTEGER, ValueType.DECIMAL}
PERIOD_TYPES = {ValueType.DATE, ValueType.PERIOD}
# Values stored as plain text in Record.data: safe to compare as text inside the database.
TEXT_TYPES = {ValueType.TEXT, ValueType.CODE, ValueType.CODES, ValueType.ID_NUMBER, ValueType.CREDIT_CODE,
              ValueType.PHONE, ValueType.UNIT, ValueType.INDICATOR, ValueType.DATE, ValueType.PERIOD}
LEVEL_KINDS = {
    UnitLevel.TOWNSHIP: (UnitKind.TOWNSHIP, UnitKind.STREET),
    UnitLevel.VILLAGE: (UnitKind.VILLAGE, UnitKind.COMMUNITY),
}
LEVEL_HEADERS = {UnitLevel.TOWNSHIP: "乡镇（街道）", UnitLevel.VILLAGE: "村（社区）"}
MULTI_SPLIT = re.compile(r"[、；;,，/]+")
BLANK = "（未填）"
COUNTY_OFFICE_KINDS = (UnitKind.PARTY, UnitKind.GOVERNMENT)
STOP_MESSAGE = "该报表已在报表清单中停用，不能填报或下发（未经批准一律停止填报）。"



# ---------------------------------------------------------------------------------------------
# Access


def sees_all(user) -> bool:
    return access.sees_all_requests(user)


def visible_reports(user) -> QuerySet[Report]:
    qs = Report.objects.select_related("owner", "dataset", "created_by")
    if sees_all(user):
        return qs
    if getattr(user, "is_authenticated", False) and user.unit_id:
        return qs.filter(owner_id=user.unit_id)
    return qs.none()


def get_report_or_404(user, pk: int) -> Report:
    try:
        return visible_reports(user).get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该报表") from None


def can_define(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.unit_id and user.has_perm("ledger.define_report"))


def can_manage(user, obj: Report | DataRequest) -> bool:
    """The definer's department maintains, submits and sends its own reports and requests."""
    return can_define(user) and obj.owner_id == user.unit_id


def can_approve(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("ledger.approve_report"))


def can_fill_demand(user, demand: Demand) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("ledger.fill_demand")
                and org_access.can_see_unit(user, demand.unit))


def visible_demands(user) -> QuerySet[Demand]:
    """Demands on units of one's scope, and those one's department placed."""
    qs = Demand.objects.select_related("unit", "report__owner", "request__owner")
    if sees_all(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    own = Q(report__owner_id=user.unit_id) | Q(request__owner_id=user.unit_id) if user.unit_id else Q(pk__in=[])
    return qs.filter(org_access.unit_q(user, "unit") | own)


def get_demand_or_404(user, pk: int) -> Demand:
    try:
        return visible_demands(user).get(pk=pk)
    except (Demand.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该填报任务") from None


# ---------------------------------------------------------------------------------------------
# Admission, shared by reports and data requests


def _noun(obj) -> str:
    return obj._meta.verbose_name


def require_manager(actor, obj) -> None:
    if not can_manage(actor, obj):
        raise PermissionDenied(f"只有提出{_noun(obj)}的部门可以这样做")


def require_approver(actor) -> None:
    if not can_approve(actor):
        raise PermissionDenied("只有督查室可以进行准入审批")


def ensure_sendable(obj: Report | DataRequest) -> None:
    """Nothing is asked of any unit before the 督查室 has admitted it."""
    if obj.admission != Admission.APPROVED:
        raise ValidationError(f"该{_noun(obj)}未经督查室准入审批，不能向基层下发（未经批准一律停止填报）。")


def submit(*, actor, obj, action: str, request=None):
    require_manager(actor, obj)
    if not obj.is_editable:
        raise ValidationError(f"只有草稿或被驳回的{_noun(obj)}可以提交审批")
    before = {"admission": obj.admission}
    obj.admission = Admission.PENDING
    obj.submitted_at = timezone.now()
    obj.save(update_fields=["admission", "submitted_at", "updated_at"])
    audit.record(actor=actor, action=action, obj=obj, unit=obj.owner, before=before,
                 after={"admission": obj.admission}, request=request)
    return obj


def review(*, actor, obj, approve: bool, note: str, action_prefix: str, request=None):
    require_approver(actor)
    if obj.admission != Admission.PENDING:
        raise ValidationError(f"只有待审批的{_noun(obj)}可以审批")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "驳回时请写明理由"})
    before = {"admission": obj.admission}
    obj.admission = Admission.APPROVED if approve else Admission.REJECTED
    obj.reviewed_at, obj.reviewed_by, obj.review_note = timezone.now(), actor, note[:500]
    obj.save(update_fields=["admission", "reviewed_at", "reviewed_by", "review_note", "updated_at"])
    audit.record(actor=actor, action=f"{action_prefix}.{'approve' if approve else 'reject'}", obj=obj,
                 unit=obj.owner, before=before, after={"admission": obj.admission, "note": obj.review_note},
                 request=request)
    return obj


def clean_targets(units: Iterable[Unit]) -> list[Unit]:
    units = list(dict.fromkeys(units))
    wrong = [u.name for u in units if u.kind not in GRASSROOTS_KINDS]
    if wrong:
        raise ValidationError({"target_units": f"填报单位只能是乡镇（街道）、村（社区）或网格：{'、'.join(wrong[:5])}"})
    return units


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


def dataset_columns(dataset: Dataset) -> dict[str, DatasetColumn]:
    """The dataset's columns by element code, in column order."""
    return {c.element.code: c for c in dataset.columns.select_related("element").order_by("position")}


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
        elif op in (FilterOp.GTE, FilterOp.LTE) and types[element] in NUMERIC_TYPES and _decimal(value) is None:
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
    if not can_define(actor):
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
    report = Report.objects.select_for_update().select_related("owner").get(pk=report.pk)
    return review(actor=actor, obj=report, approve=approve, note=note, action_prefix="report", request=request)


@transaction.atomic
def report_set_register(*, actor, report: Report, status: str, reason: str, request=None) -> Report:
    """The 督查室 keeps, stops, optimises or integrates a report of the register, with a reason."""
    require_approver(actor)
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


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def plain(number: Decimal) -> Decimal:
    """12.5000 → 12.5, 100.00 → 100 (no exponent)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def split_multi(value) -> list[str]:
    return [v for v in (p.strip() for p in MULTI_SPLIT.split(str(value or ""))) if v]


def _period_key(value, grain: str) -> tuple[str, str]:
    """(sort key, label) of a date or period value at a grain."""
    text = str(value or "")[:7]
    if not is_period(text):
        return ("~", BLANK)
    if grain == PeriodGrain.YEAR:
        return (text[:4], f"{text[:4]}年")
    if grain == PeriodGrain.QUARTER:
        quarter = quarter_of(text)
        return (f"{text[:4]}-Q{quarter}", f"{text[:4]}年第{quarter}季度")
    return (text, text)


def _predicate(f: dict, value_type: str):
    op, target = f["op"], f["value"]
    numeric = value_type in NUMERIC_TYPES
    target_number = _decimal(target) if numeric else None

    def compare(value) -> bool:
        text = "" if value is None else str(value).strip()
        if op == FilterOp.CONTAINS:
            return target in split_multi(text) if value_type == ValueType.CODES else target in text
        if numeric and target_number is not None:
            number = _decimal(text)
            equal = number is not None and number == target_number
            if op == FilterOp.EQ:
                return equal
            if op == FilterOp.NE:
                return not equal
            if number is None:
                return False
            return number >= target_number if op == FilterOp.GTE else number <= target_number
        if op == FilterOp.EQ:
            return text == target
        if op == FilterOp.NE:
            return text != target
        if not text:
            return False
        return text >= target if op == FilterOp.GTE else text <= target

    return compare


@dataclass
class ReportTable:
    headers: list[str]
    rows: list[list]
    total: list | None = None
    matched: int = 0  # records that passed the filters
    detail: bool = False

    @property
    def truncated(self) -> bool:
        return self.detail and self.matched > len(self.rows)

    def to_json(self) -> dict:
        def cell(v):
            return str(v) if isinstance(v, Decimal) else v

        return {"headers": self.headers, "rows": [[cell(v) for v in row] for row in self.rows],
                "total": [cell(v) for v in self.total] if self.total else None,
                "matched": self.matched, "detail": self.detail, "truncated": self.truncated}


class ReportFiller:
    """Computes a report's rows from the ledger, as ``reader`` may read it."""

    def __init__(self, report: Report, *, reader, reveal: bool):
        self.report, self.reader, self.reveal = report, reader, reveal
        self.dataset = report.dataset
        self.columns = dataset_columns(self.dataset)
        self.types = {code: c.element.value_type for code, c in self.columns.items()}
        self.checks = [(f["element"], _predicate(f, self.types.get(f["element"], ValueType.TEXT)))
                       for f in report.filters]
        units = Unit.objects.values_list("id", "code", "name", "kind", "path")
        self.units = {pk: (code, name, kind, path) for pk, code, name, kind, path in units}
        self.by_code = {code: (code, name, kind) for code, name, kind, _ in self.units.values()}
        self._unit_groups: dict[int, tuple[str, str]] = {}
        self._labels: dict[str, dict[str, str]] = {}
        for code in report.group_elements:
            if self.types.get(code) == ValueType.INDICATOR:
                self._labels[code] = {c: f"{n}（{c}）" for c, n in Indicator.objects.values_list("code", "name")}
            elif self.types.get(code) == ValueType.UNIT:
                self._labels[code] = {c: f"{n}（{c}）" for c, n, _ in self.by_code.values()}

    # -- the stream of (unit id, values, weight) that pass the filters
    #
    # Every per-record computation (filters, unit and period grouping, exploding multi-codes, the
    # measure) depends only on the record's unit and the few elements the report uses. So a
    # summary asks the database for those values GROUP BY unit and values, with a count: the
    # Python side then handles one row per distinct combination (a few thousand at 720,000
    # records) with the same exact checks, weighted by the count. A detail list reads row by row.

    def needed_elements(self) -> list[str]:
        r = self.report
        codes = [f["element"] for f in r.filters] + list(r.group_elements)
        if r.group_period or r.period_from or r.period_to:
            codes.append(r.period_element)
        if r.measure:
            codes.append(r.measure)
        if r.aggregate == Aggregate.LIST:
            codes += list(r.columns)
        return list(dict.fromkeys(codes))

    def _records(self) -> Iterator[tuple[int, dict, int]]:
        qs = access.visible_records(self.reader, self.dataset)
        for i, f in enumerate(self.report.filters):
            if self.types.get(f["element"]) not in TEXT_TYPES or f["op"] not in (FilterOp.EQ, FilterOp.CONTAINS):
                continue
            alias = f"qz_f{i}"
            if f["op"] == FilterOp.EQ and self.types[f["element"]] != ValueType.CODES:
                # A JSON comparison ("流动人口" = the key's JSON string), the same on both databases.
                qs = qs.alias(**{alias: KeyTransform(f["element"], "data")}).filter(**{alias: f["value"]})
            else:
                qs = qs.alias(**{alias: KeyTextTransform(f["element"], "data")}).filter(
                    **{f"{alias}__contains": f["value"]})
        # Only the keys the report uses leave the database, as text (never whole JSON documents).
        codes = self.needed_elements()
        extract = {f"qz_v{i}": KeyTextTransform(code, "data") for i, code in enumerate(codes)}
        qs = qs.annotate(**extract)
        if self.report.aggregate == Aggregate.LIST:
            rows = qs.order_by("id").values_list("unit_id", *extract)
            for unit_id, *values in rows.iterator(chunk_size=CHUNK_SIZE):
                yield unit_id, dict(zip(codes, values, strict=True)), 1
            return
        groups = qs.order_by().values("unit_id", *extract).annotate(qz_n=Count("id"))
        for row in groups.iterator(chunk_size=CHUNK_SIZE):
            yield row["unit_id"], {code: row[alias] for code, alias in zip(codes, extract, strict=True)}, row["qz_n"]

    def _indicator_values(self) -> Iterator[tuple[int, dict, int]]:
        by_type = {self.types[c]: c for c in self.columns}
        qs = access.visible_indicator_values(self.reader, self.dataset)
        for f in self.report.filters:
            if f["op"] == FilterOp.EQ and self.types.get(f["element"]) == ValueType.INDICATOR:
                qs = qs.filter(indicator__code=f["value"])
        if self.report.period_from:
            qs = qs.filter(period__gte=self.report.period_from)
        if self.report.period_to:
            qs = qs.filter(period__lte=self.report.period_to)
        rows = qs.order_by("id").values_list("unit_id", "unit__code", "indicator__code", "period", "value")
        for unit_id, unit_code, indicator, period, value in rows.iterator(chunk_size=CHUNK_SIZE):
            data = {}
            for value_type, item in ((ValueType.UNIT, unit_code), (ValueType.INDICATOR, indicator),
                                     (ValueType.PERIOD, period), (ValueType.DECIMAL, str(plain(value)))):
                if value_type in by_type:
                    data[by_type[value_type]] = item
            yield unit_id, data, 1

    def stream(self) -> Iterator[tuple[int, dict, int]]:
        source = self._indicator_values() if self.dataset.storage == Storage.INDICATORS else self._records()
        period_from, period_to, period_element = (self.report.period_from, self.report.period_to,
                                                  self.report.period_element)
        for unit_id, data, weight in source:
            if not all(check(data.get(code)) for code, check in self.checks):
                continue
            if period_from or period_to:
                period = str(data.get(period_element) or "")[:7]
                if not is_period(period) or (period_from and period < period_from) or (
                        period_to and period > period_to):
                    continue
            yield unit_id, data, weight

    # -- grouping

    def unit_group(self, unit_id: int) -> tuple[str, str]:
        """(code, name) of the township or village a record's unit lies in (itself if none)."""
        found = self._unit_groups.get(unit_id)
        if found is None:
            code, name, _, path = self.units[unit_id]
            kinds = LEVEL_KINDS[self.report.group_unit]
            found = (code, name)
            for ancestor in path.strip("/").split("/"):
                a_code, a_name, a_kind = self.by_code.get(ancestor, ("", "", ""))
                if a_kind in kinds:
                    found = (a_code, a_name)
                    break
            self._unit_groups[unit_id] = found
        return found

    def _element_values(self, code: str, data: dict) -> list[str]:
        value = data.get(code)
        values = split_multi(value) if self.types.get(code) == ValueType.CODES else [str(value or "").strip()]
        return [v for v in values if v] or [BLANK]

    def _keys(self, unit_id: int, data: dict) -> Iterator[tuple]:
        parts: list[list] = []
        if self.report.group_unit:
            parts.append([self.unit_group(unit_id)])
        if self.report.group_period:
            parts.append([_period_key(data.get(self.report.period_element), self.report.group_period)])
        for code in self.report.group_elements:
            parts.append(self._element_values(code, data))
        return itertools.product(*parts)

    def headers(self) -> list[str]:
        r = self.report
        if r.aggregate == Aggregate.LIST:
            return ["所属单位", *(self.columns[c].name for c in r.columns)]
        headers = []
        if r.group_unit:
            headers += ["单位代码", LEVEL_HEADERS[r.group_unit]]
        if r.group_period:
            headers.append("期间")
        headers += [self.columns[c].name for c in r.group_elements]
        headers.append("记录数")
        if r.aggregate == Aggregate.SUM:
            headers.append(f"{self.columns[r.measure].name}合计")
        elif r.aggregate == Aggregate.AVG:
            headers.append(f"{self.columns[r.measure].name}平均值")
        return headers

    # -- output

    def detail_rows(self) -> Iterator[list]:
        columns = [(c, self.types[c]) for c in self.report.columns]
        for unit_id, data, _ in self.stream():
            yield [self.units[unit_id][1],
                   *(masking.display_value(t, data.get(c), reveal=self.reveal) for c, t in columns)]

    def _measure_cell(self, total: Decimal, numbers: int):
        if self.report.aggregate == Aggregate.SUM:
            return plain(total)
        if self.report.aggregate == Aggregate.AVG:
            return round_half_up(total / numbers, 2) if numbers else ""
        return None

    def summary(self) -> ReportTable:
        r = self.report
        groups: dict[tuple, list] = {}
        matched, grand_sum, grand_numbers = 0, Decimal(0), 0
        for unit_id, data, weight in self.stream():
            matched += weight
            number = _decimal(data.get(r.measure)) if r.measure else None
            if number is not None:
                grand_sum += number * weight
                grand_numbers += weight
            for key in self._keys(unit_id, data):
                acc = groups.get(key)
                if acc is None:
                    acc = groups[key] = [0, Decimal(0), 0]
                acc[0] += weight
                if number is not None:
                    acc[1] += number * weight
                    acc[2] += weight
        rows = []
        for key in sorted(groups, key=self._sort_key):
            count, total, numbers = groups[key]
            row = self._key_cells(key) + [count]
            if r.measure:
                row.append(self._measure_cell(total, numbers))
            rows.append(row)
        width = len(self.headers())
        extra = 2 if r.measure else 1
        total_row = ["合计"] + [""] * (width - extra - 1) + [matched]
        if r.measure:
            total_row.append(self._measure_cell(grand_sum, grand_numbers))
        if width - extra == 0:  # no grouping: the one row is the total
            rows, total_row = [[matched] + ([total_row[-1]] if r.measure else [])], None
        return ReportTable(headers=self.headers(), rows=rows, total=total_row, matched=matched)

    def _sort_key(self, key: tuple) -> tuple:
        parts, i = [], 0
        if self.report.group_unit:
            parts.append(key[i][0])
            i += 1
        if self.report.group_period:
            parts.append(key[i][0])
            i += 1
        parts += [v == BLANK for v in key[i:]]  # blanks last
        parts += list(key[i:])
        return tuple(parts)

    def _key_cells(self, key: tuple) -> list:
        cells, i = [], 0
        if self.report.group_unit:
            cells += list(key[i])
            i += 1
        if self.report.group_period:
            cells.append(key[i][1])
            i += 1
        for code, value in zip(self.report.group_elements, key[i:], strict=True):
            cells.append(self._labels.get(code, {}).get(value, value))
        return cells

    def table(self, limit: int = DISPLAY_LIMIT) -> ReportTable:
        if self.report.aggregate != Aggregate.LIST:
            return self.summary()
        rows = list(itertools.islice(self.detail_rows(), limit))
        # The page shows the first rows; how many match is the (grouped, fast) count of the same
        # filters, not a second pass over every row.
        if len(rows) < limit:
            matched = len(rows)
        else:
            counting = Report(dataset=self.dataset, filters=self.report.filters, aggregate=Aggregate.COUNT,
                              period_element=self.report.period_element, period_from=self.report.period_from,
                              period_to=self.report.period_to)
            counter = ReportFiller(counting, reader=self.reader, reveal=False)
            matched = sum(weight for _, _, weight in counter.stream())
        return ReportTable(headers=self.headers(), rows=rows, matched=matched, detail=True)


def _reader(report: Report, actor):
    """Rows are read as the definer may read them; the actor if the definer's account is gone."""
    definer = report.created_by
    return definer if definer is not None and definer.is_active else actor


def reads_whole_dataset(report: Report) -> bool:
    """Whether the report's definer reads its whole dataset (owner or share), not just their subtree."""
    definer = report.created_by
    return definer is not None and access.reads_county_wide(definer, report.dataset)


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
    _check_fillable(report)
    reveal = masking.can_see_personal(actor)
    table = ReportFiller(report, reader=_reader(report, actor), reveal=reveal).table(limit)
    _record_fill(actor=actor, report=report, action="report.fill", matched=table.matched,
                 revealed=reveal and report.aggregate == Aggregate.LIST, request=request)
    return table


EXPORT_FORMATS = ("xlsx", "csv")


def report_export(*, actor, report: Report, target, fmt: str = "xlsx", request=None) -> int:
    """Write the whole report as xlsx or csv to ``target`` (a path or binary file); returns how many
    records it covers. A spreadsheet formula in a value is neutralised by ``lib.tables``."""
    from qingzhuang.lib.tables import write_csv, write_xlsx

    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": "导出格式只能是 xlsx 或 csv"})
    _check_fillable(report)
    reveal = masking.can_see_personal(actor)
    filler = ReportFiller(report, reader=_reader(report, actor), reveal=reveal)
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
    demands = Demand.objects.bulk_create(
        Demand(unit=u, report=report, round=round, fields=list(report.manual_fields), due_date=due_date)
        for u in units
    )
    audit.record(actor=actor, action="report.send", obj=report, unit=report.owner,
                 after={"round": round, "units": len(units), "fields": report.manual_fields,
                        "due_date": due_date.isoformat() if due_date else None}, request=request)
    return demands


@transaction.atomic
def demand_fill(*, actor, demand: Demand, data: dict[str, str], note: str = "", request=None) -> Demand:
    demand = (Demand.objects.select_for_update(of=("self",)).select_related("unit", "report", "request")
              .get(pk=demand.pk))
    if not can_fill_demand(actor, demand):
        raise PermissionDenied("只有被要求填报的单位可以填报")
    source = demand.source
    if demand.report_id and demand.report.is_stopped:
        raise ValidationError(STOP_MESSAGE)
    ensure_sendable(source)
    if demand.status == DemandStatus.FILLED:
        raise ValidationError("该任务已经填报")
    values = {f: str(data.get(f, "")).strip()[:2000] for f in demand.fields}
    missing = [f for f, v in values.items() if not v]
    if missing:
        raise ValidationError({"data": f"请填写：{'、'.join(missing)}"})
    demand.data, demand.note = values, (note or "").strip()[:500]
    demand.status, demand.filled_at, demand.filled_by = DemandStatus.FILLED, timezone.now(), actor
    demand.save()
    if demand.report_id:
        Report.objects.filter(pk=demand.report_id).update(last_filled_at=demand.filled_at)
    audit.record(actor=actor, action="demand.fill", obj=demand, unit=demand.unit,
                 after={"source": str(source), "round": demand.round, "fields": demand.fields}, request=request)
    return demand


# ---------------------------------------------------------------------------------------------
# The register and the burden ledger


def register(user) -> QuerySet[Report]:
    """Every report the user may see, with how many units it asks and how often it was sent."""
    return visible_reports(user).annotate(
        n_targets=Count("target_units", distinct=True),
        n_demands=Count("demands", distinct=True),
    )


def asked_elements(report: Report) -> list[str]:
    """Element codes of what a report asks for: its columns, groupings and measure (not its filters)."""
    return list(dict.fromkeys([*report.columns, *report.group_elements, *([report.measure] if report.measure else [])]))


def report_fields(report: Report, columns: dict[str, DatasetColumn] | None = None) -> list[str]:
    """The names of the fields a report asks for, the ledger's and those left to grassroots units."""
    columns = columns if columns is not None else dataset_columns(report.dataset)
    return [columns[c].name if c in columns else c for c in asked_elements(report)] + list(report.manual_fields)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def current_year() -> int:
    return timezone.localdate().year


def burden_units(user, *, year: int, q: str = "") -> QuerySet[Unit]:
    """Grassroots units of the user's scope with what was demanded of each this year."""
    start, end = year_bounds(year)
    units = Unit.objects.all() if sees_all(user) else org_access.visible_units(user)
    units = units.filter(kind__in=GRASSROOTS_KINDS)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__startswith=q))
    in_year = Q(demands__created_at__gte=start, demands__created_at__lt=end)
    return units.annotate(
        n_reports=Count("demands__report", filter=in_year, distinct=True),
        n_requests=Count("demands__request", filter=in_year, distinct=True),
        n_submissions=Count("demands", filter=in_year),
        n_pending=Count("demands", filter=in_year & Q(demands__status=DemandStatus.PENDING)),
    ).order_by("-n_submissions", "path")


def get_burden_unit_or_404(user, code: str) -> Unit:
    units = Unit.objects.all() if sees_all(user) else org_access.visible_units(user)
    try:
        return units.select_related("parent").get(code=code)
    except Unit.DoesNotExist:
        raise Http404("未找到该单位") from None


def unit_demands(unit: Unit, *, year: int) -> QuerySet[Demand]:
    start, end = year_bounds(year)
    return (Demand.objects.filter(unit=unit, created_at__gte=start, created_at__lt=end)
            .select_related("report__owner", "request__owner"))


@dataclass
class DuplicateField:
    label: str
    sources: list[str]


def duplicate_fields() -> list[DuplicateField]:
    """Fields asked by more than one active (admitted, not stopped) report or data request."""
    catalog = matching.Catalog()
    sources: dict[str, set[str]] = {}
    labels: dict[str, str] = {}

    def add(key: str, label: str, source: str) -> None:
        sources.setdefault(key, set()).add(source)
        labels.setdefault(key, label)

    def add_text(text: str, source: str) -> None:
        m = catalog.match_one(text)
        if m.element:
            add(f"e:{m.element.code}", m.element.name, source)
        else:
            add(f"t:{m.normalised}", text, source)

    active_reports = (Report.objects.filter(admission=Admission.APPROVED).exclude(register_status=RegisterStatus.STOP)
                      .select_related("dataset"))
    names = {e.code: e.name for e in catalog.elements.values()}
    for report in active_reports:
        source = f"报表：{report.name}"
        for code in asked_elements(report):
            add(f"e:{code}", names.get(code, code), source)
        for text in report.manual_fields:
            add_text(text, source)
    for req in DataRequest.objects.filter(admission=Admission.APPROVED).prefetch_related("fields__element"):
        source = f"数据需求：{req.title}"
        for f in req.fields.all():
            if f.element:
                add(f"e:{f.element.code}", f.element.name, source)
            else:
                add_text(f.text, source)
    return sorted((DuplicateField(labels[k], sorted(s)) for k, s in sources.items() if len(s) > 1),
                  key=lambda d: (-len(d.sources), d.label))


def county_kpis(*, year: int) -> dict:
    """The county's 一套表 KPIs: reports, yearly submissions per unit, duplicate fields, data not asked."""
    start, end = year_bounds(year)
    reports = Report.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(admission=Admission.APPROVED) & ~Q(register_status=RegisterStatus.STOP)),
        stopped=Count("id", filter=Q(register_status=RegisterStatus.STOP)),
        pending=Count("id", filter=Q(admission=Admission.PENDING)),
    )
    requests = DataRequest.objects.aggregate(total=Count("id"),
                                             pending=Count("id", filter=Q(admission=Admission.PENDING)))
    submissions = Demand.objects.filter(created_at__gte=start, created_at__lt=end).count()
    grassroots = Unit.objects.filter(kind__in=GRASSROOTS_KINDS, is_active=True).count()
    per_unit = round_half_up(Decimal(submissions) / grassroots, 2) if grassroots else Decimal(0)
    not_asked = sum(DataRequest.objects.filter(admission=Admission.APPROVED).values_list("not_asked", flat=True))
    duplicates = duplicate_fields()
    return {
        "year": year, "reports": reports, "requests": requests, "submissions": submissions,
        "grassroots_units": grassroots, "submissions_per_unit": per_unit, "duplicates": duplicates,
        "duplicate_count": len(duplicates), "not_asked": not_asked,
    }
