"""政务应用 pages, import and API."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from qingzhuang.burden.models import GovApp
from qingzhuang.burden.services import registries as services

HEADER = "应用名称,主管单位,使用对象,强制打卡,排名通报,在线时长考核,强制拍照上传,功能说明,登记日期,使用的基层单位,状态,整改情况,整改日期"


def _app(county, registries, **kwargs):
    return services.app_create(actor=registries["monitor"], data=services.AppData(
        name="平安巡查", owner_unit=county["stats"], registered_on=dt.date(2024, 9, 1), users=["village"],
        forced_check_in=True, targets=[county["village_a"]], **kwargs))


def test_pages_list_flag_and_rectify(client, county, registries):
    app = _app(county, registries)
    client.force_login(registries["monitor"])
    page = client.get("/burden/apps/?flagged=1")
    assert page.status_code == 200 and "政务应用强制打卡：“平安巡查”强制打卡" in page.content.decode()
    form = {"name": "平安巡查", "owner_unit": county["stats"].code, "users": ["village"], "forced_check_in": "on",
            "registered_on": "2024-09-01", "target_codes": county["village_a"].code, "status": "rectified",
            "rectification": "取消强制打卡", "rectified_on": "2025-02-01"}
    assert client.post(f"/burden/apps/{app.pk}/edit/", form).status_code == 302
    app.refresh_from_db()
    assert (app.status, app.flags) == ("rectified", [])
    assert client.get("/burden/apps/?flagged=1").context["rows"] == []
    assert client.get("/burden/apps/?format=xlsx").status_code == 200
    client.force_login(registries["sibling"])
    assert client.get(f"/burden/apps/{app.pk}/").status_code == 404
    client.force_login(registries["cadre"])
    assert client.get(f"/burden/apps/{app.pk}/").status_code == 200
    assert client.post(f"/burden/apps/{app.pk}/edit/", form).status_code == 403
    assert client.get("/burden/apps/new/").status_code == 403


def test_import_apps(client, county, registries):
    client.force_login(registries["monitor"])
    good = "\n".join([HEADER, f"民情日记,县统计局,村（社区）、网格员,否,否,否,是,拍照留痕,2025-01-10,{county['village_a'].code},,,",
                      "学习强县,县委办公室,部门,,是,是,,,2024-03-01,,已整改,取消排名,2025-04-01"])
    response = client.post("/burden/apps/import/", {"file": SimpleUploadedFile("a.csv", good.encode("utf-8")),
                                                    "action": "import"})
    assert response.status_code == 200 and response.context["result"].created == 2
    assert GovApp.objects.get(name="民情日记").flags == ["app.forced_photos"]
    assert GovApp.objects.get(name="学习强县").flags == []
    bad = "\n".join([HEADER, "坏应用,县统计局,外星人,也许,,,,,2025-01-10,,已整改,,"])
    response = client.post("/burden/apps/import/", {"file": SimpleUploadedFile("a.csv", bad.encode("utf-8")),
                                                    "action": "import"})
    assert [(p.row, p.column, p.message) for p in response.context["result"].errors] == [
        (2, "使用对象", "“使用对象”中的“外星人”不是可选项，可选：部门、乡镇（街道）、村（社区）、网格员、群众"),
        (2, "强制打卡", "“强制打卡”应填“是”或“否”"),
    ]
    bad = "\n".join([HEADER, "坏应用,县统计局,,,,,,,2025-01-10,,已整改,,"])
    response = client.post("/burden/apps/import/", {"file": SimpleUploadedFile("a.csv", bad.encode("utf-8")),
                                                    "action": "import"})
    assert [(p.row, p.column, p.message) for p in response.context["result"].errors] == [
        (2, "整改情况", "已整改或已停用的应用请填写整改情况"), (2, "整改日期", "请填写整改（停用）日期")]
    assert GovApp.objects.count() == 2


def test_api_apps(client, county, registries):
    app = _app(county, registries)
    client.force_login(registries["monitor"])
    assert client.get("/api/v1/burden/apps?flagged=true").json()["items"][0]["flags"][0]["rule"] == "app.forced_check_in"
    body = {"name": "平安巡查", "owner_unit": county["stats"].code, "registered_on": "2024-09-01",
            "targets": [county["village_a"].code], "status": "stopped", "rectification": "停用",
            "rectified_on": "2025-01-01"}
    assert client.put(f"/api/v1/burden/apps/{app.pk}", body, content_type="application/json").json()["status"] == "stopped"
    bad = client.post("/api/v1/burden/apps", {**body, "status": "gone"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]["status"] == ["请选择状态：在用、已整改、已停用"]
    dropped = client.put(f"/api/v1/burden/apps/{app.pk}", {**body, "targets": []}, content_type="application/json")
    assert dropped.status_code == 400 and dropped.json()["errors"] == {"target_units": ["已向这些单位下发，不能移除：甲村"]}
    client.force_login(registries["sibling"])
    assert client.get(f"/api/v1/burden/apps/{app.pk}").status_code == 404
    assert client.get("/api/v1/burden/apps").json()["count"] == 0
    client.force_login(registries["cadre"])
    assert client.put(f"/api/v1/burden/apps/{app.pk}", body, content_type="application/json").status_code == 403
