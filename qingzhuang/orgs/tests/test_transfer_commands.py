import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from qingzhuang.orgs.models import AuditLog, Person, Unit
from qingzhuang.orgs.tests.transfer_files import people_csv, units_csv

ROOT = "429901000000"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_failing(*args) -> tuple[str, CommandError]:
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=out)
    assert exc.value.returncode == 1
    return out.getvalue(), exc.value


def test_import_units_json(county, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT])
    document = json.loads(run("import_units", str(path), "--json"))
    assert document == {"ok": True, "kind": "units", "dry_run": False, "total": 1, "created": 1, "updated": 0,
                        "unchanged": 0, "rejected": 0, "errors": []}
    assert Unit.objects.filter(code="429901003000").exists()
    assert AuditLog.objects.get(action="unit.import").actor_name == "系统"


def test_import_units_readable_summary(county, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT])
    assert run("import_units", str(path), "--dry-run") == (
        "预检通过：共 1 行，新增 1，更新 0，未变化 0，有问题 0 行\n预检未写入任何数据。\n")
    assert not Unit.objects.filter(code="429901003000").exists()


def test_import_units_failure_json(county, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", "NOPE"])
    output, exc = run_failing("import_units", str(path), "--json")
    assert json.loads(output) == {"errors": [{
        "row": 2, "column": "上级单位代码", "value": "NOPE", "code": "unknown_parent",
        "message": "上级单位代码不存在（本文件和您可管理的单位中都没有）"}]}
    assert str(exc) == "导入未通过：1 个问题，没有写入任何数据"
    assert not Unit.objects.filter(code="429901003000").exists()


def test_import_units_failure_readable(county, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "镇府", ROOT])
    output, _ = run_failing("import_units", str(path))
    assert "导入未通过：共 1 行" in output
    assert "第2行【单位类型】“镇府”：未知的单位类型" in output


def test_import_units_as_user_without_permission(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT])
    output, exc = run_failing("import_units", str(path), "--json", "--as", "leader")
    assert json.loads(output) == {"errors": [{"code": "permission_denied", "message": "您没有维护组织架构的权限"}]}
    assert not Unit.objects.filter(code="429901003000").exists()


def test_import_units_as_user_records_the_actor(county, users, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT])
    run("import_units", str(path), "--as", "sysadmin")
    assert AuditLog.objects.get(action="unit.create", object_repr__contains="丙镇").actor == users["sysadmin"]


def test_unknown_user(county, tmp_path):
    path = units_csv(tmp_path, ["429901003000", "丙镇", "乡镇", ROOT])
    output, exc = run_failing("import_units", str(path), "--json", "--as", "ghost")
    assert json.loads(output)["errors"][0]["message"] == "账号不存在或已停用：ghost"


def test_missing_file(county, tmp_path):
    output, exc = run_failing("import_units", str(tmp_path / "none.csv"), "--json")
    assert json.loads(output)["errors"][0]["code"] == "not_found"


def test_import_people(people, tmp_path):
    path = people_csv(tmp_path, ["王五", "429901001201", "委员", "13900001111", ""])
    assert run("import_people", str(path)) == "导入通过：共 1 行，新增 1，更新 0，未变化 0，有问题 0 行\n"
    assert Person.objects.filter(name="王五").exists()


def test_import_people_failure_json(people, tmp_path):
    path = people_csv(tmp_path, ["王五", "429901001201", "", "", "4.21221199001011E+17"])
    output, _ = run_failing("import_people", str(path), "--json")
    assert json.loads(output)["errors"][0]["message"] == (
        "公民身份号码位数不足，可能被 Excel 当作数字保存而丢失末位，请将该列设为文本后重新导出")


def test_export_units_xlsx(county, tmp_path):
    out = tmp_path / "units.xlsx"
    assert run("export_units", "-o", str(out)) == f"已导出 8 个单位：{out}\n"
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == ("单位代码", "单位名称", "单位类型", "上级单位代码")
    assert len(rows) == 9


def test_export_units_csv_as_user(county, users, tmp_path):
    out = tmp_path / "units.csv"
    document = json.loads(run("export_units", "-o", str(out), "--as", "member", "--json"))
    assert document == {"rows": 3, "format": "csv", "output": str(out)}
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_unknown_extension(county, tmp_path):
    output, exc = run_failing("export_units", "-o", str(tmp_path / "units.pdf"))
    assert "请使用 .xlsx 或 .csv" in str(exc)


def test_export_people_as_system_is_unmasked_and_audited(people, tmp_path):
    out = tmp_path / "people.csv"
    assert run("export_people", "-o", str(out)) == f"已导出 2 名干部：{out}\n"
    assert "11010519491231002X" in out.read_bytes().decode("utf-8-sig")
    assert AuditLog.objects.filter(action="person.export").count() == 1


def test_export_people_masked_for_user(people, users, tmp_path):
    out = tmp_path / "people.csv"
    run("export_people", "-o", str(out), "--as", "leader")
    text = out.read_bytes().decode("utf-8-sig")
    assert "1101**********002X" in text and "13812345678" not in text


def test_round_trip_through_commands(county, tmp_path):
    out = tmp_path / "units.csv"
    run("export_units", "-o", str(out))
    document = json.loads(run("import_units", str(out), "--json"))
    assert (document["unchanged"], document["created"], document["updated"]) == (8, 0, 0)
