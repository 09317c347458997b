"""The import engine: it works, and every validation rule reports row, column, value, code and message."""

import datetime as dt

import pytest

from qingzhuang.ledger.imports import import_file
from qingzhuang.ledger.models import Record, RecordChange
from qingzhuang.ledger.tests.import_files import (
    POPULATION_HEADERS,
    VILLAGE_A,
    VILLAGE_B,
    id_number,
    person,
    population_csv,
    rows_of,
    write_csv,
)
from qingzhuang.lib import ids
from qingzhuang.orgs.models import AuditLog


def run(catalog, path, *, actor=None, code="population", **kwargs):
    return import_file(actor=actor, dataset=catalog[code], path=path, **kwargs)


def only_error(result) -> dict:
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    return result.errors[0].to_dict()


def test_import_creates_records(catalog, county, tmp_path):
    people = [person(1), person(2, village=VILLAGE_B, 特殊群体="残疾人；低保对象")]
    result = run(catalog, population_csv(tmp_path / "p.csv", people))
    assert result.ok, result.errors
    assert (result.total, result.created, result.updated, result.unchanged, result.rejected) == (2, 2, 0, 0, 0)
    record = Record.objects.get(key=people[1]["公民身份号码"])
    assert record.unit == county["village_b"]
    assert record.version == 1
    assert record.data == {
        "name": "居民2", "id_number": people[1]["公民身份号码"], "gender": people[1]["性别"],
        "birth_date": people[1]["出生日期"], "ethnicity": "汉族", "phone": "13800000002", "unit_code": VILLAGE_B,
        "home_address": "甲村2号", "person_type": "户籍人口", "special_groups": "低保对象、残疾人",
    }
    catalog["population"].refresh_from_db()
    assert catalog["population"].record_count == 2
    assert catalog["population"].last_updated_at is not None
    entry = AuditLog.objects.get(action="ledger.import")
    assert entry.after["created"] == 2 and entry.actor_name == "系统"
    assert result.to_json()["ok"] is True


def test_result_json_shape(catalog, tmp_path):
    result = run(catalog, population_csv(tmp_path / "p.csv", [person(1)]), dry_run=True)
    document = result.to_json()
    assert {"ok", "kind", "dry_run", "total", "created", "updated", "unchanged", "rejected", "errors"} <= set(document)
    assert document["dry_run"] is True and document["created"] == 1


def test_headers_match_element_names_and_synonyms(catalog, tmp_path):
    headers = ["名字", "身份证号", "性别", "出生年月", "手机号", "村（社区）代码", "人口类别", "备注"]
    p = person(1)
    row = [p["姓名"], p["公民身份号码"], p["性别"], p["出生日期"], p["联系电话"], VILLAGE_A, "流动人口", "无关"]
    result = run(catalog, write_csv(tmp_path / "p.csv", [headers, row]))
    assert result.ok, result.errors
    assert Record.objects.get().data["person_type"] == "流动人口"


def test_missing_required_column(catalog, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["姓名", "公民身份号码"], ["张三", person(1)["公民身份号码"]]])
    error = only_error(run(catalog, path))
    assert error["code"] == "missing_column"
    assert error["message"] == "缺少必填列：性别、出生日期、所属村（社区）代码、人员类别"
    assert Record.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value", "code", "message"),
    [
        ("姓名", "", "required", "姓名不能为空"),
        ("姓名", "张" * 51, "too_long", "内容过长：不能超过50个字（现有51个字）"),
        ("性别", "未知", "not_in_code_list", "不在代码表中，可填：男、女"),
        ("出生日期", "1990年13月1日", "invalid_date", "不是有效的日期"),
        ("出生日期", "去年", "invalid_date", "日期格式无法识别，请填写如 2024-11-03 或 2024年11月3日 的日期"),
        ("民族", "火星族", "not_in_code_list", "不在代码表中，可填：汉族、蒙古族、回族、藏族、维吾尔族、苗族、彝族、壮族、布依族、朝鲜族、满族、侗族等56项"),
        ("联系电话", "12345", "invalid_phone", "手机号码应为11位、以1开头的数字（或带区号的固定电话）"),
        ("所属村（社区）代码", "999999999999", "unknown_unit", "单位代码不存在或不在您的管理范围内"),
        ("人员类别", "常驻人口", "not_in_code_list", "不在代码表中，可填：户籍人口、常住人口、流动人口"),
        ("特殊群体", "低保对象、贫困户", "not_in_code_list",
         "“贫困户”不在代码表中，可填：低保对象、特困人员、残疾人、独居老人、留守儿童、退役军人"),
        ("居住地址", "x" * 201, "too_long", "内容过长：不能超过200个字（现有201个字）"),
    ],
)
def test_each_rule_reports_row_column_value_and_message(catalog, tmp_path, column, value, code, message):
    people = [person(1), person(2, **{column: value})]
    result = run(catalog, population_csv(tmp_path / "p.csv", people))
    assert only_error(result) == {"row": 3, "column": column, "value": value, "code": code, "message": message}
    assert result.rejected == 1
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert Record.objects.count() == 0


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("110105194912310021", "invalid_id_number", "公民身份号码校验位错误"),
        ("4.20101195001010E+17", "invalid_id_number",
         "公民身份号码位数不足，可能被 Excel 当作数字保存而丢失末位，请将该列设为文本后重新导出"),
        ("42010119500101001", "invalid_id_number",
         "公民身份号码位数不足，可能被 Excel 当作数字保存而丢失末位，请将该列设为文本后重新导出"),
        ("ABC", "invalid_id_number", "公民身份号码应为18位（前17位为数字，末位为数字或X）"),
        ("", "required", "公民身份号码不能为空"),
    ],
)
def test_id_number_rules(catalog, tmp_path, value, code, message):
    result = run(catalog, population_csv(tmp_path / "p.csv", [person(1, 公民身份号码=value)]))
    assert only_error(result) == {"row": 2, "column": "公民身份号码", "value": value, "code": code,
                                  "message": message}


def test_gender_must_agree_with_id_number(catalog, tmp_path):
    p = person(1)
    wrong = "女" if p["性别"] == "男" else "男"
    error = only_error(run(catalog, population_csv(tmp_path / "p.csv", [{**p, "性别": wrong}])))
    assert error == {"row": 2, "column": "性别", "value": wrong, "code": "id_mismatch",
                     "message": f"性别与公民身份号码不一致：按公民身份号码应为“{p['性别']}”"}


def test_birth_date_must_agree_with_id_number(catalog, tmp_path):
    p = person(1)
    error = only_error(run(catalog, population_csv(tmp_path / "p.csv", [{**p, "出生日期": "2001年2月3日"}])))
    expected = dt.date.fromisoformat(p["出生日期"]).isoformat()
    assert error == {"row": 2, "column": "出生日期", "value": "2001年2月3日", "code": "id_mismatch",
                     "message": f"出生日期与公民身份号码不一致：按公民身份号码应为{expected}"}


def test_duplicate_key_names_the_first_row(catalog, tmp_path):
    p = person(1)
    result = run(catalog, population_csv(tmp_path / "p.csv", [p, person(2), {**p, "姓名": "另一人"}]))
    assert only_error(result) == {"row": 4, "column": "公民身份号码", "value": p["公民身份号码"], "code": "duplicate",
                                  "message": "公民身份号码与第2行重复"}


def test_every_problem_of_a_file_is_reported(catalog, tmp_path):
    people = [person(1, 性别="?"), person(2), person(3, 联系电话="1", 人员类别="")]
    result = run(catalog, population_csv(tmp_path / "p.csv", people))
    assert [(p.row, p.column) for p in result.errors] == [(2, "性别"), (4, "人员类别"), (4, "联系电话")]
    assert result.rejected == 2 and result.error_count == 3


def test_dates_in_every_field_format(catalog, tmp_path):
    birth = dt.date(1988, 3, 5)
    number = id_number(birth, 11)
    serial = (birth - dt.date(1899, 12, 30)).days
    spellings = ["1988年3月5日", "1988.3.5", "1988-03-05", "1988/3/5", "19880305", str(serial)]
    for i, spelling in enumerate(spellings):
        row = person(1, 公民身份号码=number, 性别=ids.id_gender(number), 出生日期=spelling)
        result = run(catalog, population_csv(tmp_path / f"p{i}.csv", [row]))
        assert result.ok, (spelling, result.errors)
        assert Record.objects.get().data["birth_date"] == "1988-03-05"


def test_full_width_digits_and_spaces_are_normalised(catalog, tmp_path):
    p = person(1)
    wide = p["公民身份号码"].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    result = run(catalog, population_csv(tmp_path / "p.csv", [{**p, "公民身份号码": f"　{wide} ", "联系电话": "138 0000 0001"}]))
    assert result.ok, result.errors
    record = Record.objects.get()
    assert record.key == p["公民身份号码"]
    assert record.data["phone"] == "13800000001"


def test_dry_run_writes_nothing_and_reports_the_same(catalog, tmp_path):
    path = population_csv(tmp_path / "p.csv", [person(1), person(2)])
    result = run(catalog, path, dry_run=True)
    assert result.ok and result.dry_run
    assert (result.created, result.total) == (2, 2)
    assert Record.objects.count() == 0
    assert not AuditLog.objects.filter(action="ledger.import").exists()
    bad = run(catalog, population_csv(tmp_path / "bad.csv", [person(1, 性别="?")]), dry_run=True)
    assert only_error(bad)["column"] == "性别"


def test_reimporting_the_same_file_changes_nothing(catalog, tmp_path):
    path = population_csv(tmp_path / "p.csv", [person(i) for i in range(1, 6)])
    assert run(catalog, path).created == 5
    before = list(Record.objects.order_by("id").values_list("id", "version", "updated_at", "data"))
    audits = AuditLog.objects.count()
    again = run(catalog, path)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert list(Record.objects.order_by("id").values_list("id", "version", "updated_at", "data")) == before
    assert RecordChange.objects.count() == 0
    assert AuditLog.objects.count() == audits


def test_same_values_spelled_differently_are_unchanged(catalog, tmp_path):
    p = person(1, 特殊群体="低保对象、残疾人")
    run(catalog, population_csv(tmp_path / "a.csv", [p]))
    birth = dt.date.fromisoformat(p["出生日期"])
    respelled = {**p, "出生日期": f"{birth.year}年{birth.month}月{birth.day}日", "特殊群体": "残疾人;低保对象",
                 "公民身份号码": p["公民身份号码"].lower()}
    result = run(catalog, population_csv(tmp_path / "b.csv", [respelled]))
    assert (result.updated, result.unchanged) == (0, 1)


def test_updates_bump_version_and_write_history(catalog, county, tmp_path, users):
    people = [person(1), person(2)]
    run(catalog, population_csv(tmp_path / "a.csv", people))
    changed = [{**people[0], "联系电话": "13912345678", "所属村（社区）代码": VILLAGE_B}, people[1]]
    result = run(catalog, population_csv(tmp_path / "b.csv", changed), actor=users["sysadmin"])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    record = Record.objects.get(key=people[0]["公民身份号码"])
    assert record.version == 2
    assert record.unit == county["village_b"]
    assert record.data["phone"] == "13912345678"
    change = RecordChange.objects.get()
    assert change.record == record and change.version == 2 and change.actor == users["sysadmin"]
    assert change.before == {"phone": "13800000001", "unit_code": VILLAGE_A}
    assert change.after == {"phone": "13912345678", "unit_code": VILLAGE_B}
    assert Record.objects.get(key=people[1]["公民身份号码"]).version == 1


def test_blank_cell_clears_a_value_and_absent_column_keeps_it(catalog, tmp_path):
    p = person(1, 特殊群体="残疾人")
    run(catalog, population_csv(tmp_path / "a.csv", [p]))
    headers = [h for h in POPULATION_HEADERS if h != "居住地址"]
    run(catalog, write_csv(tmp_path / "b.csv", rows_of([{**p, "特殊群体": ""}], headers)))
    record = Record.objects.get()
    assert "special_groups" not in record.data
    assert record.data["home_address"] == "甲村1号"
    assert RecordChange.objects.get().before == {"special_groups": "残疾人"}


def test_empty_file_and_header_only(catalog, tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    assert only_error(run(catalog, empty))["code"] == "empty"
    header_only = write_csv(tmp_path / "h.csv", [POPULATION_HEADERS])
    assert only_error(run(catalog, header_only)) == {"row": None, "column": None, "value": None, "code": "no_rows",
                                                     "message": "文件中没有数据行"}


def test_limits_come_from_settings(catalog, tmp_path, settings):
    settings.QZ_IMPORT_MAX_ROWS = 2
    result = run(catalog, population_csv(tmp_path / "p.csv", [person(1), person(2), person(3)]))
    assert any(p.code == "too_many_rows" for p in result.errors)
    assert Record.objects.count() == 0


def test_formulas_are_never_evaluated(catalog, tmp_path):
    result = run(catalog, population_csv(tmp_path / "p.csv", [person(1, 居住地址="=HYPERLINK(\"http://x\")")]))
    assert result.ok
    assert Record.objects.get().data["home_address"] == "=HYPERLINK(\"http://x\")"


def test_housing_and_legal_entities(catalog, tmp_path):
    housing = write_csv(tmp_path / "h.csv", [
        ["房屋编号", "所属村（社区）代码", "房屋地址", "房屋用途", "建筑面积", "建成年份", "层数", "房主身份证号"],
        ["F-001", VILLAGE_A, "甲村1号", "住宅", "1,234.50", "1998", "3.0", person(1)["公民身份号码"]],
    ])
    result = run(catalog, housing, code="housing")
    assert result.ok, result.errors
    data = Record.objects.get(dataset=catalog["housing"]).data
    assert (data["floor_area"], data["built_year"], data["floors"]) == ("1234.5", "1998", "3")
    entities = write_csv(tmp_path / "e.csv", [
        ["统一社会信用代码", "单位名称", "所属村（社区）代码", "从业人员数"],
        ["91350100M000100Y43", "甲公司", VILLAGE_A, "12"],
        ["91350100M000100Y44", "乙公司", VILLAGE_A, "十二"],
    ])
    result = run(catalog, entities, code="legal_entities")
    assert [(p.row, p.column, p.code, p.message) for p in result.errors] == [
        (3, "从业人员数", "invalid_integer", "应为整数"),
        (3, "统一社会信用代码", "invalid_credit_code", "统一社会信用代码校验位错误"),
    ]


def test_permission_is_required(catalog, tmp_path, users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="您没有导入一套表数据的权限"):
        run(catalog, population_csv(tmp_path / "p.csv", [person(1)]), actor=users["leader"])
