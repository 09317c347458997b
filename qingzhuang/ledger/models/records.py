"""Records of the ledger, their history, the indicator database and import jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qingzhuang.jobs.models import JobFields, JobStatus  # noqa: F401  (JobStatus: ledger.models.JobStatus)


class Record(models.Model):
    """One row of a ``records`` dataset. ``data`` maps element codes to normalised text values.

    ``key`` is the normalised key column value(s) joined by "|": re-importing a row with the
    same key updates it instead of duplicating it.
    """

    # No single-column indexes on the foreign keys: every query of records names the dataset, and
    # the unique (dataset, key) and (dataset, unit, id) indexes serve them; each index fewer to
    # maintain makes bulk imports faster (on SQLite the unit and job indexes cost a quarter of
    # the write). Deleting a unit or a job, which needs a scan, is rare and small next to that.
    dataset = models.ForeignKey("ledger.Dataset", on_delete=models.PROTECT, related_name="records", db_index=False)
    unit = models.ForeignKey("orgs.Unit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    key = models.CharField("主键", max_length=200)
    data = models.JSONField("数据", default=dict)
    version = models.PositiveIntegerField("版本", default=1)
    job = models.ForeignKey("ledger.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "记录"
        verbose_name_plural = "记录"
        constraints = [models.UniqueConstraint(fields=["dataset", "key"], name="record_unique_key")]
        # The dataset page filters by dataset and unit and pages by id.
        indexes = [
            models.Index(fields=["dataset", "unit", "id"], name="record_dataset_unit_idx"),
            # The unfiltered dataset page ("WHERE dataset_id = ? ORDER BY id LIMIT 51"): without it
            # SQLite sorts the whole dataset (0.5 s at 1.2 million rows) for every first page.
            models.Index(fields=["dataset", "id"], name="record_dataset_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.key}"


class RecordChange(models.Model):
    """History of a record: who changed which values, from what, to what."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField("版本")
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    job = models.ForeignKey("ledger.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)

    class Meta:
        verbose_name = "记录变更"
        verbose_name_plural = "记录变更"
        ordering = ["record", "-version"]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"


class Direction(models.TextChoices):
    HIGHER = "higher", "越大越好"
    LOWER = "lower", "越小越好"


class Indicator(models.Model):
    """An indicator of the indicator database (指标), reported monthly by its owner department."""

    code = models.SlugField("指标代码", max_length=32, unique=True)
    name = models.CharField("指标名称", max_length=100)
    owner = models.ForeignKey("orgs.Unit", verbose_name="报送部门", on_delete=models.PROTECT, related_name="+")
    measure_unit = models.CharField("计量单位", max_length=20, blank=True)
    direction = models.CharField("方向", max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class IndicatorValue(models.Model):
    """A monthly value of an indicator for a unit: 单位代码, 指标代码, 期间, 数值."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period = models.CharField("期间", max_length=7)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    job = models.ForeignKey("ledger.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "指标值"
        verbose_name_plural = "指标值"
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator", "period"], name="indicatorvalue_unique")
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="indicatorvalue_period_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.indicator_id}/{self.period}"


class ImportJob(JobFields):
    """An import of one file into one dataset, run in the background, all or nothing.

    Its life cycle (claim, progress, finish, fail, stale detection) is ``jobs.lifecycle``'s; a retry is a
    new job for the same file (``ledger.imports.job_retry``). ``progress_total`` is an estimate of the
    rows until the file has been read, ``progress_done`` the rows checked.
    """

    stale_message = "导入任务已中断（服务重启或处理进程退出），没有写入任何数据，请重试"
    stale_setting = "QZ_IMPORT_STALE_MINUTES"

    dataset = models.ForeignKey("ledger.Dataset", on_delete=models.PROTECT, related_name="jobs")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    file = models.CharField("文件", max_length=500)
    original_name = models.CharField("原文件名", max_length=255)
    period = models.CharField("期间", max_length=7, blank=True)
    dry_run = models.BooleanField("仅预检", default=False)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    rejected = models.PositiveIntegerField("有问题行数", default=0)
    error_count = models.PositiveIntegerField("问题数", default=0)
    errors = models.JSONField("问题（前1000条）", default=list, blank=True)
    # The uploader's address, for the audit row written later by the background worker.
    uploaded_ip = models.GenericIPAddressField("上传IP", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.original_name}"
