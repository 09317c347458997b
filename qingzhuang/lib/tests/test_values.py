import pytest

from qingzhuang.lib import values
from qingzhuang.lib.values import parser_for

VALID_ID = "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12"),
        ("-3", "-3"),
        ("+7", "7"),
        ("1,234", "1234"),
        ("12.0", "12"),
        ("12.00", "12"),
        ("007", "7"),
    ],
)
def test_integer(text, expected):
    assert values.parse_integer(text) == (expected, None)


@pytest.mark.parametrize("text", ["12.5", "1,23", "abc", "1e5", "", "-", "1" * 41])
def test_integer_errors(text):
    value, error = values.parse_integer(text)
    assert value == "" and error in ("应为整数", "数值过长")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12"),
        ("1,234.50", "1234.5"),
        ("0.000", "0"),
        ("-0.5", "-0.5"),
        (".5", "0.5"),
        ("100", "100"),
        ("1,000,000", "1000000"),
    ],
)
def test_decimal(text, expected):
    assert values.parse_decimal(text) == (expected, None)


@pytest.mark.parametrize("text", ["1.2.3", "12%", "abc", "1,2345", "NaN", "Infinity"])
def test_decimal_errors(text):
    assert values.parse_decimal(text) == ("", "应为数字")


@pytest.mark.parametrize(
    "text",
    [
        "2024年11月3日",
        "2024.11.3",
        "2024-11-03",
        "2024/11/3",
        "20241103",
        "45599",
        "45599.5",
        "2024-11-03 00:00:00",
        "2024 年 11 月 3 日",
        "2024年11月3号",
        "2024-11-03T08:30",
    ],
)
def test_date_spellings(text):
    assert values.parse_date(text) == ("2024-11-03", None)


def test_excel_serials_before_march_1900():
    assert values.parse_date("1000") == ("1902-09-26", None)
    assert values.parse_date("60")[1] is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-02-30", values.DATE_INVALID_MESSAGE),
        ("2024-13-01", values.DATE_INVALID_MESSAGE),
        ("2024", values.DATE_MESSAGE),
        ("2024-11", values.DATE_MESSAGE),
        ("明天", values.DATE_MESSAGE),
        ("1700-01-01", values.DATE_RANGE_MESSAGE),
        ("20241340", values.DATE_INVALID_MESSAGE),
    ],
)
def test_date_errors(text, message):
    assert values.parse_date(text) == ("", message)


@pytest.mark.parametrize(
    "text", ["2024-11", "2024年11月", "202411", "2024.11", "2024/11", "2024-11-01", "2024年 11 月"]
)
def test_period(text):
    assert values.parse_period(text) == ("2024-11", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-13", values.PERIOD_INVALID_MESSAGE),
        ("十一月", values.PERIOD_MESSAGE),
        ("2024", values.PERIOD_MESSAGE),
    ],
)
def test_period_errors(text, message):
    assert values.parse_period(text) == ("", message)


def test_code():
    parse = parser_for("code", code_list=["男", "女"])
    assert parse("女") == ("女", None)
    assert parse("F") == ("", "不在代码表中，可填：男、女")


def test_long_code_lists_are_shortened_in_messages():
    options = [f"选项{i}" for i in range(20)]
    assert values.parse_code("x", options)[1].endswith("选项11等20项")


def test_codes_are_split_checked_and_normalised():
    parse = parser_for("codes", code_list=["低保对象", "特困人员", "残疾人"])
    for text in [
        "残疾人；低保对象",
        "低保对象、残疾人",
        "残疾人,低保对象",
        "残疾人，低保对象",
        "残疾人/低保对象",
        "残疾人;低保对象",
        "残疾人 低保对象",
        "低保对象、残疾人、残疾人",
    ]:
        assert parse(text) == ("低保对象、残疾人", None), text
    assert parse("特困人员") == ("特困人员", None)
    assert parse("低保对象、贫困户、五保户") == (
        "",
        "“贫困户”、“五保户”不在代码表中，可填：低保对象、特困人员、残疾人",
    )


def test_text_length():
    parse = parser_for("text", max_length=3)
    assert parse("abc") == ("abc", None)
    assert parse("abcd") == ("", "内容过长：不能超过3个字（现有4个字）")


def test_id_number():
    assert values.parse_id_number(VALID_ID) == (VALID_ID, None)
    assert values.parse_id_number(VALID_ID.lower()) == (VALID_ID, None)
    assert values.parse_id_number("110105194912310021") == ("", "公民身份号码校验位错误")
    assert values.parse_id_number("110105194913310025")[1] == "公民身份号码中的出生日期无效"
    assert "Excel" in values.parse_id_number("1.10105194912310E+17")[1]


def test_credit_code():
    assert values.parse_credit_code("91350100m000100y43") == ("91350100M000100Y43", None)
    assert values.parse_credit_code("91350100M000100Y44") == ("", "统一社会信用代码校验位错误")


def test_phone():
    assert values.parse_phone("13812345678") == ("13812345678", None)
    assert values.parse_phone("138-1234-5678") == ("13812345678", None)
    assert values.parse_phone("0715-1234567") == ("07151234567", None)
    assert values.parse_phone("12345")[1] == "手机号码应为11位、以1开头的数字（或带区号的固定电话）"


def test_parse_normalises_any_input():
    assert values.parse("integer", " １２ ") == ("12", None)
    assert values.parse("date", None) == ("", None)
    assert values.parse("code", "男", code_list=["男", "女"]) == ("男", None)


def test_unknown_type():
    with pytest.raises(ValueError, match="unknown value type"):
        parser_for("colour")


def test_decimal_text():
    from decimal import Decimal

    assert values.decimal_text(Decimal("1E+2")) == "100"
    assert values.decimal_text(Decimal("12.5000")) == "12.5"
    assert values.decimal_text(Decimal("-0.00")) == "0"
