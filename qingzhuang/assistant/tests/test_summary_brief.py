"""一表做总结 as people use it: a one-page brief by default (the full text on request), grouped by the
level below the reader's unit, one plain sentence when there is nothing to summarise, and the Word
file with every row as its annex."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from docx import Document

from conftest import make_user
from qingzhuang.assistant import summaries
from qingzhuang.assistant.summaries import (
    ALL_ZERO,
    AVG,
    BRIEF_MAX_CHARS,
    LOWER,
    Figures,
    Item,
    Measure,
    compute_measure,
    make_summary,
    summary_to_docx,
    unknown_numbers,
)
from qingzhuang.assistant.summary_sources import (
    SummaryError,
    dataset_figures,
    indicator_figures,
    summary_levels,
)
from qingzhuang.assistant.tests.test_summary_sources import indicator_data, population  # noqa: F401
from qingzhuang.assistant.tests.test_views_api import _token_client
from qingzhuang.orgs.services import unit_create

WIZARD = "assistant:summary_wizard"
API = "/api/v1/assistant/summaries"
COUNTY = "429901000000"


def body(summary: summaries.Summary) -> str:
    return "".join(p for _, paragraphs in summary.sections for p in paragraphs)


# ---------------------------------------------------------------------------------------------
# The brief of a county's 50 indicators (the demo's indicator database at full scale)


def test_brief_of_50_indicators_fits_on_a_page_and_the_full_text_stays_an_option(demo_indicators, users):
    figures = indicator_figures(users["leader"], unit_code=COUNTY, period=demo_indicators)
    brief = make_summary(figures, use_llm=False)
    assert brief.length == "brief" and brief.notices == []
    assert [h for h, _ in brief.sections] == ["总体情况", "主要成效", "存在问题", "下步打算"]
    assert brief.body_chars() <= BRIEF_MAX_CHARS  # about a page; was 9,305 characters
    assert unknown_numbers(brief.text(), figures.allowed_numbers()) == []
    sections = dict(brief.sections)
    assert sections["总体情况"] == ["2025年12月，全县12个乡镇（街道）共有指标50项。与上月相比，33项向好、11项变差、6项持平；与去年同期相比，9项向好。"]
    # The indicators that moved most, each way, by the indicator's direction: fewer accidents is better.
    assert sections["主要成效"][0].startswith(
        "从指标变化看，安全生产事故起数合计4起，较上月下降63.6%，其中桃源街道降幅最大，为100.0%；"
        "固定资产投资完成额合计198,644.3万元，较上月增长45.1%，较去年同期增长4.9%，其中新店镇增幅最大，为57.9%；")
    assert sections["主要成效"][1] == "分乡镇（街道）看，云台乡表现最好，有11项指标在各乡镇（街道）中排名第一。"
    assert sections["存在问题"][0].startswith("高标准农田建设面积合计7,343亩，较上月下降31.9%，其中白沙镇降幅最大，为44.4%；")
    assert sections["存在问题"][1] == "城关街道相对落后，有20项指标在各乡镇（街道）中排名最后。"
    assert sections["下步打算"][0].startswith(
        "一是针对高标准农田建设面积下降、农村危房改造完成户数下降、接待游客人次下降、旅游综合收入下降、重点项目开工数下降等情况，"
        "督促相关乡镇（街道）深入分析原因，制定针对性措施；二是加强对城关街道的指导帮扶")
    # The page's table has one row per indicator; every unit's row is for the Word annex.
    assert (len(brief.overview.rows), len(brief.table.rows)) == (50, 650)
    assert brief.overview.headers == ["项目", "合计/平均", "环比", "同比", "最好", "最差"]
    assert brief.overview.rows[0] == ["固定资产投资完成额（万元）", "198,644.3", "45.1%", "4.9%", "云台乡 24,071",
                                     "城关街道 11,383.2"]

    full = make_summary(figures, use_llm=False, length="full")
    assert full.length == "full"
    assert full.body_chars() > 5 * brief.body_chars()
    assert all(m.name in body(full) for m in figures.measures)


def test_brief_of_a_townships_own_values_speaks_of_it_alone(demo_indicators, users):
    figures = indicator_figures(users["leader"], unit_code="429901204000", period=demo_indicators)  # 白沙镇
    assert figures.single and figures.label == "指标数据：白沙镇，2025年12月"
    summary = make_summary(figures, use_llm=False)
    assert summary.body_chars() <= BRIEF_MAX_CHARS
    sections = dict(summary.sections)
    assert sections["总体情况"] == ["2025年12月，白沙镇纳入统计的指标共50项。与上月相比，30项向好、12项变差、6项持平；与去年同期相比，9项向好。"]
    assert sections["主要成效"][0].startswith(
        "从指标变化看，招商引资到位资金为6,651.7万元，较上月增长74.0%，较去年同期增长14.7%；")
    assert "各乡镇" not in summary.text() and "督促" not in summary.text() and "1个" not in summary.text()
    assert summary.overview.headers == ["项目", "本月", "上月", "环比", "去年同期", "同比"]


# ---------------------------------------------------------------------------------------------
# Best and worst units on known numbers


def known_figures() -> Figures:
    """Four indicators of three townships; 甲镇 is best in all four, 丙镇 worst in three."""

    def measure(name, unit, values, **kw):
        return compute_measure(Measure(name=name, unit=unit, has_previous=True, items=[
            Item(town, D(v), previous=D(p)) for town, (v, p) in zip(("甲镇", "乙镇", "丙镇"), values, strict=True)], **kw))

    return Figures(kind="indicators", title="青山县2025年11月主要指标完成情况总结", subject="全县", noun="乡镇",
                   label="指标数据", period="2025-11", item_count=3, names=["甲镇", "乙镇", "丙镇"], measures=[
                       measure("粮食产量", "吨", [(120, 100), (90, 100), (60, 50)]),
                       measure("新增就业", "人", [(30, 20), (25, 25), (10, 20)]),
                       measure("安全事故", "起", [(1, 2), (3, 2), (4, 2)], direction=LOWER),
                       measure("入学率", "%", [(99, 98), (97, 98), (98, 97)], aggregate=AVG)])


def test_best_and_worst_units_and_the_indicators_that_moved_most():
    figures = known_figures()
    assert figures.unit_ranks() == (("甲镇", 4), ("丙镇", 3))
    assert figures.movement("mom") == (2, 1, 1)  # 粮食产量 and 入学率 better, 安全事故 worse, 新增就业 level
    summary = make_summary(figures, use_llm=False)
    assert summary.sections == [
        ("总体情况", ["2025年11月，全县3个乡镇共有指标4项。与上月相比，2项向好、1项变差、1项持平。"]),
        ("主要成效", ["从指标变化看，粮食产量合计270吨，较上月增长8.0%，其中甲镇增幅最大，为20.0%；"
                      "入学率平均为98.0%，较上月提高0.3个百分点，其中甲镇提高最多，为1.0个百分点。",
                      "分乡镇看，甲镇表现最好，有4项指标在各乡镇中排名第一。"]),
        ("存在问题", ["安全事故合计8起，较上月增长33.3%，其中丙镇增幅最大，为100.0%。",
                      "丙镇相对落后，有3项指标在各乡镇中排名最后。"]),
        ("下步打算", ["一是针对安全事故上升的情况，督促相关乡镇深入分析原因，制定针对性措施；二是加强对丙镇的指导帮扶，"
                      "推动各乡镇均衡发展；三是继续依托一套表按月汇总指标数据，减少向基层重复索要报表，切实为基层减负。"]),
    ]
    assert unknown_numbers(summary.text(), figures.allowed_numbers()) == []


def test_a_section_with_nothing_to_say_is_left_out():
    """A township's own four indicators, every one worse than last month or level: no 主要成效."""
    measures = [compute_measure(Measure(name=name, unit="个", direction=direction, has_previous=True,
                                        items=[Item("甲镇", D(value), previous=D(previous))]))
                for name, direction, value, previous in (("甲", "higher", 5, 6), ("乙", "higher", 5, 5),
                                                         ("丙", LOWER, 7, 6), ("丁", "higher", 1, 2))]
    figures = Figures(kind="indicators", title="甲镇2025年11月主要指标完成情况总结", subject="甲镇", noun="乡镇",
                      label="指标数据：甲镇，2025年11月", period="2025-11", item_count=1, names=["甲镇"],
                      measures=measures, single=True)
    summary = make_summary(figures, use_llm=False)
    assert [h for h, _ in summary.sections] == ["总体情况", "存在问题", "下步打算"]
    assert dict(summary.sections)["总体情况"] == ["2025年11月，甲镇纳入统计的指标共4项。与上月相比，3项变差、1项持平。"]
    full = make_summary(figures, use_llm=False, length="full")
    assert [h for h, _ in full.sections] == ["总体情况", "存在问题", "下步打算"]
    assert "甲镇" not in "".join(dict(full.sections)["存在问题"])  # its own figures: no unit named


# ---------------------------------------------------------------------------------------------
# Nothing to summarise


def test_all_zero_figures_say_so_in_one_sentence():
    figures = known_figures()
    for m in figures.measures:
        for item in m.items:
            item.value = item.previous = D(0)
        compute_measure(m)
    summary = make_summary(figures, use_llm=False)
    assert (summary.empty, summary.message, summary.sections) == (True, ALL_ZERO, [])
    assert summary.message == "所选范围内的数据均为0，无法生成总结。"
    document = Document(io.BytesIO(summary_to_docx(summary)))
    assert [p.text for p in document.paragraphs] == [summary.title, "（数据来源：指标数据）", ALL_ZERO]
    assert document.tables == []


@pytest.fixture
def empty_village(county):
    """丙村 of 乙镇, with a cadre and no records at all."""
    village = unit_create(actor=None, code="429901002202", name="丙村", kind="village", parent=county["town_b"])
    return make_user("bingcun", village, "乡镇村干部")


def test_a_village_without_records_is_told_plainly(population, empty_village, verified_client):  # noqa: F811
    figures = dataset_figures(empty_village, code="population")
    message = "丙村在一套表“人口基础信息”中暂无记录，无法生成总结。"
    assert figures.nothing_to_summarise() == message
    response = verified_client(empty_village).post(reverse(WIZARD), {"source": "dataset", "dataset": "population"})
    page = response.content.decode()
    assert response.status_code == 200 and response.context["summary"].sections == []
    assert f'data-testid="summary-empty">{message}</div>' in page
    assert "主要成效" not in page and "下载 Word" not in page


def test_api_says_plainly_there_is_nothing(indicator_data, users, county):  # noqa: F811
    client, auth = _token_client(users["member"])
    response = client.post(API, {"source": "indicators", "unit": county["town_a"].code, "period": "2025-09"}, **auth)
    assert response.status_code == 200
    body_ = response.json()
    assert (body_["empty"], body_["sections"], body_["table"], body_["overview"]) == (True, [], None, None)
    assert body_["message"] == "甲镇及其下属单位2025年9月暂无指标数据，无法生成总结。"


# ---------------------------------------------------------------------------------------------
# Grouped by the level below the reader


@pytest.fixture
def village_cadre(county):
    return make_user("jiacun", county["village_a"], "乡镇村干部")


def test_village_cadre_reads_its_own_village_never_townships(population, indicator_data, village_cadre,  # noqa: F811
                                                             county, verified_client):
    assert summary_levels(village_cadre) == ["village"]
    figures = dataset_figures(village_cadre, code="population", column="special_groups")
    assert figures.single and (figures.subject, figures.label) == ("甲村", "数据集“人口基础信息”，甲村，分特殊群体")
    summary = make_summary(figures, use_llm=False)
    assert summary.sections == [
        ("总体情况", ["截至目前，甲村在一套表“人口基础信息”数据集中共登记3人。", "按特殊群体统计，低保对象2人，残疾人1人。"]),
        ("主要成效", ["数据已在一套表中集中汇聚，甲村3人的数据可由各部门直接共享使用，不再需要向基层重复索要。"]),
        ("下步打算", ["一是每月更新甲村的数据，保持一套表准确、鲜活；二是部门需要一套表中已有的数据时，请其直接共享使用，不再重复填报。"]),
    ]
    with pytest.raises(SummaryError) as err:
        dataset_figures(village_cadre, code="population", level="township")
    assert err.value.messages == ["您的查看范围在乡镇（街道）以内，请选择按村（社区）统计"]
    # Its own indicator values, over time: no comparison with units it cannot see.
    indicators = make_summary(indicator_figures(village_cadre, unit_code=county["village_a"].code, period="2025-11"),
                              use_llm=False)
    assert indicators.sections == [("总体情况", ["2025年11月，甲村粮食产量为999吨。"]),
                                   ("下步打算", ["按时在一套表中报送指标数据，做到一次报送、多方共用。"])]
    for text in (summary.text(), indicators.text()):
        assert "乡镇" not in text and "督促各" not in text and "分布在" not in text
    # The page offers it only its own level; the county's indicators are out of its reach.
    client = verified_client(village_cadre)
    form = client.get(reverse(WIZARD)).context["forms"]["dataset"]
    assert form.fields["level"].choices == [("village", "按村（社区）")]
    response = client.post(reverse(WIZARD), {"source": "indicators", "unit": COUNTY, "period": "2025-11"})
    assert response.status_code == 404


def test_township_counts_its_villages_by_default(population, users):  # noqa: F811
    figures = dataset_figures(users["member"], code="population")
    assert (figures.noun, figures.label, figures.single) == ("村", "数据集“人口基础信息”，按村（社区）统计", False)
    assert dataset_figures(users["leader"], code="population").noun == "乡镇"


def test_api_level_defaults_to_the_level_below_and_refuses_one_above(population, village_cadre):  # noqa: F811
    client, auth = _token_client(village_cadre)
    response = client.post(API, {"source": "dataset", "dataset": "population"}, **auth)
    assert response.status_code == 200
    assert response.json()["sections"][0]["paragraphs"][0] == "截至目前，甲村在一套表“人口基础信息”数据集中共登记3人。"
    response = client.post(API, {"source": "dataset", "dataset": "population", "level": "township"}, **auth)
    assert response.status_code == 400
    assert response.json()["detail"] == "您的查看范围在乡镇（街道）以内，请选择按村（社区）统计"


# ---------------------------------------------------------------------------------------------
# The page and the Word file


def test_page_is_compact_and_word_has_every_row_as_annex(demo_indicators, users, verified_client):
    client = verified_client(users["leader"])
    response = client.post(reverse(WIZARD), {"source": "indicators", "unit": COUNTY, "period": demo_indicators})
    page = response.content.decode()
    summary = response.context["summary"]
    assert summary.length == "brief"
    assert len(response.context["overview_head"]) == 10 and len(response.context["overview_rest"]) == 40
    assert "计算明细共650行，页面上不再逐行列出，请下载 Word 查看附表。" in page
    assert 'data-testid="figures"' not in page and "显示其余40项" in page
    download = client.get(reverse("assistant:summary_download", args=[response.context["token"]]))
    document = Document(io.BytesIO(download.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "青山县2025年12月主要指标完成情况总结"
    assert [p for _, paragraphs in summary.sections for p in paragraphs] == [
        t for t in texts if t not in (texts[0], texts[1]) and t[1:2] != "、" and t != "附表：数据明细"]
    annex = document.paragraphs[texts.index("附表：数据明细")]
    assert annex.paragraph_format.page_break_before is True
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["项目", "乡镇（街道）", "本月", "上月", "环比", "去年同期", "同比"]
    assert rows[1:] == summary.table.rows and len(rows) == 651

    full = client.post(reverse(WIZARD), {"source": "indicators", "unit": COUNTY, "period": demo_indicators,
                                         "length": "full"})
    assert full.context["summary"].length == "full"
    assert full.context["summary"].body_chars() > 5000


def test_small_tables_stay_open_on_the_page(indicator_data, users, verified_client):  # noqa: F811
    client = verified_client(users["leader"])
    response = client.post(reverse(WIZARD), {"source": "indicators", "unit": COUNTY, "period": "2025-11"})
    page = response.content.decode()
    assert response.context["table_open"] and 'data-testid="figures"' in page
    assert "显示其余" not in page
    assert '<input class="form-check-input" type="radio" name="length" value="brief" id="id_indicators_length_0" checked>' \
        in client.get(reverse(WIZARD)).content.decode()


def test_api_full_length(indicator_data, users):  # noqa: F811
    client, auth = _token_client(users["leader"])
    response = client.post(API, {"source": "indicators", "unit": COUNTY, "period": "2025-11", "length": "full"},
                           **auth)
    assert response.status_code == 200
    data = response.json()
    assert (data["length"], data["empty"], data["message"]) == ("full", False, "")
    assert data["overview"]["headers"] == ["项目", "合计", "环比", "同比", "最好", "最差"]
    assert data["overview"]["rows"][1] == ["粮食产量（吨）", "2,000", "5.3%", "11.1%", "甲镇 1,200", "乙镇 800"]
    response = client.post(API, {"source": "indicators", "unit": COUNTY, "period": "2025-11", "length": "long"},
                           **auth)
    assert response.status_code == 422  # Ninja's schema validation, as for every enumerated parameter
