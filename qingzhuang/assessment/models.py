"""无感考核: schemes, the records behind a score (bonus, deductions, vetoes, spot checks), runs and appeals.

Nobody types a score. A :class:`Scheme` says how a year is scored (its file shape is
``schemefile``); a :class:`Run` computes every target unit's :class:`RunLine` from the ledger's
indicator values, the spot checks and the recorded adjustments, freezing what it read in each
line's ``detail``. A published run locks its scheme; appeals are filed against its lines.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.db import models

from qingzhuang.jobs.models import JobFields

DAILY = "平时"
EXAM = "期末"
DEFAULT_PARTS = {DAILY: Decimal("90"), EXAM: Decimal("10")}
DEFAULT_EXAM_CRITERIA = {"开拓创新度": Decimal("30"), "部门协同度": Decimal("30"), "群众满意度": Decimal("40")}
DEFAULT_EXAM_GRADES = {"好": Decimal("100"), "较好": Decimal("80"), "一般": Decimal("60"), "较差": Decimal("40"),
                       "很差": Decimal("20")}


class RawJSON:
    """A JSON document already written out as text, stored as it is by :class:`OrderedJSONField`: a
    run serialises each line's detail as soon as it is made, so a province's run holds compact text,
    not a million small dicts, until it is written."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class OrderedJSONField(models.JSONField):
    """JSON kept as written, key order included: PostgreSQL's ``json`` rather than ``jsonb``, which
    sorts keys (the order of a scheme's criteria, grades and parameters is the scheme's own).
    These fields are read whole, never queried into."""

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, RawJSON):
            return value.text
        if connection.vendor == "postgresql" and not hasattr(value, "as_sql"):
            # As text: the json column keeps it as written (a jsonb parameter would sort its keys first).
            return None if value is None else json.dumps(value, cls=self.encoder, ensure_ascii=False)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):  # psycopg decodes json itself
            return value
        return super().from_db_value(value, expression, connection)


class Aggregate(models.TextChoices):
    SUM = "sum", "全年合计"
    MEAN = "mean", "月均值"
    LAST = "last", "最新月份值"
    YOY = "yoy", "同比增长（%）"


class Method(models.TextChoices):
    TARGET = "target", "达标法"
    RATIO = "ratio", "比例法"
    BASELINE = "baseline", "基准加减分法"
    RANK = "rank", "排名法"
    EFFICACY = "efficacy", "功效系数法"
    MINMAX = "minmax", "极差标准化法"
    ZSCORE = "zscore", "标准分法"
    FORMULA = "formula", "公式法"


class Missing(models.TextChoices):
    ZERO = "zero", "缺报计0分"
    REWEIGHT = "reweight", "权重分摊到其他指标"
    LAST = "last", "沿用上一年度数据"


class Scheme(models.Model):
    """An assessment scheme (考核方案) of one year for units of some kinds."""

    code = models.SlugField("方案代码", max_length=64, unique=True)
    name = models.CharField("方案名称", max_length=200)
    year = models.PositiveSmallIntegerField("考核年度")
    # Unit kinds of the org tree (``orgs.UnitKind`` values) the scheme assesses.
    target_kinds = models.JSONField("考核对象类型", default=list)
    daily_weight = models.DecimalField("平时成绩权重", max_digits=6, decimal_places=2, default=Decimal("90"))
    exam_weight = models.DecimalField("期末考试权重", max_digits=6, decimal_places=2, default=Decimal("10"))
    # {criterion: weight} and {grade name: value}, the values as strings of Decimals, in file order.
    exam_criteria = OrderedJSONField("期末考试评价维度", default=dict)
    exam_grades = OrderedJSONField("期末考试等次分值", default=dict)
    # [{"name": "优秀", "min": "90"}, ...], highest first.
    grades = models.JSONField("等次", default=list)
    # The 附加题: {"indicators": {code: weight}, "threshold": "-0.5", "years": 3}; {} when not set.
    trend = OrderedJSONField("附加题（趋势指数）", default=dict, blank=True)
    owner = models.ForeignKey("orgs.Unit", verbose_name="考核单位", on_delete=models.PROTECT, related_name="+")
    copied_from = models.ForeignKey("self", verbose_name="复制自", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="copies")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a run of the scheme is published: from then on the scheme cannot change.
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "code"]
        permissions = [("manage_scheme", "管理考核方案、加减分和期末考试记录，计算和发布成绩")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class SchemeIndicator(models.Model):
    """An indicator of the 平时 part: its weight, how its months aggregate and how it is scored."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField("序号", default=0)
    indicator = models.ForeignKey("ledger.Indicator", verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField("权重", max_digits=9, decimal_places=4)
    aggregate = models.CharField("汇总方式", max_length=8, choices=Aggregate.choices, default=Aggregate.SUM)
    method = models.CharField("计分方法", max_length=12, choices=Method.choices)
    params = OrderedJSONField("参数", default=dict, blank=True)
    missing = models.CharField("缺报处理", max_length=8, choices=Missing.choices, default=Missing.ZERO)

    class Meta:
        verbose_name = "方案指标"
        verbose_name_plural = "方案指标"
        ordering = ["scheme", "position"]
        constraints = [models.UniqueConstraint(fields=["scheme", "indicator"], name="schemeindicator_unique")]

    def __str__(self) -> str:
        return f"{self.scheme_id}/{self.indicator_id}"


class ItemKind(models.TextChoices):
    BONUS = "bonus", "加分项"
    DEDUCTION = "deduction", "扣分项"


class SchemeItem(models.Model):
    """A bonus or deduction item with its cap (the most points a unit can get or lose by it)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("类别", max_length=12, choices=ItemKind.choices)
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("名称", max_length=100)
    max_points = models.DecimalField("上限（分）", max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = "加减分项"
        verbose_name_plural = "加减分项"
        ordering = ["scheme", "kind", "position"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind", "name"], name="schemeitem_unique")]

    def __str__(self) -> str:
        return self.name


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", "加分"
    DEDUCTION = "deduction", "扣分"
    VETO = "veto", "一票否决"


class Adjustment(models.Model):
    """A recorded bonus, deduction or veto of a unit in a scheme, with its evidence."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="adjustments")
    unit = models.ForeignKey("orgs.Unit", verbose_name="被考核单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=12, choices=AdjustmentKind.choices)
    # The bonus or deduction item; none for a veto.
    item = models.ForeignKey(SchemeItem, verbose_name="加减分项", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="adjustments")
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, default=Decimal("0"))
    reason = models.TextField("事由")
    evidence = models.FileField("佐证材料", upload_to="assessment/evidence/%Y/%m/", blank=True)
    evidence_name = models.CharField("佐证材料文件名", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "加减分和一票否决记录"
        verbose_name_plural = "加减分和一票否决记录"
        ordering = ["scheme", "unit", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.reason[:30]}"


class Paper(models.TextChoices):
    LIVELIHOOD = "livelihood", "民生卷"
    ENTERPRISE = "enterprise", "民企卷"


class SpotCheck(models.Model):
    """A 关键事项记录表: one unannounced spot check of a unit, graded per criterion in the field.

    The assessed unit is not told: it sees a record only inside a published run's scorecard.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="spot_checks")
    unit = models.ForeignKey("orgs.Unit", verbose_name="被考核单位", on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField("检查日期")
    scene = models.CharField("检查场景", max_length=200)
    paper = models.CharField("试卷", max_length=12, choices=Paper.choices)
    # {criterion: grade name}, one per criterion of the scheme's exam.
    grades = OrderedJSONField("各维度评价", default=dict)
    notes = models.TextField("记录", blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "关键事项记录"
        verbose_name_plural = "关键事项记录"
        ordering = ["-checked_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.scene}"


class SpotCheckPhoto(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to="assessment/photos/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class RunKind(models.TextChoices):
    OFFICIAL = "official", "正式计算"
    WHATIF = "whatif", "模拟测算"


class Run(JobFields):
    """A numbered computation of a scheme's scorecards, in the background, with its inputs frozen.

    ``detail`` of each line holds what the run read (monthly values and their sources, spot checks,
    adjustments), so a later correction of a value does not change an earlier run.
    """

    stale_message = "成绩计算已中断（服务重启或处理进程退出），请重试"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    number = models.PositiveIntegerField("批次号")
    kind = models.CharField("类别", max_length=12, choices=RunKind.choices, default=RunKind.OFFICIAL)
    # The run this one recomputes (a re-run after a correction, or a what-if on a published run).
    based_on = models.ForeignKey("self", verbose_name="对比批次", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)
    # The scheme as it was read (its file document) and what-if overrides, frozen.
    inputs = OrderedJSONField("计算依据", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # Appeals are accepted until the end of this day.
    appeal_until = models.DateField("申诉截止日期", null=True, blank=True)

    class Meta:
        verbose_name = "成绩计算批次"
        verbose_name_plural = "成绩计算批次"
        ordering = ["scheme", "-number"]
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="run_number_unique")]
        permissions = [("view_all_runs", "查看全部单位的考核成绩")]

    def __str__(self) -> str:
        return f"{self.scheme.name} 第{self.number}批次"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class RunLine(models.Model):
    """A unit's scorecard in a run: parts, total, rank, grade and why."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="lines")
    unit = models.ForeignKey("orgs.Unit", verbose_name="被考核单位", on_delete=models.PROTECT, related_name="+")
    daily = models.DecimalField("平时成绩", max_digits=8, decimal_places=2)
    # None when the unit had no spot check (the part is then reweighted onto 平时).
    exam = models.DecimalField("期末考试成绩", max_digits=8, decimal_places=2, null=True, blank=True)
    bonus = models.DecimalField("加分", max_digits=8, decimal_places=2, default=Decimal("0"))
    deductions = models.DecimalField("扣分", max_digits=8, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField("总分", max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    grade = models.CharField("等次", max_length=20)
    veto = models.JSONField("一票否决", default=list, blank=True)
    coaching = models.BooleanField("列入课后辅导", default=False)
    coaching_reason = models.CharField("辅导原因", max_length=300, blank=True)
    trend_index = models.DecimalField("趋势指数", max_digits=10, decimal_places=4, null=True, blank=True)
    flags = models.JSONField("提示", default=list, blank=True)
    # Per indicator: monthly values with their sources, aggregate, method, parameters, score,
    # points; the spot checks; the adjustments; the trend. See ``runs.line_detail``.
    detail = OrderedJSONField("计算明细", default=dict, blank=True)

    class Meta:
        verbose_name = "成绩单"
        verbose_name_plural = "成绩单"
        ordering = ["run", "rank", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="runline_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.unit_id}"


class AppealStatus(models.TextChoices):
    OPEN = "open", "待答复"
    UPHELD = "upheld", "已采纳"
    REJECTED = "rejected", "不予采纳"


class Appeal(models.Model):
    """An assessed unit's appeal against a line of a published run, answered by the office."""

    line = models.ForeignKey(RunLine, on_delete=models.PROTECT, related_name="appeals")
    # The indicator code appealed, or "" for the line as a whole.
    indicator_code = models.CharField("申诉指标", max_length=32, blank=True)
    reason = models.TextField("申诉理由")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    filed_at = models.DateTimeField("申诉时间", auto_now_add=True)
    status = models.CharField("状态", max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "成绩申诉"
        verbose_name_plural = "成绩申诉"
        ordering = ["-filed_at"]
        permissions = [("file_appeal", "对本单位已发布的成绩提出申诉")]

    def __str__(self) -> str:
        return self.reason[:30]


class Reminder(models.Model):
    """A reminder to a department (the owner of indicators of a scheme) to report missing values.

    It is open until every value it named is reported or ``OPEN_DAYS`` have passed (see
    ``completeness.open_reminders``); its department's reporters see it as a workbench to-do.
    """

    OPEN_DAYS = 30

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="reminders")
    department = models.ForeignKey("orgs.Unit", verbose_name="报送部门", on_delete=models.PROTECT, related_name="+")
    # The periods ("2025-03") with missing values when it was sent.
    months = models.JSONField("缺报月份", default=list)
    missing = models.PositiveIntegerField("缺报数")
    message = models.TextField("提醒内容")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    sent_at = models.DateTimeField("提醒时间", auto_now_add=True)
    seen_at = models.DateTimeField("查看时间", null=True, blank=True)

    class Meta:
        verbose_name = "报送提醒"
        verbose_name_plural = "报送提醒"
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.message[:30]
