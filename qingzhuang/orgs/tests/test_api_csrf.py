"""Scripts with a bearer token need no CSRF token; browser sessions still do."""

import pytest
from django.db import transaction
from django.test import Client

from qingzhuang.accounts.services import token_create


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "单位代码,单位名称,单位类型,上级单位代码\n429901001202,丙村,村,429901001000\n".encode()
    return SimpleUploadedFile("units.csv", content, content_type="text/csv")


def test_bearer_token_post_needs_no_csrf(csrf_client, users, county):
    with transaction.atomic():
        _, raw = token_create(actor=users["member"], user=users["member"], name="脚本")
    response = csrf_client.post("/api/v1/units/import", {"file": upload(), "dry_run": "true"},
                                HTTP_AUTHORIZATION=f"Bearer {raw}")
    # The member may not manage units: the token authenticated, the permission check answered.
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有维护组织架构的权限"}


def test_session_post_without_csrf_token_is_refused(csrf_client, users, county):
    csrf_client.force_login(users["member"])
    response = csrf_client.post("/api/v1/units/import", {"file": upload(), "dry_run": "true"})
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}
