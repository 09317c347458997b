"""Requests that cannot be taken at all are a 400 with a Chinese message, never a 500.

- A multipart request without a usable boundary: Django raises ``MultiPartParserError`` the moment
  anything (the CSRF check, a form, the API's parameter parsing) first reads ``request.POST`` or
  ``request.FILES``. ``BadMultipartMiddleware`` looks at the ``Content-Type`` header before that.
- A NUL character in the path, a query parameter, a form field or a JSON string: PostgreSQL cannot
  store or compare it ("text fields cannot contain NUL") and SQLite cuts text at it.
  ``NulCharacterMiddleware`` refuses it before any view sees it. Uploaded files are not looked into
  (a spreadsheet holds NUL bytes; the readers of files check their own content), nor the fields of
  a multipart body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (read only by its view; Django's form
  fields refuse NUL themselves).

Each is refused once, for pages and the API alike: the API gets the one error shape
(``orgs.api_errors``), a page plain text.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParser

from qingzhuang.orgs.api_errors import BAD_MULTIPART_MESSAGE, NUL_MESSAGE, error_body

API_PREFIX = "/api/"


def has_bad_boundary(request) -> bool:
    """Whether ``request`` says it is multipart but names no boundary Django's parser accepts."""
    if not (request.content_type or "").startswith("multipart/"):
        return False
    boundary = (request.content_params or {}).get("boundary")
    return not boundary or not MultiPartParser.boundary_re.fullmatch(boundary)


def bad_request(request, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return HttpResponseBadRequest(json.dumps(error_body(message), ensure_ascii=False),
                                      content_type="application/json; charset=utf-8")
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def bad_multipart_response(request) -> HttpResponse:
    return bad_request(request, BAD_MULTIPART_MESSAGE)


def _has_nul(value) -> bool:
    """Whether a string, or any key or string inside a JSON value, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _fields_have_nul(query_dict) -> bool:
    return any(_has_nul(key) or any(_has_nul(v) for v in values) for key, values in query_dict.lists())


def has_nul(request) -> bool:
    """Whether the path, a query parameter, a form field or a JSON string of ``request`` holds NUL."""
    if "\x00" in request.path or _fields_have_nul(request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type == "application/json":
        body = request.body
        if b"\x00" in body:
            return True
        # Only a body that spells the escape can hold one once decoded; invalid JSON is the API's 422.
        if b"\\u0000" in body:
            try:
                return _has_nul(json.loads(body))
            except ValueError:
                return False
        return False
    if content_type == "application/x-www-form-urlencoded":
        return _fields_have_nul(request.POST)  # parsed from request.body, which stays readable
    if content_type == "multipart/form-data" and _fits_in_memory(request):
        # Read the body first, so that an endpoint that reads it (a JSON endpoint sent a form) still
        # can; the fields are then parsed from that copy. A larger upload is parsed by its view.
        request.body  # noqa: B018
        return _fields_have_nul(request.POST)
    return False


def _fits_in_memory(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is None or length <= limit


class BadMultipartMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS") and has_bad_boundary(request):
            return bad_multipart_response(request)
        return self.get_response(request)


class NulCharacterMiddleware:
    """After ``BadMultipartMiddleware`` (reading a multipart body needs its boundary)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            return bad_request(request, NUL_MESSAGE)
        return self.get_response(request)
