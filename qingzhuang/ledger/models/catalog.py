"""The catalog: data elements, datasets composed of them, and shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Category(models.TextChoices):
    PERSON = "person", "人"
    LAND = "land", "地"
    OBJECT = "object", "物"
    EVENT = "event", "事"
    SITUATION = "situation", "情"
    ORGANISATION = "organisation", "组织"


class ValueType(models.TextChoices):
    TEXT = "text", "文本"
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "数值"
    DATE = "date", "日期"
    PERIOD = "period", "期间（年月）"
    CODE = "code", "代码（单选）"
    CODES = "codes", "代码（多选）"
    ID_NUMBER = "id_number", "公民身份号码"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    PHONE = "phone", "电话"
    UNIT = "unit", "单位代码"
    INDICATOR = "indicator", "指标代码"


class UpdatePeriod(models.TextChoices):
    MONTHLY = "monthly", "月"
    QUARTERLY = "quarterly", "季"
    YEARLY = "yearly", "年"
    IRREGULAR = "irregular", "不定期"


class Storage(models.TextChoices):
    RECORDS = "records", "基础数据记录"
    INDICATORS = "indicators", "指标数据库"


class DataElement(models.Model):
    """One kind of datum the county holds (姓名, 公民身份号码, 房屋结构, …), defined once."""

    code = models.SlugField("元素代码", max_length=64, unique=True)
    name = models.CharField("元素名称", max_length=100, unique=True)
    # Other names of the same fact: 找数据 counts a field so named as held (已有).
    synonyms = models.JSONField("同义词", default=list, blank=True)
    # Names of near but different facts (户籍地址 for 居住地址): 找数据 offers the element as
    # 相近（需确认）, never as the same data item.
    related_names = models.JSONField("相近字段", default=list, blank=True)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    value_type = models.CharField("值类型", max_length=16, choices=ValueType.choices, default=ValueType.TEXT)
    measure_unit = models.CharField("计量单位", max_length=20, blank=True)
    code_list = models.JSONField("代码表", default=list, blank=True)
    max_length = models.PositiveIntegerField("最大长度", default=200)
    owner = models.ForeignKey("orgs.Unit", verbose_name="责任部门", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    description = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "数据元素"
        verbose_name_plural = "数据元素"
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    """A table of the ledger, owned by one unit and composed of data elements."""

    code = models.SlugField("数据集代码", max_length=64, unique=True)
    name = models.CharField("数据集名称", max_length=100)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    # Built-in datasets exist before any unit does; the county assigns their owners (seed_demo does).
    owner = models.ForeignKey("orgs.Unit", verbose_name="责任单位", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_datasets")
    update_period = models.CharField("更新周期", max_length=16, choices=UpdatePeriod.choices,
                                     default=UpdatePeriod.MONTHLY)
    storage = models.CharField("存储方式", max_length=16, choices=Storage.choices, default=Storage.RECORDS)
    description = models.TextField("说明", blank=True)
    is_builtin = models.BooleanField("内置", default=False)
    # Maintained by the import and seed services (cheap to read on the data map).
    record_count = models.PositiveIntegerField("记录数", default=0)
    last_updated_at = models.DateTimeField("最近更新", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "数据集"
        verbose_name_plural = "数据集"
        ordering = ["category", "code"]
        permissions = [("import_data", "导入和维护一套表数据")]

    def __str__(self) -> str:
        return self.name


class DatasetColumn(models.Model):
    """A column of a dataset: an element, with the header name used in files."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="columns")
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="columns")
    name = models.CharField("列名", max_length=100)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    required = models.BooleanField("必填", default=False)
    is_key = models.BooleanField("主键", default=False)

    class Meta:
        verbose_name = "数据集字段"
        verbose_name_plural = "数据集字段"
        ordering = ["dataset", "position"]
        constraints = [models.UniqueConstraint(fields=["dataset", "name"], name="datasetcolumn_unique_name")]

    def __str__(self) -> str:
        return f"{self.dataset.code}.{self.name}"


class DatasetShare(models.Model):
    """An explicit share: users of ``unit`` may read the whole dataset."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="shares")
    unit = models.ForeignKey("orgs.Unit", verbose_name="共享给", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("共享事由", max_length=200, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "数据共享"
        verbose_name_plural = "数据共享"
        constraints = [models.UniqueConstraint(fields=["dataset", "unit"], name="datasetshare_unique")]

    def __str__(self) -> str:
        return f"{self.dataset} → {self.unit}"
