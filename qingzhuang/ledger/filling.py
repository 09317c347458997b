"""Filling a report from the ledger: the filter predicates, period keys, grouping and the table.

``ReportFiller`` reads the ledger as the report's definer may read it (``ledger.access``: their
unit's subtree, plus whole datasets their unit owns or has been shared); it streams the records
in chunks and aggregates in Python, so memory stays flat at 720,000 records. Equality and
containment filters on text columns are pushed into the database first (a superset), and every
filter is then checked exactly in Python, so the two databases give the same answer. Nothing
here writes: ``services.reports.report_fill`` records that a report was filled.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count
from django.db.models.fields.json import KeyTextTransform, KeyTransform

from qingzhuang.ledger import access, masking
from qingzhuang.ledger.models import (
    Aggregate,
    Dataset,
    DatasetColumn,
    FilterOp,
    Indicator,
    PeriodGrain,
    Report,
    Storage,
    UnitLevel,
    ValueType,
)
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.lib.periods import is_period, quarter_of
from qingzhuang.orgs.models import Unit, UnitKind

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


def dataset_columns(dataset: Dataset) -> dict[str, DatasetColumn]:
    """The dataset's columns by element code, in column order."""
    return {c.element.code: c for c in dataset.columns.select_related("element").order_by("position")}


def to_decimal(value) -> Decimal | None:
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


def period_key(value, grain: str) -> tuple[str, str]:
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


def predicate(f: dict, value_type: str):
    op, target = f["op"], f["value"]
    numeric = value_type in NUMERIC_TYPES
    target_number = to_decimal(target) if numeric else None

    def compare(value) -> bool:
        text = "" if value is None else str(value).strip()
        if op == FilterOp.CONTAINS:
            return target in split_multi(text) if value_type == ValueType.CODES else target in text
        if numeric and target_number is not None:
            number = to_decimal(text)
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
        self.checks = [(f["element"], predicate(f, self.types.get(f["element"], ValueType.TEXT)))
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
            parts.append([period_key(data.get(self.report.period_element), self.report.group_period)])
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
            number = to_decimal(data.get(r.measure)) if r.measure else None
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


def reader_of(report: Report, actor):
    """Rows are read as the definer may read them; the actor if the definer's account is gone."""
    definer = report.created_by
    return definer if definer is not None and definer.is_active else actor
