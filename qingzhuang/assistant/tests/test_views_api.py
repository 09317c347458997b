"""Pages and API of the assistant: search, ask, the library (upload, edit, reindex, delete, file)."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qingzhuang.accounts.services import token_create
from qingzhuang.assistant.models import PolicyDocument
from qingzhuang.assistant.tests.conftest import RULES


def test_search_page_shows_highlighted_hits(library, users, verified_client):
    client = verified_client(users["member"])
    response = client.get("/assistant/", {"q": "工作群多久解散"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<mark>工作群</mark>" in body
    assert "找到 2 个相关段落" in body
    assert body.index("第二章 会议规范 &gt; 第四条") < body.index("二、工作要求")


def test_search_page_htmx_returns_results_only(library, users, verified_client):
    client = verified_client(users["member"])
    response = client.get("/assistant/", {"q": "值班", "level": "乡镇"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "甲镇值班制度" in body


def test_search_page_reports_bad_dates(library, users, verified_client):
    client = verified_client(users["member"])
    response = client.get("/assistant/", {"q": "会议", "date_from": "2025-05-01", "date_to": "2025-01-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_ask_page_shows_answer_and_cited_passages(library, users, verified_client):
    client = verified_client(users["member"])
    body = client.get("/assistant/ask/", {"q": "工作群多久解散"}).content.decode()
    assert "摘录原文" in body and "[1] <a href=\"/assistant/policies/" in body
    assert "工作群任务结束后7日内解散" in body


def test_ask_page_without_support(library, users, verified_client):
    body = verified_client(users["member"]).get("/assistant/ask/", {"q": "如何申请出国签证"}).content.decode()
    assert "未找到相关依据" in body and "政策库中没有与这个问题相关的条款。" in body


def test_upload_page_adds_and_reports_each_file(db, users, verified_client, django_capture_on_commit_callbacks):
    client = verified_client(users["supervision"])
    files = [SimpleUploadedFile("会议办法.md", RULES.encode()), SimpleUploadedFile("坏文件.pdf", b"hello")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assistant/policies/", {"files": files}, follow=True)
    body = response.content.decode()
    assert "会议办法.md：已添加《青山县测试会议管理办法》，正在后台建立索引" in body
    assert "坏文件.pdf：未添加，" in body
    doc = PolicyDocument.objects.get()
    assert (doc.original_name, doc.status, doc.unit) == ("会议办法.md", "indexed", users["supervision"].unit)


def test_upload_refused_without_permission(db, users, verified_client):
    client = verified_client(users["member"])
    response = client.post("/assistant/policies/", {"files": [SimpleUploadedFile("a.md", RULES.encode())]})
    assert response.status_code == 403
    assert not PolicyDocument.objects.exists()
    assert 'type="file"' not in client.get("/assistant/policies/").content.decode()


def test_detail_edit_reindex_delete(library, users, verified_client, django_capture_on_commit_callbacks):
    client = verified_client(users["supervision"])
    doc = library["county"]
    page = client.get(f"/assistant/policies/{doc.pk}/").content.decode()
    assert "第四条 工作群任务结束后7日内解散" in page and "修改文件信息" in page
    response = client.post(f"/assistant/policies/{doc.pk}/", {
        "title": "新标题", "issuer": "县政府", "doc_number": "青政办发〔2025〕21号", "issued_on": "2025-03-18",
        "level": "县级", "tags": "会议、工作群"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.title, doc.tags) == ("新标题", ["会议", "工作群"])
    bad = client.post(f"/assistant/policies/{doc.pk}/", {"title": "", "level": "县级"})
    assert "这个字段是必填项。" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/assistant/policies/{doc.pk}/reindex/").status_code == 302
    doc.refresh_from_db()
    assert doc.status == "indexed"
    file = client.get(f"/assistant/policies/{doc.pk}/file/")
    assert b"".join(file.streaming_content).decode() == RULES
    assert client.post(f"/assistant/policies/{doc.pk}/delete/").status_code == 302
    assert not PolicyDocument.objects.filter(pk=doc.pk).exists()


def test_member_cannot_edit_or_delete(library, users, verified_client):
    client = verified_client(users["member"])
    doc = library["county"]
    assert client.post(f"/assistant/policies/{doc.pk}/", {"title": "x", "level": "县级"}).status_code == 403
    assert client.post(f"/assistant/policies/{doc.pk}/delete/").status_code == 403
    assert PolicyDocument.objects.filter(pk=doc.pk, title="青山县测试会议管理办法").exists()


def test_other_township_document_is_404(library, users, verified_client):
    client = verified_client(users["outsider"])
    for url in ("/assistant/policies/{}/", "/assistant/policies/{}/file/"):
        assert client.get(url.format(library["town"].pk)).status_code == 404


# ---------------------------------------------------------------------------------------------
# API


def _token_client(user) -> tuple[Client, dict]:
    from django.db import transaction

    with transaction.atomic():
        _token, secret = token_create(actor=user, user=user, name="脚本")
    return Client(enforce_csrf_checks=True), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_api_search_and_ask(library, users):
    client, auth = _token_client(users["member"])
    response = client.get("/api/v1/assistant/search", {"q": "工作群多久解散"}, **auth)
    assert response.status_code == 200
    hit = response.json()["hits"][0]
    assert (hit["n"], hit["heading"], hit["document"]) == (1, "第二章 会议规范 > 第四条", "青山县测试会议管理办法")
    response = client.post("/api/v1/assistant/ask", json.dumps({"question": "工作群多久解散"}),
                           content_type="application/json", **auth)
    assert response.status_code == 200
    assert response.json()["citations"][0]["heading"] == "第二章 会议规范 > 第四条"
    assert response.json()["generated_by"] == "extractive"


def test_api_rejects_bad_input(library, users):
    client, auth = _token_client(users["member"])
    assert client.get("/api/v1/assistant/search", {"q": "x", "level": "村级"}, **auth).json() == {
        "detail": "层级应为：国家、省级、市级、县级、乡镇、其他"}
    response = client.post("/api/v1/assistant/ask", json.dumps({"question": "  "}),
                           content_type="application/json", **auth)
    assert (response.status_code, response.json()) == (400, {"detail": "请输入问题"})


def test_api_upload_list_and_scope(db, users, town_manager):
    client, auth = _token_client(town_manager)
    upload = SimpleUploadedFile("rules.md", RULES.encode())
    response = client.post("/api/v1/assistant/policies", {"file": upload}, **auth)
    assert response.status_code == 201
    document = response.json()["document"]
    assert (document["title"], document["unit"]) == ("青山县测试会议管理办法", "甲镇")
    again = client.post("/api/v1/assistant/policies", {"file": SimpleUploadedFile("x.md", RULES.encode())}, **auth)
    assert (again.status_code, again.json()["created"]) == (200, False)
    bad = client.post("/api/v1/assistant/policies", {"file": SimpleUploadedFile("x.doc", b"old")}, **auth)
    assert (bad.status_code, bad.json()) == (400, {"detail": "不支持的文件格式：.doc，请上传 docx、pdf、txt、md 或 html 文件"})
    outsider, outsider_auth = _token_client(users["outsider"])
    assert outsider.get("/api/v1/assistant/policies", **outsider_auth).json() == []
    assert outsider.get(f"/api/v1/assistant/policies/{document['id']}", **outsider_auth).status_code == 404
    member, member_auth = _token_client(users["member"])
    assert [d["id"] for d in member.get("/api/v1/assistant/policies", **member_auth).json()] == [document["id"]]


def test_api_upload_needs_permission_and_login(db, users):
    client, auth = _token_client(users["member"])
    response = client.post("/api/v1/assistant/policies", {"file": SimpleUploadedFile("a.md", RULES.encode())}, **auth)
    assert (response.status_code, response.json()) == (403, {"detail": "您没有维护政策库的权限"})
    assert Client().get("/api/v1/assistant/search", {"q": "会议"}).status_code == 401
    assert not PolicyDocument.objects.exists()


def test_ask_page_links_each_citation_to_its_passage(library, users, verified_client):
    body = verified_client(users["member"]).get("/assistant/ask/", {"q": "工作群多久解散"}).content.decode()
    assert '」<a href="#cite-1" class="qz-cite">[1]</a>' in body
    assert 'id="cite-1"' in body
    # Text of the answer is escaped: a passage's markup can never become HTML.
    assert "<script" not in body.split('data-testid="answer">')[1].split("</div>")[0]
