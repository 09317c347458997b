"""One error shape for the whole API, and the handlers that produce it.

Every refusal answers ``ErrorOut``: ``{"detail": "中文说明"}``, plus ``"errors"`` when there is
more to say — the messages by field of a ``ValidationError`` (``{"measure": ["…"]}``) or a list
of messages (a table that cannot be summarised). An import's problems by row and column are the
import result itself (``lib.results.ImportResult.to_json``), not an error document.

``install(api)`` registers handlers on the ``NinjaAPI`` so that an endpoint may simply let
Django's exceptions through:

- ``ValidationError`` → 400 ``{"detail": messages joined by "；", "errors": {field: [messages]}}``
- ``PermissionDenied`` → 403 ``{"detail": the exception's message or "没有权限"}``
- ``Http404`` → 404 ``{"detail": "Not Found"}`` (as Ninja answers; a unit out of scope reads
  exactly like a missing one)
- ``MultiPartParserError`` (a multipart body Django cannot parse) → 400 ``{"detail":
  BAD_MULTIPART_MESSAGE}``; ``orgs.middleware.BadMultipartMiddleware`` answers the same for a
  multipart request without a usable boundary before anything reads its body, pages included.

Some answers come before any endpoint runs, so ``document_common_responses`` adds them to every
operation of the published schema: Ninja's 401 ``{"detail": "Unauthorized"}`` without a valid token
or session, Ninja's 422 ``InputErrorOut`` when a parameter or the body does not match its declared
type, and the middleware's 400 ``ErrorOut`` for a request that cannot be taken at all (a NUL
character, which PostgreSQL cannot store, or a multipart body without a boundary:
``orgs.middleware``). Everything an endpoint answers itself (400, 403, 404 …) it declares in its own
``response={...}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import Schema, Status
from pydantic import model_serializer

FORBIDDEN_MESSAGE = "没有权限"
NOT_FOUND_MESSAGE = "Not Found"
BAD_MULTIPART_MESSAGE = "上传请求的格式不正确（multipart 数据无法解析），请重新选择文件上传"
NUL_MESSAGE = "请求中含有空字符（NUL），请删除后重试"


class ProblemOut(Schema):
    """One problem of an import: row, column, value, code and the Chinese reason (``lib.tables.Problem``)."""

    row: int | None = None
    column: str | None = None
    value: str | None = None
    code: str
    message: str


class ErrorOut(Schema):
    """A refused request: a Chinese ``detail``; ``errors`` by field or as a list when there are several."""

    detail: str
    errors: dict[str, list[str]] | list[str] | None = None

    @model_serializer(mode="wrap")
    def _without_empty_errors(self, handler):
        data = handler(self)
        if isinstance(data, dict) and not data.get("errors"):
            data.pop("errors", None)
        return data


class InputErrorItem(Schema):
    """One input that does not match its declared type, as Ninja reports it (pydantic's error)."""

    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class InputErrorOut(Schema):
    """Ninja's 422: the parameters or body fields that do not match their declared types."""

    detail: list[InputErrorItem]


class UnauthorizedOut(Schema):
    """Ninja's 401: no valid bearer token and no signed-in (and, where required, verified) session."""

    detail: str


# The models ``document_common_responses`` publishes (they belong to no endpoint's declaration).
COMMON_RESPONSE_MODELS = (UnauthorizedOut, InputErrorOut)


def _component(model: type[Schema], components: dict) -> dict:
    """Add ``model`` (and what it nests) to the schema's components; return a reference to it."""
    definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, nested in definition.pop("$defs", {}).items():
        components.setdefault(name, nested)
    components.setdefault(model.__name__, definition)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(description: str, ref: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def document_common_responses(schema: dict) -> dict:
    """Document, on every operation of an OpenAPI ``schema``, the answers given before the endpoint
    runs: 401 where the operation needs authentication; 422 and the refusal 400 where it takes
    parameters or a body. An operation's own 401 or 422 wins; its own 400 is kept beside ErrorOut."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    unauthorized = _component(UnauthorizedOut, components)
    bad_input = _component(InputErrorOut, components)
    refused = _component(ErrorOut, components)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                responses.setdefault(401, _json("未登录或令牌无效", unauthorized))
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault(422, _json("参数或请求体不符合声明的类型", bad_input))
                _add_refusal(responses, refused)
    return schema


def _add_refusal(responses: dict, refused: dict) -> None:
    """A 400 ``ErrorOut`` besides whatever 400 the operation declares itself (an import's problems)."""
    declared = responses.get(400)
    if declared is None:
        responses[400] = _json("请求无法处理（含空字符，或上传数据无法解析）", refused)
        return
    content = declared.setdefault("content", {}).setdefault("application/json", {})
    schema = content.get("schema")
    if schema is None:
        content["schema"] = refused
    elif schema != refused and refused not in schema.get("anyOf", []):
        content["schema"] = {"anyOf": [schema, refused]}


def error_body(detail: str, errors: dict[str, list[str]] | list[str] | None = None) -> dict:
    """The JSON of an error: ``{"detail": …}``, with ``"errors"`` only when there are any."""
    return {"detail": detail, "errors": errors} if errors else {"detail": detail}


def validation_error_body(exc: ValidationError) -> dict:
    errors = exc.message_dict if hasattr(exc, "error_dict") else None
    return error_body("；".join(exc.messages), errors)


def permission_denied_body(exc: PermissionDenied) -> dict:
    return error_body(str(exc) or FORBIDDEN_MESSAGE)


def error_status(exc: ValidationError | PermissionDenied) -> Status:
    """The response of a refused write, for an endpoint that catches the exception itself."""
    if isinstance(exc, PermissionDenied):
        return Status(403, permission_denied_body(exc))
    return Status(400, validation_error_body(exc))


def install(api) -> None:
    """Register the handlers of Django's ValidationError, PermissionDenied, Http404 and
    MultiPartParserError on ``api``."""

    def on_validation_error(request, exc: ValidationError):
        return api.create_response(request, validation_error_body(exc), status=400)

    def on_permission_denied(request, exc: PermissionDenied):
        return api.create_response(request, permission_denied_body(exc), status=403)

    def on_not_found(request, exc: Http404):
        return api.create_response(request, error_body(NOT_FOUND_MESSAGE), status=404)

    def on_bad_multipart(request, exc: MultiPartParserError):
        return api.create_response(request, error_body(BAD_MULTIPART_MESSAGE), status=400)

    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(MultiPartParserError, on_bad_multipart)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
