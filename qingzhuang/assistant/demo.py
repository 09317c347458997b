"""The demo county's policy library: the documents in ``corpus/`` (written for the fictional 青山县
of 江南省清河市), added and indexed like any upload from the command line."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).with_name("corpus")


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.md"))


def seed_policies() -> dict[str, int]:
    from qingzhuang.assistant.services import policy_add

    documents = passages = 0
    for path in corpus_files():
        result = policy_add(actor=None, path=path, filename=path.name, index_now=True)
        if result.document is not None and result.created:
            documents += 1
            passages += result.document.passage_count
    return {"policies": documents, "policy_passages": passages}


def seed_step(result) -> dict[str, int]:
    """The assistant's step of the demo county: the policy library (see ``qingzhuang/registry.py``)."""
    return seed_policies()


def summary(result) -> str:
    counts = result.counts
    return f"政策库：政策文件 {counts['policies']} 个，检索段落 {counts['policy_passages']} 个。"
