"""Reading scorecards: a run's table, one line's detail as the pages show it, the charts, the coaching list.

A line's ``detail`` is what the run froze (see ``models.RunLine``); this module only reads it and
turns it into rows and ECharts options built on the server (drawn by ``static/qz/charts.js``).
Scope comes from ``access`` alone: callers pass querysets from ``visible_lines``/``visible_runs``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from qingzhuang.assessment import access
from qingzhuang.assessment.models import Aggregate, Method, Missing, Paper, Run, RunKind, RunLine
from qingzhuang.lib.numbers import round_half_up

# ?sort= of the run table: key → ordering. A key with "-" sorts the other way.
SORTS = {
    "rank": ("rank", "unit__code"),
    "unit": ("unit__code",),
    "daily": ("daily", "unit__code"),
    "exam": ("exam", "unit__code"),
    "bonus": ("bonus", "unit__code"),
    "deductions": ("deductions", "unit__code"),
    "total": ("total", "unit__code"),
    "grade": ("grade", "rank", "unit__code"),
}
PAGE_SIZE = 50
NOT_HELD = "未开展"
VETO = "一票否决"
MISSING_FLAGS = {Missing.ZERO: "缺报计0分", Missing.REWEIGHT: "权重分摊", Missing.LAST: "沿用上年数据"}
DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
PARAM_NAMES = {
    "target": "目标值", "cap": "上限", "reach": "达标得分", "step": "步长", "per": "每", "top": "最高分",
    "bad": "不允许值", "good": "满意值", "center": "中心分", "spread": "离散系数", "expr": "公式",
}


def sort_key(requested: str | None) -> str:
    """The ?sort= value to use: a known key (with an optional "-"), else "rank"."""
    text = (requested or "").strip()
    return text if text.lstrip("-") in SORTS else "rank"


def sorted_lines(lines: QuerySet[RunLine], key: str) -> QuerySet[RunLine]:
    descending = key.startswith("-")
    order = SORTS[key.lstrip("-")]
    first = f"-{order[0]}" if descending else order[0]
    return lines.order_by(first, *order[1:])


def dec(value: Any) -> Decimal | None:
    """A number of ``detail`` (a string of a Decimal) as a Decimal; None when absent or not a number."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def fmt(value: Any, places: int | None = None) -> str:
    """A number for people: ``places`` decimals, or at most 4 with trailing zeros dropped (a mean of
    months is exact in the line's detail, 9.2166666…, and shown 9.2167); "—" when absent."""
    number = dec(value)
    if number is None:
        return "—"
    if places is not None:
        return f"{round_half_up(number, places):f}"
    text = f"{round_half_up(number, 4):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def veto_reasons(line: RunLine) -> list[str]:
    """Why a veto set the grade: the line's ``veto`` entries (reasons or {"reason": …})."""
    reasons = []
    for item in line.veto or []:
        if isinstance(item, dict):
            reasons.append(str(item.get("reason") or item.get("item") or VETO))
        else:
            reasons.append(str(item))
    return reasons


def flag_texts(line: RunLine) -> list[str]:
    texts = []
    for item in line.flags or []:
        texts.append(str(item.get("message") or item.get("code") or "") if isinstance(item, dict) else str(item))
    return [t for t in texts if t]


# ---------------------------------------------------------------------------------------------
# A run


def grade_names(run: Run) -> list[str]:
    """The grade bands as frozen in the run (else the scheme's), highest first."""
    grades = (run.inputs or {}).get("grades") or run.scheme.grades or []
    names = []
    for band in grades:
        name = band.get("name") if isinstance(band, dict) else None
        if name and name not in names:
            names.append(name)
    return names


def grade_counts(run: Run, lines: QuerySet[RunLine]) -> list[tuple[str, int]]:
    """How many lines have each grade, in the bands' order (grades outside the bands last)."""
    counts = Counter(lines.values_list("grade", flat=True))
    names = grade_names(run)
    names += sorted(name for name in counts if name not in names)
    return [(name, counts.get(name, 0)) for name in names]


def grade_chart(counts: list[tuple[str, int]]) -> dict:
    return {
        "unit": "个单位",
        "option": {
            "grid": {"left": 40, "right": 16, "top": 24, "bottom": 32},
            "xAxis": {"type": "category", "data": [name for name, _ in counts]},
            "yAxis": {"type": "value", "minInterval": 1},
            "tooltip": {"trigger": "axis"},
            "series": [{"type": "bar", "name": "单位数", "data": [n for _, n in counts],
                        "label": {"show": True, "position": "top"}}],
        },
    }


@dataclass
class TableRow:
    line: RunLine
    veto: list[str]
    flags: list[str]

    @property
    def flag_count(self) -> int:
        return len(self.flags)


def table_row(line: RunLine) -> TableRow:
    return TableRow(line=line, veto=veto_reasons(line), flags=flag_texts(line))


# ---------------------------------------------------------------------------------------------
# A line


@dataclass
class MonthValue:
    period: str
    value: str
    job: int | None
    job_file: str
    uploaded_by: str
    uploaded_at: datetime | None
    late: bool


@dataclass
class IndicatorRow:
    code: str
    name: str
    department: str
    measure_unit: str
    direction: str
    weight: str
    effective_weight: str
    reweighted: bool
    aggregate: str
    method: str
    params: str
    values: list[MonthValue]
    value: str
    months: int
    score: str
    points: str
    explanation: str
    flags: list[str]
    raw: dict = field(repr=False, default_factory=dict)


def _when(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment)


def _choice_label(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value or "—"


def params_text(params: dict | None) -> str:
    if not params:
        return ""
    return "；".join(f"{PARAM_NAMES.get(k, k)} {fmt(v) if dec(v) is not None else v}" for k, v in params.items())


def indicator_flags(item: dict) -> list[str]:
    flags = []
    missing = item.get("missing") or ""
    if missing in MISSING_FLAGS:
        flags.append(MISSING_FLAGS[missing])
    if item.get("used_year"):
        flags.append(f"使用{item['used_year']}年数据")
    if any(v.get("late") for v in item.get("values") or []):
        flags.append("含逾期报送")
    return flags


def indicator_row(item: dict) -> IndicatorRow:
    weight, effective = item.get("weight"), item.get("effective_weight")
    values = [
        MonthValue(period=str(v.get("period") or ""), value=fmt(v.get("value")), job=v.get("job"),
                   job_file=v.get("job_file") or "", uploaded_by=v.get("uploaded_by") or "",
                   uploaded_at=_when(v.get("uploaded_at")), late=bool(v.get("late")))
        for v in item.get("values") or []
    ]
    return IndicatorRow(
        code=str(item.get("code") or ""), name=str(item.get("name") or ""),
        department=str(item.get("department") or ""), measure_unit=str(item.get("measure_unit") or ""),
        direction=DIRECTIONS.get(item.get("direction") or "", ""),
        weight=fmt(weight), effective_weight=fmt(effective if effective is not None else weight),
        reweighted=dec(effective) is not None and dec(effective) != dec(weight),
        aggregate=_choice_label(Aggregate, item.get("aggregate") or ""),
        method=_choice_label(Method, item.get("method") or ""), params=params_text(item.get("params")),
        values=values, value=fmt(item.get("value")), months=int(item.get("months") or 0),
        score=fmt(item.get("score"), 2), points=fmt(item.get("points"), 2),
        explanation=str(item.get("explanation") or ""), flags=indicator_flags(item), raw=item,
    )


@dataclass
class SpotCheckRow:
    date: str
    scene: str
    paper: str
    grades: list[tuple[str, str]]
    score: str


def spot_check_row(item: dict) -> SpotCheckRow:
    paper = item.get("paper") or ""
    if paper in Paper.values:
        paper = Paper(paper).label
    return SpotCheckRow(date=str(item.get("date") or ""), scene=str(item.get("scene") or ""), paper=paper,
                        grades=[(str(k), str(v)) for k, v in (item.get("grades") or {}).items()],
                        score=fmt(item.get("score"), 2))


ADJUSTMENT_KINDS = {"bonus": "加分", "deduction": "扣分", "veto": VETO}


@dataclass
class AdjustmentRow:
    kind: str
    kind_code: str
    item: str
    points: str
    reason: str
    evidence: bool


def adjustment_row(item: dict) -> AdjustmentRow:
    kind = item.get("kind") or ""
    return AdjustmentRow(kind=ADJUSTMENT_KINDS.get(kind, kind), kind_code=kind, item=str(item.get("item") or ""),
                         points="" if kind == "veto" else fmt(item.get("points")),
                         reason=str(item.get("reason") or ""), evidence=bool(item.get("evidence")))


@dataclass
class Trend:
    index: str
    growth: list[tuple[str, str, str]]  # (code, name, growth %)
    coaching: bool
    reason: str


def trend_of(detail: dict, names: dict[str, str]) -> Trend | None:
    trend = detail.get("trend")
    if not trend:
        return None
    growth = [(code, names.get(code, ""), fmt(value, 2)) for code, value in (trend.get("growth") or {}).items()]
    return Trend(index=fmt(trend.get("index"), 4), growth=growth, coaching=bool(trend.get("coaching")),
                 reason=str(trend.get("reason") or ""))


@dataclass
class LineView:
    line: RunLine
    count: int
    daily: str
    exam: str
    daily_weight: str
    exam_weight: str
    indicators: list[IndicatorRow]
    spot_checks: list[SpotCheckRow]
    adjustments: list[AdjustmentRow]
    trend: Trend | None
    veto: list[str]
    flags: list[str]


def line_view(line: RunLine) -> LineView:
    detail = line.detail or {}
    parts = detail.get("parts") or {}
    indicators = [indicator_row(item) for item in detail.get("indicators") or []]
    names = {row.code: row.name for row in indicators}
    return LineView(
        line=line, count=RunLine.objects.filter(run_id=line.run_id).count(),
        daily=fmt(line.daily, 2), exam=NOT_HELD if line.exam is None else fmt(line.exam, 2),
        daily_weight=fmt(parts.get("daily_weight")), exam_weight=fmt(parts.get("exam_weight")),
        indicators=indicators, spot_checks=[spot_check_row(s) for s in detail.get("spot_checks") or []],
        adjustments=[adjustment_row(a) for a in detail.get("adjustments") or []],
        trend=trend_of(detail, names), veto=veto_reasons(line), flags=flag_texts(line),
    )


def radar_chart(view: LineView) -> dict:
    """Parts and per-indicator scores (0–100) of the line, on one radar."""
    axes = [("平时成绩", view.line.daily), ("期末考试", view.line.exam)]
    axes += [(row.name or row.code, dec(row.raw.get("score"))) for row in view.indicators]
    return {
        "unit": "分",
        "option": {
            "tooltip": {"trigger": "item"},
            "radar": {"indicator": [{"name": name, "max": 100} for name, _ in axes], "radius": "62%",
                      "axisName": {"fontSize": 11}},
            "series": [{"type": "radar", "name": view.line.unit.name,
                        "data": [{"name": "得分", "value": [float(v) if v is not None else 0 for _, v in axes]}],
                        "areaStyle": {"opacity": 0.2}}],
        },
    }


def trend_chart(view: LineView, chosen: str = "") -> dict | None:
    """The monthly values of the line's indicators, one at a time (the legend picks; ``chosen`` first)."""
    rows = [row for row in view.indicators if row.raw.get("values")]
    if not rows:
        return None
    chosen = chosen if any(row.code == chosen for row in rows) else rows[0].code
    periods = sorted({str(v.get("period")) for row in rows for v in row.raw["values"] if v.get("period")})
    series, selected = [], {}
    for row in rows:
        by_period = {str(v.get("period")): dec(v.get("value")) for v in row.raw["values"]}
        label = f"{row.name}（{row.measure_unit}）" if row.measure_unit else row.name
        selected[label] = row.code == chosen
        series.append({"type": "line", "name": label, "connectNulls": False,
                       "data": [float(by_period[p]) if by_period.get(p) is not None else None for p in periods]})
    return {
        "unit": "",
        "option": {
            "legend": {"type": "scroll", "selectedMode": "single", "selected": selected, "top": 0},
            "grid": {"left": 56, "right": 16, "top": 48, "bottom": 32},
            "tooltip": {"trigger": "axis"},
            "xAxis": {"type": "category", "data": periods},
            "yAxis": {"type": "value", "scale": True},
            "series": series,
        },
    }


def appeal_open(user, line: RunLine) -> bool:
    """Whether the appeal form is shown: the user may appeal the line and the window is open."""
    until = line.run.appeal_until
    return bool(until and timezone.localdate() <= until and access.can_appeal(user, line))


# ---------------------------------------------------------------------------------------------
# The coaching list


def default_runs(user) -> list[Run]:
    """The latest published official run of each scheme the user reads."""
    runs = (access.visible_runs(user).filter(published_at__isnull=False, kind=RunKind.OFFICIAL)
            .select_related("scheme").order_by("scheme__year", "scheme__code", "-number"))
    latest: dict[int, Run] = {}
    for run in runs:
        latest.setdefault(run.scheme_id, run)
    return list(latest.values())


def coaching_lines(user, runs: list[Run]) -> QuerySet[RunLine]:
    return (access.visible_lines(user).filter(run__in=runs, coaching=True)
            .select_related("run", "run__scheme", "unit").defer("detail")
            .order_by("run__scheme__code", "trend_index", "unit__code"))
