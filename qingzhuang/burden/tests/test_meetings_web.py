"""会议登记 pages, import (page, command) and API: 200 and every refusal."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from qingzhuang.burden.models import Demand, Meeting
from qingzhuang.burden.services import registries as services
from qingzhuang.orgs.models import AuditLog

HEADER = "召开单位,所属系统,会议名称,会议日期,会议时长（分钟）,会议类型,要求参会人员,主报告时长（分钟）,参会基层单位"


@pytest.fixture
def flagged(county, registries):
    """A meeting of 县统计局 reaching 甲村 with a 75-minute main report."""
    return services.meeting_create(actor=registries["monitor"], data=services.MeetingData(
        organiser=county["stats"], title="统计调查培训会", held_on=dt.date(2025, 4, 2), minutes=120, kind="special",
        report_minutes=75, levels=["village_head"], targets=[county["village_a"]]))


def test_the_list_shows_a_flagged_meeting_with_its_badge(client, county, registries, flagged):
    client.force_login(registries["monitor"])
    page = client.get("/burden/meetings/?year=2025")
    assert page.status_code == 200
    html = page.content.decode()
    assert "统计调查培训会" in html and "主报告超过1小时：主报告 75 分钟，超过 60 分钟" in html
    assert client.get("/burden/meetings/?year=2025&flagged=1").context["rows"] == [flagged]
    assert client.get("/burden/meetings/?year=2024").context["rows"] == []
    assert client.get("/burden/meetings/?year=2025&page=9").status_code == 400
    partial = client.get("/burden/meetings/?year=2025", headers={"HX-Request": "true"})
    assert "<nav class=\"navbar" not in partial.content.decode() and "统计调查培训会" in partial.content.decode()


def test_the_list_exports_the_filtered_rows(client, county, registries, flagged):
    client.force_login(registries["monitor"])
    response = client.get("/burden/meetings/?year=2025&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("会议日期", "召开单位", "所属系统")
    assert rows[1][1:6] == ("县统计局", "县统计局", "统计调查培训会", "专项", 120)
    assert rows[1][-1] == "主报告超过1小时（主报告 75 分钟，超过 60 分钟）"


def test_a_township_sees_what_reaches_it_a_sibling_does_not(client, county, registries, flagged):
    client.force_login(registries["cadre"])
    assert client.get(f"/burden/meetings/{flagged.pk}/").status_code == 200
    assert client.get(f"/burden/meetings/{flagged.pk}/edit/").status_code == 403
    assert client.get("/burden/meetings/new/").status_code == 403
    client.force_login(registries["sibling"])
    assert client.get(f"/burden/meetings/{flagged.pk}/").status_code == 404
    assert client.get(f"/burden/meetings/{flagged.pk}/edit/").status_code == 404
    assert client.get("/burden/meetings/?year=2025").context["rows"] == []


def test_register_a_meeting_on_the_page(client, county, registries):
    client.force_login(registries["rep"])
    form = {"organiser": county["stats"].pk, "title": "统计工作会", "held_on": "2025-05-06", "kind": "comprehensive",
            "minutes": "90", "report_minutes": "45", "levels": ["township_head", "township_deputy"],
            "target_under": county["town_a"].code, "target_codes": county["village_b"].code}
    response = client.post("/burden/meetings/new/", form)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/burden/meetings/{meeting.pk}/"
    assert (meeting.system, meeting.flags) == ("县统计局", ["meeting.layered"])
    assert sorted(meeting.targets.values_list("name", flat=True)) == ["乙村", "甲村"]
    bad = client.post("/burden/meetings/new/", {**form, "organiser": county["office"].pk, "report_minutes": "91"})
    assert bad.status_code == 400
    assert "organiser" in bad.context["form"].errors
    assert Meeting.objects.count() == 1


def test_import_a_good_file_then_bad_rows_write_nothing(client, county, registries, tmp_path):
    client.force_login(registries["monitor"])
    good = "\n".join([HEADER, f"县统计局,统计,统计年报部署会,2025-03-18,90,专项,村（社区）书记/主任,30,{county['village_a'].code}",
                      "县委办公室,,全县党委办公工作会议,2025-02-10,120,综合性,部门主要负责人、乡镇（街道）主要负责人,61,"])
    upload = SimpleUploadedFile("meetings.csv", good.encode("utf-8"))
    response = client.post("/burden/meetings/import/", {"file": upload, "action": "import"})
    assert response.status_code == 200 and response.context["result"].created == 2
    assert Meeting.objects.get(title="全县党委办公工作会议").flags == ["meeting.long_report"]
    assert Demand.objects.filter(kind="meeting").count() == 1
    assert AuditLog.objects.filter(action="meeting.import").count() == 1
    bad = "\n".join([HEADER, "甲镇,,乡镇会,2025-03-18,90,专项,,,", "县统计局,,,2025-03-40,0,闲聊,老板,100,县委办公室"])
    response = client.post("/burden/meetings/import/", {"file": SimpleUploadedFile("bad.csv", bad.encode("utf-8")),
                                                        "action": "import"})
    assert response.status_code == 400
    assert [(p.row, p.column, p.value, p.message) for p in response.context["result"].errors] == [
        (2, "召开单位", "甲镇", "“甲镇”是乡镇，这里不能填"),
        (3, "会议名称", "", "“会议名称”不能为空"),
        (3, "会议日期", "2025-03-40", response.context["result"].errors[2].message),
        (3, "会议时长（分钟）", "0", "“会议时长（分钟）”应为 1 到 1440 之间的整数"),
        (3, "会议类型", "闲聊", "“会议类型”应为以下之一：综合性、专项、视频会议、其他"),
        (3, "参会基层单位", "县委办公室", "“县委办公室”是县委，这里不能填"),
        (3, "要求参会人员", "老板", "“要求参会人员”中的“老板”不是可选项，可选：县级领导、部门主要负责人、部门分管负责人、"
                                 "乡镇（街道）主要负责人、乡镇（街道）分管负责人、村（社区）书记/主任、村（社区）其他干部"),
    ]
    assert Meeting.objects.count() == 2
    errors = client.get("/burden/registries/import/errors/")
    assert errors.status_code == 200 and errors["Content-Disposition"].startswith("attachment")


def test_import_refusals_of_the_service_point_at_their_row(county, registries, tmp_path):
    from qingzhuang.burden.imports_registries import MEETINGS
    from qingzhuang.burden.registry_import import registry_import

    path = tmp_path / "m.csv"
    path.write_text("\n".join([HEADER, "县统计局,,会一,2025-03-18,30,专项,,31,"]), encoding="utf-8")
    result = registry_import(MEETINGS, actor=registries["monitor"], path=path)
    assert [(p.row, p.column, p.message) for p in result.errors] == [
        (2, "主报告时长（分钟）", "主报告时长不能超过会议时长")]
    path.write_text("\n".join([HEADER, "县委办公室,,会二,2025-03-18,30,专项,,,"]), encoding="utf-8")
    result = registry_import(MEETINGS, actor=registries["rep"], path=path)
    assert [(p.row, p.column, p.message) for p in result.errors] == [(2, "召开单位", "只能登记本单位召开的会议")]
    assert not Meeting.objects.exists()


def test_the_import_command(county, registries, tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("\n".join([HEADER, "县统计局,,会一,2025-03-18,30,专项,,,"]), encoding="utf-8")
    call_command("import_meetings", str(path), "--json", "--as", "jianfu")
    assert json.loads(capsys.readouterr().out)["created"] == 1
    path.write_text("\n".join([HEADER, "县统计局,,会一,2025-03-18,30,圆桌,,,"]), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_meetings", str(path), "--json", "--as", "jianfu")
    assert json.loads(capsys.readouterr().out) == {"errors": [{
        "row": 2, "column": "会议类型", "value": "圆桌", "code": "invalid_choice",
        "message": "“会议类型”应为以下之一：综合性、专项、视频会议、其他"}]}
    assert Meeting.objects.count() == 1


def test_the_template_and_import_page_need_the_permission(client, county, registries):
    client.force_login(registries["cadre"])
    assert client.get("/burden/meetings/import/").status_code == 403
    assert client.get("/burden/meetings/import/template/").status_code == 403
    client.force_login(registries["rep"])
    template = client.get("/burden/meetings/import/template/")
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    assert next(sheet.iter_rows(values_only=True))[:3] == ("召开单位", "所属系统", "会议名称")


# ---------------------------------------------------------------------------------------------
# API


def test_api_lists_gets_creates_and_corrects(client, county, registries, flagged):
    client.force_login(registries["monitor"])
    listed = client.get("/api/v1/burden/meetings?year=2025&flagged=true").json()
    assert listed["count"] == 1 and listed["items"][0]["flags"] == [
        {"rule": "meeting.long_report", "name": "主报告超过1小时", "figure": "主报告 75 分钟，超过 60 分钟"}]
    assert client.get(f"/api/v1/burden/meetings/{flagged.pk}").json()["targets"] == [county["village_a"].code]
    body = {"organiser": county["stats"].code, "title": "新会", "held_on": "2025-06-01", "minutes": 60,
            "kind": "special", "levels": ["township_deputy"], "under": county["town_b"].code}
    created = client.post("/api/v1/burden/meetings", body, content_type="application/json")
    assert created.status_code == 200 and created.json()["targets"] == [county["village_b"].code]
    corrected = client.put(f"/api/v1/burden/meetings/{created.json()['id']}", {**body, "minutes": 90, "report_minutes": 61},
                           content_type="application/json")
    assert corrected.json()["flags"][0]["rule"] == "meeting.long_report"
    assert client.get("/api/v1/burden/meetings?year=1999").status_code == 400


def test_api_refusals(client, county, registries, flagged):
    body = {"organiser": county["stats"].code, "title": "新会", "held_on": "2025-06-01", "minutes": 0, "kind": "x"}
    client.force_login(registries["monitor"])
    bad = client.post("/api/v1/burden/meetings", body, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]["minutes"] == ["会议时长应为 1 到 1440 之间的整数（分钟）"]
    unknown = client.post("/api/v1/burden/meetings", {**body, "organiser": "nope"}, content_type="application/json")
    assert unknown.json()["errors"] == {"organiser": ["没有这个单位：nope"]}
    client.force_login(registries["cadre"])
    refused = client.post("/api/v1/burden/meetings", {**body, "minutes": 30, "kind": "special"},
                          content_type="application/json")
    assert refused.status_code == 403 and refused.json() == {"detail": "没有登记会议的权限"}
    client.force_login(registries["sibling"])
    assert client.get(f"/api/v1/burden/meetings/{flagged.pk}").status_code == 404
    assert client.put(f"/api/v1/burden/meetings/{flagged.pk}", body, content_type="application/json").status_code == 404
    assert Meeting.objects.count() == 1


def test_api_import(client, county, registries):
    client.force_login(registries["monitor"])
    good = SimpleUploadedFile("m.csv", "\n".join([HEADER, "县统计局,,会一,2025-03-18,30,专项,,,"]).encode("utf-8"))
    response = client.post("/api/v1/burden/meetings/import", {"file": good, "dry_run": "true"})
    assert response.status_code == 200 and response.json()["created"] == 1 and not Meeting.objects.exists()
    bad = SimpleUploadedFile("m.csv", "\n".join([HEADER, "县统计局,,会一,2025-03-18,30,圆桌,,,"]).encode("utf-8"))
    response = client.post("/api/v1/burden/meetings/import", {"file": bad})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "会议类型"
    client.force_login(registries["cadre"])
    assert client.post("/api/v1/burden/meetings/import", {"file": good}).status_code == 403
