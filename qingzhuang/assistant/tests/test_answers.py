"""一问搜方案: answers only from retrieved passages, citations verified, offline and with an LLM."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from qingzhuang.assistant import answers, search, services
from qingzhuang.assistant.tests.fake_llm import fake_llm_fixture  # noqa: F401 (a fixture)


def test_offline_answer_quotes_the_rule_with_its_citation(library, users):
    answer = answers.ask(users["member"], "工作群多久解散")
    assert answer.generated_by == "extractive"
    assert answer.answer.splitlines()[0] == (
        "根据《青山县测试会议管理办法》第二章 会议规范 > 第四条：「第四条 工作群任务结束后7日内解散，"
        "不得在工作群内以在线时长对基层排名」[1]")
    assert [(c.n, c.heading) for c in answer.citations][0] == (1, "第二章 会议规范 > 第四条")
    payload = answer.to_json()
    assert set(payload) >= {"answer", "citations"}
    assert set(payload["citations"][0]) >= {"n", "document", "heading", "passage", "score"}


def test_no_support_says_so_instead_of_guessing(library, users):
    answer = answers.ask(users["member"], "如何申请出国签证")
    assert answer.answer == "未找到相关依据"
    assert answer.citations == [] and answer.generated_by == "none"


def test_exact_article_question_quotes_that_article(library, users):
    answer = answers.ask(users["member"], "青政办发〔2025〕21号第五条")
    assert answer.answer == ("根据《青山县测试会议管理办法》第二章 会议规范 > 第五条：「第五条 村（社区）不得被要求出具"
                             "法律法规规定以外的证明」[1]")


def test_answers_only_from_documents_in_scope(library, users):
    assert answers.ask(users["outsider"], "夜间值班每人每月几次").answer == "未找到相关依据"
    assert answers.ask(users["member"], "夜间值班每人每月几次").citations[0].document == "甲镇值班制度"


def test_llm_answer_with_valid_citations_is_shown(library, users, fake_llm):
    reply = "任务结束后7日内应当解散工作群[1]。"
    server = fake_llm(reply=reply)
    answer = answers.ask(users["member"], "工作群多久解散")
    assert (answer.answer, answer.generated_by, answer.notices) == (reply, "llm", [])
    assert [c.n for c in answer.citations] == [1]
    sent = server.requests[-1].body
    assert sent["messages"][-1]["content"].count("第四条 工作群任务结束后7日内解散") == 1


def test_llm_citing_a_passage_not_retrieved_is_caught(library, users, fake_llm):
    fake_llm(reply="任务结束后7日内解散工作群[9]。")
    answer = answers.ask(users["member"], "工作群多久解散")
    assert answer.generated_by == "extractive"
    assert answer.answer.startswith("根据《青山县测试会议管理办法》第二章 会议规范 > 第四条")
    assert answer.notices and answer.notices[0].startswith("大模型的回答未通过引用核验（引用[9]不在检索到的依据中")


def test_llm_inventing_a_number_is_caught(library, users, fake_llm):
    fake_llm(reply="任务结束后15日内解散工作群[1]。")
    answer = answers.ask(users["member"], "工作群多久解散")
    assert answer.generated_by == "extractive"
    assert "15" in answer.notices[0] and "7日内" in answer.answer


def test_llm_down_falls_back_to_the_offline_answer(library, users, fake_llm):
    fake_llm(status=500)
    answer = answers.ask(users["member"], "工作群多久解散")
    assert answer.generated_by == "extractive"
    assert answer.notices[0].startswith("大模型服务不可用，已改用摘录式回答（")


def test_llm_saying_nothing_supports_it(library, users, fake_llm):
    fake_llm(reply="未找到相关依据")
    answer = answers.ask(users["member"], "工作群多久解散")
    assert (answer.answer, answer.generated_by, answer.citations) == ("未找到相关依据", "llm", [])


def test_embeddings_are_stored_and_fused(db, rules_file, users, fake_llm):
    server = fake_llm(reply="")
    doc = services.policy_add(actor=users["supervision"], path=rules_file, filename="rules.md",
                              index_now=True).document
    vectors = [np.frombuffer(bytes(v), dtype=np.float32) for v in doc.passages.values_list("embedding", flat=True)]
    assert len(vectors) == 5 and all(v.shape == (16,) for v in vectors)
    index = search.current_index()
    assert index.embeddings is not None and index.embeddings.shape == (5, 16)
    result = search.search(users["supervision"], "工作群多久解散")
    assert result.hits[0].article == "第4条"
    assert any(r.path.endswith("/embeddings") for r in server.requests)


def test_embeddings_down_while_indexing_keeps_keyword_search(db, rules_file, users, fake_llm):
    fake_llm(status=500)
    doc = services.policy_add(actor=users["supervision"], path=rules_file, filename="rules.md",
                              index_now=True).document
    assert doc.status == "indexed" and doc.message.startswith("向量化失败，仅使用关键词检索：")
    assert search.search(users["supervision"], "工作群多久解散").hits[0].article == "第4条"


def test_ask_command_json_and_file(library, tmp_path):
    out = io.StringIO()
    call_command("ask", "工作群多久解散", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["citations"][0]["heading"] == "第二章 会议规范 > 第四条"
    questions = tmp_path / "q.txt"
    questions.write_text("工作群多久解散\n\n如何申请出国签证\n", encoding="utf-8")
    out = io.StringIO()
    call_command("ask", "--file", str(questions), "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["question"] for line in lines] == ["工作群多久解散", "如何申请出国签证"]
    assert lines[1]["answer"] == "未找到相关依据" and lines[1]["citations"] == []


def test_ask_command_usage_errors(db, tmp_path):
    out = io.StringIO()
    with pytest.raises(CommandError, match="请给出一个问题"):
        call_command("ask", "--json", stdout=out)
    assert json.loads(out.getvalue())["errors"][0]["code"] == "usage"
    with pytest.raises(CommandError, match="无法读取问题文件"):
        call_command("ask", "--file", str(tmp_path / "missing.txt"), stdout=io.StringIO())
