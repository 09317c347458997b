"""A multipart POST without a usable boundary is a 400 with a Chinese message on every upload."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.testing import TestClient

from conftest import make_user
from qingzhuang.orgs import api_errors

MESSAGE = "上传请求的格式不正确（multipart 数据无法解析），请重新选择文件上传"

API_UPLOADS = [
    "/api/v1/units/import",
    "/api/v1/people/import",
    "/api/v1/ledger/datasets/population/import",
    "/api/v1/assistant/policies",
    "/api/v1/assistant/summaries",
]
PAGE_UPLOADS = [
    "/orgs/units/import/",
    "/orgs/people/import/",
    "/ledger/datasets/population/import/",
    "/assistant/policies/",
    "/assistant/summary/",
]


@pytest.fixture
def token(county):
    make_user("uploader", county["root"], "系统管理员")
    from io import StringIO

    out = StringIO()
    call_command("create_token", "uploader", stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize("url", API_UPLOADS)
@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=",
                                          "multipart/form-data; boundary=\u00e9"])
def test_api_upload_without_boundary_is_400(client, token, url, content_type):
    response = client.post(url, data=b"--x\r\nabc", content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json() == {"detail": MESSAGE}


@pytest.mark.parametrize("url", PAGE_UPLOADS)
def test_page_upload_without_boundary_is_400(client, county, url):
    client.force_login(make_user("member", county["town_a"], "乡镇村干部"))
    response = client.post(url, data=b"--x\r\nabc", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.content.decode() == MESSAGE


def test_a_well_formed_upload_is_not_refused(client, token):
    # The test client encodes a proper boundary: the request reaches the endpoint (a dry run).
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("units.csv", "代码,名称\n".encode(), content_type="text/csv")
    response = client.post("/api/v1/units/import", {"file": upload, "dry_run": "true"},
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code != 400 or response.json().get("detail") != MESSAGE


def test_get_is_never_refused(client, county):
    client.force_login(make_user("member", county["town_a"], "乡镇村干部"))
    assert client.get("/orgs/units/import/", content_type="multipart/form-data").status_code != 400


def test_the_api_handler_answers_a_parse_error_that_gets_past_the_header_check():
    api = NinjaAPI(urls_namespace="bad_multipart_test")
    api_errors.install(api)

    @api.post("/boom", auth=None)
    def boom(request):
        raise MultiPartParserError("Invalid boundary in multipart: None")

    result = TestClient(api).post("/boom")
    assert result.status_code == 400
    assert json.loads(result.content) == {"detail": MESSAGE}
