import pytest
from django.core.exceptions import PermissionDenied

from qingzhuang.lib import ids
from qingzhuang.orgs.imports import people_export, people_import
from qingzhuang.orgs.models import AuditLog, Person
from qingzhuang.orgs.tests.transfer_files import PEOPLE_HEADER, people_csv, xlsx_file

VILLAGE_A, VILLAGE_B, TOWN_A = "429901001201", "429901002201", "429901001000"
ZHANG_ID = "11010519491231002X"
EXCEL_MESSAGE = "公民身份号码位数不足，可能被 Excel 当作数字保存而丢失末位，请将该列设为文本后重新导出"


def make_id(first17: str) -> str:
    return first17 + ids.id_check_char(first17)


NEW_ID = make_id("42122119900101001")
OTHER_ID = make_id("42122119850505002")


def snapshot():
    return list(Person.objects.order_by("id").values_list("name", "unit__code", "title", "phone", "id_number"))


def only_error(result) -> dict:
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    return result.errors[0].to_dict()


# ---- it works


def test_creates_people(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "村委会委员", "139 0000 1111", NEW_ID.lower()],
                      ["赵六", TOWN_A, "副镇长", "", ""])
    result = people_import(actor=users["sysadmin"], path=path)
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 2, 0, 0)
    wang = Person.objects.get(name="王五")
    assert (wang.unit.code, wang.title, wang.phone, wang.id_number) == (VILLAGE_A, "村委会委员", "13900001111", NEW_ID)
    entry = AuditLog.objects.get(action="person.create", object_id=str(wang.pk))
    assert entry.after["id_number"] == ids.mask_id_number(NEW_ID)  # personal data masked in the log
    assert entry.after["phone"] == "139****1111"
    assert AuditLog.objects.filter(action="person.import").count() == 1


def test_person_with_id_is_matched_by_id_and_moved(people, users, tmp_path):
    path = people_csv(tmp_path, ["张三", VILLAGE_B, "村党支部书记", "13812345678", ZHANG_ID])
    result = people_import(actor=users["sysadmin"], path=path)
    assert (result.created, result.updated) == (0, 1)
    assert Person.objects.get(pk=people["a"].pk).unit.code == VILLAGE_B
    entry = AuditLog.objects.get(action="person.update")
    assert (entry.before["unit"], entry.after["unit"]) == (VILLAGE_A, VILLAGE_B)


def test_person_without_id_is_matched_by_name_and_unit(people, users, tmp_path):
    path = people_csv(tmp_path, ["李四", VILLAGE_B, "村委会主任兼文书", "13987654321", ""],
                      ["张三", VILLAGE_A, "村党支部书记", "13812345678", ""])
    result = people_import(actor=users["sysadmin"], path=path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Person.objects.get(pk=people["b"].pk).title == "村委会主任兼文书"
    assert Person.objects.get(pk=people["a"].pk).id_number == ZHANG_ID  # a blank ID never erases one


def test_adding_an_id_to_a_known_person(people, users, tmp_path):
    path = people_csv(tmp_path, ["李四", VILLAGE_B, "村委会主任", "13987654321", OTHER_ID])
    result = people_import(actor=users["sysadmin"], path=path)
    assert (result.created, result.updated) == (0, 1)
    assert Person.objects.get(pk=people["b"].pk).id_number == OTHER_ID


def test_optional_columns_may_be_left_out(people, users, tmp_path):
    path = people_csv(tmp_path, ["李四", VILLAGE_B], header=["姓名", "单位代码"])
    result = people_import(actor=users["sysadmin"], path=path)
    assert (result.ok, result.unchanged) == (True, 1)
    assert Person.objects.get(pk=people["b"].pk).phone == "13987654321"


def test_second_import_changes_nothing(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "委员", "13900001111", NEW_ID], ["赵六", TOWN_A, "", "", ""])
    people_import(actor=users["sysadmin"], path=path)
    before, audits = snapshot(), AuditLog.objects.filter(action__startswith="person.").exclude(
        action="person.import").count()
    result = people_import(actor=users["sysadmin"], path=path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot() == before
    assert AuditLog.objects.filter(action__startswith="person.").exclude(action="person.import").count() == audits


def test_export_then_import_is_unchanged(people, users, tmp_path):
    out = tmp_path / "people.xlsx"
    people_export(user=None, path=out, fmt="xlsx")
    result = people_import(actor=users["sysadmin"], path=out)
    assert (result.ok, result.unchanged) == (True, 2)


def test_masked_export_cannot_overwrite_real_data(people, users, tmp_path):
    out = tmp_path / "people.csv"
    people_export(user=users["sysadmin"], path=out, fmt="csv")  # 系统管理员 holds no view_personal_data
    result = people_import(actor=users["sysadmin"], path=out)
    assert {(e.column, e.code) for e in result.errors} == {("手机", "invalid_phone"), ("公民身份号码", "invalid_id_number")}
    assert Person.objects.get(pk=people["a"].pk).phone == "13812345678"


def test_dry_run_writes_nothing(people, users, tmp_path):
    before, audits = snapshot(), AuditLog.objects.count()
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "", NEW_ID], ["张三", VILLAGE_A, "书记", "", ZHANG_ID])
    result = people_import(actor=users["sysadmin"], path=path, dry_run=True)
    assert (result.ok, result.dry_run, result.created, result.updated) == (True, True, 1, 1)
    assert snapshot() == before
    assert AuditLog.objects.count() == audits


def test_grassroots_cadre_imports_inside_own_township(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "", ""])
    assert people_import(actor=users["member"], path=path).created == 1


# ---- every problem


def test_id_stored_by_excel_as_a_number_is_rejected(people, users, tmp_path):
    path = xlsx_file(tmp_path / "p.xlsx", [PEOPLE_HEADER, ["王五", VILLAGE_A, "", "", 421221199001011000]])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "公民身份号码", "value": "4.21221199001011E+17", "code": "invalid_id_number",
        "message": EXCEL_MESSAGE}


def test_id_with_lost_digits_is_rejected(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "", "42122119900101001"])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "公民身份号码", "value": "42122119900101001", "code": "invalid_id_number",
        "message": EXCEL_MESSAGE}


def test_id_with_wrong_check_digit(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "", "110105194912310021"])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "公民身份号码", "value": "110105194912310021", "code": "invalid_id_number",
        "message": "公民身份号码校验位错误"}


def test_bad_phone(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "1380013", ""])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "手机", "value": "1380013", "code": "invalid_phone",
        "message": "手机号码应为11位、以1开头的数字（或带区号的固定电话）"}


def test_blank_name(people, users, tmp_path):
    path = people_csv(tmp_path, ["", VILLAGE_A, "书记", "", ""])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "姓名", "value": "", "code": "required", "message": "姓名不能为空"}


def test_unknown_unit(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", "429909999999", "", "", ""])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "单位代码", "value": "429909999999", "code": "unknown_unit",
        "message": "单位代码不存在（在您可管理的单位中未找到）"}


def test_blank_unit(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", "", "", "", ""])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "单位代码", "value": "", "code": "required", "message": "单位代码不能为空"}


def test_unit_outside_scope_looks_like_a_missing_unit(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_B, "", "", ""])
    assert only_error(people_import(actor=users["member"], path=path)) == {
        "row": 2, "column": "单位代码", "value": VILLAGE_B, "code": "unknown_unit",
        "message": "单位代码不存在（在您可管理的单位中未找到）"}


def test_id_registered_outside_scope(people, users, tmp_path):
    Person.objects.create(name="钱七", unit=people["b"].unit, id_number=OTHER_ID)
    path = people_csv(tmp_path, ["钱七", VILLAGE_A, "", "", OTHER_ID])
    assert only_error(people_import(actor=users["member"], path=path)) == {
        "row": 2, "column": "公民身份号码", "value": OTHER_ID, "code": "id_registered",
        "message": "该公民身份号码已登记"}
    assert Person.objects.get(id_number=OTHER_ID).unit.code == VILLAGE_B


def test_duplicate_id_in_file(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "", NEW_ID], ["王伍", VILLAGE_A, "", "", NEW_ID])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 3, "column": "公民身份号码", "value": NEW_ID, "code": "duplicate",
        "message": "公民身份号码与第2行重复"}


def test_duplicate_name_and_unit_without_id(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "", ""], ["王五", VILLAGE_A, "委员", "", ""])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 3, "column": "姓名", "value": "王五", "code": "duplicate",
        "message": "与第2行姓名和单位代码相同；同名人员请填写公民身份号码以区分"}


def test_two_rows_for_the_same_person(people, users, tmp_path):
    # Row 2 renames 张三 (found by his ID); row 3 still finds him by his old name.
    path = people_csv(tmp_path, ["张叁", VILLAGE_A, "", "", ZHANG_ID], ["张三", VILLAGE_A, "书记", "", ""])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 3, "column": "姓名", "value": "张三", "code": "duplicate", "message": "与第2行是同一人，请合并为一行"}


def test_ambiguous_name(people, users, tmp_path):
    Person.objects.create(name="李四", unit=people["b"].unit, title="文书")
    path = people_csv(tmp_path, ["李四", VILLAGE_B, "主任", "", ""])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "姓名", "value": "李四", "code": "ambiguous",
        "message": "该单位有多名同名人员，请填写公民身份号码以区分"}


def test_missing_column(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", "x"], header=["姓名", "职务"])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 1, "column": "单位代码", "value": None, "code": "missing_column", "message": "缺少必填列：单位代码"}


def test_one_bad_row_among_many_writes_nothing(people, users, tmp_path):
    rows = [[f"新人{i}", VILLAGE_A, "", "", ""] for i in range(50)]
    rows[30][3] = "12345"
    before, audits = snapshot(), AuditLog.objects.count()
    result = people_import(actor=users["sysadmin"], path=people_csv(tmp_path, *rows))
    assert (only_error(result)["row"], result.created, result.total) == (32, 0, 50)
    assert snapshot() == before
    assert AuditLog.objects.count() == audits


def test_role_without_manage_people_is_refused(people, users, tmp_path):
    with pytest.raises(PermissionDenied):
        people_import(actor=users["leader"], path=people_csv(tmp_path, ["王五", VILLAGE_A, "", "", ""]))
    assert not Person.objects.filter(name="王五").exists()


def test_row_without_id_clashing_with_a_row_with_id(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "", ""], ["王五", VILLAGE_A, "委员", "", NEW_ID])
    assert only_error(people_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "姓名", "value": "王五", "code": "duplicate",
        "message": "与第3行姓名和单位代码相同；同名人员请填写公民身份号码以区分"}


def test_namesakes_with_ids_in_one_unit(people, users, tmp_path):
    path = people_csv(tmp_path, ["王五", VILLAGE_A, "", "", NEW_ID], ["王五", VILLAGE_A, "", "", OTHER_ID])
    assert people_import(actor=users["sysadmin"], path=path).created == 2
    assert people_import(actor=users["sysadmin"], path=path).unchanged == 2
