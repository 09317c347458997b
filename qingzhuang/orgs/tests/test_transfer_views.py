import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from openpyxl import load_workbook

from qingzhuang.orgs import views_transfer
from qingzhuang.orgs.models import AuditLog, Person, Unit

ROOT = "429901000000"
GOOD_UNITS = f"单位代码,单位名称,单位类型,上级单位代码\n429901003000,丙镇,乡镇,{ROOT}\n".encode("utf-8-sig")
BAD_UNITS = f"单位代码,单位名称,单位类型,上级单位代码\n429901003000,丙镇,乡镇,{ROOT}\n429901004000,丁镇,镇府,NOPE\n"


def upload(content, name="units.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def admin_client(verified_client, users):
    return verified_client(users["sysadmin"])


# ---- routing


def test_fixed_paths_come_before_unit_detail():
    assert resolve(reverse("orgs:units_import")).func is views_transfer.units_import
    assert resolve(reverse("orgs:units_export")).func is views_transfer.units_export
    assert reverse("orgs:units_import") == "/orgs/units/import/"
    assert reverse("orgs:people_export") == "/orgs/people/export/"


# ---- import pages


def test_import_page_for_admin(admin_client):
    response = admin_client.get(reverse("orgs:units_import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "导入组织架构" in html and "预检" in html and 'value="import"' in html


@pytest.mark.parametrize("role", ["leader", "grassroots", "member", "auditor"])
def test_units_import_page_needs_manage_units(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("orgs:units_import")).status_code == 403
    assert client.post(reverse("orgs:units_import"), {"file": upload(GOOD_UNITS), "action": "import"}).status_code == 403
    assert not Unit.objects.filter(code="429901003000").exists()


def test_people_import_page_for_grassroots_cadre(client, users):
    client.force_login(users["member"])
    assert client.get(reverse("orgs:people_import")).status_code == 200


def test_people_import_page_refused_without_manage_people(client, users):
    client.force_login(users["leader"])
    assert client.get(reverse("orgs:people_import")).status_code == 403


def test_anonymous_is_sent_to_login(client, county):
    response = client.get(reverse("orgs:units_import"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_dry_run_shows_summary_and_writes_nothing(admin_client):
    response = admin_client.post(reverse("orgs:units_import"), {"file": upload(GOOD_UNITS), "action": "dry_run"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "预检通过" in html and "新增 1" in html
    assert not Unit.objects.filter(code="429901003000").exists()


def test_import_writes(admin_client, users):
    response = admin_client.post(reverse("orgs:units_import"), {"file": upload(GOOD_UNITS), "action": "import"})
    assert "导入通过" in response.content.decode()
    assert Unit.objects.get(code="429901003000").name == "丙镇"
    entry = AuditLog.objects.get(action="unit.import")
    assert entry.actor == users["sysadmin"]
    assert entry.after["file"] == "units.csv"


def test_errors_are_listed_and_nothing_written(admin_client):
    response = admin_client.post(reverse("orgs:units_import"), {"file": upload(BAD_UNITS), "action": "import"})
    html = response.content.decode()
    assert "导入未通过" in html and "没有写入任何数据" in html
    assert "<th>原因</th>" in html
    assert "上级单位代码不存在（本文件和您可管理的单位中都没有）" in html
    assert "未知的单位类型" in html
    assert not Unit.objects.filter(code="429901003000").exists()


def test_error_list_download(admin_client):
    admin_client.post(reverse("orgs:units_import"), {"file": upload(BAD_UNITS), "action": "dry_run"})
    response = admin_client.get(reverse("orgs:import_errors"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(body(response))).active.iter_rows()]
    assert rows[0] == ["行", "列", "值", "原因", "问题代码"]
    assert rows[1] == [3, "上级单位代码", "NOPE", "上级单位代码不存在（本文件和您可管理的单位中都没有）", "unknown_parent"]
    assert len(rows) == 3


def test_error_list_without_import_is_404(admin_client):
    assert admin_client.get(reverse("orgs:import_errors")).status_code == 404


def test_htmx_post_returns_the_result_fragment(admin_client):
    response = admin_client.post(reverse("orgs:units_import"), {"file": upload(GOOD_UNITS), "action": "dry_run"},
                                 HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="import-summary"' in html


def test_missing_file(admin_client):
    response = admin_client.post(reverse("orgs:units_import"), {"action": "import"})
    assert "请选择要导入的文件" in response.content.decode()


def test_wrong_file_type(admin_client):
    response = admin_client.post(reverse("orgs:units_import"), {"file": upload("x", name="a.pdf"), "action": "import"})
    assert "请上传 xlsx、xls 或 csv 文件" in response.content.decode()


def test_broken_xlsx_is_reported(admin_client):
    response = admin_client.post(reverse("orgs:units_import"), {"file": upload("not a zip", name="a.xlsx"),
                                                           "action": "import"})
    assert "文件不是有效的 xlsx 文件" in response.content.decode()


def test_people_import_page_writes(client, users, people):
    client.force_login(users["member"])
    content = "姓名,单位代码,职务,手机,公民身份号码\n王五,429901001201,委员,13900001111,\n"
    response = client.post(reverse("orgs:people_import"), {"file": upload(content, "p.csv"), "action": "import"})
    assert "导入通过" in response.content.decode()
    assert Person.objects.get(name="王五").unit.code == "429901001201"


# ---- buttons


def test_buttons_follow_permissions(client, admin_client, users, county):
    html = admin_client.get(reverse("orgs:unit_tree")).content.decode()
    assert reverse("orgs:units_import") in html and reverse("orgs:units_export") in html
    client.force_login(users["leader"])
    html = client.get(reverse("orgs:unit_tree")).content.decode()
    assert reverse("orgs:units_import") not in html and reverse("orgs:units_export") in html
    html = client.get(reverse("orgs:person_list")).content.decode()
    assert reverse("orgs:people_import") not in html
    client.force_login(users["member"])
    assert reverse("orgs:people_import") in client.get(reverse("orgs:person_list")).content.decode()


# ---- exports


def test_units_export_csv(client, users, county):
    client.force_login(users["member"])
    response = client.get(reverse("orgs:units_export") + "?format=csv")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    lines = body(response).decode("utf-8-sig").splitlines()
    assert lines == ["单位代码,单位名称,单位类型,上级单位代码", "429901001000,甲镇,乡镇,429901000000",
                     "429901001201,甲村,村,429901001000", "429901001501,甲村一网格,网格,429901001201"]


def test_units_export_xlsx(admin_client):
    response = admin_client.get(reverse("orgs:units_export"))
    rows = list(load_workbook(io.BytesIO(body(response))).active.iter_rows(values_only=True))
    assert len(rows) == 9


def test_people_export_masked(client, users, people):
    client.force_login(users["leader"])
    text = body(client.get(reverse("orgs:people_export") + "?format=csv")).decode("utf-8-sig")
    assert "138****5678" in text and "13812345678" not in text and "1101**********002X" in text


def test_unknown_export_format_is_404(client, users, county):
    client.force_login(users["leader"])
    assert client.get(reverse("orgs:units_export") + "?format=pdf").status_code == 404


# ---- API


def test_api_units_import_dry_run(admin_client):
    response = admin_client.post("/api/v1/units/import", {"file": upload(GOOD_UNITS), "dry_run": "true"})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "kind": "units", "dry_run": True, "total": 1, "created": 1,
                               "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    assert not Unit.objects.filter(code="429901003000").exists()


def test_api_units_import(admin_client):
    response = admin_client.post("/api/v1/units/import", {"file": upload(GOOD_UNITS)})
    assert (response.status_code, response.json()["created"]) == (200, 1)
    assert Unit.objects.filter(code="429901003000").exists()


def test_api_units_import_rejected_is_400(admin_client):
    response = admin_client.post("/api/v1/units/import", {"file": upload(BAD_UNITS)})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"row": 3, "column": "上级单位代码", "value": "NOPE", "code": "unknown_parent",
            "message": "上级单位代码不存在（本文件和您可管理的单位中都没有）"} in errors
    assert not Unit.objects.filter(code="429901003000").exists()


def test_api_units_import_without_permission_is_403(client, users, county):
    client.force_login(users["member"])
    response = client.post("/api/v1/units/import", {"file": upload(GOOD_UNITS)})
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有维护组织架构的权限"}


def test_api_people_import(client, users, people):
    client.force_login(users["member"])
    content = "姓名,单位代码\n王五,429901001201\n"
    response = client.post("/api/v1/people/import", {"file": upload(content, "p.csv")})
    assert (response.status_code, response.json()["created"]) == (200, 1)


def test_api_units_export(client, users, county):
    client.force_login(users["member"])
    response = client.get("/api/v1/units/export?format=csv")
    assert response.status_code == 200
    assert body(response).decode("utf-8-sig").splitlines()[1] == "429901001000,甲镇,乡镇,429901000000"
    assert client.get("/api/v1/units/export?format=pdf").status_code == 422


def test_api_unit_detail_still_works(client, users, county):
    client.force_login(users["member"])
    assert client.get("/api/v1/units/429901001000").json()["name"] == "甲镇"


def test_import_audit_row_has_unit_and_ip(admin_client, users):
    admin_client.post(reverse("orgs:units_import"), {"file": upload(GOOD_UNITS), "action": "import"},
                      REMOTE_ADDR="10.1.2.3")
    entry = AuditLog.objects.get(action="unit.import")
    assert (entry.unit, entry.ip) == (users["sysadmin"].unit, "10.1.2.3")


def test_blank_template_has_headers_and_column_notes(admin_client):
    page = admin_client.get(reverse("orgs:people_import")).content.decode()
    url = reverse("orgs:import_template", args=["people"])
    assert f'href="{url}"' in page and "下载空白模板（含填写说明）" in page
    response = admin_client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames == ["导入模板", "填写说明"]
    sheet = book["导入模板"]
    assert [c.value for c in sheet[1]] == ["姓名", "单位代码", "职务", "手机", "公民身份号码"]
    assert sheet.max_row == 1  # no example row that would be imported
    assert sheet.column_dimensions["E"].number_format == "@"
    assert sheet["E1"].comment.text.startswith("选填。18位，末位可为X")
    notes = [[c.value for c in row] for row in book["填写说明"].iter_rows()]
    assert notes[0] == ["列名", "填写说明"]
    assert notes[1] == ["姓名", "必填。不超过50个字符。"]
    assert notes[2] == ["单位代码", "必填。干部所在单位的单位代码（须已在组织架构中）。"]


def test_blank_template_filled_in_imports(admin_client):
    book = load_workbook(io.BytesIO(body(admin_client.get(reverse("orgs:import_template", args=["units"])))))
    book["导入模板"].append(["429901003000", "丙镇", "乡镇", ROOT])
    out = io.BytesIO()
    book.save(out)
    response = admin_client.post(reverse("orgs:units_import"),
                                 {"file": upload(out.getvalue(), "units.xlsx"), "action": "dry_run"})
    assert "预检通过" in response.content.decode() and "新增 1" in response.content.decode()


def test_blank_template_needs_the_import_permission(client, users):
    client.force_login(users["leader"])
    assert client.get(reverse("orgs:import_template", args=["units"])).status_code == 403
    assert client.get(reverse("orgs:import_template", args=["nothing"])).status_code == 404
