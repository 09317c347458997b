"""一问搜方案: a question gets the best passages and an answer built only from them, with verified citations.

1. Retrieve the best passages (``search.retrieve``) within what the user may see.
2. Keep only passages that support an answer: the question's terms they contain (directly or
   through the search's expansions), weighted by IDF, must reach ``MIN_COVERAGE`` of the
   question's — ``STRICT_COVERAGE`` when the passage covers less than ``RARE_COVERAGE`` of the
   question's rare words — with at least ``MIN_MATCHED`` distinct words (or the question names
   the passage's 文号 or article). With none left the answer is ``未找到相关依据`` — no guessing.
3. With an LLM configured, it writes the answer from the numbered passages; the server then
   checks it (``citations.verify_answer``): every [n] must be a retrieved passage, quotes must be
   verbatim, every number must appear in the cited passages or the question. An answer that fails
   is not shown: the extractive answer is, with a notice saying why.
4. Offline (or as that fallback) the answer is extractive: the best sentences, quoted verbatim,
   each with its citation — and verified the same way.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from qingzhuang.assistant import citations, llm, search
from qingzhuang.assistant import text as chinese

logger = logging.getLogger(__name__)

NOT_FOUND = "未找到相关依据"
SENTENCE_RE = re.compile(r"[。！？；\n]")
MIN_COVERAGE = 0.2
MIN_MATCHED = 2
# The question's rare words: library words found in at most RARE_SHARE of the passages. A passage
# covering less than RARE_COVERAGE of their weight must cover STRICT_COVERAGE of the whole question:
# a passage sharing only a question's common words (干部, 补助) does not answer a question about
# something specific (伙食补助, 留守老人).
RARE_SHARE = 0.015
RARE_COVERAGE = 0.4
STRICT_COVERAGE = 0.4
RETRIEVE = 5


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[search.Hit] = field(default_factory=list)
    passages: list[search.Hit] = field(default_factory=list)
    generated_by: str = "extractive"  # "extractive", "llm" or "none"
    notices: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.citations)

    def to_json(self) -> dict:
        return {
            "question": self.question, "answer": self.answer,
            "citations": [
                {"n": h.n, "document": h.document, "heading": h.heading, "passage": h.text,
                 "score": round(h.score, 4), "document_id": h.document_id, "passage_id": h.passage_id,
                 "doc_number": h.doc_number}
                for h in self.citations
            ],
            "generated_by": self.generated_by, "notices": self.notices,
        }


def quote_passage(hit: search.Hit, *, sentences: int = 2) -> str:
    """The first sentences of a passage, quoted verbatim with its citation."""
    parts = [p.strip() for p in SENTENCE_RE.split(hit.text) if p.strip()]
    heading = f"{hit.heading}：" if hit.heading else "："
    return "\n".join(f"根据《{hit.document}》{heading}「{p}」[{hit.n}]" for p in parts[:sentences])


def support(hit: search.Hit, terms: list[str], weights: list[float],
            rare: list[bool] | None = None) -> tuple[float, int, float]:
    """How well a passage (with its heading and title) covers the question: the IDF-weighted share
    of the question's terms it contains (a term also counts through its document-language
    expansions), how many distinct words of two or more characters it contains (a single
    character counts when found through a longer expansion, 群 as 工作群; a word inside another
    matched word is not counted again), and the share of the weight of the terms marked ``rare``."""
    total = sum(weights)
    rare = rare or [False] * len(terms)
    rare_total = sum(w for w, r in zip(weights, rare, strict=True) if r)
    haystack = chinese.normalize(f"{hit.document} {hit.heading} {hit.text}")
    covered, rare_covered, matched = 0.0, 0.0, set()
    for term, weight, is_rare in zip(terms, weights, rare, strict=True):
        found = [word for word in (term, *search.EXPANSIONS.get(term, ())) if word in haystack]
        if found:
            covered += weight
            rare_covered += weight if is_rare else 0.0
            if max(len(w) for w in found) >= 2:
                matched.add(term)
    # Search-mode segmentation also yields the words inside a word (宅基地 → 宅基, 基地): count
    # each matched word once, not its parts.
    whole = [t for t in matched if not any(t != other and t in other for other in matched)]
    return (covered / total if total else 0.0), len(whole), (rare_covered / rare_total if rare_total else 1.0)


def supports(hit: search.Hit, terms: list[str], weights: list[float], rare: list[bool] | None = None) -> bool:
    share, matched, rare_share = support(hit, terms, weights, rare)
    needed = min(MIN_MATCHED, sum(1 for t in terms if len(t) >= 2 or search.EXPANSIONS.get(t))) or 1
    needed_share = MIN_COVERAGE if rare_share >= RARE_COVERAGE else STRICT_COVERAGE
    return share >= needed_share and matched >= needed


def ask(user, question: str, *, k: int = RETRIEVE) -> Answer:
    question = (question or "").strip()
    if not question:
        return Answer(question, NOT_FOUND, generated_by="none", notices=["请输入问题"])
    result = search.search(user, question, limit=k)
    terms = result.terms
    index = search.current_index()
    weights = index.idf(terms)
    threshold = index.rare_idf(RARE_SHARE)
    rare = [index.known(t) and w >= threshold for t, w in zip(terms, weights, strict=True)]
    supported = []
    for hit in result.hits:
        exact = bool(result.exact_article and hit.article == result.exact_article) or bool(
            result.exact_document and hit.document == result.exact_document and not result.exact_article)
        if exact or supports(hit, terms, weights, rare):
            supported.append(hit)
    if not supported:
        return Answer(question, NOT_FOUND, generated_by="none")
    for n, hit in enumerate(supported, start=1):
        hit.n = n
    passages = [{"n": h.n, "document": h.document, "heading": h.heading, "text": h.text} for h in supported]
    notices: list[str] = []
    if llm.chat_configured():
        try:
            reply = llm.chat(llm.build_answer_messages(question, passages)).strip()
        except llm.LLMError as exc:
            notices.append(f"大模型服务不可用，已改用摘录式回答（{exc.message}）")
        else:
            check = citations.verify_answer(reply, passages, question=question)
            if check.ok and NOT_FOUND in reply and not check.cited:
                return Answer(question, NOT_FOUND, passages=supported, generated_by="llm")
            if check.ok:
                cited = [h for h in supported if h.n in check.cited]
                return Answer(question, reply, cited, supported, "llm")
            notices.append("大模型的回答未通过引用核验（" + "；".join(check.problems) + "），已改用摘录式回答")
    if terms:
        words = list(dict.fromkeys([*terms, *(e for t in terms for e in search.EXPANSIONS.get(t, ()))]))
        reply = citations.extractive_answer(words, passages)
    else:  # the question only named a 文号 or an article: quote what it named
        reply = quote_passage(supported[0])
    check = citations.verify_answer(reply, passages, question=question)
    if not check.ok or not check.cited:
        if check.problems:
            logger.error("extractive answer failed its own check: %s", check.problems)
        return Answer(question, NOT_FOUND, passages=supported, generated_by="none", notices=notices)
    cited = [h for h in supported if h.n in check.cited]
    return Answer(question, reply, cited, supported, "extractive", notices)
