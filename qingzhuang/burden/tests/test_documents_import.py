"""Importing the document registry: a good file lands whole with its demands; any bad row and nothing."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qingzhuang.burden.models import Demand, Document
from qingzhuang.burden.registry_import import registry_import
from qingzhuang.burden.services.documents import SPEC
from qingzhuang.orgs.models import AuditLog

HEADER = "发文单位,文号,标题,印发日期,文件类型,正文字数,要求报送材料,下发单位"


def _csv(tmp_path, *lines):
    path = tmp_path / "documents.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_good_file(placing, county, tmp_path):
    path = _csv(tmp_path, HEADER,
                "县民政局,青民发〔2025〕3号,关于开展救助政策宣传的通知,2025-03-18,专项,4001,是,甲村、乙村",
                "429901900201,青民发[2025]4号,全年民政工作要点,2025/02/01,综合性,5000,否,")
    result = registry_import(SPEC, actor=placing["rep"], path=path)
    assert (result.ok, result.total, result.created) == (True, 2, 2)
    first, second = Document.objects.order_by("number")
    assert (first.number, first.chars, first.flags) == ("青民发〔2025〕3号", 4001,
                                                         ["document.special_too_long", "document.materials"])
    assert (second.number, second.flags, second.target_units.count()) == ("青民发〔2025〕4号", [], 0)
    assert sorted(Demand.objects.values_list("unit__name", "month")) == [("乙村", "2025-03"), ("甲村", "2025-03")]
    assert AuditLog.objects.filter(action="document.import").count() == 1


def test_bad_rows_named_and_nothing_written(placing, county, tmp_path):
    path = _csv(tmp_path, HEADER,
                "县民政局,第3号,标题,2025-03-18,普通,4000,是,甲村",
                "县统计局,青统发〔2025〕1号,标题,2025-03-18,专项,0,否,县委办公室",
                "县民政局,青民发〔2025〕5号,好的一行,2025-03-18,专项,100,否,甲村")
    result = registry_import(SPEC, actor=placing["rep"], path=path)
    assert [(p.row, p.column, p.value, p.message) for p in result.errors] == [
        (2, "文件类型", "普通", "“文件类型”应为以下之一：综合性、专项"),
        (2, "文号", "第3号", "文号应形如 青农发〔2025〕12号（机关代字、年份、序号）"),
        (3, "下发单位", "县委办公室", "“县委办公室”是县委，这里不能填"),
        (3, "正文字数", "0", "“正文字数”应为 1 到 1000000 之间的整数"),
    ]
    assert not Document.objects.exists() and not Demand.objects.exists()


def test_a_row_refused_by_the_service_stops_the_file(placing, county, tmp_path):
    path = _csv(tmp_path, HEADER,
                "县民政局,青民发〔2025〕6号,本单位的,2025-03-18,专项,100,否,甲村",
                "县统计局,青统发〔2025〕1号,别的单位的,2025-03-18,专项,100,否,",
                "县民政局,青民发〔2025〕6号,重复的,2025-03-18,专项,100,否,")
    result = registry_import(SPEC, actor=placing["rep"], path=path)
    assert [(p.row, p.column, p.message) for p in result.errors] == [(3, "发文单位", "只能登记本单位的发文")]
    assert not Document.objects.exists() and not Demand.objects.exists()
    path = _csv(tmp_path, HEADER,
                "县民政局,青民发〔2025〕6号,本单位的,2025-03-18,专项,100,否,",
                "县民政局,青民发（2025）6号,重复的,2025-03-18,专项,100,否,")
    result = registry_import(SPEC, actor=placing["rep"], path=path)
    assert [(p.row, p.column, p.message) for p in result.errors] == [(3, "文号", "与第 2 行的文号重复")]


def test_command_json(placing, county, tmp_path, capsys):
    good = _csv(tmp_path, HEADER, "县民政局,青民发〔2025〕7号,标题,2025-03-18,专项,100,否,甲村")
    call_command("import_documents", str(good), "--as", "civilrep", "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["ok"], out["created"], out["dry_run"]) == (True, 1, True)
    assert not Document.objects.exists()
    bad = _csv(tmp_path, HEADER, "县民政局,青民发〔2025〕7号,标题,2025-03-18,专项,100,否,甲村")
    with pytest.raises(CommandError):
        call_command("import_documents", str(bad), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out == {"errors": [{"row": 2, "column": "下发单位", "value": None, "code": "refused",
                               "message": "以系统身份登记时不能下发到基层单位，请以登记人的账号操作（命令行用 --as 指定）"}]}
    call_command("import_documents", str(good), "--as", "civilrep")
    assert Document.objects.count() == 1 and Demand.objects.count() == 1
