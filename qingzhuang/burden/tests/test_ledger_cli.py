"""``qingzhuang burden_ledger [--unit CODE] [--year YYYY] [--json]`` on hand-counted demands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qingzhuang.burden.tests.ledger_world import YEAR, world  # noqa: F401

TOWN = {"unit": "429901001000", "unit_name": "甲镇", "year": 2024, "count": 1, "hours": "8.00",
        "kinds": [{"kind": "inspection", "kind_name": "督查检查", "count": 1, "hours": "8.00"}]}
VILLAGE = {"unit": "429901001201", "unit_name": "甲村", "year": 2024, "count": 4, "hours": "9.50",
           "kinds": [{"kind": "report", "kind_name": "报表", "count": 1, "hours": "2.50"},
                     {"kind": "meeting", "kind_name": "会议", "count": 2, "hours": "6.00"},
                     {"kind": "document", "kind_name": "文件", "count": 1, "hours": "1.00"}]}
VILLAGE_B = {"unit": "429901002201", "unit_name": "乙村", "year": 2024, "count": 2, "hours": "1.00",
             "kinds": [{"kind": "work_group", "kind_name": "工作群", "count": 2, "hours": "1.00"}]}


def run(*args) -> str:
    out = StringIO()
    call_command("burden_ledger", *args, stdout=out)
    return out.getvalue()


def test_json_for_the_whole_county_in_tree_order(world):  # noqa: F811
    assert json.loads(run("--year", str(YEAR), "--json")) == [TOWN, VILLAGE, VILLAGE_B]
    assert json.loads(run("--year", "2023", "--json")) == [
        {"unit": "429901001201", "unit_name": "甲村", "year": 2023, "count": 5, "hours": "7.00",
         "kinds": [{"kind": "meeting", "kind_name": "会议", "count": 1, "hours": "3.00"},
                   {"kind": "document", "kind_name": "文件", "count": 4, "hours": "4.00"}]},
        {"unit": "429901002201", "unit_name": "乙村", "year": 2023, "count": 1, "hours": "0.50",
         "kinds": [{"kind": "work_group", "kind_name": "工作群", "count": 1, "hours": "0.50"}]},
    ]


def test_one_unit(world):  # noqa: F811
    assert json.loads(run("--unit", "429901001201", "--year", str(YEAR), "--json")) == [VILLAGE]
    # A unit asked nothing that year is still answered, with zeros.
    assert json.loads(run("--unit", "429901001501", "--year", str(YEAR), "--json")) == [
        {"unit": "429901001501", "unit_name": "甲村一网格", "year": 2024, "count": 0, "hours": "0.00", "kinds": []}]


def test_the_year_defaults_to_the_latest_year_with_demands(world):  # noqa: F811
    from qingzhuang.burden import queries

    assert json.loads(run("--json")) == json.loads(run("--year", str(queries.default_year()), "--json"))


def test_text_output(world):  # noqa: F811
    text = run("--year", str(YEAR))
    assert "甲村（429901001201）2024年：4 项，估算 9.50 人·小时" in text
    assert "会议" in text and "6.00" in text
    assert text.strip().endswith("共 3 个单位，7 项，估算 18.50 人·小时。项：向一个单位下发一次；人·小时：按各类任务的估算工时折算的工作量。")
    assert run("--year", "2010").strip() == "2010年没有向基层单位下发任务。"


@pytest.mark.parametrize(("args", "message"), [
    (("--unit", "999"), "没有单位代码：999"),
    (("--unit", "429901900101"), "县统计局（429901900101）不是乡镇（街道）、村（社区）或网格，没有减负台账"),
    (("--year", "20x5"), "年份 year 应为 2000 到 2100 之间的整数"),
    (("--year", "1999"), "年份 year 应为 2000 到 2100 之间的整数"),
])
def test_bad_input_is_a_chinese_error(world, args, message):  # noqa: F811
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert str(exc.value) == message
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("burden_ledger", *args, "--json", stdout=out)
    assert json.loads(out.getvalue())["errors"][0]["message"] == message


def test_the_console_script_exits_non_zero_on_an_unknown_unit(world, capsys):  # noqa: F811
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["qingzhuang", "burden_ledger", "--unit", "999"]).execute()
    assert exc.value.code != 0
    assert "没有单位代码：999" in capsys.readouterr().err
