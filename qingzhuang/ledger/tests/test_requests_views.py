"""Data request pages: create with a live match preview, admission, sending; refusals."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qingzhuang.burden.models import Demand
from qingzhuang.ledger import services
from qingzhuang.ledger.models import Admission, DataRequest, DatasetShare
from qingzhuang.ledger.services import RequestDefinition
from qingzhuang.ledger.tests.report_world import build


@pytest.fixture
def world(catalog, county):
    return build(county, catalog)


@pytest.fixture
def data_request(world):
    return services.request_create(actor=world.civil_rep, definition=RequestDefinition(
        title="低保对象核查", fields_text="身份证号、户籍地址、是否低保、手机号、家中养狗数量",
        target_units=[world.county["village_a"], world.county["village_b"]]))


def url(name, obj):
    return reverse(name, kwargs={"pk": obj.pk})


def confirm_url(data_request, text):
    return reverse("ledger:request_field_confirm",
                   kwargs={"pk": data_request.pk, "field_id": data_request.fields.get(text=text).pk})


def test_create_page_prefills_fields_from_find(client, world):
    client.force_login(world.civil_rep)
    page = client.get(reverse("ledger:request_create") + "?fields=身份证号、手机号").content.decode()
    assert "身份证号、手机号</textarea>" in page and "公民身份号码" in page  # the preview


def test_create_posts_and_counts_not_asked(client, world):
    client.force_login(world.civil_rep)
    response = client.post(reverse("ledger:request_create"), {
        "title": "核查", "fields_text": "身份证号、家中养狗数量", "target_codes": "429901001201 429901002201"})
    data_request = DataRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == url("ledger:request_detail", data_request)
    assert (data_request.held_count, data_request.remaining_count, data_request.not_asked) == (1, 1, 2)
    page = client.get(url("ledger:request_detail", data_request)).content.decode()
    assert "可少向基层要 1 × 2 = <strong>2</strong> 项数据" in page
    assert "需基层填报" in page and "人口基础信息（县委办公室）" in page


def test_create_errors_are_shown(client, world):
    client.force_login(world.civil_rep)
    page = client.post(reverse("ledger:request_create"), {"title": "核查", "fields_text": "身份证号"}).content.decode()
    assert "请选择填报单位（例如某乡镇的全部村）" in page
    assert not DataRequest.objects.exists()


def test_create_is_forbidden_without_the_role(client, world):
    client.force_login(world.cun)
    assert client.get(reverse("ledger:request_create")).status_code == 403


def test_detail_scoping(client, world, data_request):
    for user, status in ((world.civil_rep2, 200), (world.ducha, 200), (world.stats_rep, 404), (world.cun, 404)):
        client.force_login(user)
        assert client.get(url("ledger:request_detail", data_request)).status_code == status


def test_no_send_button_before_approval(client, world, data_request):
    client.force_login(world.civil_rep)
    page = client.get(url("ledger:request_detail", data_request)).content.decode()
    assert url("ledger:request_send", data_request) not in page and url("ledger:request_submit", data_request) in page
    page = client.post(url("ledger:request_send", data_request), follow=True).content.decode()
    assert "该数据需求未经督查室准入审批，不能向基层下发（未经批准一律停止填报）。" in page
    assert not Demand.objects.exists()


def test_the_whole_flow_through_the_pages(client, world, data_request):
    client.force_login(world.civil_rep)
    client.post(url("ledger:request_submit", data_request))
    client.force_login(world.ducha)
    page = client.get(url("ledger:request_detail", data_request)).content.decode()
    assert url("ledger:request_review", data_request) in page
    # While reviewing, the 督查室 confirms that 特殊群体 answers 是否低保.
    client.post(confirm_url(data_request, "是否低保"), {"decision": "confirm"})
    client.post(url("ledger:request_review", data_request), {"decision": "approve"})
    data_request.refresh_from_db()
    assert data_request.admission == Admission.APPROVED
    assert DatasetShare.objects.get().unit == world.civil
    client.force_login(world.civil_rep)
    page = client.get(url("ledger:request_detail", data_request)).content.decode()
    assert "向基层下发其余 2 个字段" in page and "少向基层要了 3 × 2 = <strong>6</strong> 项数据" in page
    page = client.post(url("ledger:request_send", data_request), follow=True).content.decode()
    assert "已向 2 个单位下发，只索要一套表中没有的字段。" in page
    assert data_request.demands.count() == 2


def test_review_and_send_need_their_roles(client, world, data_request):
    services.request_submit(actor=world.civil_rep, data_request=data_request)
    client.force_login(world.civil_rep)
    assert client.post(url("ledger:request_review", data_request), {"decision": "approve"}).status_code == 403
    client.force_login(world.ducha)
    assert client.post(url("ledger:request_send", data_request)).status_code == 403
    client.force_login(world.stats_rep)
    assert client.post(url("ledger:request_submit", data_request)).status_code == 404


def test_edit(client, world, data_request):
    client.force_login(world.civil_rep)
    assert client.get(url("ledger:request_edit", data_request)).status_code == 200
    client.post(url("ledger:request_edit", data_request), {"title": "改", "fields_text": "姓名",
                                                    "target_under": "429901002000"})
    data_request.refresh_from_db()
    assert (data_request.title, data_request.not_asked) == ("改", 1)


def test_request_list(client, world, data_request):
    client.force_login(world.civil_rep)
    page = client.get(reverse("ledger:request_list")).content.decode()
    assert "低保对象核查" in page and "4 项" in page
    client.force_login(world.stats_rep)
    assert "低保对象核查" not in client.get(reverse("ledger:request_list")).content.decode()


def test_detail_shows_the_three_outcomes_and_offers_confirmation(client, world, data_request):
    client.force_login(world.civil_rep)
    page = client.get(url("ledger:request_detail", data_request)).content.decode()
    rows = re.findall(r'<tr data-outcome="(\w+)">\s*<td class="fw-semibold" data-label="字段">([^<]+)</td>', page)
    assert rows == [("exact", "身份证号"), ("related", "户籍地址"), ("related", "是否低保"), ("exact", "手机号"),
                    ("none", "家中养狗数量")]
    assert page.count('<span class="badge text-bg-warning">相近（需确认）</span>') == 2
    assert "目录登记为“居住地址”的相近字段" in page and "代码表含“低保对象”" in page
    assert "另有 2 个相近字段待确认：确认由一套表提供后才算已有，不再向基层索要。" in page
    assert page.count('data-testid="confirm-field"') == 2 and confirm_url(data_request, "是否低保") in page


def test_the_department_confirms_on_the_page(client, world, data_request):
    client.force_login(world.civil_rep)
    page = client.post(confirm_url(data_request, "是否低保"), {"decision": "confirm"}, follow=True).content.decode()
    assert "已确认“是否低保”由一套表的“特殊群体”提供，不再向基层索要。" in page
    assert '<span class="badge text-bg-info">相近（已确认）</span>' in page
    assert "可少向基层要 3 × 2 = <strong>6</strong> 项数据" in page
    page = client.post(confirm_url(data_request, "是否低保"), {"decision": "unconfirm"}, follow=True).content.decode()
    assert "已撤销确认，“是否低保”仍需向基层索要。" in page and "<strong>4</strong> 项数据" in page


def test_confirming_refusals_on_the_page(client, world, data_request):
    target = confirm_url(data_request, "是否低保")
    for user, status in ((world.stats_rep, 404), (world.cun, 404), (world.ducha, 403)):  # the 督查室: not a draft
        client.force_login(user)
        assert client.post(target, {"decision": "confirm"}).status_code == status
    client.force_login(world.ducha)
    assert 'data-testid="confirm-field"' not in client.get(url("ledger:request_detail", data_request)).content.decode()
    client.force_login(world.civil_rep)
    page = client.post(confirm_url(data_request, "身份证号"), {"decision": "confirm"}, follow=True).content.decode()
    assert "只有“相近（需确认）”的字段需要确认" in page
    assert not data_request.fields.filter(confirmed_at__isnull=False).exists()
