"""Text extraction: every format, built in tmp_path at test time, and every refusal."""

import io
import zipfile

import pytest
from docx import Document
from docx.oxml import parse_xml
from pypdf import PdfWriter

from qingzhuang.assistant.extract import (
    MSG_CORRUPT,
    MSG_DOCX_ENCRYPTED,
    MSG_EMPTY,
    MSG_NO_TEXT_LAYER,
    MSG_PDF_ENCRYPTED,
    MSG_ZIP_BOMB,
    Extracted,
    ExtractError,
    extract_text,
    normalize_text,
    unwrap_lines,
)

# ---------------------------------------------------------------------------------------------
# Fixture builders


def make_pdf(pages: list[list[str]] | None = None, *, contents: list[bytes] | None = None) -> bytes:
    """A minimal PDF: each page shows its lines top-down in a Type0 font whose ToUnicode CMap
    maps one CID per character used (no glyphs are embedded: only the text layer matters).
    ``contents`` gives raw content streams instead (for pages without text)."""
    pages = pages or []
    chars = sorted({c for page in pages for line in page for c in line})
    cid = {c: number for number, c in enumerate(chars, start=1)}
    pairs = "\n".join(f"<{cid[c]:04X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(chars)} beginbfchar\n{pairs}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: page tree, filled in at the end

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)

    to_unicode = add(stream(cmap))
    descendant = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /DW 1000 "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>"
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (descendant, to_unicode)
    )
    streams = list(contents or [])
    for lines in pages:
        ops = [b"BT /F1 12 Tf 18 TL 72 770 Td"]
        ops += [b"<%s> Tj T*" % "".join(f"{cid[c]:04X}" for c in line).encode() for line in lines]
        streams.append(b"\n".join([*ops, b"ET"]))
    kids = []
    for data in streams:
        content = add(stream(data))
        kids.append(
            add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)
            )
        )
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypt_pdf(data: bytes, *, user_password: str, owner_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(path):
    document = Document()
    document.add_heading("青山县会议管理办法", level=1)
    document.add_paragraph("第一条\u3000为精简会议，制定本办法。")
    document.add_paragraph("")
    document.add_paragraph("第二条\u3000会议时长不超过９０分钟，参会人员见下表：")
    table = document.add_table(rows=3, cols=3)
    for row, cells in enumerate([("会议类型", "时长", "人数"), ("全县性会议", "90分钟", "100人")]):
        for column, value in enumerate(cells):
            table.cell(row, column).text = value
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "专题会议"
    table.cell(2, 2).text = "20人"
    document.add_paragraph("第三条\u3000本办法自发布之日起施行。")
    document.save(path)
    return path


# Three pages with a running header, page numbers in three styles and lines wrapped by the layout
# (20 characters a full line); one paragraph continues on the next page.
PAGES = [
    [
        "青山县基层减负工作简报",
        "关于精简会议的通知",
        "各乡镇人民政府：",
        "为切实减轻基层负担，经县委同意，现就精简会",
        "议有关事项通知如下。",
        "一、严格控制会议数量，全县性会议每年不超过",
        "- 1 -",
    ],
    [
        "青山县基层减负工作简报",
        "两次，能合并的合并召开。",
        "二、严格控制会议规模，不得层层陪会，不得要求",
        "基层干部陪同。",
        "第2页",
    ],
    [
        "青山县基层减负工作简报",
        "三、提倡开短会、讲短话，会议时长原则上不超",
        "过一小时。",
        "3",
    ],
]
PAGES_TEXT = (
    "关于精简会议的通知\n"
    "各乡镇人民政府：\n"
    "为切实减轻基层负担，经县委同意，现就精简会议有关事项通知如下。\n"
    "一、严格控制会议数量，全县性会议每年不超过两次，能合并的合并召开。\n"
    "二、严格控制会议规模，不得层层陪会，不得要求基层干部陪同。\n"
    "三、提倡开短会、讲短话，会议时长原则上不超过一小时。"
)


def refusal(path, **kwargs) -> tuple[str, str]:
    with pytest.raises(ExtractError) as exc:
        extract_text(path, **kwargs)
    return exc.value.code, exc.value.message


# ---------------------------------------------------------------------------------------------
# Formats


def test_docx_paragraphs_and_table_in_order(tmp_path):
    path = make_docx(tmp_path / "办法.docx")
    assert extract_text(path) == Extracted(
        text=(
            "青山县会议管理办法\n"
            "第一条 为精简会议，制定本办法。\n"
            "\n"
            "第二条 会议时长不超过90分钟，参会人员见下表：\n"
            "会议类型\t时长\t人数\n"
            "全县性会议\t90分钟\t100人\n"
            "专题会议\t20人\n"
            "第三条 本办法自发布之日起施行。"
        ),
        format="docx",
    )


def test_docx_content_controls_and_tracked_changes(tmp_path):
    document = Document()
    document.add_paragraph("第一条 会议从简。")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = document.element.body
    body.insert(
        len(body) - 1,  # before w:sectPr
        parse_xml(
            f"<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>第二条 文件从简。</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    body.insert(
        len(body) - 1,
        parse_xml(
            f"<w:p {w}><w:r><w:t>第三条 </w:t></w:r>"
            "<w:del><w:r><w:delText>删去的字</w:delText></w:r></w:del>"
            "<w:ins><w:r><w:t>新增的字</w:t></w:r></w:ins>"
            "<w:r><w:tab/><w:t>结束。</w:t></w:r></w:p>"
        ),
    )
    path = tmp_path / "修订.docx"
    document.save(path)
    assert extract_text(path) == Extracted(
        text="第一条 会议从简。\n第二条 文件从简。\n第三条 新增的字\t结束。", format="docx"
    )


def test_pdf_text_layer_without_page_furniture_and_wraps(tmp_path):
    path = tmp_path / "通知.pdf"
    path.write_bytes(make_pdf(PAGES))
    assert extract_text(path) == Extracted(text=PAGES_TEXT, format="pdf")


def test_pdf_with_owner_password_only_is_read(tmp_path):
    path = tmp_path / "通知.pdf"
    path.write_bytes(encrypt_pdf(make_pdf(PAGES), user_password="", owner_password="owner"))
    assert extract_text(path) == Extracted(text=PAGES_TEXT, format="pdf")


def test_gbk_txt(tmp_path):
    path = tmp_path / "通知.txt"
    text = "关于精简会议的通知\r\n\r\n\r\n\r\n第一条\u3000会议时长不超过９０分钟。  \r\n各乡镇遵照执行。\r\n"
    path.write_bytes(text.encode("gbk"))
    assert extract_text(path) == Extracted(
        text="关于精简会议的通知\n\n第一条 会议时长不超过90分钟。\n各乡镇遵照执行。", format="txt"
    )


def test_gb18030_txt_with_rare_character(tmp_path):
    path = tmp_path / "通知.txt"
    path.write_bytes("䶮村减负工作方案".encode("gb18030"))
    assert extract_text(path) == Extracted(text="䶮村减负工作方案", format="txt")


def test_utf8_bom_markdown_syntax_stripped(tmp_path):
    path = tmp_path / "措施.md"
    markdown = (
        "# 关于精简会议的通知\n\n"
        "## 一、总体要求\n\n"
        "**严格**控制会议，详见[附件](http://example.org/a.pdf)。\n\n"
        "---\n\n"
        "1. 会议不超过90分钟\n"
    )
    path.write_bytes(markdown.encode("utf-8-sig"))
    assert extract_text(path) == Extracted(
        text="关于精简会议的通知\n\n一、总体要求\n\n严格控制会议，详见附件。\n\n1. 会议不超过90分钟",
        format="md",
    )


def test_html_gbk_meta_charset_without_scripts_and_navigation(tmp_path):
    path = tmp_path / "通知.html"
    page = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>青山县人民政府网</title><style>p { color: red }</style></head>
<body><header>网站首页 | 政策文件</header><nav><a href="/">首页</a></nav>
<h1>关于精简会议的通知</h1>
<p>各乡镇：<br>现将有关事项
   通知如下。</p>
<script>alert("不应出现")</script>
<table><tr><th>事项</th> <th>时限</th></tr>
<tr><td>全县性会议</td> <td>９０分钟</td></tr></table>
<div>联系人：<b>张三</b>，电话 1234</div>
<footer>版权所有</footer></body></html>"""
    path.write_bytes(page.encode("gbk"))
    assert extract_text(path) == Extracted(
        text="关于精简会议的通知\n各乡镇：\n现将有关事项通知如下。\n事项\t时限\n全县性会议\t90分钟\n联系人：张三，电话 1234",
        format="html",
    )


def test_html_utf8_without_declared_charset(tmp_path):
    path = tmp_path / "page.htm"
    path.write_bytes("<p>第一条 精简文件。</p><p>Hello <i>world</i></p>".encode())
    assert extract_text(path) == Extracted(text="第一条 精简文件。\nHello world", format="html")


def test_format_from_filename_not_from_path(tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes("精简会议".encode())
    assert extract_text(path, filename="通知.TXT") == Extracted(text="精简会议", format="txt")


# ---------------------------------------------------------------------------------------------
# Refusals


def test_unsupported_extension(tmp_path):
    path = tmp_path / "a.xyz"
    path.write_bytes(b"text")
    assert refusal(path) == (
        "unsupported_type",
        "不支持的文件格式：.xyz，请上传 docx、pdf、txt、md 或 html 文件",
    )
    assert refusal(path, filename="旧文件.doc") == (
        "unsupported_type",
        "不支持的文件格式：.doc，请上传 docx、pdf、txt、md 或 html 文件",
    )


def test_docx_that_is_really_text(tmp_path):
    path = tmp_path / "a.docx"
    path.write_text("这不是 Word 文件", encoding="utf-8")
    assert refusal(path) == (
        "mismatch",
        "文件内容与扩展名（.docx）不符，可能是其他格式的文件改了扩展名，请确认后重新上传",
    )


def test_zip_without_word_document_is_not_docx(tmp_path):
    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert refusal(path) == (
        "mismatch",
        "文件内容与扩展名（.docx）不符，可能是其他格式的文件改了扩展名，请确认后重新上传",
    )


def test_pdf_and_txt_with_wrong_content(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_text("<html>not a pdf</html>", encoding="utf-8")
    assert refusal(pdf) == (
        "mismatch",
        "文件内容与扩展名（.pdf）不符，可能是其他格式的文件改了扩展名，请确认后重新上传",
    )
    txt = tmp_path / "a.txt"
    txt.write_bytes(make_pdf(PAGES))
    assert refusal(txt) == (
        "mismatch",
        "文件内容与扩展名（.txt）不符，可能是其他格式的文件改了扩展名，请确认后重新上传",
    )
    binary = tmp_path / "b.md"
    binary.write_bytes(b"abc\x00\x01\x02")
    assert refusal(binary)[0] == "mismatch"


def test_encrypted_word_file(tmp_path):
    path = tmp_path / "a.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert refusal(path) == ("encrypted", MSG_DOCX_ENCRYPTED)
    assert MSG_DOCX_ENCRYPTED == "Word 文件已加密（设置了打开密码），请取消密码后重新上传"


def test_scanned_pdf_without_text_layer(tmp_path):
    path = tmp_path / "扫描件.pdf"
    path.write_bytes(make_pdf(contents=[b"q 0 0 0 rg 72 72 300 500 re f Q"]))
    assert refusal(path) == (
        "no_text_layer",
        "PDF 中没有文字层（可能是扫描件），请上传带文字的 PDF 或 Word 文件",
    )
    assert MSG_NO_TEXT_LAYER == "PDF 中没有文字层（可能是扫描件），请上传带文字的 PDF 或 Word 文件"


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "加密.pdf"
    path.write_bytes(encrypt_pdf(make_pdf(PAGES), user_password="secret", owner_password="owner"))
    assert refusal(path) == ("encrypted", "PDF 已加密，无法提取文字")
    assert MSG_PDF_ENCRYPTED == "PDF 已加密，无法提取文字"


def test_too_large(tmp_path, settings):
    settings.QZ_POLICY_MAX_BYTES = 1024 * 1024
    path = tmp_path / "大文件.txt"
    path.write_bytes("减负".encode() * (200 * 1024))
    assert refusal(path) == ("too_large", "文件大小超过上限（1 MB），请压缩或拆分后上传")
    settings.QZ_POLICY_MAX_BYTES = 1152 * 1024
    assert refusal(path) == ("too_large", "文件大小超过上限（1.125 MB），请压缩或拆分后上传")


def test_default_size_limit_is_20_mb(tmp_path):
    path = tmp_path / "大文件.txt"
    with open(path, "wb") as f:
        f.truncate(20 * 1024 * 1024 + 1)
    assert refusal(path) == ("too_large", "文件大小超过上限（20 MB），请压缩或拆分后上传")


def test_too_many_pdf_pages(tmp_path, settings):
    settings.QZ_POLICY_MAX_PAGES = 2
    path = tmp_path / "长文件.pdf"
    path.write_bytes(make_pdf(PAGES))
    assert refusal(path) == ("too_many_pages", "PDF 页数超过上限（2 页），请拆分后上传")
    settings.QZ_POLICY_MAX_PAGES = 3
    assert extract_text(path).text == PAGES_TEXT


def test_zip_bomb_docx_refused_before_opening(tmp_path):
    path = tmp_path / "炸弹.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/image1.bin", b"\x00" * (16 * 1024 * 1024))
    assert refusal(path) == ("zip_bomb", "文件解压后过大或压缩比异常（疑似压缩炸弹），已拒绝处理")
    assert MSG_ZIP_BOMB == "文件解压后过大或压缩比异常（疑似压缩炸弹），已拒绝处理"


def test_docx_over_total_unzipped_limit(tmp_path, settings):
    settings.QZ_POLICY_MAX_UNZIPPED_BYTES = 10_000
    path = make_docx(tmp_path / "办法.docx")
    assert refusal(path) == ("zip_bomb", MSG_ZIP_BOMB)


def test_corrupt_docx_and_pdf(tmp_path):
    docx_path = tmp_path / "坏.docx"
    with zipfile.ZipFile(docx_path, "w") as archive:
        archive.writestr("word/document.xml", "this is not xml")
    assert refusal(docx_path) == ("corrupt", "文件已损坏或格式不正确，无法读取")
    truncated = tmp_path / "截断.docx"
    truncated.write_bytes(make_docx(tmp_path / "好.docx").read_bytes()[:2000])
    assert refusal(truncated) == ("corrupt", MSG_CORRUPT)
    pdf_path = tmp_path / "坏.pdf"
    pdf_path.write_bytes(b"%PDF-1.7\nthis is not really a pdf\n")
    assert refusal(pdf_path) == ("corrupt", MSG_CORRUPT)


def test_empty_files(tmp_path):
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    assert refusal(empty) == ("empty", "文件中没有可提取的文字")
    blank = tmp_path / "空白.md"
    blank.write_bytes("\ufeff \r\n\u3000\u200b\n\n".encode())
    assert refusal(blank) == ("empty", MSG_EMPTY)
    html = tmp_path / "空.html"
    html.write_bytes(b"<html><script>var a = 1;</script><footer>footer</footer></html>")
    assert refusal(html) == ("empty", MSG_EMPTY)


def test_extract_error_is_value_error_with_message():
    error = ExtractError("文件已损坏或格式不正确，无法读取")
    assert isinstance(error, ValueError)
    assert (error.message, error.code, str(error)) == (MSG_CORRUPT, "invalid_file", MSG_CORRUPT)


# ---------------------------------------------------------------------------------------------
# Helpers


def test_normalize_text():
    raw = "\ufeff  ＡＢＣ１２３\u3000（一）\u200b会议\t \r\n\r\n\r\n\r\n\r第二行\u00a0\x0c第三行\n\n"
    assert normalize_text(raw) == "ABC123 （一）会议\n\n第二行\n第三行"


def test_unwrap_lines_joins_only_wrapped_lines():
    lines = [
        "The county office will cut the",
        "number of meetings this year.",
        "Short title",
        "Another full line of text that",
        "1. starts a list item here.",
    ]
    assert unwrap_lines(lines) == [
        "The county office will cut the number of meetings this year.",
        "Short title",
        "Another full line of text that",
        "1. starts a list item here.",
    ]
