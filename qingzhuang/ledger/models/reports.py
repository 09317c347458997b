"""Reports generated from the ledger, data requests, their admission (准入) and the demands they place.

A department defines a ``Report`` over one dataset: the system fills it from the ledger and no
unit is asked anything, unless the report also lists fields the ledger does not hold
(``manual_fields``); then, once the 督查室 has admitted it, each sending asks every target unit
once (a ``Demand``). A ``DataRequest`` lists the fields a department wants in free Chinese: the
fields the ledger already holds are served by a ``DatasetShare``, only the rest may be sent to
grassroots units, after admission. Demands are what the per-unit burden ledger counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Admission(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "驳回"


class RegisterStatus(models.TextChoices):
    KEEP = "keep", "保留"
    STOP = "stop", "停用"
    OPTIMISE = "optimise", "优化"
    INTEGRATE = "integrate", "接入"


class UnitLevel(models.TextChoices):
    NONE = "", "不分单位"
    TOWNSHIP = "township", "按乡镇（街道）"
    VILLAGE = "village", "按村（社区）"


class PeriodGrain(models.TextChoices):
    NONE = "", "不分期间"
    MONTH = "month", "按月"
    QUARTER = "quarter", "按季度"
    YEAR = "year", "按年"


class Aggregate(models.TextChoices):
    LIST = "list", "明细（逐条列出）"
    COUNT = "count", "计数"
    SUM = "sum", "求和"
    AVG = "avg", "平均值"


class FilterOp(models.TextChoices):
    EQ = "eq", "等于"
    NE = "ne", "不等于"
    CONTAINS = "contains", "包含"
    GTE = "gte", "不小于"
    LTE = "lte", "不大于"


class AdmissionFields(models.Model):
    """What reports and data requests share: owner, author, admission and its review."""

    owner = models.ForeignKey("orgs.Unit", verbose_name="提出部门", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField("用途", blank=True)
    target_units = models.ManyToManyField("orgs.Unit", verbose_name="填报单位", blank=True, related_name="+")
    admission = models.CharField("准入状态", max_length=16, choices=Admission.choices, default=Admission.DRAFT)
    submitted_at = models.DateTimeField("提交审批时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审批时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    review_note = models.CharField("审批意见", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_approved(self) -> bool:
        return self.admission == Admission.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.admission in (Admission.DRAFT, Admission.REJECTED)


class Report(AdmissionFields):
    """A report defined by a department over one dataset, filled from the ledger."""

    name = models.CharField("报表名称", max_length=100)
    dataset = models.ForeignKey("ledger.Dataset", verbose_name="数据来源", on_delete=models.PROTECT,
                                related_name="reports")
    # Element codes of the dataset: the columns of a detail report.
    columns = models.JSONField("字段", default=list, blank=True)
    # [{"element": code, "op": FilterOp, "value": text}, …]
    filters = models.JSONField("筛选条件", default=list, blank=True)
    group_unit = models.CharField("按单位分组", max_length=16, choices=UnitLevel.choices, blank=True)
    group_period = models.CharField("按期间分组", max_length=16, choices=PeriodGrain.choices, blank=True)
    # The date or period column that places a row in time (grouping by period, period range).
    period_element = models.CharField("期间字段", max_length=64, blank=True)
    period_from = models.CharField("起始期间", max_length=7, blank=True)
    period_to = models.CharField("截止期间", max_length=7, blank=True)
    group_elements = models.JSONField("按字段分组", default=list, blank=True)
    aggregate = models.CharField("统计方式", max_length=8, choices=Aggregate.choices, default=Aggregate.COUNT)
    measure = models.CharField("统计字段", max_length=64, blank=True)
    # Fields the ledger does not hold: only these may be asked of the target units.
    manual_fields = models.JSONField("需基层填报的字段", default=list, blank=True)
    register_status = models.CharField("清单状态", max_length=16, choices=RegisterStatus.choices,
                                       default=RegisterStatus.KEEP)
    register_reason = models.CharField("清单处理理由", max_length=500, blank=True)
    register_changed_at = models.DateTimeField("清单处理时间", null=True, blank=True)
    last_filled_at = models.DateTimeField("最近填报", null=True, blank=True)
    fill_count = models.PositiveIntegerField("生成次数", default=0)

    class Meta:
        verbose_name = "报表"
        verbose_name_plural = "报表"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("define_report", "定义报表、提出数据需求"),
            ("approve_report", "报表和数据需求准入审批、维护报表清单"),
            ("fill_demand", "填报派给本单位的报表和数据需求"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stopped(self) -> bool:
        return self.register_status == RegisterStatus.STOP

    @property
    def asks_grassroots(self) -> bool:
        return bool(self.manual_fields)

    def audit_dict(self) -> dict:
        return {
            "name": self.name, "owner": self.owner.code, "dataset": self.dataset.code,
            "columns": self.columns, "filters": self.filters, "group_unit": self.group_unit,
            "group_period": self.group_period, "period_element": self.period_element,
            "period_from": self.period_from, "period_to": self.period_to,
            "group_elements": self.group_elements, "aggregate": self.aggregate, "measure": self.measure,
            "manual_fields": self.manual_fields, "admission": self.admission,
            "register_status": self.register_status,
        }


class DataRequest(AdmissionFields):
    """A department's request for data, written as a list of fields in free Chinese."""

    title = models.CharField("需求名称", max_length=100)
    fields_text = models.TextField("所需字段")
    period = models.CharField("数据期间", max_length=50, blank=True)
    due_date = models.DateField("填报截止日期", null=True, blank=True)
    # Counts kept with the request (the register and the county totals read them).
    held_count = models.PositiveIntegerField("一套表已有字段数", default=0)
    remaining_count = models.PositiveIntegerField("需基层填报字段数", default=0)
    # Held fields × target units: what the county did not have to ask of grassroots units.
    not_asked = models.PositiveIntegerField("少向基层索要数据项", default=0)
    sent_at = models.DateTimeField("下发时间", null=True, blank=True)

    class Meta:
        verbose_name = "数据需求"
        verbose_name_plural = "数据需求"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def audit_dict(self) -> dict:
        return {
            "title": self.title, "owner": self.owner.code, "fields_text": self.fields_text,
            "period": self.period, "due_date": self.due_date.isoformat() if self.due_date else None,
            "held_count": self.held_count, "remaining_count": self.remaining_count,
            "not_asked": self.not_asked, "admission": self.admission,
        }


class DataRequestField(models.Model):
    """One field of a data request and what the ledger matched it to."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.CharField("字段", max_length=100)
    element = models.ForeignKey("ledger.DataElement", verbose_name="匹配的数据元素", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    dataset = models.ForeignKey("ledger.Dataset", verbose_name="由此数据集提供", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("匹配度", max_digits=3, decimal_places=2, default=0)

    class Meta:
        verbose_name = "数据需求字段"
        verbose_name_plural = "数据需求字段"
        ordering = ["request", "position"]

    def __str__(self) -> str:
        return self.text

    @property
    def held(self) -> bool:
        return self.dataset_id is not None


class DemandStatus(models.TextChoices):
    PENDING = "pending", "待填报"
    FILLED = "filled", "已填报"


class Demand(models.Model):
    """One ask placed on one unit: a sending of a report, or a data request's remaining fields."""

    unit = models.ForeignKey("orgs.Unit", verbose_name="填报单位", on_delete=models.PROTECT, related_name="demands")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.PROTECT, related_name="demands")
    request = models.ForeignKey(DataRequest, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="demands")
    # The period a report sending is for ("2025-06"); blank for a data request.
    round = models.CharField("填报期次", max_length=20, blank=True)
    fields = models.JSONField("填报字段", default=list)
    status = models.CharField("状态", max_length=16, choices=DemandStatus.choices, default=DemandStatus.PENDING)
    due_date = models.DateField("截止日期", null=True, blank=True)
    data = models.JSONField("填报内容", default=dict, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField("下发时间", auto_now_add=True)
    filled_at = models.DateTimeField("填报时间", null=True, blank=True)
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        verbose_name = "填报任务"
        verbose_name_plural = "填报任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, request__isnull=True) | Q(report__isnull=True, request__isnull=False),
                name="demand_one_source",
            ),
            models.UniqueConstraint(fields=["report", "unit", "round"], condition=Q(report__isnull=False),
                                    name="demand_unique_report_round"),
            models.UniqueConstraint(fields=["request", "unit"], condition=Q(request__isnull=False),
                                    name="demand_unique_request"),
        ]
        # The burden ledger counts a unit's demands of one year.
        indexes = [models.Index(fields=["unit", "created_at"], name="demand_unit_created_idx")]

    def __str__(self) -> str:
        return f"{self.source}（{self.round}）" if self.round else str(self.source)

    @property
    def source(self) -> Report | DataRequest:
        return self.report if self.report_id else self.request

    @property
    def owner(self):
        return self.source.owner
