"""The scoring engine against hand-computed examples, and its properties (pure: no database)."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingzhuang.assessment.engine import (
    NO_EXAM_FLAG,
    EngineError,
    IndicatorRule,
    Rules,
    UnitInputs,
    score,
    validate_rule,
)

ALL_GOOD = {"开拓创新度": "好", "部门协同度": "好", "群众满意度": "好"}


def rule(code="A", weight=100, method="ratio", params=None, aggregate="sum", missing="zero", higher=True):
    return IndicatorRule(code=code, weight=D(weight), aggregate=aggregate, method=method,
                         params={} if params is None else params, missing=missing, higher_is_better=higher)


def rules(*indicators, **kwargs):
    return Rules(year=2025, indicators=indicators, **kwargs)


def unit(values=None, **kwargs):
    values = {code: {month: D(v) for month, v in months.items()} for code, months in (values or {}).items()}
    return UnitInputs(values=values, **kwargs)


def year(*numbers, code="A", y=2025):
    """``code``'s values for the first months of ``y``."""
    return {code: {f"{y}-{m:02d}": n for m, n in enumerate(numbers, start=1)}}


def lines_of(r, values_by_unit):
    result = score(r, {key: unit(values) for key, values in values_by_unit.items()})
    return {key: result[key].lines[0] for key in values_by_unit}


def line(r, values):
    return lines_of(r, {"u": values})["u"]


# --- aggregates -----------------------------------------------------------------------------------


def test_aggregate_sum_mean_last():
    values = {"A": {"2025-03": "30", "2025-01": "10", "2025-02": "20", "2024-12": "99"}}
    assert line(rules(rule(method="minmax", aggregate="sum")), values).value == D(60)
    assert line(rules(rule(method="minmax", aggregate="mean")), values).value == D(20)
    last = line(rules(rule(method="minmax", aggregate="last")), values)
    assert last.value == D(30)  # the latest month, whatever the order of the mapping
    assert (last.months, last.used_year, last.aggregate) == (3, 2025, "last")


def test_aggregate_yoy():
    values = {"A": {"2024-01": "40", "2024-02": "40", "2025-01": "50", "2025-02": "40"}}
    got = line(rules(rule(method="minmax", aggregate="yoy")), values)
    assert got.value == D("12.5")  # (90 ÷ 80 − 1)·100
    assert got.months == 2


@pytest.mark.parametrize(
    "values",
    [{"A": {"2025-01": "50"}},  # no previous year
     {"A": {"2024-01": "0", "2025-01": "50"}},  # previous sum 0
     {"A": {"2024-01": "50"}}],  # nothing this year
)
def test_aggregate_yoy_missing(values):
    got = line(rules(rule(method="minmax", aggregate="yoy")), values)
    assert (got.value, got.score, got.missing) == (None, D(0), "zero")


def test_yoy_without_last_year_says_so():
    result = score(rules(rule(method="minmax", aggregate="yoy")), {"u": unit(year(5))})["u"]
    assert (result.lines[0].months, result.lines[0].explanation) == (1, "上年无数据或上年合计为 0，无法计算同比，计 0 分")
    assert result.flags[0] == "A 上年无数据或上年合计为 0，无法计算同比，计 0 分"


# --- methods --------------------------------------------------------------------------------------


def test_target():
    r = rules(rule(method="target", params={"target": "90"}))
    assert line(r, year(90)).score == D(100)
    assert line(r, year(90)).explanation == "90 ≥ 目标值 90，得 100"
    assert line(r, year("89.9")).score == D(0)
    low = rules(rule(method="target", params={"target": 5}, higher=False))
    assert line(low, year(5)).score == D(100)
    assert line(low, year(6)).score == D(0)
    assert line(low, year(6)).explanation == "6 未达到目标值 5（需 ≤ 5），得 0"


def test_ratio():
    r = rules(rule(method="ratio", params={"target": D(100000)}))
    got = line(r, year(50000, 35000))
    assert (got.score, got.points) == (D(85), D(85))
    assert got.explanation == "100×min(85000÷100000, 1) = 85"
    assert line(r, year(120000)).score == D(100)  # capped at 1
    assert line(rules(rule(params={"target": 100, "cap": "0.8"})), year(95)).score == D(80)
    assert line(r, year(-5)).score == D(0)


def test_ratio_lower_is_better():
    r = rules(rule(method="ratio", params={"target": 80}, higher=False))
    assert line(r, year(100)).score == D(80)
    assert line(r, year(100)).explanation == "越低越好：100×min(80÷100, 1) = 80"
    assert line(r, year(40)).score == D(100)
    assert line(r, year(0)).score == D(100)  # x = 0 counts as the cap
    assert line(rules(rule(params={"target": 80, "cap": "0.5"}, higher=False)), year(0)).score == D(50)


def test_baseline():
    r = rules(rule(method="baseline", params={"target": 90, "step": 2}))
    assert line(r, year(95)).score == D(90)
    assert line(r, year(95)).explanation == "80 + 2×(95 − 90)÷1，限 0～100，得 90"
    assert line(r, year(120)).score == D(100)  # capped
    assert line(r, year(60)).score == D(20)
    assert line(r, year(40)).score == D(0)  # floored
    per = rules(rule(method="baseline", params={"target": 90, "step": 1, "per": "0.5", "reach": 70, "cap": 95}))
    assert line(per, year(92)).score == D(74)
    assert line(per, year(200)).score == D(95)


def test_baseline_lower_is_better():
    r = rules(rule(method="baseline", params={"target": 90, "step": 2}, higher=False))
    assert line(r, year(85)).score == D(90)
    assert line(r, year(95)).score == D(70)
    assert line(r, year(85)).explanation == "80 + 2×(90 − 85)÷1，限 0～100，得 90"


def test_rank_with_ties_and_missing_units():
    r = rules(rule(method="rank", params={}))
    got = lines_of(r, {"a": year(10), "b": year(20), "c": year(20), "d": year(5), "e": {}})
    assert {k: v.score for k, v in got.items()} == {"a": D(90), "b": D(100), "c": D(100), "d": D(85), "e": D(0)}
    assert got["a"].explanation == "10 从高到低排第 3 名（共 4 个单位），100 − 5×(3 − 1) = 90"


def test_rank_lower_is_better_and_floor():
    r = rules(rule(method="rank", params={"top": 90, "step": 50}, higher=False))
    got = lines_of(r, {"a": year(10), "b": year(20), "c": year(20), "d": year(5)})
    assert {k: v.score for k, v in got.items()} == {"a": D(40), "b": D(0), "c": D(0), "d": D(90)}


def test_efficacy():
    r = rules(rule(method="efficacy", params={"bad": 50, "good": 100}))
    assert line(r, year(75)).score == D(80)
    assert line(r, year(40)).score == D(52)
    assert line(r, year(0)).score == D(20)
    assert line(r, year(200)).score == D(100)
    assert line(r, year(-100)).score == D(0)
    assert line(r, year(75)).explanation == "60 + 40×(75 − 50)÷(100 − 50)，限 0～100，得 80"
    lower = rules(rule(method="efficacy", params={"bad": 100, "good": 50}))  # good below bad: lower is better
    assert line(lower, year(75)).score == D(80)


def test_minmax():
    r = rules(rule(method="minmax"))
    got = lines_of(r, {"a": year(10), "b": year(30), "c": year(20), "d": {}})
    assert {k: v.score for k, v in got.items()} == {"a": D(0), "b": D(100), "c": D(50), "d": D(0)}
    assert got["c"].explanation == "100×(20 − 最差 10)÷(最好 30 − 最差 10) = 50"
    low = lines_of(rules(rule(method="minmax", higher=False)), {"a": year(10), "b": year(30), "c": year(20)})
    assert {k: v.score for k, v in low.items()} == {"a": D(100), "b": D(0), "c": D(50)}
    same = lines_of(r, {"a": year(7), "b": year(7)})
    assert {k: v.score for k, v in same.items()} == {"a": D(100), "b": D(100)}


ZVALUES = {k: year(v) for k, v in zip("abcdefgh", [2, 4, 4, 4, 5, 5, 7, 9], strict=True)}  # mean 5, σ 2


def test_zscore():
    got = lines_of(rules(rule(method="zscore")), ZVALUES)
    assert [got[k].score for k in "abeg"] + [got["h"].score] == [D(65), D(75), D(80), D(90), D(100)]
    assert got["h"].explanation == "z = (9 − 均值 5)÷标准差 2；80 + 10×2，限 0～100，得 100"
    wide = lines_of(rules(rule(method="zscore", params={"spread": 30, "center": 50})), ZVALUES)
    assert (wide["a"].score, wide["h"].score, wide["g"].score) == (D(5), D(100), D(80))
    floor = lines_of(rules(rule(method="zscore", params={"spread": 60})), ZVALUES)
    assert floor["a"].score == D(0)


def test_zscore_lower_is_better_and_equal_values():
    got = lines_of(rules(rule(method="zscore", higher=False)), ZVALUES)
    assert (got["a"].score, got["h"].score) == (D(95), D(60))
    same = lines_of(rules(rule(method="zscore", params={"center": 70})), {"a": year(3), "b": year(3)})
    assert (same["a"].score, same["b"].score) == (D(70), D(70))


def test_formula_reads_the_aggregates_of_its_codes():
    r = rules(rule(code="C", method="formula", params={"expr": "A ÷ B × 100"}))
    values = {**year(30, 20), **year(100, 25, code="B"), **year(999, code="C")}  # C's own value is ignored
    got = line(r, values)
    assert (got.value, got.score, got.points) == (D(40), D(40), D(40))
    assert got.explanation == "A ÷ B × 100（A=50，B=125）= 40"
    mean = line(rules(rule(code="C", method="formula", aggregate="mean", params={"expr": "A + B"})), values)
    assert mean.value == D("87.5")  # 25 + 62.5


def test_formula_result_is_clamped():
    r = rules(rule(code="C", method="formula", params={"expr": "A - 10"}))
    over = line(r, year(150))
    assert (over.value, over.score) == (D(140), D(100))
    assert over.explanation == "A - 10（A=150）= 140，限 0～100，得 100"
    assert line(r, year(5)).score == D(0)


def test_formula_missing_code_makes_the_line_missing():
    r = rules(rule(code="C", method="formula", params={"expr": "A + B"}, missing="zero"))
    result = score(r, {"u": unit(year(5))})["u"]
    assert (result.lines[0].missing, result.lines[0].score) == ("zero", D(0))
    assert result.flags == ["C 公式所用指标本年度缺数据，计 0 分", NO_EXAM_FLAG]


def test_formula_division_by_zero_scores_zero_and_is_flagged():
    r = rules(rule(code="C", method="formula", params={"expr": "100 ÷ A"}))
    result = score(r, {"u": unit(year(0))})["u"]
    got = result.lines[0]
    assert (got.value, got.score, got.missing) == (None, D(0), "")
    assert got.explanation == "公式无法计算（第7个字符：除数为 0，无法计算），计 0 分"
    assert result.flags[0] == "C 公式无法计算，计 0 分"


# --- missing data ---------------------------------------------------------------------------------


def test_missing_zero():
    r = rules(rule(code="A", weight=60, params={"target": 10}), rule(code="B", weight=40, params={"target": 10}))
    result = score(r, {"u": unit(year(10, code="A"))})["u"]
    b = result.lines[1]
    assert (b.value, b.score, b.points, b.missing, b.used_year) == (None, D(0), D(0), "zero", None)
    assert result.daily == D("60.00")
    assert result.flags == ["B 本年度无数据，计 0 分", NO_EXAM_FLAG]


def test_missing_reweight_spreads_in_proportion():
    r = rules(rule(code="A", weight=50, params={"target": 10}),
              rule(code="B", weight=30, params={"target": 10}),
              rule(code="C", weight=20, params={"target": 10}, missing="reweight"))
    result = score(r, {"u": unit({**year(10, code="A"), **year(5, code="B")})})["u"]
    a, b, c = result.lines
    assert (a.effective_weight, b.effective_weight, c.effective_weight) == (D("62.5"), D("37.5"), D(0))
    assert (a.points, b.points, c.points, c.score, c.missing) == (D("62.5"), D("18.75"), D(0), None, "reweight")
    assert result.daily == D("81.25")
    assert result.flags == ["C 本年度无数据，权重 20 分摊到其他指标", NO_EXAM_FLAG]


def test_reweight_skips_lines_missing_with_zero():
    r = rules(rule(code="A", weight=50, params={"target": 10}),
              rule(code="B", weight=30, params={"target": 10}),
              rule(code="C", weight=20, params={"target": 10}, missing="reweight"))
    result = score(r, {"u": unit(year(10, code="A"))})["u"]
    assert [ln.effective_weight for ln in result.lines] == [D(70), D(30), D(0)]
    assert result.daily == D("70.00")


def test_reweight_with_nothing_to_give_to_scores_zero():
    r = rules(rule(code="A", weight=100, params={"target": 10}, missing="reweight"))
    got = score(r, {"u": unit({})})["u"]
    assert (got.lines[0].missing, got.lines[0].score, got.daily) == ("zero", D(0), D("0.00"))


def test_missing_last_uses_the_latest_earlier_year():
    r = rules(rule(params={"target": 100}, missing="last"))
    values = {"A": {"2022-01": "100", "2023-01": "40", "2023-02": "40"}}
    result = score(r, {"u": unit(values), "v": unit(year(100))})
    got = result["u"].lines[0]
    assert (got.value, got.score, got.missing, got.used_year, got.months) == (D(80), D(80), "last", 2023, 0)
    assert got.explanation == "本年度无数据，沿用 2023 年数据；100×min(80÷100, 1) = 80"
    assert result["u"].flags == ["A 本年度无数据，沿用 2023 年数据", NO_EXAM_FLAG]


def test_missing_last_without_history_scores_zero():
    got = line(rules(rule(params={"target": 100}, missing="last")), {})
    assert (got.value, got.score, got.missing, got.explanation) == (None, D(0), "zero", "本年度无数据，往年也无数据，计 0 分")


def test_missing_last_with_yoy_needs_two_earlier_years():
    r = rules(rule(method="ratio", aggregate="yoy", params={"target": 10}, missing="last"))
    got = line(r, {"A": {"2023-01": "100", "2024-01": "105"}})
    assert (got.value, got.score, got.used_year) == (D(5), D(50), 2024)


def test_partial_months_are_flagged():
    r = rules(rule(params={"target": 10}))
    result = score(r, {"a": unit(year(1, 2, 3)), "b": unit(year(1))})
    assert result["a"].flags == [NO_EXAM_FLAG]
    assert result["b"].flags == ["A 本年度缺 2 个月的数据（其他单位已报）", NO_EXAM_FLAG]


# --- exam, bonus, deductions, total ---------------------------------------------------------------


def test_exam_is_the_mean_of_spot_checks():
    r = rules(rule(params={"target": 100}))
    first = {"开拓创新度": "好", "部门协同度": "较好", "群众满意度": "一般"}  # 30 + 24 + 24
    result = score(r, {"u": unit(year(50), exams=[first, ALL_GOOD])})["u"]
    assert result.exam_scores == [D(78), D(100)]
    assert (result.daily, result.exam, result.total) == (D("50.00"), D("89.00"), D("53.90"))
    assert (result.daily_weight_used, result.exam_weight_used) == (D(90), D(10))
    assert result.flags == []


def test_no_spot_check_puts_the_exam_weight_on_daily():
    result = score(rules(rule(params={"target": 100})), {"u": unit(year(50))})["u"]
    assert (result.exam, result.total, result.exam_scores) == (None, D("50.00"), [])
    assert (result.daily_weight_used, result.exam_weight_used) == (D(100), D(0))
    assert result.flags == [NO_EXAM_FLAG]


def test_bonus_and_deductions_are_capped_per_item():
    caps = {("bonus", "省级以上表彰"): D(3), ("deduction", "安全生产责任事故"): D(5)}
    r = rules(rule(params={"target": 100}), item_caps=caps)
    inputs = unit(year(80), exams=[ALL_GOOD],
                  bonus=[("省级以上表彰", D(2)), ("省级以上表彰", D(2)), ("其他", D("0.5"))],
                  deductions=[("安全生产责任事故", D(6)), ("通报批评", D(1))])
    result = score(r, {"u": inputs})["u"]
    assert (result.bonus, result.deductions) == (D("3.50"), D("6.00"))
    assert result.total == D("79.50")  # 72 + 10 + 3.5 − 6
    assert result.flags == ["加分项“省级以上表彰”合计 4 分，超过上限 3 分，按 3 分计",
                            "扣分项“安全生产责任事故”合计 6 分，超过上限 5 分，按 5 分计"]


def test_rounding_half_up_at_005():
    r = rules(rule(params={"target": 100000}))
    result = score(r, {"u": unit(year(89995))})["u"]
    assert (result.daily, result.total, result.grade) == (D("90.00"), D("90.00"), "优秀")
    assert str(result.total) == "90.00"


def test_total_rounds_from_unrounded_parts():
    r = rules(rule(params={"target": 100000}))
    result = score(r, {"u": unit(year("88884.9"), exams=[ALL_GOOD])})["u"]
    # 0.9 × 88.8849 + 10 = 89.99641 → 90.00 (from the rounded 88.88 it would be 89.99)
    assert (result.daily, result.exam, result.total, result.grade) == (D("88.88"), D("100.00"), D("90.00"), "优秀")


def test_ranks_share_the_better_place_and_grades():
    r = rules(rule(params={"target": 100}))
    result = score(r, {k: unit(year(v)) for k, v in {"a": 90, "b": 85, "c": 85, "d": 80, "e": 59}.items()})
    assert {k: (v.rank, v.grade) for k, v in result.items()} == {
        "a": (1, "优秀"), "b": (2, "良好"), "c": (2, "良好"), "d": (4, "良好"), "e": (5, "较差")}


def test_grade_bands_in_any_order_and_below_all():
    bands = (("及格", D(60)), ("不及格", D(30)), ("满分", D(100)))
    r = rules(rule(params={"target": 100}), grades=bands)
    result = score(r, {"a": unit(year(100)), "b": unit(year(70)), "c": unit(year(10))})
    assert [result[k].grade for k in "abc"] == ["满分", "及格", "不及格"]


def test_veto_sets_the_lowest_grade_and_keeps_reasons():
    r = rules(rule(params={"target": 100}))
    result = score(r, {"u": unit(year(100), vetoes=["发生重大安全生产责任事故"])})["u"]
    assert (result.total, result.grade, result.rank) == (D("100.00"), "较差", 1)
    assert result.veto == ["发生重大安全生产责任事故"]
    assert result.flags == [NO_EXAM_FLAG, "一票否决：发生重大安全生产责任事故"]


# --- rules that cannot be scored ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "messages"),
    [
        ({"method": "ratio", "params": {}}, ["比例法缺少参数 target"]),
        ({"method": "ratio", "params": {"target": 0}}, ["比例法的 target 不能为 0"]),
        ({"method": "ratio", "params": {"target": 5, "cap": "1.5"}}, ["比例法的 cap 必须大于 0 且不超过 1"]),
        ({"method": "ratio", "params": {"target": 5, "cap": 0}}, ["比例法的 cap 必须大于 0 且不超过 1"]),
        ({"method": "ratio", "params": {"target": "abc"}}, ["参数 target 必须是数字"]),
        ({"method": "ratio", "params": {"target": True}}, ["参数 target 必须是数字"]),
        ({"method": "target", "params": {"target": 5, "goal": 3}}, ["达标法不支持参数 goal（可用参数：target）"]),
        ({"method": "minmax", "params": {"x": 1}}, ["极差标准化法不支持参数 x（可用参数：无）"]),
        ({"method": "baseline", "params": {"target": 5}}, ["基准加减分法缺少参数 step"]),
        ({"method": "baseline", "params": {"target": 5, "step": 1, "per": 0}}, ["基准加减分法的 per 必须大于 0"]),
        ({"method": "baseline", "params": {"target": 5, "step": 1, "cap": 120}},
         ["基准加减分法的 cap 必须大于 0 且不超过 100"]),
        ({"method": "baseline", "params": {"target": 5, "step": 1, "reach": -1}},
         ["基准加减分法的 reach 必须在 0 到 100 之间"]),
        ({"method": "rank", "params": {"top": 0}}, ["排名法的 top 必须大于 0 且不超过 100"]),
        ({"method": "rank", "params": {"step": -1}}, ["排名法的 step 不能为负数"]),
        ({"method": "efficacy", "params": {"bad": 5, "good": "5.0"}}, ["功效系数法的 good 与 bad 不能相等"]),
        ({"method": "efficacy", "params": {"good": 5}}, ["功效系数法缺少参数 bad"]),
        ({"method": "zscore", "params": {"spread": 0}}, ["标准分法的 spread 必须大于 0"]),
        ({"method": "zscore", "params": {"center": 101}}, ["标准分法的 center 必须在 0 到 100 之间"]),
        ({"method": "formula", "params": {}}, ["公式法缺少参数 expr"]),
        ({"method": "formula", "params": {"expr": 5}}, ["参数 expr 必须是文字公式"]),
        ({"method": "formula", "params": {"expr": "A ÷ 0"}}, ["公式第5个字符：除数不能为 0"]),
        ({"method": "formula", "params": {"expr": "min(A)"}}, ["公式第1个字符：函数 min 至少需要 2 个参数"]),
        ({"method": "magic"}, ["未知的计分方法 magic（可选：target、ratio、baseline、rank、efficacy、minmax、zscore、formula）"]),
        ({"aggregate": "max", "method": "minmax"}, ["未知的汇总方式 max（可选：sum、mean、last、yoy）"]),
        ({"missing": "skip", "method": "minmax"}, ["未知的缺报处理方式 skip（可选：zero、reweight、last）"]),
        ({"weight": 0, "method": "minmax"}, ["权重必须大于 0"]),
    ],
)
def test_validate_rule(kwargs, messages):
    assert validate_rule(rule(**kwargs)) == messages


def test_validate_rule_with_known_codes():
    assert validate_rule(rule(code="ZB0101", method="minmax"), known_codes={"ZB0101"}) == []
    assert validate_rule(rule(code="ZB9999", method="minmax"), known_codes={"ZB0101"}) == ["未知的指标代码 ZB9999"]
    formula = rule(code="ZB0101", method="formula", params={"expr": "ZB0101 + ZB9999"})
    assert validate_rule(formula, known_codes={"ZB0101"}) == ["公式第10个字符：未知的指标代码 ZB9999"]


def test_validate_rule_accepts_good_rules():
    assert validate_rule(rule(method="ratio", params={"target": "100000", "cap": 1})) == []
    assert validate_rule(rule(method="baseline", params={"target": 5, "step": "2.5"})) == []
    assert validate_rule(rule(method="formula", params={"expr": "if(A > 1, 100, 60)"})) == []


def test_score_refuses_bad_rules():
    with pytest.raises(EngineError) as info:
        score(rules(rule(weight=60, params={"target": 1}), rule(code="B", weight=30, params={})), {})
    assert str(info.value) == "指标 B：比例法缺少参数 target"
    with pytest.raises(EngineError) as info:
        score(rules(rule(weight=60, params={"target": 1}), rule(code="B", weight=30, params={"target": 1})), {})
    assert str(info.value) == "平时成绩各指标权重合计应为 100，现为 90"
    with pytest.raises(EngineError) as info:
        score(rules(rule(weight=50, params={"target": 1}), rule(weight=50, params={"target": 1})), {})
    assert str(info.value) == "指标 A 重复"
    with pytest.raises(EngineError) as info:
        score(rules(rule(params={"target": 1}), exam_weight=D(20)), {})
    assert str(info.value) == "平时、期末权重合计应为 100，现为 110"


@pytest.mark.parametrize(
    ("exam", "message"),
    [({"开拓创新度": "好", "部门协同度": "好"}, "单位 u 的第 1 次期末考试缺少“群众满意度”的评价"),
     ({**ALL_GOOD, "群众满意度": "极好"}, "单位 u 的第 1 次期末考试有未知的等次“极好”"),
     ({**ALL_GOOD, "创新": "好"}, "单位 u 的第 1 次期末考试有未知的评价维度“创新”")],
)
def test_score_refuses_bad_spot_checks(exam, message):
    with pytest.raises(EngineError) as info:
        score(rules(rule(params={"target": 1})), {"u": unit(exams=[exam])})
    assert str(info.value) == message


# --- properties -----------------------------------------------------------------------------------

PROPERTY_RULES = rules(
    rule(code="A", weight=30, params={"target": 500}),
    rule(code="B", weight=20, method="rank", aggregate="mean", missing="reweight"),
    rule(code="C", weight=20, method="zscore", aggregate="yoy", missing="last", higher=False),
    rule(code="D", weight=15, method="minmax", aggregate="last"),
    rule(code="E", weight=15, method="formula", params={"expr": "A ÷ (D + 1)"}, missing="reweight"),
    item_caps={("bonus", "表彰"): D(3), ("deduction", "事故"): D(5)},
)
AMOUNT = st.integers(min_value=0, max_value=100000).map(lambda n: D(n).scaleb(-2))
MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in (1, 6, 12)]
SERIES = st.dictionaries(st.sampled_from(MONTHS), AMOUNT, max_size=6)
GRADE = st.sampled_from(["好", "较好", "一般", "较差", "很差"])
EXAM = st.fixed_dictionaries({"开拓创新度": GRADE, "部门协同度": GRADE, "群众满意度": GRADE})
POINTS = st.integers(min_value=0, max_value=800).map(lambda n: D(n).scaleb(-2))
UNIT = st.builds(
    UnitInputs,
    values=st.fixed_dictionaries({c: SERIES for c in "ABCD"}),
    exams=st.lists(EXAM, max_size=2),
    bonus=st.lists(st.tuples(st.sampled_from(["表彰", "创新"]), POINTS), max_size=3),
    deductions=st.lists(st.tuples(st.sampled_from(["事故", "通报"]), POINTS), max_size=3),
    vetoes=st.lists(st.just("事故"), max_size=1),
)
UNITS = st.dictionaries(st.integers(min_value=1, max_value=999), UNIT, min_size=1, max_size=7)


@settings(max_examples=50, deadline=None, database=None)
@given(UNITS)
def test_total_equals_its_parts_within_rounding(units):
    for result in score(PROPERTY_RULES, units).values():
        parts = (result.daily_weight_used * result.daily + result.exam_weight_used * (result.exam or 0)) / 100
        assert abs(result.total - (parts + result.bonus - result.deductions)) <= D("0.01")
        assert abs(result.daily - sum(line.points for line in result.lines)) <= D("0.005")
        assert sum(line.effective_weight for line in result.lines) == D(100) or any(
            line.missing == "zero" for line in result.lines)
        assert all(line.score is None or D(0) <= line.score <= D(100) for line in result.lines)


@settings(max_examples=40, deadline=None, database=None)
@given(UNITS)
def test_ranks_follow_totals(units):
    results = score(PROPERTY_RULES, units).values()
    for result in results:
        assert result.rank == 1 + sum(1 for other in results if other.total > result.total)


@settings(max_examples=30, deadline=None, database=None)
@given(UNITS, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_order(units, rnd):
    keys = list(units)
    rnd.shuffle(keys)

    def shuffled(inputs):
        values = {}
        for code, series in inputs.values.items():
            months = list(series.items())
            rnd.shuffle(months)
            values[code] = dict(months)
        return UnitInputs(values=values, exams=inputs.exams, bonus=list(reversed(inputs.bonus)),
                          deductions=list(reversed(inputs.deductions)), vetoes=inputs.vetoes)

    assert score(PROPERTY_RULES, {k: shuffled(units[k]) for k in keys}) == score(PROPERTY_RULES, units)


def test_values_may_be_int_or_str_but_must_be_numbers():
    r = rules(rule(params={"target": 100}))
    assert score(r, {"u": UnitInputs(values={"A": {"2025-01": 30, "2025-02": "20.5"}})})["u"].daily == D("50.50")
    with pytest.raises(EngineError) as info:
        score(r, {"u": UnitInputs(values={"A": {"2025-01": "三十"}})})
    assert str(info.value) == "无法识别的数值“三十”"
    with pytest.raises(EngineError) as info:
        score(r, {"u": unit(year(1), bonus=[("表彰", "NaN")])})
    assert str(info.value) == "无法识别的数值“NaN”"


def test_scoring_leaves_the_garbage_collector_and_decimal_context_as_they_were():
    import decimal
    import gc

    context = decimal.getcontext().copy()
    r = rules(rule(params={"target": 100}))
    assert gc.isenabled()
    score(r, {"u": unit(year(1))})
    assert gc.isenabled()
    with pytest.raises(EngineError):
        score(r, {"u": UnitInputs(values={"A": {"2025-01": "x"}})})
    assert gc.isenabled()
    gc.disable()
    try:
        score(r, {"u": unit(year(1))})
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert (decimal.getcontext().prec, decimal.getcontext().rounding) == (context.prec, context.rounding)


def test_rules_may_hold_numbers_as_text():
    """What a scheme stores in JSON (strings of Decimals) is accepted as it is."""
    r = Rules(year=2025, indicators=(IndicatorRule("A", "100", "sum", "ratio", {"target": "200"}),),
              daily_weight="80", exam_weight="20", exam_criteria={"开拓创新度": "50", "群众满意度": "50"},
              exam_grades={"好": "100", "差": "50"}, grades=(("好", "75"), ("差", "0")),
              item_caps={("bonus", "表彰"): "1.5"})
    inputs = unit(year(150), exams=[{"开拓创新度": "好", "群众满意度": "差"}], bonus=[("表彰", D(2))])
    result = score(r, {"u": inputs})["u"]
    assert (result.daily, result.exam, result.bonus, result.total, result.grade) == (
        D("75.00"), D("75.00"), D("1.50"), D("76.50"), "好")
