"""Scheme services: import (create, replace, locked), round trip, update, copy, delete, lock,
adjustments; each refused for a role other than the assessment office."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from qingzhuang.assessment import schemefile
from qingzhuang.assessment.models import Adjustment, Run, Scheme, SchemeItem
from qingzhuang.assessment.services import schemes as services
from qingzhuang.assessment.tests.scheme_world import EXAMPLE, make_indicators, small
from qingzhuang.orgs.models import AuditLog

pytestmark = pytest.mark.django_db

LOCKED = "方案 township-2025 已有发布的成绩，已锁定，不能修改；请复制为新方案"


@pytest.fixture
def indicators(county):
    return make_indicators(county)


@pytest.fixture
def office(users):
    return users["assessment"]


@pytest.fixture
def scheme(indicators, office):
    result = services.scheme_import(actor=office, text=EXAMPLE.read_bytes(), filename=EXAMPLE.name)
    assert result.ok, result.errors
    return result.scheme


def test_import_creates_the_scheme(scheme, office, county):
    assert (scheme.code, scheme.year, scheme.target_kinds) == ("township-2025", 2025, ["township", "street"])
    assert scheme.owner == county["root"]
    assert scheme.created_by == office
    assert scheme.indicators.count() == 21
    first = scheme.indicators.first()
    assert (first.indicator.code, first.weight, first.params) == ("ZB0101", Decimal(8), {"target": "110000",
                                                                                         "cap": "1"})
    assert list(scheme.items.values_list("kind", "name", "max_points")) == [
        ("bonus", "省级以上表彰", Decimal(3)), ("bonus", "改革创新经验被上级推广", Decimal(2)),
        ("deduction", "安全生产责任事故", Decimal(5)), ("deduction", "被上级通报批评", Decimal(3))]
    assert scheme.grades[0] == {"name": "优秀", "min": "90"}
    # The 附加题 over the nine main economic indicators that have 2023–2024 history in the demo.
    assert scheme.trend == {"indicators": {"ZB0101": "15", "ZB0104": "10", "ZB0203": "10", "ZB0401": "15",
                                           "ZB1101": "10", "ZB1102": "10", "ZB1202": "10", "ZB1501": "10",
                                           "ZB1502": "10"},
                            "threshold": "-0.6", "years": 3}
    log = AuditLog.objects.get(action="assessment.scheme.import")
    assert log.actor == office and log.after["indicators"] == 21


def test_round_trip_gives_the_same_document(scheme, office):
    document = schemefile.document_of(scheme)
    for fmt, name in (("yaml", "a.yaml"), ("json", "a.json")):
        text = schemefile.dump(document, fmt)
        result = services.scheme_import(actor=office, text=text, filename=name)
        assert result.ok and result.updated == 1
        assert schemefile.document_of(Scheme.objects.get(code="township-2025")) == document
    assert schemefile.dump(document) == schemefile.dump(schemefile.document_of(result.scheme))
    assert Scheme.objects.count() == 1


def test_import_replaces_an_unlocked_scheme(scheme, office):
    result = services.scheme_import(actor=office, text=schemefile.dump(small()), filename="s.yaml")
    assert (result.ok, result.created, result.updated) == (True, 0, 1)
    assert result.scheme.pk == scheme.pk
    assert scheme.indicators.count() == 2
    assert sorted(scheme.items.values_list("name", flat=True)) == ["安全生产责任事故", "省级以上表彰"]


def test_import_problems_write_nothing(indicators, office):
    result = services.scheme_import(actor=office, text=schemefile.dump(small(year=1990)), filename="s.yaml")
    assert not result.ok
    assert [p.message for p in result.errors] == ["考核年度应为 2000 到 2100 之间的整数"]
    assert Scheme.objects.count() == 0


def test_import_refuses_to_replace_a_locked_scheme(scheme, office):
    services.scheme_lock(scheme=scheme)
    result = services.scheme_import(actor=office, text=schemefile.dump(small()), filename="s.yaml")
    assert [(p.column, p.code, p.message) for p in result.errors] == [("code", "locked", LOCKED)]
    assert scheme.indicators.count() == 21


def test_import_refuses_to_drop_an_item_in_use(scheme, office, county):
    item = scheme.items.get(name="被上级通报批评")
    services.adjustment_add(actor=office, scheme=scheme, unit=county["town_a"], kind="deduction", item=item,
                            points=1, reason="通报")
    result = services.scheme_import(actor=office, text=schemefile.dump(small()), filename="s.yaml")
    assert [p.message for p in result.errors] == ["扣分项 被上级通报批评 已有登记的记录，不能删除"]
    assert scheme.indicators.count() == 21


@pytest.mark.parametrize("role", ["member", "reporter", "leader", "supervision"])
def test_import_needs_the_office(indicators, users, role):
    with pytest.raises(PermissionDenied, match="只有考核办可以管理考核方案和成绩"):
        services.scheme_import(actor=users[role], text=schemefile.dump(small()), filename="s.yaml")


def test_update_saves_through_validation(scheme, office):
    document = schemefile.document_of(scheme)
    document["indicators"][0]["weight"] = Decimal("7.5")
    document["indicators"][1]["weight"] = Decimal("5.5")
    services.scheme_update(actor=office, scheme=scheme, document=document)
    assert scheme.indicators.first().weight == Decimal("7.5")
    assert AuditLog.objects.filter(action="assessment.scheme.update").count() == 1


def test_update_refuses_a_bad_sum(scheme, office):
    document = schemefile.document_of(scheme)
    document["indicators"][0]["weight"] = Decimal("7.5")
    with pytest.raises(ValidationError) as info:
        services.scheme_update(actor=office, scheme=scheme, document=document)
    assert info.value.message_dict == {"indicators": ["指标权重合计应为 100，现为 99.5"]}
    assert scheme.indicators.first().weight == Decimal(8)


def test_update_refuses_a_locked_scheme(scheme, office):
    services.scheme_lock(scheme=scheme)
    with pytest.raises(ValidationError, match=LOCKED):
        services.scheme_update(actor=office, scheme=scheme, document=schemefile.document_of(scheme))


def test_update_refuses_another_schemes_code(scheme, office):
    services.scheme_copy(actor=office, scheme=scheme, code="township-2026", year=2026)
    document = schemefile.document_of(scheme)
    document["code"] = "township-2026"
    with pytest.raises(ValidationError) as info:
        services.scheme_update(actor=office, scheme=scheme, document=document)
    assert info.value.message_dict == {"code": ["方案代码 township-2026 已被其他方案使用"]}


def test_update_needs_the_office(scheme, users):
    with pytest.raises(PermissionDenied):
        services.scheme_update(actor=users["member"], scheme=scheme, document=schemefile.document_of(scheme))


def test_copy_for_next_year(scheme, office):
    services.scheme_lock(scheme=scheme)
    copy = services.scheme_copy(actor=office, scheme=scheme, code="township-2026", year=2026)
    assert (copy.name, copy.year, copy.copied_from, copy.is_locked) == (
        "2026年度乡镇（街道）综合考核", 2026, scheme, False)
    expected = schemefile.document_of(scheme)
    expected.update(code="township-2026", name="2026年度乡镇（街道）综合考核", year=2026)
    assert schemefile.document_of(copy) == expected
    assert AuditLog.objects.filter(action="assessment.scheme.copy").count() == 1


@pytest.mark.parametrize(("code", "year", "errors"), [
    ("township-2025", 2026, {"code": ["方案代码 township-2025 已被其他方案使用"]}),
    ("新方案", 2026, {"code": [schemefile.M_CODE]}),
    ("township-2026", 1900, {"year": ["考核年度应为 2000 到 2100 之间的整数"]}),
])
def test_copy_refused(scheme, office, code, year, errors):
    with pytest.raises(ValidationError) as info:
        services.scheme_copy(actor=office, scheme=scheme, code=code, year=year)
    assert info.value.message_dict == errors


def test_delete(scheme, office):
    services.scheme_delete(actor=office, scheme=scheme)
    assert not Scheme.objects.exists()
    assert AuditLog.objects.filter(action="assessment.scheme.delete").count() == 1


def test_delete_refused_with_a_run(scheme, office):
    Run.objects.create(scheme=scheme, number=1)
    with pytest.raises(ValidationError, match="方案 township-2025 已有成绩计算批次，不能删除"):
        services.scheme_delete(actor=office, scheme=scheme)


def test_delete_needs_the_office(scheme, users):
    with pytest.raises(PermissionDenied):
        services.scheme_delete(actor=users["leader"], scheme=scheme)


def test_lock_is_idempotent(scheme):
    services.scheme_lock(scheme=scheme)
    first = Scheme.objects.get(pk=scheme.pk).locked_at
    services.scheme_lock(scheme=scheme)
    assert first is not None and Scheme.objects.get(pk=scheme.pk).locked_at == first


# -- adjustments


def _pdf(name="表彰文件.pdf", size=100):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


def test_bonus_with_evidence(scheme, office, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = scheme.items.get(name="省级以上表彰")
    adjustment = services.adjustment_add(actor=office, scheme=scheme, unit=county["town_a"], kind="bonus",
                                         item=item, points="2.5", reason="获省级表彰", evidence=_pdf())
    assert (adjustment.points, adjustment.evidence_name, adjustment.recorded_by) == (Decimal("2.5"),
                                                                                    "表彰文件.pdf", office)
    assert adjustment.evidence.read().startswith(b"%PDF")
    log = AuditLog.objects.get(action="assessment.adjustment.add")
    assert log.after["points"] == "2.5" and log.unit == county["town_a"]


def test_veto_without_item(scheme, office, county):
    adjustment = services.adjustment_add(actor=office, scheme=scheme, unit=county["town_b"], kind="veto",
                                         reason="发生重大安全生产责任事故")
    assert (adjustment.kind, adjustment.item, adjustment.points) == ("veto", None, Decimal(0))


@pytest.mark.parametrize(("kind", "item_name", "points", "reason", "errors"), [
    ("bonus", "省级以上表彰", "3.5", "表彰", {"points": ["分值应大于 0 且不超过该项上限 3 分，最多 2 位小数"]}),
    ("bonus", "省级以上表彰", "0", "表彰", {"points": ["分值应大于 0 且不超过该项上限 3 分，最多 2 位小数"]}),
    ("bonus", "省级以上表彰", "1.234", "表彰", {"points": ["分值应大于 0 且不超过该项上限 3 分，最多 2 位小数"]}),
    ("bonus", "省级以上表彰", "x", "表彰", {"points": ["分值应大于 0 且不超过该项上限 3 分，最多 2 位小数"]}),
    ("bonus", "安全生产责任事故", "1", "表彰", {"item": ["请选择本方案的加分项"]}),
    ("deduction", None, "1", "事故", {"item": ["请选择本方案的扣分项"]}),
    ("veto", "安全生产责任事故", None, "事故", {"item": ["一票否决不对应加减分项，不要选择加减分项"]}),
    ("bonus", "省级以上表彰", "1", " ", {"reason": ["请填写事由"]}),
    ("prize", None, "1", "事故", {"kind": ["类别应为 加分、扣分 或 一票否决"]}),
])
def test_adjustment_refused(scheme, office, county, kind, item_name, points, reason, errors):
    item = scheme.items.get(name=item_name) if item_name else None
    with pytest.raises(ValidationError) as info:
        services.adjustment_add(actor=office, scheme=scheme, unit=county["town_a"], kind=kind, item=item,
                                points=points, reason=reason)
    assert info.value.message_dict == errors
    assert not Adjustment.objects.exists()


def test_adjustment_unit_must_be_a_target(scheme, office, county):
    with pytest.raises(ValidationError) as info:
        services.adjustment_add(actor=office, scheme=scheme, unit=county["village_a"], kind="veto", reason="x")
    assert info.value.message_dict == {"unit": ["甲村不是本方案的考核对象（考核对象：乡镇、街道）"]}


def test_adjustment_item_of_another_scheme(scheme, office, county):
    other = services.scheme_copy(actor=office, scheme=scheme, code="township-2026", year=2026)
    item = SchemeItem.objects.get(scheme=other, name="省级以上表彰")
    with pytest.raises(ValidationError) as info:
        services.adjustment_add(actor=office, scheme=scheme, unit=county["town_a"], kind="bonus", item=item,
                                points=1, reason="x")
    assert info.value.message_dict == {"item": ["请选择本方案的加分项"]}


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("a.exe", b"MZ"), "佐证材料应为 PDF、JPG、PNG、Word（docx）或 Excel（xlsx）文件"),
    (SimpleUploadedFile("a.png", b"%PDF-1.4"), "佐证材料的内容与扩展名不符"),
    (SimpleUploadedFile("a.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024)), "佐证材料不能超过 10 MB"),
])
def test_adjustment_evidence_refused(scheme, office, county, upload, message):
    with pytest.raises(ValidationError) as info:
        services.adjustment_add(actor=office, scheme=scheme, unit=county["town_a"], kind="veto", reason="x",
                                evidence=upload)
    assert info.value.message_dict == {"evidence": [message]}


def test_adjustment_refused_on_a_locked_scheme(scheme, office, county):
    services.scheme_lock(scheme=scheme)
    with pytest.raises(ValidationError, match=LOCKED):
        services.adjustment_add(actor=office, scheme=scheme, unit=county["town_a"], kind="veto", reason="x")


def test_adjustment_needs_the_office(scheme, users, county):
    with pytest.raises(PermissionDenied):
        services.adjustment_add(actor=users["member"], scheme=scheme, unit=county["town_a"], kind="veto",
                                reason="x")


def test_adjustment_delete(scheme, office, users, county):
    adjustment = services.adjustment_add(actor=office, scheme=scheme, unit=county["town_a"], kind="veto",
                                         reason="x")
    with pytest.raises(PermissionDenied):
        services.adjustment_delete(actor=users["member"], adjustment=adjustment)
    services.adjustment_delete(actor=office, adjustment=adjustment)
    assert not Adjustment.objects.exists()
    assert AuditLog.objects.filter(action="assessment.adjustment.delete").count() == 1


def test_adjustment_delete_refused_when_locked(scheme, office, county):
    adjustment = services.adjustment_add(actor=office, scheme=scheme, unit=county["town_a"], kind="veto",
                                         reason="x")
    services.scheme_lock(scheme=scheme)
    with pytest.raises(ValidationError, match=LOCKED):
        services.adjustment_delete(actor=office, adjustment=adjustment)


# -- commands


def _call(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_command(indicators):
    assert _call("import_scheme", str(EXAMPLE)) == (
        "已导入考核方案 2025年度乡镇（街道）综合考核（township-2025）：2025 年度，21 个指标\n")
    assert json.loads(_call("import_scheme", str(EXAMPLE), "--json")) == {
        "ok": True, "code": "township-2025", "indicators": 21}


def test_import_command_problems(indicators, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(schemefile.dump(small(year=1990)), encoding="utf-8")
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError, match="导入未通过：1 个问题，没有写入任何数据"):
        call_command("import_scheme", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"errors": [{"row": 0, "column": "year", "value": "1990",
                                                      "code": "bad_year",
                                                      "message": "考核年度应为 2000 到 2100 之间的整数"}]}
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_scheme", str(path), stdout=out)
    assert out.getvalue() == "文件【year】“1990”：考核年度应为 2000 到 2100 之间的整数\n"


def test_import_command_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        _call("import_scheme", str(tmp_path / "none.yaml"))


def test_export_command(scheme, tmp_path):
    for name in ("out.yaml", "out.json"):
        path = tmp_path / name
        assert _call("export_scheme", "township-2025", "-o", str(path)) == (
            f"已导出考核方案 2025年度乡镇（街道）综合考核（township-2025）：{path}\n")
        data, problems = schemefile.read(path.read_bytes(), name)
        assert problems == [] and len(data.indicators) == 21
    assert path.read_text(encoding="utf-8").startswith('{\n  "code": "township-2025"')


def test_export_command_unknown_code(db, tmp_path):
    with pytest.raises(CommandError, match="考核方案不存在：nothing"):
        _call("export_scheme", "nothing", "-o", str(tmp_path / "x.yaml"))


def test_export_command_unknown_format(scheme, tmp_path):
    with pytest.raises(CommandError, match="无法从文件扩展名判断格式，请使用 .yaml、.yml 或 .json"):
        _call("export_scheme", "township-2025", "-o", str(tmp_path / "x.txt"))
