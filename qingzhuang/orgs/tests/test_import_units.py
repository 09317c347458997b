import pytest
from django.core.exceptions import PermissionDenied

from conftest import make_user
from qingzhuang.orgs.imports import units_export, units_import
from qingzhuang.orgs.models import AuditLog, Unit
from qingzhuang.orgs.tests.transfer_files import UNIT_HEADER, units_csv, xlsx_file

ROOT, TOWN_A, VILLAGE_A, GRID_A, TOWN_B = "429901000000", "429901001000", "429901001201", "429901001501", "429901002000"


def snapshot():
    return list(Unit.objects.order_by("code").values_list("code", "name", "kind", "parent__code", "path", "depth"))


def only_error(result) -> dict:
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    return result.errors[0].to_dict()


# ---- it works


def test_creates_units_children_before_parents(county, users, tmp_path):
    path = units_csv(
        tmp_path,
        ["429901003201", "丙村", "村", "429901003000"],
        ["429901003501", "丙村一网格", "网格", "429901003201"],
        ["429901003000", "丙镇", "乡镇", ROOT],
    )
    result = units_import(actor=users["sysadmin"], path=path)
    assert result.to_json() == {"ok": True, "kind": "units", "dry_run": False, "total": 3, "created": 3,
                                "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    grid = Unit.objects.get(code="429901003501")
    assert (grid.path, grid.depth, grid.kind) == (f"/{ROOT}/429901003000/429901003201/429901003501/", 3, "grid")
    assert grid.parent.code == "429901003201"
    assert grid.created_at is not None


def test_audits_each_unit_and_the_import(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT], [TOWN_A, "甲镇（新）", "乡镇", ROOT])
    units_import(actor=users["sysadmin"], path=path, filename="丙镇.csv")
    created = AuditLog.objects.get(action="unit.create", object_repr__contains="丙镇")
    assert created.actor == users["sysadmin"]
    assert created.after == {"code": "429901003000", "name": "丙镇", "kind": "township", "parent": ROOT,
                             "is_active": True}
    updated = AuditLog.objects.get(action="unit.update")
    assert (updated.before["name"], updated.after["name"]) == ("甲镇", "甲镇（新）")
    summary = AuditLog.objects.get(action="unit.import")
    assert summary.after == {"file": "丙镇.csv", "total": 2, "created": 1, "updated": 1, "unchanged": 0}


def test_updates_name_kind_and_moves_subtree(county, users, tmp_path):
    path = units_csv(tmp_path, [VILLAGE_A, "甲社区", "社区", TOWN_B])
    result = units_import(actor=users["sysadmin"], path=path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    village = Unit.objects.get(code=VILLAGE_A)
    assert (village.name, village.kind, village.parent.code) == ("甲社区", "community", TOWN_B)
    grid = Unit.objects.get(code=GRID_A)  # not in the file: follows its parent
    assert (grid.path, grid.depth) == (f"/{ROOT}/{TOWN_B}/{VILLAGE_A}/{GRID_A}/", 3)


def test_nested_moves(county, users, tmp_path):
    # 甲镇 moves under 乙镇 and, in the same file, 甲村 moves out of it under the county.
    path = units_csv(tmp_path, [TOWN_A, "甲镇", "乡镇", TOWN_B], [VILLAGE_A, "甲村", "村", ROOT])
    assert units_import(actor=users["sysadmin"], path=path).ok
    paths = dict(Unit.objects.values_list("code", "path"))
    assert paths[TOWN_A] == f"/{ROOT}/{TOWN_B}/{TOWN_A}/"
    assert paths[VILLAGE_A] == f"/{ROOT}/{VILLAGE_A}/"
    assert paths[GRID_A] == f"/{ROOT}/{VILLAGE_A}/{GRID_A}/"
    assert Unit.objects.get(code=GRID_A).depth == 2


def test_second_import_changes_nothing(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT], [TOWN_A, "甲镇", "乡镇", ROOT])
    first = units_import(actor=users["sysadmin"], path=path)
    before, audits = snapshot(), AuditLog.objects.filter(action__in=["unit.create", "unit.update"]).count()
    second = units_import(actor=users["sysadmin"], path=path)
    assert (first.created, first.unchanged) == (1, 1)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert snapshot() == before
    assert AuditLog.objects.filter(action__in=["unit.create", "unit.update"]).count() == audits


def test_export_then_import_is_unchanged(county, users, tmp_path):
    out = tmp_path / "units.xlsx"
    units_export(user=users["sysadmin"], path=out, fmt="xlsx")
    result = units_import(actor=users["sysadmin"], path=out)
    assert (result.ok, result.total, result.unchanged) == (True, 8, 8)


def test_dry_run_writes_nothing(county, users, tmp_path):
    before, audits = snapshot(), AuditLog.objects.count()
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT], [TOWN_A, "甲镇改名", "乡镇", ROOT])
    result = units_import(actor=users["sysadmin"], path=path, dry_run=True)
    assert (result.ok, result.dry_run, result.created, result.updated) == (True, True, 1, 1)
    assert snapshot() == before
    assert AuditLog.objects.count() == audits


def test_xlsx_with_title_row_numeric_codes_and_kind_aliases(db, tmp_path):
    path = xlsx_file(tmp_path / "u.xlsx", [UNIT_HEADER, [429902000000, "绿水县", "县", None],
                                           ["429902001000", "某街道", "街道", 429902000000],
                                           ["４２９９０２９００００１", "县政府办", "县（市、区）", "429902000000"]],
                     title="绿水县组织机构表")
    result = units_import(actor=None, path=path)
    assert result.ok, result.errors
    assert dict(Unit.objects.values_list("code", "kind")) == {
        "429902000000": "county", "429902001000": "street", "429902900001": "county"}


def test_gbk_csv(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT], encoding="gbk")
    assert units_import(actor=users["sysadmin"], path=path).created == 1


def test_system_may_create_a_new_root(county, tmp_path):
    path = units_csv(tmp_path, ["429902000000", "绿水县", "县（市、区）", ""])
    assert units_import(actor=None, path=path).created == 1
    assert Unit.objects.get(code="429902000000").path == "/429902000000/"


# ---- every problem, with row, column, value and message


def test_unknown_parent(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", "429909999999"])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "上级单位代码", "value": "429909999999", "code": "unknown_parent",
        "message": "上级单位代码不存在（本文件和您可管理的单位中都没有）"}


def test_duplicate_code_in_file(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT], ["429901003000", "丁镇", "乡镇", ROOT])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 3, "column": "单位代码", "value": "429901003000", "code": "duplicate",
        "message": "单位代码与第2行重复"}


def test_cycle_in_file(county, users, tmp_path):
    path = units_csv(tmp_path, ["A1", "甲", "其他", "B1"], ["B1", "乙", "其他", "A1"])
    result = units_import(actor=users["sysadmin"], path=path)
    assert [e.to_dict() for e in result.errors] == [
        {"row": 2, "column": "上级单位代码", "value": "B1", "code": "cycle", "message": "上级单位形成循环：A1 → B1 → A1"},
        {"row": 3, "column": "上级单位代码", "value": "A1", "code": "cycle", "message": "上级单位形成循环：B1 → A1 → B1"},
    ]
    assert result.rejected == 2


def test_cycle_through_the_database(county, users, tmp_path):
    # 甲镇 under its own grid (which is not in the file) would loop.
    path = units_csv(tmp_path, [TOWN_A, "甲镇", "乡镇", GRID_A])
    error = only_error(units_import(actor=users["sysadmin"], path=path))
    assert error["message"] == f"上级单位形成循环：{TOWN_A} → {GRID_A} → {TOWN_A}"
    assert (error["row"], error["code"]) == (2, "cycle")


def test_own_parent(county, users, tmp_path):
    path = units_csv(tmp_path, [TOWN_A, "甲镇", "乡镇", TOWN_A])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "上级单位代码", "value": TOWN_A, "code": "cycle", "message": "上级单位不能是本单位"}


def test_unknown_type(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "镇政府", ROOT])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "单位类型", "value": "镇政府", "code": "unknown_kind",
        "message": "未知的单位类型，可选：县（市、区）、县委、县政府、部门、乡镇、街道、村、社区、网格、其他"}


def test_blank_type(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "", ROOT])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "单位类型", "value": "", "code": "required", "message": "单位类型不能为空"}


def test_blank_name(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "", "乡镇", ROOT])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "单位名称", "value": "", "code": "required", "message": "单位名称不能为空"}


def test_bad_code(county, users, tmp_path):
    path = units_csv(tmp_path, ["4299/01", "丙镇", "乡镇", ROOT])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "单位代码", "value": "4299/01", "code": "invalid_code",
        "message": "单位代码只能由字母、数字和连字符组成，最长32位"}


def test_blank_code(county, users, tmp_path):
    path = units_csv(tmp_path, ["", "丙镇", "乡镇", ROOT])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "单位代码", "value": "", "code": "required", "message": "单位代码不能为空"}


def test_missing_column(county, users, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("单位代码,单位名称\n1,x\n", encoding="utf-8")
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 1, "column": "单位类型、上级单位代码", "value": None, "code": "missing_column",
        "message": "缺少必填列：单位类型、上级单位代码"}


def test_every_problem_is_reported_at_once(county, users, tmp_path):
    path = units_csv(tmp_path, ["", "x", "乡镇", ROOT], ["429901003000", "", "坏类型", "NOPE"])
    result = units_import(actor=users["sysadmin"], path=path)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "单位代码"), (3, "上级单位代码"), (3, "单位名称"), (3, "单位类型")]
    assert result.rejected == 2


def test_one_bad_row_among_many_writes_nothing(county, users, tmp_path):
    rows = [[f"4299010030{i:02d}", f"新村{i}", "村", TOWN_A] for i in range(60)]
    rows[41][2] = "村庄"
    before, audits = snapshot(), AuditLog.objects.count()
    result = units_import(actor=users["sysadmin"], path=units_csv(tmp_path, *rows))
    assert only_error(result)["row"] == 43
    assert (result.created, result.rejected, result.total) == (0, 1, 60)
    assert snapshot() == before
    assert AuditLog.objects.count() == audits


# ---- permission and scope


def test_role_without_manage_units_is_refused(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT])
    with pytest.raises(PermissionDenied):
        units_import(actor=users["grassroots"], path=path)
    assert not Unit.objects.filter(code="429901003000").exists()


@pytest.fixture
def town_admin(county):
    """A 系统管理员 whose unit is 甲镇: may manage units inside 甲镇 only."""
    return make_user("town_admin", county["town_a"], "系统管理员")


def test_scoped_admin_imports_inside_scope(county, town_admin, tmp_path):
    path = units_csv(tmp_path, [TOWN_A, "甲镇", "乡镇", ROOT], ["429901001202", "甲二村", "村", TOWN_A])
    result = units_import(actor=town_admin, path=path)
    assert (result.ok, result.created, result.unchanged) == (True, 1, 1)


def test_unit_outside_scope_is_an_error(county, town_admin, tmp_path):
    path = units_csv(tmp_path, ["429901002201", "乙村改名", "村", TOWN_B])
    assert only_error(units_import(actor=town_admin, path=path)) == {
        "row": 2, "column": "单位代码", "value": "429901002201", "code": "out_of_scope",
        "message": "单位代码不在您的管理范围内"}
    assert Unit.objects.get(code="429901002201").name == "乙村"


def test_parent_outside_scope_looks_like_a_missing_parent(county, town_admin, tmp_path):
    path = units_csv(tmp_path, ["429901002202", "乙二村", "村", TOWN_B], ["429901001202", "甲二村", "村", "429909999999"])
    result = units_import(actor=town_admin, path=path)
    assert [(e.value, e.code, e.message) for e in result.errors] == [
        (TOWN_B, "unknown_parent", "上级单位代码不存在（本文件和您可管理的单位中都没有）"),
        ("429909999999", "unknown_parent", "上级单位代码不存在（本文件和您可管理的单位中都没有）"),
    ]


def test_moving_a_unit_out_of_scope_is_refused(county, town_admin, tmp_path):
    path = units_csv(tmp_path, [VILLAGE_A, "甲村", "村", TOWN_B])
    assert only_error(units_import(actor=town_admin, path=path))["code"] == "unknown_parent"


def test_new_root_outside_scope_is_refused(county, users, tmp_path):
    path = units_csv(tmp_path, ["429902000000", "绿水县", "县", ""])
    assert only_error(units_import(actor=users["sysadmin"], path=path)) == {
        "row": 2, "column": "上级单位代码", "value": "", "code": "out_of_scope",
        "message": "上级单位代码为空表示顶级单位，您只能在自己管理范围内的单位下导入"}


def test_too_deep_tree(county, users, tmp_path):
    codes = [f"{'A' * 28}{i:02d}" for i in range(40)]  # 40 levels of 31 characters > 1024
    rows = [[code, f"层级{i}", "其他", codes[i - 1] if i else ROOT] for i, code in enumerate(codes)]
    result = units_import(actor=users["sysadmin"], path=units_csv(tmp_path, *rows))
    first = result.errors[0].to_dict()
    assert first["code"] == "too_deep" and first["message"] == "单位层级过深，无法保存"
    assert not Unit.objects.filter(code=codes[0]).exists()
