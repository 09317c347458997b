"""Reads of schemes: the engine's rules of a scheme, and each indicator's method in plain Chinese."""

from __future__ import annotations

from decimal import Decimal

from qingzhuang.assessment import engine, schemefile
from qingzhuang.assessment.models import Aggregate, Method, Missing, Scheme, SchemeIndicator


def _numbers(params: dict) -> dict:
    return {name: value if name in schemefile.TEXT_PARAMS else Decimal(str(value))
            for name, value in (params or {}).items()}


def rules_of(scheme: Scheme) -> engine.Rules:
    """The engine's rules of a stored scheme (越低越好 indicators score the other way)."""
    rows = scheme.indicators.select_related("indicator").order_by("position", "pk")
    return engine.Rules(
        year=scheme.year,
        indicators=tuple(
            engine.IndicatorRule(code=row.indicator.code, weight=row.weight, aggregate=row.aggregate,
                                 method=row.method, params=_numbers(row.params), missing=row.missing,
                                 higher_is_better=row.indicator.direction != "lower")
            for row in rows
        ),
        daily_weight=scheme.daily_weight,
        exam_weight=scheme.exam_weight,
        exam_criteria={name: Decimal(str(value)) for name, value in scheme.exam_criteria.items()},
        exam_grades={name: Decimal(str(value)) for name, value in scheme.exam_grades.items()},
        grades=tuple((grade["name"], Decimal(str(grade["min"]))) for grade in scheme.grades),
        item_caps={(item.kind, item.name): item.max_points for item in scheme.items.all()},
    )


def _n(params: dict, name: str, default: str) -> str:
    value = (params or {}).get(name)
    return schemefile._decimal_text(Decimal(str(value))) if value not in (None, "") else default


def describe(row: SchemeIndicator) -> str:
    """How an indicator row is scored, in one Chinese sentence with its parameters."""
    p = row.params or {}
    lower = row.indicator.direction == "lower"
    better = "越低越好" if lower else "越高越好"
    method = row.method
    if method == Method.TARGET:
        side = "不高于" if lower else "达到"
        text = f"{side}目标值 {_n(p, 'target', '')} 得 100 分，否则 0 分"
    elif method == Method.RATIO:
        ratio = f"目标值 {_n(p, 'target', '')} ÷ 实际值" if lower else f"实际值 ÷ 目标值 {_n(p, 'target', '')}"
        text = f"得分 = 100 × min({ratio}, {_n(p, 'cap', '1')})"
    elif method == Method.BASELINE:
        text = (f"达到基准值 {_n(p, 'target', '')} 得 {_n(p, 'reach', '80')} 分，每{'低' if lower else '高'}"
                f" {_n(p, 'per', '1')} 加 {_n(p, 'step', '')} 分（反向扣分），在 0 到 {_n(p, 'cap', '100')} 分之间")
    elif method == Method.RANK:
        text = f"按{better}排名，第 1 名 {_n(p, 'top', '100')} 分，每后一名减 {_n(p, 'step', '5')} 分，并列取较好名次"
    elif method == Method.EFFICACY:
        text = (f"得分 = 60 + 40 ×（实际值 − 不允许值 {_n(p, 'bad', '')}）÷（满意值 {_n(p, 'good', '')} − 不允许值），"
                "在 0 到 100 分之间")
    elif method == Method.MINMAX:
        text = "得分 = 100 ×（实际值 − 最差值）÷（最好值 − 最差值），各单位相同时均得 100 分"
    elif method == Method.ZSCORE:
        text = (f"得分 = {_n(p, 'center', '80')} + {_n(p, 'spread', '10')} × 标准分 z"
                f"{'（越低越好，z 取反）' if lower else ''}，在 0 到 100 分之间")
    elif method == Method.FORMULA:
        text = f"按公式计算：{p.get('expr', '')}"
    else:
        text = method
    return f"{Method(method).label if method in Method.values else method}：{text}"


def labels() -> dict:
    return {"aggregate": dict(Aggregate.choices), "method": dict(Method.choices), "missing": dict(Missing.choices)}
