"""The workbench in real Chromium: the to-do panel and drawn charts at phone and desktop widths,
and every link of the home page opens without a server error."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from tests.browser.conftest import login, sign_in_with_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def work(county, users):
    """This month: a meeting for 甲村 and 乙村, with its attendance list to fill; 统计局 reports
    地区生产总值 (甲村, this month)."""
    from qingzhuang.burden import services
    from qingzhuang.ledger.models import Indicator, IndicatorValue
    from qingzhuang.orgs.roles import REPORTER

    with transaction.atomic():
        services.demand_place(actor=users["supervision"], source=county["office"], kind="meeting",
                              units=[county["village_a"], county["village_b"]], title="防汛调度会",
                              fields=["参会人员"])
    indicator = Indicator.objects.create(code="gdp", name="地区生产总值", owner=county["stats"])
    IndicatorValue.objects.create(unit=county["village_a"], indicator=indicator,
                                  period=timezone.localdate().strftime("%Y-%m"), value=1)
    make_user("statsrep", county["stats"], REPORTER)


@pytest.fixture
def oversight(county, users, work):
    """What the other roles have to do: a report waiting for the 督查室's admission, a policy whose
    indexing failed (library keepers), a locked-out account (administrator), failed sign-ins and a
    lock-out in the audit log (auditor)."""
    from axes.models import AccessAttempt

    from qingzhuang.assistant.models import DocumentStatus, PolicyDocument
    from qingzhuang.burden.admission import Admission
    from qingzhuang.ledger.models import Dataset, Report
    from qingzhuang.orgs import audit

    Report.objects.create(name="安全检查月报", owner=county["stats"], dataset=Dataset.objects.get(code="population"),
                          admission=Admission.PENDING)
    PolicyDocument.objects.create(title="坏文件", unit=county["root"], original_name="x.txt", format="txt",
                                  sha256="y", text="", status=DocumentStatus.FAILED, file="policies/x.txt")
    make_user("zhangsan", county["village_a"], "乡镇村干部")
    AccessAttempt.objects.create(username="zhangsan", ip_address="10.0.0.1", user_agent="x", get_data="",
                                 post_data="", http_accept="", path_info="/account/login/",
                                 failures_since_start=5, attempt_time=timezone.now())
    with transaction.atomic():
        for action in ("auth.login_failed", "auth.login_failed", "auth.locked_out"):
            audit.record(actor=None, action=action, object_type="user", object_repr="zhangsan", unit=county["town_a"])


def sign_in(page, live_server, users, username) -> None:
    if username == "sysadmin":
        sign_in_with_totp(page, live_server, users["sysadmin"])
    else:
        login(page, live_server, username, PASSWORD)


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def assert_drawn(page, key: str, width: int) -> None:
    container = page.get_by_test_id(f"chart-{key}")
    expect(container).to_have_attribute("data-drawn", "true")
    canvas = container.locator("canvas").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert 200 < box["width"] <= width and box["height"] >= 200
    # Nothing wider than the screen: the chart follows its card.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("username", "key", "todo", "tooltip"), [
    ("leader", "burden-by-month", "暂无待办事项。", " 项"),
    ("member", "burden-own-by-month", "项填报待完成", " 项"),
    ("statsrep", "ledger-indicator-months", "暂无待办事项。", " 个单位"),
])
def test_workbench_at_phone_and_desktop_width(page, phone_page, live_server, work, username, key, todo, tooltip):
    for current, width in ((phone_page, 390), (page, DESKTOP["width"])):
        if current is page:
            page.set_viewport_size(DESKTOP)
        errors = watch(current)
        login(current, live_server, username, PASSWORD)
        expect(current.get_by_test_id("todos")).to_contain_text(todo)
        assert_drawn(current, key, width)
        assert errors == []
    # The numbers are labelled in Chinese: hovering this month shows its count with its unit.
    container = page.get_by_test_id(f"chart-{key}")
    box = container.bounding_box()
    container.hover(position={"x": box["width"] - 30, "y": box["height"] * 0.4})
    expect(container).to_contain_text(tooltip)


def test_the_chart_follows_a_resize(page, live_server, work):
    login(page, live_server, "leader", PASSWORD)
    assert_drawn(page, "burden-by-month", 1280)
    page.set_viewport_size({"width": 390, "height": 844})
    # Polled from here: wait_for_function's in-page polling evaluates a string, which our CSP forbids.
    canvas = page.get_by_test_id("chart-burden-by-month").locator("canvas").first
    for _ in range(50):
        if canvas.bounding_box()["width"] <= 390:
            break
        page.wait_for_timeout(100)
    assert canvas.bounding_box()["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# The roles that oversee, keep the library, administer or audit: each sees its to-dos and the chart of
# its own work, at phone and desktop width.
@pytest.mark.parametrize(("username", "key", "todo"), [
    ("supervision", "burden-by-month", "1份报表待准入审批"),
    ("assessment", "burden-by-month", "暂无待办事项。"),
    ("monitor", "burden-by-month", "1个政策文件索引失败"),
    ("auditor", "orgs-audit-by-day", "2次登录失败（近7天）"),
    ("sysadmin", "accounts-by-role", "1个账号因多次登录失败被锁定，核实后可解除"),
])
def test_the_oversight_roles_workbench(page, phone_page, live_server, users, oversight, username, key, todo):
    for current, width in ((phone_page, 390), (page, DESKTOP["width"])):
        if current is page:
            page.set_viewport_size(DESKTOP)
        errors = watch(current)
        sign_in(current, live_server, users, username)
        expect(current.get_by_test_id("todos")).to_contain_text(todo)
        assert_drawn(current, key, width)
        assert errors == []


@pytest.mark.parametrize("username", ["leader", "member", "statsrep", "supervision", "monitor", "assessment",
                                      "auditor", "sysadmin"])
def test_every_link_on_the_home_page_opens(page, live_server, users, oversight, username):
    sign_in(page, live_server, users, username)
    page.get_by_test_id("todos").wait_for()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    urls = sorted({h for h in hrefs if h.startswith("/")})
    assert "/burden/" in urls
    broken = [(url, status) for url in urls if (status := page.request.get(live_server.url + url).status) >= 400]
    assert broken == []
