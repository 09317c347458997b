"""Parsing and normalising one value of a data element, by value type (pure, no database).

Every parser takes the text of a cell as ``lib.tables`` reads it (full-width digits made
half-width, edges stripped; ``normalize`` does the same for text from elsewhere) and returns
``(normalised_value, None)`` or ``("", Chinese message)``. Values are normalised to text, so a
record's data compares equal however the file spelled them:

- integer "1,234" → "1234"; decimal "1,234.50" → "1234.5"
- date "2024年11月3日", "2024.11.3", "2024/11/3", "20241103", Excel serial "45599" → "2024-11-03"
- period "2024年11月", "202411", "2024.11", "2024-11-01" → "2024-11"
- codes "残疾人；低保对象" → "低保对象、残疾人" (the code list's order)
- ID numbers and credit codes upper-case; phones without spaces or dashes

``parser_for`` returns a closure with its options bound, for the hot loop of an import. The
types that need the database (unit, indicator) are parsed by ``ledger.validation``; here they
are only trimmed text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from qingzhuang.lib import ids

Parsed = tuple[str, "str | None"]
Parser = Callable[[str], Parsed]

# The problem code of each value type's parse error (Problem.code).
ERROR_CODES = {
    "text": "too_long",
    "integer": "invalid_integer",
    "decimal": "invalid_decimal",
    "date": "invalid_date",
    "period": "invalid_period",
    "code": "not_in_code_list",
    "codes": "not_in_code_list",
    "id_number": "invalid_id_number",
    "credit_code": "invalid_credit_code",
    "phone": "invalid_phone",
    "unit": "unknown_unit",
    "indicator": "unknown_indicator",
}

INTEGER_MESSAGE = "应为整数"
DECIMAL_MESSAGE = "应为数字"
DATE_MESSAGE = "日期格式无法识别，请填写如 2024-11-03 或 2024年11月3日 的日期"
DATE_INVALID_MESSAGE = "不是有效的日期"
DATE_RANGE_MESSAGE = "日期超出合理范围（1800年至2199年）"
PERIOD_MESSAGE = "期间格式无法识别，请填写年月，如 2024-11 或 2024年11月"
PERIOD_INVALID_MESSAGE = "期间的月份应在1至12之间"
NUMBER_TOO_LONG_MESSAGE = "数值过长"
MAX_NUMBER_CHARS = 40
MAX_OPTIONS_SHOWN = 12
EXCEL_EPOCH = dt.date(1899, 12, 30)

_INTEGER_RE = re.compile(r"[+-]?\d+")
_GROUPED_INTEGER_RE = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_DECIMAL_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED_DECIMAL_RE = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL_RE = re.compile(r"(\d{3,5})(?:\.\d+)?")
_PERIOD_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_PERIOD_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*\d{1,2}\s*[日号]?(?:[ T].*)?")
_COMPACT_PERIOD_RE = re.compile(r"(\d{4})(\d{2})")
_CODES_SPLIT_RE = re.compile(r"[、；;,，/\s]+")


_valid_dates: dict[str, bool] = {}


def _valid_ymd(text: str) -> bool:
    """Whether 8 characters YYYYMMDD are a real date from 1800 to 2199 (memoised: few distinct dates)."""
    valid = _valid_dates.get(text)
    if valid is None:
        try:
            valid = (
                text.isascii()
                and text.isdigit()
                and 1800 <= int(text[:4]) <= 2199
                and bool(dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])))
            )
        except ValueError:
            valid = False
        if len(_valid_dates) < 200_000:
            _valid_dates[text] = valid
    return valid


def normalize(value) -> str:
    """Text from anywhere (a form, an API) as ``lib.tables`` would read it."""
    from qingzhuang.lib.tables import cell_text

    return cell_text(value)


# ---------------------------------------------------------------------------------------------
# Parsers, one per value type


def parse_text(value: str, max_length: int = 200) -> Parsed:
    if len(value) > max_length:
        return "", f"内容过长：不能超过{max_length}个字（现有{len(value)}个字）"
    return value, None


def parse_integer(value: str) -> Parsed:
    if len(value) > MAX_NUMBER_CHARS:
        return "", NUMBER_TOO_LONG_MESSAGE
    if _INTEGER_RE.fullmatch(value):
        return str(int(value)), None
    if _GROUPED_INTEGER_RE.fullmatch(value):
        return str(int(value.replace(",", ""))), None
    if _DECIMAL_RE.fullmatch(value) or _GROUPED_DECIMAL_RE.fullmatch(value):
        # "12.0" and "12.00": a whole number typed or stored as a decimal
        whole, _, fraction = value.replace(",", "").partition(".")
        if not fraction.strip("0") and whole not in ("", "+", "-"):
            return str(int(whole)), None
    return "", INTEGER_MESSAGE


def parse_decimal(value: str) -> Parsed:
    if len(value) > MAX_NUMBER_CHARS:
        return "", NUMBER_TOO_LONG_MESSAGE
    text = value
    if not _DECIMAL_RE.fullmatch(text):
        if not _GROUPED_DECIMAL_RE.fullmatch(text):
            return "", DECIMAL_MESSAGE
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns only let numbers through
        return "", DECIMAL_MESSAGE
    return decimal_text(number), None


def decimal_text(number: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros: 1234.50 → "1234.5", 1E+2 → "100"."""
    if number == 0:
        return "0"
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_date(value: str) -> Parsed:
    if (
        len(value) == 10
        and value[4] == "-"
        and value[7] == "-"
        and _valid_ymd(value[:4] + value[5:7] + value[8:])
    ):
        return value, None
    match = _DATE_RE.fullmatch(value)
    if match is None:
        match = _COMPACT_DATE_RE.fullmatch(value)
    if match is not None:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        if not 1800 <= year <= 2199:
            return "", DATE_RANGE_MESSAGE
        try:
            return dt.date(year, month, day).isoformat(), None
        except ValueError:
            return "", DATE_INVALID_MESSAGE
    serial = _SERIAL_RE.fullmatch(value)
    if serial is not None:
        return _excel_serial(int(serial[1]))
    return "", DATE_MESSAGE


def _excel_serial(number: int) -> Parsed:
    """An Excel date serial (days since 1899-12-30; Excel's fictitious 1900-02-29 is day 60).

    A four-digit number that looks like a year is not taken for a serial.
    """
    if 1800 <= number <= 2200 or number == 60:
        return "", DATE_MESSAGE
    if number < 60:
        number += 1
    return (EXCEL_EPOCH + dt.timedelta(days=number)).isoformat(), None


def parse_period(value: str) -> Parsed:
    match = (
        _PERIOD_RE.fullmatch(value) or _COMPACT_PERIOD_RE.fullmatch(value) or _PERIOD_DATE_RE.fullmatch(value)
    )
    if match is None:
        return "", PERIOD_MESSAGE
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return "", PERIOD_INVALID_MESSAGE
    if not 1800 <= year <= 2199:
        return "", DATE_RANGE_MESSAGE
    return f"{year:04d}-{month:02d}", None


def options_text(code_list: Iterable[str]) -> str:
    options = list(code_list)
    if len(options) > MAX_OPTIONS_SHOWN:
        return "、".join(options[:MAX_OPTIONS_SHOWN]) + f"等{len(options)}项"
    return "、".join(options)


def parse_code(value: str, code_list: Iterable[str]) -> Parsed:
    return _code_parser(tuple(code_list))(value)


def _code_parser(code_list: tuple[str, ...]) -> Parser:
    allowed = frozenset(code_list)
    message = f"不在代码表中，可填：{options_text(code_list)}"

    def parse(value: str) -> Parsed:
        if value in allowed:
            return value, None
        return "", message

    return parse


def parse_codes(value: str, code_list: Iterable[str]) -> Parsed:
    return _codes_parser(tuple(code_list))(value)


def _codes_parser(code_list: tuple[str, ...]) -> Parser:
    order = {code: i for i, code in enumerate(code_list)}
    options = options_text(code_list)

    def parse(value: str) -> Parsed:
        if value in order:
            return value, None
        items = [item for item in _CODES_SPLIT_RE.split(value) if item]
        unknown = [item for item in items if item not in order]
        if unknown:
            quoted = "、".join(f"“{item}”" for item in dict.fromkeys(unknown))
            return "", f"{quoted}不在代码表中，可填：{options}"
        return "、".join(sorted(set(items), key=order.__getitem__)), None

    return parse


def parse_id_number(value: str) -> Parsed:
    # Fast path: a well-formed number with a valid birth date and check digit (almost every row).
    if ids.is_valid_id_number(value):
        return value, None
    normalised = ids.normalize_id_number(value)
    error = ids.id_number_error(normalised)
    if error:
        return "", error
    return normalised, None


def parse_credit_code(value: str) -> Parsed:
    normalised = ids.normalize_credit_code(value)
    error = ids.credit_code_error(normalised)
    if error:
        return "", error
    return normalised, None


def parse_phone(value: str) -> Parsed:
    if ids.is_mobile(value):
        return value, None
    error = ids.phone_error(value)
    if error:
        return "", error
    return ids.normalize_phone(value), None


def parse_plain(value: str) -> Parsed:
    return value, None


def parser_for(value_type: str, *, max_length: int = 200, code_list: Iterable[str] = ()) -> Parser:
    """The parser of ``value_type`` with its options bound."""
    if value_type == "text":

        def parse_text_bound(value: str) -> Parsed:
            if len(value) > max_length:
                return parse_text(value, max_length)
            return value, None

        return parse_text_bound
    if value_type == "code":
        return _code_parser(tuple(code_list))
    if value_type == "codes":
        return _codes_parser(tuple(code_list))
    simple = {
        "integer": parse_integer,
        "decimal": parse_decimal,
        "date": parse_date,
        "period": parse_period,
        "id_number": parse_id_number,
        "credit_code": parse_credit_code,
        "phone": parse_phone,
        "unit": parse_plain,
        "indicator": parse_plain,
    }
    try:
        return simple[value_type]
    except KeyError:
        raise ValueError(f"unknown value type {value_type!r}") from None


def parse(value_type: str, value, *, max_length: int = 200, code_list: Iterable[str] = ()) -> Parsed:
    """Normalise ``value`` (any cell or form input) and parse it; a blank value is ("", None)."""
    text = normalize(value)
    if not text:
        return "", None
    return parser_for(value_type, max_length=max_length, code_list=code_list)(text)
