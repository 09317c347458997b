"""Reports generated from the ledger, data requests, their admission (准入) and the demands they place.

A department defines a ``Report`` over one dataset: the system fills it from the ledger and no
unit is asked anything, unless the report also lists fields the ledger does not hold
(``manual_fields``); then, once the 督查室 has admitted it, each sending asks every target unit
once (a ``burden.Demand``). A ``DataRequest`` lists the fields a department wants in free
Chinese: the fields the ledger already holds are served by a ``DatasetShare``, only the rest may
be sent to grassroots units, after admission. Admission itself (``AdmissionFields``, ``Admission``,
``RegisterStatus``) is ``burden.admission``'s, shared with every kind of request; demands are
``burden``'s, reached from a report or request through ``demands`` (a generic relation).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from qingzhuang.burden.admission import Admission, AdmissionFields, RegisterStatus, refusal

__all__ = ["Admission", "AdmissionFields", "RegisterStatus"]  # shared with burden, re-exported

STOP_MESSAGE = "该报表已在报表清单中停用，不能填报或下发（未经批准一律停止填报）。"


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


class Report(AdmissionFields):
    """A report defined by a department over one dataset, filled from the ledger."""

    DEFINE_PERMISSION = "ledger.define_report"
    APPROVE_PERMISSION = "ledger.approve_report"

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
    demands = GenericRelation("burden.Demand", content_type_field="source_type", object_id_field="source_id")

    class Meta:
        verbose_name = "报表"
        verbose_name_plural = "报表"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("define_report", "定义报表、提出数据需求"),
            ("approve_report", "报表和数据需求准入审批、维护报表清单"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stopped(self) -> bool:
        return self.register_status == RegisterStatus.STOP

    @property
    def asks_grassroots(self) -> bool:
        return bool(self.manual_fields)

    # What ``burden.services.demand_fill`` asks of a demand's source.

    def demand_fill_refusal(self) -> str:
        return STOP_MESSAGE if self.is_stopped else refusal(self)

    def demand_filled(self, demand) -> None:
        Report.objects.filter(pk=self.pk).update(last_filled_at=demand.filled_at)

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

    DEFINE_PERMISSION = "ledger.define_report"
    APPROVE_PERMISSION = "ledger.approve_report"

    title = models.CharField("需求名称", max_length=100)
    fields_text = models.TextField("所需字段")
    period = models.CharField("数据期间", max_length=50, blank=True)
    due_date = models.DateField("填报截止日期", null=True, blank=True)
    # Counts kept with the request (the register and the county totals read them).
    held_count = models.PositiveIntegerField("一套表已有字段数", default=0)
    remaining_count = models.PositiveIntegerField("需基层填报字段数", default=0)
    # Held fields (exact, or related and confirmed) × target units: what the county did not have
    # to ask of grassroots units.
    not_asked = models.PositiveIntegerField("少向基层索要数据项", default=0)
    sent_at = models.DateTimeField("下发时间", null=True, blank=True)
    demands = GenericRelation("burden.Demand", content_type_field="source_type", object_id_field="source_id")

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

    def demand_fill_refusal(self) -> str:
        """What ``burden.services.demand_fill`` asks of a demand's source."""
        return refusal(self)


class MatchOutcome(models.TextChoices):
    """What 找数据 found for a field (``matching.EXACT`` / ``RELATED`` / ``NONE``)."""

    EXACT = "exact", "已有（同一数据项）"
    RELATED = "related", "相近（需确认）"
    NONE = "none", "未找到"


class DataRequestFieldQuerySet(models.QuerySet):
    def held(self):
        """Fields the ledger serves: an exact match, or a related one a person confirmed."""
        return self.filter(Q(outcome=MatchOutcome.EXACT) | Q(confirmed_at__isnull=False), dataset__isnull=False)

    def not_held(self):
        return self.exclude(pk__in=self.held().values("pk"))


class DataRequestField(models.Model):
    """One field of a data request and what the ledger matched it to.

    ``dataset`` is where the ledger would serve it from (for an exact or a related match). A related
    match serves the field only once confirmed (``confirmed_at``): by the requesting department
    while drafting, or by the 督查室 while reviewing the request."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.CharField("字段", max_length=100)
    element = models.ForeignKey("ledger.DataElement", verbose_name="匹配的数据元素", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    dataset = models.ForeignKey("ledger.Dataset", verbose_name="由此数据集提供", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("匹配度", max_digits=3, decimal_places=2, default=0)
    outcome = models.CharField("匹配结果", max_length=8, choices=MatchOutcome.choices, default=MatchOutcome.NONE)
    reason = models.CharField("匹配依据", max_length=200, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = DataRequestFieldQuerySet.as_manager()

    class Meta:
        verbose_name = "数据需求字段"
        verbose_name_plural = "数据需求字段"
        ordering = ["request", "position"]

    def __str__(self) -> str:
        return self.text

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def held(self) -> bool:
        return self.dataset_id is not None and (self.outcome == MatchOutcome.EXACT or self.confirmed)

    @property
    def needs_confirmation(self) -> bool:
        return self.outcome == MatchOutcome.RELATED and self.dataset_id is not None and not self.confirmed

    @property
    def outcome_label(self) -> str:
        if self.outcome == MatchOutcome.RELATED and self.confirmed:
            return "相近（已确认）"
        return self.get_outcome_display()
