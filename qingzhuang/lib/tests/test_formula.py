from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingzhuang.lib.formula import FormulaError, parse


def ev(text, **values):
    return parse(text).evaluate({k: D(v) for k, v in values.items()})


def err(text, known=None):
    with pytest.raises(FormulaError) as info:
        parse(text, known)
    return info.value.message, info.value.position


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 - 4 - 3", D(3)),
        ("24 / 4 / 2", D(3)),
        ("2 × 3 ÷ 4", D("1.5")),
        ("7 − 2", D(5)),
        ("-2 * 3", D(-6)),
        ("--2", D(2)),
        ("-(1 + 2) + +3", D(0)),
        ("2 * -3", D(-6)),
        (".5 + 1.25", D("1.75")),
        ("（1 + 2）× 2", D(6)),
        ("1 + 2 > 2", D(1)),
        ("1 + 2 < 2 * 1", D(0)),
        ("0.1 + 0.2 == 0.3", D(1)),
    ],
)
def test_arithmetic_and_precedence(text, expected):
    result = parse(text).evaluate({})
    assert result == expected
    assert type(result) is D


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 < 2", 1),
        ("2 < 2", 0),
        ("2 <= 2", 1),
        ("3 <= 2", 0),
        ("3 > 2", 1),
        ("2 > 2", 0),
        ("2 >= 2", 1),
        ("1 >= 2", 0),
        ("2 == 2.0", 1),
        ("2 == 3", 0),
        ("2 != 3", 1),
        ("2 != 2", 0),
    ],
)
def test_comparisons_yield_one_or_zero(text, expected):
    assert parse(text).evaluate({}) == D(expected)


def test_functions():
    assert ev("if(A > 5, 100, 60)", A=6) == D(100)
    assert ev("if(A > 5, 100, 60)", A=5) == D(60)
    assert ev("min(A, 3, 7)", A=4) == D(3)
    assert ev("max(A, 3, 7)", A=9) == D(9)
    assert ev("abs(A - 10)", A=4) == D(6)
    assert ev("round(A)", A="2.5") == D(3)
    assert ev("round(A, 2)", A="2.345") == D("2.35")
    assert ev("round(A, 1)", A="-0.25") == D("-0.3")
    assert ev("MIN(A, 1)", A=5) == D(1)  # function names ignore case
    assert ev("，".join(["min(1", "2)"])) == D(1)  # full-width comma


def test_if_evaluates_only_the_branch_taken():
    expr = parse("if(B == 0, 0, A ÷ B × 100)")
    assert expr.evaluate({"A": D(1), "B": D(0)}) == D(0)
    assert expr.evaluate({"A": D(1), "B": D(4)}) == D(25)


def test_codes_and_text():
    expr = parse("ZB0101 ÷ ZB0102 × 100 + zb_3", known={"ZB0101", "ZB0102", "zb_3"})
    assert expr.codes == frozenset({"ZB0101", "ZB0102", "zb_3"})
    assert expr.text == "ZB0101 ÷ ZB0102 × 100 + zb_3"
    assert expr.evaluate({"ZB0101": D(85000), "ZB0102": D(100000), "zb_3": D(1)}) == D(86)


def test_values_may_be_int_or_str():
    assert parse("A + B").evaluate({"A": 1, "B": "2.5"}) == D("3.5")


# --- errors at parse time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "公式不能为空", 1),
        ("   ", "公式不能为空", 1),
        ("1 + #", "无法识别的字符“#”", 5),
        ("A = 1", "无法识别的运算符“=”，比较请用 == 或 !=", 3),
        ("1 + _x", "无法识别的字符“_”", 5),
        ("1.", "小数点后缺少数字", 3),
        ("1.2.3", "无法识别的数字“1.2.”", 1),
        ("12ab", "无法识别的数字“12a”", 1),
        ("(1 + 2", "括号不配对：缺少右括号", 1),
        ("1 + (2 * (3 - 1)", "括号不配对：缺少右括号", 5),
        ("1 + 2)", "括号不配对：多余的右括号", 6),
        ("()", "此处缺少数字或指标代码", 2),
        ("1 +", "公式不完整，末尾缺少数字、指标代码或括号内容", 4),
        ("1 2", "此处缺少运算符", 3),
        ("(1 2)", "此处缺少运算符或右括号", 4),
        ("* 2", "运算符“*”前缺少数字或指标代码", 1),
        ("1, 2", "逗号只能用在函数的参数之间", 2),
        ("(,1)", "逗号只能用在函数的参数之间", 2),
        ("sqrt(4)", "未知的函数 sqrt", 1),
        ("1 + min(2)", "函数 min 至少需要 2 个参数", 5),
        ("max()", "函数 max 至少需要 2 个参数", 1),
        ("if(1, 2)", "函数 if 需要 3 个参数", 1),
        ("abs(1, 2)", "函数 abs 需要 1 个参数", 1),
        ("round(1, 2, 3)", "函数 round 需要 1 或 2 个参数", 1),
        ("round(1, 11)", "round 的小数位数必须是 0 到 10 之间的整数", 10),
        ("round(1, 0.5)", "round 的小数位数必须是 0 到 10 之间的整数", 10),
        ("10 / 0", "除数不能为 0", 6),
        ("10 ÷ (2 - 2)", "除数不能为 0", 6),
        ("10 / -0.0", "除数不能为 0", 6),
        ("1 < 2 < 3", "比较运算不能连写，请加括号", 7),
        ("x" * 501, "公式过长（最多 500 个字符）", 501),
    ],
)
def test_parse_errors(text, message, position):
    assert err(text) == (message, position)


def test_unknown_code_when_known_codes_are_given():
    assert err("ZB0101 + ZB9999", known={"ZB0101"}) == ("未知的指标代码 ZB9999", 10)
    assert parse("ZB9999").codes == frozenset({"ZB9999"})  # without ``known`` any code is accepted


def test_error_text_names_the_position():
    with pytest.raises(FormulaError) as info:
        parse("1 + #")
    assert str(info.value) == "第5个字符：无法识别的字符“#”"
    assert isinstance(info.value, ValueError)


def test_nesting_limit():
    assert parse("(" * 50 + "1" + ")" * 50).evaluate({}) == D(1)
    assert err("(" * 51 + "1" + ")" * 51) == ("括号或函数嵌套过深（最多 50 层）", 51)
    assert err("abs(" * 51 + "1" + ")" * 51) == ("括号或函数嵌套过深（最多 50 层）", 201)


def test_long_unary_chains_do_not_recurse():
    assert parse("-" * 499 + "1").evaluate({}) == D(-1)


# --- errors at run time ---------------------------------------------------------------------------


def test_missing_code_at_run_time():
    with pytest.raises(FormulaError) as info:
        parse("A + B").evaluate({"A": D(1)})
    assert (info.value.message, info.value.position) == ("缺少指标 B 的数据", 5)
    with pytest.raises(FormulaError):
        parse("A").evaluate({"A": None})


def test_division_by_zero_at_run_time():
    with pytest.raises(FormulaError) as info:
        parse("100 ÷ B").evaluate({"B": D(0)})
    assert (info.value.message, info.value.position) == ("除数为 0，无法计算", 7)


def test_round_places_from_a_code_are_checked_at_run_time():
    with pytest.raises(FormulaError) as info:
        parse("round(1, P)").evaluate({"P": D(-1)})
    assert info.value.message == "round 的小数位数必须是 0 到 10 之间的整数"


def test_overflow_is_a_formula_error():
    with pytest.raises(FormulaError) as info:
        parse("round(A, 10)").evaluate({"A": D("1E+30")})
    assert (info.value.message, info.value.position) == ("计算结果超出数值范围", 1)


# --- malformed input ------------------------------------------------------------------------------

ALPHABET = st.sampled_from(list("0123456789.+-*/×÷−()（），,<>=! ABZxif_minaxroudbs#\u3000\n"))


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(st.text(max_size=80), st.lists(ALPHABET, max_size=80).map("".join)))
def test_malformed_input_raises_only_formula_errors(text):
    try:
        expr = parse(text)
    except FormulaError as error:
        assert 1 <= error.position <= len(text) + 1
        return
    try:
        expr.evaluate(dict.fromkeys(expr.codes, D("0")))
        expr.evaluate(dict.fromkeys(expr.codes, D("3.7")))
    except FormulaError:
        pass


TOKENS = st.sampled_from(
    [
        "A",
        "B",
        "1",
        "0",
        "2.5",
        "+",
        "-",
        "×",
        "÷",
        "(",
        ")",
        ",",
        "<",
        "==",
        "if(",
        "min(",
        "max(",
        "round(",
        "abs(",
    ]
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(TOKENS, max_size=60).map(" ".join), st.decimals(allow_nan=False, allow_infinity=False))
def test_token_soup_raises_only_formula_errors(text, value):
    try:
        expr = parse(text)
        expr.evaluate({"A": value, "B": D(0)})
    except FormulaError:
        pass


def test_division_by_zero_names_the_divisor():
    with pytest.raises(FormulaError) as info:
        parse("A ÷ (B - C)").evaluate({"A": D(1), "B": D(2), "C": D(2)})
    assert (info.value.message, info.value.position) == ("除数为 0，无法计算", 5)


# --- generated expressions against a direct computation ------------------------------------------

SMALL = st.integers(min_value=-50, max_value=50).map(D)


def _trees(leaf):
    def extend(children):
        pairs = st.tuples(children, children)
        return st.one_of(
            st.tuples(st.sampled_from(["+", "-", "×", "*", "−"]), pairs).map(_binary),
            st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), pairs).map(_binary),
            st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=2, max_size=4)).map(_call),
            children.map(lambda c: (f"abs({c[0]})", abs(c[1]))),
            children.map(lambda c: (f"-({c[0]})", -c[1])),
            st.tuples(children, children, children).map(
                lambda t: (f"if({t[0][0]}, {t[1][0]}, {t[2][0]})", t[1][1] if t[0][1] else t[2][1])
            ),
        )

    return st.recursive(leaf, extend, max_leaves=12)


def _binary(item):
    op, ((a, x), (b, y)) = item
    value = {
        "+": lambda: x + y,
        "-": lambda: x - y,
        "−": lambda: x - y,
        "×": lambda: x * y,
        "*": lambda: x * y,
        "<": lambda: D(x < y),
        "<=": lambda: D(x <= y),
        ">": lambda: D(x > y),
        ">=": lambda: D(x >= y),
        "==": lambda: D(x == y),
        "!=": lambda: D(x != y),
    }[op]()
    return f"({a} {op} {b})", value


def _call(item):
    name, args = item
    pick = min if name == "min" else max
    return f"{name}({', '.join(a for a, _ in args)})", pick(v for _, v in args)


LEAVES = st.one_of(
    SMALL.map(lambda v: (str(v) if v >= 0 else f"({v})", v)),
    st.sampled_from(["A", "B"]).map(lambda c: (c, {"A": D(7), "B": D(-3)}[c])),
)


@settings(max_examples=200, deadline=None, database=None)
@given(_trees(LEAVES))
def test_generated_expressions_evaluate_as_computed(tree):
    text, expected = tree
    if len(text) > 500:
        return
    try:
        assert parse(text).evaluate({"A": D(7), "B": D(-3)}) == expected
    except FormulaError as error:  # only nesting beyond the limit may refuse a generated expression
        assert error.message == "括号或函数嵌套过深（最多 50 层）"
