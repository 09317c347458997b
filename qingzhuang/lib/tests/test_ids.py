import datetime as dt

import pytest

from qingzhuang.lib import ids

VALID = "11010519491231002X"


def test_valid_id_has_no_error():
    assert ids.id_number_error(VALID) is None
    assert ids.id_birth_date(VALID) == dt.date(1949, 12, 31)
    assert ids.id_gender(VALID) == "女"


def test_wrong_check_digit():
    assert ids.id_number_error("110105194912310021") == "公民身份号码校验位错误"


def test_bad_birth_date():
    first17 = "11010519491331002"
    value = first17 + ids.id_check_char(first17)
    assert ids.id_number_error(value) == "公民身份号码中的出生日期无效"


def test_excel_number_loses_digits():
    assert "Excel" in ids.id_number_error("1.10105194912310E+17")
    assert "Excel" in ids.id_number_error("11010519491231002")


def test_wrong_shape():
    assert ids.id_number_error("abc") == "公民身份号码应为18位（前17位为数字，末位为数字或X）"


def test_lowercase_x_is_normalised():
    assert ids.id_number_error(VALID.lower()) is None


def test_masks():
    assert ids.mask_id_number(VALID) == "1101**********002X"
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.mask_phone("") == ""


def test_phone():
    assert ids.phone_error("138 1234 5678") is None
    assert ids.phone_error("0715-1234567") is None
    assert ids.phone_error("12345") == "手机号码应为11位、以1开头的数字（或带区号的固定电话）"


# ---- 统一社会信用代码 (GB 32100-2015)

CREDIT_CODES = ["91350100M000100Y43", "91110000600037341L", "91440300708461136T", "91310000MA1FL1MMXL"]


@pytest.mark.parametrize("code", CREDIT_CODES)
def test_valid_credit_codes(code):
    assert ids.credit_code_error(code) is None
    assert ids.credit_check_char(code[:17]) == code[17]


def test_credit_code_check_character_wrong():
    assert ids.credit_code_error("91350100M000100Y44") == "统一社会信用代码校验位错误"


@pytest.mark.parametrize(
    "code",
    [
        "9135010OM000100Y43",
        "91350100M000100Y4",
        "91350100M000100Y433",
        "913501-0M000100Y43",
        "91350100M000I00Y43",
    ],
)
def test_credit_code_wrong_shape(code):
    assert ids.credit_code_error(code) == "统一社会信用代码应为18位数字或大写字母（不使用I、O、Z、S、V）"


def test_credit_code_lowercase_and_spaces_are_normalised():
    assert ids.credit_code_error(" 91350100m000100y43 ") is None


def test_credit_check_zero_when_sum_is_a_multiple_of_31():
    # Find a body whose weighted sum is a multiple of 31: its check character is "0".
    for n in range(100000):
        body = f"9111000000000{n:04d}"
        if ids.credit_check_char(body) == "0":
            assert ids.credit_code_error(body + "0") is None
            break
    else:  # pragma: no cover
        raise AssertionError("no body found")


def test_id_check_char_rejects_non_digits():
    with pytest.raises(ValueError):
        ids.id_check_char("1101051949123100X")


def test_fast_id_check_agrees_with_the_full_one():
    first17s = [
        "11010519491231002",
        "42122119850229123",
        "42122119840229123",
        "00000018000101000",
        "99999921991231999",
    ]
    candidates = [
        VALID,
        "110105194912310021",
        "11010519491231002x",
        "1101051949123100",
        "11010519491231002X ",
    ]
    candidates += [f + c for f in first17s for c in ids.ID_CHECK_CHARS]
    for value in candidates:
        assert ids.is_valid_id_number(value) == (
            ids.id_number_error(value) is None and value == value.upper().strip()
        ), value


def test_birth_date_text():
    assert ids.id_birth_date_text(VALID) == "1949-12-31"


def test_check_chars_are_gb_11643():
    assert len(ids.ID_WEIGHTS) == 17
    assert ids.ID_WEIGHTS == tuple(2 ** (17 - i) % 11 for i in range(17))
    assert ids.id_check_char(VALID[:17]) == "X"


def test_organisation_code_check_char():
    # The 主体标识码 of the credit code 91350100M000100Y43 is M000100Y-4.
    assert ids.credit_code_error("91350100M000100Y43") is None
    assert ids.org_code_check_char("M000100Y") == "4"
    with pytest.raises(ValueError):
        ids.org_code_check_char("M000100")


def test_is_mobile():
    assert ids.is_mobile("13812345678")
    assert not ids.is_mobile("12812345678")
    assert not ids.is_mobile("138 1234 5678")
    assert not ids.is_mobile("1381234567")
