"""工作问效: tasks with time nodes and target indicators, assigned to departments (or townships),
progress reports with evidence, review, and yellow and red cards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TaskStatus(models.TextChoices):
    ACTIVE = "active", "推进中"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已撤销"


class Task(models.Model):
    """A piece of work tracked by time node and indicator (北镇: 按时间节点和指标跟踪)."""

    title = models.CharField("任务名称", max_length=200)
    description = models.TextField("任务要求", blank=True)
    source = models.CharField("任务来源", max_length=200, blank=True)  # 县委常委会议定事项 …
    assignee = models.ForeignKey("orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey("ledger.Indicator", verbose_name="目标指标", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    target_value = models.DecimalField("目标值", max_digits=18, decimal_places=4, null=True, blank=True)
    target_text = models.CharField("目标", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="交办人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("交办时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作问效任务"
        verbose_name_plural = "工作问效任务"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("manage_task", "交办工作问效任务、审核进展"),
            ("report_task", "报送本单位工作问效任务进展"),
        ]

    def __str__(self) -> str:
        return self.title


class NodeStatus(models.TextChoices):
    OPEN = "open", "未报送"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"


class TaskNode(models.Model):
    """A time node of a task: what must be reached by ``due``."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="nodes")
    title = models.CharField("节点", max_length=200)
    due = models.DateField("完成时限")
    target_value = models.DecimalField("节点目标值", max_digits=18, decimal_places=4, null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=NodeStatus.choices, default=NodeStatus.OPEN)
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.task.title}：{self.title}"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "通过"
    RETURNED = "returned", "退回"


class ProgressReport(models.Model):
    """A progress report on a node, with evidence; the reviewer approves or returns it with guidance."""

    node = models.ForeignKey(TaskNode, on_delete=models.CASCADE, related_name="reports")
    text = models.TextField("进展情况")
    value = models.DecimalField("完成值", max_digits=18, decimal_places=4, null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)
    status = models.CharField("审核", max_length=12, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    guidance = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "进展报送"
        verbose_name_plural = "进展报送"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.node} 进展 {self.submitted_at:%Y-%m-%d}"


def _evidence_path(instance, filename: str) -> str:
    # The service makes the name random; only the month of the upload is added.
    return f"supervision/evidence/{timezone.localtime():%Y/%m}/{filename}"


class ReportFile(models.Model):
    """Evidence of a progress report, checked by its bytes (``lib.uploads``), stored under a random name."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to=_evidence_path)
    kind = models.CharField("类型", max_length=8)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"佐证材料 {self.pk}"


class CardKind(models.TextChoices):
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"


class Card(models.Model):
    """A yellow card (``QZ_TASK_YELLOW_DAYS`` days before a node still not approved) or a red card
    (the node missed). Issued once per node and kind, by ``cards_issue`` (daily, and on the pages)."""

    node = models.ForeignKey(TaskNode, on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField("类型", max_length=8, choices=CardKind.choices)
    issued_on = models.DateField("亮牌日期")
    assignee = models.ForeignKey("orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "亮牌"
        verbose_name_plural = "亮牌"
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["node", "kind"], name="supervision_card_node_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.node}"
