"""Builders of import files for the transfer tests."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

UNIT_HEADER = ["单位代码", "单位名称", "单位类型", "上级单位代码"]
PEOPLE_HEADER = ["姓名", "单位代码", "职务", "手机", "公民身份号码"]


def csv_file(path, rows, *, encoding="utf-8-sig"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def xlsx_file(path, rows, *, title=None):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def units_csv(tmp_path, *rows, name="units.csv", encoding="utf-8-sig"):
    return csv_file(tmp_path / name, [UNIT_HEADER, *rows], encoding=encoding)


def people_csv(tmp_path, *rows, name="people.csv", header=PEOPLE_HEADER):
    return csv_file(tmp_path / name, [header, *rows])
