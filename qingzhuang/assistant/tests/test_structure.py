"""Metadata guessing and passage splitting of Chinese policy documents."""

import datetime as dt

import pytest

from qingzhuang.assistant.structure import (
    LEVELS,
    Metadata,
    Passage,
    chinese_number,
    guess_level,
    guess_metadata,
    guess_tags,
    normalize_article,
    normalize_doc_number,
    split_passages,
)

# A regulation: red-head header, 文号, title, chapters with articles, 落款.
REGULATION = """青山县人民政府办公室文件
青政办发〔2025〕3号
青山县督查检查考核管理办法
第一章　总则
第一条　为了规范督查检查考核工作，切实减轻基层负担，根据有关规定，制定本办法。
第二条　本办法适用于全县各级各部门开展的督查检查考核。
第二章　督查检查
本章所称督查检查，包括专项督查。
第三条　督查检查实行计划管理。未列入计划的，一律不得开展。
第十条　各部门开展督查检查，应当符合下列要求：
（一）严控频次；
（二）不得要求基层填报表格。
第三章　附则
第二十一条　本办法自２０２５年４月１日起施行。
青山县人民政府办公室
2025年3月18日
"""

# A notice in outline form: 一、 / （一） / 1. items, joint issuers and a closing note.
OUTLINE = """关于进一步减轻基层负担的若干措施
各乡镇人民政府，县直各单位：为深入贯彻落实中央关于整治形式主义为基层减负的部署要求，现提出如下措施。
一、总体要求
（一）指导思想。坚持以人民为中心，切实为基层减负。
（二）工作目标。到2025年底，基层负担明显减轻。
二、严格控制会议。各部门要大力精简会议。
（一）严格控制会议数量
1.县级部门每年召开全县性会议不超过1次。
2.能合并的合并召开。
（三）严格控制会议规模；不得层层陪会。
中共青山县委办公室　青山县人民政府办公室
2025年3月18日
（此件公开发布）
"""


def p(position, heading, article, text):
    return Passage(position=position, heading=heading, article=article, text=text)


# ---------------------------------------------------------------------------------------------
# Passages


def test_regulation_passages():
    assert split_passages(REGULATION) == [
        p(
            0,
            "第一章 总则 > 第一条",
            "第1条",
            "第一条 为了规范督查检查考核工作，切实减轻基层负担，根据有关规定，制定本办法。",
        ),
        p(1, "第一章 总则 > 第二条", "第2条", "第二条 本办法适用于全县各级各部门开展的督查检查考核。"),
        # The short text under 第二章 has no heading of its own: it joins the chapter's first article.
        p(
            2,
            "第二章 督查检查 > 第三条",
            "第3条",
            "本章所称督查检查，包括专项督查。\n第三条 督查检查实行计划管理。未列入计划的，一律不得开展。",
        ),
        p(
            3,
            "第二章 督查检查 > 第十条",
            "第10条",
            "第十条 各部门开展督查检查，应当符合下列要求：\n（一）严控频次；\n（二）不得要求基层填报表格。",
        ),
        p(4, "第三章 附则 > 第二十一条", "第21条", "第二十一条 本办法自2025年4月1日起施行。"),
    ]


def test_outline_passages():
    assert split_passages(OUTLINE) == [
        p(
            0,
            "前言",
            "",
            "各乡镇人民政府，县直各单位：为深入贯彻落实中央关于整治形式主义为基层减负的部署要求，现提出如下措施。",
        ),
        p(
            1,
            "一、总体要求 > （一）指导思想",
            "一、 > （一）",
            "（一）指导思想。坚持以人民为中心，切实为基层减负。",
        ),
        p(
            2,
            "一、总体要求 > （二）工作目标",
            "一、 > （二）",
            "（二）工作目标。到2025年底，基层负担明显减轻。",
        ),
        p(3, "二、严格控制会议", "二、", "二、严格控制会议。各部门要大力精简会议。"),
        p(
            4,
            "二、严格控制会议 > （一）严格控制会议数量",
            "二、 > （一）",
            "（一）严格控制会议数量\n1.县级部门每年召开全县性会议不超过1次。\n2.能合并的合并召开。",
        ),
        p(
            5,
            "二、严格控制会议 > （三）严格控制会议规模",
            "二、 > （三）",
            "（三）严格控制会议规模；不得层层陪会。",
        ),
    ]


def test_parts_sections_and_long_article_split():
    text = (
        "第一编 总则\n"
        "第一章 一般规定\n"
        "第一节 适用范围\n"
        "第一条 本规定适用于全县。\n"
        "第二条 各部门应当严格控制督查检查数量。确需开展的，应当报县委审批。未经批准的，一律不得开展！"
        "对违反规定的，予以通报？\n"
        "1.年度计划报批；\n"
        "2.不得重复检查，不得要求基层提供与检查无关的材料，也不得要求基层在工作群中反复报送同一数据。\n"
        "第二节 其他\n"
        "本节规定督查检查以外的其他事项，适用于全县各级各部门开展的各类考核评比活动。\n"
        "第三条 考核每年一次。\n"
    )
    section_1 = "第一编 总则 > 第一章 一般规定 > 第一节 适用范围"
    section_2 = "第一编 总则 > 第一章 一般规定 > 第二节 其他"
    assert split_passages(text, max_chars=40, min_chars=10) == [
        p(0, f"{section_1} > 第一条", "第1条", "第一条 本规定适用于全县。"),
        # Cut at sentence ends, then between lines (the 1./2. sub-items), then at clause ends.
        p(
            1,
            f"{section_1} > 第二条",
            "第2条",
            "第二条 各部门应当严格控制督查检查数量。确需开展的，应当报县委审批。",
        ),
        p(
            2,
            f"{section_1} > 第二条",
            "第2条",
            "未经批准的，一律不得开展！对违反规定的，予以通报？\n1.年度计划报批；",
        ),
        p(3, f"{section_1} > 第二条", "第2条", "2.不得重复检查，不得要求基层提供与检查无关的材料，"),
        p(4, f"{section_1} > 第二条", "第2条", "也不得要求基层在工作群中反复报送同一数据。"),
        # Text under a section that is long enough is a passage of its own, without article.
        p(5, section_2, "", "本节规定督查检查以外的其他事项，适用于全县各级各部门开展的各类考核评比活动。"),
        p(6, f"{section_2} > 第三条", "第3条", "第三条 考核每年一次。"),
    ]
    # With the defaults the long article is one passage, its sub-items inside, and the section
    # text (38 characters, under min_chars) joins the section's first article.
    passages = split_passages(text)
    assert [(x.heading, x.article, x.text.count("\n")) for x in passages] == [
        (f"{section_1} > 第一条", "第1条", 0),
        (f"{section_1} > 第二条", "第2条", 2),
        (f"{section_2} > 第三条", "第3条", 1),
    ]


def test_sentence_longer_than_max_chars_is_cut():
    text = "第一条 " + "会" * 25 + "。"
    assert [x.text for x in split_passages(text, max_chars=10)] == [
        "第一条 会会会会会会",
        "会会会会会会会会会会",
        "会会会会会会会会会。",
    ]


def test_short_preamble_dropped_and_bare_headings_kept_without_children():
    text = "各乡镇：\n一、总体要求\n二、主要任务"
    assert split_passages(text) == [
        p(0, "一、总体要求", "一、", "一、总体要求"),
        p(1, "二、主要任务", "二、", "二、主要任务"),
    ]


def test_short_chapter_text_before_another_chapter_stays():
    text = "第一章 总则\n本章从略。\n第二章 附则\n第一条 本办法自发布之日起施行。"
    assert split_passages(text) == [
        p(0, "第一章 总则", "", "本章从略。"),
        p(1, "第二章 附则 > 第一条", "第1条", "第一条 本办法自发布之日起施行。"),
    ]


def test_document_without_structure_keeps_its_text():
    text = "# 关于精简会议的通知\n各单位：\n本月起全县性会议一律视频召开。请遵照执行。\n青山县人民政府办公室\n2025年3月18日"
    assert split_passages(text) == [p(0, "", "", "各单位：\n本月起全县性会议一律视频召开。请遵照执行。")]
    assert split_passages(text, title="关于精简会议的通知") == split_passages(text)


def test_given_title_on_two_lines_is_skipped():
    text = (
        "青山县人民政府办公室关于印发\n"
        "《会议精简办法》的通知\n"
        "各乡镇人民政府，县直各单位：现将《会议精简办法》印发给你们，请结合实际认真贯彻执行。\n"
        "第一条 会议一律从简。\n"
    )
    expected = [
        p(
            0,
            "前言",
            "",
            "各乡镇人民政府，县直各单位：现将《会议精简办法》印发给你们，请结合实际认真贯彻执行。",
        ),
        p(1, "第一条", "第1条", "第一条 会议一律从简。"),
    ]
    assert split_passages(text, title="青山县人民政府办公室关于印发《会议精简办法》的通知") == expected
    assert split_passages(text) == expected
    # A title that is not at the top leaves the text alone.
    assert split_passages(text, title="别的标题")[0] == p(
        0,
        "前言",
        "",
        "青山县人民政府办公室关于印发\n《会议精简办法》的通知\n"
        "各乡镇人民政府，县直各单位：现将《会议精简办法》印发给你们，请结合实际认真贯彻执行。",
    )


def test_references_to_articles_do_not_start_articles():
    text = "第一条 本办法所称督查检查，是指：\n第三条规定的情形除外。\n第二条 本办法自发布之日起施行。"
    assert [(x.article, x.text) for x in split_passages(text)] == [
        ("第1条", "第一条 本办法所称督查检查，是指：\n第三条规定的情形除外。"),
        ("第2条", "第二条 本办法自发布之日起施行。"),
    ]


def test_empty_text():
    assert split_passages("") == []
    assert split_passages("\n\n  \n") == []


# ---------------------------------------------------------------------------------------------
# Metadata


def test_metadata_of_regulation():
    assert guess_metadata(REGULATION) == Metadata(
        title="青山县督查检查考核管理办法",
        issuer="青山县人民政府办公室",
        doc_number="青政办发〔2025〕3号",
        issued_on=dt.date(2025, 3, 18),
        level="县级",
        tags=["督查检查", "考核"],
    )


def test_metadata_red_head_with_signer_and_printing_record():
    text = """000123
特急
青山县人民政府办公室文件
青政办发（2025）3号　　　签发人：张三
★
青山县人民政府办公室
关于印发《青山县会议文件精简办法》的通知
各乡镇人民政府，县直各单位：
现将《青山县会议文件精简办法》印发给你们，请认真贯彻执行。会议、文件精简情况纳入年度考核。
2025年3月18日
（此件公开发布）
抄送：县委办公室。
青山县人民政府办公室　　2025年3月19日印发
"""
    # No agency above the date: the red-head header names the issuer; the printing date is not the date.
    assert guess_metadata(text) == Metadata(
        title="青山县人民政府办公室关于印发《青山县会议文件精简办法》的通知",
        issuer="青山县人民政府办公室",
        doc_number="青政办发〔2025〕3号",
        issued_on=dt.date(2025, 3, 18),
        level="县级",
        tags=["文件", "会议"],
    )
    assert split_passages(text) == [
        p(
            0,
            "",
            "",
            "各乡镇人民政府，县直各单位：\n"
            "现将《青山县会议文件精简办法》印发给你们，请认真贯彻执行。会议、文件精简情况纳入年度考核。",
        )
    ]


def test_metadata_of_portal_page():
    text = """关于进一步规范政务应用程序的通知
索引号：011234-2024-00012\t发文机关：湖北省人民政府办公厅
文号：鄂政办发（2024）12号\t成文日期：2024-05-20
各市、州、县人民政府：
政务应用程序过多过滥，增加基层负担。根据《国务院办公厅关于规范政务应用的意见》（国办发〔2023〕9号），现就规范政务APP有关事项通知如下。
一、严格准入。新建政务应用程序须经审批。
二、清理整合。对功能相近的政务应用进行整合。
"""
    assert guess_metadata(text) == Metadata(
        title="关于进一步规范政务应用程序的通知",
        issuer="湖北省人民政府办公厅",
        doc_number="鄂政办发〔2024〕12号",
        issued_on=dt.date(2024, 5, 20),
        level="省级",
        tags=["政务应用程序"],
    )
    assert [x.heading for x in split_passages(text)] == ["前言", "一、严格准入", "二、清理整合"]
    assert split_passages(text)[0].text.startswith("各市、州、县人民政府：\n")


def test_metadata_of_markdown_list_with_chinese_date():
    text = """# 甲镇村级组织工作事项准入清单
甲党发【2025】7号
为切实减轻村级组织负担，根据县委要求，制定本清单。凡未列入清单的事项，一律不得要求村级组织承担。准入清单实行动态管理。
一、村级组织依法履行职责事项
二、村级组织协助政府工作事项
中共甲镇委员会
二〇二五年三月十八日
"""
    assert guess_metadata(text) == Metadata(
        title="甲镇村级组织工作事项准入清单",
        issuer="中共甲镇委员会",
        doc_number="甲党发〔2025〕7号",
        issued_on=dt.date(2025, 3, 18),
        level="乡镇",
        tags=["准入"],
    )


def test_metadata_fallbacks():
    text = "会议纪要\n2024年1月5日，县委办公室召开会议。\n会议要求精简文件。\n" + "各单位落实。\n" * 12
    # No title word: the first line; no date near the end: the first date; no agency: "".
    assert guess_metadata(text) == Metadata(
        title="会议纪要",
        issuer="",
        doc_number="",
        issued_on=dt.date(2024, 1, 5),
        level="其他",
        tags=["会议"],
    )
    assert guess_metadata("") == Metadata()
    assert Metadata().level == "其他"


def test_guess_level():
    assert LEVELS == ("国家", "省级", "市级", "县级", "乡镇", "其他")
    cases = {
        ("国务院办公厅", "", ""): "国家",
        ("", "中共中央办公厅关于统筹规范督查检查考核工作的通知", ""): "国家",
        ("", "", "国办发〔2024〕5号"): "国家",
        ("湖北省人民政府办公厅", "", ""): "省级",
        ("新疆维吾尔自治区人民政府", "", ""): "省级",
        ("青山市城市管理局", "", ""): "市级",
        ("湖北省青山县人民政府", "", ""): "县级",
        ("青山县乡村振兴局", "", ""): "县级",
        ("", "青山县关于贯彻落实中央八项规定精神的通知", ""): "县级",
        ("青山县甲镇人民政府", "", ""): "乡镇",
        ("城关街道办事处", "", ""): "乡镇",
        ("某某社区居委会", "", ""): "其他",
        ("", "关于贯彻落实中央八项规定精神的通知", ""): "其他",
        ("", "", ""): "其他",
    }
    assert {case: guess_level(*case) for case in cases} == cases


def test_guess_tags_by_frequency_with_aliases():
    text = (
        "减轻基层负担。为基层减负。减负。督查检查。督查。考核。考核。会议会议会议会议。"
        "报表。报表。工作群。工作群。文件。文件。政务APP。政务应用程序。留痕。"
    )
    # 会议 4, 减负 3, then the tags seen twice in DOMAIN_TAGS order; at most six.
    assert guess_tags(text) == ["会议", "减负", "督查检查", "考核", "文件", "报表"]


# ---------------------------------------------------------------------------------------------
# Numbers and keys


def test_chinese_number():
    cases = {
        "一": 1,
        "十": 10,
        "十二": 12,
        "二十": 20,
        "二十一": 21,
        "一百零五": 105,
        "两": 2,
        "一百一十": 110,
        "九十九": 99,
        "一千零一": 1001,
        "二〇二五": 2025,
        "12": 12,
    }
    assert {s: chinese_number(s) for s in cases} == cases
    with pytest.raises(ValueError):
        chinese_number("第一")
    with pytest.raises(ValueError):
        chinese_number("")


def test_normalize_doc_number():
    cases = {
        "青政办发〔2025〕3号": "青政办发〔2025〕3号",
        "青政办发[2025]3号": "青政办发〔2025〕3号",
        "青政办发【2025】3号": "青政办发〔2025〕3号",
        "青政办发(2025)3号": "青政办发〔2025〕3号",
        "青政办发（2025）03号": "青政办发〔2025〕3号",
        "青政办发 〔２０２５〕 第３号": "青政办发〔2025〕3号",
        "〔2025〕3号": "〔2025〕3号",
        "青政办发 2025 3": "青政办发20253",
    }
    assert {s: normalize_doc_number(s) for s in cases} == cases


def test_normalize_article():
    cases = {
        "第十二条": "第12条",
        "第12条": "第12条",
        " 第 １２ 条 ": "第12条",
        "第一百零五条": "第105条",
        "第五条之一": "第5条之一",
        "(三)": "（三）",
        "（三）": "（三）",
        "一、": "一、",
        "二、（三）": "二、 > （三）",
        "二、 > （三）": "二、 > （三）",
        " 附件 ": "附件",
    }
    assert {s: normalize_article(s) for s in cases} == cases
