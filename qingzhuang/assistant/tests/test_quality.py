"""Search and answer quality on the labelled question sets against rank_bm25 over the same passages
and tokens, and cadres' everyday words reaching the rules they mean."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from bench import bench_assistant as quality
from qingzhuang.assistant import answers, search

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_library(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo policy library, indexed once for this module's tests (indexing is the slow part),
    inside a transaction rolled back after them; each test runs in a savepoint of its own."""
    from qingzhuang.assistant.demo import seed_policies

    media = tmp_path_factory.mktemp("demo-library")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, QZ_LLM_BASE_URL="",
                                                        QZ_EMBED_BASE_URL=""):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed_policies()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _first_documents(question: str, k: int = 3) -> list[str]:
    return [h.document for h in search.search(None, question, limit=k).hits]


def test_every_question_set_against_rank_bm25(demo_library):
    assert demo_library == {"policies": 14, "policy_passages": 283}
    figures = dict(quality.quality_figures())
    floors = {  # a little under the figures when written (see bench/bench_assistant.py)
        "demo: first set": {"recall@1": 0.74, "recall@5": 0.90, "MRR": 0.81, "answered": 0.87, "cited": 0.75},
        "demo: held-out set": {"recall@1": 0.55, "recall@5": 0.78, "MRR": 0.65, "answered": 0.74, "cited": 0.57},
        "demo: everyday tuning set": {"recall@1": 0.55, "recall@5": 0.77, "MRR": 0.64, "answered": 0.83,
                                      "cited": 0.69},
        "demo: everyday held-out set": {"recall@1": 0.72, "recall@5": 0.92, "MRR": 0.78, "answered": 0.92,
                                        "cited": 0.80},
        "held-out library: answerable": {"recall@1": 0.75, "recall@5": 0.93, "MRR": 0.84, "answered": 0.75,
                                         "cited": 0.72},
    }
    for label, floor in floors.items():
        ours, theirs = figures[label]["ours"], figures[label]["rank_bm25"]
        for name in ("recall@1", "recall@5", "MRR", "answered"):
            assert ours[name] >= theirs[name], (label, name, ours, theirs)
        for name, value in floor.items():
            assert ours[name] >= value, (label, name, ours)
    # False answers: no more than rank_bm25's on the demo library's sets; on the held-out library
    # one of six (一事一议筹资 meets a passage through common words) where rank_bm25 answers none.
    assert figures["demo: unrelated questions"]["ours"] <= min(2 / 12, figures["demo: unrelated questions"]["rank_bm25"])
    tuning = figures["demo: near-domain unrelated, tuning"]
    assert tuning["ours"] <= min(1 / 8, tuning["rank_bm25"]) + 1e-9, tuning
    near = figures["demo: near-domain unrelated questions"]
    assert near["ours"] <= min(0.2, near["rank_bm25"]) + 1e-9, near
    assert figures["held-out library: unanswerable"]["ours"] <= 1 / 6 + 1e-9
    # The held-out library was indexed on its own and is gone again: the demo library is back.
    assert search.current_index().size == 283


def test_meetings_in_everyday_words_reach_the_meeting_rules(demo_library):
    answer = answers.ask(None, "村里开会太多了有什么规定")
    assert answer.found and answer.generated_by == "extractive"
    assert [(c.n, c.document, c.heading) for c in answer.citations] == [
        (1, "青山县会议管理规定", "第四章 会议组织和纪律 > 第十五条"),
        (2, "青山县会议管理规定", "第四章 会议组织和纪律 > 第十三条"),
    ]
    assert answer.answer.splitlines()[0] == (
        "根据《青山县会议管理规定》第四章 会议组织和纪律 > 第十五条：「不得要求乡镇（街道）、村（社区）以会议照片、"
        "会议记录、签到表等作为落实工作的证明材料，不得以开会次数评价基层工作成效」[1]")
    # The rule the formal wording finds is the same library's.
    assert _first_documents("精简会议有什么要求")[0] == "青山县会议管理规定"


def test_too_many_groups_reach_the_workgroup_rules(demo_library):
    assert _first_documents("群太多了怎么办") == [
        "清河市政务应用程序（APP）和工作群规范管理办法", "清河市政务应用程序（APP）和工作群规范管理办法",
        "江南省整治形式主义为基层减负若干措施"]
    assert search.search(None, "群太多了怎么办").terms == ["群"]


def test_too_many_forms_reach_the_report_rules(demo_library):
    assert _first_documents("表太多了怎么办") == ["青山县基层报表准入和清理办法"] * 3
    assert answers.ask(None, "表太多了怎么办").citations[0].heading == "二、准入管理 > （四）报表目录"


def test_constant_inspections_reach_the_inspection_rules(demo_library):
    answer = answers.ask(None, "老是检查，一个村一年最多被县里查几次")
    assert [(c.n, c.document, c.heading) for c in answer.citations] == [
        (1, "青山县督查检查考核计划管理和统筹办法", "五、结果运用和监督 > （一）结果共享"),
        (2, "青山县督查检查考核计划管理和统筹办法", "三、统筹实施 > （二）联合督查"),
    ]
    assert answer.answer.splitlines()[0] == (
        "根据《青山县督查检查考核计划管理和统筹办法》三、统筹实施 > （二）联合督查：「同一乡镇（街道）全年接受县级"
        "实地督查检查原则上不超过4次，同一村（社区）全年接受县级实地督查检查原则上不超过2次」[2]")


def test_check_ins_reach_the_app_rules(demo_library):
    answer = answers.ask(None, "天天要打卡怎么办")
    assert [(c.document, c.heading) for c in answer.citations][0] == (
        "清河市政务应用程序（APP）和工作群规范管理办法", "第二章 政务应用程序管理 > 第八条")
    assert "不得要求基层通过应用程序定位打卡、上传工作照片证明履职" in answer.answer


def test_traces_reach_the_trace_rules(demo_library):
    answer = answers.ask(None, "留痕太多怎么办")
    assert [(c.n, c.document) for c in answer.citations] == [
        (1, "青山县基层减负监测点工作制度"), (2, "江南省督查检查考核管理办法")]
    assert "过度留痕" in answer.answer


def test_unrelated_questions_still_get_no_answer(demo_library):
    # The second shares 村干部 with the cadre-care measures, but not what it asks about (驻, 住, 一周).
    for question in ("如何申请出国签证", "驻村干部一周要在村里住几天"):
        answer = answers.ask(None, question)
        assert (answer.answer, answer.citations, answer.generated_by) == ("未找到相关依据", [], "none")


def test_spoken_phrasing_is_read_in_the_library_words(demo_library):
    index = search.current_index()
    # 村里 → 村; 群太多 → 群 (太多 is spoken phrasing); a word the library never uses stays itself.
    assert index.library_terms(["村里", "开会"]) == ["村", "开会"]
    assert index.library_terms(["群太多"]) == ["群"]
    assert index.library_terms(["签证"]) == ["签证"]
    assert index.library_terms(["最多"]) == ["最多"]  # it has an expansion (不超过): kept as asked
