"""Safe, streaming reading and writing of tabular files from the field (csv, xlsx, xls).

Reading (``read_table``) yields the data rows of the first visible sheet, each with its 1-based
row number in the source file and its cells mapped to canonical column names. It never
evaluates formulas (calamine returns the cached values; a text cell starting with ``=`` stays
text), normalises full-width digits, letters and spaces, strips whitespace, skips blank rows and
合计/小计/总计 rows, skips a title row above the header, and enforces the ``Limits`` it is given
(bytes, rows, columns) plus zip-bomb checks on xlsx files before they are opened. It reads no
settings: callers pass the limits (``orgs.transfer.import_limits`` builds them from settings).

Writing (``write_xlsx``, ``write_csv``, ``iter_csv``) neutralises every text cell that a
spreadsheet would run as a formula by prefixing an apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import operator
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xls": "xls"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TOTAL_WORDS = ("合计", "小计", "总计")
HEADER_SEARCH_ROWS = 10
SAMPLE_BYTES = 256 * 1024
ZIP_MAX_MEMBERS = 10_000
ZIP_RATIO_MIN_BYTES = 1024 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@")
_EDGE_SPACE_RE = re.compile(r"^[\s\u200b-\u200d\ufeff]+|[\s\u200b-\u200d\ufeff]+$")
_ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
_ZERO_WIDTH_RE = re.compile("[\u200b-\u200d\ufeff]")
_HEADER_NOISE_RE = re.compile(r"[\s*]")
_XLSX_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Full-width digits, letters, space, full stop and hyphen-minus → half-width. Chinese punctuation
# such as （）：，stays as typed: it belongs to names ("县（市、区）").
_HALF_WIDTH = {
    **{ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．－"},
    **{c: c - 0xFEE0 for c in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{c: c - 0xFEE0 for c in range(ord("ａ"), ord("ｚ") + 1)},
    0x3000: ord(" "),
}
_FULL_WIDTH_RE = re.compile("[０-９．－Ａ-Ｚａ-ｚ\u3000]")
# Either of the above, or a zero-width character: one scan decides whether a line needs work.
_SPECIAL_RE = re.compile("[０-９．－Ａ-Ｚａ-ｚ\u3000\u200b-\u200d\ufeff]")


@dataclass(frozen=True)
class Problem:
    """One problem of an import: where it is (row, column, value), a code, and a Chinese message."""

    row: int | None
    column: str | None
    value: str | None
    code: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


class TableError(Exception):
    """A file that cannot be read as a table at all (too large, encrypted, no header, ...)."""

    def __init__(
        self,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        code: str = "invalid_file",
        message: str = "文件无法读取",
    ) -> None:
        super().__init__(message)
        self.problem = Problem(row=row, column=column, value=value, code=code, message=message)

    def to_dict(self) -> dict:
        return self.problem.to_dict()


@dataclass(frozen=True)
class Row:
    """A data row: its 1-based row number in the source file and its cells by canonical column."""

    number: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def has(self, column: str) -> bool:
        """Whether the file has this column at all (a blank cell still counts)."""
        return column in self.values


@dataclass(frozen=True)
class Limits:
    """Limits on a file read as a table: its size, data rows and columns, and zip-bomb limits of xlsx."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_unzipped_bytes: int
    max_zip_ratio: int


# ---------------------------------------------------------------------------------------------
# Cells and headers


def cell_text(value: Any) -> str:
    """A cell as text: full-width digits, letters and spaces made half-width, edges stripped, numbers as Excel shows them."""
    if type(value) is str:
        return _strip_edges(value.translate(_HALF_WIDTH) if _FULL_WIDTH_RE.search(value) else value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return _EDGE_SPACE_RE.sub("", str(value).translate(_HALF_WIDTH))


def _strip_edges(text: str) -> str:
    """Strip whitespace and zero-width characters at both ends (the fast path avoids the regex)."""
    text = text.strip()
    if text and (text[0] in _ZERO_WIDTH or text[-1] in _ZERO_WIDTH):
        return _EDGE_SPACE_RE.sub("", text)
    return text


def _float_text(value: float) -> str:
    # Integral values below 10^15 are exact (codes typed as numbers); larger ones are shown with
    # Excel's 15 significant digits (4.21221199001011E+17), which is what was really stored.
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15G}"


def header_key(text: str) -> str:
    """A header name reduced for matching: NFKC (full-width brackets → half-width), no spaces or '*'."""
    return _HEADER_NOISE_RE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _header_lookup(synonyms: Mapping[str, Iterable[str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, names in synonyms.items():
        for name in (canonical, *names):
            lookup[header_key(name)] = canonical
    return lookup


def _trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class Table:
    """An open table: the canonical names of the columns found, in file order, and the data rows.

    ``rows`` yields (row number in the source file, cell texts aligned with ``columns``): the
    fast path for bulk imports, without a dict per row.
    """

    header_row: int
    columns: list[str]
    rows: Iterator[tuple[int, tuple[str, ...]]]


@contextmanager
def open_table(
    path: str | os.PathLike,
    *,
    synonyms: Mapping[str, Iterable[str]],
    required: Iterable[str] = (),
    limits: Limits,
) -> Iterator[Table]:
    """Open ``path`` as a ``Table``; raises ``TableError`` when it cannot be read as a table.

    ``synonyms`` maps each canonical column name to the other header names accepted for it.
    Columns not in ``synonyms`` are ignored; a missing ``required`` column is an error.
    """
    kind = detect_format(path, limits)
    raw_rows = _excel_rows(path, limits) if kind in ("xlsx", "xls") else _csv_rows(path, limits)
    try:
        lookup = _header_lookup(synonyms)
        header_row, header, pending = _find_header(raw_rows, lookup)
        mapping = _map_header(header_row, header, lookup, tuple(required))
        rows = _positional_rows(itertools.chain(pending, raw_rows), list(mapping), limits)
        yield Table(header_row=header_row, columns=list(mapping.values()), rows=rows)
    finally:
        raw_rows.close()


def read_table(
    path: str | os.PathLike,
    *,
    synonyms: Mapping[str, Iterable[str]],
    required: Iterable[str] = (),
    limits: Limits,
) -> Iterator[Row]:
    """Yield the data rows of ``path`` as ``Row``s (see ``open_table``)."""
    with open_table(path, synonyms=synonyms, required=required, limits=limits) as table:
        columns = table.columns
        for number, cells in table.rows:
            yield Row(number=number, values=dict(zip(columns, cells, strict=True)))


def _too_large(limits: Limits) -> TableError:
    size = limits.max_bytes
    text = f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"
    return TableError(code="too_large", message=f"文件大小超过上限（{text}），请拆分后分批导入")


def detect_format(path: str | os.PathLike, limits: Limits) -> str:
    """'xlsx', 'xls' or 'csv', after the size, type and zip-bomb checks."""
    size = os.path.getsize(path)
    if size > limits.max_bytes:
        raise _too_large(limits)
    if size == 0:
        raise TableError(code="empty", message="文件是空的")
    kind = EXTENSIONS.get(Path(path).suffix.lower())
    if kind is None:
        raise TableError(code="unsupported_type", message="不支持的文件类型，请上传 xlsx、xls 或 csv 文件")
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_MAGIC):
        _check_zip(path, limits)
        return "xlsx"
    if kind == "xlsx":
        raise TableError(
            code="not_xlsx",
            message="文件不是有效的 xlsx 文件：可能设置了打开密码（已加密），或是其他格式改了"
            "扩展名。请取消密码并用 Excel 另存为 xlsx 后重新导入",
        )
    if head.startswith(OLE_MAGIC):
        return "xls"
    if kind == "xls":
        raise TableError(
            code="not_xls",
            message="文件不是有效的 xls 文件（可能是网页或文本文件改了扩展名），"
            "请用 Excel 打开后另存为 xlsx 再导入",
        )
    return "csv"


def _check_zip(path: str | os.PathLike, limits: Limits) -> None:
    """Refuse zip bombs and encrypted archives before any decompression."""
    bomb = TableError(code="zip_bomb", message="文件解压后过大或压缩比异常（疑似压缩炸弹），已拒绝导入")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TableError(code="not_xlsx", message="文件不是有效的 xlsx 文件（压缩包已损坏）") from None
    if len(members) > ZIP_MAX_MEMBERS:
        raise bomb
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise TableError(code="encrypted", message="文件已加密，请取消密码后另存为 xlsx 再导入")
        total += member.file_size
        if member.file_size > ZIP_RATIO_MIN_BYTES and (
            member.compress_size == 0 or member.file_size / member.compress_size > limits.max_zip_ratio
        ):
            raise bomb
    if total > limits.max_unzipped_bytes:
        raise bomb


def _excel_rows(path: str | os.PathLike, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the first visible worksheet, blank rows skipped."""
    import python_calamine as calamine

    unreadable = "Excel 文件无法读取（可能已损坏或已加密），请用 Excel 打开后另存为 xlsx 再导入"
    try:
        with open(path, "rb") as f:
            workbook = calamine.CalamineWorkbook.from_filelike(f)
        with workbook:
            sheet = workbook.get_sheet_by_name(_first_sheet(workbook, calamine))
            # iter_rows starts at the sheet's first row (leading empty rows included): index + 1 is the row.
            for index, raw in enumerate(sheet.iter_rows()):
                cells = _trim([cell_text(v) for v in raw])
                if cells:
                    _check_width(index + 1, cells, limits)
                    yield index + 1, cells
    except calamine.PasswordError:
        raise TableError(code="encrypted", message="文件已加密，请取消密码后另存为 xlsx 再导入") from None
    except calamine.CalamineError:
        raise TableError(code="unreadable", message=unreadable) from None


def _first_sheet(workbook, calamine) -> str:
    for meta in workbook.sheets_metadata:
        if meta.visible == calamine.SheetVisibleEnum.Visible and meta.typ == calamine.SheetTypeEnum.WorkSheet:
            return meta.name
    raise TableError(code="empty", message="文件中没有可读取的工作表")


def _check_width(number: int, cells: list[str], limits: Limits) -> None:
    if len(cells) > limits.max_columns:
        raise TableError(
            row=number,
            code="too_many_columns",
            message=f"第{number}行有{len(cells)}列，超过上限（{limits.max_columns}列）",
        )


def detect_encoding(sample: bytes) -> str:
    """The text encoding of a csv sample: BOM, then UTF-8, then GB18030 (a superset of GBK), then a guess."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise TableError(code="encoding", message="无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件")
    return best.encoding


def _delimiter(sample: bytes, encoding: str) -> str:
    first_line = (
        codecs.getincrementaldecoder(encoding)(errors="ignore").decode(sample[:8192]).split("\n", 1)[0]
    )
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


class _Seen:
    """Whether a zero-width character has appeared in the decoded text (then cells take the slow path)."""

    zero_width = False


def _normalised_lines(lines: Iterable[str], seen: _Seen) -> Iterator[str]:
    """Full-width digits, letters and spaces made half-width on whole lines: none of them is a
    delimiter or a quote, so this equals doing it cell by cell, and is much faster."""
    for line in lines:
        if _SPECIAL_RE.search(line):
            if _ZERO_WIDTH_RE.search(line):
                seen.zero_width = True
            line = line.translate(_HALF_WIDTH)
        yield line


def _decoded_lines(raw: IO[bytes], encoding: str) -> Iterator[str]:
    """Decode line by line (slow), so a decoding error is found at the right row."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for line in raw:
        yield decoder.decode(line)
    yield decoder.decode(b"", final=True)


def _failing_record(path: str | os.PathLike, encoding: str, delimiter: str) -> int:
    """The number of the csv record where decoding fails."""
    number = 0
    with open(path, "rb") as raw:
        try:
            for _ in csv.reader(_decoded_lines(raw, encoding), delimiter=delimiter):
                number += 1
        except (UnicodeDecodeError, csv.Error):
            pass
    return number + 1


def _csv_rows(path: str | os.PathLike, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) of a csv file, blank records skipped. Streams; never loads the whole file."""
    with open(path, "rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
        encoding = detect_encoding(sample)
        delimiter = _delimiter(sample, encoding)
        raw.seek(0)
        seen = _Seen()
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        reader = csv.reader(_normalised_lines(text, seen), delimiter=delimiter)
        number = 0
        max_columns = limits.max_columns
        try:
            for record in reader:
                number += 1
                if seen.zero_width:
                    cells = [_strip_edges(v) for v in record]
                else:
                    cells = [v.strip() for v in record]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    if len(cells) > max_columns:
                        _check_width(number, cells, limits)
                    yield number, cells
        except UnicodeDecodeError:
            row = number + 1 if encoding.startswith("utf-16") else _failing_record(path, encoding, delimiter)
            raise TableError(
                row=row,
                code="encoding",
                message="文件编码不一致，无法识别，请另存为 UTF-8 或 GBK 编码的 CSV 文件",
            ) from None
        except csv.Error as exc:
            raise TableError(row=number + 1, code="bad_csv", message=f"CSV 格式错误：{exc}") from None


def _find_header(
    raw_rows: Iterator[tuple[int, list[str]]], lookup: dict[str, str]
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header row, and the rows read past it that are data: (number, cells, pending rows).

    A title such as "XX县组织机构表" merged across the columns reads as a row with a single
    non-empty cell; it and any other rows before the header (at most HEADER_SEARCH_ROWS) are skipped.
    When no row names a known column, the first row with several cells is taken as the header.
    A two-row header (group labels above, or cells merged down over two rows) is read as one.
    """
    fallback: tuple[int, list[str]] | None = None
    for seen, (number, cells) in enumerate(raw_rows, start=1):
        if any(header_key(c) in lookup for c in cells if c):
            following = next(raw_rows, None)
            if following is None:
                return number, cells, []
            merged = _second_header_row(cells, following[1], lookup)
            if merged is None:
                return number, cells, [following]
            return number, merged, []
        if fallback is None and sum(1 for c in cells if c) > 1:
            fallback = (number, cells)
        if seen >= HEADER_SEARCH_ROWS:
            break
    if fallback is None:
        raise TableError(code="no_header", message="文件中没有找到表头行")
    return fallback[0], fallback[1], []


def _second_header_row(first: list[str], second: list[str], lookup: dict[str, str]) -> list[str] | None:
    """``first`` completed by ``second`` when ``second`` is the lower row of a two-row header, else None.

    It is, when it names a known column that ``first`` lacks, under a blank or group cell of
    ``first``, and is blank (or names a column) wherever ``first`` names a column: a data row
    has values under the named columns.
    """
    known_first = {lookup[k] for k in (header_key(c) for c in first if c) if k in lookup}
    added: dict[int, str] = {}
    for index, cell in enumerate(second):
        if not cell:
            continue
        named = lookup.get(header_key(cell))
        above = first[index] if index < len(first) else ""
        above_named = bool(above) and header_key(above) in lookup
        if above_named:
            if named is None:
                return None
        elif named is not None and named not in known_first:
            added[index] = cell
    if not added:
        return None
    merged = list(first) + [""] * max(0, len(second) - len(first))
    for index, cell in added.items():
        merged[index] = cell
    return merged


def _map_header(
    number: int, header: list[str], lookup: dict[str, str], required: tuple[str, ...]
) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        canonical = lookup.get(header_key(name)) if name else None
        if canonical is None:
            continue
        if canonical in mapping.values():
            raise TableError(
                row=number,
                column=canonical,
                value=name,
                code="duplicate_column",
                message=f"表头中“{canonical}”列出现了不止一次",
            )
        mapping[index] = canonical
    missing = [c for c in required if c not in mapping.values()]
    if missing:
        raise TableError(
            row=number,
            column="、".join(missing),
            code="missing_column",
            message="缺少必填列：" + "、".join(missing),
        )
    return mapping


def is_total_row(cells: list[str]) -> bool:
    first = next((c for c in cells if c), "")
    return first.replace(" ", "").startswith(TOTAL_WORDS)


def _positional_rows(
    raw_rows: Iterator[tuple[int, list[str]]], indexes: list[int], limits: Limits
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Data rows as (number, the cells at ``indexes``), blank and 合计 rows skipped, the row limit enforced."""
    count = 0
    max_rows = limits.max_rows
    width = max(indexes) + 1 if indexes else 0
    pad = [""] * width
    if len(indexes) > 1:
        pick = operator.itemgetter(*indexes)
    else:
        only = indexes[0] if indexes else None

        def pick(cells: list[str]) -> tuple[str, ...]:
            return (cells[only],) if only is not None else ()

    for number, cells in raw_rows:
        first = cells[0] or next((c for c in cells if c), "")
        if first.startswith(TOTAL_WORDS) or (" " in first and first.replace(" ", "").startswith(TOTAL_WORDS)):
            continue
        if len(cells) < width:
            cells = cells + pad[len(cells) :]
        values = pick(cells)
        if not any(values):
            continue
        count += 1
        if count > max_rows:
            raise TableError(
                row=number,
                code="too_many_rows",
                message=f"数据超过{max_rows}行的上限，请拆分后分批导入",
            )
        yield number, values


def copy_upload(source: IO[bytes], out: IO[bytes], *, limits: Limits) -> int:
    """Copy an uploaded file (Django ``UploadedFile`` or any binary file) to ``out``, refusing more
    than ``limits.max_bytes`` (``TableError``); returns the number of bytes written."""
    chunks = source.chunks() if hasattr(source, "chunks") else iter(lambda: source.read(1024 * 1024), b"")
    written = 0
    for chunk in chunks:
        written += len(chunk)
        if written > limits.max_bytes:
            raise _too_large(limits)
        out.write(chunk)
    return written


@contextmanager
def temporary_copy(source: IO[bytes], *, name: str, limits: Limits) -> Iterator[Path]:
    """Copy an uploaded file to a private temporary file that keeps ``name``'s extension; removed after."""
    suffix = Path(name).suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""
    fd, tmp = tempfile.mkstemp(prefix="qz-import-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            copy_upload(source, out, limits=limits)
        yield Path(tmp)
    finally:
        os.unlink(tmp)


# ---------------------------------------------------------------------------------------------
# Writing


def safe_cell(value: Any) -> Any:
    """A value that no spreadsheet will run as a formula: risky text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and (
        value.startswith(("\t", "\r")) or value.lstrip().startswith(FORMULA_TRIGGERS)
    ):
        return "'" + value
    return value


def write_xlsx(
    target: str | os.PathLike | IO[bytes],
    headers: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    sheet_title: str = "Sheet1",
) -> None:
    """Write one sheet with openpyxl's write-only mode (constant memory)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append([_xlsx_cell(h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    workbook.save(target)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = _XLSX_ILLEGAL_RE.sub("", value)
    return safe_cell(value)


TEMPLATE_SHEET_TITLE = "导入模板"
NOTES_SHEET_TITLE = "填写说明"


def template_xlsx(columns: Iterable[tuple[str, str]], *, notes: Iterable[str] = ()) -> io.BytesIO:
    """A blank import template in memory: the header row alone on the first sheet (which the
    import reads; every column formatted as text so Excel keeps long digit strings, each header
    carrying its note as a comment) and a 填写说明 sheet with one row per column, then ``notes``."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = list(columns)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEMPLATE_SHEET_TITLE
    for index, (name, note) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=_xlsx_cell(name))
        cell.font = Font(bold=True)
        if note:
            cell.comment = Comment(note, "轻装")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, 2 * len(name) + 4)
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(NOTES_SHEET_TITLE)
    guide.append(["列名", "填写说明"])
    for name, note in columns:
        guide.append([_xlsx_cell(name), _xlsx_cell(note)])
    extra = [_xlsx_cell(note) for note in notes]
    if extra:
        guide.append([])
        for note in extra:
            guide.append(["", note])
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 80
    for cell in guide[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


PROBLEM_HEADERS = ("行", "列", "值", "原因", "问题代码")
PROBLEM_SHEET_TITLE = "问题清单"


def problem_rows(problems: Iterable[Problem | Mapping[str, Any]]) -> Iterator[list[Any]]:
    """The rows of a 问题清单 (row, column, value, message, code; blanks for missing parts) of
    ``Problem``s or their dicts (``Problem.to_dict``, the JSON of an import)."""
    for problem in problems:
        item = problem.to_dict() if isinstance(problem, Problem) else problem
        yield [
            "" if item.get(key) is None else item.get(key)
            for key in ("row", "column", "value", "message", "code")
        ]


def problems_xlsx(problems: Iterable[Problem | Mapping[str, Any]]) -> io.BytesIO:
    """The problems of an import as an xlsx 问题清单 in memory, positioned at the start."""
    buffer = io.BytesIO()
    write_xlsx(buffer, PROBLEM_HEADERS, problem_rows(problems), sheet_title=PROBLEM_SHEET_TITLE)
    buffer.seek(0)
    return buffer


def iter_csv(headers: Iterable[str], rows: Iterable[Iterable[Any]], *, batch: int = 1000) -> Iterator[bytes]:
    """UTF-8 csv with a BOM (so Excel opens it as UTF-8), as chunks of bytes for streaming."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield codecs.BOM_UTF8
    writer.writerow([safe_cell(h) for h in headers])
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) for v in row])
        if count % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(
    target: str | os.PathLike | IO[bytes], headers: Iterable[str], rows: Iterable[Iterable[Any]]
) -> None:
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as out:
            write_csv(out, headers, rows)
        return
    for chunk in iter_csv(headers, rows):
        target.write(chunk)


def write_table(
    target: str | os.PathLike | IO[bytes], fmt: str, headers: Iterable[str], rows: Iterable[Iterable[Any]]
) -> None:
    if fmt == "xlsx":
        write_xlsx(target, headers, rows)
    elif fmt == "csv":
        write_csv(target, headers, rows)
    else:
        raise ValueError(f"unknown table format {fmt!r}")


def format_from_name(name: str | os.PathLike) -> str | None:
    """'xlsx' or 'csv' from a file name's extension, else None."""
    return {".xlsx": "xlsx", ".csv": "csv"}.get(Path(name).suffix.lower())
