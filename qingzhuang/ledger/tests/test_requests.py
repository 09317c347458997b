"""Data requests: matching, the not-asked count, admission, shares on approval, sending only the rest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

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


def create(world, villages, text="身份证号、户籍地址、是否低保、手机号、家中养狗数量", actor=None, title="低保对象核查"):
    return services.request_create(actor=actor or world.civil_rep, definition=RequestDefinition(
        title=title, fields_text=text, period="2025年6月", due_date=dt.date(2025, 7, 1),
        target_units=villages))


def field(data_request, text):
    return data_request.fields.get(text=text)


def confirm(actor, data_request, text, value=True):
    return services.request_field_confirm(actor=actor, data_request=data_request, field_id=field(data_request, text).pk,
                                          confirm=value)


def approve(world, data_request):
    services.request_submit(actor=world.civil_rep, data_request=data_request)
    return services.request_review(actor=world.ducha, data_request=data_request, approve=True)


def test_create_matches_fields_and_counts_what_is_not_asked(world, villages):
    data_request = create(world, villages)
    fields = list(data_request.fields.select_related("element", "dataset"))
    assert [(f.text, f.outcome, f.element.code if f.element else None, f.dataset.code if f.dataset else None,
             f.score, f.reason, f.held) for f in fields] == [
        ("身份证号", "exact", "id_number", "population", Decimal("1.00"), "同义词：身份证号", True),
        ("户籍地址", "related", "home_address", "population", Decimal("0.90"), "目录登记为“居住地址”的相近字段", False),
        ("是否低保", "related", "special_groups", "population", Decimal("0.80"), "代码表含“低保对象”", False),
        ("手机号", "exact", "phone", "population", Decimal("1.00"), "同义词：手机号", True),
        ("家中养狗数量", "none", None, None, Decimal("0.00"), "一套表中没有", False),
    ]
    # 2 exact fields × 3 target villages: 6 data items the villages are not asked for; the two
    # related ones count only once confirmed.
    assert (data_request.held_count, data_request.remaining_count, data_request.not_asked) == (2, 3, 6)
    assert data_request.fields_text == "身份证号、户籍地址、是否低保、手机号、家中养狗数量"
    assert (data_request.owner, data_request.admission) == (world.civil, Admission.DRAFT)
    entry = AuditLog.objects.get(action="request.create")
    assert entry.after["not_asked"] == 6 and entry.after["target_units"] == 3


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


def test_update_keeps_a_confirmation_that_still_applies(world, villages):
    data_request = create(world, villages)
    confirm(world.civil_rep, data_request, "户籍地址")
    confirm(world.civil_rep, data_request, "是否低保")
    services.request_update(actor=world.civil_rep, data_request=data_request, definition=RequestDefinition(
        title="改", fields_text="户籍地址、手机号", target_units=villages))
    data_request.refresh_from_db()
    assert [(f.text, f.confirmed, f.held) for f in data_request.fields.all()] == [
        ("户籍地址", True, True), ("手机号", False, True)]
    assert (data_request.held_count, data_request.not_asked) == (2, 6)


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
    data_request = create(world, villages)
    confirm(world.civil_rep, data_request, "是否低保")
    data_request = approve(world, data_request)
    demands = services.request_send(actor=world.civil_rep, data_request=data_request)
    assert sorted(d.unit.code for d in demands) == sorted(v.code for v in villages)
    # 是否低保 was confirmed to come from 特殊群体; 户籍地址 was not, so it is still asked.
    assert {tuple(d.fields) for d in Demand.objects.all()} == {("户籍地址", "家中养狗数量")}
    assert {d.due_date for d in Demand.objects.all()} == {dt.date(2025, 7, 1)}
    data_request.refresh_from_db()
    assert data_request.sent_at is not None
    assert AuditLog.objects.get(action="request.send").after == {"units": 3, "fields": ["户籍地址", "家中养狗数量"]}
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
    data = {"户籍地址": "甲村1号", "是否低保": "否", "家中养狗数量": "35"}
    burden_services.demand_fill(actor=world.cun, demand=demand, data=data)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.FILLED and demand.data == data


def test_visibility(world, users, villages):
    data_request = create(world, villages)
    assert list(access.visible_requests(world.civil_rep2)) == [data_request]
    assert list(access.visible_requests(world.stats_rep)) == []
    assert list(access.visible_requests(world.cun)) == []
    assert list(access.visible_requests(world.ducha)) == [data_request]
    assert list(access.visible_requests(users["leader"])) == [data_request]
    assert Unit.objects.filter(code__startswith="4299010012").count() == 3


# -- confirming related fields


def test_the_department_confirms_a_related_field_on_its_draft(world, villages):
    data_request = create(world, villages)
    f = confirm(world.civil_rep, data_request, "是否低保")
    assert (f.confirmed, f.confirmed_by, f.held, f.outcome_label) == (True, world.civil_rep, True, "相近（已确认）")
    data_request.refresh_from_db()
    # 3 fields the ledger serves × 3 villages.
    assert (data_request.held_count, data_request.remaining_count, data_request.not_asked) == (3, 2, 9)
    entry = AuditLog.objects.get(action="request.field_confirm")
    assert (entry.actor, entry.unit) == (world.civil_rep, world.civil)
    assert entry.before == {"field": "是否低保", "confirmed": False, "held_count": 2, "not_asked": 6}
    assert entry.after == {"field": "是否低保", "element": "special_groups", "dataset": "population",
                           "confirmed": True, "held_count": 3, "not_asked": 9}
    # Confirming again changes nothing and records nothing.
    confirm(world.civil_rep, data_request, "是否低保")
    assert AuditLog.objects.filter(action="request.field_confirm").count() == 1


def test_withdrawing_a_confirmation(world, villages):
    data_request = create(world, villages)
    confirm(world.civil_rep, data_request, "户籍地址")
    f = confirm(world.civil_rep2, data_request, "户籍地址", value=False)
    data_request.refresh_from_db()
    assert (f.confirmed, f.confirmed_by, f.held, data_request.not_asked) == (False, None, False, 6)
    assert AuditLog.objects.get(action="request.field_unconfirm").after["confirmed"] is False


def test_the_supervision_office_confirms_while_reviewing(world, villages):
    data_request = create(world, villages)
    services.request_submit(actor=world.civil_rep, data_request=data_request)
    # Once submitted, the department no longer decides: the 督查室 does.
    with pytest.raises(PermissionDenied) as exc:
        confirm(world.civil_rep, data_request, "是否低保")
    assert str(exc.value) == "相近字段由提出数据需求的部门在草稿时确认，或由督查室在准入审批时确认"
    confirm(world.ducha, data_request, "是否低保")
    services.request_review(actor=world.ducha, data_request=data_request, approve=True)
    data_request.refresh_from_db()
    assert (data_request.held_count, data_request.not_asked) == (3, 9)
    assert AuditLog.objects.get(action="request.field_confirm").actor == world.ducha


def test_the_supervision_office_does_not_confirm_a_draft(world, villages):
    data_request = create(world, villages)
    with pytest.raises(PermissionDenied):
        confirm(world.ducha, data_request, "是否低保")
    assert not field(data_request, "是否低保").confirmed


def test_nothing_is_confirmed_after_approval(world, villages):
    data_request = approve(world, create(world, villages))
    with pytest.raises(ValidationError) as exc:
        confirm(world.ducha, data_request, "是否低保")
    assert exc.value.messages == ["已批准的数据需求不能再确认或撤销相近字段"]


@pytest.mark.parametrize("text", ["身份证号", "家中养狗数量"])
def test_only_related_fields_are_confirmed(world, villages, text):
    data_request = create(world, villages)
    with pytest.raises(ValidationError) as exc:
        confirm(world.civil_rep, data_request, text)
    assert exc.value.messages == ["只有“相近（需确认）”的字段需要确认"]
    assert not AuditLog.objects.filter(action="request.field_confirm").exists()


def test_another_departments_request_or_field_is_missing(world, villages):
    data_request = create(world, villages)
    with pytest.raises(Http404):
        confirm(world.stats_rep, data_request, "是否低保")
    other = create(world, villages, text="户籍地址", actor=world.civil_rep2)
    with pytest.raises(Http404):
        services.request_field_confirm(actor=world.civil_rep, data_request=data_request,
                                       field_id=field(other, "户籍地址").pk)
    assert not field(data_request, "是否低保").confirmed


def test_duplicate_fields_count_a_related_field_only_once_confirmed(world, villages):
    from qingzhuang.ledger.queries.reports import duplicate_fields

    approve(world, create(world, villages, text="居住地址", title="走访"))
    approve(world, create(world, villages, text="户籍地址", title="核查"))
    assert duplicate_fields() == []  # 户籍地址 is another fact than 居住地址
    confirmed = create(world, villages, text="户籍地址", title="复核")
    confirm(world.civil_rep, confirmed, "户籍地址")
    approve(world, confirmed)
    assert [(d.label, len(d.sources)) for d in duplicate_fields()] == [("居住地址", 2)]


def test_the_migration_classifies_fields_matched_before_outcomes(world, villages):
    from importlib import import_module

    from django.apps import apps

    from qingzhuang.ledger.models import DataRequest

    migration = import_module("qingzhuang.ledger.migrations.0011_match_outcomes")
    draft = create(world, villages, title="草稿")
    pending = create(world, villages, title="待审批")
    services.request_submit(actor=world.civil_rep, data_request=pending)
    # As matched before: 户籍地址 and 是否低保 at 1.00 through synonyms, 手机号 at 0.90, all held.
    for data_request in (draft, pending):
        data_request.fields.filter(text__in=["户籍地址", "是否低保", "身份证号"]).update(score=Decimal("1.00"))
        data_request.fields.filter(text="手机号").update(score=Decimal("0.90"))
        data_request.fields.update(outcome="none", confirmed_at=None)
    DataRequest.objects.update(held_count=4, remaining_count=1, not_asked=12)
    migration.classify_request_fields(apps, None)
    outcomes = lambda r: [(f.text, f.outcome, f.confirmed) for f in r.fields.all()]  # noqa: E731
    # A draft's fields await confirmation and its counts are recomputed: only 身份证号 is held.
    assert outcomes(draft) == [("身份证号", "exact", False), ("户籍地址", "related", False),
                               ("是否低保", "related", False), ("手机号", "related", False),
                               ("家中养狗数量", "none", False)]
    draft.refresh_from_db()
    assert (draft.held_count, draft.remaining_count, draft.not_asked) == (1, 4, 3)
    # A submitted request keeps what was counted.
    assert outcomes(pending) == [("身份证号", "exact", False), ("户籍地址", "exact", False),
                                 ("是否低保", "exact", False), ("手机号", "related", True),
                                 ("家中养狗数量", "none", False)]
    pending.refresh_from_db()
    assert (pending.held_count, pending.not_asked) == (4, 12)
