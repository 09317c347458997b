"""码上减负 pages: the public report page (anonymity, rate limit, files by their bytes), the
receipt look-up, the unit list, the poster, and the monitors' and the responsible unit's pages."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden.models import Clue, ClueEvent, ClueFile, ClueStatus
from qingzhuang.burden.tests.clue_world import (
    accepted,
    rectified,
    submit,
    upload,
)
from qingzhuang.orgs.models import AuditLog

REPORT = "/burden/clues/report/"
TRACK = "/burden/clues/track/"
IP, AGENT = "203.0.113.77", "QzTestBrowser/9.9 (unique-agent-marker)"


def form(clue_county, **extra) -> dict:
    data = {"category": "forced_check_in", "description": "要求每天打卡截图发群", "placed_by": str(clue_county["stats"].pk),
            "suffered_by": str(clue_county["village_a"].pk)}
    data.update(extra)
    return data


def post_report(client, data, **headers):
    return client.post(REPORT, data, REMOTE_ADDR=headers.get("ip", IP), HTTP_USER_AGENT=AGENT)


def receipt_code(response) -> str:
    match = re.search(r'data-testid="receipt-code">([A-Z0-9-]+)<', response.content.decode())
    assert match, response.content.decode()[:500]
    return match.group(1)


def test_public_page_needs_no_sign_in_and_shows_its_qr_code(client, clue_county):
    response = client.get(REPORT)
    body = response.content.decode()
    assert response.status_code == 200
    assert "码上减负" in body and "<svg" in body and 'name="csrfmiddlewaretoken"' in body
    assert "实名反映" not in body  # only a signed-in cadre may report in their name


def test_anonymous_report_with_photo_gives_a_receipt(client, clue_county):
    response = post_report(client, {**form(clue_county), "files": [upload("我的照片.jpg", content=None)]})
    assert response.status_code == 200
    code = receipt_code(response)
    clue = Clue.objects.get()
    assert clue.receipt_hash != code and clue.reporter is None and clue.files.count() == 1
    assert "<svg" in response.content.decode()


def test_anonymity_nothing_stored_identifies_the_reporter(client, clue_county):
    """A signed-in cadre reports anonymously: no row of the clue, its events, files or audit
    holds the address, the browser, the account or the session."""
    user = clue_county["cun"]
    client.force_login(user)
    session_key = client.session.session_key
    response = post_report(client, {**form(clue_county), "named": "0", "files": [upload("cun-photo.png")]})
    assert response.status_code == 200
    markers = [IP, "unique-agent-marker", user.username, user.display_name, session_key, "cun-photo"]
    rows = [*Clue.objects.values(), *ClueEvent.objects.values(), *ClueFile.objects.values(),
            *AuditLog.objects.filter(action__startswith="clue.").values()]
    assert len(rows) == 4
    for row in rows:
        for value in row.values():
            for marker in markers:
                assert marker not in str(value), (marker, row)
    clue, event, log = Clue.objects.get(), ClueEvent.objects.get(), AuditLog.objects.get(action="clue.submit")
    assert clue.reporter_id is None and event.actor_id is None
    assert (log.actor_id, log.ip, log.actor_name) == (None, None, "系统")
    # The rate-limit counter is keyed by a salted hash, never the address.
    assert not any(IP in str(key) for key in cache._cache)  # LocMemCache


def test_named_report_shows_on_my_clues(client, clue_county):
    client.force_login(clue_county["cun"])
    response = post_report(client, {**form(clue_county), "named": "1"})
    assert response.status_code == 200
    clue = Clue.objects.get()
    assert clue.reporter == clue_county["cun"]
    assert AuditLog.objects.get(action="clue.submit").actor == clue_county["cun"]
    mine = client.get(reverse("burden:clue_mine")).content.decode()
    assert "强制打卡" in mine and "已提交，待受理" in mine


def test_anonymous_cannot_claim_a_name(client, clue_county):
    post_report(client, {**form(clue_county), "named": "1"})
    assert Clue.objects.get().reporter is None


def test_bad_report_answers_400_and_writes_nothing(client, clue_county):
    response = post_report(client, {**form(clue_county, category="", placed_by="abc", suffered_by=""),
                                    "files": [upload("证据.jpg", b"<html>not a photo</html>", "image/jpeg")]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "未找到该单位：abc" in body
    assert not Clue.objects.exists() and not AuditLog.objects.filter(action__startswith="clue.").exists()
    response = post_report(client, {**form(clue_county, category=""),
                                    "files": [upload("证据.jpg", b"<html>not a photo</html>", "image/jpeg")]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "请选择问题类型" in body and "文件“证据.jpg”不是JPEG、PNG、WebP、PDF格式" in body
    assert not Clue.objects.exists()


def test_submission_rate_limit_and_its_expiry(client, clue_county, settings, monkeypatch):
    settings.QZ_CLUE_RATE = "2/60"
    for _ in range(2):
        assert post_report(client, form(clue_county)).status_code == 200
    refused = post_report(client, form(clue_county))
    assert refused.status_code == 429
    assert "提交过于频繁，请1分钟后再试" in refused.content.decode()
    assert Clue.objects.count() == 2
    # Another address is not limited.
    assert post_report(client, form(clue_county), ip="198.51.100.9").status_code == 200
    # The counter expires with its window.
    later = time.time() + 61
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert post_report(client, form(clue_county)).status_code == 200
    assert Clue.objects.count() == 4


def test_refused_inputs_do_not_use_up_the_limit(client, clue_county, settings):
    settings.QZ_CLUE_RATE = "1/60"
    assert post_report(client, form(clue_county, description="")).status_code == 400
    assert post_report(client, form(clue_county)).status_code == 200


def test_receipt_lookup(client, clue_county):
    code = receipt_code(post_report(client, form(clue_county)))
    found = client.post(TRACK, {"code": code.lower().replace("-", " ")}, REMOTE_ADDR=IP)
    assert found.status_code == 200 and "待受理" in found.content.decode()
    wrong = client.post(TRACK, {"code": "ABCD-EFGH-JKMN-PQRS-TUVW"}, REMOTE_ADDR=IP)
    unknown = client.post(TRACK, {"code": "nonsense"}, REMOTE_ADDR=IP)
    assert wrong.status_code == unknown.status_code == 404
    assert "未找到该回执码" in wrong.content.decode()
    assert wrong.content.decode() == unknown.content.decode().replace(*_same_csrf(unknown, wrong))


def _same_csrf(a, b):
    """The two pages differ only by their CSRF tokens."""
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    return token.search(a.content.decode()).group(1), token.search(b.content.decode()).group(1)


def test_receipt_lookup_rate_limit(client, clue_county, settings):
    settings.QZ_CLUE_LOOKUP_RATE = "2/60"
    for _ in range(2):
        assert client.post(TRACK, {"code": "x"}, REMOTE_ADDR=IP).status_code == 404
    refused = client.post(TRACK, {"code": "x"}, REMOTE_ADDR=IP)
    assert refused.status_code == 429 and "查询过于频繁，请1分钟后再试" in refused.content.decode()


def test_closed_clue_shows_result_but_nothing_internal(client, clue_county):
    from qingzhuang.burden.services import clues as services

    clue, code = rectified(clue_county)
    services.clue_close(actor=clue_county["monitor"], clue=clue, result="confirmed", reply="经核实属实，已取消打卡要求")
    body = client.post(TRACK, {"code": code}, REMOTE_ADDR=IP).content.decode()
    assert "已办结" in body and "属实已整改" in body and "经核实属实，已取消打卡要求" in body
    for internal in ("已取消重复报表", "jianfu", "xiangzhen", "甲镇", "县统计局"):
        assert internal not in body


def test_public_unit_list_gives_names_only(client, clue_county):
    body = client.get(reverse("burden:clue_units"), {"placed_by_name": "甲"}).content.decode()
    assert "甲村" in body and "甲镇" in body and "乙村" not in body
    assert "429901" not in body  # no unit codes


def test_poster_for_monitors_only(client, clue_county):
    client.force_login(clue_county["monitor"])
    body = client.get(reverse("burden:clue_poster")).content.decode()
    assert "<svg" in body and "http://testserver/burden/clues/report/" in body
    client.force_login(clue_county["town_a_user"])
    assert client.get(reverse("burden:clue_poster")).status_code == 403


def test_monitor_list_filters_and_counts(client, clue_county):
    accepted(clue_county, deadline=timezone.localdate())
    submit(clue_county, category="too_many_meetings", suffered_by=clue_county["village_b"], placed_by=None)
    client.force_login(clue_county["monitor"])
    page = client.get(reverse("burden:clue_list"))
    assert page.status_code == 200
    assert page.context["counts"] == {"pending": 1, "accepted": 1, "rectified": 0, "closed": 0, "dismissed": 0,
                                      "all": 2, "overdue": 0}
    meetings = client.get(reverse("burden:clue_list"), {"category": "too_many_meetings"}).context["rows"]
    assert [c.category for c in meetings] == ["too_many_meetings"]
    by_unit = client.get(reverse("burden:clue_list"), {"unit": clue_county["town_b"].pk}).context["rows"]
    assert [c.suffered_by.name for c in by_unit] == ["乙村"]
    assert client.get(reverse("burden:clue_list"), {"overdue": "1"}).context["rows"] == []
    assert client.get(reverse("burden:clue_list"), {"page": "9"}).status_code == 400


def test_list_needs_a_clue_role(client, clue_county):
    client.force_login(clue_county["town_a_user"])
    assert client.get(reverse("burden:clue_list")).status_code == 200
    from conftest import make_user

    client.force_login(make_user("lingdao", clue_county["root"], "领导"))
    assert client.get(reverse("burden:clue_list")).status_code == 403


def test_flow_through_the_pages(client, clue_county):
    code = receipt_code(post_report(client, form(clue_county)))
    clue = Clue.objects.get()
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    client.force_login(clue_county["monitor"])
    detail = client.get(reverse("burden:clue_detail", args=[clue.pk])).content.decode()
    assert "匿名" in detail and 'data-testid="accept-form"' in detail
    bad = client.post(reverse("burden:clue_accept", args=[clue.pk]), {"responsible": "", "deadline": "2020-13-01"})
    assert bad.status_code == 400 and "日期格式应为YYYY-MM-DD：2020-13-01" in bad.content.decode()
    ok = client.post(reverse("burden:clue_accept", args=[clue.pk]),
                     {"responsible": clue_county["town_a"].pk, "deadline": deadline, "note": "请核实"})
    assert ok.status_code == 302
    # The responsible unit's cadre rectifies; another township's gets 404; the monitor may not (403).
    client.force_login(clue_county["town_b_user"])
    assert client.post(reverse("burden:clue_rectify", args=[clue.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("burden:clue_detail", args=[clue.pk])).status_code == 404
    client.force_login(clue_county["monitor"])
    assert client.post(reverse("burden:clue_rectify", args=[clue.pk]), {"text": "x"}).status_code == 403
    client.force_login(clue_county["town_a_user"])
    assert client.post(reverse("burden:clue_accept", args=[clue.pk]),
                       {"responsible": clue_county["town_a"].pk, "deadline": deadline}).status_code == 403
    done = client.post(reverse("burden:clue_rectify", args=[clue.pk]),
                       {"text": "已取消打卡", "files": [upload("整改.png")]})
    assert done.status_code == 302
    stored = ClueFile.objects.get()
    photo = client.get(reverse("burden:clue_file", args=[clue.pk, stored.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    client.force_login(clue_county["monitor"])
    assert client.post(reverse("burden:clue_close", args=[clue.pk]),
                       {"result": "confirmed", "reply": "已整改到位"}).status_code == 302
    clue.refresh_from_db()
    assert (clue.status, clue.result) == (ClueStatus.CLOSED, "confirmed")
    client.logout()
    body = client.post(TRACK, {"code": code}, REMOTE_ADDR=IP).content.decode()
    assert "已办结" in body and "属实已整改" in body


def test_responsible_unit_does_not_see_a_named_reporter(client, clue_county):
    clue, _ = submit(clue_county, actor=clue_county["cun"], anonymous=False)
    from qingzhuang.burden.services import clues as services

    services.clue_accept(actor=clue_county["monitor"], clue=clue, responsible=clue_county["stats"],
                         deadline=timezone.localdate())
    client.force_login(clue_county["stats_rep"])
    body = client.get(reverse("burden:clue_detail", args=[clue.pk])).content.decode()
    assert "实名（仅减负监测员可见）" in body and ">cun" not in body
    client.force_login(clue_county["monitor"])
    body = client.get(reverse("burden:clue_detail", args=[clue.pk])).content.decode()
    assert "cun（甲村）" in body


@pytest.mark.parametrize("name", ["clue_report", "clue_track"])
def test_public_forms_are_csrf_protected(clue_county, name):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse(f"burden:{name}"), {"code": "x"}).status_code == 403
