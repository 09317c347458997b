"""Units (the org tree), people, explicit scope grants and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qingzhuang.lib import ids, pinyin


class UnitKind(models.TextChoices):
    COUNTY = "county", "县（市、区）"
    PARTY = "party", "县委"
    GOVERNMENT = "government", "县政府"
    DEPARTMENT = "department", "部门"
    TOWNSHIP = "township", "乡镇"
    STREET = "street", "街道"
    VILLAGE = "village", "村"
    COMMUNITY = "community", "社区"
    GRID = "grid", "网格"
    OTHER = "other", "其他"


GRASSROOTS_KINDS = {UnitKind.TOWNSHIP, UnitKind.STREET, UnitKind.VILLAGE, UnitKind.COMMUNITY, UnitKind.GRID}

# Longest pinyin search keys kept (every reading of a name, space-separated).
PINYIN_MAX_LENGTH = 255


class NamePinyinQuerySet(models.QuerySet):
    """Keeps the pinyin search keys of ``name`` on bulk writes too: ``bulk_create`` and
    ``bulk_update`` bypass ``save()``, and imports and the demo county write names in bulk."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_name_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if "name" in fields:
            for obj in objs:
                obj.fill_name_keys()
            fields += [f for f in ("name_pinyin", "name_initials") if f not in fields]
        return super().bulk_update(objs, fields, *args, **kwargs)


class NamePinyinMixin:
    """``name_pinyin`` and ``name_initials`` follow ``name`` (``lib.pinyin.keys``) on every save."""

    pinyin_surname = False

    def fill_name_keys(self) -> None:
        self.name_pinyin, self.name_initials = pinyin.keys(
            self.name, surname=self.pinyin_surname, max_length=PINYIN_MAX_LENGTH)

    def save(self, *args, **kwargs):
        self.fill_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)


class Unit(NamePinyinMixin, models.Model):
    """A node of the org tree.

    ``path`` is a materialised path of unit codes ("/429901000000/429901001000/"): a subtree
    is one indexed ``path LIKE '/429901000000/%'`` query, which every scope check relies on.
    Codes are known before insert, so bulk imports compute paths without extra round trips.
    """

    code = models.CharField("单位代码", max_length=32, unique=True)
    name = models.CharField("单位名称", max_length=100)
    # Search keys of the name: full pinyin and initials of every reading ("dengjiacun", "djc").
    name_pinyin = models.CharField(max_length=PINYIN_MAX_LENGTH, blank=True, default="", db_default="", db_index=True,
                                   editable=False)
    name_initials = models.CharField(max_length=PINYIN_MAX_LENGTH, blank=True, default="", db_default="", db_index=True,
                                     editable=False)
    kind = models.CharField("单位类型", max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=1024, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NamePinyinQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]
        permissions = [("manage_units", "维护组织架构")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    def audit_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "parent": self.parent.code if self.parent_id else None,
            "is_active": self.is_active,
        }


class Person(NamePinyinMixin, models.Model):
    """A cadre of a unit, optionally linked to a login account."""

    pinyin_surname = True  # 单 is read shan, 曾 zeng … as a surname (and as pypinyin reads it too)

    name = models.CharField("姓名", max_length=50)
    # Search keys of the name: full pinyin and initials of every reading ("zhangwei", "zw").
    name_pinyin = models.CharField(max_length=PINYIN_MAX_LENGTH, blank=True, default="", db_default="", db_index=True,
                                   editable=False)
    name_initials = models.CharField(max_length=PINYIN_MAX_LENGTH, blank=True, default="", db_default="", db_index=True,
                                     editable=False)
    unit = models.ForeignKey(Unit, verbose_name="所在单位", on_delete=models.PROTECT, related_name="people")
    title = models.CharField("职务", max_length=100, blank=True)
    phone = models.CharField("手机", max_length=20, blank=True)
    id_number = models.CharField("公民身份号码", max_length=18, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_active = models.BooleanField("在岗", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NamePinyinQuerySet.as_manager()

    class Meta:
        verbose_name = "干部"
        verbose_name_plural = "干部"
        ordering = ["unit__path", "id"]
        permissions = [
            ("manage_people", "维护干部信息"),
            ("view_personal_data", "查看完整身份证号和手机号"),
        ]
        constraints = [
            # Blank IDs are allowed many times; a filled-in ID belongs to one person.
            models.UniqueConstraint(
                fields=["id_number"], condition=~models.Q(id_number=""), name="person_unique_id_number"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return ids.mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return ids.mask_id_number(self.id_number)

    def audit_dict(self) -> dict:
        # Personal data is stored in the audit log masked: the log is readable by auditors
        # who do not hold the permission to see it.
        return {
            "name": self.name,
            "unit": self.unit.code,
            "title": self.title,
            "phone": self.masked_phone,
            "id_number": self.masked_id_number,
            "is_active": self.is_active,
        }


class UnitGrant(models.Model):
    """An explicit share: ``user`` may also see ``unit``'s subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_grants")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="grants")
    reason = models.CharField("授权事由", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "授权范围"
        verbose_name_plural = "授权范围"
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unitgrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"


class AuditLog(models.Model):
    """Append-only record of every write. Database triggers refuse UPDATE (and DELETE on PostgreSQL)."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # PROTECT: an audited user or unit is deactivated, never deleted (the log cannot be rewritten).
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        permissions = [("view_audit", "查阅审计日志")]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")
