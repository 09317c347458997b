"""Safe text extraction from the policy documents cadres upload (docx, pdf, txt, md, html).

``extract_text`` decides the format from the file name's extension, checks that the content
matches it (a .docx must be a zip holding ``word/document.xml``, a .pdf must start with
``%PDF-``, text formats must not be binary), enforces the size limits of settings
(``QZ_POLICY_MAX_BYTES``, ``QZ_POLICY_MAX_PAGES``, plus zip-bomb checks on docx files before they
are opened) and returns the text, normalised: full-width digits, letters and spaces made
half-width, one line ending, no zero-width characters, no trailing spaces, no runs of blank lines.

Every refusal is an ``ExtractError`` whose ``message`` is a Chinese sentence for the user.
"""

from __future__ import annotations

import codecs
import logging
import math
import os
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from qingzhuang.lib import tables

logger = logging.getLogger(__name__)

FORMATS = ("docx", "pdf", "txt", "md", "html")
EXTENSIONS = {
    ".docx": "docx",
    ".pdf": "pdf",
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PAGES = 500
DEFAULT_MAX_ZIP_RATIO = 200
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
DOCX_MAIN_PART = "word/document.xml"
# Magic numbers of binary formats that are sometimes renamed to .txt/.html.
BINARY_MAGICS = (
    ZIP_MAGIC,
    OLE_MAGIC,
    PDF_MAGIC,
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
)
TEXT_SAMPLE_BYTES = 64 * 1024
# A repeated first or last line of a PDF page is a running header/footer when it occurs on at
# least this many pages (and on at least this share of them).
REPEATED_LINE_MIN_PAGES = 3
REPEATED_LINE_SHARE = 0.6
# A PDF line at least this share of the usual full line width was wrapped by the layout.
WRAPPED_LINE_SHARE = 0.8
MAX_DOCX_DEPTH = 8

MSG_UNSUPPORTED = "不支持的文件格式：{ext}，请上传 docx、pdf、txt、md 或 html 文件"
MSG_MISMATCH = "文件内容与扩展名（{ext}）不符，可能是其他格式的文件改了扩展名，请确认后重新上传"
MSG_EMPTY = "文件中没有可提取的文字"
MSG_NO_TEXT_LAYER = "PDF 中没有文字层（可能是扫描件），请上传带文字的 PDF 或 Word 文件"
MSG_TOO_LARGE = "文件大小超过上限（{limit}），请压缩或拆分后上传"
MSG_TOO_MANY_PAGES = "PDF 页数超过上限（{limit} 页），请拆分后上传"
MSG_ZIP_BOMB = "文件解压后过大或压缩比异常（疑似压缩炸弹），已拒绝处理"
MSG_PDF_ENCRYPTED = "PDF 已加密，无法提取文字"
MSG_DOCX_ENCRYPTED = "Word 文件已加密（设置了打开密码），请取消密码后重新上传"
MSG_CORRUPT = "文件已损坏或格式不正确，无法读取"
MSG_ENCODING = "无法识别文件的文字编码，请另存为 UTF-8 编码后重新上传"

# Full-width digits, letters, space, full stop and hyphen-minus → half-width (as in
# qingzhuang.lib.tables). Chinese punctuation such as （）：，stays as typed.
_HALF_WIDTH = {
    **{ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．－"},
    **{c: c - 0xFEE0 for c in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{c: c - 0xFEE0 for c in range(ord("ａ"), ord("ｚ") + 1)},
    0x3000: ord(" "),
    0x00A0: ord(" "),
}
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f]")
_LINE_BREAK_RE = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
_BLANK_RUN_RE = re.compile(r"\n{3,}")

# PDF page furniture: "- 3 -", "— 3 —", "第3页", "第 3 页 共 10 页", "3/10", "Page 3 of 10".
_PAGE_NUMBER_RE = re.compile(
    r"(?:[-—–─_~～]+\s*\d{1,4}\s*[-—–─_~～]+"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?i:page)\s*\d{1,4}(?:\s*(?i:of)\s*\d{1,4})?)"
)
_LONE_NUMBER_RE = re.compile(r"\d{1,4}")
# A line that starts a new structural item or list entry (never joined to the line above).
_ITEM_START_RE = re.compile(
    r"第[零〇一二两三四五六七八九十百千\d]+[编章节条]"
    r"|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d{1,3}(?:[.、](?!\d)|\s)"
    r"|[●•■◆◇□○▲★※·\-*]\s"
    r"|附件|附表"
)
_TERMINAL_RE = re.compile(r"[。！？；：…!?;:.][”’」』）)》】\"']*$")

# Markdown, minimally: heading marks, bold/underline emphasis, links and images, rules. The
# bounded repetitions keep a hostile file from making the scans quadratic.
_MD_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__)(?=\S)(.{1,200}?)(?<=\S)\1")
_MD_LINK_RE = re.compile(r"!?\[([^\]\n]{0,200})\]\([^)\n]{0,1000}\)")
_MD_RULE_RE = re.compile(r"^[ \t]{0,3}(?:[-=*_][ \t]*){3,}$", re.MULTILINE)

# HTML: what is dropped, what ends a line, what separates cells.
_HTML_DROP = frozenset(
    ("script", "style", "nav", "header", "footer", "noscript", "template", "head", "iframe", "svg", "title")
)
_HTML_BLOCKS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "body",
        "html",
    )
)
_HTML_CELLS = frozenset(("td", "th"))
_HTML_LINE = "\ue000"
_HTML_TAB = "\ue001"
_HTML_SENTINELS_RE = re.compile("[\ue000\ue001]")
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A source line break between two Chinese characters is not a space (unlike between words).
_CJK_BREAK_RE = re.compile(rf"(?<=[{_CJK}])[ \t\r\n\f]*\n[ \t\r\n\f]*(?=[{_CJK}])")
_SPACES_RE = re.compile(r"[ \t\r\n\f]+")
_GB_ALIASES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "cp936", "windows-936"}


class ExtractError(ValueError):
    """A file whose text cannot (or may not) be extracted; ``message`` is for the user."""

    def __init__(self, message: str, *, code: str = "invalid_file") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Extracted:
    """The normalised text of a document and its format (one of ``FORMATS``)."""

    text: str
    format: str


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pages: int
    max_unzipped_bytes: int
    max_zip_ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        max_bytes = getattr(settings, "QZ_POLICY_MAX_BYTES", DEFAULT_MAX_BYTES)
        return cls(
            max_bytes=max_bytes,
            max_pages=getattr(settings, "QZ_POLICY_MAX_PAGES", DEFAULT_MAX_PAGES),
            max_unzipped_bytes=getattr(
                settings, "QZ_POLICY_MAX_UNZIPPED_BYTES", max(5 * max_bytes, 50 * 1024 * 1024)
            ),
            max_zip_ratio=getattr(settings, "QZ_POLICY_MAX_ZIP_RATIO", DEFAULT_MAX_ZIP_RATIO),
        )


def extract_text(path: str | os.PathLike, *, filename: str | None = None) -> Extracted:
    """The text of the document at ``path``; the format comes from ``filename``'s extension
    (the original upload name) when given, else from ``path``'s. Raises ``ExtractError``."""
    limits = Limits.from_settings()
    ext = Path(filename if filename is not None else os.fspath(path)).suffix.lower()
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        raise ExtractError(MSG_UNSUPPORTED.format(ext=ext or "（无扩展名）"), code="unsupported_type")
    size = os.path.getsize(path)
    if size > limits.max_bytes:
        raise ExtractError(MSG_TOO_LARGE.format(limit=_size_text(limits.max_bytes)), code="too_large")
    if size == 0:
        raise ExtractError(MSG_EMPTY, code="empty")
    with open(path, "rb") as f:
        head = f.read(TEXT_SAMPLE_BYTES)
    _check_magic(path, fmt, ext, head, limits)
    try:
        if fmt == "docx":
            text = _docx_text(path)
        elif fmt == "pdf":
            text = _pdf_text(path, limits)
        else:
            data = Path(path).read_bytes()
            if fmt == "html":
                text = _html_text(data)
            else:
                text = decode_text(data)
                if fmt == "md":
                    text = _markdown_text(text)
    except ExtractError:
        raise
    except Exception:
        # Parsers of damaged files fail in many ways (zip, XML, PDF syntax, recursion, ...).
        logger.warning("cannot extract text from %s file", fmt, exc_info=True)
        raise ExtractError(MSG_CORRUPT, code="corrupt") from None
    text = normalize_text(text)
    if not text:
        if fmt == "pdf":
            raise ExtractError(MSG_NO_TEXT_LAYER, code="no_text_layer")
        raise ExtractError(MSG_EMPTY, code="empty")
    return Extracted(text=text, format=fmt)


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(size // 1024, 1)} KB"


# ---------------------------------------------------------------------------------------------
# Normalisation


def normalize_text(text: str) -> str:
    """Half-width digits/letters/spaces, "\\n" line endings, no zero-width or control characters,
    lines stripped, at most one blank line in a row, no blank lines at either end."""
    text = _LINE_BREAK_RE.sub("\n", text)
    text = _INVISIBLE_RE.sub("", text.translate(_HALF_WIDTH))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_RUN_RE.sub("\n\n", text).strip("\n")


def _display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# ---------------------------------------------------------------------------------------------
# Content checks


def _check_magic(path: str | os.PathLike, fmt: str, ext: str, head: bytes, limits: Limits) -> None:
    mismatch = ExtractError(MSG_MISMATCH.format(ext=ext), code="mismatch")
    if fmt == "docx":
        if head.startswith(OLE_MAGIC):
            # An Office file with an opening password is an OLE container, not a zip.
            raise ExtractError(MSG_DOCX_ENCRYPTED, code="encrypted")
        if not head.startswith(ZIP_MAGIC):
            raise mismatch
        _check_docx_zip(path, limits)
    elif fmt == "pdf":
        if not head.startswith(PDF_MAGIC):
            raise mismatch
    else:
        bom = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if head.startswith(BINARY_MAGICS) or (b"\x00" in head and not bom):
            raise mismatch


def _check_docx_zip(path: str | os.PathLike, limits: Limits) -> None:
    """Zip-bomb and encryption checks of ``qingzhuang.lib.tables`` before anything is inflated,
    then the main part of a Word document must be there."""
    zip_limits = tables.Limits(
        max_bytes=limits.max_bytes,
        max_rows=0,
        max_columns=0,
        max_unzipped_bytes=limits.max_unzipped_bytes,
        max_zip_ratio=limits.max_zip_ratio,
    )
    try:
        tables._check_zip(path, zip_limits)
    except tables.TableError as exc:
        code = exc.problem.code
        if code == "zip_bomb":
            raise ExtractError(MSG_ZIP_BOMB, code="zip_bomb") from None
        if code == "encrypted":
            raise ExtractError(MSG_DOCX_ENCRYPTED, code="encrypted") from None
        raise ExtractError(MSG_CORRUPT, code="corrupt") from None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExtractError(MSG_CORRUPT, code="corrupt") from None
    if DOCX_MAIN_PART not in names:
        raise ExtractError(MSG_MISMATCH.format(ext=".docx"), code="mismatch")


# ---------------------------------------------------------------------------------------------
# docx


def _docx_text(path: str | os.PathLike) -> str:
    """Paragraphs and tables in document order; a table row is one line, cells joined by a tab.

    The body is walked through python-docx's element tree rather than ``iter_inner_content``,
    which skips content controls (w:sdt) and tracked insertions (w:ins)."""
    import docx

    document = docx.Document(os.fspath(path))
    return "\n".join(_docx_blocks(document.element.body, depth=0))


def _docx_blocks(container, depth: int) -> list[str]:
    """The lines of the paragraphs and tables directly in ``container`` (body, cell, content control)."""
    from docx.oxml.ns import qn

    lines: list[str] = []
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(_docx_paragraph_text(child))
        elif child.tag == qn("w:tbl"):
            lines.extend(_docx_table_lines(child, depth))
        elif child.tag in (qn("w:sdt"), qn("w:customXml")) and depth < MAX_DOCX_DEPTH:
            content = child.find(qn("w:sdtContent")) if child.tag == qn("w:sdt") else child
            if content is not None:
                lines.extend(_docx_blocks(content, depth + 1))
    return lines


def _docx_paragraph_text(paragraph) -> str:
    """The runs of a paragraph wherever they sit (hyperlinks, insertions, fields, content
    controls), but not deleted or moved-away text, nor the paragraphs of text boxes."""
    runs = paragraph.xpath(
        ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom) and not(ancestor::w:txbxContent)]"
    )
    return "".join(run.text for run in runs)


def _docx_table_lines(table, depth: int) -> list[str]:
    lines = []
    for row in table.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr"):
        # One w:tc per cell: a cell merged across columns is there once (with w:gridSpan).
        cells = [_docx_cell_text(cell, depth) for cell in row.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc")]
        line = "\t".join(cells).strip()
        if line:
            lines.append(line)
    return lines


def _docx_cell_text(cell, depth: int) -> str:
    if depth >= MAX_DOCX_DEPTH:
        lines = [_docx_paragraph_text(p) for p in cell.xpath(".//w:p")]
    else:
        lines = _docx_blocks(cell, depth + 1)
    return " ".join(" ".join(lines).split())


# ---------------------------------------------------------------------------------------------
# pdf


def _pdf_text(path: str | os.PathLike, limits: Limits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError

    try:
        reader = PdfReader(os.fspath(path))
        if reader.is_encrypted:
            # A PDF with only an owner password (printing/copying restrictions) opens with an
            # empty user password; anything else cannot be read.
            try:
                if not reader.decrypt(""):
                    raise ExtractError(MSG_PDF_ENCRYPTED, code="encrypted")
            except (DependencyError, FileNotDecryptedError, NotImplementedError, PdfReadError):
                raise ExtractError(MSG_PDF_ENCRYPTED, code="encrypted") from None
        count = len(reader.pages)
        if count > limits.max_pages:
            raise ExtractError(MSG_TOO_MANY_PAGES.format(limit=limits.max_pages), code="too_many_pages")
        pages = [normalize_text(page.extract_text() or "") for page in reader.pages]
    except LimitReachedError:
        raise ExtractError(MSG_ZIP_BOMB, code="zip_bomb") from None
    except FileNotDecryptedError:
        raise ExtractError(MSG_PDF_ENCRYPTED, code="encrypted") from None
    return clean_pdf_pages(pages)


def clean_pdf_pages(pages: list[str]) -> str:
    """The text of a PDF from its pages' texts: page numbers and running headers/footers
    removed, lines wrapped by the layout joined back into paragraphs."""
    page_lines = [[line for line in page.split("\n") if line] for page in pages]
    page_lines = [_drop_page_numbers(lines) for lines in page_lines]
    _drop_repeated_edges(page_lines)
    lines = [line for lines in page_lines for line in lines]
    return "\n".join(unwrap_lines(lines))


def _drop_page_numbers(lines: list[str]) -> list[str]:
    kept = [line for line in lines if not _PAGE_NUMBER_RE.fullmatch(line)]
    # A bare number is a page number only as the first or last line of a page.
    while kept and _LONE_NUMBER_RE.fullmatch(kept[-1]):
        kept.pop()
    while kept and _LONE_NUMBER_RE.fullmatch(kept[0]):
        kept.pop(0)
    return kept


def _drop_repeated_edges(page_lines: list[list[str]]) -> None:
    """Remove running headers (first line) and footers (last line) repeated across pages."""
    if len(page_lines) < REPEATED_LINE_MIN_PAGES:
        return
    needed = max(REPEATED_LINE_MIN_PAGES, math.ceil(REPEATED_LINE_SHARE * len(page_lines)))
    for index in (0, -1):
        keys = Counter(re.sub(r"\d+", "#", lines[index]) for lines in page_lines if lines)
        for key, count in keys.items():
            if count < needed:
                continue
            for lines in page_lines:
                if lines and re.sub(r"\d+", "#", lines[index]) == key:
                    lines.pop(index)


def unwrap_lines(lines: list[str]) -> list[str]:
    """Join lines that the layout wrapped: a line about as wide as a full line that does not end
    with terminal punctuation continues on the next line, unless that one starts a structural
    item (第X条, 一、, （一）, 1. ...). Chinese needs no space at the joint; two Latin words get one."""
    if not lines:
        return []
    widths = sorted(_display_width(line) for line in lines)
    full = widths[min(len(widths) - 1, int(0.8 * len(widths)))]
    out: list[str] = []
    last = ""
    for line in lines:
        if (
            out
            and _display_width(last) >= WRAPPED_LINE_SHARE * full
            and not _TERMINAL_RE.search(last)
            and not _ITEM_START_RE.match(line)
        ):
            joint = " " if _is_word_char(last[-1]) and _is_word_char(line[0]) else ""
            out[-1] += joint + line
        else:
            out.append(line)
        last = line
    return out


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


# ---------------------------------------------------------------------------------------------
# Text files


def decode_text(data: bytes) -> str:
    """Bytes of a text file as text: by BOM, else UTF-8, else GB18030 (a superset of GBK and
    GB2312, the usual encodings of Chinese text files), else charset-normalizer's guess.

    GB18030 is tried before charset-normalizer because the latter takes short GBK text for
    Korean (cp949)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ExtractError(MSG_ENCODING, code="encoding") from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ExtractError(MSG_ENCODING, code="encoding")
    return str(best)


def _markdown_text(text: str) -> str:
    """Markdown syntax stripped minimally: heading marks, ** and __ emphasis, links and images
    (their text is kept), horizontal rules. Lines stay as they are."""
    text = _MD_HEADING_RE.sub(r"\1", text)
    text = _MD_RULE_RE.sub("", text)
    text = _MD_LINK_RE.sub(r"\1", text)
    return _MD_EMPHASIS_RE.sub(r"\2", text)


# ---------------------------------------------------------------------------------------------
# html


def _html_text(data: bytes) -> str:
    """The visible text of an HTML page, one line per block element, table cells joined by a tab.
    Scripts, styles, navigation, page headers and footers are dropped.

    One pass over the parsed tree (no tree edits, which are linear in the number of siblings
    each): text that sits in another block than the text before it starts a new line, or a new
    cell when both are cells of the same table row."""
    from bs4 import BeautifulSoup, CData, NavigableString, Tag

    soup = BeautifulSoup(_decode_html(data), "html.parser")
    # id(tag) → (inside a dropped element, nearest block or cell element), filled from the root down.
    known: dict[int, tuple[bool, Tag | None]] = {}

    def context(tag: Tag) -> tuple[bool, Tag | None]:
        chain = []
        node = tag
        while node is not None and id(node) not in known:
            chain.append(node)
            node = node.parent
        dropped, boundary = known[id(node)] if node is not None else (False, None)
        for element in reversed(chain):
            dropped = dropped or element.name in _HTML_DROP
            if element.name in _HTML_BLOCKS or element.name in _HTML_CELLS:
                boundary = element
            known[id(element)] = (dropped, boundary)
        return known[id(tag)]

    parts: list[str] = []
    current: Tag | None = None
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name == "br" and not context(node)[0]:
                parts.append(_HTML_LINE)
            continue
        if type(node) not in (NavigableString, CData) or node.parent is None:
            continue  # comments, doctype, script and style strings
        dropped, boundary = context(node.parent)
        if dropped:
            continue
        if boundary is not current and not node.isspace():
            same_row = (
                current is not None
                and boundary is not None
                and current.name in _HTML_CELLS
                and boundary.name in _HTML_CELLS
                and current.parent is boundary.parent
            )
            parts.append(_HTML_TAB if same_row else _HTML_LINE)
            current = boundary
        parts.append(str(node))
    # Whitespace in HTML source is layout: a break between Chinese characters disappears, other
    # runs become one space; the sentinels are the real line and cell breaks.
    text = _SPACES_RE.sub(" ", _CJK_BREAK_RE.sub("", "".join(parts)))
    lines = (
        "\t".join(cell.strip() for cell in line.split(_HTML_TAB)).strip() for line in text.split(_HTML_LINE)
    )
    return "\n".join(line for line in lines if line)


def _decode_html(data: bytes) -> str:
    """The page as text: by BOM, else by its declared charset (GBK family read as GB18030),
    else like a text file."""
    from bs4.dammit import EncodingDetector

    text: str | None = None
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = EncodingDetector.find_declared_encoding(data[:TEXT_SAMPLE_BYTES], is_html=True)
        if declared:
            declared = declared.strip().lower()
            encoding = "gb18030" if declared in _GB_ALIASES else declared
            try:
                text = data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                text = None
    if text is None:
        text = decode_text(data)
    return _HTML_SENTINELS_RE.sub("", text)
