"""A scheme as the engine's ``Rules``, with a what-if run's overrides applied, for the runs.

``rules_of`` (from ``schemes``) reads the scheme's rows; ``with_overrides`` replaces indicator weights and parameters
(a 模拟测算 never changes the scheme itself). ``snapshot`` is the scheme as a run read it, frozen in
``Run.inputs``.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from qingzhuang.assessment import engine, schemefile
from qingzhuang.assessment.models import Scheme
from qingzhuang.assessment.schemes import rules_of

__all__ = ["check_overrides", "rules_of", "snapshot", "with_overrides"]


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def check_overrides(overrides: dict | None, weights_now: dict[str, Decimal]) -> dict:
    """A what-if's overrides, checked against the scheme's weights (code → weight):
    ``{"weights": {code: w}, "params": {code: {...}}}``; the weights must still sum to 100."""
    codes = set(weights_now)
    overrides = overrides or {}
    if not isinstance(overrides, dict) or set(overrides) - {"weights", "params"}:
        raise ValidationError({"overrides": "模拟测算的调整只能包含权重（weights）和参数（params）"})
    weights = overrides.get("weights") or {}
    params = overrides.get("params") or {}
    if not isinstance(weights, dict) or not isinstance(params, dict):
        raise ValidationError({"overrides": "模拟测算的调整格式不正确"})
    clean: dict = {}
    for code, weight in weights.items():
        if code not in codes:
            raise ValidationError({"overrides": f"方案中没有指标 {code}"})
        try:
            value = _decimal(weight)
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError({"overrides": f"指标 {code} 的权重不是数字：{weight}"}) from None
        if not value.is_finite() or value < 0:
            raise ValidationError({"overrides": f"指标 {code} 的权重不能为负数"})
        clean.setdefault("weights", {})[code] = str(value)
    for code, values in params.items():
        if code not in codes:
            raise ValidationError({"overrides": f"方案中没有指标 {code}"})
        if not isinstance(values, dict):
            raise ValidationError({"overrides": f"指标 {code} 的参数格式不正确"})
        clean.setdefault("params", {})[code] = values
    if "weights" in clean:
        total = sum((_decimal(clean["weights"].get(code, w)) for code, w in weights_now.items()), Decimal(0))
        if total != 100:
            raise ValidationError({"overrides": f"调整后指标权重之和应为 100，现为 {format(total.normalize(), 'f')}"})
    return clean


def with_overrides(rules: engine.Rules, overrides: dict | None) -> engine.Rules:
    """``rules`` with a what-if's weights and parameters replaced (the scheme is not touched)."""
    if not overrides:
        return rules
    weights = overrides.get("weights") or {}
    params = overrides.get("params") or {}
    indicators = []
    for rule in rules.indicators:
        changes: dict = {}
        if rule.code in weights:
            changes["weight"] = _decimal(weights[rule.code])
        if rule.code in params:
            changes["params"] = {**dict(rule.params or {}), **params[rule.code]}
        indicators.append(dataclasses.replace(rule, **changes) if changes else rule)
    return dataclasses.replace(rules, indicators=tuple(indicators))


def _strings(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strings(v) for v in value]
    return value


def snapshot(scheme: Scheme) -> dict:
    """The scheme as a run read it: its file document (numbers as strings), frozen in ``Run.inputs``."""
    return _strings(schemefile.document_of(scheme))
