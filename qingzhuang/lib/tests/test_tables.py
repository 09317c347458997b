import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from qingzhuang.lib import tables
from qingzhuang.lib.tables import Limits, Problem, TableError

SYNONYMS = {"单位代码": ("代码",), "单位名称": ("名称",), "上级单位代码": ()}
REQUIRED = ("单位代码", "单位名称")
LIMITS = Limits(
    max_bytes=10 * 1024 * 1024,
    max_rows=1000,
    max_columns=20,
    max_unzipped_bytes=50 * 1024 * 1024,
    max_zip_ratio=100,
)


def read(path, limits=LIMITS):
    return [
        (r.number, r.values)
        for r in tables.read_table(path, synonyms=SYNONYMS, required=REQUIRED, limits=limits)
    ]


def error_of(path, limits=LIMITS) -> dict:
    with pytest.raises(TableError) as exc:
        read(path, limits)
    return exc.value.to_dict()


def write_csv_bytes(path, rows, encoding):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def make_xlsx(path, rows, *, merge=None, text_cells=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    for ref in text_cells:
        sheet[ref].data_type = "s"
    workbook.save(path)
    return path


# ---- csv encodings


def test_gbk_csv(tmp_path):
    path = write_csv_bytes(
        tmp_path / "units.csv", [["单位代码", "单位名称"], ["429901001000", "甲镇"]], "gbk"
    )
    assert read(path) == [(2, {"单位代码": "429901001000", "单位名称": "甲镇"})]


def test_gb18030_csv_with_rare_character(tmp_path):
    path = write_csv_bytes(tmp_path / "units.csv", [["单位代码", "单位名称"], ["1", "䶮村"]], "gb18030")
    assert read(path)[0][1]["单位名称"] == "䶮村"


def test_utf8_bom_csv(tmp_path):
    path = write_csv_bytes(tmp_path / "units.csv", [["单位代码", "单位名称"], ["1", "乙镇"]], "utf-8-sig")
    assert read(path) == [(2, {"单位代码": "1", "单位名称": "乙镇"})]


def test_plain_utf8_csv_and_tab_separated(tmp_path):
    path = tmp_path / "units.txt"
    path.write_text("单位代码\t单位名称\n7\t丙镇\n", encoding="utf-8")
    assert read(path) == [(2, {"单位代码": "7", "单位名称": "丙镇"})]


def test_encoding_change_midway_is_an_error(tmp_path):
    good = "单位代码,单位名称\n" + "1,甲镇\n" * 40000  # past the detection sample
    path = tmp_path / "mixed.csv"
    path.write_bytes(good.encode("utf-8") + "2,乙镇\n".encode("gbk"))
    error = error_of(path, Limits(10**7, 10**5, 10, 10**7, 100))
    assert (error["row"], error["code"]) == (40002, "encoding")
    assert error["message"] == "文件编码不一致，无法识别，请另存为 UTF-8 或 GBK 编码的 CSV 文件"


# ---- normalisation


def test_full_width_digits_letters_and_spaces_are_normalised(tmp_path):
    path = write_csv_bytes(
        tmp_path / "u.csv", [["单位代码", "单位名称"], ["　４２９９０１ＡＢ　", " 甲镇 "]], "utf-8"
    )
    assert read(path) == [(2, {"单位代码": "429901AB", "单位名称": "甲镇"})]


def test_blank_and_total_rows_are_skipped(tmp_path):
    rows = [
        ["单位代码", "单位名称"],
        ["1", "甲镇"],
        ["", ""],
        ["  ", ""],
        ["合计", "2"],
        ["", "小 计"],
        ["总计：", ""],
        ["2", "乙镇"],
    ]
    path = write_csv_bytes(tmp_path / "u.csv", rows, "utf-8")
    assert [n for n, _ in read(path)] == [2, 8]


def test_header_synonyms_spaces_and_full_width_brackets(tmp_path):
    synonyms = {"单位类型": ("类型",), "县（市、区）代码": ()}
    path = write_csv_bytes(
        tmp_path / "u.csv", [[" 类 型 ", "县(市、区)代码", "备注"], ["村", "1", "x"]], "utf-8"
    )
    rows = list(tables.read_table(path, synonyms=synonyms, limits=LIMITS))
    assert rows[0].values == {"单位类型": "村", "县（市、区）代码": "1"}


def test_missing_required_column(tmp_path):
    path = write_csv_bytes(tmp_path / "u.csv", [["单位代码", "备注"], ["1", "x"]], "utf-8")
    assert error_of(path) == {
        "row": 1,
        "column": "单位名称",
        "value": None,
        "code": "missing_column",
        "message": "缺少必填列：单位名称",
    }


def test_duplicate_column(tmp_path):
    path = write_csv_bytes(tmp_path / "u.csv", [["单位代码", "单位名称", "名称"], ["1", "x", "y"]], "utf-8")
    error = error_of(path)
    assert (error["row"], error["column"], error["code"]) == (1, "单位名称", "duplicate_column")


# ---- xlsx


def test_xlsx_with_merged_title_row(tmp_path):
    path = make_xlsx(
        tmp_path / "u.xlsx",
        [
            ["青山县组织机构表"],
            ["单位代码", "单位名称", "上级单位代码"],
            [429901000000, "青山县", None],
            ["429901001000", "甲镇", 429901000000],
        ],
        merge="A1:C1",
    )
    assert read(path) == [
        (3, {"单位代码": "429901000000", "单位名称": "青山县", "上级单位代码": ""}),
        (4, {"单位代码": "429901001000", "单位名称": "甲镇", "上级单位代码": "429901000000"}),
    ]


def test_xlsx_row_numbers_count_leading_empty_rows(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"] = "单位代码", "单位名称"
    sheet["B5"], sheet["C5"] = "1", "甲镇"
    workbook.save(tmp_path / "u.xlsx")
    assert read(tmp_path / "u.xlsx") == [(5, {"单位代码": "1", "单位名称": "甲镇"})]


def test_xlsx_formula_is_never_evaluated(tmp_path):
    path = make_xlsx(
        tmp_path / "u.xlsx",
        [["单位代码", "单位名称"], ["1", "=1+1"], ["2", "=SUM(A1:A9)"]],
        text_cells=["B2"],
    )
    rows = read(path)
    assert rows[0][1]["单位名称"] == "=1+1"  # a text cell that looks like a formula stays text
    assert rows[1][1]["单位名称"] == ""  # a real formula without a cached value reads as empty, not computed


def test_xlsx_big_number_keeps_excel_precision(tmp_path):
    path = make_xlsx(tmp_path / "u.xlsx", [["单位代码", "单位名称"], [421221199001011000, "x"], [12.5, "y"]])
    assert [r[1]["单位代码"] for r in read(path)] == ["4.21221199001011E+17", "12.5"]


def test_not_a_zip_xlsx_is_rejected(tmp_path):
    path = tmp_path / "u.xlsx"
    path.write_bytes(b"this is not a spreadsheet")
    error = error_of(path)
    assert error["code"] == "not_xlsx"
    assert error["message"].startswith("文件不是有效的 xlsx 文件：可能设置了打开密码（已加密）")


def test_encrypted_xlsx_is_rejected(tmp_path):
    # Excel stores a password-protected xlsx inside an OLE compound file, not a zip.
    path = tmp_path / "u.xlsx"
    path.write_bytes(tables.OLE_MAGIC + b"\0" * 512)
    assert error_of(path)["code"] == "not_xlsx"


def test_zip_bomb_is_rejected_before_opening(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    error = error_of(path)
    assert error == {
        "row": None,
        "column": None,
        "value": None,
        "code": "zip_bomb",
        "message": "文件解压后过大或压缩比异常（疑似压缩炸弹），已拒绝导入",
    }


def test_zip_too_large_uncompressed_is_rejected(tmp_path):
    path = make_xlsx(tmp_path / "u.xlsx", [["单位代码", "单位名称"], ["1", "x"]])
    limits = Limits(
        max_bytes=LIMITS.max_bytes, max_rows=10, max_columns=10, max_unzipped_bytes=1000, max_zip_ratio=100
    )
    assert error_of(path, limits)["code"] == "zip_bomb"


# ---- limits and types


def test_too_many_columns(tmp_path):
    path = write_csv_bytes(
        tmp_path / "u.csv", [["单位代码", "单位名称"] + [f"c{i}" for i in range(30)]], "utf-8"
    )
    assert error_of(path) == {
        "row": 1,
        "column": None,
        "value": None,
        "code": "too_many_columns",
        "message": "第1行有32列，超过上限（20列）",
    }


def test_too_many_columns_in_xlsx(tmp_path):
    path = make_xlsx(tmp_path / "u.xlsx", [["单位代码", "单位名称"], ["1", "x"] + ["v"] * 25])
    assert error_of(path)["code"] == "too_many_columns"


def test_too_many_rows(tmp_path):
    rows = [["单位代码", "单位名称"]] + [[str(i), "x"] for i in range(4)]
    path = write_csv_bytes(tmp_path / "u.csv", rows, "utf-8")
    limits = Limits(max_bytes=10**6, max_rows=3, max_columns=10, max_unzipped_bytes=10**6, max_zip_ratio=100)
    assert error_of(path, limits) == {
        "row": 5,
        "column": None,
        "value": None,
        "code": "too_many_rows",
        "message": "数据超过3行的上限，请拆分后分批导入",
    }


def test_file_too_large(tmp_path):
    path = write_csv_bytes(tmp_path / "u.csv", [["单位代码", "单位名称"], ["1", "甲镇"]], "utf-8")
    with pytest.raises(TableError) as exc:
        list(tables.read_table(path, synonyms=SYNONYMS, limits=Limits(10, 10, 10, 10**6, 100)))
    assert exc.value.problem.code == "too_large"


def test_unsupported_extension(tmp_path):
    path = tmp_path / "u.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert error_of(path)["message"] == "不支持的文件类型，请上传 xlsx、xls 或 csv 文件"


def test_html_saved_as_xls_is_rejected(tmp_path):
    path = tmp_path / "u.xls"
    path.write_bytes(b"<html><table><tr><td>1</td></tr></table></html>")
    assert error_of(path)["code"] == "not_xls"


def test_empty_file(tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes(b"")
    assert error_of(path)["message"] == "文件是空的"


# ---- writing


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", " =cmd|' /C calc'!A0"])
def test_formula_cells_are_neutralised(value):
    assert tables.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["甲镇", "429901", 5, -3, 1.5, "a=b"])
def test_safe_values_are_untouched(value):
    assert tables.safe_cell(value) == value


def test_write_xlsx_neutralises_and_reads_back(tmp_path):
    path = tmp_path / "out.xlsx"
    tables.write_xlsx(path, ["名称", "数量"], [['=HYPERLINK("http://x")', 3], ["甲\x01镇", None]])
    sheet = load_workbook(path).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["名称", "数量"],
        ['\'=HYPERLINK("http://x")', 3],
        ["甲镇", None],
    ]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_write_csv_has_bom_and_neutralises(tmp_path):
    path = tmp_path / "out.csv"
    tables.write_csv(path, ["名称"], [["@SUM(1)"], ["甲镇"]])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["名称", "'@SUM(1)", "甲镇"]


def test_written_csv_reads_back(tmp_path):
    path = tmp_path / "out.csv"
    tables.write_csv(path, ["单位代码", "单位名称"], [[str(i), f"村{i}"] for i in range(2500)])
    rows = read(path, Limits(10**7, 10**4, 10, 10**7, 100))
    assert len(rows) == 2500 and rows[-1] == (2501, {"单位代码": "2499", "单位名称": "村2499"})


def test_temporary_copy_keeps_extension_and_is_removed(tmp_path):
    with tables.temporary_copy(io.BytesIO(b"a,b\n"), name="名单.CSV", limits=LIMITS) as path:
        assert path.suffix == ".csv" and path.read_bytes() == b"a,b\n"
    assert not path.exists()


def test_utf16_tab_separated_text(tmp_path):
    # Excel's "Unicode text" export.
    path = tmp_path / "u.txt"
    path.write_bytes("单位代码\t单位名称\r\n1\t甲镇\r\n".encode("utf-16"))
    assert read(path) == [(2, {"单位代码": "1", "单位名称": "甲镇"})]


def test_chinese_punctuation_is_kept(tmp_path):
    path = write_csv_bytes(
        tmp_path / "u.csv", [["单位代码", "单位名称"], ["1", "县（市、区）委：办公室，一科"]], "utf-8"
    )
    assert read(path)[0][1]["单位名称"] == "县（市、区）委：办公室，一科"


# ---- the positional fast path, two-row headers, zero-width characters


def test_open_table_yields_cells_aligned_with_columns(tmp_path):
    path = write_csv_bytes(
        tmp_path / "u.csv",
        [["备注", "单位名称", "单位代码"], ["x", "甲镇", "1"], ["", "", ""], ["y", "乙镇"]],
        "utf-8",
    )
    with tables.open_table(path, synonyms=SYNONYMS, required=REQUIRED, limits=LIMITS) as table:
        assert table.header_row == 1
        assert table.columns == ["单位名称", "单位代码"]
        assert list(table.rows) == [(2, ("甲镇", "1")), (4, ("乙镇", ""))]


def test_two_row_header_with_cells_merged_down(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位代码", "基本情况", None])
    sheet.append([None, "单位名称", "上级单位代码"])
    sheet.append(["1", "甲镇", "0"])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    workbook.save(tmp_path / "u.xlsx")
    assert read(tmp_path / "u.xlsx") == [(3, {"单位代码": "1", "单位名称": "甲镇", "上级单位代码": "0"})]


def test_data_row_after_the_header_is_not_taken_for_a_second_header(tmp_path):
    # The first data row happens to hold a header word under an unnamed column: still data.
    rows = [["单位代码", "单位名称", "备注"], ["1", "甲镇", "名称"], ["2", "乙镇", ""]]
    path = write_csv_bytes(tmp_path / "u.csv", rows, "utf-8")
    assert [n for n, _ in read(path)] == [2, 3]


def test_zero_width_characters_at_cell_edges_are_stripped(tmp_path):
    path = write_csv_bytes(
        tmp_path / "u.csv", [["单位代码", "单位名称"], ["\u200b1\ufeff", " \u200b甲\u200b镇 "]], "utf-8"
    )
    assert read(path) == [(2, {"单位代码": "1", "单位名称": "甲\u200b镇"})]


def test_copy_upload_refuses_oversized_files():
    out = io.BytesIO()
    assert tables.copy_upload(io.BytesIO(b"abc"), out, limits=LIMITS) == 3
    with pytest.raises(TableError) as exc:
        tables.copy_upload(io.BytesIO(b"x" * 20), io.BytesIO(), limits=Limits(10, 10, 10, 10, 10))
    assert exc.value.problem.code == "too_large"


# ---- the 问题清单


def test_problems_xlsx():
    problems = [
        Problem(row=2, column="姓名", value="=cmd()", code="required", message="必填"),
        {"row": None, "column": None, "value": None, "code": "too_large", "message": "文件过大"},
    ]
    assert list(tables.problem_rows(problems)) == [
        [2, "姓名", "=cmd()", "必填", "required"],
        ["", "", "", "文件过大", "too_large"],
    ]
    buffer = tables.problems_xlsx(problems)
    assert buffer.tell() == 0
    workbook = load_workbook(buffer)
    assert workbook.sheetnames == ["问题清单"]
    rows = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert rows == [
        ["行", "列", "值", "原因", "问题代码"],
        [2, "姓名", "'=cmd()", "必填", "required"],  # formula neutralised
        [None, None, None, "文件过大", "too_large"],
    ]
