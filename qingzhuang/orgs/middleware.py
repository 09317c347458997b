"""A multipart request without a usable boundary is a 400 with a Chinese message, never a 500.

Django raises ``MultiPartParserError`` the moment anything (the CSRF check, a form, the API's
parameter parsing) first reads ``request.POST`` or ``request.FILES``. This middleware looks at the
``Content-Type`` header before that happens and refuses such a request once, for pages and the
API alike: the API gets the one error shape (``orgs.api_errors``), a page plain text.
"""

from __future__ import annotations

import json

from django.http import HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParser

from qingzhuang.orgs.api_errors import BAD_MULTIPART_MESSAGE, error_body

API_PREFIX = "/api/"


def has_bad_boundary(request) -> bool:
    """Whether ``request`` says it is multipart but names no boundary Django's parser accepts."""
    if not (request.content_type or "").startswith("multipart/"):
        return False
    boundary = (request.content_params or {}).get("boundary")
    return not boundary or not MultiPartParser.boundary_re.fullmatch(boundary)


def bad_multipart_response(request) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return HttpResponseBadRequest(json.dumps(error_body(BAD_MULTIPART_MESSAGE), ensure_ascii=False),
                                      content_type="application/json; charset=utf-8")
    return HttpResponseBadRequest(BAD_MULTIPART_MESSAGE, content_type="text/plain; charset=utf-8")


class BadMultipartMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS") and has_bad_boundary(request):
            return bad_multipart_response(request)
        return self.get_response(request)
