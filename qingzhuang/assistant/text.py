"""Chinese text for search: jieba segmentation with the domain dictionary, stop words, highlighting.

The same ``tokens`` function cuts passages when they are indexed and questions when they are
asked, so both sides agree. ``cut_for_search`` also emits the shorter words inside long ones
(督查检查考核 → 督查、检查、考核、督查检查考核), which lets a cadre's everyday wording meet a
document's formal one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from html import escape
from pathlib import Path

import jieba

DICTIONARY = Path(__file__).with_name("dictionary.txt")

# Function words and question phrasing that carry no meaning for retrieval. Words of rules
# (不得, 不能, 应当, 必须) stay: they are what a cadre asks about.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 或 是 在 对 把 被 将 从 向 于 以 为 其 之 而 并 且 也 还 都 就 又 再 很 更 最 等 等等
    我 我们 你 你们 他 他们 她 它 咱 咱们 自己 大家 这 那 这个 那个 这些 那些 这样 那样 这种 那种 这里
    吗 呢 吧 啊 呀 嘛 么 哦 哈 嗯 什么 怎么 怎么办 怎样 如何 哪些 哪个 哪里 哪儿 多少 几 为什么 为何
    是否 是不是 有没有 能否 能不能 可不可以 可否 请问 问 一下 一个 一些 有 没有 没 个 啥 咋 呗
    说 讲 讲的 规定 里 上 下 中 时 后 前 现在 今年 去年
    """.split()
)
# Spoken question phrasing that documents never use for their subject: verbs of asking and
# wanting, intensifiers and judgements (太多, 老是, 行不行, 合规). Dropped from questions only
# (``terms``): passages keep them, so the index does not depend on this list.
QUESTION_FILLERS = frozenset(
    """
    能 要 让 去 来 着 用 当 想 怕 该 找 谁 叫 得 给 被 还 还要 又 非要 非得 到底 究竟 总 总是 老是 老 经常 天天
    动不动 太 太多 好多 好几 好几个 几个 一大堆 越来越 允许 行不行 行 合规 合理 算不算 管不管 有规定 说法
    怎么说 怎么管 咋办 咋整 啥时候 时候 情况 事情 东西 这事 那事 这么 那么 一直 已经 真的 到底 对不对 对吗
    """.split()
)
# Colloquial place words: 村里, 县里, 群里, 省上 mean the place itself (村, 县, 群, 省).
_PLACE_SUFFIX_RE = re.compile(r"^(.+?)[里上]$")
_WORD_RE = re.compile(r"[\w\u4e00-\u9fff]")
_HALF_WIDTH = str.maketrans({**{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}, "\u3000": " "})
# Keep Chinese brackets used in 文号 and enumerators as typed; make ASCII-range full-width characters half-width.
for _keep in "（）〔〕【】，。；：！？":
    _HALF_WIDTH.pop(ord(_keep), None)

def _signature() -> str:
    """What the tokens depend on (jieba, the dictionary, the stop words): stored with each indexed
    document, so documents indexed under other rules can be found and indexed again."""
    digest = hashlib.sha256(jieba.__version__.encode())
    digest.update(DICTIONARY.read_bytes())
    digest.update(" ".join(sorted(STOPWORDS)).encode())
    return digest.hexdigest()[:16]


SIGNATURE = _signature()

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The process's jieba tokenizer with the domain dictionary (built once, about a second)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                made = jieba.Tokenizer()
                made.initialize()
                made.load_userdict(str(DICTIONARY))
                _tokenizer = made
    return _tokenizer


def normalize(text: str) -> str:
    """Full-width letters and digits half-width, lower case (for matching only)."""
    return text.translate(_HALF_WIDTH).lower()


def tokens(text: str) -> list[str]:
    """Search tokens of ``text``: jieba's search-mode words, without stop words and punctuation."""
    out = []
    for word in tokenizer().cut_for_search(normalize(text)):
        word = word.strip()
        if word and word not in STOPWORDS and _WORD_RE.search(word):
            out.append(word)
    return out


def terms(text: str) -> list[str]:
    """The distinct tokens of a question, in order, without spoken question phrasing: what an
    answer is scored and highlighted by."""
    seen: dict[str, None] = {}
    for word in tokens(text):
        if word not in QUESTION_FILLERS:
            seen.setdefault(word, None)
    return list(seen)


def place_word(word: str) -> str:
    """``村里`` → ``村``, ``省上`` → ``省``: the place a colloquial place word names (or ``word``)."""
    match = _PLACE_SUFFIX_RE.match(word)
    return match.group(1) if match and len(word) <= 3 else word


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """``normalize(text)`` character by character, and for each folded character the index of the
    original character it came from. Folding may change the length (``İ`` lower-cases to two
    characters, i and a combining dot), so offsets into the folded text are not offsets into
    ``text``; matches are found in the first and marked through ``origin`` in the second."""
    parts: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = normalize(char)
        parts.append(folded)
        origin.extend([i] * len(folded))
    return "".join(parts), origin


def highlight(text: str, words: list[str]) -> str:
    """``text`` HTML-escaped with every occurrence of ``words`` wrapped in <mark> (longest first)."""
    wanted = sorted({w for w in words if w}, key=len, reverse=True)
    if not wanted:
        return escape(text)
    folded, origin = _folded_with_origin(text)
    marked = [False] * len(text)
    for word in wanted:
        start = folded.find(word)
        while start != -1:
            for i in range(start, start + len(word)):
                marked[origin[i]] = True
            start = folded.find(word, start + len(word))
    parts: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and marked[j] == marked[i]:
            j += 1
        piece = escape(text[i:j])
        parts.append(f"<mark>{piece}</mark>" if marked[i] else piece)
        i = j
    return "".join(parts)
