from openpyxl import load_workbook

from qingzhuang.orgs.imports import people_export, units_export
from qingzhuang.orgs.models import AuditLog, Person
from qingzhuang.orgs.services import unit_create


def xlsx_rows(path):
    return [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]


def csv_rows(path):
    return [line.split(",") for line in path.read_bytes().decode("utf-8-sig").splitlines()]


def test_units_export_xlsx(county, users, tmp_path):
    out = tmp_path / "units.xlsx"
    assert units_export(user=users["sysadmin"], path=out, fmt="xlsx") == 8
    rows = xlsx_rows(out)
    assert rows[0] == ["单位代码", "单位名称", "单位类型", "上级单位代码"]
    assert rows[1] == ["429901000000", "青山县", "县（市、区）", None]
    assert ["429901001501", "甲村一网格", "网格", "429901001201"] in rows


def test_units_export_csv_has_bom(county, users, tmp_path):
    out = tmp_path / "units.csv"
    units_export(user=users["sysadmin"], path=out, fmt="csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert csv_rows(out)[2] == ["429901001000", "甲镇", "乡镇", "429901000000"]


def test_units_export_is_scoped(county, users, tmp_path):
    out = tmp_path / "units.csv"
    assert units_export(user=users["member"], path=out, fmt="csv") == 3
    assert [r[0] for r in csv_rows(out)[1:]] == ["429901001000", "429901001201", "429901001501"]


def test_units_export_for_user_without_unit_is_empty(county, users, tmp_path):
    out = tmp_path / "units.csv"
    assert units_export(user=users["nobody"], path=out, fmt="csv") == 0
    assert len(csv_rows(out)) == 1


def test_formula_is_neutralised_in_export(county, users, tmp_path):
    from django.db import transaction

    with transaction.atomic():
        unit_create(actor=None, code="429901009000", name='=HYPERLINK("http://evil","点我")', kind="other",
                    parent=county["root"])
    Person.objects.create(name="@SUM(1+1)", unit=county["town_a"], title="-2+3")
    out_xlsx, out_csv = tmp_path / "u.xlsx", tmp_path / "p.csv"
    units_export(user=users["sysadmin"], path=out_xlsx, fmt="xlsx")
    people_export(user=users["sysadmin"], path=out_csv, fmt="csv")
    workbook = load_workbook(out_xlsx).active
    assert all(c.data_type != "f" for row in workbook.iter_rows() for c in row)
    assert ["429901009000", "'=HYPERLINK(\"http://evil\",\"点我\")", "其他", "429901000000"] in xlsx_rows(out_xlsx)
    assert "'@SUM(1+1),429901001000,'-2+3,," in out_csv.read_bytes().decode("utf-8-sig")


def test_people_export_is_masked_without_permission(people, users, tmp_path):
    out = tmp_path / "p.xlsx"
    assert people_export(user=users["sysadmin"], path=out, fmt="xlsx") == 2
    assert xlsx_rows(out) == [
        ["姓名", "单位代码", "职务", "手机", "公民身份号码"],
        ["张三", "429901001201", "村党支部书记", "138****5678", "1101**********002X"],
        ["李四", "429901002201", "村委会主任", "139****4321", None],
    ]
    assert not AuditLog.objects.filter(action="person.export").exists()


def test_people_export_unmasked_with_permission_is_audited(people, users, tmp_path):
    out = tmp_path / "p.csv"
    assert people_export(user=users["member"], path=out, fmt="csv") == 1  # scoped to 甲镇
    assert csv_rows(out)[1] == ["张三", "429901001201", "村党支部书记", "13812345678", "11010519491231002X"]
    entry = AuditLog.objects.get(action="person.export")
    assert entry.actor == users["member"]
    assert entry.after == {"rows": 1, "format": "csv"}
