"""The document registry (发文登记): rules on each row, the yearly count rule, demands, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from conftest import make_user
from qingzhuang.burden import access, queries_documents
from qingzhuang.burden.models import Demand, DemandKind, Document, DocumentKind
from qingzhuang.burden.services import documents as services
from qingzhuang.orgs.models import AuditLog
from qingzhuang.orgs.roles import GRASSROOTS, REPORTER

ON = dt.date(2025, 3, 18)


def data(issuer, number="青民发〔2025〕1号", *, kind=DocumentKind.SPECIAL, chars=3000, on=ON, targets=(),
         materials=False, notice=None, title="关于做好春季防火工作的通知") -> services.DocumentData:
    return services.DocumentData(issuer=issuer, number=number, title=title, issued_on=on, kind=kind, chars=chars,
                                 demands_materials=materials, target_units=list(targets), notice_would_do=notice)


def register(actor, issuer, **kwargs) -> Document:
    return services.document_create(actor=actor, data=data(issuer, **kwargs))


def rules(year=2025, *, yearly: bool = False) -> list[tuple[str, str, str]]:
    """The alerts of ``year`` (without the yearly count rule unless ``yearly``)."""
    return sorted((a.rule, a.message, a.level) for a in queries_documents.alerts(year=year)
                  if yearly or a.rule != "document.over_last_year")


@pytest.mark.parametrize(("kind", "chars", "flags"), [
    (DocumentKind.SPECIAL, 4000, []),
    (DocumentKind.SPECIAL, 4001, ["document.special_too_long"]),
    (DocumentKind.COMPREHENSIVE, 5000, []),
    (DocumentKind.COMPREHENSIVE, 5001, ["document.comprehensive_too_long"]),
    (DocumentKind.COMPREHENSIVE, 4001, []),
])
def test_length_thresholds(placing, kind, chars, flags):
    document = register(placing["rep"], placing["civil"], kind=kind, chars=chars)
    assert document.flags == flags


def test_length_alerts_name_the_figures(placing):
    register(placing["rep"], placing["civil"], number="青民发〔2025〕1号", chars=4312)
    register(placing["rep"], placing["civil"], number="青民发〔2025〕2号", kind=DocumentKind.COMPREHENSIVE, chars=5001)
    found = {a.rule: a for a in queries_documents.alerts(year=2025)}
    assert found["document.special_too_long"].message == "专项文件 4,312 字，超过 4,000 字"
    assert found["document.special_too_long"].rule_name == "专项文件超过4000字"
    assert found["document.comprehensive_too_long"].message == "综合性文件 5,001 字，超过 5,000 字"
    assert found["document.special_too_long"].subject == "县民政局 青民发〔2025〕1号 关于做好春季防火工作的通知"
    assert found["document.special_too_long"].level == "danger"


def _issue(placing, year: int, count: int, start: int = 1):
    for n in range(start, start + count):
        register(placing["ducha"], placing["civil"], number=f"青民发〔{year}〕{n}号", on=dt.date(year, 1 + n % 12, 5))


def test_yearly_count_equal_is_no_alert(placing):
    _issue(placing, 2024, 3)
    _issue(placing, 2025, 3)
    assert rules(yearly=True) == []
    assert queries_documents.document_count(year=2025) == 3
    assert queries_documents.document_counts_by_issuer(year=2024) == {placing["civil"].pk: 3}


def test_yearly_count_one_more_alerts_until_explained(placing):
    _issue(placing, 2024, 3)
    _issue(placing, 2025, 4)
    found = queries_documents.alerts(year=2025)
    assert [(a.rule, a.rule_name, a.message, a.unit_name, a.level) for a in found] == [
        ("document.over_last_year", "发文数量超过上年且未说明", "2025年已发文 4 件，2024年全年 3 件，未书面说明", "县民政局",
         "danger")]
    # It appeared with the 4th document of the year (issued 2025-05-05).
    assert found[0].on == dt.date(2025, 5, 5)
    assert found[0].url == f"/burden/documents/explain/{placing['civil'].code}/2025/"
    services.document_explain(actor=placing["rep"], issuer=placing["civil"], year=2025, text="新增防汛专项任务")
    assert rules(yearly=True) == []
    assert AuditLog.objects.filter(action="document.explain").count() == 1


def test_explanation_by_another_unit_refused_and_empty_text(placing, county):
    other = make_user("statrep", county["stats"], REPORTER)
    with pytest.raises(PermissionDenied, match="只能说明本单位的发文数量"):
        services.document_explain(actor=other, issuer=placing["civil"], year=2025, text="说明")
    with pytest.raises(ValidationError) as error:
        services.document_explain(actor=placing["rep"], issuer=placing["civil"], year=2025, text="  ")
    assert error.value.message_dict == {"text": ["请填写书面说明（最多 2000 字）"]}


def test_materials_reaching_grassroots_is_a_warning(placing, county):
    register(placing["rep"], placing["civil"], number="青民发〔2025〕1号", materials=True)
    assert rules() == []  # not reaching the grassroots: nothing asked of them
    register(placing["rep"], placing["civil"], number="青民发〔2025〕2号", materials=True,
             targets=[county["village_a"], county["village_b"]])
    assert rules() == [("document.materials", "要求下发的 2 个基层单位报送材料", "warning")]


def test_notice_judgement_only_by_monitor_or_supervision(placing, users):
    with pytest.raises(PermissionDenied, match="只有减负监测员或督查室可以判定“可用通知代替”"):
        register(placing["rep"], placing["civil"], notice=True)
    document = register(placing["rep"], placing["civil"])
    with pytest.raises(PermissionDenied):
        services.document_judge(actor=placing["rep"], document=document, notice_would_do=True)
    document = services.document_judge(actor=users["monitor"], document=document, notice_would_do=True)
    assert document.flags == ["document.notice"]
    assert rules() == [("document.notice", "减负监测认定该文件可用通知代替", "warning")]
    # A reporter's correction keeps the monitor's judgement.
    document = services.document_update(actor=placing["rep"], document=document, data=data(placing["civil"], chars=10))
    assert document.notice_would_do is True


def test_demands_placed_once_per_unit(placing, county):
    document = register(placing["rep"], placing["civil"], targets=[county["village_a"], county["town_b"]])
    demands = Demand.objects.filter(source_id=document.pk, kind=DemandKind.DOCUMENT).order_by("unit__path")
    assert [(d.unit, d.month, d.placed_by, d.hours, d.hours_fixed, d.status) for d in demands] == [
        (county["village_a"], "2025-03", placing["civil"], Decimal("1.00"), False, "counted"),
        (county["town_b"], "2025-03", placing["civil"], Decimal("1.00"), False, "counted"),
    ]
    assert demands[0].title == "青民发〔2025〕1号 关于做好春季防火工作的通知"
    # A correction with the same targets asks nobody again; an added unit is asked once.
    services.document_update(actor=placing["rep"], document=document,
                             data=data(placing["civil"], targets=[county["village_a"], county["town_b"]]))
    assert Demand.objects.filter(source_id=document.pk, kind=DemandKind.DOCUMENT).count() == 2
    services.document_update(actor=placing["rep"], document=document, data=data(
        placing["civil"], targets=[county["village_a"], county["town_b"], county["village_b"]]))
    assert Demand.objects.filter(source_id=document.pk, kind=DemandKind.DOCUMENT).count() == 3


def test_materials_cost_two_hours_more(placing, county):
    document = register(placing["rep"], placing["civil"], materials=True, targets=[county["village_a"]])
    demand = Demand.objects.get(source_id=document.pk, kind=DemandKind.DOCUMENT)
    assert (demand.hours, demand.hours_fixed) == (Decimal("3.00"), True)


def test_asked_units_cannot_be_removed(placing, county):
    document = register(placing["rep"], placing["civil"], targets=[county["village_a"]])
    with pytest.raises(ValidationError) as error:
        services.document_update(actor=placing["rep"], document=document, data=data(placing["civil"]))
    assert error.value.message_dict == {"target_units": ["已经下发到这些单位，不能移除：甲村"]}


def test_targets_must_be_grassroots(placing, county):
    with pytest.raises(ValidationError) as error:
        register(placing["rep"], placing["civil"], targets=[county["stats"]])
    assert error.value.message_dict == {"target_units": ["填报单位只能是乡镇（街道）、村（社区）或网格：县统计局"]}


@pytest.mark.parametrize(("number", "message"), [
    ("2025年1号", services.M_NUMBER),
    ("青民发〔2024〕1号", "文号中的年份（2024）与印发日期的年份（2025）不一致"),
])
def test_bad_numbers(placing, number, message):
    with pytest.raises(ValidationError) as error:
        register(placing["rep"], placing["civil"], number=number)
    assert error.value.message_dict == {"number": [message]}


def test_number_normalised_and_unique_per_issuer(placing):
    document = register(placing["rep"], placing["civil"], number="青民发[2025]第03号")
    assert document.number == "青民发〔2025〕3号"
    with pytest.raises(ValidationError) as error:
        register(placing["rep"], placing["civil"], number="青民发（2025）3号")
    assert error.value.message_dict == {"number": ["县民政局的文号 青民发〔2025〕3号 已经登记过"]}


def test_grassroots_and_other_department_refused(placing, county):
    with pytest.raises(PermissionDenied, match="没有登记发文的权限"):
        register(placing["cun"], placing["civil"])
    with pytest.raises(PermissionDenied, match="只能登记本单位的发文"):
        register(placing["rep"], county["stats"], number="青统发〔2025〕1号")
    with pytest.raises(ValidationError) as error:
        register(placing["ducha"], county["town_a"], number="甲镇发〔2025〕1号")
    assert error.value.message_dict == {"issuer": [services.M_ISSUER_KIND]}


def test_scope_of_documents(placing, county):
    reaching = register(placing["rep"], placing["civil"], number="青民发〔2025〕1号", targets=[county["village_a"]])
    own = register(placing["rep"], placing["civil"], number="青民发〔2025〕2号")
    other = make_user("statrep", county["stats"], REPORTER)
    assert set(access.visible_documents(placing["rep"])) == {reaching, own}
    assert set(access.visible_documents(placing["ducha"])) == {reaching, own}
    assert list(access.visible_documents(placing["town_a_rep"])) == [reaching]
    assert list(access.visible_documents(placing["cun_b"])) == []
    assert list(access.visible_documents(other)) == []
    with pytest.raises(Http404):
        access.get_document_or_404(other, own.pk)
    with pytest.raises(Http404):
        services.document_update(actor=other, document=own, data=data(placing["civil"], number="青民发〔2025〕2号"))


def test_system_cannot_place(placing, county):
    with pytest.raises(ValidationError) as error:
        register(None, placing["civil"], targets=[county["village_a"]])
    assert error.value.message_dict == {"target_units": [services.M_SYSTEM_TARGETS]}


def test_audit_of_create_and_update(placing):
    document = register(placing["rep"], placing["civil"])
    services.document_update(actor=placing["rep"], document=document, data=data(placing["civil"], chars=4500))
    entry = AuditLog.objects.get(action="document.update")
    assert (entry.before["chars"], entry.after["chars"], entry.after["flags"]) == (3000, 4500,
                                                                                  ["document.special_too_long"])


def test_grassroots_role_has_no_register_permission(county):
    cadre = make_user("cadre", county["town_a"], GRASSROOTS)
    assert not cadre.has_perm(access.MANAGE_DOCUMENTS)
    assert cadre.has_perm(access.SEND_CIRCULATION)
