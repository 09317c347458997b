"""What the fuzzer (tests/test_fuzz_api.py) found, each fixed in the API and kept here.

- A ``year`` outside 2000..2100 (``year=10000``, ``year=-27601``) was a 500: the year's bounds were
  not dates. Now a 400 with a Chinese message.
- A path under /api/v1/ that no route matches (``/api/v1/people/abc``) answered the HTML 404 page. Now
  the API's JSON 404.
- ``/units/{code}`` with code ``export`` or ``import`` is another endpoint: such codes are reserved.
- Answers the schema did not document: Ninja's own 401 and 422 (documented on every operation by
  ``orgs.api_errors.document_common_responses``), 404 of objects out of scope, 400 of paging, the files
  of the exports and of a Word summary.
"""

from __future__ import annotations

import pytest

from qingzhuang.api import api
from qingzhuang.orgs.tests.test_api import bearer

YEAR_MESSAGE = "年份 year 应为 2000 到 2100 之间的整数"


@pytest.fixture
def supervisor(users):
    return bearer(users["supervision"])


@pytest.mark.parametrize("url", ["/api/v1/ledger/burden", "/api/v1/ledger/burden/summary"])
@pytest.mark.parametrize("year", [10000, -27601, 1999, 2101])
def test_a_year_out_of_range_is_400(client, supervisor, url, year):
    response = client.get(url, {"year": year}, **supervisor)
    assert (response.status_code, response.json()) == (400, {"detail": YEAR_MESSAGE, "errors": {"year": [YEAR_MESSAGE]}})


@pytest.mark.parametrize("url", ["/api/v1/ledger/burden", "/api/v1/ledger/burden/summary"])
@pytest.mark.parametrize("year", [2000, 2100])
def test_the_years_at_the_bounds_work(client, supervisor, url, year):
    response = client.get(url, {"year": year}, **supervisor)
    assert response.status_code == 200
    if url.endswith("summary"):
        assert response.json()["year"] == year


@pytest.mark.parametrize(("method", "url"), [
    ("get", "/api/v1/people/abc"),
    ("get", "/api/v1/nothing-here"),
    ("post", "/api/v1/ledger/jobs/abc/retry"),
    ("get", "/api/v1/ledger/datasets/x/records/%0A"),  # a line break in the path
])
def test_an_unknown_api_path_is_a_json_404(client, supervisor, method, url):
    response = getattr(client, method)(url, **supervisor)
    assert (response.status_code, response["Content-Type"], response.json()) == (
        404, "application/json", {"detail": "Not Found"})


def test_an_unknown_api_path_is_404_without_signing_in_too(client, db):
    response = client.post("/api/v1/nothing-here")  # no CSRF token: it writes nothing
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_a_page_path_still_answers_the_html_page(client, users):
    client.force_login(users["member"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_unit_code_out_of_format_is_422(client, supervisor):
    response = client.get("/api/v1/units/42%2099", **supervisor)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "code"]


# The API's only operations open without signing in: a visited unit verifies an inspection code.
PUBLIC_OPERATIONS = {"/api/v1/supervision/visits/verify"}


def test_every_operation_documents_what_ninja_answers():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path in PUBLIC_OPERATIONS:  # no sign-in: nothing to refuse with 401
                assert not operation.get("security") and 401 not in responses, (method, path)
            else:
                assert responses[401]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/UnauthorizedOut"}, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert responses[422]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/InputErrorOut"}, (method, path)
            # An object looked up by its path parameter may be missing or out of scope.
            if "{" in path:
                assert 404 in responses, (method, path)
    assert set(schema["components"]["schemas"]["InputErrorItem"]["properties"]) == {"type", "loc", "msg", "ctx"}


def test_bad_input_matches_the_documented_422(client, supervisor):
    response = client.get("/api/v1/units", {"offset": "abc"}, **supervisor)
    assert response.status_code == 422
    assert response.json() == {"detail": [{"type": "int_parsing", "loc": ["query", "offset"],
                                           "msg": "Input should be a valid integer, unable to parse string as an integer"}]}


def test_the_exports_document_their_files():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path in ("/api/v1/units/export", "/api/v1/people/export", "/api/v1/ledger/datasets/{code}/export"):
        assert set(schema["paths"][path]["get"]["responses"][200]["content"]) == {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"}
    summary = schema["paths"]["/api/v1/assistant/summaries"]["post"]["responses"][200]["content"]
    assert set(summary) == {"application/json",
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


NUL_MESSAGE = "请求中含有空字符（NUL），请删除后重试"


def test_a_nul_in_a_query_parameter_is_400_not_a_database_error(client, supervisor):
    # PostgreSQL: "PostgreSQL text fields cannot contain NUL (0x00) bytes" was a 500 on /ledger/find.
    response = client.get("/api/v1/ledger/find", {"under": "42\x0099", "q": "身份证号"}, **supervisor)
    assert (response.status_code, response.json()) == (400, {"detail": NUL_MESSAGE})


def test_a_nul_in_a_json_string_is_400(client, supervisor):
    body = '{"name": "月报\\u0000", "fields": ["a"]}'
    response = client.post("/api/v1/ledger/reports", body, content_type="application/json", **supervisor)
    assert (response.status_code, response.json()) == (400, {"detail": NUL_MESSAGE})


def test_an_escaped_backslash_is_not_a_nul(client, supervisor):
    # The text "\u0000" itself (a backslash, then u0000) is no NUL: the request goes on to the endpoint.
    body = '{"question": "\\\\u0000 是什么"}'
    response = client.post("/api/v1/assistant/ask", body, content_type="application/json", **supervisor)
    assert response.status_code == 200


def test_a_nul_in_a_form_field_is_400_and_a_page_gets_plain_text(client, users):
    client.force_login(users["member"])
    response = client.get("/orgs/units/", {"q": "甲\x00"})
    assert (response.status_code, response["Content-Type"], response.content.decode()) == (
        400, "text/plain; charset=utf-8", NUL_MESSAGE)


def test_a_nul_in_a_multipart_field_is_400(client, supervisor):
    response = client.post("/api/v1/assistant/summaries", {"source": "dataset", "dataset": "pop\x00"}, **supervisor)
    assert (response.status_code, response.json()) == (400, {"detail": NUL_MESSAGE})


def test_the_refusal_is_documented_beside_an_imports_own_400():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    refused = {"$ref": "#/components/schemas/ErrorOut"}
    imports = schema["paths"]["/api/v1/units/import"]["post"]["responses"][400]["content"]["application/json"]
    assert imports["schema"] == {"anyOf": [{"$ref": "#/components/schemas/ImportOut"}, refused]}
    find = schema["paths"]["/api/v1/ledger/find"]["get"]["responses"][400]["content"]["application/json"]
    assert find["schema"] == refused
    assert 400 not in schema["paths"]["/api/v1/me"]["get"]["responses"]  # no input, nothing to refuse


def test_a_form_sent_to_a_json_endpoint_is_still_read_by_it(client, supervisor):
    # The NUL check reads a small multipart body first, so the endpoint can still read it (and refuse it).
    response = client.post("/api/v1/ledger/reports", {"name": "月报"}, **supervisor)
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
