"""Checking an answer against the passages it was written from, and the offline extractive answer.

Every answer of the assistant cites the retrieved passages as ``[n]``. ``verify_answer`` refuses
an answer that cites a passage that was not retrieved, quotes words the cited passage does not
contain, or states a number that none of the cited passages (nor the question) contains.
``extractive_answer`` builds an answer without a model, from the passages' own sentences, so that
it always passes that check.

Numbers (``numbers_in``) are compared as normalised tokens, the same way on both sides:

* Arabic numbers: full-width digits made half-width, comma groups removed (``1,200`` → ``1200``),
  trailing decimal zeros dropped (``3.50`` → ``3.5``); ``%``/``％`` kept (``30%``); a following
  ``万``/``亿`` multiplies (``5万`` → ``50000``, ``1.2亿`` → ``120000000``).
* Chinese numerals count only when they carry a quantity: followed by a measure word or unit
  (``十五个工作日`` → ``15``, ``三十日`` → ``30``, ``两年`` → ``2``, ``二〇二四年`` → ``2024``), or after
  ``百分之`` (``百分之三十`` → ``30%``). A lone ``一`` counts only before a unit of time, money or
  measure (``一年`` yes, ``一个``/``一次``/``一起`` no), and ``几十个``/``数十人``/``十分`` are not numbers.
* Article references are tokens of their own, whatever the numeral: ``第十二条`` and ``第12条`` are
  both ``第12条`` (likewise 款, 项, 章, 节, 编); the bare ``12`` is not produced for them.
* Citation markers (``[1]``, ``[1,2]``, ``【3】``) and list enumerators (``1.`` or ``2、`` at the start of
  a line, ``（3）``) are not numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

NOT_FOUND = "未找到相关依据"

# --- citation markers -------------------------------------------------------------------------

# [1] [1,2] [1、2] [1-3] 【1】 (full-width brackets and digits are normalised before matching).
# Up to three digits: "[2023]" is a year in a document number, not a citation.
_MARKER_RE = re.compile(
    r"[\[【]\s*(\d{1,3}(?:\s*[-–~～]\s*\d{1,3})?(?:\s*[,，、;；]\s*\d{1,3}(?:\s*[-–~～]\s*\d{1,3})?)*)\s*[\]】]"
)
_RANGE_RE = re.compile(r"(\d+)\s*[-–~～]\s*(\d+)")
_MAX_RANGE = 20

# Full-width digits, brackets and signs → half-width, the ideographic space → a space.
_HALF_WIDTH = str.maketrans({
    **{chr(c): chr(c - 0xFEE0) for c in range(ord("０"), ord("９") + 1)},
    "．": ".", "％": "%", "［": "[", "］": "]", "\u3000": " ",
})


def _half_width(text: str) -> str:
    return text.translate(_HALF_WIDTH)


def parse_citations(answer: str) -> list[int]:
    """Every citation number of ``answer`` in order, repeats included.

    ``[1]``, ``[1][2]``, ``[1,2]``/``[1，2]``/``[1、2]``, ``[1-3]`` (a range of at most 20) and ``【1】``.
    """
    cited: list[int] = []
    for match in _MARKER_RE.finditer(_half_width(answer)):
        for part in re.split(r"\s*[,，、;；]\s*", match.group(1)):
            span = _RANGE_RE.fullmatch(part.strip())
            if span:
                low, high = int(span.group(1)), int(span.group(2))
                if low <= high and high - low < _MAX_RANGE:
                    cited.extend(range(low, high + 1))
                    continue
                cited.extend([low, high])
            else:
                cited.append(int(part))
    return cited


def _strip_markers(text: str) -> str:
    return _MARKER_RE.sub(" ", text)


# --- numbers --------------------------------------------------------------------------------

_CN_DIGIT_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                    "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_DIGITS = "".join(_CN_DIGIT_VALUES)
_CN_CHARS = _CN_DIGITS + "十百千万亿"
# A Chinese numeral starts with a digit or 十 (十五); 百/千/万 alone start idioms (百姓, 千万, 万一).
_CN_NUM = f"[{_CN_DIGITS}十][{_CN_CHARS}]*(?:点[{_CN_DIGITS}]+)?"
# Units after which a Chinese numeral is a quantity. Longer words first: the alternation is ordered.
_UNITS_FOR_ONE = (
    "个工作日", "个自然日", "个百分点", "个小时", "个月", "个季度", "工作日", "自然日", "百分点", "小时",
    "分钟", "平方公里", "平方米", "公里", "公顷", "公斤", "千克", "千米", "学时", "课时", "周岁", "周年",
    "季度", "星期", "年度", "人次", "户次", "批次", "万元", "亿元", "日", "天", "周", "年", "月", "倍",
    "岁", "元", "亩", "吨", "米", "秒", "%",
)
_OTHER_UNITS = (
    "个", "次", "项", "人", "名", "户", "家", "位", "条", "件", "份", "类", "种", "批", "期", "届", "轮",
    "级", "层", "所", "座", "台", "辆", "套", "间", "张", "本", "页", "篇", "例", "起", "宗", "字",
)
_UNIT_ALTERNATION = "|".join(
    re.escape(unit) for unit in sorted(_UNITS_FOR_ONE + _OTHER_UNITS, key=len, reverse=True))
_ARTICLE_UNITS = "条款项章节编"

_ARABIC = r"\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d+(?:\.\d+)?"

NUMBER_RE = re.compile(
    # 第十二条 / 第12条 → "第12条"
    rf"(?P<article>第\s*(?P<article_num>\d+|{_CN_NUM})\s*(?P<article_unit>[{_ARTICLE_UNITS}]))"
    # 百分之三十 / 百分之30 / 百分之百 → "30%"
    rf"|百分之(?P<percent_num>\d+(?:\.\d+)?|{_CN_NUM}|百)"
    # 1,200 / 3.5 / 30% / 5万
    rf"|(?<![\d.])(?P<arabic>{_ARABIC})(?:\s*(?P<arabic_percent>%)|(?P<arabic_scale>[万亿])(?!分之))?"
    # 十五个工作日 / 三十日 / 二〇二四年 / 三十余人
    rf"|(?<![几数若上成{_CN_CHARS}])(?P<chinese>{_CN_NUM})(?=[余多]?(?P<chinese_unit>{_UNIT_ALTERNATION}))"
)
# List enumerators: "1." / "2、" / "3)" at the start of a line (after Markdown bullets), "（4）" anywhere.
_ENUMERATOR_RE = re.compile(r"(?m)^[ \t#>*\-]*\d{1,2}\s*[.、)）](?!\d)|[（(]\s*\d{1,2}\s*[)）]")


def _format_decimal(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _arabic(digits: str) -> Decimal:
    return Decimal(digits.replace(",", ""))


def _chinese_integer(text: str) -> int:
    """The value of a Chinese numeral with units (一千零五, 两万三千, 一亿二千万, 十五)."""
    total = section = digit = 0
    for char in text:
        if char in _CN_DIGIT_VALUES:
            digit = _CN_DIGIT_VALUES[char]
        elif char in _CN_SMALL_UNITS:
            section += (digit or 1) * _CN_SMALL_UNITS[char]
            digit = 0
        elif char == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif char == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    return total + section + digit


def _chinese(text: str) -> list[str]:
    """Tokens for one Chinese numeral: usually one, two for an approximate pair such as 三四 (天)."""
    whole, _, fraction = text.partition("点")
    if any(c in "十百千万亿" for c in whole):
        integer = str(_chinese_integer(whole))
    elif len(whole) == 1 or len(whole) >= 3 or "〇" in whole or "零" in whole:
        integer = "".join(str(_CN_DIGIT_VALUES[c]) for c in whole)  # 二〇二四 → 2024
        integer = integer.lstrip("0") or "0"
    else:  # 三四天: three or four days
        return [str(_CN_DIGIT_VALUES[c]) for c in whole]
    if fraction:
        return [_format_decimal(Decimal(f"{integer}.{''.join(str(_CN_DIGIT_VALUES[c]) for c in fraction)}"))]
    return [integer]


def _number_value(text: str) -> str:
    """An Arabic or Chinese numeral (as matched by NUMBER_RE) as a normalised Arabic string."""
    if text[0].isdigit():
        return _format_decimal(_arabic(text))
    if text == "百":
        return "100"
    return _chinese(text)[0]


def _number_tokens(text: str, *, enumerators: bool = False):
    """The number tokens of ``text`` in order of appearance (repeats included); line-start list
    numbers ("3." "（2）") only with ``enumerators`` (a passage's, which a quote may carry mid-line)."""
    text = _strip_markers(_half_width(text))
    if not enumerators:
        text = _ENUMERATOR_RE.sub(" ", text)
    for match in NUMBER_RE.finditer(text):
        if match.group("article"):
            yield f"第{_number_value(match.group('article_num'))}{match.group('article_unit')}"
        elif match.group("percent_num"):
            yield f"{_number_value(match.group('percent_num'))}%"
        elif match.group("arabic"):
            value = _arabic(match.group("arabic"))
            if match.group("arabic_percent"):
                yield f"{_format_decimal(value)}%"
            elif match.group("arabic_scale"):
                yield _format_decimal(value * (10_000 if match.group("arabic_scale") == "万" else 100_000_000))
            else:
                yield _format_decimal(value)
        else:
            numeral, unit = match.group("chinese"), match.group("chinese_unit")
            if numeral == "一" and unit not in _UNITS_FOR_ONE:
                continue  # 一个, 一次, 一起, 一律…: too common in plain prose to be a claim
            for value in _chinese(numeral):
                yield f"{value}%" if unit == "%" else value


def numbers_in(text: str) -> set[str]:
    """The normalised number tokens of ``text`` (see the module docstring): ``{"15", "30%", "第12条"}``."""
    return set(_number_tokens(text))


# --- sentences and quotes -------------------------------------------------------------------

_TERMINATORS = "。！？；!?;"
_QUOTES = {"「": "」", "『": "』", "“": "”"}
_TRAILING_MARKERS_RE = re.compile(rf"(?:[ \t]*{_MARKER_RE.pattern})+")


def _split_sentences(text: str, *, keep_markers: bool = False) -> list[str]:
    """Sentences of ``text``, split at 。！？； (and ASCII !?;) outside quotes and at every line break.

    The terminators are dropped. With ``keep_markers``, citation markers written right after a
    terminator ("……材料。[1]") stay with the sentence they follow.
    """
    sentences: list[str] = []
    stack: list[str] = []
    start = i = 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            sentences.append(text[start:i])
            stack.clear()
            start = i = i + 1
            continue
        if char in _QUOTES:
            stack.append(_QUOTES[char])
        elif stack and char == stack[-1]:
            stack.pop()
        elif not stack and char in _TERMINATORS:
            end = i
            i += 1
            if keep_markers:
                trailing = _TRAILING_MARKERS_RE.match(text, i)
                if trailing:
                    i = trailing.end()
            sentences.append(text[start:end] + (text[end + 1:i] if keep_markers else ""))
            start = i
            continue
        i += 1
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def _quotes(sentence: str) -> list[str]:
    """The outermost quoted passages of ``sentence`` (「」, 『』, “”); unclosed quotes are ignored."""
    found: list[str] = []
    stack: list[str] = []
    start = 0
    for i, char in enumerate(sentence):
        if char in _QUOTES:
            if not stack:
                start = i + 1
            stack.append(_QUOTES[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                found.append(sentence[start:i])
    return found


_EDGE_PUNCTUATION = "。，、；：！？,.;:!? \t"
_ELLIPSIS_RE = re.compile(r"…+|\.{3,}")
_WHITESPACE_RE = re.compile(r"\s+")


def _normalize(text: str) -> str:
    """For verbatim comparison: NFKC, no citation markers, no whitespace at all (Chinese text)."""
    return _WHITESPACE_RE.sub("", _strip_markers(unicodedata.normalize("NFKC", text)))


def _quote_found(quote: str, haystacks: list[str]) -> bool:
    """Whether ``quote`` occurs in one of ``haystacks`` (normalised); "……" may elide words between parts."""
    parts = [_normalize(p).strip(_EDGE_PUNCTUATION) for p in _ELLIPSIS_RE.split(quote)]
    parts = [p for p in parts if p]
    if not parts:
        return True
    for haystack in haystacks:
        position = 0
        for part in parts:
            position = haystack.find(part, position)
            if position < 0:
                break
            position += len(part)
        else:
            return True
    return False


def _short(text: str, limit: int = 30) -> str:
    text = _WHITESPACE_RE.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit] + "……"


# --- verification ---------------------------------------------------------------------------


@dataclass
class Verification:
    """The outcome of ``verify_answer``: ``ok`` when ``problems`` is empty."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)  # distinct citation numbers, in order of first use


def _passage_text(passage: dict) -> str:
    return "\n".join(str(passage.get(key) or "") for key in ("document", "heading", "text"))


def _markers_label(numbers: list[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def verify_answer(answer: str, passages: list[dict], *, question: str = "") -> Verification:
    """Check ``answer`` against the retrieved ``passages`` (dicts with n, document, heading, text).

    (a) at least one citation, unless the answer says 未找到相关依据; (b) every cited number is a
    retrieved passage; (c) quoted text (「」, 『』, “”) in a sentence with citations occurs verbatim
    (whitespace aside, "……" may elide) in a passage that sentence cites, and in a sentence without
    citations, in some cited passage or the question; (d) every number of the answer occurs in a
    cited passage (document title and heading included) or in the question.
    """
    answer = _half_width(answer)
    problems: list[str] = []
    by_number = {int(p["n"]): p for p in passages}
    all_cited = parse_citations(answer)
    cited = list(dict.fromkeys(all_cited))
    if not answer.strip():
        problems.append("回答为空")
    elif not cited and NOT_FOUND not in answer:
        problems.append("回答没有标注引用的依据")
    for n in cited:
        if n not in by_number:
            problems.append(f"引用[{n}]不在检索到的依据中")

    valid = [n for n in cited if n in by_number]
    normalized = {n: _normalize(_passage_text(by_number[n])) for n in valid}
    question_normalized = _normalize(question)
    for sentence in _split_sentences(answer, keep_markers=True):
        quotes = _quotes(sentence)
        if not quotes:
            continue
        own = list(dict.fromkeys(parse_citations(sentence)))
        if own:
            sources = [n for n in own if n in by_number]
            if not sources:
                continue  # only non-retrieved passages: already reported above
            haystacks = [normalized[n] for n in sources]
        else:
            sources = valid
            haystacks = [normalized[n] for n in valid] + [question_normalized]
        for quote in quotes:
            if not _quote_found(quote, haystacks):
                where = _markers_label(sources) if sources else "中"
                problems.append(f"引文与依据{where}原文不符：「{_short(quote)}」")

    supported = numbers_in(question)
    for n in valid:
        supported |= set(_number_tokens(_passage_text(by_number[n]), enumerators=True))
    for number in dict.fromkeys(_number_tokens(answer)):
        if number in supported:
            continue
        problems.append(f"数字“{number}”在引用的依据中找不到")

    problems = list(dict.fromkeys(problems))
    return Verification(ok=not problems, problems=problems, cited=cited)


# --- the offline answer ---------------------------------------------------------------------

_FOLD = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})


def _fold(text: str) -> str:
    return text.translate(_FOLD).casefold()


def extractive_answer(question_terms: list[str], passages: list[dict], *, max_sentences: int = 3) -> str:
    """An answer made of the passages' own sentences, each quoted verbatim and cited.

    ``passages`` are in rank order. Each sentence is scored by the number of distinct
    ``question_terms`` it contains; the best (ties: earlier passage, then earlier sentence) are
    kept, at most two per passage and ``max_sentences`` in all, each with at least one term. One
    line per sentence, best first: ``根据《document》heading：「sentence」[n]``. Without any matching
    sentence the answer is 未找到相关依据.
    """
    terms = list(dict.fromkeys(_fold(t.strip()) for t in question_terms if t and t.strip()))
    candidates: list[tuple[int, int, int, str, dict]] = []
    for rank, passage in enumerate(passages):
        text = str(passage.get("text") or "")
        for position, sentence in enumerate(_split_sentences(text)):
            sentence = _WHITESPACE_RE.sub(" ", _strip_markers(sentence)).strip()
            if len(sentence) < 2 or _unbalanced(sentence):
                continue
            folded = _fold(sentence)
            score = sum(1 for term in terms if term in folded)
            if score:
                candidates.append((-score, rank, position, sentence, passage))
    candidates.sort(key=lambda c: c[:3])
    lines: list[str] = []
    per_passage: dict[int, int] = {}
    seen: set[str] = set()
    for _, rank, _, sentence, passage in candidates:
        if len(lines) >= max_sentences:
            break
        if per_passage.get(rank, 0) >= 2 or _normalize(sentence) in seen:
            continue
        per_passage[rank] = per_passage.get(rank, 0) + 1
        seen.add(_normalize(sentence))
        lines.append(f"{_source(passage)}「{sentence}」[{int(passage['n'])}]")
    return "\n".join(lines) if lines else NOT_FOUND


def _unbalanced(sentence: str) -> bool:
    stack: list[str] = []
    for char in sentence:
        if char in _QUOTES:
            stack.append(_QUOTES[char])
        elif char in _QUOTES.values():
            if not stack or stack.pop() != char:
                return True
    return bool(stack)


def _source(passage: dict) -> str:
    document = str(passage.get("document") or "").strip().removeprefix("《").removesuffix("》")
    heading = _WHITESPACE_RE.sub(" ", str(passage.get("heading") or "")).strip()
    label = (f"《{document}》" if document else "") + heading
    return f"根据{label}：" if label else ""
