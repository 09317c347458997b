"""文号 (document numbers such as 青减负发〔2025〕3号): one pattern and one canonical form (pure).

A 文号 is an agency code (机关代字, Chinese characters), the year in brackets of any usual style
(〔〕 [] 【】 () （）), an optional 第, the serial number and 号. The canonical form used for exact
matching has the year in 〔〕, half-width digits, no spaces, no 第 and no leading zeros:
"青政办发[2025]第03号" → "青政办发〔2025〕3号".
"""

from __future__ import annotations

import re

_AGENCY = r"[\u4e00-\u9fff]{1,10}"
_REST = (
    r"\s*[〔\[【(（]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]】)）]"  # the year, in any bracket style
    r"\s*第?\s*(?P<number>\d{1,5})\s*号"
)
# The agency may be missing ("〔2025〕3号" in a document's own header is still its number).
DOC_NUMBER_RE = re.compile(rf"(?P<agency>{_AGENCY})?{_REST}")
# With the agency required: what a search query must name to be matched exactly.
AGENCY_DOC_NUMBER_RE = re.compile(rf"(?P<agency>{_AGENCY}){_REST}")

# Full-width ASCII-range characters and the ideographic space → half-width, except the Chinese
# brackets and punctuation that a 文号 or its surroundings use as typed.
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if chr(c) not in "（）〔〕【】，。；：！？"}
_HALF_WIDTH[0x3000] = ord(" ")
_SPACE_RUN_RE = re.compile(r"\s+")


def find_doc_number(text: str, *, agency_required: bool = False) -> re.Match | None:
    """The first 文号 in ``text`` (groups ``agency``, ``year``, ``number``), or None."""
    return (AGENCY_DOC_NUMBER_RE if agency_required else DOC_NUMBER_RE).search(text)


def format_doc_number(match: re.Match) -> str:
    """The canonical form of a matched 文号."""
    return f"{match['agency'] or ''}〔{int(match['year'])}〕{int(match['number'])}号"


def normalize_doc_number(text: str) -> str:
    """A 文号 in canonical form for exact matching ("青政办发（2025）03号" → "青政办发〔2025〕3号").

    Full-width digits are made half-width first. Text without a recognisable 文号 comes back
    without spaces ("青政办发 2025 3" → "青政办发20253").
    """
    text = text.translate(_HALF_WIDTH)
    match = DOC_NUMBER_RE.search(text)
    if match is None:
        return _SPACE_RUN_RE.sub("", text)
    return format_doc_number(match)
