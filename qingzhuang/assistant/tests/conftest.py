from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_user

RULES = """# 青山县测试会议管理办法

青山县人民政府办公室文件
青政办发〔2025〕21号

为精简会议、减轻基层负担，制定本办法。本办法适用于县直各部门召开的会议和活动。

第一章 总则

第一条 县直部门召开的会议，应当纳入年度会议计划，未列入计划的会议原则上不得召开。

第二条 综合性会议每年不超过1次，专题会议能合并的一律合并召开。

第二章 会议规范

第三条 会议主报告不超过1小时，其他发言每人不超过10分钟。不得要求乡镇干部在会场拍照打卡。

第四条 工作群任务结束后7日内解散，不得在工作群内以在线时长对基层排名。

第五条 村（社区）不得被要求出具法律法规规定以外的证明。

青山县人民政府办公室
2025年3月18日
"""

OUTLINE = """# 甲镇值班制度

甲镇人民政府

一、值班安排

（一）节假日值班。节假日由镇领导带班，值班人员每天两人，值班电话24小时畅通。

（二）夜间值班。夜间值班实行轮换，每人每月不超过4次，值班后次日可调休半天。

二、工作要求

值班人员不得脱岗，重要情况30分钟内报告带班领导。

甲镇人民政府
2025年5月6日
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.QZ_LLM_BASE_URL = ""
    settings.QZ_EMBED_BASE_URL = ""


@pytest.fixture
def rules_file(tmp_path) -> Path:
    return write(tmp_path, "rules.md", RULES)


@pytest.fixture
def outline_file(tmp_path) -> Path:
    return write(tmp_path, "duty.txt", OUTLINE)


@pytest.fixture
def town_manager(county):
    """A 督查室 user of 甲镇: maintains the policy library for 甲镇."""
    return make_user("town_manager", county["town_a"], "督查室")


@pytest.fixture
def library(db, rules_file, outline_file, users, town_manager):
    """A county document (added by the county's 督查室) and a 甲镇 document (by 甲镇's manager)."""
    from qingzhuang.assistant.services import policy_add

    county_doc = policy_add(actor=users["supervision"], path=rules_file, filename="rules.md", index_now=True)
    town_doc = policy_add(actor=town_manager, path=outline_file, filename="duty.txt", index_now=True)
    return {"county": county_doc.document, "town": town_doc.document}


DEMO_TOWNSHIPS = ("城关街道", "青峰街道", "桃源街道", "石桥镇", "白沙镇", "龙泉镇", "黄柏镇", "新店镇", "长岭镇",
                  "双河镇", "高坪乡", "云台乡")


@pytest.fixture
def demo_indicators(county):
    """The demo county's indicator database at its full scale, under the test county: 50 indicators of
    15 departments with 12 months of values for 12 townships (3 of them streets), and the two years before
    for the nine main economic indicators (so those have 同比). Returns the last month."""
    from types import SimpleNamespace

    from django.db import transaction

    from qingzhuang.ledger import demo as ledger_demo
    from qingzhuang.orgs.services import unit_create

    root = county["root"]
    with transaction.atomic():
        departments = [unit_create(actor=None, code=f"42990191{n:04d}", name=name, kind="department", parent=root)
                       for n, name in enumerate(ledger_demo.INDICATORS)]
        townships = [unit_create(actor=None, code=f"4299012{n:02d}000", name=name,
                                 kind="street" if name.endswith("街道") else "township", parent=root)
                     for n, name in enumerate(DEMO_TOWNSHIPS)]
    sizes = {t.pk: 0.6 + 0.1 * n for n, t in enumerate(townships)}
    ledger_demo.build_indicators(SimpleNamespace(departments=departments, townships=townships), "seed", sizes)
    return f"{ledger_demo.INDICATOR_YEAR}-12"
