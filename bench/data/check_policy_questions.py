#!/usr/bin/env python3
"""Sanity checker for the policy corpus and the labelled question set.

Checks performed (stdlib only):

* every corpus document follows the agreed layout: ``# title`` on line 1,
  an optional "<issuer>文件" line, a 文号 line such as ``青减负发〔2025〕3号``,
  a body, then the closing issuer line and a date line ``2025年3月18日``;
* every question line of each question set (``QUESTION_SETS``: the demo
  library's sets, and the held-out library's set over the documents of
  ``holdout_library/``) is valid JSON with the keys ``q``, ``doc``,
  ``heading`` and ``answer_contains``;
* the referenced ``doc`` exists, ``answer_contains`` occurs in the document
  text and, more strictly, inside the passage identified by ``heading``;
* ``heading`` resolves to exactly one passage of the document;
* in the first set, every document has at least ``MIN_PER_DOC`` questions and
  the total is at least ``MIN_TOTAL``.

Soft warnings (do not fail the run) are printed when ``answer_contains`` also
occurs in another passage of the same document, or when a question copies a
long run of characters from its answering passage.

Usage: python bench/data/check_policy_questions.py [--verbose]
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORPUS_DIR = REPO / "qingzhuang" / "assistant" / "corpus"
QUESTIONS = HERE / "policy_questions.jsonl"
HOLDOUT_LIBRARY = HERE / "holdout_library"
# (question file, its library, minimum total, minimum per document, Han characters per document).
QUESTION_SETS = [
    (QUESTIONS, CORPUS_DIR, 80, 4, (1500, 5000)),
    (HERE / "policy_questions_holdout.jsonl", CORPUS_DIR, 0, 0, (1500, 5000)),
    (HERE / "everyday_questions.jsonl", CORPUS_DIR, 0, 0, (1500, 5000)),
    (HERE / "everyday_questions_holdout.jsonl", CORPUS_DIR, 0, 0, (1500, 5000)),
    (HERE / "holdout_library_questions.jsonl", HOLDOUT_LIBRARY, 25, 4, (400, 5000)),
]

# A run of this many identical characters shared by question and passage is
# reported as possible copying.
COPY_RUN = 10

CN_NUM = "零一二三四五六七八九十百"
RE_CHAPTER = re.compile(rf"^第[{CN_NUM}]+章")
RE_ARTICLE = re.compile(rf"^第[{CN_NUM}]+条")
RE_SECTION = re.compile(rf"^[{CN_NUM}]+、")
RE_SUBSECTION = re.compile(rf"^（[{CN_NUM}]+）")
RE_DOC_NUMBER = re.compile(r"^\S+〔\d{4}〕\d+号$")
RE_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
RE_HAN = re.compile(r"[\u4e00-\u9fff]")


class DocError(Exception):
    pass


def parse_document(text):
    """Split a corpus document into metadata and passages.

    Returns a dict with title, issuer_line, doc_number, closing_issuer, date,
    structure ("articles" or "sections") and passages, where each passage is a
    dict with ``key`` (e.g. "第十二条", "（三）", "二、"), ``qualified``
    (e.g. "二、 > （三）") and ``text`` (heading line plus following lines).
    """
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        raise DocError("line 1 must be '# <title>'")
    title = lines[0][2:].strip()

    # Header: the first two non-empty lines after the title, i.e. an optional
    # "<issuer>文件" line followed by the 文号 line.
    nonempty = [(i, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    header = nonempty[1:3]
    issuer_line = None
    if header and header[0][1].endswith("文件"):
        issuer_line = header[0][1]
        header = header[1:]
    if not header or not RE_DOC_NUMBER.match(header[0][1]):
        raise DocError("文号 line missing after title / issuer line")
    doc_number = header[0][1]
    body_start = header[0][0] + 1

    # Footer: last non-empty line is the date, the one before the issuer.
    if len(nonempty) < 2 or not RE_DATE.match(nonempty[-1][1]):
        raise DocError("closing date line missing (e.g. 2025年3月18日)")
    date = nonempty[-1][1]
    closing_issuer = nonempty[-2][1]
    if RE_ARTICLE.match(closing_issuer) or RE_SUBSECTION.match(closing_issuer):
        raise DocError("closing issuer line missing before the date")
    body_end = nonempty[-2][0]
    body = [ln.strip() for ln in lines[body_start:body_end]]

    articles = any(RE_ARTICLE.match(ln) for ln in body)
    passages = []
    current = None
    section = None
    for ln in body:
        if not ln:
            continue
        key = None
        if articles:
            m = RE_CHAPTER.match(ln) or RE_ARTICLE.match(ln)
            if m:
                key = m.group(0)
                qualified = key
        else:
            m = RE_SECTION.match(ln)
            if m:
                key = section = m.group(0)
                qualified = key
            else:
                m = RE_SUBSECTION.match(ln)
                if m:
                    key = m.group(0)
                    qualified = f"{section} > {key}" if section else key
        if key:
            current = {"key": key, "qualified": qualified, "lines": [ln]}
            passages.append(current)
        elif current is not None:
            current["lines"].append(ln)
        # Text before the first heading (preamble) is not a passage.
    for p in passages:
        p["text"] = "\n".join(p.pop("lines"))
    return {
        "title": title,
        "issuer_line": issuer_line,
        "doc_number": doc_number,
        "closing_issuer": closing_issuer,
        "date": date,
        "structure": "articles" if articles else "sections",
        "passages": passages,
        "han_chars": len(RE_HAN.findall(text)),
    }


def resolve_heading(doc, heading):
    """Return the list of passages matching a heading label."""
    field = "qualified" if " > " in heading else "key"
    return [p for p in doc["passages"] if p[field] == heading]


def longest_common_run(a, b):
    """Length of the longest common substring of a and b (small inputs)."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def check_set(questions_path, corpus_dir, min_total, min_per_doc, han_range, verbose):
    """Check one question file against its library; returns the number of errors."""
    errors, warnings = [], []
    min_han, max_han = han_range

    # Documents.
    docs = {}
    for path in sorted(corpus_dir.glob("*.md")):
        if not re.match(r"^\d{2}-[a-z0-9-]+\.md$", path.name):
            errors.append(f"{path.name}: file name must be NN-ascii-slug.md")
        try:
            doc = parse_document(path.read_text(encoding="utf-8"))
        except DocError as exc:
            errors.append(f"{path.name}: {exc}")
            continue
        if not (min_han <= doc["han_chars"] <= max_han):
            errors.append(f"{path.name}: {doc['han_chars']} Han characters, "
                          f"expected {min_han}-{max_han}")
        keys = Counter(p["qualified"] for p in doc["passages"])
        dup = [k for k, n in keys.items() if n > 1]
        if dup:
            errors.append(f"{path.name}: duplicated headings {dup}")
        docs[path.name] = doc
    if not docs:
        errors.append(f"no documents found in {corpus_dir}")

    # Questions.
    per_doc = Counter()
    total = 0
    seen_q = set()
    for lineno, raw in enumerate(questions_path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{questions_path.name}:{lineno}"
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON ({exc})")
            continue
        missing = {"q", "doc", "heading", "answer_contains"} - set(item)
        if missing:
            errors.append(f"{where}: missing keys {sorted(missing)}")
            continue
        total += 1
        q, name, heading, ans = (item["q"], item["doc"], item["heading"],
                                 item["answer_contains"])
        if q in seen_q:
            errors.append(f"{where}: duplicated question")
        seen_q.add(q)
        doc = docs.get(name)
        if doc is None:
            errors.append(f"{where}: doc {name!r} not found in corpus")
            continue
        per_doc[name] += 1
        if not (4 <= len(ans) <= 20):
            errors.append(f"{where}: answer_contains length {len(ans)} not in 4-20")
        full_text = (corpus_dir / name).read_text(encoding="utf-8")
        if ans not in full_text:
            errors.append(f"{where}: answer_contains {ans!r} not in {name}")
            continue
        matches = resolve_heading(doc, heading)
        if len(matches) != 1:
            errors.append(f"{where}: heading {heading!r} matches {len(matches)} "
                          f"passages in {name}")
            continue
        passage = matches[0]
        if doc["structure"] == "articles" and not RE_ARTICLE.match(heading):
            errors.append(f"{where}: article-structured doc needs a 第X条 heading")
        if ans not in passage["text"]:
            errors.append(f"{where}: {ans!r} not inside passage {heading!r}")
            continue
        others = [p["qualified"] for p in doc["passages"]
                  if p is not passage and ans in p["text"]]
        if others:
            warnings.append(f"{where}: {ans!r} also occurs in {others}")
        run = longest_common_run(re.sub(r"第.{1,4}条|\S+〔\d{4}〕\d+号", "", q),
                                 passage["text"])
        if run >= COPY_RUN:
            warnings.append(f"{where}: question shares a {run}-char run with the passage")

    for name in docs:
        if per_doc[name] < min_per_doc:
            errors.append(f"{name}: only {per_doc[name]} questions (min {min_per_doc})")
    if total < min_total:
        errors.append(f"only {total} questions (min {min_total})")

    # Summary.
    print(f"Questions: {questions_path.name} over {corpus_dir.name}/")
    print(f"{'document':42} {'文号':22} {'date':12} {'struct':8} {'han':>5} {'pass':>4} {'qs':>3}")
    for name, doc in docs.items():
        print(f"{name:42} {doc['doc_number']:22} {doc['date']:12} "
              f"{doc['structure']:8} {doc['han_chars']:5} {len(doc['passages']):4} "
              f"{per_doc[name]:3}")
    print(f"Documents: {len(docs)}, questions: {total}")
    if verbose or warnings:
        for w in warnings:
            print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print()
    return len(errors)


def main(argv):
    verbose = "--verbose" in argv
    errors = sum(check_set(*spec, verbose) for spec in QUESTION_SETS)
    print("RESULT:", "FAIL" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
