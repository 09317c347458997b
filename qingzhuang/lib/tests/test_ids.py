import datetime as dt

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
