"""The runs' objects and targets of the permission matrix: a published run of a 2025 scheme with a line
of 甲镇 (its detail naming 甲村一网格 and 张三), an unpublished run, and an appeal of 甲镇's member."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone


def objects(ctx) -> dict:
    from qingzhuang.assessment.models import Appeal, Run, RunLine, Scheme

    county, users = ctx["county"], ctx["users"]
    with transaction.atomic():
        scheme = Scheme.objects.create(code="matrix-runs-2025", name="矩阵测试方案", year=2025,
                                       target_kinds=["township"], owner=county["root"])
        published = Run.objects.create(scheme=scheme, number=1, status="succeeded", published_at=timezone.now(),
                                       appeal_until=timezone.localdate())
        draft = Run.objects.create(scheme=scheme, number=2, status="succeeded", based_on=published)
        detail = {"parts": {}, "indicators": [], "spot_checks": [{"id": 1, "scene": "甲村一网格走访张三"}],
                  "adjustments": [], "trend": None}
        line = RunLine.objects.create(run=published, unit=county["town_a"], daily=Decimal("90"), total=Decimal("90"),
                                      rank=1, grade="优秀", detail=detail, flags=["甲村一网格"])
        draft_line = RunLine.objects.create(run=draft, unit=county["town_a"], daily=Decimal("91"),
                                            total=Decimal("91"), rank=1, grade="优秀", detail=detail)
        appeal = Appeal.objects.create(line=line, reason="甲村一网格张三的数据有误", filed_by=users["member"])
    return {"runs_published": published, "runs_draft": draft, "runs_line": line, "runs_draft_line": draft_line,
            "runs_appeal": appeal}


def targets(ctx) -> dict:
    published, draft = ctx["runs_published"].pk, ctx["runs_draft"].pk
    line, appeal = ctx["runs_line"].pk, ctx["runs_appeal"].pk
    return {
        "assessment:run_publish": {"pk": draft},
        "assessment:run_delete": {"pk": draft},
        "assessment:run_diff": {"pk": draft},
        "assessment:appeal_answer": {"pk": appeal},
        "assessment:appeal_file": {"pk": line},
        "api:get_run": {"run_id": published},
        "api:publish_run": {"run_id": draft},
        "api:list_lines": {"run_id": published},
        "api:get_line": {"line_id": line},
        "api:diff_runs": {"run_id": draft},
        "api:answer_appeal": {"appeal_id": appeal},
    }
