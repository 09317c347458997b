"""The audit page in Chinese: field labels, readable values, before → after."""

from django.db import transaction
from django.urls import reverse

from qingzhuang.orgs import audit
from qingzhuang.orgs.audit_display import AuditField, audit_fields
from qingzhuang.orgs.models import AuditLog


def fields(**kwargs):
    return [(f.label, f.before, f.after) for f in audit_fields(AuditLog(**kwargs))]


def test_creation_shows_model_labels_and_readable_values():
    after = {"code": "429901001501", "name": "甲村一网格", "kind": "grid", "parent": "429901001201",
             "is_active": True}
    assert fields(object_type="orgs.unit", after=after) == [
        ("单位代码", None, "429901001501"), ("单位名称", None, "甲村一网格"), ("单位类型", None, "网格"),
        ("上级单位", None, "429901001201"), ("启用", None, "是")]


def test_change_lists_only_changed_fields_before_and_after():
    before = {"username": "cun", "display_name": "村干部", "roles": ["乡镇村干部"], "is_active": True}
    after = {"username": "cun", "display_name": "村干部", "roles": ["乡镇村干部", "审计员"], "is_active": False}
    assert fields(object_type="accounts.user", before=before, after=after) == [
        ("角色", "乡镇村干部", "乡镇村干部、审计员"), ("启用", "是", "否")]


def test_summary_without_model_uses_common_labels():
    after = {"scale": "small", "units": 12, "people": 1234, "kinds": {"county": 1, "township": 2},
             "accounts": ["admin", "cun"], "file": None}
    assert fields(object_type="orgs.unit", action="demo.seed", after=after) == [
        ("规模", None, "小"), ("单位", None, "12"), ("干部", None, "1,234"),
        ("单位类型", None, "县（市、区） 1；乡镇 2"), ("账号", None, "admin、cun"), ("文件", None, "—")]
    assert fields(object_type="import", after={"user": "cun", "file": "units.csv", "total": 3}) == [
        ("用户", None, "cun"), ("文件", None, "units.csv"), ("总行数", None, "3")]


def test_nested_dict_and_unknown_key():
    assert audit_fields(AuditLog(object_type="import", after={"x_y": {"created": 1, "is_active": False}})) == [
        AuditField(label="x_y", before=None, after="新增：1；启用：否")]


def test_audit_page_renders_change_side_by_side(verified_client, users, county):
    with transaction.atomic():
        audit.record(actor=users["sysadmin"], action="user.update", obj=users["member"],
                     before={"is_active": True, "unit": "429901001000"},
                     after={"is_active": False, "unit": "429901001000"})
    response = verified_client(users["auditor"]).get(reverse("orgs:audit_list"), {"action": "user.update"})
    body = response.content.decode()
    assert ('<dt>启用</dt><dd><span class="audit-before">是</span> → '
            '<span class="audit-after">否</span></dd>') in body
    assert "429901001000" not in body.split("<tbody>")[1].split("</tbody>")[0]  # unchanged: not listed
    assert "is_active" not in body
