"""Numbers, citation markers, answer verification and the offline extractive answer."""

from __future__ import annotations

import pytest

from qingzhuang.assistant.citations import (
    NOT_FOUND,
    NUMBER_RE,
    Verification,
    extractive_answer,
    numbers_in,
    parse_citations,
    verify_answer,
)

PASSAGES = [
    {"n": 1, "document": "青山县城乡居民最低生活保障实施办法", "heading": "第十二条 审核确认",
     "text": "乡镇人民政府应当自受理申请之日起15个工作日内完成审核。特殊情况可以延长至30个工作日。"},
    {"n": 2, "document": "青山县城乡居民最低生活保障实施办法", "heading": "第八条 申请条件",
     "text": "申请最低生活保障以家庭为单位，由共同生活的家庭成员向户籍所在地乡镇人民政府提出书面申请。"
             "家庭人均收入低于当地低保标准的，可以申请。"},
    {"n": 3, "document": "关于进一步减轻基层负担的通知", "heading": "三、精简会议文件",
     "text": "县级部门召开的会议原则上不超过半天；确需乡镇参加的，每月不超过2次。"},
]
QUESTION = "低保申请后多久审核？"
TERMS = ["低保", "申请", "审核", "工作日"]
EXTRACTIVE = (
    "根据《青山县城乡居民最低生活保障实施办法》第十二条 审核确认：「乡镇人民政府应当自受理申请之日起15个工作日内完成审核」[1]\n"
    "根据《青山县城乡居民最低生活保障实施办法》第八条 申请条件：「家庭人均收入低于当地低保标准的，可以申请」[2]\n"
    "根据《青山县城乡居民最低生活保障实施办法》第十二条 审核确认：「特殊情况可以延长至30个工作日」[1]"
)


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("申请人应当在十五个工作日内提交，逾期三十日不予受理。", {"15", "30"}),
    ("补助标准为每人每月1,200元，比例百分之三十，上浮30％。", {"1200", "30%"}),
    ("全年支出１２３４．５０万元，增长2.0倍", {"12345000", "2"}),
    ("依据第十二条、第12条和第三款办理", {"第12条", "第3款"}),
    ("２０２４年3月5日印发", {"2024", "3", "5"}),
    ("二〇二四年共有三十余人参加", {"2024", "30"}),
    ("一千零五人、两万三千户、一亿二千万元", {"1005", "23000", "120000000"}),
    ("5万元和五万元", {"50000"}),
    ("一年内两次，一个月", {"1", "2"}),
    ("一个人一次一起一律统一", set()),
    ("几十个、数十人、十分重要、千万不要、第一书记、第一时间、上百人", set()),
    ("百分之三点五，百分之百，百分之30", {"3.5%", "100%", "30%"}),
    ("三四天", {"3", "4"}),
    ("见[1][2]【3】和[1,2]，［4］", set()),
    ("1. 第一点\n2、第二点（3）第三点", set()),
    ("1.5倍", {"1.5"}),
    ("国办发〔2023〕12号", {"2023", "12"}),
    ("没有数字", set()),
])
def test_numbers_in(text, expected):
    assert numbers_in(text) == expected


def test_number_re_is_a_public_pattern():
    assert [m.group(0) for m in NUMBER_RE.finditer("第十二条规定15个工作日、百分之三十、十五日")] == [
        "第十二条", "15", "百分之三十", "十五"]


# --- citation markers -------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "expected"), [
    ("依据[1]。", [1]),
    ("依据[1][2]，又见[1]。", [1, 2, 1]),
    ("依据[1,2]和[3，4]和[5、6]。", [1, 2, 3, 4, 5, 6]),
    ("依据【1】【2】。", [1, 2]),
    ("依据［３］。", [3]),
    ("依据[ 2 ]。", [2]),
    ("依据[1-3]。", [1, 2, 3]),
    ("〔2023〕12号、[2023]12号、[a]、[]", []),
    ("没有引用", []),
])
def test_parse_citations(answer, expected):
    assert parse_citations(answer) == expected


# --- verification -----------------------------------------------------------------------------


def test_extractive_answer_exact():
    assert extractive_answer(TERMS, PASSAGES) == EXTRACTIVE


def test_extractive_answer_verifies():
    result = verify_answer(extractive_answer(TERMS, PASSAGES), PASSAGES, question=QUESTION)
    assert result == Verification(ok=True, problems=[], cited=[1, 2])


def test_extractive_answer_limits():
    assert extractive_answer(TERMS, PASSAGES, max_sentences=1) == EXTRACTIVE.split("\n")[0]
    # At most two sentences from one passage, even when it has the best three.
    many = [{"n": 1, "document": "办法", "heading": "", "text": "低保甲。低保乙。低保丙。"},
            {"n": 2, "document": "通知", "heading": "第二条", "text": "其他内容。低保丁。"}]
    assert extractive_answer(["低保"], many) == "根据《办法》：「低保甲」[1]\n根据《办法》：「低保乙」[1]\n根据《通知》第二条：「低保丁」[2]"


def test_extractive_answer_ignores_whitespace_and_keeps_quotes_balanced():
    passages = [{"n": 1, "document": "", "heading": "", "text": "本办法所称「低保」，是指\n最低生活保障。低保 对象 应当\u3000如实申报。"}]
    answer = extractive_answer(["低保"], passages)
    assert answer == "「本办法所称「低保」，是指」[1]\n「低保 对象 应当 如实申报」[1]"
    assert verify_answer(answer, passages).ok


def test_extractive_answer_without_matching_sentence():
    assert extractive_answer(["宅基地"], PASSAGES) == NOT_FOUND
    assert extractive_answer([], PASSAGES) == NOT_FOUND
    assert extractive_answer(["低保"], []) == NOT_FOUND
    assert verify_answer(NOT_FOUND, PASSAGES).ok


def test_valid_answer_ok():
    answer = "乡镇人民政府应当自受理申请之日起「15个工作日内完成审核」[1]，特殊情况可以延长至30个工作日[1]。"
    assert verify_answer(answer, PASSAGES, question=QUESTION) == Verification(ok=True, problems=[], cited=[1])


def test_cites_a_passage_that_was_not_retrieved():
    result = verify_answer("审核时限为15个工作日[1][4]。", PASSAGES)
    assert result.ok is False
    assert result.problems == ["引用[4]不在检索到的依据中"]
    assert result.cited == [1, 4]


def test_invented_number():
    result = verify_answer("乡镇应当在45个工作日内完成审核[1]。", PASSAGES)
    assert result == Verification(ok=False, problems=["数字“45”在引用的依据中找不到"], cited=[1])


def test_invented_chinese_number():
    result = verify_answer("乡镇应当在四十五个工作日内完成审核[1]。", PASSAGES)
    assert result.problems == ["数字“45”在引用的依据中找不到"]


def test_number_from_a_retrieved_but_uncited_passage_is_not_supported():
    result = verify_answer("会议每月不超过2次[1]。", PASSAGES)
    assert result.problems == ["数字“2”在引用的依据中找不到"]


def test_number_supported_by_another_cited_passage():
    assert verify_answer("会议每月不超过2次[1]，审核15个工作日[3]。", PASSAGES).ok


def test_misquote():
    result = verify_answer("办法规定「乡镇人民政府应当自受理之日起15个工作日内完成审核」[1]。", PASSAGES)
    assert result.problems == ["引文与依据[1]原文不符：「乡镇人民政府应当自受理之日起15个工作日内完成审核」"]


def test_quote_from_the_wrong_passage():
    result = verify_answer("“每月不超过2次”[1][2]；“每月不超过2次”[3]。", PASSAGES)
    assert result.problems == ["引文与依据[1][2]原文不符：「每月不超过2次」"]


def test_long_misquote_is_shortened():
    quote = "乡镇人民政府应当自受理申请之日起十五个工作日内完成全部审核工作并公示结果"
    result = verify_answer(f"「{quote}」[1]", PASSAGES)
    assert result.problems == [f"引文与依据[1]原文不符：「{quote[:30]}……」"]


def test_quote_with_whitespace_ellipsis_and_terminator():
    answer = "「乡镇人民政府 应当……15个工作日内完成审核。」[1]"
    assert verify_answer(answer, PASSAGES).ok
    assert not verify_answer("「完成审核……乡镇人民政府」[1]", PASSAGES).ok  # the parts must keep their order


def test_quote_in_a_sentence_without_marker_is_checked_against_cited_passages():
    result = verify_answer("审核期限见第十二条[1]。办法还规定「审核应当公开」。", PASSAGES)
    assert result.problems == ["引文与依据[1]原文不符：「审核应当公开」"]
    assert verify_answer("您问的是「多久审核」。期限为15个工作日[1]。", PASSAGES, question=QUESTION).ok


def test_marker_after_the_full_stop_belongs_to_the_sentence():
    assert verify_answer("期限为「15个工作日」。[1]\n会议「每月不超过2次」。【3】", PASSAGES).ok


def test_no_citation():
    result = verify_answer("乡镇应当在15个工作日内完成审核。", PASSAGES)
    assert result == Verification(ok=False, problems=["回答没有标注引用的依据", "数字“15”在引用的依据中找不到"],
                                  cited=[])


def test_empty_answer():
    assert verify_answer("  ", PASSAGES).problems == ["回答为空"]


def test_not_found_is_ok():
    assert verify_answer("未找到相关依据", PASSAGES) == Verification(ok=True, problems=[], cited=[])
    assert verify_answer("检索到的材料中未找到相关依据。", []).ok


def test_numbers_from_the_question_are_allowed():
    answer = "家庭人均收入低于当地低保标准的，可以申请[2]，与是否有3个孩子无关。"
    assert verify_answer(answer, PASSAGES, question="我家有3个孩子，能申请低保吗？").ok
    assert verify_answer(answer, PASSAGES).problems == ["数字“3”在引用的依据中找不到"]


def test_article_numbers_match_in_either_script():
    assert verify_answer("依据第12条，审核期限为15个工作日[1]。", PASSAGES).ok
    assert verify_answer("依据第十三条，审核期限为15个工作日[1]。", PASSAGES).problems == [
        "数字“第13条”在引用的依据中找不到"]


def test_numbers_inside_markers_and_list_enumerators_are_ignored():
    answer = "1. 审核期限为15个工作日[1]\n2. 会议每月不超过2次[3]"
    assert verify_answer(answer, PASSAGES).ok


def test_problems_are_listed_once_in_order():
    answer = "期限45个工作日[5]，也可能是45个工作日[5]或60日[5]。"
    result = verify_answer(answer, PASSAGES)
    assert result.problems == [
        "引用[5]不在检索到的依据中",
        "数字“45”在引用的依据中找不到",
        "数字“60”在引用的依据中找不到",
    ]
    assert result.cited == [5]


def test_quote_of_a_numbered_item_keeps_its_list_number():
    """A passage's line-start "3." is an enumerator there, but a quote carries it mid-line."""
    passages = [{"n": 1, "document": "办法", "heading": "第五条", "text": "第五条 要求如下：\n3. 每月报送1次。"}]
    answer = "根据《办法》第五条：「3. 每月报送1次」[1]"
    assert verify_answer(answer, passages).ok
    assert not verify_answer("根据《办法》第五条：「4. 每月报送1次」[1]", passages).ok
