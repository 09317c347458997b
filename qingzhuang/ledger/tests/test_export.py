"""Export: scoped, masked unless permitted, formulas neutralised, audited when personal data leaves."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from qingzhuang.ledger.exports import export_dataset
from qingzhuang.ledger.imports import import_file
from qingzhuang.ledger.models import IndicatorValue
from qingzhuang.ledger.tests.import_files import (
    POPULATION_HEADERS,
    VILLAGE_B,
    person,
    population_csv,
    write_csv,
)
from qingzhuang.orgs.models import AuditLog


def load(catalog, tmp_path, people):
    result = import_file(actor=None, dataset=catalog["population"], path=population_csv(tmp_path / "in.csv", people))
    assert result.ok, result.errors


def read_csv(buffer) -> list[list[str]]:
    return list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))


def test_export_masks_personal_data_without_permission(catalog, tmp_path, users):
    people = [person(1, 居住地址="=cmd|' /C calc'!A0"), person(2, village=VILLAGE_B)]
    load(catalog, tmp_path, people)
    out = io.BytesIO()
    count = export_dataset(user=users["leader"], dataset=catalog["population"], target=out, fmt="csv")
    rows = read_csv(out)
    assert count == 2 and rows[0] == POPULATION_HEADERS
    first = dict(zip(rows[0], rows[1], strict=True))
    number = people[0]["公民身份号码"]
    assert first["公民身份号码"] == number[:4] + "*" * 10 + number[-4:]
    assert first["联系电话"] == "138****0001"
    assert first["居住地址"] == "'=cmd|' /C calc'!A0"
    assert not AuditLog.objects.filter(action="ledger.export").exists()


def test_unmasked_export_is_audited(catalog, tmp_path, users):
    load(catalog, tmp_path, [person(1)])
    out = io.BytesIO()
    export_dataset(user=users["grassroots"], dataset=catalog["population"], target=out, fmt="csv")
    assert read_csv(out)[1][1] == person(1)["公民身份号码"]
    entry = AuditLog.objects.get(action="ledger.export")
    assert entry.actor == users["grassroots"] and entry.after["rows"] == 1


def test_export_is_scoped(catalog, tmp_path, users):
    load(catalog, tmp_path, [person(1), person(2, village=VILLAGE_B), person(3, village=VILLAGE_B)])
    out = io.BytesIO()
    assert export_dataset(user=users["outsider"], dataset=catalog["population"], target=out, fmt="csv") == 2
    assert {r[6] for r in read_csv(out)[1:]} == {VILLAGE_B}
    assert export_dataset(user=users["member"], dataset=catalog["population"], target=io.BytesIO(), fmt="csv") == 1
    assert export_dataset(user=users["nobody"], dataset=catalog["population"], target=io.BytesIO(), fmt="csv") == 0


def test_export_filters_by_unit_and_search(catalog, tmp_path, users, county):
    load(catalog, tmp_path, [person(1), person(2, village=VILLAGE_B, 姓名="王小明")])
    dataset = catalog["population"]
    assert export_dataset(user=None, dataset=dataset, target=io.BytesIO(), fmt="csv", unit=county["town_b"]) == 1
    out = io.BytesIO()
    assert export_dataset(user=None, dataset=dataset, target=out, fmt="csv", q="王小明") == 1
    assert read_csv(out)[1][0] == "王小明"
    assert export_dataset(user=None, dataset=dataset, target=io.BytesIO(), fmt="csv",
                          q=person(1)["公民身份号码"][:10]) == 1


def test_xlsx_export_neutralises_formulas_and_keeps_numbers(catalog, tmp_path):
    path = write_csv(tmp_path / "h.csv", [
        ["房屋编号", "所属村（社区）代码", "房屋地址", "房屋用途", "建筑面积", "层数"],
        ["=1+1", "429901001201", "+86 甲村", "住宅", "120.5", "-2"],
    ])
    assert import_file(actor=None, dataset=catalog["housing"], path=path).ok
    export_dataset(user=None, dataset=catalog["housing"], target=tmp_path / "out.xlsx", fmt="xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("房屋编号", "所属村（社区）代码", "房屋地址", "房屋用途")
    assert rows[1][0] == "'=1+1" and rows[1][2] == "'+86 甲村"
    assert rows[1][4] == 120.5 and rows[1][7] == -2
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_indicator_export(catalog, county, indicators, ledger_users, tmp_path):
    IndicatorValue.objects.create(unit=county["town_a"], indicator=indicators["enrol"], period="2024-11",
                                  value=Decimal("99.5000"))
    IndicatorValue.objects.create(unit=county["town_b"], indicator=indicators["grain"], period="2024-11",
                                  value=Decimal("12"))
    out = io.BytesIO()
    assert export_dataset(user=ledger_users["teacher"], dataset=catalog["indicator_values"], target=out,
                          fmt="csv") == 1
    assert read_csv(out) == [["单位代码", "指标代码", "期间", "数值"], [county["town_a"].code, "enrol_rate", "2024-11", "99.5"]]
