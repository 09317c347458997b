"""Data requests: matching, the not-asked count, admission, shares on approval, sending only the rest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingzhuang.burden import services as burden_services
from qingzhuang.burden.models import Demand, DemandStatus
from qingzhuang.ledger import access, services
from qingzhuang.ledger.models import Admission, DatasetShare
from qingzhuang.ledger.services import RequestDefinition
from qingzhuang.ledger.tests.report_world import build, make_report
from qingzhuang.orgs.models import AuditLog, Unit


@pytest.fixture
def world(catalog, county):
    return build(county, catalog)


@pytest.fixture
def villages(world, county):
    """Three villages of 甲镇: 甲村 and two more."""
    from qingzhuang.orgs.services import unit_create

    extra = [unit_create(actor=None, code=f"42990100120{i}", name=f"甲{i}村", kind="village", parent=county["town_a"])
             for i in (2, 3)]
    return [county["village_a"], *extra]


def create(world, villages, text="身份证号、户籍地址、是否低保、手机号、家中养狗数量", actor=None):
    return services.request_create(actor=actor or world.civil_rep, definition=RequestDefinition(
        title="低保对象核查", fields_text=text, period="2025年6月", due_date=dt.date(2025, 7, 1),
        target_units=villages))


def approve(world, data_request):
    services.request_submit(actor=world.civil_rep, data_request=data_request)
    return services.request_review(actor=world.ducha, data_request=data_request, approve=True)


def test_create_matches_fields_and_counts_what_is_not_asked(world, villages):
    data_request = create(world, villages)
    fields = list(data_request.fields.select_related("element", "dataset"))
    assert [(f.text, f.element.code if f.element else None, f.dataset.code if f.dataset else None, f.score)
            for f in fields] == [
        ("身份证号", "id_number", "population", Decimal("1.00")),
        ("户籍地址", "home_address", "population", Decimal("1.00")),
        ("是否低保", "special_groups", "population", Decimal("1.00")),
        ("手机号", "phone", "population", Decimal("1.00")),
        ("家中养狗数量", None, None, Decimal("0.00")),
    ]
    # 4 held fields × 3 target villages: 12 data items the villages are not asked for.
    assert (data_request.held_count, data_request.remaining_count, data_request.not_asked) == (4, 1, 12)
    assert data_request.fields_text == "身份证号、户籍地址、是否低保、手机号、家中养狗数量"
    assert (data_request.owner, data_request.admission) == (world.civil, Admission.DRAFT)
    entry = AuditLog.objects.get(action="request.create")
    assert entry.after["not_asked"] == 12 and entry.after["target_units"] == 3


def test_create_refusals(world, villages):
    with pytest.raises(PermissionDenied):
        create(world, villages, actor=world.cun)
    with pytest.raises(ValidationError) as exc:
        services.request_create(actor=world.civil_rep, definition=RequestDefinition(title=" ", fields_text="、 "))
    assert exc.value.message_dict == {"title": ["请填写需求名称"], "fields_text": ["请列出所需字段，用顿号、逗号或换行分隔"],
                                      "target_units": ["请选择填报单位（例如某乡镇的全部村）"]}
    with pytest.raises(ValidationError) as exc:
        services.request_create(actor=world.civil_rep, definition=RequestDefinition(
            title="x", fields_text="、".join(f"字段{i}" for i in range(61)), target_units=villages))
    assert exc.value.message_dict == {"fields_text": ["一次最多列出 60 个字段"]}
    with pytest.raises(ValidationError) as exc:
        create(world, [world.county["office"]])
    assert exc.value.message_dict == {"target_units": ["填报单位只能是乡镇（街道）、村（社区）或网格：县委办公室"]}
    assert not AuditLog.objects.filter(action="request.create").exists()


def test_update_rematches(world, villages):
    data_request = create(world, villages)
    services.request_update(actor=world.civil_rep2, data_request=data_request, definition=RequestDefinition(
        title="改", fields_text="姓名、家中养狗数量、家中养猫数量", target_units=villages[:2]))
    data_request.refresh_from_db()
    assert (data_request.held_count, data_request.remaining_count, data_request.not_asked) == (1, 2, 2)
    assert list(data_request.fields.values_list("text", flat=True)) == ["姓名", "家中养狗数量", "家中养猫数量"]


def test_update_refusals(world, villages):
    data_request = create(world, villages)
    definition = RequestDefinition(title="改", fields_text="姓名", target_units=villages)
    with pytest.raises(PermissionDenied):
        services.request_update(actor=world.stats_rep, data_request=data_request, definition=definition)
    services.request_submit(actor=world.civil_rep, data_request=data_request)
    with pytest.raises(ValidationError) as exc:
        services.request_update(actor=world.civil_rep, data_request=data_request, definition=definition)
    assert exc.value.messages == ["已提交审批或已批准的数据需求不能修改"]


def test_approval_shares_the_datasets_holding_the_fields(world, villages):
    data_request = create(world, villages)
    approve(world, data_request)
    share = DatasetShare.objects.get()
    assert (share.dataset.code, share.unit, share.granted_by) == ("population", world.civil, world.ducha)
    entry = AuditLog.objects.get(action="dataset.share")
    assert entry.after == {"dataset": "population", "unit": "429901900201", "request": data_request.pk}
    assert entry.unit == world.civil


def test_after_approval_the_department_reads_the_held_fields_from_the_ledger(world, villages):
    data_request = create(world, villages)
    report = make_report(world.civil_rep, world.catalog["population"], aggregate="list",
                         columns=["name", "special_groups"],
                         filters=[{"element": "special_groups", "op": "contains", "value": "低保对象"}])
    assert services.report_fill(actor=world.civil_rep, report=report).matched == 0
    approve(world, data_request)
    assert services.report_fill(actor=world.civil_rep, report=report).matched == 4


def test_no_share_for_the_owner_or_an_existing_share(world, villages):
    data_request = create(world, villages, actor=world.office_rep)  # 县委办公室 owns population
    services.request_submit(actor=world.office_rep, data_request=data_request)
    services.request_review(actor=world.ducha, data_request=data_request, approve=True)
    assert not DatasetShare.objects.exists()
    DatasetShare.objects.create(dataset=world.catalog["population"], unit=world.civil)
    approve(world, create(world, villages))
    assert DatasetShare.objects.count() == 1


def test_rejection_shares_nothing(world, villages):
    data_request = create(world, villages)
    services.request_submit(actor=world.civil_rep, data_request=data_request)
    services.request_review(actor=world.ducha, data_request=data_request, approve=False, note="重复索要")
    data_request.refresh_from_db()
    assert (data_request.admission, data_request.review_note) == (Admission.REJECTED, "重复索要")
    assert not DatasetShare.objects.exists()


def test_only_the_supervision_office_approves(world, villages):
    data_request = create(world, villages)
    services.request_submit(actor=world.civil_rep, data_request=data_request)
    with pytest.raises(PermissionDenied):
        services.request_review(actor=world.civil_rep, data_request=data_request, approve=True)
    assert not DatasetShare.objects.exists()


def test_an_unapproved_request_cannot_be_sent(world, villages):
    data_request = create(world, villages)
    with pytest.raises(ValidationError) as exc:
        services.request_send(actor=world.civil_rep, data_request=data_request)
    assert exc.value.messages == ["该数据需求未经督查室准入审批，不能向基层下发（未经批准一律停止填报）。"]
    services.request_submit(actor=world.civil_rep, data_request=data_request)
    with pytest.raises(ValidationError):
        services.request_send(actor=world.civil_rep, data_request=data_request)
    assert not Demand.objects.exists()


def test_an_approved_request_sends_only_the_remaining_fields(world, villages):
    data_request = approve(world, create(world, villages))
    demands = services.request_send(actor=world.civil_rep, data_request=data_request)
    assert sorted(d.unit.code for d in demands) == sorted(v.code for v in villages)
    assert {tuple(d.fields) for d in Demand.objects.all()} == {("家中养狗数量",)}
    assert {d.due_date for d in Demand.objects.all()} == {dt.date(2025, 7, 1)}
    data_request.refresh_from_db()
    assert data_request.sent_at is not None
    assert AuditLog.objects.get(action="request.send").after == {"units": 3, "fields": ["家中养狗数量"]}
    with pytest.raises(ValidationError) as exc:
        services.request_send(actor=world.civil_rep, data_request=data_request)
    assert exc.value.messages == ["该数据需求已经下发"]


def test_a_request_the_ledger_fully_holds_is_never_sent(world, villages):
    data_request = approve(world, create(world, villages, text="身份证号、手机号"))
    with pytest.raises(ValidationError) as exc:
        services.request_send(actor=world.civil_rep, data_request=data_request)
    assert exc.value.messages == ["所需字段在一套表中都已有，已通过数据共享提供，无需向基层下发。"]


def test_another_department_cannot_send_or_submit(world, villages):
    data_request = create(world, villages)
    with pytest.raises(PermissionDenied):
        services.request_submit(actor=world.stats_rep, data_request=data_request)
    approve(world, data_request)
    with pytest.raises(PermissionDenied):
        services.request_send(actor=world.stats_rep, data_request=data_request)


def test_the_unit_fills_a_request_demand(world, villages):
    services.request_send(actor=world.civil_rep, data_request=approve(world, create(world, villages)))
    demand = Demand.objects.get(unit=world.county["village_a"])
    burden_services.demand_fill(actor=world.cun, demand=demand, data={"家中养狗数量": "35"})
    demand.refresh_from_db()
    assert demand.status == DemandStatus.FILLED and demand.data == {"家中养狗数量": "35"}


def test_visibility(world, users, villages):
    data_request = create(world, villages)
    assert list(access.visible_requests(world.civil_rep2)) == [data_request]
    assert list(access.visible_requests(world.stats_rep)) == []
    assert list(access.visible_requests(world.cun)) == []
    assert list(access.visible_requests(world.ducha)) == [data_request]
    assert list(access.visible_requests(users["leader"])) == [data_request]
    assert Unit.objects.filter(code__startswith="4299010012").count() == 3
