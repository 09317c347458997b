"""Chinese identifiers: 公民身份号码 (GB 11643-1999), 统一社会信用代码 (GB 32100-2015), 组织机构代码
(GB 11714-1997), mobile numbers, masking. Every check of these numbers lives here."""

from __future__ import annotations

import datetime as dt
import operator
import re

# GB 11643: weights 2^(17-i) mod 11 of the first 17 digits; the check character indexed by the sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_ASCII_OFFSET = 48 * sum(ID_WEIGHTS)
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_ID_FAST_RE = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_MOBILE_FAST_RE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# GB 32100: 18 characters from 31 (no I, O, Z, S or V); weights 3^(i-1) mod 31; check = (31 - sum mod 31) mod 31.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {c: i for i, c in enumerate(CREDIT_CHARS)}
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{18}$")
# GB 11714 (the 主体标识码 inside a credit code): weights of the first 8 characters (A=10 … Z=35).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_valid_birth_dates: dict[str, bool] = {}


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the first 17 characters of an ID number must be digits")
    # Digit bytes are 48 + d: sum the weighted bytes in C, then take the 48s back out.
    total = sum(map(operator.mul, first17.encode("ascii"), ID_WEIGHTS)) - _ID_ASCII_OFFSET
    return ID_CHECK_CHARS[total % 11]


def is_valid_id_number(value: str) -> bool:
    """Whether ``value`` (already normalised) is a valid 18-character ID: the fast path of bulk imports.

    Same verdict as ``id_number_error(value) is None`` for a normalised value. GB 11643's weights
    are 2^k mod 11, and 13 ≡ 2 (mod 11): reading the 17 digits as a base-13 number (in C) gives
    the weighted sum modulo 11, halved.
    """
    return (
        len(value) == 18
        and _ID_FAST_RE.fullmatch(value) is not None
        and _real_birth_date(value[6:14])
        and ID_CHECK_CHARS[2 * int(value[:17], 13) % 11] == value[17]
    )


def _real_birth_date(text: str) -> bool:
    """Whether 8 ASCII digits YYYYMMDD are a real date (memoised: few distinct birth dates)."""
    valid = _valid_birth_dates.get(text)
    if valid is None:
        try:
            valid = bool(dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])))
        except ValueError:
            valid = False
        if len(_valid_birth_dates) < 200_000:
            _valid_birth_dates[text] = valid
    return valid


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


def id_birth_date_text(value: str) -> str:
    """The birth date of a valid ID number as "YYYY-MM-DD" (no date object: for hot loops)."""
    return f"{value[6:10]}-{value[10:12]}-{value[12:14]}"


def id_gender(value: str) -> str:
    """'男' or '女' from the 17th digit."""
    return "男" if int(value[16]) % 2 else "女"


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character of an organisation code (A=10 … Z=35): a digit or X."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


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


def is_mobile(value: str) -> bool:
    """Whether ``value`` is exactly an 11-digit mobile number (fast path; no normalising)."""
    return len(value) == 11 and _MOBILE_FAST_RE.fullmatch(value) is not None


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
