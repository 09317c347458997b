"""The ledger's workbench to-dos (``Module.todos``): admissions waiting for the 督查室, and the
user's own imports of the last 30 days that did not land or are still waiting."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden.admission import Admission
from qingzhuang.ledger import access
from qingzhuang.ledger.models import ImportJob, JobStatus
from qingzhuang.registry import Todo

RECENT_DAYS = 30


def todos(user) -> list[Todo]:
    items = []
    if access.can_approve(user):
        reports = access.visible_reports(user).filter(admission=Admission.PENDING).count()
        requests = access.visible_requests(user).filter(admission=Admission.PENDING).count()
        if reports:
            items.append(Todo("份报表待准入审批", reports,
                              reverse("ledger:report_list") + "?admission=pending", tone="warning"))
        if requests:
            items.append(Todo("项数据需求待准入审批", requests,
                              reverse("ledger:request_list") + "?admission=pending", tone="warning"))
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    waiting = ImportJob.objects.filter(uploaded_by_id=user.pk, created_at__gte=since,
                                       status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    latest = waiting.order_by("-created_at").first()
    if latest is not None:
        items.append(Todo("个导入任务排队或处理中", waiting.count(),
                          reverse("ledger:job_detail", args=[latest.pk]), tone="secondary"))
    failed = ImportJob.objects.filter(uploaded_by_id=user.pk, created_at__gte=since,
                                      status__in=(JobStatus.REJECTED, JobStatus.FAILED))
    latest = failed.order_by("-created_at").first()
    if latest is not None:
        items.append(Todo("个导入任务未成功（近30天）", failed.count(),
                          reverse("ledger:job_detail", args=[latest.pk]), tone="danger"))
    return items
