"""一表做总结: figures, template text, the number check, the model fallback and Word output."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from docx import Document

from qingzhuang.assistant import summaries
from qingzhuang.assistant.summaries import (
    AVG,
    LOWER,
    Figures,
    Item,
    Measure,
    Summary,
    compute_measure,
    make_summary,
    numbers_in,
    summary_to_docx,
    template_summary,
    unknown_numbers,
)


def completion_figures() -> Figures:
    measure = compute_measure(Measure(name="完成数", unit="户", items=[
        Item("甲镇", D(450), previous=D(400), last_year=D(380), target=D(400)),
        Item("乙镇", D(300), previous=D(320), last_year=D(290), target=D(350)),
        Item("丙镇", D(484), previous=D(452), last_year=D(472), target=D(500)),
    ], has_previous=True, has_last_year=True, has_target=True))
    return Figures(kind="upload", title="各乡镇完成情况总结", subject="全县", noun="乡镇", label="上传表格“各乡镇完成情况”",
                   measures=[measure], period="2025-11", item_count=3, names=["甲镇", "乙镇", "丙镇"])


# ---------------------------------------------------------------------------------------------
# Numbers and figures


def test_percent_helpers_round_half_up():
    assert summaries.pct_change(D(2000), D(1900)) == D("5.3")
    assert summaries.pct_change(D(1), D(8)) == D("-87.5")
    assert summaries.pct_change(D(5), D(0)) is None
    assert summaries.pct_of(D(1), D(8)) == D("12.5")
    assert summaries.pct_of(D(1), D(16)) == D("6.3")  # 6.25 → 6.3, not banker's 6.2
    assert summaries.fmt_number(D("1234.5000")) == "1,234.5"
    assert summaries.fmt_number(D("1234567")) == "1,234,567"
    assert summaries.fmt_pct(D("100")) == "100.0%"


def test_completion_figures():
    m = completion_figures().measures[0]
    assert (m.total, m.previous_total, m.last_year_total, m.target_total) == (
        D(1234), D(1172), D(1142), D(1250))
    assert (m.mom, m.yoy, m.completion) == (D("5.3"), D("8.1"), D("98.7"))
    assert [i.completion for i in m.items] == [D("112.5"), D("85.7"), D("96.8")]
    assert [i.mom for i in m.items] == [D("12.5"), D("-6.3"), D("7.1")]
    assert (m.best.name, m.worst.name) == ("甲镇", "乙镇")
    assert [i.name for i in m.completed] == ["甲镇"]
    assert [i.name for i in m.below_target] == ["乙镇", "丙镇"]  # lowest completion first
    assert [i.name for i in m.declined] == ["乙镇"]


def test_lower_is_better_direction():
    m = compute_measure(Measure(name="安全事故", unit="起", direction=LOWER, items=[
        Item("甲镇", D(3), previous=D(4)), Item("乙镇", D(5), previous=D(2)), Item("丙镇", D(4), previous=D(4)),
    ], has_previous=True))
    assert (m.best.name, m.worst.name) == ("甲镇", "乙镇")
    assert [i.name for i in m.improved] == ["甲镇"]  # fewer accidents is an improvement
    assert [i.name for i in m.declined] == ["乙镇"]
    assert m.mom == D("20.0")  # 12 against 10


def test_rates_average_and_change_in_points():
    m = compute_measure(Measure(name="入学率", unit="%", aggregate=AVG, items=[
        Item("甲镇", D("98.5"), previous=D("98.0")), Item("乙镇", D("99.0"), previous=D("99.2")),
    ], has_previous=True))
    assert m.total == D("98.75")
    assert m.mom == D("0.2")  # 98.75 − 98.6, percentage points
    assert [i.mom for i in m.items] == [D("0.5"), D("-0.2")]


def test_numbers_in_normalises_chinese_text():
    text = "全县12个乡镇合计1,234户，较上月增长5.20%，占百分之三十，其中三个乡镇，约1.2万人，2025年11月，11月份，2025-10。"
    assert numbers_in(text) == ["12", "1234", "5.2%", "30%", "3", "1.2万", "2025年11月", "11月", "2025年10月"]
    # Enumeration markers and fixed political terms are not figures; ordinals such as 一是 neither.
    assert numbers_in("1. 学习贯彻党的二十大精神\n（2）一是加强调度") == []
    assert numbers_in("一百二十三户，两个村") == ["123", "2"]


# ---------------------------------------------------------------------------------------------
# Template text


def test_template_summary_text_exact():
    summary = template_summary(completion_figures())
    assert summary.title == "各乡镇完成情况总结"
    assert summary.generated_by == "template"
    assert [h for h, _ in summary.sections] == ["总体情况", "主要成效", "存在问题", "下步打算"]
    sections = dict(summary.sections)
    assert sections["总体情况"] == [
        "2025年11月，全县3个乡镇完成数合计1,234户，较上月增长5.3%，较去年同期增长8.1%，完成目标任务1,250户的98.7%。"]
    assert sections["主要成效"] == [
        "完成数方面，甲镇完成率最高，达112.5%，也是唯一完成目标任务的乡镇。甲镇、丙镇较上月有所增长，其中甲镇增幅最大，为12.5%。"]
    assert sections["存在问题"] == ["乙镇、丙镇完成数未达到目标，其中乙镇完成率仅为85.7%；乙镇完成数较上月下降6.3%。"]
    assert sections["下步打算"][0].startswith("一是督促乙镇、丙镇对照完成数目标查找差距")
    assert "二是针对乙镇完成数下降的情况" in sections["下步打算"][0]


def test_template_text_passes_its_own_number_check():
    figures = completion_figures()
    summary = make_summary(figures, use_llm=False)
    assert summary.notices == []
    assert unknown_numbers(summary.text(), figures.allowed_numbers()) == []


def test_allowed_numbers_include_formatted_variants_and_periods():
    allowed = completion_figures().allowed_numbers()
    assert {"1234", "450", "112.5%", "5.3%", "6.3%", "-6.3%", "3"} <= allowed
    assert {"2025年11月", "2025年10月", "2024年11月", "11月"} <= allowed
    assert "1235" not in allowed and "2023年11月" not in allowed


# ---------------------------------------------------------------------------------------------
# The language model


@pytest.fixture
def model(monkeypatch):
    """A configured model whose answer the test sets; records the messages it was sent."""
    from qingzhuang.assistant import llm

    state = {"reply": "", "messages": None}

    def chat(messages, *, temperature=0.1, max_tokens=1024):
        state["messages"] = messages
        if isinstance(state["reply"], Exception):
            raise state["reply"]
        return state["reply"]

    monkeypatch.setattr(llm, "chat_configured", lambda: True)
    monkeypatch.setattr(llm, "chat", chat)
    return state


GOOD_REPLY = """标题
各乡镇2025年11月完成情况总结
总体情况
全县3个乡镇完成数合计1,234户，较上月增长5.3%，完成率98.7%。
主要成效
甲镇完成率达112.5%，在各乡镇中最高。
存在问题
乙镇完成率为85.7%，较上月下降6.3%。
下步打算
1. 督促乙镇、丙镇加快进度。
2. 加强调度。
"""


def test_model_text_with_known_numbers_is_accepted(model):
    model["reply"] = GOOD_REPLY
    summary = make_summary(completion_figures())
    assert summary.generated_by == "llm"
    assert summary.notices == []
    assert summary.title == "各乡镇2025年11月完成情况总结"
    assert dict(summary.sections)["下步打算"] == ["督促乙镇、丙镇加快进度。", "加强调度。"]
    facts = model["messages"][1]["content"]
    assert "合计1,234户" in facts and "甲镇：450户" in facts


def test_model_text_with_an_invented_number_falls_back_to_template(model):
    model["reply"] = GOOD_REPLY.replace("较上月增长5.3%", "较上月增长6.1%，新增就业岗位200个")
    summary = make_summary(completion_figures())
    assert summary.generated_by == "template"
    assert summary.notices == ["大模型生成的文字中有数字与表格不符（6.1%、200），已改用模板生成"]
    assert dict(summary.sections)["总体情况"][0].startswith("2025年11月，全县3个乡镇完成数合计1,234户")


def test_model_text_with_a_chinese_numeral_is_checked_too(model):
    model["reply"] = GOOD_REPLY.replace("加强调度。", "力争完成率提高百分之五。")
    summary = make_summary(completion_figures())
    assert summary.generated_by == "template"
    assert summary.notices == ["大模型生成的文字中有数字与表格不符（5%），已改用模板生成"]


def test_model_text_missing_a_section_falls_back(model):
    model["reply"] = "总体情况\n全县3个乡镇完成数合计1,234户。"
    summary = make_summary(completion_figures())
    assert summary.generated_by == "template"
    assert summary.notices == ["大模型生成的文字缺少必要的部分，已改用模板生成"]


def test_model_error_falls_back(model):
    from qingzhuang.assistant.llm import LLMError

    model["reply"] = LLMError("大模型服务超时")
    summary = make_summary(completion_figures())
    assert summary.generated_by == "template"
    assert summary.notices == ["大模型暂时不可用（大模型服务超时），已改用模板生成"]


def test_no_model_call_when_not_wanted(model):
    model["reply"] = GOOD_REPLY
    assert make_summary(completion_figures(), use_llm=False).generated_by == "template"
    assert model["messages"] is None


# ---------------------------------------------------------------------------------------------
# Word


def test_docx_has_title_headings_paragraphs_and_figures_table():
    summary = template_summary(completion_figures())
    document = Document(io.BytesIO(summary_to_docx(summary)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "各乡镇完成情况总结"
    title_run = document.paragraphs[0].runs[0]
    assert title_run.bold and document.paragraphs[0].alignment == 1  # centred
    assert title_run._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "黑体"
    for heading in ("一、总体情况", "二、主要成效", "三、存在问题", "四、下步打算"):
        assert heading in texts
    assert dict(summary.sections)["存在问题"][0] in texts
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["项目", "乡镇", "本月", "上月", "环比", "去年同期", "同比", "目标",
                                                     "完成率"]
    assert [c.text for c in table.rows[-1].cells] == [
        "完成数（户）", "合计", "1,234", "1,172", "5.3%", "1,142", "8.1%", "1,250", "98.7%"]


def test_summary_round_trips_through_the_session_form():
    summary = template_summary(completion_figures())
    again = Summary.from_dict(summary.to_dict())
    assert (again.title, again.sections) == (summary.title, summary.sections)
    assert again.table.rows == summary.table.rows
    document = Document(io.BytesIO(summary_to_docx(again)))
    assert document.paragraphs[0].text == summary.title


def test_model_brief_gets_the_condensed_facts_and_must_fit_on_a_page(model):
    from qingzhuang.assistant.tests.test_summary_brief import known_figures

    figures = known_figures()
    long = "粮食产量合计270吨，较上月增长8.0%。" * 80
    model["reply"] = f"标题\n各乡镇总结\n总体情况\n全县3个乡镇共有指标4项。\n主要成效\n{long}\n存在问题\n丙镇相对落后。\n下步打算\n加强调度。\n"
    summary = make_summary(figures)
    assert summary.generated_by == "template"
    chars = len(long) + len("全县3个乡镇共有指标4项。丙镇相对落后。加强调度。")
    assert summary.notices == [f"大模型生成的文字超过一页（{chars}字），已改用模板生成"]
    outline, facts = model["messages"][1]["content"].split("材料：")
    assert outline.split() == ["小标题：", "标题", "总体情况", "主要成效", "存在问题", "下步打算"]
    assert "在各乡镇中排名第一的指标最多：甲镇（4项）" in facts and "与上月相比的指标数：向好2项，变差1项，持平1项" in facts
    assert "- 甲镇：" not in facts  # each indicator's totals, not every unit's row
    assert "篇幅：一页，正文不超过1500字" in facts
