"""一键找政策: BM25 over jieba tokens, a title boost, exact 文号 and 第X条 matching, filters, scope.

A question is first read in the library's words (``_Index.library_terms``): spoken phrasing
(太多, 老是, 行不行) is dropped, a colloquial place word is its place (村里 → 村), and a compound
no passage contains is cut into the library words inside it (群太多 → 群); a single colloquial
character with a document word (群 → 工作群, 表 → 报表) is searched as that word.

Each process keeps one in-memory index (``bm25s`` sparse matrices) built from the passages'
stored tokens, and rebuilds it when the library's ``IndexState`` token changes (one tiny query per
search). Scoring of a passage:

    BM25(passage tokens, incl. its heading) + TITLE_WEIGHT × BM25(its document's title)
    + EXACT_DOC when the question names the document's 文号
    + EXACT_ARTICLE when it names the passage's article (第X条), inside the named document if any

With an embeddings endpoint configured, BM25 and cosine similarity are min-max normalised over
the union of both top candidate lists and averaged (normalised score fusion) before the exact
boosts. Visibility and filters become a mask over the passages: a user finds only documents of
their own unit, the units above it (policies flow down) and the units in their scope.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import date

import bm25s
import numpy as np

from qingzhuang.assistant import text as chinese
from qingzhuang.assistant.access import visible_documents
from qingzhuang.assistant.models import DocumentStatus, IndexState, PolicyDocument, PolicyPassage
from qingzhuang.lib import docnumbers

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself and logs every index build
TITLE_WEIGHT = 0.6
EXPANSION_WEIGHT = 0.5
LEVEL_BOOST = 0.3
EXACT_DOC = 100.0
EXACT_ARTICLE = 50.0
CANDIDATES = 50  # per list, for score fusion
SNIPPET_CHARS = 240

# A cadre's everyday words → the words documents use for the same thing (added to the query at
# half weight). The domain dictionary makes jieba keep the document words whole.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "开会": ("会议",), "会开": ("会议",), "群": ("工作群",), "群里": ("工作群",), "建群": ("工作群",),
    "拉群": ("工作群",), "散掉": ("解散",), "拍照": ("照片",), "照片": ("拍照",), "打卡": ("签到", "留痕"),
    "填表": ("报表",), "表格": ("报表",), "报数": ("报表", "数据"), "检查": ("督查检查",),
    "开证明": ("证明事项",), "证明": ("证明事项",), "钱": ("经费",), "真名": ("实名", "匿名"),
    "app": ("政务应用程序",), "软件": ("政务应用程序",), "扣分": ("考核",), "几回": ("次",), "几次": ("次",),
    "多久": ("日内", "工作日"), "几天": ("日内", "工作日"), "晚上": ("夜间",), "夜里": ("夜间",),
    "周末": ("休息日", "节假日"), "礼拜": ("周",), "星期": ("周",), "穿小鞋": ("打击报复",),
    "最多": ("不超过",), "上限": ("不超过",), "字数": ("字",), "材料": ("台账", "资料"),
    "会": ("会议",), "表": ("报表",), "填": ("填报",), "查": ("检查",), "陪": ("陪同",), "活": ("事项", "任务"),
    "半夜": ("夜间",),
}
# Words that name a level of government: passages of documents of that level rank higher.
LEVEL_HINTS: dict[str, str] = {
    "省里": "省级", "省上": "省级", "全省": "省级", "省直": "省级", "市里": "市级", "全市": "市级",
    "市直": "市级", "县里": "县级", "全县": "县级", "县直": "县级", "镇里": "乡镇", "乡里": "乡镇",
}

ARTICLE_RE = re.compile(r"第\s*[零〇一二两三四五六七八九十百\d]{1,6}\s*条")


@dataclass
class Hit:
    passage_id: int
    document_id: int
    document: str
    issuer: str
    doc_number: str
    issued_on: date | None
    level: str
    heading: str
    article: str
    text: str
    score: float
    highlighted: str = ""
    n: int = 0  # the citation number, when the hit is used in an answer

    def to_json(self) -> dict:
        return {
            "n": self.n, "passage_id": self.passage_id, "document_id": self.document_id,
            "document": self.document, "issuer": self.issuer, "doc_number": self.doc_number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None, "level": self.level,
            "heading": self.heading, "passage": self.text, "score": round(self.score, 4),
        }


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    hits: list[Hit]
    total: int
    exact_document: str = ""
    exact_article: str = ""
    filters: dict = field(default_factory=dict)


@dataclass
class _DocMeta:
    title: str
    issuer: str
    doc_number: str
    doc_number_key: str
    issued_on: date | None
    level: str


class _Index:
    """The in-memory index of every indexed passage."""

    def __init__(self, token: str) -> None:
        self.token = token
        rows = list(
            PolicyPassage.objects.filter(document__status=DocumentStatus.SUCCEEDED)
            .order_by("document_id", "position")
            .values_list("pk", "document_id", "article", "tokens", "embedding")
        )
        # The documents, read second and without the status filter: a document re-indexed in between
        # keeps its (old) passages until the next rebuild, one deleted in between loses them.
        wanted = {r[1] for r in rows}
        docs = PolicyDocument.objects.order_by("pk").values_list(
            "pk", "title", "issuer", "doc_number", "doc_number_key", "issued_on", "level"
        )
        self.docs = {pk: _DocMeta(*rest) for pk, *rest in docs if pk in wanted}
        rows = [r for r in rows if r[1] in self.docs]
        self.passage_ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.doc_of = np.array([r[1] for r in rows], dtype=np.int64)
        self.articles = np.array([r[2] for r in rows], dtype=object)
        self.size = len(rows)
        self.passages = _bm25([r[3].split() for r in rows])
        self.doc_ids = np.array(list(self.docs), dtype=np.int64)
        self.doc_level = np.array([self.docs[int(d)].level for d in self.doc_of], dtype=object)
        self.titles = _bm25([chinese.tokens(meta.title) for meta in self.docs.values()])
        # Row of each passage's document in the title index.
        self.title_row = np.searchsorted(self.doc_ids, self.doc_of) if self.size else np.zeros(0, dtype=np.int64)
        vectors = [r[4] for r in rows]
        self.embeddings = None
        if self.size and all(v for v in vectors):
            matrix = np.vstack([np.frombuffer(bytes(v), dtype=np.float32) for v in vectors])
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self.embeddings = matrix / np.where(norms == 0, 1, norms)

    def known(self, term: str) -> bool:
        return self.passages is not None and term in self.passages.vocab_dict

    def library_terms(self, terms: list[str]) -> list[str]:
        """A question's terms in the library's words. A term no passage contains is read as what
        it is made of: a colloquial place word as its place (村里 → 村), otherwise the library's
        own words inside it, longest first (群太多 → 群, 事建 → 事, 建); the characters no
        library word covers stay a term of their own, so a question about something the library
        never mentions still counts as not covered. Words with expansions are kept as asked."""
        out: dict[str, None] = {}
        for term in terms:
            if self.known(term) or term in EXPANSIONS:
                out.setdefault(term, None)
                continue
            place = chinese.place_word(term)
            if place != term and self.known(place):
                out.setdefault(place, None)
                continue
            pieces = self._pieces(term)
            kept = [p for p in pieces if p not in chinese.STOPWORDS and p not in chinese.QUESTION_FILLERS]
            # A term with spoken phrasing inside it (群太多) is what remains; otherwise it is cut only
            # when a library word of two or more characters is inside it (single characters would
            # make any unknown word, 签证 → 签, 证, look covered).
            phrasing = any(p in chinese.QUESTION_FILLERS for p in pieces)
            if kept and (phrasing and all(self.known(p) for p in kept)
                         or any(len(p) >= 2 and self.known(p) for p in kept)):
                for piece in kept:
                    out.setdefault(piece, None)
            else:
                out.setdefault(term, None)
        return list(out)

    def _pieces(self, term: str) -> list[str]:
        """``term`` cut greedily into the longest library words; runs of other characters kept whole."""
        pieces: list[str] = []
        rest = ""
        i = 0
        while i < len(term):
            for j in range(len(term), i, -1):
                word = term[i:j]
                if self.known(word) or word in chinese.QUESTION_FILLERS or word in chinese.STOPWORDS:
                    break
            else:
                rest += term[i]
                i += 1
                continue
            if rest:
                pieces.append(rest)
                rest = ""
            pieces.append(word)
            i = j
        if rest:
            pieces.append(rest)
        return pieces

    def idf(self, terms: list[str]) -> list[float]:
        """Inverse document frequency of each term over the passages (a term never seen: the highest)."""
        n = self.size
        if self.passages is None:
            return [1.0] * len(terms)
        vocab, indptr = self.passages.vocab_dict, self.passages.scores["indptr"]
        out = []
        for term in terms:
            t = vocab.get(term)
            df = int(indptr[t + 1] - indptr[t]) if t is not None else 0
            out.append(float(np.log(1 + (n - df + 0.5) / (df + 0.5))))
        return out

    def rare_idf(self, share: float) -> float:
        """The IDF of a term found in ``share`` of the passages: terms at or above it are rare."""
        df = max(1.0, share * self.size)
        return float(np.log(1 + (self.size - df + 0.5) / (df + 0.5)))

    def scores(self, terms: list[str]) -> np.ndarray:
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        passage = _scores(self.passages, terms, self.size)
        title = _scores(self.titles, terms, len(self.doc_ids))
        return passage + TITLE_WEIGHT * title[self.title_row]


def _bm25(corpus: list[list[str]]) -> bm25s.BM25 | None:
    if not corpus:
        return None
    index = bm25s.BM25()
    index.index(corpus, show_progress=False)
    return index


def _scores(index: bm25s.BM25 | None, terms: list[str], size: int) -> np.ndarray:
    if index is None or not terms:
        return np.zeros(size, dtype=np.float32)
    ids = index.get_tokens_ids(terms)
    if not ids:
        return np.zeros(size, dtype=np.float32)
    return index.get_scores_from_ids(ids)


_lock = threading.Lock()
_current: _Index | None = None


def library_token() -> str:
    return IndexState.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def current_index() -> _Index:
    """The process's index, rebuilt when the library changed since it was built."""
    global _current
    token = library_token()
    index = _current
    if index is None or index.token != token:
        with _lock:
            if _current is None or _current.token != token:
                _current = _Index(token)
            index = _current
    return index


# ---------------------------------------------------------------------------------------------
# Queries


def doc_number_key(value: str) -> str:
    from qingzhuang.assistant.structure import normalize_doc_number

    return normalize_doc_number(value)


def _exact(query: str) -> tuple[str, str, str]:
    """(文号 key, article key, the rest of the query): what the query names exactly, and its words."""
    from qingzhuang.assistant.structure import normalize_article

    number = docnumbers.find_doc_number(query, agency_required=True)
    rest = query.replace(number.group(0), " ") if number else query
    article = ARTICLE_RE.search(rest)
    if article:
        rest = rest.replace(article.group(0), " ")
    return (doc_number_key(number.group(0)) if number else "",
            normalize_article(article.group(0)) if article else "", rest)


def search(user, query: str, *, issuer: str = "", level: str = "", date_from: date | None = None,
           date_to: date | None = None, limit: int = 10, offset: int = 0) -> SearchResult:
    """Passages of the documents ``user`` may see that best match ``query``."""
    query = (query or "").strip()
    filters = {"issuer": issuer, "level": level, "date_from": date_from, "date_to": date_to}
    index = current_index()
    number_key, article_key, rest = _exact(query)
    # A 文号 cut into words (青, 发, 2025, 3, 号) only adds noise: it is matched exactly instead.
    asked = chinese.terms(rest)
    terms = index.library_terms(asked)
    if not index.size or not (terms or number_key or article_key):
        return SearchResult(query, terms, [], 0, filters=filters)
    documents = visible_documents(user).filter(status=DocumentStatus.SUCCEEDED)
    if issuer:
        documents = documents.filter(issuer__contains=issuer)
    if level:
        documents = documents.filter(level=level)
    if date_from:
        documents = documents.filter(issued_on__gte=date_from)
    if date_to:
        documents = documents.filter(issued_on__lte=date_to)
    allowed = np.isin(index.doc_of, np.fromiter(documents.values_list("pk", flat=True), dtype=np.int64))
    scores = index.scores(terms)
    extra = [e for t in terms for e in EXPANSIONS.get(t, ()) if e not in terms]
    if extra:
        # A single character (群, 表, 查) says little by itself: its document word is what it means.
        whole = list(dict.fromkeys(e for t in terms if len(t) == 1 for e in EXPANSIONS.get(t, ()) if e not in terms))
        half = [e for e in dict.fromkeys(extra) if e not in whole]
        scores = scores + EXPANSION_WEIGHT * index.scores(half) + index.scores(whole)
    levels = {LEVEL_HINTS[t] for t in asked if t in LEVEL_HINTS}
    if levels:
        scores = scores * (1 + LEVEL_BOOST * np.isin(index.doc_level, list(levels)))
    if index.embeddings is not None and terms:
        scores = _fuse(index, scores, query)
    exact_document = ""
    named = np.zeros(index.size, dtype=bool)
    if number_key:
        named_docs = [pk for pk, meta in index.docs.items() if meta.doc_number_key == number_key]
        if named_docs:
            named = np.isin(index.doc_of, np.array(named_docs, dtype=np.int64)) & allowed
            if named.any():
                scores = scores + EXACT_DOC * named
                exact_document = index.docs[int(index.doc_of[np.argmax(named)])].title
    exact_article = ""
    if article_key:
        hits = index.articles == article_key
        if named.any():
            hits &= named
        hits &= allowed
        if hits.any():
            scores = scores + EXACT_ARTICLE * hits
            exact_article = article_key
    scores = np.where(allowed, scores, 0.0)
    matched = np.flatnonzero(scores > 0)
    total = int(matched.size)
    wanted = min(total, offset + limit)
    if not wanted:
        return SearchResult(query, terms, [], 0, exact_document, exact_article, filters)
    top = matched[np.argsort(-scores[matched], kind="stable")[:wanted]][offset:]
    hits = _hits(index, top, scores, [*terms, *extra])
    return SearchResult(query, terms, hits, total, exact_document, exact_article, filters)


def _fuse(index: _Index, bm25: np.ndarray, query: str) -> np.ndarray:
    """Normalised score fusion of BM25 and embedding cosine over both lists' top candidates."""
    from qingzhuang.assistant import llm

    try:
        vector = np.asarray(llm.embed([query])[0], dtype=np.float32)
    except llm.LLMError:
        return bm25  # the embeddings service is down: BM25 alone still answers
    if vector.shape[0] != index.embeddings.shape[1]:
        return bm25
    vector = vector / (np.linalg.norm(vector) or 1)
    cosine = index.embeddings @ vector
    k = min(CANDIDATES, index.size)
    candidates = np.union1d(np.argpartition(-bm25, k - 1)[:k], np.argpartition(-cosine, k - 1)[:k])
    fused = np.zeros(index.size, dtype=np.float32)

    def scaled(values: np.ndarray) -> np.ndarray:
        low, high = values.min(), values.max()
        return (values - low) / (high - low) if high > low else np.ones_like(values)

    fused[candidates] = 0.5 * scaled(bm25[candidates]) + 0.5 * scaled(cosine[candidates])
    # Keep candidates above zero so that they count as matches.
    fused[candidates] += 1e-6
    return fused


def _hits(index: _Index, rows: np.ndarray, scores: np.ndarray, terms: list[str]) -> list[Hit]:
    ids = [int(index.passage_ids[r]) for r in rows]
    passages = {p.pk: p for p in PolicyPassage.objects.filter(pk__in=ids).only("pk", "document_id", "heading",
                                                                                  "article", "text")}
    hits = []
    for row, pk in zip(rows, ids, strict=True):
        passage = passages.get(pk)
        if passage is None:  # deleted since the index was built
            continue
        meta = index.docs[passage.document_id]
        hits.append(Hit(
            passage_id=pk, document_id=passage.document_id, document=meta.title, issuer=meta.issuer,
            doc_number=meta.doc_number, issued_on=meta.issued_on, level=meta.level, heading=passage.heading,
            article=passage.article, text=passage.text, score=float(scores[row]),
            highlighted=chinese.highlight(passage.text, terms),
        ))
    return hits


def retrieve(user, question: str, *, k: int = 5) -> tuple[list[str], list[Hit]]:
    """The question's terms and its best ``k`` passages, numbered 1..k for citing."""
    result = search(user, question, limit=k)
    for n, hit in enumerate(result.hits, start=1):
        hit.n = n
    return result.terms, result.hits
