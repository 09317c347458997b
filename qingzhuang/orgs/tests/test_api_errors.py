"""The one error shape of the API (orgs.api_errors) and its global handlers."""

from django.core.exceptions import PermissionDenied, ValidationError

from qingzhuang.orgs.api_errors import ErrorOut, error_body, error_status, validation_error_body
from qingzhuang.orgs.tests.test_api import bearer


def test_error_body_leaves_out_empty_errors():
    assert error_body("不行") == {"detail": "不行"}
    assert error_body("不行", []) == {"detail": "不行"}
    assert error_body("不行", ["甲", "乙"]) == {"detail": "不行", "errors": ["甲", "乙"]}


def test_validation_errors_by_field_and_plain():
    by_field = ValidationError({"measure": "请选择字段", "name": ["请填写名称", "名称过长"]})
    assert validation_error_body(by_field) == {
        "detail": "请选择字段；请填写名称；名称过长",
        "errors": {"measure": ["请选择字段"], "name": ["请填写名称", "名称过长"]},
    }
    assert validation_error_body(ValidationError("原文件已不存在")) == {"detail": "原文件已不存在"}


def test_error_status():
    assert (error_status(PermissionDenied()).status_code, error_status(PermissionDenied()).value) == (
        403, {"detail": "没有权限"})
    status = error_status(ValidationError({"note": "请写明理由"}))
    assert (status.status_code, status.value) == (400, {"detail": "请写明理由", "errors": {"note": ["请写明理由"]}})


def test_error_out_serialises_without_empty_errors():
    assert ErrorOut(detail="不行").model_dump() == {"detail": "不行"}
    assert ErrorOut(detail="不行", errors={"a": ["b"]}).model_dump() == {"detail": "不行", "errors": {"a": ["b"]}}
    assert ErrorOut(detail="不行", errors=["b"]).model_dump() == {"detail": "不行", "errors": ["b"]}


def test_http404_through_the_global_handler(client, users, county):
    response = client.get("/api/v1/units/999999999999", **bearer(users["member"]))
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_one_error_schema_in_openapi(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "ErrorOut" in schemas
    assert set(schemas["ErrorOut"]["properties"]) == {"detail", "errors"}
    assert not {"DetailOut", "SummaryErrorOut"} & set(schemas)
    # A refused write through the PermissionDenied handler: test_transfer_views (403 {"detail": …}).
