"""Pages of the document registry and of 一网协同."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import make_user
from qingzhuang.burden.models import Circulation, CirculationReceipt, Demand, Document
from qingzhuang.burden.services import circulation as circulation_services
from qingzhuang.burden.services import documents as services
from qingzhuang.orgs.roles import REPORTER


def _document(placing, county, **kwargs):
    values = {"issuer": placing["civil"], "number": "青民发〔2025〕1号", "title": "关于开展排查的通知",
              "issued_on": dt.date(2025, 3, 18), "kind": "special", "chars": 4001,
              "target_units": [county["village_a"]], **kwargs}
    return services.document_create(actor=placing["rep"], data=services.DocumentData(**values))


def test_list_filters_and_export(client, placing, county):
    flagged = _document(placing, county)
    _document(placing, county, number="青民发〔2025〕2号", chars=100, title="无问题的文件", target_units=[])
    client.force_login(placing["rep"])
    page = client.get("/burden/documents/?year=2025")
    assert page.status_code == 200
    body = page.content.decode()
    assert "专项文件超过4000字（4,001字）" in body and "无问题的文件" in body
    only = client.get("/burden/documents/?year=2025&flagged=1").content.decode()
    assert flagged.title in only and "无问题的文件" not in only
    export = client.get("/burden/documents/?year=2025&flagged=1&export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("发文单位", "文号", "标题") and len(rows) == 2
    assert rows[1][1] == "青民发〔2025〕1号" and rows[1][9] == "专项文件超过4000字"
    assert client.get("/burden/documents/?page=9").status_code == 400


def test_register_through_the_form(client, placing, county):
    client.force_login(placing["rep"])
    assert client.get("/burden/documents/new/").status_code == 200
    response = client.post("/burden/documents/new/", {
        "issuer": placing["civil"].pk, "number": "青民发〔2025〕9号", "title": "春耕通知", "issued_on": "2025-03-01",
        "kind": "special", "chars": "1200", "target_under": county["town_a"].code, "target_codes": county["village_b"].code})
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/burden/documents/{document.pk}/"
    assert sorted(Demand.objects.values_list("unit__name", flat=True)) == ["乙村", "甲村"]
    bad = client.post("/burden/documents/new/", {
        "issuer": placing["civil"].pk, "number": "九号", "title": "春耕通知", "issued_on": "2025-03-01",
        "kind": "special", "chars": "1200"})
    assert bad.status_code == 200 and services.M_NUMBER in bad.content.decode()


def test_other_department_gets_404_and_grassroots_403(client, placing, county):
    document = _document(placing, county)
    client.force_login(make_user("statrep", county["stats"], REPORTER))
    assert client.get(f"/burden/documents/{document.pk}/").status_code == 404
    assert client.get(f"/burden/documents/{document.pk}/edit/").status_code == 404
    client.force_login(placing["cun"])
    assert client.get(f"/burden/documents/{document.pk}/").status_code == 200  # it reaches 甲村
    assert client.get(f"/burden/documents/{document.pk}/edit/").status_code == 403
    assert client.get("/burden/documents/new/").status_code == 403
    assert client.get("/burden/documents/import/").status_code == 403


def test_judge_and_explain_pages(client, placing, county, users):
    document = _document(placing, county)
    client.force_login(users["monitor"])
    client.post(f"/burden/documents/{document.pk}/judge/", {"notice_would_do": "1"})
    document.refresh_from_db()
    assert document.notice_would_do is True
    client.force_login(placing["rep"])
    assert client.post(f"/burden/documents/{document.pk}/judge/", {"notice_would_do": "0"}).status_code == 403
    url = f"/burden/documents/explain/{placing['civil'].code}/2025/"
    page = client.get(url).content.decode()
    assert "2025年已发文 <strong>1</strong> 件" in page and "发文数量超过上年且未说明" in page
    assert client.post(url, {"text": "新增专项工作"}).status_code == 302
    assert "新增专项工作" in client.get(url).content.decode()
    client.force_login(make_user("statrep", county["stats"], REPORTER))
    assert client.get(url).status_code == 404


def test_import_page_dry_run_and_problems(client, placing, county):
    client.force_login(placing["rep"])
    good = "发文单位,文号,标题,印发日期,文件类型,正文字数\n县民政局,青民发〔2025〕3号,通知,2025-03-18,专项,100\n"
    response = client.post("/burden/documents/import/", {
        "file": SimpleUploadedFile("d.csv", good.encode()), "dry_run": "on"})
    assert "预检通过：共 1 行，可导入 1 件发文" in response.content.decode()
    assert not Document.objects.exists()
    bad = "发文单位,文号,标题,印发日期,文件类型,正文字数\n县民政局,青民发〔2025〕3号,通知,2025-03-18,普通,100\n"
    response = client.post("/burden/documents/import/", {"file": SimpleUploadedFile("d.csv", bad.encode())})
    assert "“文件类型”应为以下之一：综合性、专项" in response.content.decode()
    assert client.get("/burden/documents/import/errors/").status_code == 200
    assert client.get("/burden/documents/import/template/").status_code == 200
    response = client.post("/burden/documents/import/", {"file": SimpleUploadedFile("d.csv", good.encode())})
    assert response.status_code == 302 and Document.objects.count() == 1


def test_circulation_pages(client, placing, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(placing["rep"])
    assert client.get("/burden/circulations/new/").status_code == 200
    response = client.post("/burden/circulations/new/", {
        "kind": "notice", "title": "春耕通知", "body": "请阅。", "recipient_codes": f"{county['village_a'].code} "
        f"{county['village_b'].code}", "attachment": SimpleUploadedFile("通知.pdf", b"%PDF-1.4 x")})
    circulation = Circulation.objects.get()
    assert response["Location"] == f"/burden/circulations/{circulation.pk}/"
    client.force_login(placing["cun"])
    inbox = client.get("/burden/circulations/").content.decode()
    assert "春耕通知" in inbox and "未读" in inbox
    page = client.get(f"/burden/circulations/{circulation.pk}/").content.decode()
    assert "本单位已读" in page and "阅读情况" not in page
    assert client.get(f"/burden/circulations/{circulation.pk}/attachment/").status_code == 200
    assert client.post(f"/burden/circulations/{circulation.pk}/remind/").status_code == 403
    assert not circulation.reminders.exists()
    client.force_login(placing["rep"])
    page = client.get(f"/burden/circulations/{circulation.pk}/").content.decode()
    assert "1/2 已读" in page and "（50.0%）" in page
    client.post(f"/burden/circulations/{circulation.pk}/remind/")
    assert list(circulation.reminders.get().units.all()) == [county["village_b"]]
    sent = client.get("/burden/circulations/?tab=sent").content.decode()
    assert "1/2" in sent
    client.force_login(make_user("grid", county["grid_a"], REPORTER))
    assert client.get(f"/burden/circulations/{circulation.pk}/").status_code == 404
    assert CirculationReceipt.objects.filter(read_at__isnull=False).count() == 1


def test_circulation_form_errors(client, placing, county, users):
    client.force_login(placing["rep"])
    response = client.post("/burden/circulations/new/", {"kind": "notice", "title": "t", "body": "b",
                                                         "recipient_codes": "999"})
    assert "没有这些单位代码：999" in response.content.decode()
    client.force_login(users["leader"])
    assert client.get("/burden/circulations/new/").status_code == 403
    assert client.get("/burden/circulations/").status_code == 200
    assert circulation_services.M_PERMISSION
