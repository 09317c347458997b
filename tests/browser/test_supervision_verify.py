"""无扰督查 on a phone: a village cadre (no sign-in) types the code the team shows on a 390 px
screen and sees "可以配合", rates the visit anonymously; an expired code shows "可不予配合"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from qingzhuang.supervision import codes
from qingzhuang.supervision.models import Evaluation, Visit
from qingzhuang.supervision.tests.visit_world import issued_visit, live_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_cadre_verifies_a_code_on_a_phone(phone_page, live_server, county):
    cache.clear()
    with transaction.atomic():
        sv = {"stats_reporter": make_user("stats_reporter", county["stats"], "部门填报员"),
              "office": make_user("office", county["office"], "督查室")}
    good = issued_visit(sv, county, unit=county["village_a"],
                        item=live_item(county["stats"], title="统计执法检查", matter="统计执法",
                                       target_kinds=("village",)))
    old = issued_visit(sv, county, unit=county["village_b"],
                       item=live_item(county["stats"], title="安全检查", matter="安全生产", target_kinds=("village",)))
    Visit.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    errors: list[str] = []
    phone_page.on("pageerror", lambda exc: errors.append(str(exc)))

    phone_page.goto(f"{live_server.url}/supervision/verify/")
    phone_page.get_by_label("检查码").fill(codes.grouped(good.code).lower())
    phone_page.get_by_role("button", name="核验").click()
    expect(phone_page.get_by_test_id("verdict")).to_contain_text("可以配合")
    expect(phone_page.get_by_test_id("verify-unit")).to_have_text("甲村")
    expect(phone_page.get_by_test_id("verify-items")).to_contain_text("不要求提供材料")
    # Nothing overflows the phone's width.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    # The visit is today: the cadre rates it anonymously, once.
    form = phone_page.get_by_test_id("rate-form")
    form.get_by_label("4 星").check()
    form.get_by_label("是").check()
    form.get_by_role("button", name="提交评价").click()
    expect(phone_page.get_by_text("感谢评价")).to_be_visible()
    expect(phone_page.get_by_test_id("rated")).to_be_visible()
    assert Evaluation.objects.filter(visit=good, rating=4, burden_free=True).count() == 1

    phone_page.goto(f"{live_server.url}/supervision/verify/")
    phone_page.get_by_label("检查码").fill(old.code)
    phone_page.get_by_role("button", name="核验").click()
    expect(phone_page.get_by_test_id("verdict")).to_contain_text("可不予配合")
    expect(phone_page.get_by_test_id("verify-reason")).to_contain_text("检查码已过期")
    assert not errors
