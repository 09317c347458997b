"""The burden ledger's pages on hand-counted demands (``ledger_world``): one unit's month × kind
table, year on year, top placers and entries; the scope view; the department league table."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from qingzhuang.burden.models import Demand
from qingzhuang.burden.tests.ledger_world import YEAR, world  # noqa: F401

UNIT_URL = reverse("burden:burden_unit", kwargs={"code": "429901001201"})


def cells(row):
    return [(cell.count, str(cell.hours)) for cell in row]


def test_the_unit_page_counts_by_month_and_kind(client, world):  # noqa: F811
    client.force_login(world["cun"])
    response = client.get(UNIT_URL, {"year": YEAR})
    assert response.status_code == 200
    table = response.context["table"]
    assert table.kinds == [("report", "报表"), ("meeting", "会议"), ("document", "文件")]
    assert [row.label for row in table.rows][:3] == ["1月", "2月", "3月"] and len(table.rows) == 12
    assert cells(table.rows[0].cells) == [(0, "0.00"), (2, "6.00"), (0, "0.00")]
    assert cells(table.rows[2].cells) == [(1, "2.50"), (0, "0.00"), (1, "1.00")]
    assert (table.rows[2].total.count, table.rows[2].total.hours) == (2, Decimal("3.50"))
    assert cells(table.totals) == [(1, "2.50"), (2, "6.00"), (1, "1.00")]
    assert (table.total.count, table.total.hours) == (4, Decimal("9.50"))
    change = response.context["change"]
    assert change.sentence == "2024年全年 4 项 9.5 人·小时，2023年同期 5 项 7.0 人·小时，下降 20.0%"
    page = response.content.decode()
    assert 'data-testid="unit-count">4 项<' in page and 'data-testid="unit-hours">9.5 <' in page
    assert "4 项 / 9.5 人·小时" in page
    # Who asks the most: 民政局 3 of the 4 asks.
    assert [(p.name, p.count, str(p.hours), str(p.share)) for p in response.context["placers"]] == [
        ("县民政局", 3, "8.50", "75.0"), ("县统计局", 1, "1.00", "25.0")]
    # A village lists its grids.
    assert [(c.unit.name, c.totals.count) for c in response.context["children"]] == [("甲村一网格", 0)]


def test_the_unit_chart_stacks_this_years_kinds_over_last_years_line(client, world):  # noqa: F811
    client.force_login(world["cun"])
    chart = client.get(UNIT_URL, {"year": YEAR}).context["chart"]
    series = {s["name"]: (s["type"], s["data"]) for s in chart.option["series"]}
    assert series == {
        "报表": ("bar", [0, 0, 1] + [0] * 9),
        "会议": ("bar", [2] + [0] * 11),
        "文件": ("bar", [0, 0, 1] + [0] * 9),
        "2023年合计": ("line", [1, 0, 0, 0, 0, 4] + [0] * 6),
    }
    assert chart.unit == "项" and chart.empty == ""


def test_the_entries_are_paged_and_filtered_by_kind_and_month(client, world):  # noqa: F811
    client.force_login(world["cun"])
    entries = client.get(UNIT_URL, {"year": YEAR}).context["entries"]
    assert [(d.month, d.kind, str(d.hours), d.status) for d in entries] == [
        ("2024-03", "report", "2.50", "pending"), ("2024-03", "document", "1.00", "counted"),
        ("2024-01", "meeting", "3.00", "counted"), ("2024-01", "meeting", "3.00", "counted")]
    response = client.get(UNIT_URL, {"year": YEAR, "kind": "meeting"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "burden/_entries.html"
    assert [d.title for d in response.context["entries"]] == ["防汛调度会", "防汛调度会"]
    response = client.get(UNIT_URL, {"year": YEAR, "month": "2024-03"})
    assert [d.title for d in response.context["entries"]] == ["走访月报", "关于报送统计资料的通知"]
    page = response.content.decode()
    assert "待填报" in page and "无需填报" in page and "县统计局" in page
    response = client.get(UNIT_URL, {"year": YEAR, "page": "2"})
    assert response.status_code == 400 and "页码 page 应为 1 到 1 之间的整数" in response.content.decode()


def test_a_township_page_lists_its_villages(client, world, users):  # noqa: F811
    client.force_login(users["member"])
    response = client.get(reverse("burden:burden_unit", kwargs={"code": "429901001000"}), {"year": YEAR})
    assert response.context["change"].words == "去年无任务"
    assert response.context["change"].percent is None
    assert [(c.unit.name, c.totals.count, str(c.totals.hours), c.totals.change.words)
            for c in response.context["children"]] == [("甲村", 4, "9.50", "下降 20.0%")]


def test_the_scope_view_for_the_county(client, world):  # noqa: F811
    client.force_login(world["ducha"])
    response = client.get(reverse("burden:burden"), {"year": YEAR})
    rows = [(r.unit.name, r.totals.count, str(r.totals.hours), r.totals.last_count, r.totals.change.words,
             r.top_placer) for r in response.context["rows"]]
    assert rows == [
        ("甲村", 4, "9.50", 5, "下降 20.0%", "县民政局"),
        ("乙村", 2, "1.00", 1, "上升 100.0%", "县统计局"),
        ("甲镇", 1, "8.00", 0, "去年无任务", "县民政局"),
        ("甲村一网格", 0, "0.00", 0, "去年无任务", ""),
        ("乙镇", 0, "0.00", 0, "去年无任务", ""),
    ]
    sums = response.context["sums"]
    assert (sums.count, sums.hours, sums.last_count, sums.last_hours) == (7, Decimal("18.50"), 6, Decimal("7.50"))
    assert sums.change.sentence == "2024年全年 7 项 18.5 人·小时，2023年同期 6 项 7.5 人·小时，上升 16.7%"
    # Nothing registered a removal in 2024: nothing is shown as removed.
    assert response.context["removed"] == []
    assert "还没有模块登记减掉的负担" in response.content.decode()


def test_the_scope_view_sorts_searches_and_pages(client, world):  # noqa: F811
    client.force_login(world["ducha"])
    url = reverse("burden:burden")

    def names(**params):
        return [r.unit.name for r in client.get(url, {"year": YEAR, **params}).context["rows"]]

    # Ties (no asks, no year before) stay in tree order.
    assert names(sort="-hours") == ["甲村", "甲镇", "乙村", "甲村一网格", "乙镇"]
    assert names(sort="change") == ["甲村", "乙村", "甲镇", "甲村一网格", "乙镇"]
    assert names(sort="-change") == ["乙村", "甲村", "甲镇", "甲村一网格", "乙镇"]
    assert names(sort="name") == ["甲镇", "甲村", "甲村一网格", "乙镇", "乙村"]
    assert names(sort="nonsense")[0] == "甲村"
    assert names(q="乙") == ["乙村", "乙镇"]
    assert names(q="jiacun") == ["甲村", "甲村一网格"]
    assert names(q="429901002") == ["乙村", "乙镇"]
    assert client.get(url, {"page": "9"}).status_code == 400
    partial = client.get(url, {"year": YEAR}, HTTP_HX_REQUEST="true")
    assert [t.name for t in partial.templates][0] == "burden/_scope_table.html"


def test_a_village_sees_only_itself_and_its_grids(client, world, users):  # noqa: F811
    client.force_login(world["cun"])
    response = client.get(reverse("burden:burden"), {"year": YEAR})
    assert [r.unit.name for r in response.context["rows"]] == ["甲村", "甲村一网格"]
    assert "sums" not in response.context and 'data-testid="county-sums"' not in response.content.decode()
    client.force_login(users["member"])
    assert {r.unit.name for r in client.get(reverse("burden:burden"), {"year": YEAR}).context["rows"]} == {
        "甲镇", "甲村", "甲村一网格"}


def test_another_townships_unit_is_404(client, world, users):  # noqa: F811
    client.force_login(users["member"])
    for code in ("429901002201", "429901002000", "nope"):
        assert client.get(reverse("burden:burden_unit", kwargs={"code": code})).status_code == 404
    # A unit that is not grassroots has no burden ledger page, even for the county.
    client.force_login(world["ducha"])
    assert client.get(reverse("burden:burden_unit", kwargs={"code": "429901900101"})).status_code == 404


def test_the_department_league_table(client, world):  # noqa: F811
    client.force_login(world["ducha"])
    rows = client.get(reverse("burden:placers"), {"year": YEAR}).context["rows"]
    assert [(r.unit.name, r.totals.count, str(r.totals.hours), str(r.share), r.totals.last_count,
             r.totals.change.words) for r in rows] == [
        ("县民政局", 4, "16.50", "57.1", 1, "上升 300.0%"),
        ("县统计局", 3, "2.00", "42.9", 5, "下降 40.0%"),
    ]
    # A village sees who asked its own units only.
    client.force_login(world["cun"])
    rows = client.get(reverse("burden:placers"), {"year": YEAR}).context["rows"]
    assert [(r.unit.name, r.totals.count) for r in rows] == [("县民政局", 3), ("县统计局", 1)]


def test_the_year_is_the_demands_month(client, world):  # noqa: F811
    Demand.objects.filter(title="防汛调度会").update(month="2023-12")
    client.force_login(world["cun"])
    response = client.get(UNIT_URL, {"year": YEAR})
    assert response.context["table"].total.count == 2
    assert response.context["change"].sentence == "2024年全年 2 项 3.5 人·小时，2023年同期 7 项 13.0 人·小时，下降 71.4%"
