"""Messy files from the field: GBK csv, xlsx with titles, two-row headers, numbers and dates as Excel stores them."""

import datetime as dt

from openpyxl import Workbook

from qingzhuang.ledger.imports import import_file
from qingzhuang.ledger.models import Record
from qingzhuang.ledger.tests.import_files import (
    POPULATION_HEADERS,
    VILLAGE_A,
    person,
    population_csv,
    rows_of,
    write_csv,
    write_xlsx,
)


def run(catalog, path, **kwargs):
    return import_file(actor=None, dataset=catalog["population"], path=path, **kwargs)


def test_gbk_csv(catalog, tmp_path):
    result = run(catalog, population_csv(tmp_path / "p.csv", [person(1), person(2)], encoding="gbk"))
    assert result.ok, result.errors
    assert Record.objects.get(data__name="居民1").data["person_type"] == "户籍人口"


def test_utf8_bom_csv(catalog, tmp_path):
    result = run(catalog, population_csv(tmp_path / "p.csv", [person(1)], encoding="utf-8-sig"))
    assert result.ok, result.errors


def test_xlsx_with_title_blank_and_total_rows(catalog, tmp_path):
    people = [person(1), person(2)]
    rows = [["甲村人口基础信息表"], *rows_of(people[:1]), [], *rows_of(people[1:])[1:], ["合计", "2人"]]
    path = write_xlsx(tmp_path / "p.xlsx", rows, merge=["A1:J1"])
    result = run(catalog, path)
    assert result.ok, result.errors
    assert result.total == 2


def test_xlsx_dates_and_numbers_as_excel_stores_them(catalog, tmp_path):
    p = person(1)
    birth = dt.date.fromisoformat(p["出生日期"])
    rows = rows_of([p])
    rows[1][POPULATION_HEADERS.index("出生日期")] = birth  # a date cell (Excel keeps a serial with a date format)
    rows[1][POPULATION_HEADERS.index("联系电话")] = int(p["联系电话"])
    rows[1][POPULATION_HEADERS.index("所属村（社区）代码")] = int(VILLAGE_A)
    result = run(catalog, write_xlsx(tmp_path / "p.xlsx", rows))
    assert result.ok, result.errors
    data = Record.objects.get().data
    assert (data["birth_date"], data["phone"], data["unit_code"]) == (p["出生日期"], p["联系电话"], VILLAGE_A)


def test_xlsx_id_number_stored_as_a_number_is_rejected_with_the_reason(catalog, tmp_path):
    p = person(1, 公民身份号码="420101199001010011")
    rows = rows_of([p])
    rows[1][1] = 420101199001010011  # Excel keeps 15 significant digits
    result = run(catalog, write_xlsx(tmp_path / "p.xlsx", rows))
    error = result.errors[0].to_dict()
    assert (error["row"], error["column"], error["value"]) == (2, "公民身份号码", "4.2010119900101E+17")
    assert "Excel" in error["message"] and "丢失" in error["message"]


def test_two_row_merged_header(catalog, tmp_path):
    p = person(1)
    first = ["姓名", "公民身份号码", "基本情况", None, None, "联系电话", "所属村（社区）代码", "居住地址", "人员类别", "特殊群体"]
    second = [None, None, "性别", "出生日期", "民族", None, None, None, None, None]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(first)
    sheet.append(second)
    sheet.append([p[h] for h in POPULATION_HEADERS])
    sheet.merge_cells("C1:E1")
    for column in "ABFGHIJ":
        sheet.merge_cells(f"{column}1:{column}2")
    workbook.save(tmp_path / "p.xlsx")
    result = run(catalog, tmp_path / "p.xlsx")
    assert result.ok, result.errors
    assert Record.objects.get().data["gender"] == p["性别"]


def test_group_labels_above_the_header(catalog, tmp_path):
    p = person(1)
    rows = [["基本信息", "", "", "", "", "联系方式", "属地", "", "", ""], *rows_of([p])]
    result = run(catalog, write_csv(tmp_path / "p.csv", rows))
    assert result.ok, result.errors


def test_tab_separated_text_file(catalog, tmp_path):
    text = "\n".join("\t".join(row) for row in rows_of([person(1)]))
    path = tmp_path / "p.txt"
    path.write_text(text, encoding="utf-8")
    assert run(catalog, path).ok


def test_unsupported_and_fake_files(catalog, tmp_path):
    doc = tmp_path / "p.docx"
    doc.write_bytes(b"hello")
    assert run(catalog, doc).errors[0].code == "unsupported_type"
    fake = tmp_path / "p.xlsx"
    fake.write_text("姓名,公民身份号码\n", encoding="utf-8")
    assert run(catalog, fake).errors[0].code == "not_xlsx"
