"""The 附加题: a unit's trend index over the last years of its main economic indicators (pure).

For every unit and indicator of the configuration: the annual sums of the ``years`` years ending
with the assessed one, their compound annual growth (CAGR)::

    g = (S_last / S_first) ** (1 / (years - 1)) - 1

standardised within the unit's peer group (the units with the same ``groups`` value, e.g. 乡镇 and
街道 apart): ``z = (g - mean) / sd`` with the population standard deviation (sd 0: z 0; a 越低越好
indicator flips z), and the trend index as the weighted mean of the z over the indicators the unit
has. A unit whose index is below the threshold goes on the coaching list (课后辅导) with a reason.
The index never changes a score: this module only returns it.

Rules, so that a reader can check every figure by hand:

- A year counts only when all its 12 months have a value: a year with a gap would look like a fall.
  An indicator with a missing year, a first-year sum of 0 or less, or a negative last-year sum
  has no growth (None) and takes no part in its group's mean and sd.
- z and the index are kept to 4 places (ROUND_HALF_UP) and the coaching test compares the rounded
  index, so what is shown is what decided: an index equal to the threshold is not coaching.
- The growth shown is the CAGR in % to 2 places; z is computed from the unrounded CAGR.
- Sums run over values sorted first, so the result does not depend on the order of units or months.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from qingzhuang.lib.numbers import round_half_up
from qingzhuang.lib.periods import months_of_year

K = TypeVar("K", bound=Hashable)

PLACES = 4  # z and index
NO_DATA_REASON = "近{years}年数据不全，未计算趋势指数"
_CHINESE_NUMBERS = "零一二三四五六七八九十"


def _years_words(years: int) -> str:
    return _CHINESE_NUMBERS[years] if 0 <= years <= 10 else str(years)


def _decimal(value: object, what: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{what}应为数字：{value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"{what}应为数字：{value!r}")
    return number


def _text(value: Decimal) -> str:
    """A Decimal as plain text (never in exponent form)."""
    return format(value, "f")


@dataclass(frozen=True)
class TrendConfig:
    """What the 附加题 looks at: indicator code → weight, the coaching threshold and the years."""

    indicators: Mapping[str, Decimal]
    threshold: Decimal = Decimal("-0.5")
    years: int = 3

    def __post_init__(self) -> None:
        if not self.indicators:
            raise ValueError("趋势指数至少需要一个指标")
        for code, weight in self.indicators.items():
            if not isinstance(weight, Decimal) or not weight.is_finite() or weight <= 0:
                raise ValueError(f"趋势指数指标 {code} 的权重应为大于 0 的数字")
        if not isinstance(self.threshold, Decimal) or not self.threshold.is_finite():
            raise ValueError("趋势指数的辅导线应为数字")
        if isinstance(self.years, bool) or not isinstance(self.years, int) or not 2 <= self.years <= 10:
            raise ValueError("趋势指数的年数应为 2 到 10 之间的整数")

    @classmethod
    def from_scheme(cls, data: dict) -> TrendConfig | None:
        """The configuration stored in ``Scheme.trend`` ({"indicators": {code: weight}, "threshold":
        "-0.5", "years": 3}); None when the scheme has no 附加题. Raises ValueError (Chinese) when
        the data is malformed."""
        if not data or not data.get("indicators"):
            return None
        indicators = data["indicators"]
        if not isinstance(indicators, Mapping):
            raise ValueError("趋势指数的指标应为“指标代码: 权重”")
        weights = {str(code): _decimal(weight, f"趋势指数指标 {code} 的权重") for code, weight in indicators.items()}
        kwargs: dict = {"indicators": weights}
        if data.get("threshold") is not None:
            kwargs["threshold"] = _decimal(data["threshold"], "趋势指数的辅导线")
        if data.get("years") is not None:
            years = data["years"]
            if isinstance(years, str) and years.strip().isdigit():
                years = int(years.strip())
            kwargs["years"] = years
        return cls(**kwargs)

    def to_scheme(self) -> dict:
        """The JSON form stored in ``Scheme.trend`` (weights and threshold as strings)."""
        return {"indicators": {code: _text(w) for code, w in self.indicators.items()},
                "threshold": _text(self.threshold), "years": self.years}


@dataclass
class TrendResult:
    """One unit's 附加题: its index (None without data), growth (CAGR in %, 2 places) and z per
    indicator, whether it goes to coaching and why (Chinese)."""

    index: Decimal | None
    growth: dict[str, Decimal | None] = field(default_factory=dict)
    z: dict[str, Decimal | None] = field(default_factory=dict)
    coaching: bool = False
    reason: str = ""


def _growth(monthly: Mapping[str, Decimal] | None, window: list[tuple[str, ...]]) -> Decimal | None:
    """The unrounded CAGR of the annual sums over ``window`` (the months of each year), or None."""
    if not monthly:
        return None
    sums = []
    for months in window:
        values = [monthly.get(month) for month in months]
        if any(value is None for value in values):
            return None
        sums.append(sum(sorted(Decimal(value) for value in values), Decimal(0)))
    first, last = sums[0], sums[-1]
    if first <= 0 or last < 0:
        return None
    ratio = last / first
    if ratio == 0:
        return Decimal(-1)
    return ratio ** (Decimal(1) / Decimal(len(window) - 1)) - 1


def _z_scores(growths: dict[K, Decimal]) -> dict[K, Decimal]:
    """z of each unit's growth among ``growths`` (population sd; sd 0 → 0), unrounded."""
    ordered = sorted(growths.values())
    n = Decimal(len(ordered))
    mean = sum(ordered, Decimal(0)) / n
    variance = sum(sorted((g - mean) ** 2 for g in ordered), Decimal(0)) / n
    sd = variance.sqrt()
    if sd == 0:
        return dict.fromkeys(growths, Decimal(0))
    return {unit: (g - mean) / sd for unit, g in growths.items()}


def _index_words(index: Decimal, threshold: Decimal) -> str:
    """The index to 2 places, or to 4 when 2 places would hide on which side of the threshold it is."""
    short = round_half_up(index, 2)
    if (short < threshold) != (index < threshold) or (short == threshold) != (index == threshold):
        return _text(index)
    return _text(short)


def trend(config: TrendConfig, year: int, values: Mapping[K, Mapping[str, Mapping[str, Decimal]]],
          groups: Mapping[K, str], higher_is_better: Mapping[str, bool], *,
          names: Mapping[str, str] | None = None) -> dict[K, TrendResult]:
    """The 附加题 of every unit of ``values`` (and of ``groups``) for the assessed ``year``.

    ``values``: unit → indicator code → {"YYYY-MM": value}; months outside the window are ignored.
    ``groups``: unit → peer group (units missing from it form one group). ``higher_is_better``:
    code → direction (missing: 越高越好). ``names``: code → indicator name for the reason (missing:
    the code).
    """
    names = names or {}
    window = [months_of_year(y) for y in range(year - config.years + 1, year + 1)]
    units = list(values) + [unit for unit in groups if unit not in values]
    raw: dict[K, dict[str, Decimal | None]] = {
        unit: {code: _growth(values.get(unit, {}).get(code), window) for code in config.indicators}
        for unit in units}

    z_raw: dict[K, dict[str, Decimal]] = {unit: {} for unit in units}
    for code in config.indicators:
        flip = not higher_is_better.get(code, True)
        by_group: dict[str | None, dict[K, Decimal]] = {}
        for unit in units:
            g = raw[unit][code]
            if g is not None:
                by_group.setdefault(groups.get(unit), {})[unit] = g
        for members in by_group.values():
            for unit, z in _z_scores(members).items():
                z_raw[unit][code] = -z if flip else z

    results: dict[K, TrendResult] = {}
    for unit in units:
        growth = {code: None if g is None else round_half_up(g * 100, 2) for code, g in raw[unit].items()}
        z = {code: (round_half_up(z_raw[unit][code], PLACES) if code in z_raw[unit] else None)
             for code in config.indicators}
        scored = [code for code in config.indicators if code in z_raw[unit]]
        if not scored:
            results[unit] = TrendResult(index=None, growth=growth, z=z, coaching=False,
                                        reason=NO_DATA_REASON.format(years=_years_words(config.years)))
            continue
        total_weight = sum((config.indicators[code] for code in scored), Decimal(0))
        weighted = sum(sorted(config.indicators[code] * z_raw[unit][code] for code in scored), Decimal(0))
        index = round_half_up(weighted / total_weight, PLACES)
        coaching = index < config.threshold
        words = _index_words(index, config.threshold)
        if coaching:
            # The weakest indicator: the lowest z (direction taken into account); ties by config order.
            weakest = min(scored, key=lambda code: z_raw[unit][code])
            label = "增长最慢" if higher_is_better.get(weakest, True) else "降幅最小"
            reason = (f"趋势指数 {words}，低于 {_text(config.threshold)}；{label}："
                      f"{names.get(weakest, weakest)}（年均 {_text(growth[weakest])}%）")
        else:
            reason = f"趋势指数 {words}，不低于 {_text(config.threshold)}"
        results[unit] = TrendResult(index=index, growth=growth, z=z, coaching=coaching, reason=reason)
    return results
