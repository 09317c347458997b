"""Violation detection of 督查检查考核 (雅安: 计划外开展、以考代督、拆分执行、扩大范围; 只减不增).

Each rule is a function of the year's rows, answered as ``burden.alerts.Alert``s, so the 督查室's
violations page, the API and the county's 减负预警 page (``burden.alerts.register_source``) read the
same list. The rules, exactly:

- ``supervision.no_code`` 无码检查（计划外开展）: a visit that happened without a code — reported by
  the visited unit as 检查组未出示检查码, or recorded as done without having been issued.
- ``supervision.assess_as_inspect`` 以考代督: a 督查 or 检查 item (not 考核) whose visit result carries a
  score (unless that visit also covers a 考核 item), or whose title names 考核、评比、打分、排名 (scoring units under the name of an inspection).
- ``supervision.split`` 拆分执行: one department's approved items of one year on the same matter
  (检查事项) with overlapping windows — one matter split into several items.
- ``supervision.beyond`` 扩大范围: a visit to a unit outside its items' targets (with the reason given).
- ``supervision.over_last_year`` 年度总数超过上年: the year's approved items (in the plan and one-offs)
  outnumber last year's (a warning once the 督查室 has recorded its explanation, a breach before).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse

from qingzhuang.burden.admission import Admission
from qingzhuang.burden.alerts import Alert
from qingzhuang.supervision.models import ItemKind, PlanItem, PlanYear, Visit, VisitStatus
from qingzhuang.supervision.services.plans import approved_count

RULES = {
    "supervision.no_code": "无码检查（计划外开展）",
    "supervision.assess_as_inspect": "以考代督",
    "supervision.split": "拆分执行",
    "supervision.beyond": "扩大范围",
    "supervision.over_last_year": "年度总数超过上年",
}
SCORING_WORDS = re.compile(r"考核|评比|打分|排名")


# Approved items of a year: the annual plan and the approved one-offs (一事一报).
year_total = approved_count


def _visits(year: int):
    return (Visit.objects.filter(date__year=year).exclude(status=VisitStatus.CANCELLED)
            .select_related("unit", "lead").prefetch_related("items"))


def no_code(year: int) -> list[Alert]:
    found = []
    visits = _visits(year).filter(Q(status=VisitStatus.UNFILED) | Q(status=VisitStatus.DONE, code=""))
    for visit in visits:
        what = "、".join(i.title for i in visit.items.all()) or (visit.reported_note or "未说明检查内容")
        how = "被检查单位报告检查组未出示检查码" if visit.status == VisitStatus.UNFILED else "未签发检查码即开展检查"
        found.append(Alert(rule="supervision.no_code", rule_name=RULES["supervision.no_code"],
                           subject=f"{visit.lead.name} → {visit.unit.name}", message=f"{how}：{what}"[:300],
                           unit_name=visit.lead.name, url=reverse("supervision:visit_detail", args=[visit.pk]),
                           on=visit.date, level="danger"))
    return found


def assess_as_inspect(year: int) -> list[Alert]:
    found = []
    items = (PlanItem.objects.filter(year=year, admission=Admission.APPROVED)
             .exclude(kind=ItemKind.ASSESS).select_related("owner"))
    scored = defaultdict(list)
    for visit in _visits(year).filter(result__score__isnull=False).select_related("result"):
        covered = list(visit.items.all())
        if any(item.kind == ItemKind.ASSESS for item in covered):
            continue  # a joint visit that includes an assessment may score for that assessment
        for item in covered:
            scored[item.pk].append(visit)
    for item in items:
        reasons = []
        if SCORING_WORDS.search(item.title):
            reasons.append(f"{item.get_kind_display()}事项名称含“{SCORING_WORDS.search(item.title)[0]}”")
        if visits := scored.get(item.pk):
            reasons.append(f"{len(visits)} 次检查结果给被检查单位打了分")
        if reasons:
            found.append(Alert(rule="supervision.assess_as_inspect", rule_name=RULES["supervision.assess_as_inspect"],
                               subject=f"{item.owner.name} {item.title}", message="；".join(reasons),
                               unit_name=item.owner.name, url=reverse("supervision:item_detail", args=[item.pk]),
                               on=item.window_start, level="danger"))
    return found


def split(year: int) -> list[Alert]:
    found = []
    groups = defaultdict(list)
    for item in (PlanItem.objects.filter(year=year, admission=Admission.APPROVED)
                 .select_related("owner").order_by("window_start", "pk")):
        groups[(item.owner_id, item.matter.strip())].append(item)
    for items in groups.values():
        # Items of one owner and matter whose windows overlap one another, in chains.
        chain: list[PlanItem] = []
        for item in items:
            if chain and item.window_start > max(i.window_end for i in chain):
                _report_split(chain, found)
                chain = []
            chain.append(item)
        _report_split(chain, found)
    return found


def _report_split(chain: list[PlanItem], found: list[Alert]) -> None:
    if len(chain) < 2:
        return
    first = chain[0]
    titles = "、".join(f"“{i.title}”" for i in chain)
    found.append(Alert(rule="supervision.split", rule_name=RULES["supervision.split"],
                       subject=f"{first.owner.name} {first.matter}",
                       message=f"同一事项“{first.matter}”在重叠的时间窗口内分成 {len(chain)} 项：{titles}",
                       unit_name=first.owner.name, url=reverse("supervision:item_detail", args=[first.pk]),
                       on=first.window_start, level="danger"))


def beyond(year: int) -> list[Alert]:
    found = []
    for visit in _visits(year).exclude(beyond_reason=""):
        titles = "、".join(i.title for i in visit.items.all())
        found.append(Alert(rule="supervision.beyond", rule_name=RULES["supervision.beyond"],
                           subject=f"{visit.lead.name} → {visit.unit.name}",
                           message=f"{visit.unit.name}不在“{titles}”的检查对象内；说明：{visit.beyond_reason}"[:300],
                           unit_name=visit.lead.name, url=reverse("supervision:visit_detail", args=[visit.pk]),
                           on=visit.date, level="danger"))
    return found


def over_last_year(year: int) -> list[Alert]:
    this, last = year_total(year), year_total(year - 1)
    if not last or this <= last:
        return []
    plan = PlanYear.objects.filter(year=year).exclude(explanation="").first()
    message = f"{year}年批准 {this} 项，上年 {last} 项，多 {this - last} 项"
    message += f"；说明：{plan.explanation}" if plan else "；未作书面说明"
    return [Alert(rule="supervision.over_last_year", rule_name=RULES["supervision.over_last_year"],
                  subject=f"{year}年度督查检查考核计划", message=message[:300], unit_name="督查室",
                  url=reverse("supervision:violations"), on=dt.date(year, 1, 1),
                  level="warning" if plan else "danger")]


def alerts(*, year: int) -> list[Alert]:
    """Every violation of ``year``, newest first (the 减负预警 source of this app)."""
    found = [*no_code(year), *assess_as_inspect(year), *split(year), *beyond(year), *over_last_year(year)]
    return sorted(found, key=lambda a: (a.on or dt.date.min, a.rule), reverse=True)
