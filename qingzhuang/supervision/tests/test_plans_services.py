"""The annual plan and merges: proposing, admitting, the year's total (只减不增), one-offs and
merged visits (一支队伍一次完成)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from qingzhuang.burden import queries as burden_queries
from qingzhuang.burden.admission import Admission
from qingzhuang.burden.models import Demand, DemandKind
from qingzhuang.burden.services import weights
from qingzhuang.orgs.models import AuditLog
from qingzhuang.supervision import access, codes
from qingzhuang.supervision.models import MergeProposal, MergeStatus, PlanYear, Visit, VisitStatus
from qingzhuang.supervision.services import plans
from qingzhuang.supervision.services.visits import visit_create, visit_issue
from qingzhuang.supervision.tests.conftest import make_item


def _data(**extra) -> plans.ItemData:
    values = {"title": "秸秆禁烧督查", "basis": "县委常委会议定事项", "kind": "supervise", "matter": "秸秆禁烧",
              "window": "2025-06", "target_kinds": ["township"]}
    values.update(extra)
    return plans.ItemData(**values)


def _pending(sv, **extra):
    item = plans.item_create(actor=sv["stats_reporter"], data=_data(**extra))
    return plans.item_submit(actor=sv["stats_reporter"], item=item)


def test_a_department_proposes_submits_and_the_office_approves(sv, county):
    item = plans.item_create(actor=sv["stats_reporter"], data=_data(target_units=[county["village_a"]]))
    assert (item.owner, item.year, item.window_start, item.window_end) == (
        county["stats"], 2025, dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    assert item.admission == Admission.DRAFT and item.materials == ""
    plans.item_submit(actor=sv["stats_reporter"], item=item)
    plans.item_review(actor=sv["office"], item=item, approve=True)
    item.refresh_from_db()
    assert item.admission == Admission.APPROVED and item.reviewed_by == sv["office"]
    assert set(AuditLog.objects.filter(object_id=str(item.pk)).values_list("action", flat=True)) >= {
        "plan_item.create", "plan_item.submit", "plan_item.approve"}


@pytest.mark.parametrize(("extra", "field", "message"), [
    ({"title": " "}, "title", plans.M_TITLE),
    ({"kind": "audit"}, "kind", plans.M_KIND),
    ({"window": "2025-13"}, "window", plans.M_WINDOW),
    ({"target_kinds": []}, "target_units", plans.M_TARGETS),
    ({"target_kinds": ["department"]}, "target_kinds", plans.M_TARGET_KINDS),
    ({"in_plan": False}, "oneoff_reason", plans.M_ONEOFF),
])
def test_bad_items_are_refused_by_field(sv, extra, field, message):
    with pytest.raises(ValidationError) as caught:
        plans.item_create(actor=sv["stats_reporter"], data=_data(**extra))
    assert caught.value.message_dict[field] == [message]


def test_targets_are_grassroots_units_only(sv, county):
    with pytest.raises(ValidationError) as caught:
        plans.item_create(actor=sv["stats_reporter"], data=_data(target_units=[county["stats"]]))
    assert caught.value.message_dict["target_units"] == ["填报单位只能是乡镇（街道）、村（社区）或网格：县统计局"]


def test_only_a_department_proposes_and_only_its_own(sv, users):
    with pytest.raises(PermissionDenied):
        plans.item_create(actor=users["member"], data=_data())
    item = plans.item_create(actor=sv["stats_reporter"], data=_data())
    with pytest.raises(PermissionDenied):
        plans.item_update(actor=sv["agri_reporter"], item=item, data=_data(title="改"))
    with pytest.raises(PermissionDenied):
        plans.item_submit(actor=sv["agri_reporter"], item=item)


def test_other_departments_items_are_invisible(sv, county, users):
    assert list(access.visible_items(sv["stats_reporter"])) == [sv["stats_item"]]
    with pytest.raises(Http404):
        access.get_item_or_404(sv["stats_reporter"], sv["agri_item"].pk)
    assert access.visible_items(sv["office"]).count() == 2
    # A township cadre sees the approved items targeting townships; 乙镇's village item is not 甲镇's.
    assert set(access.visible_items(users["member"])) == {sv["stats_item"], sv["agri_item"]}
    village_item = make_item(owner=county["stats"], title="乙村检查", target_kinds=(), targets=[county["village_b"]])
    with pytest.raises(Http404):
        access.get_item_or_404(users["member"], village_item.pk)


def test_only_the_office_reviews_and_rejection_needs_a_reason(sv):
    item = _pending(sv)
    with pytest.raises(PermissionDenied):
        plans.item_review(actor=sv["stats_reporter"], item=item, approve=True)
    with pytest.raises(ValidationError) as caught:
        plans.item_review(actor=sv["office"], item=item, approve=False, note=" ")
    assert caught.value.message_dict["note"] == ["驳回时请写明理由"]
    plans.item_review(actor=sv["office"], item=item, approve=False, note="与耕地保护检查重复")
    item.refresh_from_db()
    assert item.admission == Admission.REJECTED
    updated = plans.item_update(actor=sv["stats_reporter"], item=item, data=_data(title="秸秆禁烧督查（修改）"))
    assert updated.title == "秸秆禁烧督查（修改）"


def test_approved_items_cannot_be_edited(sv):
    with pytest.raises(ValidationError) as caught:
        plans.item_update(actor=sv["stats_reporter"], item=sv["stats_item"], data=_data())
    assert caught.value.messages == [plans.M_EDITABLE]


def test_approving_beyond_last_years_total_needs_the_explanation(sv, county):
    # 2024: 2 items; 2025 already has 2 (the fixture's): a third one exceeds last year's total.
    make_item(owner=county["stats"], window="2024-Q2", title="2024 统计执法检查")
    make_item(owner=sv["agri"], window="2024-Q3", title="2024 耕地保护检查")
    item = _pending(sv)
    with pytest.raises(ValidationError) as caught:
        plans.item_review(actor=sv["office"], item=item, approve=True)
    assert caught.value.messages == [
        "批准后2025年督查检查考核事项将为 3 项，超过2024年的 2 项（年度总数只减不增）；须先由督查室在年度计划页填写书面说明"]
    item.refresh_from_db()
    assert item.admission == Admission.PENDING
    with pytest.raises(ValidationError) as caught:
        plans.plan_year_explain(actor=sv["office"], year=2025, text="  ")
    assert caught.value.message_dict["explanation"] == [plans.M_EXPLANATION]
    with pytest.raises(PermissionDenied):
        plans.plan_year_explain(actor=sv["stats_reporter"], year=2025, text="说明")
    plans.plan_year_explain(actor=sv["office"], year=2025, text="新增秸秆禁烧专项督查，为省委部署")
    assert AuditLog.objects.filter(action="plan_year.explain").count() == 1
    plans.item_review(actor=sv["office"], item=item, approve=True)
    totals = plans.year_totals(2025)
    assert (totals.total, totals.last_year, totals.over, totals.change) == (3, 2, True, "+50.0%")
    assert PlanYear.objects.get(year=2025).explanation.startswith("新增")


def test_a_oneoff_counts_in_the_total_and_keeps_its_reason(sv):
    item = _pending(sv, in_plan=False, oneoff_reason="突发事件后的专项检查")
    plans.item_review(actor=sv["office"], item=item, approve=True)
    totals = plans.year_totals(2025)
    assert (totals.total, totals.in_plan, totals.oneoff) == (3, 2, 1)
    item.refresh_from_db()
    assert item.oneoff_reason == "突发事件后的专项检查"


# -- merges --------------------------------------------------------------------------------------


def test_overlapping_items_are_proposed_once(sv, county):
    found = plans.merges_find(year=2025)
    assert len(found) == 1
    proposal = found[0]
    towns = {county["town_a"], county["town_b"]}
    assert set(proposal.items.all()) == {sv["stats_item"], sv["agri_item"]}
    assert set(proposal.units.all()) == towns
    assert (proposal.window_start, proposal.window_end) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert proposal.visits_saved == 2 and proposal.key == plans.merge_key([sv["stats_item"], sv["agri_item"]])
    assert plans.merges_find(year=2025) == []


def test_items_without_overlap_are_not_proposed(sv, county):
    MergeProposal.objects.all().delete()
    sv["agri_item"].window, sv["agri_item"].window_start, sv["agri_item"].window_end = (
        "2025-Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    sv["agri_item"].save()
    make_item(owner=sv["agri"], title="甲村检查", target_kinds=(), targets=[county["village_a"]])
    assert plans.merges_find(year=2025) == []


def test_approving_an_item_looks_for_merges(sv):
    item = _pending(sv, window="2025-Q2")
    plans.item_review(actor=sv["office"], item=item, approve=True)
    assert MergeProposal.objects.get().items.count() == 3


def test_accepting_a_merge_issues_one_joint_visit_per_unit(sv, county):
    proposal = plans.merges_find(year=2025)[0]
    plans.merge_accept(actor=sv["office"], proposal=proposal, lead=sv["agri"], date=dt.date(2025, 5, 12),
                       team="")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.team) == (MergeStatus.ACCEPTED, "县农业农村局牵头联合检查组")
    visits = list(Visit.objects.order_by("unit__path"))
    assert [v.unit for v in visits] == [county["town_a"], county["town_b"]]
    assert all(v.status == VisitStatus.ISSUED and codes.normalise(v.code) == v.code and v.merge == proposal
               and v.items.count() == 2 and v.lead == sv["agri"] for v in visits)
    assert len({v.code for v in visits}) == 2
    demands = Demand.objects.filter(kind=DemandKind.INSPECTION)
    assert sorted(d.unit.name for d in demands) == ["乙镇", "甲镇"]
    removed = [r for r in burden_queries.removed_burden(year=2025) if r.label == "合并检查减少进门"]
    assert [(r.count, r.unit) for r in removed] == [(2, "次")]
    assert removed[0].hours == 2 * weights()[DemandKind.INSPECTION]


def test_a_full_cap_rolls_the_whole_acceptance_back(sv, county):
    proposal = plans.merges_find(year=2025)[0]
    other = make_item(owner=county["stats"], title="统计执法回访", matter="统计执法回访", target_kinds=(),
                      targets=[county["town_b"]])
    visit_issue(actor=sv["office"], visit=visit_create(actor=sv["office"], items=[other], unit=county["town_b"],
                                                       date=dt.date(2025, 4, 20)))
    with pytest.raises(ValidationError) as caught:
        plans.merge_accept(actor=sv["office"], proposal=proposal, lead=county["stats"], date=dt.date(2025, 5, 12))
    assert caught.value.message_dict["date"] == [
        "乙镇无法签发检查码，本次合并检查未执行：乙镇在2025-Q2已有 1 次检查，达到频次上限（每个单位每季度最多 1 次），"
        "不能再签发检查码；请与已安排的检查合并或改期"]
    proposal.refresh_from_db()
    assert proposal.status == MergeStatus.PROPOSED
    assert Visit.objects.filter(merge__isnull=False).count() == 0
    assert Demand.objects.count() == 1


def test_merge_decisions_are_checked(sv, county):
    proposal = plans.merges_find(year=2025)[0]
    with pytest.raises(PermissionDenied):
        plans.merge_accept(actor=sv["stats_reporter"], proposal=proposal, lead=county["stats"], date=sv["day"])
    with pytest.raises(ValidationError) as caught:
        plans.merge_accept(actor=sv["office"], proposal=proposal, lead=county["office"], date=dt.date(2025, 7, 1))
    assert caught.value.message_dict == {"lead": [plans.M_LEAD], "date": ["检查日期应在 2025-04-01 到 2025-06-30 之间"]}
    with pytest.raises(ValidationError) as caught:
        plans.merge_reject(actor=sv["office"], proposal=proposal, reason="")
    assert caught.value.message_dict["note"] == [plans.M_REJECT]
    plans.merge_reject(actor=sv["office"], proposal=proposal, reason="两个事项检查重点不同")
    with pytest.raises(ValidationError) as caught:
        plans.merge_reject(actor=sv["office"], proposal=proposal, reason="再次")
    assert caught.value.messages == [plans.M_DECIDED]
    assert plans.merges_find(year=2025) == []  # the same group is not proposed again
