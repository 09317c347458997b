"""Chinese policy documents: metadata guessing and splitting into passages along their structure.

``guess_metadata`` reads the title, 文号, issuing agency, date and administrative level off the
usual layout of an official document (红头 header, 文号 line, title, body, 落款 with agency and
date). ``split_passages`` cuts the body into passages for search and citation: one per article
(第X条) in regulation-style documents, one per outline item (一、 / （一）) in notice-style ones,
with the path of headings above each passage and a canonical key for exact article look-ups.

Everything here is pure text processing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from qingzhuang.assistant.extract import normalize_text
from qingzhuang.lib import docnumbers

LEVELS = ("国家", "省级", "市级", "县级", "乡镇", "其他")
DOMAIN_TAGS = (
    "减负",
    "督查检查",
    "考核",
    "会议",
    "文件",
    "报表",
    "工作群",
    "政务应用程序",
    "证明事项",
    "准入",
    "留痕",
    "关心关爱",
    "线索",
    "一套表",
    "数据共享",
    "调研",
    "台账",
    "评比达标",
    "问责",
    "属地管理",
)
# Other ways documents name a tag's subject; each occurrence counts for the tag.
TAG_ALIASES = {
    "减负": ("减轻基层负担", "减轻负担"),
    "督查检查": ("督查", "督导检查"),
    "政务应用程序": ("政务APP", "政务App", "政务app", "政务移动互联网应用程序", "政务应用"),
    "留痕": ("痕迹管理",),
}
MAX_TAGS = 6
MIN_TAG_COUNT = 2
TITLE_WORDS = (
    "办法",
    "规定",
    "措施",
    "通知",
    "意见",
    "细则",
    "制度",
    "清单",
    "方案",
    "规程",
    "决定",
    "条例",
    "规则",
    "指引",
    "指南",
    "通报",
    "要点",
    "规划",
    "公告",
    "批复",
)
AGENCY_SUFFIXES = (
    "委员会",
    "办公室",
    "办公厅",
    "政府",
    "局",
    "委",
    "厅",
    "部",
    "院",
    "办",
    "中心",
    "组",
    "会",
    "处",
    "署",
    "站",
    "所",
    "队",
    "党委",
    "党组",
    "办事处",
    "街道",
    "镇",
    "乡",
    "联",
    "社",
    "馆",
)
MAX_TITLE_CHARS = 60
MAX_CHAPTER_LABEL = 40
MAX_OUTLINE_LABEL = 30
HEADER_LINES = 12
CLOSING_LINES = 10
PREAMBLE_HEADING = "前言"
PATH_SEPARATOR = " > "

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"(?:[0-9]+|[零〇○一二两三四五六七八九十百千万]+)"
_CN_ENUM = r"[一二三四五六七八九十百]+"

_CONTAINER_RE = re.compile(rf"第\s*({_NUM})\s*([编章节])")
_ARTICLE_RE = re.compile(
    rf"第\s*({_NUM})\s*条(之[一二三四五六七八九十]+)?"
    r"(?!规定|所[称述列指]|中|的|和|及|或|、|至|第|款|项)"
)
_LEVEL_A_RE = re.compile(rf"({_CN_ENUM})、")
_LEVEL_B_RE = re.compile(rf"[（(]({_CN_ENUM})[）)]")
_ARTICLE_KEY_RE = re.compile(rf"第({_NUM})条(之[一二三四五六七八九十]+)?")
_OUTLINE_KEY_RE = re.compile(rf"(?:({_CN_ENUM})、)?(?:>)?(?:[（(]({_CN_ENUM})[）)])?")
_LABEL_END_RE = re.compile(r"[。：；:;]")
_SENTENCE_RE = re.compile(r"[^。！？；!?;]+(?:[。！？；!?;]+[”’」』）)]*)?|[。！？；!?;]+[”’」』）)]*")
_CLAUSE_RE = re.compile(r"[^，、,：:]+[，、,：:]*|[，、,：:]+")
_SPACE_RUN_RE = re.compile(r"\s+")

_DOC_NUMBER_LABEL_RE = re.compile(r"(?:发文字号|发文文号|文号|字号)\s*[:：]?")
_DOC_NUMBER_LABEL_END_RE = re.compile(r"(?:文号|字号)\s*[:：]\s*$")
# Metadata tables of government portals: "索引号：…", "发文机关：…", "成文日期：…".
_METADATA_LABEL_RE = re.compile(
    r"(?:索引号|发文机关|发布机关|发文单位|发文字号|文号|成文日期|发文日期|发布日期|主题分类|公文种类|主题词|有效性)"
    r"\s*[:：]"
)
_SIGNER_RE = re.compile(r"签\s*发\s*人\s*[:：]\s*\S*(?:\s+\S+)?")
_DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?<!\d)(?P<y2>(?:19|20)\d{2})[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?!\d)"
    r"|(?P<y3>[〇○零O一二三四五六七八九]{4})\s*年\s*(?P<m3>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d3>[一二三四五六七八九十]{1,3})\s*日"
)
_PRINTED_RE = re.compile(r"印\s*发\s*$")
_COPY_TO_RE = re.compile(r"(?:抄\s*送|抄\s*报|分\s*送)\s*[:：]")
_NOTE_RE = re.compile(r"[（(]此件.{0,20}[）)]")
_FURNITURE_RE = re.compile(r"(?:\d{6}|特急|加急|平急|特提|急件|绝密|机密|秘密)(?:\s*★.*)?")
_SYMBOLS_ONLY_RE = re.compile(r"[\W_]+")
_AGENCY_BAD_CHARS_RE = re.compile(r"[。，；：:;,!?！？《》]")
_LABELED_ISSUER_RE = re.compile(r"(?:发文机关|发布机关|发文单位)\s*[:：]\s*([^\s:：]+)")
_LABELED_DATE_RE = re.compile(r"(?:成文日期|发文日期|印发日期)\s*[:：]")
_LEVEL_NATIONAL = ("国务院", "中共中央", "中央", "全国人大", "全国人民代表大会")
_LEVEL_MARKERS = (
    (re.compile(r"省"), "省级"),
    (re.compile(r"(?<!城)市(?![场民])|自治州"), "市级"),
    (re.compile(r"县|(?<![社小园景片辖矿灾山林牧])区(?![域块间别分划])"), "县级"),
    (re.compile(r"(?<!城)乡(?!村)|(?<!城)镇|街道"), "乡镇"),
)


@dataclass
class Metadata:
    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    issued_on: dt.date | None = None
    level: str = "其他"
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Passage:
    """A passage of a document: its 0-based position, the path of headings above it (its own
    label included), the canonical article key ("第12条", "一、", "二、 > （三）" or ""), and
    its text (which starts with its own heading line, when it has one)."""

    position: int
    heading: str
    article: str
    text: str


# ---------------------------------------------------------------------------------------------
# Numbers, 文号 and article keys


def chinese_number(s: str) -> int:
    """The value of a number written in Chinese (一, 十二, 二十一, 一百零五, 两) or in digits.
    Digits without units read digit by digit (二〇二五 → 2025). Raises ValueError."""
    s = s.strip()
    if re.fullmatch(r"[0-9]+", s):
        return int(s)
    if not s or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in s):
        raise ValueError(f"not a Chinese number: {s!r}")
    if not any(c in _CN_UNITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total = section = digit = 0
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c == "万":
            total += (section + digit) * 10000
            section = digit = 0
        else:
            section += (digit or 1) * _CN_UNITS[c]
            digit = 0
    return total + section + digit


def normalize_doc_number(s: str) -> str:
    """A 文号 in canonical form for exact matching: half-width digits, no spaces, the year in
    〔〕, no "第" and no leading zeros before the number ("青政办发[2025]03号" → "青政办发〔2025〕3号").
    Text without a recognisable 文号 is returned without spaces."""
    return docnumbers.normalize_doc_number(normalize_text(s))


def normalize_article(s: str) -> str:
    """An article reference in the canonical form of ``Passage.article``: "第十二条" and "第12条"
    → "第12条"; "(三)" → "（三）"; "二、（三）" → "二、 > （三）". Anything else comes back stripped."""
    compact = _SPACE_RUN_RE.sub("", normalize_text(s))
    match = _ARTICLE_KEY_RE.fullmatch(compact)
    if match:
        return _article_key(match[1], match[2])
    match = _OUTLINE_KEY_RE.fullmatch(compact)
    if match and (match[1] or match[2]):
        parts = ([f"{match[1]}、"] if match[1] else []) + ([f"（{match[2]}）"] if match[2] else [])
        return PATH_SEPARATOR.join(parts)
    return s.strip()


def _article_key(number: str, suffix: str | None) -> str:
    return f"第{chinese_number(number)}条{suffix or ''}"


# ---------------------------------------------------------------------------------------------
# Line classification


def _lines(text: str) -> list[str]:
    return [line for line in normalize_text(text).split("\n") if line]


def _compact(line: str) -> str:
    return _SPACE_RUN_RE.sub("", line)


def _is_structural(line: str) -> bool:
    return bool(
        _container_match(line)
        or _ARTICLE_RE.match(line)
        or _LEVEL_A_RE.match(line)
        or _LEVEL_B_RE.match(line)
    )


def _container_match(line: str) -> re.Match | None:
    """第X编/第X章/第X节 — only as a short heading line, never inside a sentence."""
    match = _CONTAINER_RE.match(line)
    if match and len(line) <= MAX_CHAPTER_LABEL and not line.endswith(("。", "，", "；", "：")):
        return match
    return None


def _is_doc_number_line(line: str) -> bool:
    """A line that holds a 文号 and hardly anything else (a 签发人 or a "文号：" label may share it)."""
    match = docnumbers.DOC_NUMBER_RE.search(line)
    if match is None:
        return False
    rest = _SIGNER_RE.sub("", line[: match.start()] + line[match.end() :])
    rest = _DOC_NUMBER_LABEL_RE.sub("", rest)
    return len(_compact(rest)) <= 4


def _header_issuer(line: str) -> str | None:
    """The agency of a red-head header line such as "青山县人民政府办公室文件", else None."""
    compact = _compact(line)
    if (
        compact.endswith("文件")
        and 4 <= len(compact) <= 40
        and "关于" not in compact
        and not _AGENCY_BAD_CHARS_RE.search(compact)
        and compact[:-2].endswith(AGENCY_SUFFIXES)
    ):
        return compact[:-2]
    return None


def _is_header_furniture(line: str) -> bool:
    """文号, red-head header, 签发人, 份号/密级/紧急程度 and separator lines at the top."""
    return bool(
        _is_doc_number_line(line)
        or _header_issuer(line) is not None
        or _SIGNER_RE.fullmatch(line)
        or _FURNITURE_RE.fullmatch(line)
        or _SYMBOLS_ONLY_RE.fullmatch(line)
        or _METADATA_LABEL_RE.match(line)
    )


def _is_agency(line: str) -> bool:
    compact = _compact(line)
    return (
        2 <= len(compact) <= 40
        and not _AGENCY_BAD_CHARS_RE.search(compact)
        and "关于" not in compact
        and not _is_structural(line)
        and not _DATE_RE.search(line)
        and compact.endswith(AGENCY_SUFFIXES)
    )


def _looks_like_title(line: str) -> bool:
    return (
        len(line) <= MAX_TITLE_CHARS
        and any(word in line for word in TITLE_WORDS)
        and not line.endswith(("。", "，", "；", "：", ":"))
        and not _is_structural(line)
        and not _DATE_RE.search(line)
    )


def _dates(line: str) -> list[tuple[dt.date, re.Match]]:
    found = []
    for match in _DATE_RE.finditer(line):
        try:
            if match["y"]:
                value = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            elif match["y2"]:
                value = dt.date(int(match["y2"]), int(match["m2"]), int(match["d2"]))
            else:
                value = dt.date(
                    chinese_number(match["y3"]), chinese_number(match["m3"]), chinese_number(match["d3"])
                )
        except ValueError:
            continue
        found.append((value, match))
    return found


def _closing_date_agency(line: str, match: re.Match) -> str | None:
    """What a date line holds besides the date: "" (a bare date), an agency name, or None."""
    rest = _compact(line[: match.start()] + line[match.end() :])
    if not rest:
        return ""
    return rest if _is_agency(rest) else None


def _agency_name(line: str) -> str:
    """An agency line without layout spacing: "青 山 县 委" → "青山县委", while joint issuers
    keep one space between them."""
    words = line.split()
    if all(len(word) == 1 for word in words):
        return "".join(words)
    return " ".join(words)


def _is_printed_line(line: str) -> bool:
    """版记: "抄送：……" or "青山县人民政府办公室 2025年3月19日印发"."""
    return bool(_COPY_TO_RE.match(line) or (_PRINTED_RE.search(line) and _DATE_RE.search(line)))


# ---------------------------------------------------------------------------------------------
# Metadata


def guess_metadata(text: str) -> Metadata:
    """Title, 文号, issuing agency, date, level and subject tags (counted in the whole text,
    title included), guessed from the layout."""
    lines = _lines(text)
    title = _guess_title(lines)
    doc_number = _guess_doc_number(lines, title)
    issued_on, issuer = _guess_date_and_issuer(lines)
    return Metadata(
        title=title,
        issuer=issuer,
        doc_number=doc_number,
        issued_on=issued_on,
        level=guess_level(issuer, title, doc_number),
        tags=guess_tags("\n".join(lines)),
    )


def _guess_title(lines: list[str]) -> str:
    title = _find_title(lines)
    if title is not None:
        return title
    candidates = [line for line in lines[:HEADER_LINES] if not _is_header_furniture(line)]
    return (candidates or lines or [""])[0][:MAX_TITLE_CHARS]


def _find_title(lines: list[str]) -> str | None:
    """The title near the top, if there is one: a markdown "# " line, else the first
    short line naming a kind of document (办法, 通知 …), with the line before it when the title is
    laid out on two lines ("青山县人民政府办公室" / "关于……的通知", "……关于印发" / "《……》的通知")."""
    head = lines[:HEADER_LINES]
    for line in head:
        if line.startswith("# "):
            return line[2:].strip()
    previous: tuple[int, str] | None = None
    for index, line in enumerate(head):
        if _is_header_furniture(line):
            continue
        if _looks_like_title(line):
            if (
                previous is not None
                and previous[0] == index - 1
                and len(previous[1]) + len(line) <= 2 * MAX_TITLE_CHARS
                and (
                    (line.startswith("关于") and _is_agency(previous[1]))
                    or ("关于" in previous[1] and not _AGENCY_BAD_CHARS_RE.search(previous[1][-1]))
                )
            ):
                return previous[1] + line
            return line
        previous = (index, line)
    return None


def _guess_doc_number(lines: list[str], title: str) -> str:
    for line in lines[:HEADER_LINES]:
        if _is_doc_number_line(line):
            return docnumbers.format_doc_number(docnumbers.DOC_NUMBER_RE.search(line))
        for match in docnumbers.DOC_NUMBER_RE.finditer(line):
            if _DOC_NUMBER_LABEL_END_RE.search(line[: match.start()]):
                return docnumbers.format_doc_number(match)
    match = docnumbers.DOC_NUMBER_RE.search(title)
    return docnumbers.format_doc_number(match) if match else ""


def _guess_date_and_issuer(lines: list[str]) -> tuple[dt.date | None, str]:
    labeled_issuer = ""
    labeled_date: dt.date | None = None
    # Government portals list the metadata in a table: "发文机关：…", "成文日期：…".
    for line in lines[: 3 * HEADER_LINES]:
        match = _LABELED_ISSUER_RE.search(line)
        if match and not labeled_issuer and _is_agency(match[1]):
            labeled_issuer = match[1]
        match = _LABELED_DATE_RE.search(line)
        if match and labeled_date is None:
            dates = _dates(line[match.end() :])
            labeled_date = dates[0][0] if dates else None

    issued_on: dt.date | None = None
    issuer = ""
    start = max(0, len(lines) - CLOSING_LINES)
    for index in range(len(lines) - 1, start - 1, -1):
        line = lines[index]
        if _is_printed_line(line):
            continue
        dates = _dates(line)
        if not dates:
            continue
        issued_on, match = dates[-1]
        beside = _closing_date_agency(line, match)
        if beside:
            issuer = beside
        elif index > 0 and _is_agency(lines[index - 1]):
            issuer = _agency_name(lines[index - 1])
        break
    if issued_on is None:
        for line in lines:
            dates = _dates(line)
            if dates:
                issued_on = dates[0][0]
                break
    if not issuer:
        issuer = next((name for name in map(_header_issuer, lines[:HEADER_LINES]) if name), "")
    return labeled_date or issued_on, labeled_issuer or issuer


def guess_level(issuer: str, title: str = "", doc_number: str = "") -> str:
    """One of LEVELS, from the issuing agency, else the agency named in the title (the part
    before 关于), else the 文号 (国发, 国办发, 中办发 … are national)."""
    for name in (issuer, title.split("关于", 1)[0] if "关于" in title else title):
        level = _level_of(name)
        if level:
            return level
    if doc_number.startswith(("国", "中发", "中办发")):
        return "国家"
    return "其他"


def _level_of(name: str) -> str | None:
    """The level of an agency name: the most local administrative unit it names decides
    ("湖北省青山县人民政府" is 县级); words such as 市场, 乡村, 城镇 and 社区 do not count."""
    if not name:
        return None
    if any(word in name for word in _LEVEL_NATIONAL):
        return "国家"
    name = name.replace("自治区", "省省省").replace("自治州", "市市市")
    best: tuple[int, str] | None = None
    for pattern, level in _LEVEL_MARKERS:
        for match in pattern.finditer(name):
            if best is None or match.end() > best[0]:
                best = (match.end(), level)
    return best[1] if best else None


def guess_tags(text: str) -> list[str]:
    """The DOMAIN_TAGS that ``text`` mentions at least MIN_TAG_COUNT times (aliases counted),
    most frequent first (ties in DOMAIN_TAGS order), at most MAX_TAGS."""
    counts: Counter[str] = Counter()
    for tag in DOMAIN_TAGS:
        words = sorted((tag, *TAG_ALIASES.get(tag, ())), key=len, reverse=True)
        counts[tag] = len(re.findall("|".join(map(re.escape, words)), text))
    ranked = sorted(
        (tag for tag in DOMAIN_TAGS if counts[tag] >= MIN_TAG_COUNT),
        key=lambda tag: -counts[tag],
    )
    return ranked[:MAX_TAGS]


# ---------------------------------------------------------------------------------------------
# Passages


@dataclass
class _Unit:
    kind: str  # "preamble", "container" (text under 编/章/节), "article", "outline"
    path: tuple[str, ...]
    parent: tuple[str, ...]
    article: str = ""
    lines: list[str] = field(default_factory=list)


def split_passages(text: str, *, title: str = "", max_chars: int = 600, min_chars: int = 40) -> list[Passage]:
    """The passages of a document's body, in order (see ``Passage``).

    Title, 文号 and header lines at the very start and the closing agency, date and 版记 lines at
    the very end are left out. Headings 第X编/章/节 only make up the heading path; each 第X条 (or,
    outside articles, each 一、 and （一） item) starts a passage; numbered sub-items (1. / （1）)
    stay inside. Text before the first heading is the "前言" passage when at least ``min_chars``
    long. Passages longer than ``max_chars`` are cut at line, else sentence ends; text under a
    chapter shorter than ``min_chars`` joins the passage after it in that chapter."""
    lines = _lines(text)
    start = _body_start(lines, title)
    end = _body_end(lines, start)
    units = _parse_units(lines[start:end])
    structured = len(units) > 1
    passages: list[Passage] = []
    carried: list[str] = []
    for index, unit in enumerate(units):
        following = units[index + 1] if index + 1 < len(units) else None
        unit_lines = carried + unit.lines
        carried = []
        if not unit_lines:
            continue
        heading = PATH_SEPARATOR.join(unit.path)
        if unit.kind == "preamble":
            if not structured:
                heading = ""
            elif len("\n".join(unit_lines)) < min_chars:
                continue
            else:
                heading = PREAMBLE_HEADING
        elif unit.kind == "container":
            if (
                len("\n".join(unit_lines)) < min_chars
                and following is not None
                and following.path[: len(unit.path)] == unit.path
            ):
                carried = unit_lines
                continue
        elif (
            unit.kind == "outline"
            and unit_lines == unit.lines[:1]
            and _is_bare_heading(unit_lines[0])
            and following is not None
            and following.parent[: len(unit.path)] == unit.path
        ):
            continue  # "一、总体要求" followed by its （一） items: only part of their heading path
        for chunk in _pack(unit_lines, max_chars):
            passages.append(
                Passage(position=len(passages), heading=heading, article=unit.article, text=chunk)
            )
    return passages


def _body_start(lines: list[str], title: str) -> int:
    """Index of the first body line: skips the header (文号, 红头, 签发人 …) and the title, which
    is ``title`` when given (on one or more lines, with or without "# "), else the title found
    by the same rules as ``guess_metadata``."""
    limit = min(len(lines), HEADER_LINES)
    if not title:
        title = _find_title(lines) or ""
    wanted = _compact(title).lstrip("#")
    index = 0
    while index < limit and _is_header_furniture(lines[index]):
        index += 1
    if not wanted:
        return index
    matched = ""
    for end in range(index, limit):
        line = lines[end]
        if _is_header_furniture(line) and not matched:
            continue
        matched += _compact(line).lstrip("#")
        if matched == wanted:
            end += 1
            while end < limit and _is_header_furniture(lines[end]):
                end += 1
            return end
        if not wanted.startswith(matched):
            break
    return index


def _body_end(lines: list[str], start: int) -> int:
    """Index after the last body line: drops the closing 落款 (agency and date lines), notes such
    as "（此件公开发布）" and the 版记 (抄送, 印发) at the very end."""
    end = len(lines)
    seen_date = False
    agencies = 0
    while end > start and len(lines) - end < CLOSING_LINES:
        line = lines[end - 1]
        if _SYMBOLS_ONLY_RE.fullmatch(line) or _is_printed_line(line) or _NOTE_RE.fullmatch(line):
            end -= 1
            continue
        dates = _dates(line)
        if dates and _closing_date_agency(line, dates[-1][1]) is not None:
            seen_date = True
            end -= 1
            continue
        if seen_date and agencies < 3 and _is_agency(line):
            agencies += 1
            end -= 1
            continue
        break
    return end


def _parse_units(lines: list[str]) -> list[_Unit]:
    containers: dict[str, str] = {}
    article: str | None = None
    outline_a: tuple[str, str] | None = None  # (label, key)
    units = [_Unit(kind="preamble", path=(), parent=())]
    for line in lines:
        container = _container_match(line)
        if container:
            kind = container[2]
            for lower in "编章节"[("编章节".index(kind)) :]:
                containers.pop(lower, None)
            containers[kind] = _SPACE_RUN_RE.sub(" ", line)[:MAX_CHAPTER_LABEL]
            article, outline_a = None, None
            path = tuple(containers[k] for k in "编章节" if k in containers)
            units.append(_Unit(kind="container", path=path, parent=path[:-1]))
            continue
        parent = tuple(containers[k] for k in "编章节" if k in containers)
        match = _ARTICLE_RE.match(line)
        if match:
            article = _article_key(match[1], match[2])
            outline_a = None
            label = _compact(match[0])
            units.append(
                _Unit(kind="article", path=(*parent, label), parent=parent, article=article, lines=[line])
            )
            continue
        if article is None:
            match = _LEVEL_A_RE.match(line)
            if match:
                key = f"{match[1]}、"
                outline_a = (_outline_label(key, line[match.end() :]), key)
                units.append(
                    _Unit(
                        kind="outline", path=(*parent, outline_a[0]), parent=parent, article=key, lines=[line]
                    )
                )
                continue
            match = _LEVEL_B_RE.match(line)
            if match:
                key = f"（{match[1]}）"
                if outline_a:
                    parent = (*parent, outline_a[0])
                    key = f"{outline_a[1]}{PATH_SEPARATOR}{key}"
                label = _outline_label(f"（{match[1]}）", line[match.end() :])
                units.append(
                    _Unit(kind="outline", path=(*parent, label), parent=parent, article=key, lines=[line])
                )
                continue
        units[-1].lines.append(line)
    return units


def _outline_label(enumerator: str, rest: str) -> str:
    """The enumerator and the heading phrase after it, up to the first 。：； (at most 30 chars)."""
    phrase = _LABEL_END_RE.split(rest.strip(), maxsplit=1)[0].strip()
    return (enumerator + phrase)[:MAX_OUTLINE_LABEL]


def _is_bare_heading(line: str) -> bool:
    """An outline line that is only a heading ("一、总体要求"): short, no sentence in it."""
    return len(line) <= MAX_OUTLINE_LABEL and not re.search(r"[。；！？]", line)


def _pack(lines: list[str], max_chars: int) -> list[str]:
    """Lines joined into chunks of at most ``max_chars``: cut between lines where possible, a
    line longer than ``max_chars`` at sentence ends (see ``_sentences``)."""
    pieces: list[tuple[str, bool]] = []  # (text, starts a line)
    for line in lines:
        if len(line) <= max_chars:
            pieces.append((line, True))
            continue
        for number, sentence in enumerate(_sentences(line, max_chars)):
            pieces.append((sentence, number == 0))
    chunks: list[str] = []
    current = ""
    for piece, starts_line in pieces:
        joint = "\n" if starts_line and current else ""
        if current and len(current) + len(joint) + len(piece) > max_chars:
            chunks.append(current)
            current = piece
        else:
            current += joint + piece
    if current:
        chunks.append(current)
    return chunks


def _sentences(line: str, max_chars: int) -> list[str]:
    """A line cut at sentence ends; a sentence longer than ``max_chars`` cut at clause ends
    (，、：), and a clause longer than that every ``max_chars`` characters."""
    out = []
    for sentence in _SENTENCE_RE.findall(line):
        if len(sentence) <= max_chars:
            out.append(sentence)
            continue
        current = ""
        for clause in _CLAUSE_RE.findall(sentence):
            while len(clause) > max_chars:
                if current:
                    out.append(current)
                    current = ""
                out.append(clause[:max_chars])
                clause = clause[max_chars:]
            if current and len(current) + len(clause) > max_chars:
                out.append(current)
                current = ""
            current += clause
        if current:
            out.append(current)
    return out
