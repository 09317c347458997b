"""一表做总结: turn a table into a Chinese work summary.

The figures are computed here, in code (``Decimal``, ``lib.numbers.round_half_up``, percentages to one decimal
place); the text is written from those figures only, by a deterministic template or, when a
large language model is configured, by the model. Every number in either text is checked
against the figures before it is shown: a model text with a number the figures do not hold is
thrown away and the template text is used instead.

``summary_sources`` builds ``Figures`` from a ledger dataset, a unit's indicators or an uploaded
table; this module knows nothing of where they came from beyond ``Figures.kind``.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from qingzhuang.lib import periods
from qingzhuang.lib.numbers import round_half_up

logger = logging.getLogger(__name__)

PCT_PLACES = 1  # decimal places of percentages
VALUE_PLACES = 2  # decimal places of values as shown
HUNDRED = Decimal(100)
OUTLINE = ["标题", "总体情况", "主要成效", "存在问题", "下步打算"]
SECTION_HEADINGS = OUTLINE[1:]
ORDINALS = "一二三四五六七八九"
MAX_NAMED = 5  # units named in one sentence ("甲镇、乙镇等7个乡镇")
MAX_PLANS = 5

# How long a summary is: a one-page brief (the default) or the full text on every measure.
BRIEF, FULL = "brief", "full"
LENGTHS = {BRIEF: "一页简报", FULL: "完整版"}
BRIEF_MAX_CHARS = 1500  # body text of a brief summary (title and headings not counted)
BRIEF_ALL_MEASURES = 3  # up to this many measures, a brief speaks of each (and of each unit)
# What is said when there is nothing to summarise (a source may say it more precisely).
NOTHING = "所选范围内暂无数据，无法生成总结。"
ALL_ZERO = "所选范围内的数据均为0，无法生成总结。"

HIGHER, LOWER, NEUTRAL = "higher", "lower", ""
SUM, AVG = "sum", "avg"


# ---------------------------------------------------------------------------------------------
# Numbers


def q_pct(value: Decimal) -> Decimal:
    return round_half_up(value, PCT_PLACES)


def q_value(value: Decimal) -> Decimal:
    return round_half_up(value, VALUE_PLACES)


def pct_change(current: Decimal | None, base: Decimal | None) -> Decimal | None:
    """(current − base) / |base| in percent, one decimal place; None when it cannot be computed."""
    if current is None or base is None or base == 0:
        return None
    return q_pct((current - base) / abs(base) * HUNDRED)


def pct_of(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or whole is None or whole == 0:
        return None
    return q_pct(part / whole * HUNDRED)


def _strip_zeros(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_number(value: Decimal) -> str:
    """1234 → "1,234"; 1234.5678 → "1,234.57"; 12.50 → "12.5"."""
    return _strip_zeros(format(q_value(value), ",f"))


def fmt_pct(value: Decimal) -> str:
    """A percentage with one decimal place: "5.2%", "100.0%"."""
    return f"{q_pct(value):f}%"


def canonical(value: Decimal) -> str:
    """The form numbers are compared in: no separators, no trailing zeros, no exponent."""
    return _strip_zeros(format(value, "f"))


def _number_variants(value: Decimal, *, signed: bool = True) -> set[str]:
    """The ways a figure may be written: exact, as shown (two places), in 万/亿 (one or two places)."""
    v = value if signed else abs(value)
    out = {canonical(v), canonical(q_value(v))}
    for suffix, size in (("万", Decimal(10_000)), ("亿", Decimal(100_000_000))):
        if abs(v) >= size:
            for places in (1, 2):
                out.add(canonical(round_half_up(v / size, places)) + suffix)
            if v % size == 0:
                out.add(canonical(v / size) + suffix)
    return out


def _pct_variants(value: Decimal) -> set[str]:
    return {canonical(q_pct(value)) + "%", canonical(q_pct(abs(value))) + "%"}


# ---------------------------------------------------------------------------------------------
# The figures


@dataclass
class Item:
    """One row of a measure: a unit (or item of an uploaded table) and its values."""

    name: str
    value: Decimal | None
    previous: Decimal | None = None
    last_year: Decimal | None = None
    target: Decimal | None = None
    mom: Decimal | None = None  # change against the previous period (percent, or points)
    yoy: Decimal | None = None  # change against the same period last year
    completion: Decimal | None = None  # value / target, percent
    share: Decimal | None = None  # value / total, percent (sums only)


@dataclass
class Measure:
    """A numeric column of the table, or an indicator, with its items and computed figures.

    ``direction``: HIGHER (more is better), LOWER (less is better) or NEUTRAL (a count, such as
    the records of a dataset). ``aggregate``: SUM (totals), or AVG for rates, whose changes are
    in percentage points (``points``).
    """

    name: str
    items: list[Item]
    unit: str = ""
    direction: str = HIGHER
    aggregate: str = SUM
    has_previous: bool = False
    has_last_year: bool = False
    has_target: bool = False
    reported_total: Decimal | None = None  # the 合计 row of an uploaded table, if any
    total: Decimal | None = None
    previous_total: Decimal | None = None
    last_year_total: Decimal | None = None
    target_total: Decimal | None = None
    mom: Decimal | None = None
    yoy: Decimal | None = None
    completion: Decimal | None = None
    best: Item | None = None
    worst: Item | None = None
    spread: Decimal | None = None  # best − worst value (absolute)
    missing: list[str] = field(default_factory=list)
    improved: list[Item] = field(default_factory=list)
    declined: list[Item] = field(default_factory=list)
    completed: list[Item] = field(default_factory=list)
    below_target: list[Item] = field(default_factory=list)

    @property
    def points(self) -> bool:
        return self.aggregate == AVG and self.unit == "%"

    @property
    def reported(self) -> list[Item]:
        return [i for i in self.items if i.value is not None]


def _aggregate(values: list[Decimal], how: str) -> Decimal | None:
    if not values:
        return None
    total = sum(values, Decimal(0))
    return q_value(total / len(values)) if how == AVG else total


def _change(measure: Measure, current: Decimal | None, base: Decimal | None) -> Decimal | None:
    if measure.points:
        return None if current is None or base is None else q_pct(current - base)
    return pct_change(current, base)


def _good(measure: Measure, change: Decimal | None) -> bool | None:
    """Whether a change is for the better (None: no change or no direction)."""
    if change is None or change == 0 or measure.direction == NEUTRAL:
        return None
    return (change > 0) == (measure.direction != LOWER)


def compute_measure(measure: Measure) -> Measure:
    """Fill in every derived figure of ``measure`` from its items."""
    m = measure
    reported = m.reported
    m.missing = [i.name for i in m.items if i.value is None]
    m.total = _aggregate([i.value for i in reported], m.aggregate)
    if m.has_previous:
        m.previous_total = _aggregate([i.previous for i in m.items if i.previous is not None], m.aggregate)
        m.mom = _change(m, m.total, m.previous_total)
    if m.has_last_year:
        m.last_year_total = _aggregate([i.last_year for i in m.items if i.last_year is not None], m.aggregate)
        m.yoy = _change(m, m.total, m.last_year_total)
    if m.has_target:
        m.target_total = _aggregate([i.target for i in m.items if i.target is not None], m.aggregate)
        m.completion = pct_of(m.total, m.target_total) if m.direction != LOWER else None
    for item in m.items:
        item.mom = _change(m, item.value, item.previous) if m.has_previous else None
        item.yoy = _change(m, item.value, item.last_year) if m.has_last_year else None
        item.completion = pct_of(item.value, item.target) if m.has_target else None
        item.share = pct_of(item.value, m.total) if m.aggregate == SUM and m.total and m.total > 0 else None
    m.improved = [i for i in reported if _good(m, i.mom) is True]
    m.declined = [i for i in reported if _good(m, i.mom) is False]
    m.declined.sort(key=lambda i: abs(i.mom), reverse=True)
    if m.has_target:
        with_target = [i for i in reported if i.target is not None]
        if m.direction == LOWER:
            m.completed = [i for i in with_target if i.value <= i.target]
            m.below_target = [i for i in with_target if i.value > i.target]
        else:
            m.completed = [i for i in with_target if i.value >= i.target]
            m.below_target = [i for i in with_target if i.value < i.target]
            m.below_target.sort(key=lambda i: (i.completion is None, i.completion or 0))
    m.best, m.worst = _best_and_worst(m, reported)
    if m.best is not None and m.worst is not None:
        m.spread = abs(m.best.value - m.worst.value)
    return m


def _best_and_worst(m: Measure, reported: list[Item]) -> tuple[Item | None, Item | None]:
    """The best and worst items, by completion rate when there is a target, else by value.

    For NEUTRAL measures "best" is the largest and "worst" the smallest. Ties keep table order.
    """
    by_completion = m.has_target and m.direction != LOWER
    ranked = [i for i in reported if i.completion is not None] if by_completion else reported
    if len(ranked) < 2:
        return None, None

    def key(i: Item) -> Decimal:
        return i.completion if m.has_target and m.direction != LOWER else i.value

    high = max(ranked, key=key)
    low = min(ranked, key=key)
    if key(high) == key(low):
        return None, None
    return (low, high) if m.direction == LOWER else (high, low)


@dataclass
class Figures:
    """Everything a summary may say, computed.

    ``kind``: "dataset", "indicators" or "upload". ``subject``: how the prose names the whole
    ("全县", "甲镇"). ``noun``: what the items are ("乡镇", "村（社区）", "单位"). ``period``:
    "YYYY-MM" or "" (uploads without one). ``label``: a line saying where the table came from.
    ``single``: the one item is the subject itself (a village's own figures), so the prose speaks
    of its figures over time and never compares it with units the reader cannot see.
    ``empty_message``: the sentence to show instead of a summary, when the source knows there is
    nothing to summarise.
    """

    kind: str
    title: str
    subject: str
    noun: str
    label: str
    measures: list[Measure]
    period: str = ""
    previous_label: str = "上月"
    item_count: int = 0
    notices: list[str] = field(default_factory=list)
    # Text taken from the table itself (names, headers, title): numbers in it may be repeated.
    names: list[str] = field(default_factory=list)
    # Dataset summaries: the dataset's name, the code column counted ("特殊群体") and its update
    # period ("月", for the plans).
    source_name: str = ""
    breakdown: str = ""
    update_period: str = ""
    single: bool = False
    empty_message: str = ""

    def nothing_to_summarise(self) -> str:
        """The sentence saying there is nothing to summarise, or "" when there is something: no
        measure, no value in the period, or every value (this period and the bases) zero."""
        if self.empty_message:
            return self.empty_message
        if not self.measures or self.item_count == 0 or not any(m.reported for m in self.measures):
            return NOTHING
        every = [v for m in self.measures for i in m.items
                 for v in (i.value, i.previous, i.last_year, i.target) if v is not None]
        if all(v == 0 for v in every):
            return ALL_ZERO
        return ""

    def unit_ranks(self) -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
        """(best unit, the number of measures it is best in) and (worst unit, the number it is
        worst in), over every measure with a best and a worst; ties go to the earlier unit of the
        table, and the worst is never the best. None when fewer than two units are compared."""
        if self.single:
            return None, None
        order: dict[str, int] = {}
        best: dict[str, int] = {}
        worst: dict[str, int] = {}
        for m in self.measures:
            for i in m.items:
                order.setdefault(i.name, len(order))
            if m.best is not None and m.worst is not None and m.direction != NEUTRAL:
                best[m.best.name] = best.get(m.best.name, 0) + 1
                worst[m.worst.name] = worst.get(m.worst.name, 0) + 1

        def top(counts: dict[str, int], skip: str = "") -> tuple[str, int] | None:
            ranked = sorted((name for name in counts if name != skip), key=lambda n: (-counts[n], order[n]))
            return (ranked[0], counts[ranked[0]]) if ranked else None

        first = top(best)
        return first, top(worst, skip=first[0] if first else "")

    def movement(self, basis: str) -> tuple[int, int, int]:
        """How many measures changed for the better, for the worse and not at all against the
        previous period (``basis`` "mom") or the same period last year ("yoy")."""
        better = worse = same = 0
        for m in self.measures:
            change = m.mom if basis == "mom" else m.yoy
            if change is None or m.direction == NEUTRAL:
                continue
            good = _good(m, change)
            if good is None:
                same += 1
            elif good:
                better += 1
            else:
                worse += 1
        return better, worse, same

    def period_tokens(self) -> set[str]:
        """Year-month tokens the text may use: this period, the previous one, a year before."""
        tokens: set[str] = set()
        if not self.period:
            return tokens
        for period in (self.period, periods.previous_period(self.period), periods.year_ago(self.period)):
            y, mo = periods.parse_period(period)
            tokens |= {f"{y}年{mo}月", f"{y}年", f"{mo}月"}
        return tokens

    def allowed_numbers(self) -> set[str]:
        """Every number (canonical form, see ``numbers_in``) a summary of these figures may contain."""
        allowed: set[str] = set(self.period_tokens())
        counts = {self.item_count, len(self.measures)}
        for m in self.measures:
            rate = m.unit == "%"
            # A value in 万元 or 亿元 is written "129,267.7万元": the number reads as "129267.7万".
            scale = m.unit[:1] if m.unit[:1] in ("万", "亿") else ""

            def value(v: Decimal | None, *, rate: bool = rate, scale: str = scale) -> None:
                if v is not None:
                    variants = _number_variants(v)
                    allowed.update(variants)
                    if scale:
                        allowed.update(f"{n}{scale}" for n in variants if n[-1:].isdigit())
                    if rate:
                        allowed.update(_pct_variants(v))

            def change(c: Decimal | None, *, points: bool = m.points) -> None:
                if c is not None:
                    allowed.update(_number_variants(c) | _number_variants(c, signed=False) if points
                                   else _pct_variants(c))

            def pct(p: Decimal | None) -> None:
                if p is not None:
                    allowed.update(_pct_variants(p))

            counts |= {len(m.items), len(m.reported), len(m.missing), len(m.improved), len(m.declined),
                       len(m.completed), len(m.below_target)}
            for v in (m.total, m.previous_total, m.last_year_total, m.target_total, m.spread,
                      m.reported_total):
                value(v)
            change(m.mom)
            change(m.yoy)
            pct(m.completion)
            for i in m.items:
                for v in (i.value, i.previous, i.last_year, i.target):
                    value(v)
                change(i.mom)
                change(i.yoy)
                pct(i.completion)
                pct(i.share)
        for basis in ("mom", "yoy"):
            counts |= set(self.movement(basis))
        for rank in self.unit_ranks():
            if rank is not None:
                counts.add(rank[1])
        missing = [n for m in self.measures for n in m.missing]
        counts |= {len(missing), len(set(missing))}
        for n in counts:
            allowed |= _number_variants(Decimal(n))
        for text in (self.title, self.label, self.source_name, self.breakdown, *self.names):
            allowed |= set(numbers_in(text))
        return allowed

    def table(self) -> FigureTable:
        return figure_table(self)


# ---------------------------------------------------------------------------------------------
# The table of figures (page and Word)


@dataclass
class FigureTable:
    headers: list[str]
    rows: list[list[str]]
    # Indexes of the rows that are a measure's total (shown bold).
    total_rows: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"headers": self.headers, "rows": self.rows, "total_rows": self.total_rows}


def _cell(value: Decimal | None, *, pct: bool = False, points: bool = False) -> str:
    if value is None:
        return "—"
    if points:
        return f"{_signed(q_pct(value))}个百分点"
    return fmt_pct(value) if pct else fmt_number(value)


def _signed(value: Decimal) -> str:
    text = f"{value:f}"
    return "+" + text if value > 0 else text


def figure_table(figures: Figures) -> FigureTable:
    """One table for every measure: 项目, 单位, 本期 … with only the columns some measure has."""
    ms = figures.measures
    prev = any(m.has_previous for m in ms)
    last = any(m.has_last_year for m in ms)
    target = any(m.has_target for m in ms)
    share = any(m.aggregate == SUM and m.direction == NEUTRAL for m in ms)
    value_header = "数量" if figures.kind == "dataset" else ("本月" if figures.period else "本期")
    headers = ["项目", figures.noun or "单位", value_header]
    if prev:
        headers += [figures.previous_label, "环比"]
    if last:
        headers += ["去年同期", "同比"]
    if target:
        headers += ["目标", "完成率"]
    if share:
        headers.append("占比")
    rows: list[list[str]] = []
    total_rows: list[int] = []

    def row(name: str, unit_name: str, value, previous, mom, last_year, yoy, tgt, completion, part, m):
        cells = [name, unit_name, _cell(value)]
        blank = ["—", "—"]
        pct = not m.points
        if prev:
            cells += [_cell(previous), _cell(mom, pct=pct, points=m.points)] if m.has_previous else blank
        if last:
            cells += [_cell(last_year), _cell(yoy, pct=pct, points=m.points)] if m.has_last_year else blank
        if target:
            cells += [_cell(tgt), _cell(completion, pct=True)] if m.has_target else blank
        if share:
            cells.append(_cell(part, pct=True))
        return cells

    for m in ms:
        name = f"{m.name}（{m.unit}）" if m.unit else m.name
        for i in m.items:
            rows.append(row(name, i.name, i.value, i.previous, i.mom, i.last_year, i.yoy, i.target,
                            i.completion, i.share, m))
        total_rows.append(len(rows))
        label = "平均" if m.aggregate == AVG else "合计"
        rows.append(row(name, label, m.total, m.previous_total, m.mom, m.last_year_total, m.yoy,
                        m.target_total, m.completion, Decimal(100) if m.total else None, m))
    return FigureTable(headers=headers, rows=rows, total_rows=total_rows)


def overview_table(figures: Figures) -> FigureTable:
    """One row per measure, for the page: the total (or average), its changes and the best and
    worst item; for a unit's own figures, this period beside the previous one and last year's.
    The table of every item (``figure_table``) is the Word file's annex."""
    ms = figures.measures
    prev = any(m.has_previous for m in ms)
    last = any(m.has_last_year for m in ms)
    target = any(m.has_target for m in ms)
    if figures.single:
        headers = ["项目", "数量" if figures.kind == "dataset" else ("本月" if figures.period else "本期")]
        if prev:
            headers += [figures.previous_label, "环比"]
        if last:
            headers += ["去年同期", "同比"]
        rows = []
        for m in ms:
            cells = [_measure_label(m), _cell(m.total)]
            if prev:
                cells += [_cell(m.previous_total), _cell(m.mom, pct=not m.points, points=m.points)]
            if last:
                cells += [_cell(m.last_year_total), _cell(m.yoy, pct=not m.points, points=m.points)]
            rows.append(cells)
        return FigureTable(headers=headers, rows=rows)
    neutral = all(m.direction == NEUTRAL for m in ms)
    headers = ["项目", "合计/平均" if any(m.aggregate == AVG for m in ms) else "合计"]
    if prev:
        headers.append("环比")
    if last:
        headers.append("同比")
    if target:
        headers.append("完成率")
    headers += ["最多", "最少"] if neutral else ["最好", "最差"]
    rows = []
    for m in ms:
        cells = [_measure_label(m), _cell(m.total)]
        if prev:
            cells.append(_cell(m.mom, pct=not m.points, points=m.points))
        if last:
            cells.append(_cell(m.yoy, pct=not m.points, points=m.points))
        if target:
            cells.append(_cell(m.completion, pct=True))
        for item in (m.best, m.worst):
            cells.append("—" if item is None else f"{item.name} {_cell(item.value)}")
        rows.append(cells)
    return FigureTable(headers=headers, rows=rows)


def _measure_label(m: Measure) -> str:
    return f"{m.name}（{m.unit}）" if m.unit else m.name


# ---------------------------------------------------------------------------------------------
# Finding numbers in Chinese text


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "零〇一二两三四五六七八九十百千万亿点"
# Fixed political and planning terms that contain numerals but are not figures.
_FIXED_TERMS = re.compile(r"党的(?:十[一-九]|二十)大|(?:十[一-九]|二十)大|(?:十[一-九]|二十)届|十[一-五]五(?:规划|时期|期间)?"
                          r"|[一二三四五六七八九]中全会")
# Enumeration at the start of a line: "1. ", "（2）", "3、" (formatting, not figures).
_LIST_MARKER = re.compile(r"^\s*(?:[(（]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.、)）](?!\d))\s*", re.MULTILINE)
_PERIOD_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月份?|(\d{4})-(\d{1,2})(?!\d)|(\d{4})\s*年(?!\s*\d)"
                        r"|(?<![\d.])(\d{1,2})\s*月份?")
_ARABIC_RE = re.compile(r"(百分之\s*)?([-−]\s*)?(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(%|‰|万|亿)?")
_CN_PCT_RE = re.compile(f"百分之([{_CN_CHARS}]+)")
_CN_SEQ_RE = re.compile(f"[{_CN_CHARS}]{{2,}}")
_CN_SINGLE_RE = re.compile(r"([二两三四五六七八九])(?=[个户人项家名所座条件次倍类批场位处])")
# Full-width digits and signs → half-width; Chinese commas stay (NFKC would turn "12，345" into 12,345).
_HALF_WIDTH = {**{ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．％－"}, 0x3000: ord(" ")}
_CN_IDIOMS = {"千万", "万一", "一一", "万万", "一万", "十万火急"}


def _cn_integer(text: str) -> int | None:
    """一百二十三 → 123, 二〇二五 → 2025, 三万五千 → 35000; None if not a number."""
    if not text:
        return None
    if all(c in _CN_DIGITS for c in text):
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, None
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
        elif c in _CN_BIG:
            section += digit or 0
            total = (total + section) * _CN_BIG[c] if c == "亿" else total + section * _CN_BIG[c]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _cn_number(text: str) -> Decimal | None:
    whole, _, fraction = text.partition("点")
    number = _cn_integer(whole) if whole else 0
    if number is None:
        return None
    if fraction:
        if not all(c in _CN_DIGITS for c in fraction):
            return None
        return Decimal(f"{number}.{''.join(str(_CN_DIGITS[c]) for c in fraction)}")
    return Decimal(number)


def numbers_in(text: str) -> list[str]:
    """The numbers written in ``text``, in canonical form, in order.

    "1,234户" → "1234"; "5.20%" → "5.2%"; "百分之三十" → "30%"; "1.2万" → "1.2万"; "三个乡镇" → "3";
    "2025年11月" → "2025年11月" (a period token), "11月份" → "11月", "2025-11" → "2025年11月".
    List markers at the start of a line and fixed terms such as "二十大" are not numbers.
    """
    text = (text or "").translate(_HALF_WIDTH)
    text = _LIST_MARKER.sub("", text)
    text = _FIXED_TERMS.sub(" ", text)
    found: list[tuple[int, str]] = []

    def period(match: re.Match) -> str:
        g = match.groups()
        if g[0]:
            found.append((match.start(), f"{int(g[0])}年{int(g[1])}月"))
        elif g[2]:
            found.append((match.start(), f"{int(g[2])}年{int(g[3])}月"))
        elif g[4]:
            found.append((match.start(), f"{int(g[4])}年"))
        else:
            found.append((match.start(), f"{int(g[5])}月"))
        return " " * len(match.group(0))

    text = _PERIOD_RE.sub(period, text)

    def arabic(match: re.Match) -> str:
        percent_words, minus, digits, fraction, suffix = match.groups()
        number = Decimal(digits.replace(",", "") + (fraction or ""))
        token = canonical(-number if minus else number)
        if percent_words or suffix == "%":
            token += "%"
        elif suffix in ("‰", "万", "亿"):
            token += suffix
        found.append((match.start(), token))
        return " " * len(match.group(0))

    text = _ARABIC_RE.sub(arabic, text)

    def cn_percent(match: re.Match) -> str:
        number = _cn_number(match.group(1))
        found.append((match.start(), (canonical(number) + "%") if number is not None else match.group(0)))
        return " " * len(match.group(0))

    text = _CN_PCT_RE.sub(cn_percent, text)
    def cn_sequence(match: re.Match) -> str:
        seq = match.group(0)
        if seq in _CN_IDIOMS or not any(c in _CN_DIGITS or c in _CN_UNITS for c in seq):
            return seq
        number = _cn_number(seq)
        found.append((match.start(), canonical(number) if number is not None else seq))
        return " " * len(seq)

    text = _CN_SEQ_RE.sub(cn_sequence, text)
    for match in _CN_SINGLE_RE.finditer(text):
        found.append((match.start(), str(_CN_DIGITS[match.group(1)])))
    return [token for _, token in sorted(found, key=lambda pair: pair[0])]


def unknown_numbers(text: str, allowed: set[str]) -> list[str]:
    """The numbers of ``text`` that are not among ``allowed`` (each once, in order)."""
    unknown: list[str] = []
    for token in numbers_in(text):
        if token not in allowed and token not in unknown:
            unknown.append(token)
    return unknown


# ---------------------------------------------------------------------------------------------
# The summary


@dataclass
class Summary:
    """A written summary. ``message``: when there is nothing to summarise, the one sentence that
    says so (and ``sections`` is empty). ``table``: every item of every measure (the Word annex);
    ``overview``: one row per measure (the page)."""

    title: str
    sections: list[tuple[str, list[str]]]
    figures: Figures | None
    notices: list[str]
    source_label: str
    generated_by: str  # "template" | "llm"
    table: FigureTable | None = None
    overview: FigureTable | None = None
    length: str = BRIEF
    message: str = ""

    def __post_init__(self) -> None:
        if self.figures is not None and not self.message:
            if self.table is None:
                self.table = figure_table(self.figures)
            if self.overview is None:
                self.overview = overview_table(self.figures)

    @property
    def empty(self) -> bool:
        return bool(self.message)

    def text(self) -> str:
        parts = [self.title]
        if self.message:
            parts.append(self.message)
        for heading, paragraphs in self.sections:
            parts.append(heading)
            parts.extend(paragraphs)
        return "\n".join(parts)

    def body_chars(self) -> int:
        """Characters of the body text (the paragraphs, or the one sentence; not the title or headings)."""
        return len(self.message) + sum(len(p) for _, paragraphs in self.sections for p in paragraphs)

    def to_dict(self) -> dict:
        """What the session keeps for the download (the figures as their tables)."""
        return {"title": self.title, "sections": [[h, list(p)] for h, p in self.sections],
                "notices": self.notices, "source_label": self.source_label, "generated_by": self.generated_by,
                "table": self.table.to_dict() if self.table else None,
                "overview": self.overview.to_dict() if self.overview else None,
                "length": self.length, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict) -> Summary:
        def table(key: str) -> FigureTable | None:
            found = data.get(key)
            return FigureTable(found["headers"], found["rows"], found.get("total_rows", [])) if found else None

        return cls(title=data["title"], sections=[(h, list(p)) for h, p in data["sections"]], figures=None,
                   notices=list(data.get("notices", [])), source_label=data.get("source_label", ""),
                   generated_by=data.get("generated_by", "template"), table=table("table"),
                   overview=table("overview"), length=data.get("length", BRIEF), message=data.get("message", ""))


def heading_label(index: int, heading: str) -> str:
    """"总体情况" → "一、总体情况"."""
    return f"{ORDINALS[index]}、{heading}"


# -- template prose ---------------------------------------------------------------------------


def _names(items: list[Item] | list[str], noun: str) -> str:
    """"甲镇、乙镇" or "甲镇、乙镇、丙镇、丁镇、戊镇等7个乡镇"."""
    names = [i if isinstance(i, str) else i.name for i in items]
    if len(names) <= MAX_NAMED:
        return "、".join(names)
    return f"{'、'.join(names[:MAX_NAMED])}等{len(names)}个{noun}"


def _qty(m: Measure, value: Decimal) -> str:
    if m.points or m.unit == "%":
        return fmt_pct(value)
    return f"{fmt_number(value)}{m.unit}"


def _change_words(m: Measure, change: Decimal, against: str) -> str:
    """"较上月增长5.2%" / "较去年同期下降3.1%" / "较上月提高0.3个百分点" / "与上月持平"."""
    if change == 0:
        return f"与{against}持平"
    if m.points:
        verb = "提高" if change > 0 else "降低"
        return f"较{against}{verb}{q_pct(abs(change)):f}个百分点"
    verb = "增长" if change > 0 else "下降"
    return f"较{against}{verb}{fmt_pct(abs(change))}"


def _amount(m: Measure, change: Decimal) -> str:
    """The size of a change: "6.3%" or "0.3个百分点"."""
    return f"{q_pct(abs(change)):f}个百分点" if m.points else fmt_pct(abs(change))


def _against(figures: Figures) -> str:
    return figures.previous_label


def _measure_sentence(figures: Figures, m: Measure, *, lead: str) -> str:
    if m.total is None:
        return f"{lead}{m.name}暂无数据。"
    if figures.single:
        text = f"{lead}{m.name}为{_qty(m, m.total)}"
    elif m.aggregate == AVG:
        text = f"{lead}{m.name}平均为{_qty(m, m.total)}"
    else:
        text = f"{lead}{m.name}合计{_qty(m, m.total)}"
    if m.mom is not None:
        text += "，" + _change_words(m, m.mom, _against(figures))
    if m.yoy is not None:
        text += "，" + _change_words(m, m.yoy, "去年同期")
    if m.completion is not None:
        text += f"，完成目标任务{_qty(m, m.target_total)}的{fmt_pct(m.completion)}"
    return text + "。"


def _period_words(figures: Figures) -> str:
    if not figures.period:
        return ""
    return f"{periods.period_words(figures.period)}，"


def _overall(figures: Figures) -> list[str]:
    ms = figures.measures
    if figures.kind == "dataset":
        m = ms[0]
        if figures.single or figures.item_count < 2:
            first = f"截至目前，{figures.subject}在一套表“{figures.source_name}”数据集中共登记{_qty(m, m.total)}。"
        else:
            first = (f"截至目前，一套表“{figures.source_name}”数据集中{figures.subject}共登记{_qty(m, m.total)}，"
                     f"分布在{figures.item_count}个{figures.noun}。")
        paragraphs = [first]
        parts = [f"{x.name}{_qty(x, x.total)}" for x in ms[1:] if x.total]
        if parts:
            paragraphs.append(f"按{figures.breakdown or '类别'}统计，" + "，".join(parts) + "。")
        return paragraphs
    if figures.single:
        lead = f"{_period_words(figures)}{figures.subject}"
    else:
        lead = f"{_period_words(figures)}{figures.subject or '纳入统计的'}{figures.item_count}个{figures.noun}"
    sentences = []
    for index, m in enumerate(ms):
        sentences.append(_measure_sentence(figures, m, lead=lead if index == 0 else ""))
    # Four measures to a paragraph keep the prose readable.
    return ["".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]


def _rank_words(m: Measure, noun: str) -> tuple[str, str]:
    if m.direction == LOWER:
        return f"在各{noun}中最低", f"在各{noun}中最高"
    return f"在各{noun}中最高", f"在各{noun}中最低"


def _dataset_achievements(figures: Figures) -> list[str]:
    paragraphs: list[str] = []
    m = figures.measures[0] if figures.measures else None
    if m is not None and m.total:
        paragraphs.append(f"数据已在一套表中集中汇聚，{figures.subject}{_qty(m, m.total)}的数据可由各部门直接共享使用，"
                          f"不再需要向基层重复索要。")
    parts = [f"{x.name}以{x.best.name}最多，为{_qty(x, x.best.value)}，占{fmt_pct(x.best.share)}，"
             f"{x.worst.name}最少，为{_qty(x, x.worst.value)}"
             for x in figures.measures[:4] if x.best is not None and x.best.share is not None]
    if parts:
        paragraphs.append("从分布看，" + "；".join(parts) + "。")
    return paragraphs


def _achievements(figures: Figures) -> list[str]:
    """What went well; an empty list when nothing did (the section is then left out)."""
    if figures.kind == "dataset":
        return _dataset_achievements(figures)
    noun = figures.noun
    paragraphs: list[str] = []
    for m in figures.measures:
        sentences = []
        if m.best is not None:
            if m.has_target and m.direction != LOWER:
                sentences.append(f"{m.name}方面，{m.best.name}完成率最高，达{fmt_pct(m.best.completion)}")
            else:
                high, _ = _rank_words(m, noun)
                sentences.append(f"{m.name}方面，{m.best.name}为{_qty(m, m.best.value)}，{high}")
        if m.completed and m.has_target:
            if m.best is not None and m.completed == [m.best]:
                sentences[-1] += f"，也是唯一完成目标任务的{noun}"
            elif figures.single:
                sentences.append(f"{m.name}已完成目标任务")
            else:
                sentences.append(f"{_names(m.completed, noun)}已完成目标任务")
        first = "，".join(sentences)
        if first and not first.startswith(m.name):
            first = f"{m.name}方面，{first}"
        text = first + "。" if first else ""
        if m.improved and m.direction != NEUTRAL:
            top = max(m.improved, key=lambda i: abs(i.mom))
            if figures.single:
                text += f"{'' if text else m.name}{_change_words(m, top.mom, _against(figures))}。"
            elif len(m.improved) > 1:
                lead = "" if text else f"{m.name}方面，"
                verb, size = ("有所下降", "降幅") if m.direction == LOWER else ("有所增长", "增幅")
                text += (f"{lead}{_names(m.improved, noun)}较{_against(figures)}{verb}，"
                         f"其中{top.name}{size}最大，为{_amount(m, top.mom)}。")
            else:
                lead = "" if text else f"{m.name}方面，"
                text += f"{lead}{top.name}{_change_words(m, top.mom, _against(figures))}。"
        if text:
            paragraphs.append(text)
    return paragraphs


def _problems(figures: Figures) -> list[str]:
    """What went badly; an empty list when nothing did (the section is then left out)."""
    noun = figures.noun
    paragraphs: list[str] = []
    for m in figures.measures:
        sentences = []
        if m.below_target:
            lowest = m.below_target[0]
            text = f"{'' if figures.single else _names(m.below_target, noun)}{m.name}未达到目标"
            if lowest.completion is not None and m.direction != LOWER:
                if len(m.below_target) > 1:
                    text += f"，其中{lowest.name}完成率仅为{fmt_pct(lowest.completion)}"
                else:
                    text += f"，完成率为{fmt_pct(lowest.completion)}"
            sentences.append(text)
        elif m.worst is not None and figures.kind != "dataset":
            if m.has_target and m.direction != LOWER:
                sentences.append(f"{m.worst.name}{m.name}完成率为{fmt_pct(m.worst.completion)}，在各{noun}中最低")
            else:
                _, low = _rank_words(m, noun)
                sentences.append(f"{m.worst.name}{m.name}为{_qty(m, m.worst.value)}，{low}")
        if m.declined:
            verb = "上升" if m.direction == LOWER else "下降"
            worst = m.declined[0]
            if len(m.declined) == 1:
                who = "" if figures.single else worst.name
                text = f"{who}{m.name}较{_against(figures)}{verb}{_amount(m, worst.mom)}"
            else:
                text = (f"{_names(m.declined, noun)}{m.name}较{_against(figures)}{verb}，"
                        f"其中{worst.name}{'升幅' if m.direction == LOWER else '降幅'}最大，为{_amount(m, worst.mom)}")
            sentences.append(text)
        if m.missing and figures.kind == "indicators":
            who_missing = "" if figures.single else _names(m.missing, noun)
            sentences.append(f"{who_missing}本月未报送{m.name}数据")
        if sentences:
            paragraphs.append("；".join(sentences) + "。")
    if figures.kind == "dataset":
        m = figures.measures[0] if figures.measures else None
        if m is not None and m.best is not None and m.spread:
            paragraphs.append(f"各{noun}记录数量差异较大，最多的{m.best.name}与最少的{m.worst.name}相差"
                              f"{_qty(m, m.spread)}，需核实数据是否完整、更新是否及时。")
    elif not paragraphs:
        m = next((x for x in figures.measures if x.spread), None)
        if m is not None:
            paragraphs.append(f"从数据看，各{noun}未出现明显下滑，但发展不够均衡，{m.name}最高的{m.best.name}"
                              f"与最低的{m.worst.name}相差{_qty(m, m.spread)}。")
    return paragraphs


def _plans(figures: Figures) -> list[str]:
    noun = figures.noun
    single = figures.single
    plans: list[str] = []
    if figures.kind == "dataset":
        m = figures.measures[0] if figures.measures else None
        every = f"每{figures.update_period}" if figures.update_period in ("月", "季", "年") else "及时"
        if single:
            plans.append(f"{every}更新{figures.subject}的数据，保持一套表准确、鲜活")
            plans.append("部门需要一套表中已有的数据时，请其直接共享使用，不再重复填报")
        else:
            if m is not None and m.worst is not None:
                plans.append(f"对{m.worst.name}等记录较少的{noun}逐一核实数据是否完整，做到应录尽录")
            for x in figures.measures[1:3]:
                if x.best is not None:
                    plans.append(f"重点关注{x.best.name}等{x.name}较多的{noun}，做好跟踪服务")
            plans.append(f"督促各{noun}{every}更新数据，保持一套表准确、鲜活")
            plans.append("各部门需要数据时先在一套表中查找，已有数据一律共享使用，不再向基层重复索要")
    else:
        for m in figures.measures:
            if m.below_target:
                who = "" if single else f"督促{_names(m.below_target, noun)}"
                plans.append(f"{who}对照{m.name}目标查找差距，倒排进度，确保按期完成")
            if m.declined:
                verb = "上升" if m.direction == LOWER else "下降"
                who = "" if single else _names(m.declined, noun)
                plans.append(f"针对{who}{m.name}{verb}的情况，深入分析原因，制定针对性措施")
            if m.missing and figures.kind == "indicators":
                who = "" if single else f"督促{_names(m.missing, noun)}"
                plans.append(f"{who}按时报送{m.name}数据")
        worst = [m.worst.name for m in figures.measures if m.worst is not None and not m.below_target]
        if worst and not single:
            plans.append(f"加强对{_names(list(dict.fromkeys(worst)), noun)}的指导帮扶，推动各{noun}均衡发展")
        if figures.kind == "indicators":
            plans.append("按时在一套表中报送指标数据，做到一次报送、多方共用" if single else
                         "继续依托一套表按月汇总指标数据，减少向基层重复索要报表，切实为基层减负")
        else:
            plans.append("持续跟踪数据变化，定期通报进展情况")
    return _numbered(plans)


def _numbered(plans: list[str]) -> list[str]:
    """"一是……；二是……。" (at most ``MAX_PLANS``), one paragraph; nothing when there is no plan."""
    plans = list(dict.fromkeys(p for p in plans if p))[:MAX_PLANS]
    if not plans:
        return []
    if len(plans) == 1:
        return [plans[0] + "。"]
    return ["；".join(f"{ORDINALS[i]}是{p}" for i, p in enumerate(plans)) + "。"]


def full_sections(figures: Figures) -> list[tuple[str, list[str]]]:
    """Every measure, each unit that stands out: the long form (a section with nothing to say is left out)."""
    sections = [
        (SECTION_HEADINGS[0], _overall(figures)),
        (SECTION_HEADINGS[1], _achievements(figures)),
        (SECTION_HEADINGS[2], _problems(figures)),
        (SECTION_HEADINGS[3], _plans(figures)),
    ]
    return [(heading, paragraphs) for heading, paragraphs in sections if paragraphs]


def template_summary(figures: Figures, *, length: str = BRIEF) -> Summary:
    """The deterministic summary of ``figures``: a one-page brief (``BRIEF``, the default) or the
    full text on every measure (``FULL``); one sentence and no sections when there is nothing to
    summarise."""
    length = FULL if length == FULL else BRIEF
    message = figures.nothing_to_summarise()
    if message:
        return Summary(title=figures.title, sections=[], figures=figures, notices=list(figures.notices),
                       source_label=figures.label, generated_by="template", length=length, message=message)
    if length == FULL:
        sections = full_sections(figures)
    else:
        from qingzhuang.assistant.summary_brief import brief_sections

        sections = brief_sections(figures)
    return Summary(title=figures.title, sections=sections, figures=figures, notices=list(figures.notices),
                   source_label=figures.label, generated_by="template", length=length)


# -- the language model -----------------------------------------------------------------------


def facts_text(figures: Figures, *, length: str = FULL) -> str:
    """The figures as plain Chinese lines for the model: the only facts it may use. For a brief of
    many measures, each measure's totals only (not every unit), with the counts the brief uses."""
    lines = [f"标题：{figures.title}", f"数据来源：{figures.label}"]
    if figures.period:
        lines.append(f"期间：{periods.period_words(figures.period)}")
    if figures.single:
        lines.append(f"统计范围：{figures.subject}本单位（只写本单位数字的变化，不与其他单位比较）")
    else:
        lines.append(f"统计范围：{figures.subject}，共{figures.item_count}个{figures.noun}")
    condensed = length == BRIEF and len(figures.measures) > BRIEF_ALL_MEASURES
    for m in figures.measures:
        head = f"【{m.name}】" + (f"计量单位：{m.unit}；" if m.unit else "")
        head += {HIGHER: "数值越大越好；", LOWER: "数值越小越好；"}.get(m.direction, "")
        if m.total is not None:
            head += f"{'平均' if m.aggregate == AVG else '合计'}{_qty(m, m.total)}"
        if m.previous_total is not None:
            head += f"；{_against(figures)}{_qty(m, m.previous_total)}"
        if m.mom is not None:
            head += "，" + _change_words(m, m.mom, _against(figures))
        if m.last_year_total is not None:
            head += f"；去年同期{_qty(m, m.last_year_total)}"
        if m.yoy is not None:
            head += "，" + _change_words(m, m.yoy, "去年同期")
        if m.target_total is not None:
            head += f"；目标{_qty(m, m.target_total)}"
        if m.completion is not None:
            head += f"，完成率{fmt_pct(m.completion)}"
        lines.append(head)
        for i in ([] if condensed else m.items):
            if i.value is None:
                lines.append(f"- {i.name}：未报送")
                continue
            parts = [_qty(m, i.value)]
            if i.mom is not None:
                parts.append(_change_words(m, i.mom, _against(figures)))
            if i.yoy is not None:
                parts.append(_change_words(m, i.yoy, "去年同期"))
            if i.target is not None:
                parts.append(f"目标{_qty(m, i.target)}")
            if i.completion is not None:
                parts.append(f"完成率{fmt_pct(i.completion)}")
            if i.share is not None:
                parts.append(f"占{fmt_pct(i.share)}")
            lines.append(f"- {i.name}：" + "，".join(parts))
        if m.best is not None:
            lines.append(f"最好：{m.best.name}；最差：{m.worst.name}")
        for label, items in (("未完成目标", m.below_target), ("较上期变差", m.declined)):
            if items:
                lines.append(f"{label}（{len(items)}个）：" + "、".join(i.name for i in items))
    if condensed:
        for basis, against in (("mom", figures.previous_label), ("yoy", "去年同期")):
            better, worse, same = figures.movement(basis)
            if better or worse or same:
                lines.append(f"与{against}相比的指标数：向好{better}项，变差{worse}项，持平{same}项")
        best, worst = figures.unit_ranks()
        if best is not None:
            lines.append(f"在各{figures.noun}中排名第一的指标最多：{best[0]}（{best[1]}项）")
        if worst is not None:
            lines.append(f"在各{figures.noun}中排名最后的指标最多：{worst[0]}（{worst[1]}项）")
    if length == BRIEF:
        lines.append(f"篇幅：一页，正文不超过{BRIEF_MAX_CHARS}字；只写变化最大的几项指标和表现最好、最差的单位，不逐项罗列。")
    lines.append("除上述数字和期间外，不得出现任何其他数字。")
    return "\n".join(lines)


_HEADING_RE = re.compile(r"^\s*(?:#+\s*)?(?:[【\[]\s*)?(?:[一二三四五六七八九十]+\s*[、.．]\s*|\d+\s*[、.．]\s*)?"
                         r"(标题|总体情况|主要成效|存在问题|下步打算|下一步打算)\s*(?:[】\]])?\s*[:：]?\s*(.*)$")


def parse_model_text(text: str, headings: list[str] | None = None) -> tuple[str, list[tuple[str, list[str]]]] | None:
    """(title, sections) from a model's answer, or None when one of ``headings`` (every section
    heading by default) is missing; sections not asked for are dropped."""
    title = ""
    current: str | None = None
    found: dict[str, list[str]] = {}
    for raw in (text or "").splitlines():
        line = raw.strip().strip("*").strip()
        if not line:
            continue
        match = _HEADING_RE.match(line)
        if match:
            name = "下步打算" if match.group(1) == "下一步打算" else match.group(1)
            rest = match.group(2).strip()
            if name == "标题":
                title = rest or title
                current = "标题"
                continue
            current = name
            found.setdefault(name, [])
            if rest:
                found[name].append(_LIST_MARKER.sub("", rest).strip())
            continue
        if current is None or current == "标题":
            if not title:
                title = line.strip("#").strip()
            continue
        found[current].append(_LIST_MARKER.sub("", line).strip())
    sections = [(h, [p for p in found.get(h, []) if p]) for h in (headings or SECTION_HEADINGS)]
    if not title or any(not paragraphs for _, paragraphs in sections):
        return None
    return title, sections


def _llm():
    try:
        from qingzhuang.assistant import llm
    except ImportError:
        return None
    return llm


def llm_available() -> bool:
    llm = _llm()
    if llm is None:
        return False
    try:
        return bool(llm.chat_configured())
    except Exception:  # a broken configuration is "not configured"
        logger.exception("chat_configured failed")
        return False


def make_summary(figures: Figures, *, use_llm: bool = True, length: str = BRIEF) -> Summary:
    """The summary of ``figures`` (a one-page ``BRIEF`` or the ``FULL`` text): the model's text if
    configured and every number checks out (and a brief fits on a page), else the template's, with
    a notice saying why. Nothing to summarise is one sentence, never sent to the model."""
    length = FULL if length == FULL else BRIEF
    fallback = template_summary(figures, length=length)
    if fallback.empty:
        return fallback
    allowed = figures.allowed_numbers()
    bad = unknown_numbers(fallback.text(), allowed)
    if bad:  # a bug of the template: never show an unchecked number silently
        logger.error("template summary has unknown numbers: %s", bad)
        fallback.notices.append(f"模板文字中有数字未能与表格核对（{'、'.join(bad)}），请人工核对")
    if not use_llm or not llm_available():
        return fallback
    llm = _llm()
    headings = [h for h, _ in fallback.sections]
    try:
        messages = llm.build_summary_messages(facts_text(figures, length=length), [OUTLINE[0], *headings])
        answer = llm.chat(messages, temperature=0.1, max_tokens=2048)
    except Exception as exc:
        message = getattr(exc, "message", "") or "调用失败"
        logger.warning("summary llm failed: %s", exc)
        fallback.notices.append(f"大模型暂时不可用（{message}），已改用模板生成")
        return fallback
    parsed = parse_model_text(answer, headings)
    if parsed is None:
        fallback.notices.append("大模型生成的文字缺少必要的部分，已改用模板生成")
        return fallback
    title, sections = parsed
    text = "\n".join([title, *(p for _, paragraphs in sections for p in paragraphs)])
    bad = unknown_numbers(text, allowed)
    if bad:
        fallback.notices.append(f"大模型生成的文字中有数字与表格不符（{'、'.join(bad[:10])}），已改用模板生成")
        return fallback
    summary = Summary(title=title, sections=sections, figures=figures, notices=list(figures.notices),
                      source_label=figures.label, generated_by="llm", length=length)
    if length == BRIEF and summary.body_chars() > BRIEF_MAX_CHARS:
        fallback.notices.append(f"大模型生成的文字超过一页（{summary.body_chars()}字），已改用模板生成")
        return fallback
    return summary


# ---------------------------------------------------------------------------------------------
# Word


TITLE_FONT = "黑体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"


def _font(run, name: str, size_pt: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


ANNEX_HEADING = "附表：数据明细"


def _annex_table(document, data: FigureTable) -> None:
    """Every row of ``data`` as a Word table whose header row repeats on each page. Rows are copies
    of a formatted template row (python-docx's ``add_row`` slows down with each row it adds)."""
    from copy import deepcopy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=3, cols=len(data.headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, data.headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), TABLE_FONT, 10.5, bold=True)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    templates = []
    for row, bold in ((table.rows[1], False), (table.rows[2], True)):
        for cell in row.cells:
            cell.text = ""
            _font(cell.paragraphs[0].add_run("-"), TABLE_FONT, 10.5, bold=bold)
        templates.append(row._tr)
    plain, bold = templates
    tbl = table._tbl
    tbl.remove(plain)
    tbl.remove(bold)
    totals = set(data.total_rows)
    for index, row in enumerate(data.rows):
        tr = deepcopy(bold if index in totals else plain)
        for t, text in zip(tr.iter(qn("w:t")), row, strict=True):
            t.text = str(text)
            t.set(qn("xml:space"), "preserve")
        tbl.append(tr)


def summary_to_docx(summary: Summary) -> bytes:
    """The summary as a Word document: centred bold title, numbered headings, indented body
    paragraphs (or the one sentence saying there is nothing to summarise) and, on a page of its
    own, the annex: every row of the table of figures."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)

    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(summary.title), TITLE_FONT, 22, bold=True)
    if summary.source_label:
        source = document.add_paragraph()
        source.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(source.add_run(f"（数据来源：{summary.source_label}）"), BODY_FONT, 12)

    def body(text: str) -> None:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        paragraph.paragraph_format.line_spacing = Pt(28)
        _font(paragraph.add_run(text), BODY_FONT, 16)

    if summary.message:
        body(summary.message)
    for index, (heading, paragraphs) in enumerate(summary.sections):
        head = document.add_paragraph()
        _font(head.add_run(heading_label(index, heading)), HEADING_FONT, 16, bold=True)
        for text in paragraphs:
            body(text)

    if summary.table and summary.table.rows and not summary.message:
        head = document.add_paragraph()
        head.paragraph_format.page_break_before = True
        _font(head.add_run(ANNEX_HEADING), HEADING_FONT, 16, bold=True)
        _annex_table(document, summary.table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def parse_decimal(text: str) -> Decimal | None:
    """A cell's number: "1,234.5" → 1234.5, "12%" → 12; None when blank; ValueError when not a number."""
    text = unicodedata.normalize("NFKC", text or "").strip().replace(",", "").replace(" ", "")
    if text in ("", "-", "—", "/"):
        return None
    if text.endswith("%"):
        text = text[:-1]
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number
