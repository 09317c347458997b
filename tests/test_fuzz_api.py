"""Fuzz every operation of /api/v1/ with schemathesis, once per demo role, against the Django app.

The operations come from the API's own OpenAPI schema, so a module that mounts a router is fuzzed
as soon as it lands. Each operation is run with generated (valid and invalid) requests, with the
bearer token of each demo account, on the small demo county seeded once for the module (writes of
one test are rolled back after it). Every response must be no server error, have a documented status
code, a documented content type and headers, and a body that matches the documented schema.

Bounded for CI: ``QZ_FUZZ_EXAMPLES`` (default 5) generated requests per operation and role, the
deterministic coverage cases for two roles only, uploads and imports only as the roles they let in
and one they refuse (``UPLOAD_LOGINS``), derandomised so that every run sends the same requests. What the fuzzer found is kept as regression tests in ``tests/test_api_responses.py``.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qingzhuang.api import api

# The demo's logins, one per role (a township and a village cadre for 乡镇村干部).
LOGINS = ("admin", "kaohe", "ducha", "tianbao", "xiangzhen", "cun", "jianfu", "lingdao", "shenji")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
# Roles that also run the deterministic coverage cases (see test_boundary_requests).
COVERAGE_LOGINS = ("ducha", "tianbao")
EXAMPLES = int(os.environ.get("QZ_FUZZ_EXAMPLES", "5"))
# Uploads and imports (multipart file bodies, the slowest requests to generate and to handle) run as
# the roles the endpoint lets in and one role it refuses (403), not as all nine: the other refused
# roles take the same path to the same 403. ``tests/conftest.py`` deselects the other pairs. Every
# other operation runs as every role; test_boundary_requests runs every operation as its two roles.
UPLOAD_LOGINS = {
    "POST /api/v1/units/import": ("admin", "cun"),
    "POST /api/v1/people/import": ("admin", "xiangzhen", "cun", "kaohe"),
    "POST /api/v1/burden/meetings/import": ("ducha", "tianbao", "jianfu", "cun"),
    "POST /api/v1/burden/groups/import": ("ducha", "tianbao", "jianfu", "cun"),
    "POST /api/v1/burden/apps/import": ("ducha", "tianbao", "jianfu", "cun"),
    "POST /api/v1/burden/documents/import": ("ducha", "tianbao", "jianfu", "cun"),
    "POST /api/v1/ledger/datasets/{code}/import": ("admin", "tianbao", "xiangzhen", "cun", "kaohe"),
    "POST /api/v1/assessment/schemes/upload": ("kaohe", "cun"),
    "POST /api/v1/assistant/policies": ("admin", "ducha", "jianfu", "cun"),
}

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
FIXED_PATHS = {path for path in schema.raw_schema["paths"] if "{" not in path}


class _App(WSGIHandler):
    """Django's WSGI handler on the test's own connection: like Django's test client, it does not
    close the connection at the start and end of a request (the test's transaction lives on it)."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return super().__call__(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


schema.app = _App()


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo county and one bearer token per demo login, seeded once for this module
    inside a transaction that is rolled back after it."""
    from django.conf import settings as django_settings

    from qingzhuang.accounts.models import User
    from qingzhuang.accounts.services import token_create
    from qingzhuang.demo import seed as demo

    saved_media = django_settings.MEDIA_ROOT
    django_settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("fuzz-media"))
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo.seed("small")
            result = {}
            for username in LOGINS:
                user = User.objects.get(username=username)
                result[username] = token_create(actor=None, user=user, name="fuzz")[1]
            yield result
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            django_settings.MEDIA_ROOT = saved_media


def _call_and_validate(case, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    # A generated path parameter can spell a fixed path of the schema (/units/{code} with code
    # "import" is /units/import): that request belongs to the other operation (OpenAPI matches
    # fixed paths first), so only "no server error" applies to it here.
    routed_elsewhere = case.path != case.formatted_path and case.formatted_path in FIXED_PATHS
    case.validate_response(response, checks=[not_a_server_error] if routed_elsewhere else CHECKS)


@pytest.mark.django_db
@pytest.mark.parametrize("login", LOGINS)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_generated_requests(case, login, tokens):
    """Random valid and invalid requests (hypothesis, derandomised), as every role."""
    _call_and_validate(case, tokens[login])


@pytest.mark.django_db
@pytest.mark.parametrize("login", COVERAGE_LOGINS)
@schema.parametrize()
@settings(deadline=None, derandomize=True, database=None, phases=[Phase.explicit],
          suppress_health_check=list(HealthCheck))
def test_boundary_requests(case, login, tokens):
    """Schemathesis' deterministic coverage cases (each parameter's bounds, missing and wrong-typed
    fields, unexpected methods): what they send does not depend on the role, so two roles run them,
    one that reads the whole county and one that writes (a department reporter defines reports)."""
    _call_and_validate(case, tokens[login])


def test_upload_logins_name_real_operations_and_logins():
    """A renamed endpoint or login in ``UPLOAD_LOGINS`` would silently fuzz it as every role again."""
    labels = {f"{method.upper()} {path}" for path, item in schema.raw_schema["paths"].items() for method in item}
    assert set(UPLOAD_LOGINS) <= labels
    assert all(len(logins) >= 2 and set(logins) <= set(LOGINS) for logins in UPLOAD_LOGINS.values())
