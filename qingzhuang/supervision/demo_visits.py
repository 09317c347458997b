"""The demo county's 一事一码 step (after the plans step, which creates approved items and issued
visits for 2024 and 2025): results for most past visits (one 检查 result with a score: 以考代督), anonymous
evaluations, verification log entries, one visit reported as unfiled (未亮码), one cancelled
visit and one extended beyond its item's targets (扩大范围). Runs as the system with a fixed-seed ``random.Random``; does nothing harmful without visits."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit, UnitKind
from qingzhuang.supervision import caps
from qingzhuang.supervision.models import (
    Evaluation,
    ItemKind,
    Verification,
    VerifyResult,
    Visit,
    VisitResult,
    VisitStatus,
)
from qingzhuang.supervision.services.visits import unfiled_report, visit_create
from qingzhuang.supervision.verify import caller_hash

KEYS = ("supervision_results", "supervision_evaluations", "supervision_verifications", "supervision_unfiled",
        "supervision_cancelled", "supervision_beyond")
FINDINGS = (
    ("未发现问题", "合格"),
    ("个别台账更新不及时，已当场指出", "基本合格"),
    ("安全隐患排查记录缺少两处签字，限期一周整改", "限期整改"),
    ("数据与系统内一致，无需另报材料", "合格"),
)
COMMENTS = ("检查组直接查系统数据，没有要求准备材料", "提前告知了检查内容，时间不长", "", "",
            "希望以后和其他部门一起来，一次查完", "陪同时间较长，耽误了半天")


# The demo county's "today": its data ends with 2025 (like the tasks' AS_OF), whatever the real date.
AS_OF = dt.date(2025, 12, 15)


def seed_step(result) -> dict[str, int]:
    rng = random.Random(12)
    today = AS_OF
    counts = dict.fromkeys(KEYS, 0)
    with transaction.atomic():
        past = list(Visit.objects.filter(status=VisitStatus.ISSUED, date__lt=today).order_by("date", "pk")
                    .prefetch_related("items"))
        results, evaluations, checks, scored = [], [], [], False
        for n, visit in enumerate(past):
            checks.append(Verification(visit=visit, result=VerifyResult.VALID, channel="page",
                                       caller=caller_hash(f"demo-{n % 7}")))
            if n % 6 == 5:
                continue  # a few stay without a result
            findings, conclusion = FINDINGS[rng.randrange(len(FINDINGS))]
            kinds = [i.kind for i in visit.items.all()]
            # Results are findings, not scores; one 检查 team scores its township all the same (以考代督).
            score = None
            if not scored and kinds == [ItemKind.INSPECT] and visit.date.year == today.year:
                score, scored = Decimal(86), True
            results.append(VisitResult(visit=visit, findings=findings, conclusion=conclusion, score=score))
            for _ in range(rng.randint(0, 3)):
                evaluations.append(Evaluation(visit=visit, rating=rng.choice((3, 4, 4, 5, 5, 5, 2)),
                                              burden_free=rng.random() < 0.75,
                                              comment=rng.choice(COMMENTS), on=visit.date + dt.timedelta(days=1)))
        VisitResult.objects.bulk_create(results)
        Visit.objects.filter(pk__in=[r.visit_id for r in results]).update(status=VisitStatus.DONE)
        Evaluation.objects.bulk_create(evaluations)
        checks.append(Verification(visit=None, result=VerifyResult.UNKNOWN, channel="page", caller=caller_hash("demo-x")))
        Verification.objects.bulk_create(checks)
        counts.update({"supervision_results": len(results), "supervision_evaluations": len(evaluations),
                       "supervision_verifications": len(checks)})
        # One visit still ahead is cancelled and gives its slot back.
        ahead = Visit.objects.filter(status=VisitStatus.ISSUED, date__gte=today).order_by("date", "pk").first()
        if ahead is not None:
            caps.give_back(ahead.unit, ahead.cap_period)
            Visit.objects.filter(pk=ahead.pk).update(status=VisitStatus.CANCELLED)
            counts["supervision_cancelled"] = 1
        # One visit came without a code: a village (else township) cadre reports it.
        cadre = (get_user_model().objects.filter(unit__kind__in=GRASSROOTS_KINDS, is_active=True)
                 .select_related("unit").order_by("-unit__depth", "pk").first())
        department = Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("path").first()
        if cadre is not None and department is not None:
            unfiled_report(actor=None, unit=cadre.unit, department=department, date=today - dt.timedelta(days=20),
                           matter="环境卫生检查", note="检查组未出示检查码，要求提供近三年会议记录", placer=cadre)
            counts["supervision_unfiled"] = 1
        counts["supervision_beyond"] = _beyond(today)
    return counts


def _beyond(today: dt.date) -> int:
    """A department extends one of its township visits to a village outside the item's targets,
    with its reason (扩大范围, flagged on the violations page)."""
    from qingzhuang.burden.admission import Admission
    from qingzhuang.supervision.models import PlanItem

    for item in (PlanItem.objects.filter(year=today.year, admission=Admission.APPROVED, target_kinds=["township"],
                                         target_units__isnull=True, window_end__lt=today)
                 .select_related("owner").order_by("window_start", "pk")):
        reporter = (get_user_model().objects.filter(unit=item.owner, groups__name="部门填报员", is_active=True)
                    .order_by("pk").first())
        village = Unit.objects.filter(kind=UnitKind.VILLAGE, is_active=True).order_by("path").last()
        if reporter is None or village is None:
            continue
        visit_create(actor=reporter, items=[item], unit=village, date=item.window_start + dt.timedelta(days=20),
                     team=f"{item.owner.name}检查组", beyond_reason="群众反映该村问题较多，顺道延伸检查")
        return 1
    return 0


def summary(result) -> str:
    c = {k: result.counts.get(k, 0) for k in KEYS}
    return (f"督查检查结果 {c['supervision_results']} 条，匿名评价 {c['supervision_evaluations']} 条，"
            f"核验记录 {c['supervision_verifications']} 条，未亮码检查 {c['supervision_unfiled']} 次，"
            f"取消检查 {c['supervision_cancelled']} 次，扩大范围 {c['supervision_beyond']} 次")
