"""The three tables a summary is made from, each read within the user's scope:

- a ledger dataset (``records``), counted by township or village, optionally by the values of
  one code column: read through ``ledger.access`` (``ReportFiller`` with an unsaved report);
- a unit's indicator values for a month: the unit must be inside the user's scope (``orgs.access``);
- an uploaded xlsx/xls/csv: read with the size, zip-bomb and encoding safety of ``lib.tables``,
  copied to a temporary file that is removed at once, never stored.

Each returns ``summaries.Figures`` (computed) or raises ``SummaryError`` with Chinese messages;
what the user may not see answers ``Http404``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from django.http import Http404

from qingzhuang.assistant.access import get_summary_dataset_or_404
from qingzhuang.assistant.summaries import (
    AVG,
    HIGHER,
    LOWER,
    NEUTRAL,
    SUM,
    Figures,
    Item,
    Measure,
    compute_measure,
    fmt_number,
    parse_decimal,
)
from qingzhuang.ledger import access
from qingzhuang.ledger.models import (
    Aggregate,
    Dataset,
    DatasetColumn,
    Report,
    Storage,
    UnitLevel,
    ValueType,
)
from qingzhuang.ledger.models import Direction as IndicatorDirection
from qingzhuang.lib import tables
from qingzhuang.lib.periods import is_period, period_words, previous_period, year_ago
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import Unit, UnitKind
from qingzhuang.orgs.transfer import import_limits

CODE_TYPES = (ValueType.CODE, ValueType.CODES)
MAX_BREAKDOWN = 8  # code values counted in one summary (the largest)
MAX_ITEMS = 1000  # rows of an uploaded table
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 20
LEVELS = {UnitLevel.TOWNSHIP: "按乡镇（街道）", UnitLevel.VILLAGE: "按村（社区）"}
# What a dataset's records count, by dataset code: (measure name, measure unit).
DATASET_MEASURES = {
    "population": ("人口", "人"),
    "housing": ("房屋", "处"),
    "legal_entities": ("法人单位", "家"),
    "events": ("事件", "件"),
}
UPDATE_WORDS = {"monthly": "月", "quarterly": "季", "yearly": "年"}
RATE_UNITS = ("%", "‰")


class SummaryError(Exception):
    """A table that cannot be summarised; ``messages`` are Chinese, one per problem."""

    def __init__(self, messages: str | list[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))

    @property
    def message(self) -> str:
        return self.messages[0] if self.messages else ""


# ---------------------------------------------------------------------------------------------
# Naming


_NOUNS = [
    ({UnitKind.TOWNSHIP}, "乡镇"),
    ({UnitKind.STREET}, "街道"),
    ({UnitKind.TOWNSHIP, UnitKind.STREET}, "乡镇（街道）"),
    ({UnitKind.VILLAGE}, "村"),
    ({UnitKind.COMMUNITY}, "社区"),
    ({UnitKind.VILLAGE, UnitKind.COMMUNITY}, "村（社区）"),
    ({UnitKind.GRID}, "网格"),
    ({UnitKind.DEPARTMENT}, "部门"),
]


def noun_for(kinds: set[str]) -> str:
    """What a list of units is called in prose: {"township"} → "乡镇", mixed → "单位"."""
    for known, noun in _NOUNS:
        if kinds and kinds == {str(k) for k in known}:
            return noun
    return "单位"


def subject_of(unit: Unit) -> str:
    """How the prose names a whole: the county is "全县", anything else by its name."""
    return "全县" if unit.kind == UnitKind.COUNTY else unit.name


def clean_period(period: str, *, required: bool) -> str:
    period = (period or "").strip()
    if not period:
        if required:
            raise SummaryError("请选择月份（YYYY-MM）")
        return ""
    if not is_period(period):
        raise SummaryError(f"月份“{period}”格式不对，应为YYYY-MM，例如2025-11")
    return period


# ---------------------------------------------------------------------------------------------
# (a) A ledger dataset


def summary_datasets(user):
    """The datasets a summary can count: every ``records`` dataset (rows are scoped when read)."""
    return access.visible_datasets(user).filter(storage=Storage.RECORDS).order_by("category", "code")


def code_columns(dataset: Dataset) -> list[DatasetColumn]:
    return list(dataset.columns.select_related("element").filter(element__value_type__in=CODE_TYPES)
                .order_by("position", "id"))


def _scope_roots(user) -> list[Unit]:
    codes = [p.strip("/").split("/")[-1] for p in org_access.scope_paths(user)]
    return list(Unit.objects.filter(code__in=codes).order_by("path"))


VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY, UnitKind.GRID)


def summary_levels(user, dataset: Dataset | None = None) -> list[str]:
    """The levels a dataset summary may count by, the default first: the level directly below the
    reader's unit. Who sees the county (or reads the whole dataset) counts by township or by village;
    a township counts its villages; a village (community) counts itself, never townships."""
    if (dataset is not None and access.has_whole_dataset(user, dataset)) or org_access.is_county_wide(user):
        return [UnitLevel.TOWNSHIP, UnitLevel.VILLAGE]
    kinds = {r.kind for r in _scope_roots(user)}
    if kinds and kinds <= {UnitKind.TOWNSHIP, UnitKind.STREET, *VILLAGE_KINDS}:
        return [UnitLevel.VILLAGE]
    return [UnitLevel.TOWNSHIP, UnitLevel.VILLAGE]


def dataset_figures(user, *, code: str, level: str = "", column: str = "") -> Figures:
    """Records of a dataset the user may read, counted per township or village (by default the
    level below the reader's unit, see ``summary_levels``), and per value of the code column
    ``column`` (an element code) if given. A village reads its own figures (``Figures.single``)."""
    from qingzhuang.ledger.filling import BLANK, ReportFiller, split_multi

    dataset = get_summary_dataset_or_404(user, code)
    levels = summary_levels(user, dataset)
    level = level or levels[0]
    if level not in LEVELS:
        raise SummaryError("请选择按乡镇（街道）还是按村（社区）统计")
    if level not in levels:
        raise SummaryError(f"您的查看范围在乡镇（街道）以内，请选择{LEVELS[levels[0]]}统计")
    columns = {c.element.code: c for c in code_columns(dataset)}
    if column and column not in columns:
        raise SummaryError(f"数据集“{dataset.name}”没有可分类统计的字段“{column}”")
    by_column = columns.get(column)
    report = Report(dataset=dataset, group_unit=level, group_elements=[column] if column else [],
                    aggregate=Aggregate.COUNT)
    filler = ReportFiller(report, reader=user, reveal=False)
    whole = access.has_whole_dataset(user, dataset)
    roots = _scope_roots(user)
    county_wide = whole or org_access.is_county_wide(user)

    # Every unit of the level in the readable area is listed, with 0 if it has no records.
    kinds = {UnitLevel.TOWNSHIP: (UnitKind.TOWNSHIP, UnitKind.STREET),
             UnitLevel.VILLAGE: (UnitKind.VILLAGE, UnitKind.COMMUNITY)}[level]
    area = Unit.objects.filter(kind__in=kinds, is_active=True)
    if not whole:
        area = area.filter(org_access.unit_q(user))
    groups: dict[str, dict] = {u.code: {"name": u.name, "kind": u.kind, "path": u.path, "n": 0, "by": {}}
                               for u in area.order_by("path")}
    for unit_id, data, weight in filler.stream():
        group_code, group_name = filler.unit_group(unit_id)
        group = groups.get(group_code)
        if group is None:
            _, _, kind, path = filler.units[unit_id]
            found = filler.by_code.get(group_code)
            group = groups[group_code] = {"name": group_name, "kind": found[2] if found else kind,
                                          "path": path, "n": 0, "by": {}}
        group["n"] += weight
        if by_column is not None:
            raw = data.get(column)
            values = split_multi(raw) if by_column.element.value_type == ValueType.CODES else [
                str(raw or "").strip()]
            for value in values:
                if value and value != BLANK:
                    group["by"][value] = group["by"].get(value, 0) + weight
    ordered = sorted(groups.items(), key=lambda kv: kv[1]["path"])
    measure_name, measure_unit = DATASET_MEASURES.get(dataset.code, ("记录", "条"))
    base = compute_measure(Measure(
        name=measure_name, unit=measure_unit, direction=NEUTRAL, aggregate=SUM,
        items=[Item(name=g["name"], value=Decimal(g["n"])) for _, g in ordered]))
    measures = [base]
    notices: list[str] = []
    breakdown = ""
    if by_column is not None:
        breakdown = by_column.name
        totals: dict[str, int] = {}
        for _, g in ordered:
            for value, n in g["by"].items():
                totals[value] = totals.get(value, 0) + n
        order = {v: i for i, v in enumerate(by_column.element.code_list or [])}
        values = sorted(totals, key=lambda v: (-totals[v], order.get(v, len(order)), v))
        if len(values) > MAX_BREAKDOWN:
            notices.append(f"“{by_column.name}”共有{len(values)}类，只列出数量最多的{MAX_BREAKDOWN}类")
            values = values[:MAX_BREAKDOWN]
        values.sort(key=lambda v: (order.get(v, len(order)), v))
        for value in values:
            measures.append(compute_measure(Measure(
                name=value, unit=measure_unit, direction=NEUTRAL, aggregate=SUM,
                items=[Item(name=g["name"], value=Decimal(g["by"].get(value, 0))) for _, g in ordered])))
    noun = noun_for({g["kind"] for _, g in ordered}) if ordered else (
        "乡镇（街道）" if level == UnitLevel.TOWNSHIP else "村（社区）")
    if county_wide:
        county = Unit.objects.filter(parent__isnull=True).order_by("path").first()
        subject, title_subject = "全县", county.name if county else "全县"
    else:
        subject = title_subject = "、".join(r.name for r in roots)
    root_codes = {r.code for r in roots}
    single = not county_wide and len(ordered) == 1 and ordered[0][0] in root_codes
    label = (f"数据集“{dataset.name}”，{subject}" if single else f"数据集“{dataset.name}”，{LEVELS[level]}统计")
    label += f"，分{by_column.name}" if by_column else ""
    empty = "" if base.total else f"{subject}在一套表“{dataset.name}”中暂无记录，无法生成总结。"
    return Figures(
        kind="dataset", title=f"{title_subject}{dataset.name}数据情况总结", subject=subject, noun=noun,
        label=label, measures=measures, item_count=len(ordered), notices=notices,
        names=[g["name"] for _, g in ordered], source_name=dataset.name, breakdown=breakdown,
        update_period=UPDATE_WORDS.get(dataset.update_period, ""), single=single, empty_message=empty,
    )


# ---------------------------------------------------------------------------------------------
# (b) A unit's indicators


SUMMARY_UNIT_KINDS = (UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.STREET)


def summary_units(user) -> list[Unit]:
    """Units offered for an indicator summary: the county and townships in scope (every one for a
    department that reports indicators), and the roots of the user's scope (a village cadre
    summarises their own village)."""
    visible = Unit.objects.all() if access.reads_indicators_of_every_unit(user) else org_access.visible_units(user)
    units = list(visible.filter(kind__in=SUMMARY_UNIT_KINDS, is_active=True).order_by("path")[:500])
    seen = {u.pk for u in units}
    for root in _scope_roots(user):
        if root.pk not in seen:
            units.append(root)
    return sorted(units, key=lambda u: u.path)


def _indicator_unit_or_404(user, code: str) -> Unit:
    """A unit in the user's scope; for a department that reports indicators, any active unit (it
    reads its own indicators' values for every unit, and only those)."""
    try:
        return org_access.get_unit_or_404(user, code=code)
    except Http404:
        if not access.reads_indicators_of_every_unit(user):
            raise
        unit = Unit.objects.filter(code=code, is_active=True).first()
        if unit is None:
            raise
        return unit


def _indicator_values(user, units: list[Unit], period: str, previous: str, last_year: str):
    """{indicator id: {unit id: {period: value}}} of the values the user may read, and the ids of
    the indicators that have a value in ``period``."""
    rows = (access.visible_indicator_values(user)
            .filter(unit_id__in=[u.pk for u in units], period__in=[period, previous, last_year])
            .values_list("unit_id", "indicator_id", "period", "value"))
    values: dict[int, dict[int, dict[str, Decimal]]] = {}
    for unit_id, indicator_id, p, value in rows:
        values.setdefault(indicator_id, {}).setdefault(unit_id, {})[p] = value
    current = [i for i, by_unit in values.items() if any(period in v for v in by_unit.values())]
    return values, current


def indicator_figures(user, *, unit_code: str, period: str) -> Figures:
    """Each indicator's values for the child units of ``unit_code`` in ``period`` (YYYY-MM), with the
    previous month and the same month last year; the unit's own values when no child has any. The
    unit must be in the user's scope, or the user's department must report indicators (else 404)."""
    unit = _indicator_unit_or_404(user, (unit_code or "").strip())
    period = clean_period(period, required=True)
    previous, last_year = previous_period(period), year_ago(period)
    children = list(Unit.objects.filter(parent=unit).order_by("path"))
    values, current = _indicator_values(user, children, period, previous, last_year) if children else ({}, [])
    single = not current
    if single:
        # No child reports these indicators (a township whose values are kept at township level, a
        # village): the unit's own values, over time.
        children = [unit]
        values, current = _indicator_values(user, children, period, previous, last_year)
    title = f"{unit.name}{period_words(period)}主要指标完成情况总结"
    if not current:
        return Figures(kind="indicators", title=title, subject=subject_of(unit), noun="单位",
                       label=f"指标数据：{unit.name}，{period_words(period)}", measures=[], period=period,
                       single=True, empty_message=f"{unit.name}及其下属单位{period_words(period)}暂无指标数据，无法生成总结。")
    measures: list[Measure] = []
    kinds: set[str] = set()
    names: list[str] = []
    for indicator in access.readable_indicators(user).filter(pk__in=current).order_by("code"):
        by_unit = values[indicator.pk]
        items = []
        for child in children:
            v = by_unit.get(child.pk)
            if v is None:
                continue
            items.append(Item(name=child.name, value=v.get(period), previous=v.get(previous),
                              last_year=v.get(last_year)))
            kinds.add(child.kind)
            if child.name not in names:
                names.append(child.name)
        rate = indicator.measure_unit in RATE_UNITS
        measures.append(compute_measure(Measure(
            name=indicator.name, unit=indicator.measure_unit,
            direction=LOWER if indicator.direction == IndicatorDirection.LOWER else HIGHER,
            aggregate=AVG if rate else SUM, items=items,
            has_previous=any(i.previous is not None for i in items),
            has_last_year=any(i.last_year is not None for i in items))))
        names.append(indicator.name)
    noun = noun_for(kinds)
    item_count = len({n for m in measures for n in (i.name for i in m.items)})
    scope = unit.name if single else f"{unit.name}下属各{noun}"
    return Figures(
        kind="indicators", title=title, subject=subject_of(unit), noun=noun,
        label=f"指标数据：{scope}，{period_words(period)}", measures=measures, period=period,
        previous_label="上月", item_count=item_count, names=names, single=single,
    )


# ---------------------------------------------------------------------------------------------
# (c) An uploaded table


@dataclass
class RawTable:
    """A table read without knowing its columns: the header (a two-row header merged), the data rows
    and the 合计 rows, each row with its number in the file."""

    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    total_rows: list[tuple[int, list[str]]]


def _is_number(text: str) -> bool:
    try:
        return parse_decimal(text) is not None
    except ValueError:
        return False


def _merge_headers(upper: list[str], lower: list[str]) -> list[str]:
    """A two-row header as one: a group label merged across columns ("本月" over "户数", "人数")
    is put before each label under it; a label merged down over both rows stays as it is."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    merged, group = [], ""
    for up, lo in zip(upper, lower, strict=True):
        if up and lo:
            group, name = up, up + lo
        elif up:
            group, name = "", up
        elif lo:
            name = group + lo
        else:
            name = ""
        merged.append(name)
    return merged


def read_raw_table(path: str | Path, *, limits: tables.Limits) -> RawTable:
    """Every column of the first sheet of ``path``, with ``lib.tables``' checks (size, type,
    zip bombs, encryption, encodings, column and row limits). Formulas are never evaluated."""
    kind = tables.detect_format(path, limits)
    # The row readers of lib.tables: streaming, width-checked, blank rows skipped.
    raw = tables._excel_rows(path, limits) if kind in ("xlsx", "xls") else tables._csv_rows(path, limits)
    try:
        header: tuple[int, list[str]] | None = None
        for seen, (number, cells) in enumerate(raw, start=1):
            # A title merged across the columns reads as a single cell: skip it.
            if sum(1 for c in cells if c) > 1:
                header = (number, cells)
                break
            if seen >= tables.HEADER_SEARCH_ROWS:
                break
        if header is None:
            raise tables.TableError(code="no_header", message="文件中没有找到表头行")
        header_row, headers = header
        rows: list[tuple[int, list[str]]] = []
        totals: list[tuple[int, list[str]]] = []
        first = True
        for number, cells in raw:
            if first:
                first = False
                # The lower row of a two-row header: no name in the first column, no numbers.
                if not cells[0] and any(cells) and not any(_is_number(c) for c in cells if c):
                    headers = _merge_headers(headers, cells)
                    continue
            if tables.is_total_row(cells):
                totals.append((number, cells))
                continue
            rows.append((number, cells))
            if len(rows) > limits.max_rows:
                raise tables.TableError(row=number, code="too_many_rows",
                                        message=f"表格超过{limits.max_rows}行，不适合生成总结，请先汇总")
        return RawTable(header_row=header_row, headers=headers, rows=rows, total_rows=totals)
    finally:
        raw.close()


PREVIOUS_WORDS = ("上期", "上月")
LAST_YEAR_WORDS = ("去年同期", "上年同期", "去年同月", "上年同月")
TARGET_WORDS = ("目标任务数", "任务数", "目标数", "计划数", "目标")
SKIPPED_HEADERS = ("序号", "编号", "单位代码", "代码", "备注", "说明")
_UNIT_SUFFIX = re.compile(r"^(.*?)[(（]([^()（）]{1,6})[)）]$")


def _role(header: str) -> tuple[str, str]:
    """("previous" | "last_year" | "target" | "value", the header without the role word)."""
    key = tables.header_key(header)
    roles = (("last_year", LAST_YEAR_WORDS), ("previous", PREVIOUS_WORDS), ("target", TARGET_WORDS))
    for role, words in roles:
        for word in words:
            if word in key:
                return role, key.replace(word, "")
    return "value", key


def _split_unit(header: str) -> tuple[str, str]:
    """"完成数（户）" → ("完成数", "户")."""
    match = _UNIT_SUFFIX.match(header.strip())
    if match and match.group(1).strip():
        return match.group(1).strip(), match.group(2).strip()
    return header.strip(), ""


def _short(value: str, limit: int = 30) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def table_figures(raw: RawTable, *, title: str = "", period: str = "", file_name: str = "") -> Figures:
    """Figures of an uploaded table: first column names, numeric columns measures; 上期/上月,
    去年同期/上年同期 and 目标/任务数 columns attach to the measure they name (or the first one)."""
    period = clean_period(period, required=False)
    headers = [h.strip() for h in raw.headers]
    # The name column: the first column, after any 序号 column.
    name_index = 0
    while name_index < len(headers) - 1 and tables.header_key(headers[name_index]) in ("序号", "编号"):
        name_index += 1
    name_header = headers[name_index] if name_index < len(headers) else ""
    if not raw.rows:
        raise SummaryError("表格中没有数据行")
    if len(raw.rows) > MAX_ITEMS:
        raise SummaryError(f"表格有{len(raw.rows)}行，超过{MAX_ITEMS}行的上限，不适合生成总结，请先汇总")

    def cell(cells: list[str], index: int) -> str:
        return cells[index] if index < len(cells) else ""

    errors: list[str] = []
    numeric: list[int] = []
    for index, header in enumerate(headers):
        if index == name_index or not header or index < name_index:
            continue
        if tables.header_key(header) in SKIPPED_HEADERS:
            continue
        cells = [cell(c, index) for _, c in raw.rows]
        if any(_is_number(c) for c in cells if c):
            numeric.append(index)
    if not numeric:
        raise SummaryError("表格中没有数字列，无法生成总结：第一列应为单位或项目名称，其后为数字列")

    # Items, and every bad cell, in file order.
    names: dict[str, int] = {}
    item_rows: list[tuple[str, list[str]]] = []
    numbers: dict[int, list[Decimal | None]] = {index: [] for index in numeric}
    for number, cells in raw.rows:
        name = cell(cells, name_index)
        if not name:
            errors.append(f"第{number}行“{name_header or '名称'}”列是空的，请填写单位或项目名称")
            continue
        if name in names:
            errors.append(f"第{number}行的名称“{_short(name)}”与第{names[name]}行重复")
            continue
        names[name] = number
        item_rows.append((name, cells))
        for index in numeric:
            text = cell(cells, index)
            try:
                numbers[index].append(parse_decimal(text))
            except ValueError:
                numbers[index].append(None)
                errors.append(f"第{number}行“{headers[index]}”列的值“{_short(text)}”不是数字")
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise SummaryError(errors[:MAX_ERRORS])

    # Measures and the columns attached to them.
    mains: list[tuple[int, Measure]] = []
    attached: list[tuple[int, str, str]] = []
    for index in numeric:
        role, rest = _role(headers[index])
        if role == "value":
            name, unit = _split_unit(headers[index])
            rate = unit in RATE_UNITS or name.endswith("率")
            mains.append((index, Measure(name=name, unit=unit or ("%" if name.endswith("率") else ""),
                                         direction=HIGHER, aggregate=AVG if rate else SUM, items=[])))
        else:
            attached.append((index, role, rest))
    if not mains:
        raise SummaryError("表格中只有上期、去年同期或目标列，没有本期数字列")
    columns_of: dict[int, dict[str, int]] = {index: {} for index, _ in mains}
    for index, role, rest in attached:
        rest = _split_unit(rest)[0]
        target = None
        if rest and rest not in ("数", "值", "数值"):
            target = next((i for i, m in mains if role not in columns_of[i] and (
                tables.header_key(m.name) == rest or rest in tables.header_key(m.name))), None)
        if target is None:
            target = next((i for i, _ in mains if role not in columns_of[i]), None)
        if target is None:
            raise SummaryError(f"无法判断“{headers[index]}”列对应哪一列数字，请在列名中写明，例如“上月完成数”")
        columns_of[target][role] = index
    measures: list[Measure] = []
    notices: list[str] = []
    for index, measure in mains:
        roles = columns_of[index]
        for row, (name, _) in enumerate(item_rows):
            measure.items.append(Item(
                name=name, value=numbers[index][row],
                previous=numbers[roles["previous"]][row] if "previous" in roles else None,
                last_year=numbers[roles["last_year"]][row] if "last_year" in roles else None,
                target=numbers[roles["target"]][row] if "target" in roles else None))
        measure.has_previous = "previous" in roles
        measure.has_last_year = "last_year" in roles
        measure.has_target = "target" in roles
        compute_measure(measure)
        _check_total_row(raw, measure, index, headers, notices)
        measures.append(measure)
    previous_label = "上月" if any("上月" in headers[i] for i, _, _ in attached) else "上期"
    stem = _short(Path(file_name).stem.strip(), 40) if file_name else ""
    noun = tables.header_key(name_header).replace("名称", "") if name_header else ""
    noun = noun if 0 < len(noun) <= 6 else "单位"
    return Figures(
        kind="upload", title=(title or "").strip() or _title_from(stem), subject="", noun=noun,
        label=f"上传表格“{stem or '未命名'}”", measures=measures, period=period, previous_label=previous_label,
        item_count=len(item_rows), notices=notices, names=[n for n, _ in item_rows] + headers,
    )


def _title_from(stem: str) -> str:
    if not stem:
        return "工作情况总结"
    for suffix in ("统计表", "汇总表", "情况表", "表"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem + ("总结" if stem.endswith("情况") else "情况总结")


def _check_total_row(raw: RawTable, measure: Measure, index: int, headers: list[str],
                     notices: list[str]) -> None:
    """The file's own 合计 row is ignored; a notice says so when it differs from the recomputed total."""
    if not raw.total_rows or measure.aggregate != SUM:
        return
    number, cells = raw.total_rows[0]
    text = cells[index] if index < len(cells) else ""
    try:
        reported = parse_decimal(text)
    except ValueError:
        reported = None
    if reported is None:
        return
    measure.reported_total = reported
    if measure.total is not None and reported != measure.total:
        notices.append(f"表中第{number}行合计的“{headers[index]}”为{fmt_number(reported)}，与逐项相加的"
                       f"{fmt_number(measure.total)}不一致，已按逐项相加重新计算")


def upload_limits() -> tables.Limits:
    limits = import_limits()
    return replace(limits, max_bytes=min(limits.max_bytes, MAX_UPLOAD_BYTES),
                   max_rows=min(limits.max_rows, MAX_ITEMS))


def upload_figures(upload, *, title: str = "", period: str = "") -> Figures:
    """Figures of an uploaded file (a Django ``UploadedFile``); the file is copied to a private
    temporary file for reading and removed before this returns."""
    name = getattr(upload, "name", "") or "table.xlsx"
    if Path(name).suffix.lower() not in tables.EXTENSIONS:
        raise SummaryError("不支持的文件类型，请上传 xlsx、xls 或 csv 文件")
    limits = upload_limits()
    try:
        with tables.temporary_copy(upload, name=name, limits=limits) as path:
            raw = read_raw_table(path, limits=limits)
    except tables.TableError as exc:
        raise SummaryError(exc.problem.message) from None
    return table_figures(raw, title=title, period=period, file_name=name)
