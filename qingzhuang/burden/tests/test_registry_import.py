"""The registries' shared import: every row read first, problems by row and column, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingzhuang.burden.registry_import import RegistrySpec, registry_import
from qingzhuang.orgs.models import AuditLog

KINDS = (("comprehensive", "综合性"), ("special", "专项"))


def _parse(row, ctx):
    values = {
        "issuer": ctx.unit(row, "发文单位"),
        "on": ctx.date(row, "日期"),
        "kind": ctx.choice(row, "类型", KINDS),
        "chars": ctx.integer(row, "字数", maximum=100_000),
        "back": ctx.boolean(row, "要求报送"),
        "to": ctx.units(row, "下发单位", kinds=("village",)),
    }
    return values


written: list = []


def _write(*, actor, entries, request):
    if any(values["chars"] == 13 for _, values in entries):
        number = next(n for n, values in entries if values["chars"] == 13)
        raise ValidationError({f"row {number}:字数": "不吉利"})
    written.extend(entries)
    return len(entries)


SPEC = RegistrySpec(kind="test", label="测试登记", columns={"发文单位": ("单位",), "日期": (), "类型": (), "字数": (),
                                                        "要求报送": (), "下发单位": ()},
                    required=("发文单位", "日期"), parse=_parse, write=_write, permission="burden.manage_weights",
                    action="test.import")


def _csv(tmp_path, *lines):
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines), encoding="gbk")
    return path


HEADER = "单位,日期,类型,字数,要求报送,下发单位"


@pytest.fixture(autouse=True)
def _clean():
    written.clear()


def test_rows_become_entries(db, county, tmp_path):
    path = _csv(tmp_path, HEADER, "429901900001,2025年3月18日,专项,４０００,是,甲村、乙村", "合计,,,,,")
    result = registry_import(SPEC, actor=None, path=path)
    assert (result.ok, result.total, result.created) == (True, 1, 1)
    number, values = written[0]
    assert number == 2 and values["on"] == dt.date(2025, 3, 18) and values["chars"] == 4000
    assert (values["issuer"], values["kind"], values["back"]) == (county["office"], "special", True)
    assert values["to"] == [county["village_a"], county["village_b"]]
    assert AuditLog.objects.filter(action="test.import").count() == 1


def test_every_problem_named_and_nothing_written(db, county, tmp_path):
    path = _csv(tmp_path, HEADER, "没有的单位,2025-13-01,普通,abc,也许,甲镇", "429901900001,,综合性,10,否,")
    result = registry_import(SPEC, actor=None, path=path)
    assert not result.ok and written == [] and result.rejected == 2
    assert [(p.row, p.column, p.value, p.message) for p in result.errors] == [
        (2, "下发单位", "甲镇", "“甲镇”是乡镇，这里不能填"),
        (2, "发文单位", "没有的单位", "没有这个单位：没有的单位"),
        (2, "字数", "abc", "“字数”应为 0 到 100000 之间的整数"),
        (2, "日期", "2025-13-01", result.errors[3].message),
        (2, "类型", "普通", "“类型”应为以下之一：综合性、专项"),
        (2, "要求报送", "也许", "“要求报送”应填“是”或“否”"),
        (3, "日期", "", "“日期”不能为空"),
    ]
    assert result.errors[3].message.startswith("“日期”应为日期（如 2025-03-18），")
    assert not AuditLog.objects.filter(action="test.import").exists()


def test_a_write_refusal_points_at_its_row(db, county, tmp_path):
    path = _csv(tmp_path, HEADER, "429901900001,2025-03-18,专项,12,否,", "429901900001,2025-03-18,专项,13,否,")
    result = registry_import(SPEC, actor=None, path=path)
    assert [(p.row, p.column, p.message) for p in result.errors] == [(3, "字数", "不吉利")]
    assert not AuditLog.objects.filter(action="test.import").exists()


def test_a_dry_run_and_an_empty_file_write_nothing(db, county, tmp_path):
    result = registry_import(SPEC, actor=None, path=_csv(tmp_path, HEADER, "429901900001,2025-03-18,专项,12,否,"),
                             dry_run=True)
    assert (result.ok, result.created, written) == (True, 1, [])
    empty = registry_import(SPEC, actor=None, path=_csv(tmp_path, HEADER))
    assert [p.message for p in empty.errors] == ["文件中没有数据行"]


def test_without_the_permission_refused(db, users, tmp_path):
    with pytest.raises(PermissionDenied, match="没有导入测试登记的权限"):
        registry_import(SPEC, actor=users["member"], path=_csv(tmp_path, HEADER))
