"""qingzhuang import_data / export_data."""

import json

import pytest
from django.core.management import CommandError, call_command

from qingzhuang.ledger.models import Record
from qingzhuang.ledger.tests.import_files import VILLAGE_B, person, population_csv


def call(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_data_json(catalog, tmp_path):
    path = population_csv(tmp_path / "p.csv", [person(1), person(2)])
    document = json.loads(call("import_data", "population", str(path), "--json"))
    assert document["ok"] is True and document["created"] == 2
    assert Record.objects.count() == 2


def test_import_data_dry_run_text(catalog, tmp_path):
    path = population_csv(tmp_path / "p.csv", [person(1)])
    out = call("import_data", "population", str(path), "--dry-run")
    assert "预检通过：共 1 行，新增 1" in out and "预检未写入任何数据。" in out
    assert Record.objects.count() == 0


def test_import_data_failure_exits_non_zero_with_errors(catalog, tmp_path, capsys):
    path = population_csv(tmp_path / "p.csv", [person(1, 性别="?")])
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError, match="导入未通过：1 个问题"):
        call_command("import_data", "population", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"errors": [{"row": 2, "column": "性别", "value": "?",
                                                      "code": "not_in_code_list", "message": "不在代码表中，可填：男、女"}]}


def test_import_data_as_user_is_scoped(catalog, tmp_path, users):
    path = population_csv(tmp_path / "p.csv", [person(1, village=VILLAGE_B)])
    with pytest.raises(CommandError):
        call("import_data", "population", str(path), "--as", "member")
    with pytest.raises(CommandError, match="您没有导入一套表数据的权限"):
        call("import_data", "population", str(path), "--as", "leader")


def test_import_data_period_and_unknowns(catalog, tmp_path, county, indicators):
    from qingzhuang.ledger.tests.import_files import write_csv

    path = write_csv(tmp_path / "i.csv", [["单位代码", "指标代码", "数值"], [county["town_a"].code, "enrol_rate", "7"]])
    document = json.loads(call("import_data", "indicator_values", str(path), "--period", "2024-11", "--json"))
    assert document["created"] == 1 and document["period"] == "2024-11"
    with pytest.raises(CommandError, match="数据集不存在：nope"):
        call("import_data", "nope", str(path))
    with pytest.raises(CommandError, match="文件不存在"):
        call("import_data", "population", str(tmp_path / "missing.csv"))


def test_export_data(catalog, tmp_path, users):
    call("import_data", "population", str(population_csv(tmp_path / "p.csv", [person(1), person(2)])))
    out = tmp_path / "out.csv"
    assert "已导出 2 行" in call("export_data", "population", "-o", str(out))
    assert person(1)["公民身份号码"] in out.read_text(encoding="utf-8-sig")
    masked = tmp_path / "masked.xlsx"
    document = json.loads(call("export_data", "population", "-o", str(masked), "--as", "leader", "--json"))
    assert document == {"rows": 2, "format": "xlsx", "output": str(masked)}
    with pytest.raises(CommandError, match="无法从文件扩展名判断格式"):
        call("export_data", "population", "-o", str(tmp_path / "out.txt"))
