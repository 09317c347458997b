"""Pinyin keys of Chinese names, for search by full pinyin ("zhangwei") and initials ("zw").

A key is every reading of the name joined by spaces: 单雄信 → "danxiongxin shanxiongxin", initials
"dxx sxx". A polyphonic surname is read as a surname first (单 shan, 曾 zeng, 解 xie …) and as
pypinyin reads it in context too, so either spelling finds the person; ü is written "v" as on a
Chinese keyboard (吕 lv) and "u" as well. Characters that are not Han (Latin letters, digits) are
kept in lower case; punctuation (the "·" of minority names) is dropped.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# How a polyphonic character is read when it is a surname, where that differs from the common
# reading pypinyin picks (单 dan, 曾 ceng, 解 jie, 区 qu …).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "区": ("ou",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "查": ("zha",),
    "乐": ("yue", "le"),
    "盖": ("ge",),
    "缪": ("miao",),
    "尉": ("yu", "wei"),
    "覃": ("qin", "tan"),
    "翟": ("zhai",),
    "种": ("chong",),
    "秘": ("bi",),
    "繁": ("po",),
    "员": ("yun",),
    "长": ("chang",),
    "重": ("chong",),
    "召": ("shao",),
    "折": ("she",),
    "卜": ("bu",),
    "柏": ("bai",),
    "藏": ("zang",),
    "黑": ("he",),
    "沈": ("shen",),
    "宿": ("su",),
    "任": ("ren",),
    "华": ("hua",),
    "纪": ("ji",),
    "冼": ("xian",),
    "逄": ("pang",),
    "句": ("gou",),
    "过": ("guo",),
    "能": ("nai",),
}
# The most readings kept per name (a short name with a polyphonic surname has two or three).
MAX_READINGS = 4
_NOT_KEY = re.compile(r"[^a-z0-9]")


def _syllables(text: str) -> list[str]:
    # errors="default" keeps non-Han runs (Latin letters, digits) as they are.
    return [_NOT_KEY.sub("", s.lower()) for s in lazy_pinyin(text, style=Style.NORMAL)]


def readings(name: str, *, surname: bool = False) -> list[list[str]]:
    """The readings of ``name`` as lists of syllables, the common reading first."""
    name = (name or "").strip()
    if not name:
        return []
    base = [s for s in _syllables(name) if s]
    found = [base] if base else []
    if surname and name[0] in SURNAME_READINGS:
        rest = [s for s in _syllables(name[1:]) if s]
        found.extend([first, *rest] for first in SURNAME_READINGS[name[0]])
    with_u = [[s.replace("v", "u") for s in r] for r in found if any("v" in s for s in r)]
    unique: list[list[str]] = []
    for reading in [*found, *with_u]:
        if reading not in unique:
            unique.append(reading)
    return unique[:MAX_READINGS]


def keys(name: str, *, surname: bool = False, max_length: int = 255) -> tuple[str, str]:
    """``(full, initials)``: the readings of ``name`` as search keys, each no longer than ``max_length``."""
    found = readings(name, surname=surname)
    full = _join(["".join(r) for r in found], max_length)
    initials = _join(["".join(s[0] for s in r) for r in found], max_length)
    return full, initials


def _join(values: list[str], max_length: int) -> str:
    kept: list[str] = []
    for value in dict.fromkeys(values):
        if len(" ".join([*kept, value])) > max_length:
            break
        kept.append(value)
    return " ".join(kept) if kept else (values[0][:max_length] if values else "")


_QUERY = re.compile(r"[a-z]+")


def as_query(text: str) -> str:
    """``text`` as a pinyin query ("Zhang Wei" → "zhangwei", "zhang'wei" too), or "" when it is
    not one (Han characters, digits)."""
    folded = re.sub(r"[\s'’·]+", "", (text or "").lower())
    return folded if _QUERY.fullmatch(folded) else ""
