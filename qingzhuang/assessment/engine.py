"""The scoring engine of 无感考核: rules and inputs in, explained scores out (pure, no database).

:func:`score` takes a scheme's :class:`Rules` and every assessed unit's :class:`UnitInputs` (the
indicator values by month, the spot checks, bonus, deductions, vetoes) and returns a
:class:`UnitScore` per unit, each indicator line explaining itself in Chinese.

How a line is scored (docs of the issue, "Schemes as files"):

* **aggregate** over the months of the scheme year: ``sum``, ``mean``, ``last`` (the latest month
  with a value) or ``yoy`` = (sum of the year ÷ sum of the year before − 1)·100, missing when either
  year has no value or the previous sum is 0;
* **method** gives s in 0–100 from x: ``target``, ``ratio``, ``baseline``, ``rank``, ``efficacy``,
  ``minmax``, ``zscore``, ``formula`` (see :data:`PARAMS` for each one's parameters and defaults).
  ``higher_is_better`` = False flips the direction; ``efficacy`` takes its direction from ``good``
  and ``bad`` and ``formula`` from its expression. ``rank``, ``minmax`` and ``zscore`` compare the
  units that have a value (a value carried over by ``missing=last`` counts; missing ones do not).
  ``ratio`` for 越低越好 scores target ÷ x, and an x of 0 or below counts as the cap.
  A ``formula`` ignores the line's own x: it reads the aggregated values (same aggregate) of the
  codes it names; its result is clamped to 0–100; a named code without a value makes the line
  missing; an evaluation error (a division by 0) scores 0 and is flagged;
* **missing** (no value in the scheme year): ``zero`` scores 0; ``reweight`` gives the line's
  weight to the unit's lines that have a value, in proportion to their weights; ``last`` uses the
  same aggregate over the latest earlier year with a value (0 when there is none).

平时 = Σ effective weight·s/100; 期末 = mean over the spot checks of Σ criterion weight·grade
value/100 (no spot check: 期末 is None and 平时 counts at the weight of both parts); bonus and
deductions are summed per item and capped at the item's cap; total = Σ part weight·part/100 +
bonus − deductions. 平时, 期末 and the total are rounded to 2 places (halves up) from unrounded
values. Rank by total, ties sharing the better rank (1, 2, 2, 4); the grade is the highest band
whose min the total reaches; a veto sets the lowest band.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from qingzhuang.lib.formula import Expression, FormulaError, parse
from qingzhuang.lib.gcpause import no_cycle_collection
from qingzhuang.lib.numbers import round_half_up

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_PLACES4 = Decimal("0.0001")
_DECIMAL_ONLY = {Decimal}

AGGREGATES = {"sum": "全年合计", "mean": "月均值", "last": "最新月份值", "yoy": "同比增长（%）"}
METHODS = {"target": "达标法", "ratio": "比例法", "baseline": "基准加减分法", "rank": "排名法",
           "efficacy": "功效系数法", "minmax": "极差标准化法", "zscore": "标准分法", "formula": "公式法"}
MISSING = {"zero": "缺报计0分", "reweight": "权重分摊到其他指标", "last": "沿用上一年度数据"}

# Per method: parameter → default (None: required). ``expr`` is text, every other one a number.
PARAMS: dict[str, dict[str, Decimal | None]] = {
    "target": {"target": None},
    "ratio": {"target": None, "cap": Decimal(1)},
    "baseline": {"target": None, "reach": Decimal(80), "step": None, "per": Decimal(1), "cap": _HUNDRED},
    "rank": {"top": _HUNDRED, "step": Decimal(5)},
    "efficacy": {"bad": None, "good": None},
    "minmax": {},
    "zscore": {"center": Decimal(80), "spread": Decimal(10)},
    "formula": {"expr": None},
}
# Methods that compare a unit with the other units of the run.
RELATIVE = frozenset({"rank", "minmax", "zscore"})

NO_EXAM_FLAG = "未开展期末考试，期末权重并入平时成绩"


def _default_exam_criteria() -> dict[str, Decimal]:
    return {"开拓创新度": Decimal(30), "部门协同度": Decimal(30), "群众满意度": Decimal(40)}


def _default_exam_grades() -> dict[str, Decimal]:
    return {"好": Decimal(100), "较好": Decimal(80), "一般": Decimal(60), "较差": Decimal(40), "很差": Decimal(20)}


DEFAULT_GRADES: tuple[tuple[str, Decimal], ...] = (
    ("优秀", Decimal(90)), ("良好", Decimal(80)), ("一般", Decimal(60)), ("较差", Decimal(0)))


@dataclass(frozen=True)
class IndicatorRule:
    """One indicator of the 平时 part."""

    code: str
    weight: Decimal
    aggregate: str  # sum | mean | last | yoy
    method: str  # target | ratio | baseline | rank | efficacy | minmax | zscore | formula
    params: Mapping[str, Any]  # numbers as Decimal (str and int accepted), "expr" text for formula
    missing: str = "zero"  # zero | reweight | last
    higher_is_better: bool = True


@dataclass(frozen=True)
class Rules:
    """A scheme as the engine sees it."""

    year: int
    indicators: tuple[IndicatorRule, ...]
    daily_weight: Decimal = Decimal(90)
    exam_weight: Decimal = Decimal(10)
    exam_criteria: Mapping[str, Decimal] = field(default_factory=_default_exam_criteria)
    exam_grades: Mapping[str, Decimal] = field(default_factory=_default_exam_grades)
    grades: tuple[tuple[str, Decimal], ...] = DEFAULT_GRADES  # (name, min)
    item_caps: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)  # (bonus|deduction, name) → cap


@dataclass(frozen=True)
class UnitInputs:
    """What one unit is scored from."""

    values: Mapping[str, Mapping[str, Decimal]]  # code → {"YYYY-MM": value}, any years
    exams: Sequence[Mapping[str, str]] = ()  # each spot check: {criterion: grade name}
    bonus: Sequence[tuple[str, Decimal]] = ()  # (item name, points)
    deductions: Sequence[tuple[str, Decimal]] = ()
    vetoes: Sequence[str] = ()  # reasons


@dataclass
class LineScore:
    """One indicator of one unit."""

    code: str
    weight: Decimal
    effective_weight: Decimal  # after reweighting
    aggregate: str
    method: str
    params: dict
    value: Decimal | None  # the aggregated x used (None when missing and scored zero or reweighted)
    months: int  # months of the scheme year with a value
    score: Decimal | None  # s in 0..100, unrounded (None when reweighted away)
    points: Decimal  # effective_weight·s/100, unrounded
    missing: str  # "" | "zero" | "reweight" | "last"
    used_year: int | None  # the year whose data was used
    explanation: str


@dataclass
class UnitScore:
    """One unit's result; daily, exam, bonus, deductions and total rounded to 2 places."""

    daily: Decimal
    exam: Decimal | None
    bonus: Decimal
    deductions: Decimal
    total: Decimal
    rank: int
    grade: str
    veto: list[str]
    flags: list[str]
    lines: list[LineScore]
    exam_scores: list[Decimal]
    exam_weight_used: Decimal
    daily_weight_used: Decimal


class EngineError(ValueError):
    """Rules or inputs the engine cannot score; the message is Chinese."""


# --- numbers --------------------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    """``value`` as a finite Decimal (from Decimal, int, str or float), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str | float):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            return None
    else:
        return None
    return result if result.is_finite() else None


def _dec(value: Any) -> Decimal:
    if type(value) is Decimal:
        return value
    number = _number(value)
    if number is None:
        raise EngineError(f"无法识别的数值“{value}”")
    return number


def _fmt(value: Decimal | None) -> str:
    """A number for an explanation: at most 4 places, no trailing zeros, no exponent."""
    if value is None:
        return "—"
    text = str(value)
    dot = text.find(".")
    if "E" in text or (dot >= 0 and len(text) - dot > 5):
        try:
            text = format(value.quantize(_PLACES4, ROUND_HALF_UP), "f")
        except InvalidOperation:
            return text
        dot = text.find(".")
    if dot >= 0:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return low if value < low else high if value > high else value


# --- validation -----------------------------------------------------------------------------------


def _normalise(rule: IndicatorRule) -> tuple[dict[str, Any], list[str]]:
    """The rule's parameters with defaults filled in, and what is wrong with them."""
    errors: list[str] = []
    spec = PARAMS.get(rule.method)
    if spec is None:
        return {}, errors
    label = METHODS[rule.method]
    params: dict[str, Any] = {}
    given = rule.params if isinstance(rule.params, Mapping) else None
    if given is None:
        return {}, ["参数必须是“名称: 数值”的形式"]
    for name in given:
        if name not in spec:
            allowed = "、".join(spec) if spec else "无"
            errors.append(f"{label}不支持参数 {name}（可用参数：{allowed}）")
    for name, default in spec.items():
        raw = given.get(name)
        if raw is None or raw == "":
            if default is None:
                errors.append(f"{label}缺少参数 {name}")
            params[name] = default
            continue
        if name == "expr":
            if not isinstance(raw, str):
                errors.append("参数 expr 必须是文字公式")
            params[name] = raw
            continue
        value = _number(raw)
        if value is None:
            errors.append(f"参数 {name} 必须是数字")
        params[name] = value
    return params, errors


def _check_params(method: str, p: dict[str, Any], known: Collection[str] | None) -> list[str]:
    errors = []

    def has(*names):
        return all(p.get(n) is not None for n in names)

    if method == "ratio" and has("target", "cap"):
        if p["target"] == 0:
            errors.append("比例法的 target 不能为 0")
        if not 0 < p["cap"] <= 1:
            errors.append("比例法的 cap 必须大于 0 且不超过 1")
    elif method == "baseline" and has("reach", "per", "cap"):
        if not 0 <= p["reach"] <= 100:
            errors.append("基准加减分法的 reach 必须在 0 到 100 之间")
        if p["per"] <= 0:
            errors.append("基准加减分法的 per 必须大于 0")
        if not 0 < p["cap"] <= 100:
            errors.append("基准加减分法的 cap 必须大于 0 且不超过 100")
    elif method == "rank" and has("top", "step"):
        if not 0 < p["top"] <= 100:
            errors.append("排名法的 top 必须大于 0 且不超过 100")
        if p["step"] < 0:
            errors.append("排名法的 step 不能为负数")
    elif method == "efficacy" and has("bad", "good"):
        if p["good"] == p["bad"]:
            errors.append("功效系数法的 good 与 bad 不能相等")
    elif method == "zscore" and has("center", "spread"):
        if not 0 <= p["center"] <= 100:
            errors.append("标准分法的 center 必须在 0 到 100 之间")
        if p["spread"] <= 0:
            errors.append("标准分法的 spread 必须大于 0")
    elif method == "formula" and isinstance(p.get("expr"), str):
        try:
            parse(p["expr"], known)
        except FormulaError as error:
            errors.append(f"公式第{error.position}个字符：{error.message}")
    return errors


def validate_rule(rule: IndicatorRule, known_codes: Collection[str] | None = None) -> list[str]:
    """What is wrong with ``rule`` (Chinese messages; empty when it can be scored).

    With ``known_codes`` the rule's code and the codes of a formula must be among them.
    """
    errors = []
    if known_codes is not None and rule.code not in known_codes:
        errors.append(f"未知的指标代码 {rule.code}")
    weight = _number(rule.weight)
    if weight is None:
        errors.append("权重必须是数字")
    elif weight <= 0:
        errors.append("权重必须大于 0")
    if rule.aggregate not in AGGREGATES:
        errors.append(f"未知的汇总方式 {rule.aggregate}（可选：{'、'.join(AGGREGATES)}）")
    if rule.missing not in MISSING:
        errors.append(f"未知的缺报处理方式 {rule.missing}（可选：{'、'.join(MISSING)}）")
    if rule.method not in METHODS:
        errors.append(f"未知的计分方法 {rule.method}（可选：{'、'.join(METHODS)}）")
        return errors
    params, problems = _normalise(rule)
    errors += problems
    errors += _check_params(rule.method, params, known_codes)
    return errors


def _check_rules(rules: Rules) -> None:
    errors = []
    seen = set()
    for rule in rules.indicators:
        if rule.code in seen:
            errors.append(f"指标 {rule.code} 重复")
        seen.add(rule.code)
        errors += [f"指标 {rule.code}：{message}" for message in validate_rule(rule)]
    if not errors:
        total = sum((_dec(r.weight) for r in rules.indicators), _ZERO)
        if total != _HUNDRED:
            errors.append(f"平时成绩各指标权重合计应为 100，现为 {format(total.normalize(), 'f')}")
    if _dec(rules.daily_weight) + _dec(rules.exam_weight) != _HUNDRED:
        errors.append(f"平时、期末权重合计应为 100，现为 {_fmt(_dec(rules.daily_weight) + _dec(rules.exam_weight))}")
    if _dec(rules.exam_weight) and sum((_dec(w) for w in rules.exam_criteria.values()), _ZERO) != _HUNDRED:
        errors.append("期末考试各评价维度权重合计应为 100")
    if not rules.grades:
        errors.append("没有设置等次")
    if errors:
        raise EngineError("；".join(errors))


# --- aggregation ----------------------------------------------------------------------------------


_PREFIXES: dict[int, tuple[str, str]] = {}


def _prefixes(year: int) -> tuple[str, str]:
    _PREFIXES[year] = found = (f"{year:04d}", f"{year + 1:04d}")
    return found


def _year_values(series: Mapping[str, Any], year: int) -> tuple[list[str], list[Decimal]]:
    """The months of ``year`` in ``series`` that have a value, and their values."""
    if not series:
        return [], []
    prefix, following = _PREFIXES.get(year) or _prefixes(year)
    first, last = min(series), max(series)
    if first >= prefix and last < following:  # the usual case: only months of the year
        keys, values = list(series), list(series.values())
    elif last < prefix or first >= following:
        return [], []
    else:
        ordered = sorted(series)
        low = bisect_left(ordered, prefix)
        keys = ordered[low:bisect_left(ordered, following, low)]
        values = list(map(series.__getitem__, keys))
    if set(map(type, values)) == _DECIMAL_ONLY:  # no None, nothing to convert (``in`` would be slow)
        return keys, values
    keys = [k for k, v in zip(keys, values, strict=True) if v is not None]
    return keys, [_dec(v) for v in values if v is not None]


def _aggregate(series: Mapping[str, Any], year: int, how: str) -> tuple[Decimal | None, list[str]]:
    """The aggregated value of ``series`` for ``year`` (None when missing) and the months it has."""
    keys, values = _year_values(series, year)
    if not values:
        return None, keys
    if how == "sum":
        return sum(values, _ZERO), keys
    if how == "mean":
        return sum(values, _ZERO) / len(values), keys
    if how == "last":
        return values[keys.index(max(keys))], keys
    previous = _year_values(series, year - 1)[1]
    if not previous:
        return None, keys
    base = sum(previous, _ZERO)
    if not base:
        return None, keys
    return (sum(values, _ZERO) / base - 1) * _HUNDRED, keys


def _earlier_years(series_list: list[Mapping[str, Any]], year: int) -> list[int]:
    years: set[int] = set()
    for series in series_list:
        for key in series:
            head = key[:4]
            if head.isdigit() and int(head) < year:
                years.add(int(head))
    return sorted(years, reverse=True)


# --- scoring --------------------------------------------------------------------------------------


class _Prepared:
    """A rule with its parameters resolved and its formula parsed, and its lines in the making."""

    def __init__(self, rule: IndicatorRule, year: int):
        self.rule = rule
        self.code = rule.code
        self.weight = _dec(rule.weight)
        self.params, _ = _normalise(rule)
        self.shown = {name: _fmt(value) for name, value in self.params.items() if isinstance(value, Decimal)}
        self.expr: Expression | None = parse(self.params["expr"]) if rule.method == "formula" else None
        self.higher = rule.higher_is_better
        self.year = year
        self.expected: set[str] = set()  # months any unit reported in the scheme year

    def raw(self, inputs: UnitInputs, year: int) -> tuple[Decimal | None, list[str], dict | None, str]:
        """(x, months of ``year``, the formula's code values, a formula error) for ``year``."""
        values = inputs.values
        how = self.rule.aggregate
        if self.expr is None:
            x, keys = _aggregate(values.get(self.code) or {}, year, how)
            return x, keys, None, ""
        refs = {}
        months: list[str] | None = None
        for code in sorted(self.expr.codes):
            x, keys = _aggregate(values.get(code) or {}, year, how)
            if months is None or len(keys) < len(months):
                months = keys
            if x is None:
                return None, months or [], None, ""
            refs[code] = x
        try:
            return self.expr.evaluate(refs), months or [], refs, ""
        except FormulaError as error:
            return None, months or [], refs, str(error)

    def series_for_history(self, inputs: UnitInputs) -> list[Mapping[str, Any]]:
        codes = sorted(self.expr.codes) if self.expr is not None else [self.code]
        return [inputs.values.get(c) or {} for c in codes]


@dataclass(slots=True)
class _Cell:
    """An indicator of a unit between the passes: the value found and how."""

    x: Decimal | None
    months: list[str]
    refs: dict | None
    error: str
    missing: str
    used_year: int | None


def _collect(prep: _Prepared, inputs: UnitInputs, year: int) -> _Cell:
    x, keys, refs, error = prep.raw(inputs, year)
    if keys:
        prep.expected.update(keys)
    if x is not None or error:
        return _Cell(x, keys, refs, error, "", year)
    policy = prep.rule.missing
    if policy == "last":
        for earlier in _earlier_years(prep.series_for_history(inputs), year):
            x, _, refs, error = prep.raw(inputs, earlier)
            if x is not None or error:
                return _Cell(x, keys, refs, error, "last", earlier)
        return _Cell(None, keys, None, "", "zero", None)
    return _Cell(None, keys, None, "", policy, None)


class _Population:
    """The values of one indicator over the units that have one, for rank, minmax and zscore."""

    def __init__(self, values: list[Decimal], higher: bool):
        ordered = sorted(values, reverse=higher)
        self.count = len(ordered)
        self.ranks: dict[Decimal, int] = {}
        for index, value in enumerate(ordered):
            if value not in self.ranks:
                self.ranks[value] = index + 1
        if ordered:
            self.best, self.worst = ordered[0], ordered[-1]
            ascending = ordered if not higher else ordered[::-1]
            self.mean = sum(ascending, _ZERO) / self.count
            variance = sum(((v - self.mean) ** 2 for v in ascending), _ZERO) / self.count
            self.std = variance.sqrt()
            self.shown_best, self.shown_worst = _fmt(self.best), _fmt(self.worst)
            self.shown_mean, self.shown_std = _fmt(self.mean), _fmt(self.std)


def _score_value(prep: _Prepared, cell: _Cell, population: _Population | None) -> tuple[Decimal, str]:
    """s and the explanation, for a unit with x (numbers of the rule and the run formatted once)."""
    p, f = prep.params, prep.shown
    x = cell.x
    fx = _fmt(x)
    higher = prep.higher
    method = prep.rule.method
    if method == "target":
        sign = "≥" if higher else "≤"
        if x >= p["target"] if higher else x <= p["target"]:
            return _HUNDRED, f"{fx} {sign} 目标值 {f['target']}，得 100"
        return _ZERO, f"{fx} 未达到目标值 {f['target']}（需 {sign} {f['target']}），得 0"
    if method == "ratio":
        target, cap = p["target"], p["cap"]
        if higher:
            s = max(_HUNDRED * min(x / target, cap), _ZERO)
            return s, f"100×min({fx}÷{f['target']}, {f['cap']}) = {_fmt(s)}"
        if x <= 0:
            s = _HUNDRED * cap
            return s, f"越低越好，数值为 {fx}，按上限计 100×{f['cap']} = {_fmt(s)}"
        s = max(_HUNDRED * min(target / x, cap), _ZERO)
        return s, f"越低越好：100×min({f['target']}÷{fx}, {f['cap']}) = {_fmt(s)}"
    if method == "baseline":
        target = p["target"]
        diff = f"({fx} − {f['target']})" if higher else f"({f['target']} − {fx})"
        delta = x - target if higher else target - x
        s = _clamp(p["reach"] + p["step"] * delta / p["per"], _ZERO, p["cap"])
        return s, f"{f['reach']} + {f['step']}×{diff}÷{f['per']}，限 0～{f['cap']}，得 {_fmt(s)}"
    if method == "efficacy":
        bad = p["bad"]
        s = _clamp(60 + 40 * (x - bad) / (p["good"] - bad), _ZERO, _HUNDRED)
        return s, f"60 + 40×({fx} − {f['bad']})÷({f['good']} − {f['bad']})，限 0～100，得 {_fmt(s)}"
    if method == "rank":
        rank = population.ranks[x]
        s = max(_ZERO, p["top"] - p["step"] * (rank - 1))
        order = "从高到低" if higher else "从低到高"
        return s, (f"{fx} {order}排第 {rank} 名（共 {population.count} 个单位），"
                   f"{f['top']} − {f['step']}×({rank} − 1) = {_fmt(s)}")
    if method == "minmax":
        best, worst = population.best, population.worst
        if best == worst:
            return _HUNDRED, f"各单位数值相同（{fx}），得 100"
        s = _HUNDRED * (x - worst) / (best - worst)
        return s, (f"100×({fx} − 最差 {population.shown_worst})÷(最好 {population.shown_best} − 最差 "
                   f"{population.shown_worst}) = {_fmt(s)}")
    if method == "zscore":
        center, spread = p["center"], p["spread"]
        std = population.std
        if not std:
            return center, f"各单位数值相同（{fx}），z = 0，得 {f['center']}"
        z = (x - population.mean) / std
        flip = "" if higher else "越低越好，z 取反；"
        if not higher:
            z = -z
        s = _clamp(center + spread * z, _ZERO, _HUNDRED)
        return s, (f"z = ({fx} − 均值 {population.shown_mean})÷标准差 {population.shown_std}；{flip}"
                   f"{f['center']} + {f['spread']}×{_fmt(z)}，限 0～100，得 {_fmt(s)}")
    # formula
    s = _clamp(x, _ZERO, _HUNDRED)
    refs = "，".join(f"{code}={_fmt(value)}" for code, value in sorted(cell.refs.items()))
    clamped = f"，限 0～100，得 {_fmt(s)}" if s != x else ""
    return s, f"{prep.expr.text}（{refs}）= {fx}{clamped}"


def _missing_reason(method: str, aggregate: str, months: int) -> str:
    if method == "formula":
        return "公式所用指标本年度缺数据"
    if aggregate == "yoy" and months:
        return "上年无数据或上年合计为 0，无法计算同比"
    return "本年度无数据"


def _line(prep: _Prepared, cell: _Cell, population: _Population | None) -> LineScore:
    rule = prep.rule
    value, missing = cell.x, cell.missing
    if cell.error:
        s, explanation = _ZERO, f"公式无法计算（{cell.error}），计 0 分"
    elif value is None:
        reason = _missing_reason(rule.method, rule.aggregate, len(cell.months))
        if missing == "reweight":
            s, explanation = None, f"{reason}，权重分摊到本单位其他有数据的指标"
        else:
            s, missing = _ZERO, "zero"
            explanation = f"{reason}，往年也无数据，计 0 分" if rule.missing == "last" else f"{reason}，计 0 分"
    else:
        s, explanation = _score_value(prep, cell, population)
        if missing == "last":
            reason = _missing_reason(rule.method, rule.aggregate, len(cell.months))
            explanation = f"{reason}，沿用 {cell.used_year} 年数据；{explanation}"
    weight = prep.weight
    return LineScore(prep.code, weight, weight, rule.aggregate, rule.method, dict(prep.params), value,
                     len(cell.months), s, _ZERO if s is None else weight * s / _HUNDRED, missing,
                     cell.used_year, explanation)


def _reweight(lines: list[LineScore]) -> None:
    """Give the weight of reweighted-away lines to the lines with a value, in proportion."""
    away = sum((line.weight for line in lines if line.missing == "reweight"), _ZERO)
    if not away:
        return
    present = [line for line in lines if line.value is not None]
    share = sum((line.weight for line in present), _ZERO)
    if not share:  # nothing to give it to: the lines score 0
        for line in lines:
            if line.missing == "reweight":
                line.missing = "zero"
                line.score = _ZERO
                line.explanation = (f"{_missing_reason(line.method, line.aggregate, line.months)}，"
                                    "且本单位没有其他有数据的指标可分摊权重，计 0 分")
        return
    factor = (share + away) / share
    for line in present:
        line.effective_weight = line.weight * factor
        line.points = line.effective_weight * line.score / _HUNDRED
    for line in lines:
        if line.missing == "reweight":
            line.effective_weight = _ZERO


def _line_flags(line: LineScore, expected: set[str]) -> list[str]:
    code = line.code
    if line.missing:
        reason = _missing_reason(line.method, line.aggregate, line.months)
        if line.missing == "zero":
            return [f"{code} {reason}，计 0 分"]
        if line.missing == "reweight":
            return [f"{code} {reason}，权重 {_fmt(line.weight)} 分摊到其他指标"]
        return [f"{code} {reason}，沿用 {line.used_year} 年数据"]
    if line.value is None:  # a formula that could not be evaluated
        return [f"{code} 公式无法计算，计 0 分"]
    if line.method != "formula" and line.months < len(expected):
        return [f"{code} 本年度缺 {len(expected) - line.months} 个月的数据（其他单位已报）"]
    return []


def _capped(kind: str, items: Sequence[tuple[str, Any]], caps: Mapping[tuple[str, str], Any],
            flags: list[str]) -> Decimal:
    per_item: dict[str, Decimal] = {}
    for name, points in items:
        per_item[name] = per_item.get(name, _ZERO) + _dec(points)
    total = _ZERO
    label = "加分" if kind == "bonus" else "扣分"
    for name in sorted(per_item):
        points = per_item[name]
        cap = caps.get((kind, name))
        if cap is not None and points > _dec(cap):
            flags.append(f"{label}项“{name}”合计 {_fmt(points)} 分，超过上限 {_fmt(_dec(cap))} 分，按 {_fmt(_dec(cap))} 分计")
            points = _dec(cap)
        total += points
    return total


def _exam_scores(rules: Rules, key: Hashable, exams: Sequence[Mapping[str, str]]) -> list[Decimal]:
    scores = []
    criteria = rules.exam_criteria
    for number, exam in enumerate(exams, start=1):
        for criterion in exam:
            if criterion not in criteria:
                raise EngineError(f"单位 {key} 的第 {number} 次期末考试有未知的评价维度“{criterion}”")
        total = _ZERO
        for criterion, weight in criteria.items():
            grade = exam.get(criterion)
            if grade is None:
                raise EngineError(f"单位 {key} 的第 {number} 次期末考试缺少“{criterion}”的评价")
            if grade not in rules.exam_grades:
                raise EngineError(f"单位 {key} 的第 {number} 次期末考试有未知的等次“{grade}”")
            total += _dec(weight) * _dec(rules.exam_grades[grade])
        scores.append(total / _HUNDRED)
    return scores


def score(rules: Rules, units: Mapping[Hashable, UnitInputs]) -> dict[Hashable, UnitScore]:
    """Score every unit of ``units`` by ``rules``. Raises EngineError on rules or inputs it cannot use."""
    _check_rules(rules)
    # Scoring makes many small objects and no cycles: the cyclic collector would only walk the
    # inputs over and over. It is switched back on (if it was on) however scoring ends.
    with no_cycle_collection():
        return _score(rules, units)


def _score(rules: Rules, units: Mapping[Hashable, UnitInputs]) -> dict[Hashable, UnitScore]:
    year = rules.year
    keys = list(units)
    prepared = [_Prepared(rule, year) for rule in rules.indicators]

    # Pass 1: every unit's value of every indicator (with the missing policies that need data).
    cells = [[_collect(prep, units[key], year) for key in keys] for prep in prepared]

    # Pass 2: score each indicator; the relative methods over the units that have a value.
    lines_by_unit: list[list[LineScore]] = [[] for _ in keys]
    for prep, column in zip(prepared, cells, strict=True):
        population = None
        if prep.rule.method in RELATIVE:
            population = _Population([c.x for c in column if c.x is not None], prep.higher)
        for index, cell in enumerate(column):
            lines_by_unit[index].append(_line(prep, cell, population))

    # Pass 3: per unit, the parts and the total.
    daily_weight, exam_weight = _dec(rules.daily_weight), _dec(rules.exam_weight)
    grades = sorted(((name, _dec(low)) for name, low in rules.grades), key=lambda band: -band[1])
    lowest = grades[-1][0]
    results: dict[Hashable, UnitScore] = {}
    for index, key in enumerate(keys):
        inputs = units[key]
        lines = lines_by_unit[index]
        _reweight(lines)
        flags: list[str] = []
        for prep, line in zip(prepared, lines, strict=True):
            flags += _line_flags(line, prep.expected)
        daily_raw = sum((line.points for line in lines), _ZERO)
        exam_scores = _exam_scores(rules, key, inputs.exams)
        if exam_scores:
            exam_raw = sum(exam_scores, _ZERO) / len(exam_scores)
            daily_used, exam_used = daily_weight, exam_weight
            parts = daily_used * daily_raw / _HUNDRED + exam_used * exam_raw / _HUNDRED
            exam = round_half_up(exam_raw, 2)
        else:
            daily_used, exam_used = daily_weight + exam_weight, _ZERO
            parts = daily_used * daily_raw / _HUNDRED
            exam = None
            if exam_weight:
                flags.append(NO_EXAM_FLAG)
        bonus = _capped("bonus", inputs.bonus, rules.item_caps, flags)
        deductions = _capped("deduction", inputs.deductions, rules.item_caps, flags)
        total = round_half_up(parts + bonus - deductions, 2)
        veto = [str(reason) for reason in inputs.vetoes]
        if veto:
            grade = lowest
            flags += [f"一票否决：{reason}" for reason in veto]
        else:
            grade = next((name for name, low in grades if total >= low), lowest)
        results[key] = UnitScore(
            daily=round_half_up(daily_raw, 2), exam=exam, bonus=round_half_up(bonus, 2),
            deductions=round_half_up(deductions, 2), total=total, rank=0, grade=grade, veto=veto,
            flags=flags, lines=lines, exam_scores=exam_scores, exam_weight_used=exam_used,
            daily_weight_used=daily_used)

    # Rank by total, equal totals sharing the better rank.
    ordered = sorted(results.values(), key=lambda result: -result.total)
    previous, rank = None, 0
    for position, result in enumerate(ordered, start=1):
        if result.total != previous:
            rank, previous = position, result.total
        result.rank = rank
    return results
