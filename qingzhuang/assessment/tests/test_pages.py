"""The scorecard pages: a run's table, a line's detail, the coaching list, the xlsx and Word files."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest
from django.urls import reverse

from qingzhuang.assessment.models import RunLine
from qingzhuang.assessment.tests.pages_data import make_run
from qingzhuang.orgs.models import AuditLog


@pytest.fixture
def run(county):
    return make_run(county)


@pytest.fixture
def draft(county):
    return make_run(county, published=False, number=2)


def line_of(run, county, key="town_a") -> RunLine:
    return run.lines.get(unit=county[key])


def chart_data(response, element_id: str) -> dict:
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start:html.index("</script>", start)])


# ---------------------------------------------------------------------------------------------
# Run detail


def test_run_detail_as_office(client, users, county, run):
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:run_detail", args=[run.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2025年度乡镇（街道）综合考核 · 第1批次" in html
    assert [row.line.unit.name for row in response.context["rows"]] == ["甲镇", "乙镇"]
    assert response.context["grade_counts"] == [("优秀", 0), ("良好", 1), ("一般", 0), ("较差", 1)]
    assert chart_data(response, "grades-data")["option"]["series"][0]["data"] == [0, 1, 0, 1]
    assert "未开展" in html and "发生较大安全生产责任事故" in html and "一票否决" in html
    assert [row.flag_count for row in response.context["rows"]] == [1, 2]
    assert reverse("assessment:run_export", args=[run.pk]) in html


def test_run_detail_sorts_by_the_server(client, users, run):
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:run_detail", args=[run.pk]), {"sort": "-rank"})
    assert [row.line.rank for row in response.context["rows"]] == [2, 1]
    response = client.get(reverse("assessment:run_detail", args=[run.pk]), {"sort": "total"})
    assert [str(row.line.total) for row in response.context["rows"]] == ["67.50", "88.81"]
    # An unknown key sorts by rank.
    response = client.get(reverse("assessment:run_detail", args=[run.pk]), {"sort": "password"})
    assert response.context["sort"] == "rank" and [row.line.rank for row in response.context["rows"]] == [1, 2]


def test_run_detail_page_out_of_range(client, users, run):
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:run_detail", args=[run.pk]), {"page": "3"})
    assert response.status_code == 400
    assert "页码 page 应为 1 到 1 之间的整数" in response.content.decode()


def test_run_detail_pages_a_large_run(client, users, county, run, monkeypatch):
    from qingzhuang.assessment import scorecards

    monkeypatch.setattr(scorecards, "PAGE_SIZE", 1)
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:run_detail", args=[run.pk]), {"page": "2"})
    assert [row.line.unit.name for row in response.context["rows"]] == ["乙镇"]
    assert "共 2 个单位，第 2 / 2 页" in response.content.decode()


def test_run_detail_unpublished_as_office_and_as_leader(client, users, draft):
    client.force_login(users["assessment"])
    assert client.get(reverse("assessment:run_detail", args=[draft.pk])).status_code == 200
    client.force_login(users["leader"])
    assert client.get(reverse("assessment:run_detail", args=[draft.pk])).status_code == 404


def test_run_detail_as_leader(client, users, run):
    client.force_login(users["leader"])
    response = client.get(reverse("assessment:run_detail", args=[run.pk]))
    assert response.status_code == 200 and len(response.context["rows"]) == 2


def test_run_detail_as_township_redirects_to_its_line(client, users, county, run, draft):
    client.force_login(users["member"])
    response = client.get(reverse("assessment:run_detail", args=[run.pk]))
    assert response.status_code == 302
    assert response.url == reverse("assessment:line_detail", args=[line_of(run, county).pk])
    assert client.get(reverse("assessment:run_detail", args=[draft.pk])).status_code == 404


def test_run_detail_as_a_user_without_a_line(client, users, run):
    client.force_login(users["nobody"])
    assert client.get(reverse("assessment:run_detail", args=[run.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Line detail


def test_line_detail_as_office(client, users, county, run):
    client.force_login(users["assessment"])
    line = line_of(run, county)
    response = client.get(reverse("assessment:line_detail", args=[line.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 1 名 / 共 2 个单位" in html and "88.81" in html and "良好" in html
    for text in ("固定资产投资完成额", "ZB0101", "县发展和改革局", "比例法", "目标值 100000", "2025年1月指标.xlsx",
                 "王五", "2025-02-08", "逾期", "97500.1", "97.50", "58.50", "100×min(97500.1÷100000, 1) = 97.50",
                 "缺报计0分", "便民服务中心窗口办理", "民生卷", "开拓创新度：好", "获评省级文明乡镇", "省级以上表彰",
                 "-0.8123", "-3.10", "主要经济指标三年趋势低于门槛"):
        assert text in html, text
    radar = chart_data(response, "radar-data")["option"]
    assert [axis["name"] for axis in radar["radar"]["indicator"]] == [
        "平时成绩", "期末考试", "固定资产投资完成额", "安全生产事故起数"]
    assert radar["series"][0]["data"][0]["value"] == [87.12, 84.0, 97.5001, 0]
    trend = chart_data(response, "trend-data")["option"]
    assert trend["xAxis"]["data"][0] == "2025-01" and trend["series"][0]["data"][0] == 8100.0
    assert trend["legend"]["selected"] == {"固定资产投资完成额（万元）": True}
    # The office follows a value to its import job.
    assert f'href="{reverse("ledger:job_detail", args=[12])}"' in html
    # The office does not appeal.
    assert 'data-testid="appeal-form"' not in html


def test_line_detail_of_a_unit_without_spot_checks_and_a_veto(client, users, county, run):
    client.force_login(users["leader"])
    response = client.get(reverse("assessment:line_detail", args=[line_of(run, county, "town_b").pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "未开展期末考试，其权重并入平时成绩。" in html and "否决原因：发生较大安全生产责任事故" in html
    assert chart_data(response, "radar-data")["option"]["series"][0]["data"][0]["value"][1] == 0


def test_line_detail_as_township(client, users, county, run):
    client.force_login(users["member"])
    line = line_of(run, county)
    response = client.get(reverse("assessment:line_detail", args=[line.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    # The spot checks behind 期末, shown because the run is published.
    assert "便民服务中心窗口办理" in html
    assert 'data-testid="appeal-form"' in html and f'action="/assessment/lines/{line.pk}/appeal/"' in html
    assert 'name="indicator_code"' in html and 'name="reason"' in html
    # The township sees where a value came from, but gets no link to another department's import job.
    assert "2025年1月指标.xlsx" in html and reverse("ledger:job_detail", args=[12]) not in html
    # Another township's line, and its own line in an unpublished run: 404.
    assert client.get(reverse("assessment:line_detail", args=[line_of(run, county, "town_b").pk])).status_code == 404


def test_line_detail_before_publication_is_404_for_the_township(client, users, county, draft):
    client.force_login(users["member"])
    assert client.get(reverse("assessment:line_detail", args=[line_of(draft, county).pk])).status_code == 404


def test_no_appeal_form_after_the_window(client, users, county):
    run = make_run(county, appeal_days=-1)
    client.force_login(users["member"])
    response = client.get(reverse("assessment:line_detail", args=[line_of(run, county).pk]))
    assert response.status_code == 200 and 'data-testid="appeal-form"' not in response.content.decode()


def test_trend_chart_picks_the_indicator(client, users, county, run):
    line = line_of(run, county)
    line.detail["indicators"][1]["values"] = [{"period": "2025-01", "value": "2", "job": None, "job_file": "",
                                               "uploaded_by": "", "uploaded_at": None, "late": False}]
    line.save()
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:line_detail", args=[line.pk]), {"indicator": "ZB0202"})
    assert chart_data(response, "trend-data")["option"]["legend"]["selected"] == {
        "固定资产投资完成额（万元）": False, "安全生产事故起数（起）": True}


# ---------------------------------------------------------------------------------------------
# xlsx


def workbook(response):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_run_export_as_office(client, users, run):
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:run_export", args=[run.pk]))
    assert response.status_code == 200
    assert quote("2025年度乡镇（街道）综合考核_第1批次成绩.xlsx") in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == ["成绩汇总", "指标得分"]
    rows = list(book["成绩汇总"].values)
    assert rows[0][:10] == ("名次", "单位代码", "单位", "平时成绩", "期末考试", "加分", "扣分", "总分", "等次", "一票否决")
    assert rows[1][:11] == (1, "429901001000", "甲镇", 87.12, 84, 2, 0, 88.81, "良好", None, "是")
    assert rows[2][:10] == (2, "429901002000", "乙镇", 70.5, "未开展", 0, 3, 67.5, "较差", "发生较大安全生产责任事故")
    scores = list(book["指标得分"].values)
    assert len(scores) == 5
    assert scores[1][:4] == ("429901001000", "甲镇", "ZB0101", "固定资产投资完成额")
    assert scores[1][9:12] == (97500.1, 97.5001, 58.50006)
    assert scores[2][9:12] == (None, None, 0)
    entry = AuditLog.objects.get(action="assessment.export")
    assert entry.actor == users["assessment"] and entry.after == {"format": "xlsx", "lines": 2}


def test_run_export_as_township_has_only_its_line(client, users, run):
    client.force_login(users["member"])
    response = client.get(reverse("assessment:run_export", args=[run.pk]))
    assert response.status_code == 200
    book = workbook(response)
    assert [row[2] for row in list(book["成绩汇总"].values)[1:]] == ["甲镇"]
    assert {row[1] for row in list(book["指标得分"].values)[1:]} == {"甲镇"}


def test_run_export_refused(client, users, draft):
    client.force_login(users["member"])
    assert client.get(reverse("assessment:run_export", args=[draft.pk])).status_code == 404
    client.force_login(users["leader"])
    assert client.get(reverse("assessment:run_export", args=[draft.pk])).status_code == 404
    assert not AuditLog.objects.filter(action="assessment.export").exists()


# ---------------------------------------------------------------------------------------------
# docx


def docx_text(response) -> str:
    from docx import Document

    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_line_docx_as_township(client, users, county, run):
    client.force_login(users["member"])
    line = line_of(run, county)
    response = client.get(reverse("assessment:line_docx", args=[line.pk]))
    assert response.status_code == 200
    assert quote("2025年度乡镇（街道）综合考核_甲镇_成绩单.docx") in response["Content-Disposition"]
    text = docx_text(response)
    for expected in ("2025年度乡镇（街道）综合考核 成绩单", "被考核单位：甲镇（第1批次）",
                     "总分：88.81　名次：第1名（共2个单位）　等次：良好", "平时成绩：87.12（权重90）　期末考试：84.00（权重10）",
                     "固定资产投资完成额（ZB0101）", "97.50", "便民服务中心窗口办理", "开拓创新度好", "获评省级文明乡镇",
                     "趋势指数：-0.8123　列入课后辅导", "固定资产投资完成额：年均增长 -3.10%", "生成日期："):
        assert expected in text, expected
    entry = AuditLog.objects.get(action="assessment.export")
    assert entry.actor == users["member"] and entry.after == {"format": "docx", "run": run.pk}


def test_line_docx_refused(client, users, county, run, draft):
    client.force_login(users["member"])
    assert client.get(reverse("assessment:line_docx", args=[line_of(run, county, "town_b").pk])).status_code == 404
    assert client.get(reverse("assessment:line_docx", args=[line_of(draft, county).pk])).status_code == 404
    client.force_login(users["leader"])
    assert client.get(reverse("assessment:line_docx", args=[line_of(draft, county).pk])).status_code == 404


def test_line_docx_without_spot_checks(client, users, county, run):
    client.force_login(users["assessment"])
    text = docx_text(client.get(reverse("assessment:line_docx", args=[line_of(run, county, "town_b").pk])))
    assert "期末考试：未开展" in text and "未开展期末考试，其权重并入平时成绩。" in text
    assert "一票否决：发生较大安全生产责任事故" in text


# ---------------------------------------------------------------------------------------------
# Coaching


def test_coaching_list_defaults_to_the_latest_published_run(client, users, county, run, draft):
    later = make_run(county, number=3)
    client.force_login(users["leader"])
    response = client.get(reverse("assessment:coaching"))
    assert response.status_code == 200
    assert response.context["runs"] == [later]
    assert [(line.run_id, line.unit.name) for line in response.context["lines"]] == [(later.pk, "甲镇")]
    html = response.content.decode()
    assert "-0.8123" in html and "主要经济指标三年趋势低于门槛" in html


def test_coaching_list_office_picks_any_run(client, users, county, draft):
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:coaching"), {"run": draft.pk})
    assert response.context["runs"] == [draft]
    assert [line.unit.name for line in response.context["lines"]] == ["甲镇"]


def test_coaching_list_refuses_an_unpublished_run(client, users, draft):
    client.force_login(users["leader"])
    assert client.get(reverse("assessment:coaching"), {"run": draft.pk}).status_code == 404
    assert client.get(reverse("assessment:coaching"), {"run": "x"}).status_code == 404


def test_coaching_list_as_township_shows_only_its_own(client, users, county, run):
    line = line_of(run, county, "town_b")
    line.coaching = True
    line.save()
    client.force_login(users["outsider"])
    response = client.get(reverse("assessment:coaching"))
    assert [line.unit.name for line in response.context["lines"]] == ["乙镇"]


def test_coaching_menu_entry_for_leaders_only(client, users, run):
    client.force_login(users["leader"])
    assert reverse("assessment:coaching") in client.get("/").content.decode()
    client.force_login(users["member"])
    assert reverse("assessment:coaching") not in client.get("/").content.decode()


# ---------------------------------------------------------------------------------------------
# The township's own scorecards


def test_my_lines_as_township(client, users, county, run, draft):
    client.force_login(users["member"])
    response = client.get(reverse("assessment:my_lines"))
    assert response.status_code == 200
    assert [row.line.pk for row in response.context["rows"]] == [line_of(run, county).pk]
    html = response.content.decode()
    assert "2025年度乡镇（街道）综合考核 第1批次" in html and "88.81" in html and "乙镇" not in html
    # The menu leads there.
    assert reverse("assessment:my_lines") in client.get("/").content.decode()


def test_my_lines_of_the_sibling_township(client, users, county, run):
    client.force_login(users["outsider"])
    response = client.get(reverse("assessment:my_lines"))
    assert [row.line.unit.name for row in response.context["rows"]] == ["乙镇"]


def test_my_lines_as_leader_lists_no_unit_lines(client, users, run):
    client.force_login(users["leader"])
    response = client.get(reverse("assessment:my_lines"))
    assert response.status_code == 200 and response.context["rows"] == []
    assert "暂无已发布的考核成绩。" in response.content.decode()


def test_my_lines_page_out_of_range(client, users, run):
    client.force_login(users["member"])
    response = client.get(reverse("assessment:my_lines"), {"page": "0"})
    assert response.status_code == 400 and "页码 page 应为 1 到 1 之间的整数" in response.content.decode()


def test_run_table_page_by_htmx_is_the_partial(client, users, run):
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:run_detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="scorecard"' in html and "<html" not in html


def test_line_detail_before_publication(client, users, county, draft):
    client.force_login(users["leader"])
    assert client.get(reverse("assessment:line_detail", args=[line_of(draft, county).pk])).status_code == 404
    client.force_login(users["assessment"])
    response = client.get(reverse("assessment:line_detail", args=[line_of(draft, county).pk]))
    assert response.status_code == 200 and "未发布" in response.content.decode()


def test_numbers_are_shown_to_at_most_four_places_half_up():
    from qingzhuang.assessment.scorecards import fmt

    assert fmt("9.216666666666666666666666667") == "9.2167"
    assert fmt("8123.5000") == "8123.5"
    assert fmt("2.005", 2) == "2.01"  # 四舍五入, not banker's rounding
    assert fmt(None) == "—"
