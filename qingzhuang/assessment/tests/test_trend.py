"""The 附加题 trend index (``assessment.trend``) against hand-computed examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingzhuang.assessment.trend import TrendConfig, TrendResult, trend

D = Decimal
YEAR = 2025
NAMES = {"REV": "一般公共预算收入", "INV": "固定资产投资完成额", "ACC": "安全生产事故起数"}


def months(year: int, total, *, skip: int | None = None) -> dict[str, Decimal]:
    """A year of monthly values summing to ``total``: all of it in January, 0 after (``skip``: a gap)."""
    data = {f"{year}-{m:02d}": D(total) if m == 1 else D(0) for m in range(1, 13)}
    if skip is not None:
        del data[f"{year}-{skip:02d}"]
    return data


def series(first, middle, last, **kwargs) -> dict[str, Decimal]:
    """2023, 2024 and 2025 with the given annual sums."""
    return {**months(2023, first), **months(2024, middle), **months(2025, last, **kwargs)}


def config(**weights) -> TrendConfig:
    return TrendConfig(indicators={code: D(str(w)) for code, w in weights.items()})


def run(cfg, values, groups=None, higher=None):
    groups = groups if groups is not None else dict.fromkeys(values, "乡镇")
    return trend(cfg, YEAR, values, groups, higher or {}, names=NAMES)


# --- configuration ------------------------------------------------------------------------------


def test_from_scheme_reads_the_scheme_json():
    cfg = TrendConfig.from_scheme({"indicators": {"REV": "2", "INV": 1}, "threshold": "-0.8", "years": 4})
    assert cfg == TrendConfig(indicators={"REV": D("2"), "INV": D("1")}, threshold=D("-0.8"), years=4)
    assert cfg.to_scheme() == {"indicators": {"REV": "2", "INV": "1"}, "threshold": "-0.8", "years": 4}


def test_from_scheme_defaults_threshold_and_years():
    cfg = TrendConfig.from_scheme({"indicators": {"REV": "1"}})
    assert (cfg.threshold, cfg.years) == (D("-0.5"), 3)


@pytest.mark.parametrize("data", [{}, {"indicators": {}}, {"threshold": "-0.5", "years": 3}])
def test_from_scheme_without_indicators_is_none(data):
    assert TrendConfig.from_scheme(data) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"indicators": {"REV": "x"}}, "趋势指数指标 REV 的权重应为数字：'x'"),
    ({"indicators": {"REV": "0"}}, "趋势指数指标 REV 的权重应为大于 0 的数字"),
    ({"indicators": {"REV": "-1"}}, "趋势指数指标 REV 的权重应为大于 0 的数字"),
    ({"indicators": ["REV"]}, "趋势指数的指标应为“指标代码: 权重”"),
    ({"indicators": {"REV": "1"}, "threshold": "低"}, "趋势指数的辅导线应为数字：'低'"),
    ({"indicators": {"REV": "1"}, "years": 1}, "趋势指数的年数应为 2 到 10 之间的整数"),
    ({"indicators": {"REV": "1"}, "years": "三"}, "趋势指数的年数应为 2 到 10 之间的整数"),
])
def test_from_scheme_rejects_malformed_data(data, message):
    with pytest.raises(ValueError) as info:
        TrendConfig.from_scheme(data)
    assert str(info.value) == message


# --- growth -------------------------------------------------------------------------------------


def test_cagr_of_the_annual_sums_in_percent():
    # 100 → 121 over two years: √1.21 − 1 = 10%; 100 → 81: −10%; 200 → 0: −100%.
    values = {"A": {"REV": series(100, 5, 121)}, "B": {"REV": series(100, 500, 81)},
              "C": {"REV": series(200, 1, 0)}}
    result = run(config(REV=1), values)
    assert [result[u].growth["REV"] for u in "ABC"] == [D("10.00"), D("-10.00"), D("-100.00")]


def test_cagr_sums_every_month_of_the_year():
    monthly = {f"{y}-{m:02d}": D(v) for y, v in ((2023, 10), (2024, 11), (2025, 12)) for m in range(1, 13)}
    result = run(config(REV=1), {"A": {"REV": monthly}})
    # 120 → 144: √1.2 − 1 = 9.5445…%
    assert result["A"].growth["REV"] == D("9.54")


def test_years_configurable():
    cfg = TrendConfig(indicators={"REV": D(1)}, years=2)
    result = trend(cfg, YEAR, {"A": {"REV": {**months(2024, 80), **months(2025, 100)}}}, {"A": "乡镇"}, {})
    assert result["A"].growth["REV"] == D("25.00")


@pytest.mark.parametrize(("values", "why"), [
    ({"REV": series(100, 110, 121, skip=7)}, "a month of the last year missing"),
    ({"REV": {**months(2023, 100), **months(2025, 121)}}, "the middle year missing"),
    ({"REV": {**months(2024, 100), **months(2025, 121)}}, "the first year missing"),
    ({"REV": series(0, 110, 121)}, "first sum zero"),
    ({"REV": series(-5, 110, 121)}, "first sum negative"),
    ({"REV": series(100, 110, -1)}, "last sum negative"),
    ({}, "no values of the indicator"),
])
def test_no_growth_without_enough_data(values, why):
    result = run(config(REV=1), {"A": values, "B": {"REV": series(100, 100, 100)}})
    assert result["A"] == TrendResult(index=None, growth={"REV": None}, z={"REV": None}, coaching=False,
                                      reason="近三年数据不全，未计算趋势指数"), why
    # B is alone in the group then: sd 0, z 0.
    assert (result["B"].z, result["B"].index) == ({"REV": D("0.0000")}, D("0.0000"))


def test_months_outside_the_window_are_ignored():
    values = {"A": {"REV": {**series(100, 110, 121), **months(2022, 1), "2026-01": D(999)}}}
    assert run(config(REV=1), values)["A"].growth["REV"] == D("10.00")


# --- standardisation ----------------------------------------------------------------------------

THREE = {"A": {"REV": series(100, 110, 121)}, "B": {"REV": series(100, 100, 100)},
         "C": {"REV": series(100, 90, 81)}}


def test_z_within_the_group_with_population_sd():
    # Growths 0.1, 0, −0.1: mean 0, population sd √(0.02/3) = 0.0816497; z = ±1.2247449.
    result = run(config(REV=1), THREE)
    assert {u: result[u].z["REV"] for u in "ABC"} == {"A": D("1.2247"), "B": D("0.0000"), "C": D("-1.2247")}
    assert {u: result[u].index for u in "ABC"} == {"A": D("1.2247"), "B": D("0.0000"), "C": D("-1.2247")}
    assert [result[u].coaching for u in "ABC"] == [False, False, True]


def test_groups_are_standardised_apart():
    values = {**THREE, "S1": {"REV": series(100, 100, 144)}, "S2": {"REV": series(100, 100, 100)}}
    groups = {"A": "乡镇", "B": "乡镇", "C": "乡镇", "S1": "街道", "S2": "街道"}
    result = run(config(REV=1), values, groups)
    # The streets (20%, 0%) do not move the townships' z; among themselves they are ±1.
    assert result["A"].z["REV"] == D("1.2247")
    assert (result["S1"].z["REV"], result["S2"].z["REV"]) == (D("1.0000"), D("-1.0000"))
    assert result["S2"].coaching is True


def test_a_unit_alone_in_its_group_has_z_zero():
    groups = {"A": "乡镇", "B": "乡镇", "C": "街道"}
    result = run(config(REV=1), THREE, groups)
    assert result["C"].z["REV"] == D("0.0000")
    assert result["C"].coaching is False


def test_equal_growths_have_z_zero():
    values = {u: {"REV": series(100, 100, 121)} for u in "ABC"}
    result = run(config(REV=1), values)
    assert {result[u].index for u in "ABC"} == {D("0.0000")}


def test_lower_is_better_flips_z():
    values = {u: {"ACC": v["REV"]} for u, v in THREE.items()}
    result = run(config(ACC=1), values, higher={"ACC": False})
    assert {u: result[u].z["ACC"] for u in "ABC"} == {"A": D("-1.2247"), "B": D("0.0000"), "C": D("1.2247")}
    assert result["A"].coaching is True
    assert result["A"].reason == "趋势指数 -1.22，低于 -0.5；降幅最小：安全生产事故起数（年均 10.00%）"


def test_units_without_growth_take_no_part_in_the_group():
    values = {u: {**v, "INV": v["REV"]} for u, v in THREE.items()}
    values["A"]["INV"] = series(100, 110, 121, skip=12)
    result = run(config(REV=1, INV=1), values)
    # INV among B (0) and C (−0.1) only: mean −0.05, sd 0.05, z +1 and −1.
    assert result["A"].z == {"REV": D("1.2247"), "INV": None}
    assert (result["B"].z["INV"], result["C"].z["INV"]) == (D("1.0000"), D("-1.0000"))
    # A's index is over the indicators it has.
    assert result["A"].index == D("1.2247")
    assert result["C"].index == D("-1.1124")  # (−1.2247449 − 1) / 2


# --- weights, threshold, reason ----------------------------------------------------------------


def test_weighted_index():
    values = {u: {**v, "INV": THREE["CBA"["ABC".index(u)]]["REV"]} for u, v in THREE.items()}
    result = run(config(REV=3, INV=1), values)
    # A: (3·1.2247449 − 1.2247449) / 4 = 0.6123724; C the opposite.
    assert (result["A"].index, result["B"].index, result["C"].index) == (D("0.6124"), D("0.0000"), D("-0.6124"))
    assert result["C"].reason == "趋势指数 -0.61，低于 -0.5；增长最慢：一般公共预算收入（年均 -10.00%）"
    assert result["A"].reason == "趋势指数 0.61，不低于 -0.5"


def boundary_values():
    # Two units: z = ±1 exactly. A grows slower in REV and faster in INV.
    return {"A": {"REV": series(100, 100, 100), "INV": series(100, 100, 121)},
            "B": {"REV": series(100, 100, 121), "INV": series(100, 100, 100)}}


def test_index_equal_to_the_threshold_is_not_coaching():
    result = run(config(REV=3, INV=1), boundary_values())
    assert result["A"].index == D("-0.5000")  # (−3 + 1) / 4
    assert result["A"].coaching is False
    assert result["A"].reason == "趋势指数 -0.50，不低于 -0.5"


def test_index_just_below_the_threshold_is_coaching_and_shows_four_places():
    result = run(config(REV="3", INV="0.99"), boundary_values())
    assert result["A"].index == D("-0.5038")  # (−3 + 0.99) / 3.99 = −0.503759…
    assert result["A"].coaching is True
    assert result["A"].reason == "趋势指数 -0.5038，低于 -0.5；增长最慢：一般公共预算收入（年均 0.00%）"


def test_threshold_configurable():
    cfg = TrendConfig(indicators={"REV": D(3), "INV": D(1)}, threshold=D("-0.4"))
    result = trend(cfg, YEAR, boundary_values(), {"A": "乡镇", "B": "乡镇"}, {})
    assert result["A"].coaching is True
    assert result["A"].reason == "趋势指数 -0.50，低于 -0.4；增长最慢：REV（年均 0.00%）"


def test_units_only_in_groups_have_no_data():
    result = run(config(REV=1), THREE, {"A": "乡镇", "B": "乡镇", "C": "乡镇", "D": "乡镇"})
    assert result["D"].index is None
    assert result["D"].reason == "近三年数据不全，未计算趋势指数"


def test_other_year_counts_in_words():
    cfg = TrendConfig(indicators={"REV": D(1)}, years=5)
    assert trend(cfg, YEAR, {"A": {}}, {}, {})["A"].reason == "近五年数据不全，未计算趋势指数"


# --- properties ---------------------------------------------------------------------------------

annual = st.integers(min_value=-5, max_value=400)
unit_values = st.tuples(*([st.tuples(annual, annual, annual)] * 2), st.sampled_from(["乡镇", "街道"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(unit_values, min_size=1, max_size=7), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_of_units_or_months(units, rng):
    cfg = TrendConfig(indicators={"REV": D(2), "INV": D("0.7")})
    higher = {"REV": True, "INV": False}

    def build(order, month_order):
        values, groups = {}, {}
        for i in order:
            rev, inv, group = units[i]
            unit = {}
            for code, sums in (("REV", rev), ("INV", inv)):
                full = {f"{y}-{m:02d}": D(s) + D(m) / 10 for y, s in zip((2023, 2024, 2025), sums, strict=True)
                        for m in range(1, 13)}
                unit[code] = {key: full[key] for key in month_order}
            values[f"u{i}"], groups[f"u{i}"] = unit, group
        return trend(cfg, YEAR, values, groups, higher)

    keys = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)]
    first = build(list(range(len(units))), keys)
    order = list(range(len(units)))
    rng.shuffle(order)
    shuffled = keys[:]
    rng.shuffle(shuffled)
    assert build(order, shuffled) == first
    assert all(r.coaching == (r.index is not None and r.index < cfg.threshold) for r in first.values())
