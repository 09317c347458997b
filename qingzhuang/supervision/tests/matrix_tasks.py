"""工作问效 targets of the permission matrix: a task of 甲镇 whose title names 甲村一网格 (so a leak
would show), with a node, a progress report and an evidence row."""

from __future__ import annotations

import datetime as dt

from django.db import transaction


def objects(ctx) -> dict:
    from qingzhuang.supervision.models import ProgressReport, ReportFile, Task, TaskNode

    county = ctx["county"]
    with transaction.atomic():
        task = Task.objects.create(title="甲村一网格人居环境整治", assignee=county["town_a"])
        node = TaskNode.objects.create(task=task, title="完成甲村一网格摸底", due=dt.date(2025, 6, 30))
        report = ProgressReport.objects.create(node=node, text="甲村一网格摸底已完成，张三负责")
        # A row only: the matrix writes no file.
        evidence = ReportFile.objects.create(report=report, file="supervision/evidence/matrix.png", kind="png", size=1)
    return {"task": task, "task_node": node, "task_report": report, "task_file": evidence}


def targets(ctx) -> dict:
    task, node, report = ctx["task"].pk, ctx["task_node"].pk, ctx["task_report"].pk
    return {
        "supervision:task_detail": {"pk": task}, "supervision:task_edit": {"pk": task},
        "supervision:task_cancel": {"pk": task}, "supervision:task_node_report": {"pk": node},
        "supervision:task_report_review": {"pk": report},
        "supervision:task_report_file": {"pk": report, "file": ctx["task_file"].pk},
        "api:get_task": {"task_id": task}, "api:cancel_task": {"task_id": task},
        "api:report_node": {"node_id": node}, "api:review_report": {"report_id": report},
    }
