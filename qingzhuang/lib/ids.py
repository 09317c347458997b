"""Chinese identifiers: 公民身份号码 (GB 11643-1999), 统一社会信用代码 (GB 32100-2015), mobile numbers, masking."""

from __future__ import annotations

import datetime as dt
import operator
import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_ASCII_OFFSET = 48 * sum(_ID_WEIGHTS)
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# GB 32100: 18 characters from 31 (no I, O, Z, S or V); weights 3^(i-1) mod 31; check = (31 - sum mod 31) mod 31.
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {c: i for i, c in enumerate(_CREDIT_CHARS)}
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{18}$")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the first 17 characters of an ID number must be digits")
    # Digit bytes are 48 + d: sum the weighted bytes in C, then take the 48s back out.
    total = sum(map(operator.mul, first17.encode("ascii"), _ID_WEIGHTS)) - _ID_ASCII_OFFSET
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def id_number_error(value: str) -> str | None:
    """Return a Chinese reason why ``value`` is not a valid 18-digit ID, or None."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", value) or (value.isdigit() and len(value) in (15, 16, 17)):
            return "公民身份号码位数不足，可能被 Excel 当作数字保存而丢失末位，请将该列设为文本后重新导出"
        return "公民身份号码应为18位（前17位为数字，末位为数字或X）"
    try:
        id_birth_date(value)
    except ValueError:
        return "公民身份号码中的出生日期无效"
    if id_check_char(value[:17]) != value[17]:
        return "公民身份号码校验位错误"
    return None


def id_birth_date(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_gender(value: str) -> str:
    """'男' or '女' from the 17th digit."""
    return "男" if int(value[16]) % 2 else "女"


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def credit_code_error(value: str) -> str | None:
    """Return a Chinese reason why ``value`` is not a valid 统一社会信用代码, or None."""
    value = normalize_credit_code(value)
    if not _CREDIT_RE.match(value):
        return "统一社会信用代码应为18位数字或大写字母（不使用I、O、Z、S、V）"
    if credit_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位错误"
    return None


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s\-－—]", "", value.strip()) if value else ""


def phone_error(value: str) -> str | None:
    digits = normalize_phone(value)
    if _MOBILE_RE.match(digits) or _LANDLINE_RE.match(value.strip()):
        return None
    return "手机号码应为11位、以1开头的数字（或带区号的固定电话）"


def mask_id_number(value: str) -> str:
    """4212**********1234: first 4 and last 4 characters kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678: first 3 and last 4 kept."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
