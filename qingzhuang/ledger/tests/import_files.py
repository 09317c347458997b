"""Helpers for the import tests: valid ID numbers, population rows and files in every format."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

from qingzhuang.lib import ids

POPULATION_HEADERS = ["姓名", "公民身份号码", "性别", "出生日期", "民族", "联系电话", "所属村（社区）代码", "居住地址",
                      "人员类别", "特殊群体"]
VILLAGE_A = "429901001201"
VILLAGE_B = "429901002201"


def id_number(birth: dt.date, seq: int, region: str = "420101") -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + ids.id_check_char(first17)


def person(i: int, *, village: str = VILLAGE_A, **changes) -> dict:
    """A valid population row (header → text); ``i`` makes it unique."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i * 37) % 25000)
    seq = (i // 250) % 1000
    number = id_number(birth, seq, region=f"42{(i % 250):04d}")
    row = {
        "姓名": f"居民{i}", "公民身份号码": number, "性别": ids.id_gender(number), "出生日期": birth.isoformat(),
        "民族": "汉族", "联系电话": f"138{i:08d}", "所属村（社区）代码": village, "居住地址": f"甲村{i}号",
        "人员类别": "户籍人口", "特殊群体": "",
    }
    row.update(changes)
    return row


def rows_of(people: list[dict], headers: list[str] = POPULATION_HEADERS) -> list[list[str]]:
    return [headers] + [[p.get(h, "") for h in headers] for p in people]


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], *, merge: list[str] = ()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merge:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def population_csv(path: Path, people: list[dict], encoding: str = "utf-8") -> Path:
    return write_csv(path, rows_of(people), encoding)
