"""The fields and states every background job shares (see ``jobs.lifecycle`` for the transitions).

``JobFields`` is abstract: a job is a row of the app that owns the work (``ledger.ImportJob``, or
``assistant.PolicyDocument``, whose indexing is its job). A model may name its states with its own
``TextChoices`` (other values and labels, the same member names QUEUED, RUNNING, SUCCEEDED, FAILED
and optionally REJECTED) by overriding ``status`` and setting ``Status``.
"""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    SUCCEEDED = "succeeded", "已完成"
    # Finished, but the input was refused (nothing done): a problem of the input, not of the system.
    REJECTED = "rejected", "未通过校验"
    FAILED = "failed", "处理失败"


STALE_MESSAGE = "任务已中断（服务重启或处理进程退出），请重试"


class JobFields(models.Model):
    """A background job: its state, progress, timestamps, error and attempts."""

    # The model's states (member names as in JobStatus) and its texts; see the module docstring.
    Status = JobStatus
    # What a job left running by a dead worker says once marked failed (``lifecycle.mark_if_stale``).
    stale_message = STALE_MESSAGE
    # A setting (minutes) that overrides QZ_JOB_STALE_MINUTES for this model, when it is set.
    stale_setting = ""

    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    # Progress: ``progress_done`` of ``progress_total`` (0 when unknown) and the stage in ``message``,
    # which after the end says how it ended.
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    message = models.TextField("说明", blank=True)
    # The technical cause of a failure, for administrators (users see ``message``).
    error = models.TextField("错误详情", blank=True)
    # Runs claimed so far; the running one's number fences off writes of an older run.
    attempts = models.PositiveIntegerField("运行次数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    # The last sign of life of the running worker (claim, every progress): how dead workers are found.
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    # The django-tasks result id of the task run that claimed the job (blank when run inline): when the
    # job is found dead, that task's own row (django-tasks-db) is failed with it.
    task_id = models.CharField("后台任务编号", max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def is_queued(self) -> bool:
        return self.status == self.Status.QUEUED

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING

    @property
    def is_succeeded(self) -> bool:
        return self.status == self.Status.SUCCEEDED

    @property
    def is_rejected(self) -> bool:
        return self.status == getattr(self.Status, "REJECTED", None)

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_finished(self) -> bool:
        return self.status in finished_states(type(self))

    @property
    def progress_percent(self) -> int:
        """0–100 for the bar: 100 once finished, at most 99 while not."""
        if self.is_finished:
            return 100
        if not self.progress_total:
            return 0
        return min(99, self.progress_done * 100 // self.progress_total)


def finished_states(model) -> tuple[str, ...]:
    """The values of ``model``'s final states (succeeded, rejected if it has one, failed)."""
    states = model.Status
    return tuple(getattr(states, name) for name in ("SUCCEEDED", "REJECTED", "FAILED") if hasattr(states, name))
