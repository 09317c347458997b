"""Every URL and API endpoint, requested as every role and as a sibling-unit user.

The targets are objects that belong to 甲镇 (the ``member``'s township). Users in 乙镇
(``outsider``) and users with no unit (``nobody``) must never get them: every answer is a
redirect to sign-in, 403, 404 or 405, and no page or JSON they get names 甲镇's units or people.
A new URL with arguments must be added to ``URL_ARGS`` or this test fails.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from qingzhuang.accounts.services import token_create
from qingzhuang.orgs.models import AuditLog

# Strings that only 甲镇's objects contain.
MARKERS = ("甲村一网格", "张三", "13812345678", "11010519491231002X", "1101**********002X", "138****5678")

# Public pages: anyone may open them.
PUBLIC = {"login", "healthz", "api:openapi-json", "api:openapi-view"}
# Answers 404 to everyone (Ninja's root has no page).
NO_PAGE = {"api:api-root"}


def iter_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, prefix + str(entry.pattern), entry


def url_args(name, ctx):
    """Arguments that point at 甲镇's objects, per URL name."""
    village = ctx["county"]["village_a"].code
    person = ctx["people"]["a"].pk
    member = ctx["users"]["member"].pk
    table = {
        "unit_detail": {"code": village},
        "unit_children": {"code": village},
        "unit_edit": {"code": village},
        "person_detail": {"pk": person},
        "person_edit": {"pk": person},
        "person_reveal": {"pk": person},
        "token_revoke": {"pk": ctx["member_token"].pk},
        "user_detail": {"pk": member},
        "user_password": {"pk": member},
        "user_unlock": {"pk": member},
        "user_reset_totp": {"pk": member},
        "api:get_unit": {"code": village},
        "api:get_person": {"pk": person},
        "dataset_detail": {"code": "population"},
        "dataset_export": {"code": "population"},
        "dataset_import": {"code": "population"},
        "record_detail": {"code": "population", "pk": ctx["record"].pk},
        "record_reveal": {"code": "population", "pk": ctx["record"].pk},
        "job_detail": {"pk": ctx["job"].pk},
        "job_progress": {"pk": ctx["job"].pk},
        "job_errors": {"pk": ctx["job"].pk},
        "job_retry": {"pk": ctx["job"].pk},
        "api:get_dataset": {"code": "population"},
        "api:list_records": {"code": "population"},
        "api:get_record": {"code": "population", "pk": ctx["record"].pk},
        "api:import_dataset": {"code": "population"},
        "api:export_dataset": {"code": "population"},
        "api:get_job": {"job_id": ctx["job"].pk},
        "api:retry_job": {"job_id": ctx["job"].pk},
        **{name: {"pk": ctx["report"].pk} for name in (
            "report_detail", "report_edit", "report_fill", "report_export", "report_submit", "report_review",
            "report_register", "report_send")},
        **{name: {"pk": ctx["data_request"].pk} for name in (
            "request_detail", "request_edit", "request_submit", "request_review", "request_send")},
        "demand_detail": {"pk": ctx["demand"].pk},
        "burden_unit": {"code": village},
        **{f"api:{name}": {"report_id": ctx["report"].pk} for name in (
            "get_report", "submit_report", "review_report", "register_report", "fill_report", "send_report")},
        **{f"api:{name}": {"request_id": ctx["data_request"].pk} for name in (
            "get_data_request", "submit_data_request", "review_data_request", "send_data_request")},
        "api:fill_demand": {"demand_id": ctx["demand"].pk},
        **{name: {"pk": ctx["policy"].pk} for name in (
            "policy_detail", "policy_reindex", "policy_delete", "policy_file")},
        "api:get_policy": {"document_id": ctx["policy"].pk},
        # Summaries live in the session of whoever made them: another user's token is unknown.
        "summary_download": {"token": "0" * 32},
    }
    return table.get(name)


def fill(pattern: str, args: dict | None) -> str:
    import re

    def repl(match):
        key = match.group(2)
        if args is None or key not in args:
            raise KeyError(key)
        return str(args[key])

    path = re.sub(r"<(?:(\w+):)?(\w+)>", repl, pattern)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def ctx(users, county, people):
    from conftest import make_user
    from qingzhuang.orgs.roles import ROLE_NAMES

    with transaction.atomic():
        token, _ = token_create(actor=users["member"], user=users["member"], name="脚本")
    # The strongest outsider: every role at once, in the sibling township.
    users["sibling_all_roles"] = make_user("sibling_all_roles", county["town_b"], *ROLE_NAMES)
    record, job = ledger_objects(county, users["member"])
    report, data_request, demand = report_objects(county)
    policy = policy_object(county)
    return {"users": users, "county": county, "people": people, "member_token": token, "record": record,
            "job": job, "report": report, "data_request": data_request, "demand": demand, "policy": policy}


def policy_object(county):
    """A policy document of 甲村 (visible to 甲镇 and the county, not to 乙镇), indexed and searchable."""
    from qingzhuang.assistant.models import PolicyDocument, PolicyPassage
    from qingzhuang.assistant.services import bump_library
    from qingzhuang.assistant.text import tokens

    text = "甲村一网格值班安排：张三负责，联系电话13812345678。"
    with transaction.atomic():
        policy = PolicyDocument.objects.create(
            title="甲村一网格值班制度", unit=county["village_a"], original_name="甲村一网格.txt", format="txt",
            sha256="x", text=text, status="indexed", passage_count=1, file="policies/none.txt")
        PolicyPassage.objects.create(document=policy, position=0, heading="一、值班", article="一、", text=text,
                                     tokens=" ".join(tokens(text)))
        bump_library()
    return policy


def report_objects(county):
    """A 统计局 report and data request, both admitted, each asking 甲村一网格; a demand on it."""
    from qingzhuang.burden.models import Demand, DemandKind
    from qingzhuang.ledger.models import Admission, DataRequest, Dataset, Report

    grid = county["grid_a"]
    report = Report.objects.create(name="甲村一网格走访月报", owner=county["stats"], manual_fields=["走访次数"],
                                   dataset=Dataset.objects.get(code="population"), admission=Admission.APPROVED)
    report.target_units.set([grid])
    data_request = DataRequest.objects.create(title="甲村一网格低保核查", owner=county["stats"],
                                              fields_text="身份证号、家中养狗数量", admission=Admission.APPROVED)
    data_request.target_units.set([grid])
    demand = Demand.objects.create(kind=DemandKind.REPORT, source=report, unit=grid, placed_by=county["stats"],
                                   title=report.name, month="2025-06", round="2025-06", fields=["走访次数"])
    return report, data_request, demand


def ledger_objects(county, member):
    """A 甲村 record of 张三 in the ledger and a failed import of it by 甲镇's member."""
    from qingzhuang.ledger.builtins import ensure_builtin_catalog
    from qingzhuang.ledger.models import Dataset, ImportJob, Record

    ensure_builtin_catalog()
    population = Dataset.objects.get(code="population")
    data = {"name": "张三", "id_number": "11010519491231002X", "phone": "13812345678",
            "unit_code": county["village_a"].code}
    record = Record.objects.create(dataset=population, unit=county["village_a"], key=data["id_number"], data=data)
    job = ImportJob.objects.create(
        dataset=population, uploaded_by=member, file="ledger/imports/x.csv", original_name="甲村一网格.csv",
        status="failed", errors=[{"row": 2, "column": "姓名", "value": "张三", "code": "x", "message": "有误"}])
    return record, job


def all_urls(ctx):
    urls = []
    for name, pattern, _ in iter_patterns():
        if "<" in pattern:
            args = url_args(name, ctx)
            if args is None:
                pytest.fail(f"URL {name} ({pattern}) takes arguments: add it to URL_ARGS in this test")
            urls.append((name, fill(pattern, args)))
        else:
            urls.append((name, fill(pattern, None)))
    return urls


def login_as(client, user):
    client.force_login(user)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user.groups.filter(name="系统管理员").exists():
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="matrix", defaults={"confirmed": True})
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()


def assert_no_leak(name, url, method, response):
    body = response.content.decode(errors="replace")
    for marker in MARKERS:
        assert marker not in body, f"{method} {url} ({name}) leaked {marker!r} with status {response.status_code}"


@pytest.mark.parametrize("who", ["outsider", "sibling_all_roles", "nobody"])
def test_no_leak_to_other_units(client, ctx, who):
    user = ctx["users"][who]
    login_as(client, user)
    writes_before = AuditLog.objects.exclude(action__startswith="auth.").count()
    for name, url in all_urls(ctx):
        if url.startswith("/static/"):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code != 500, f"{method} {url} → 500"
            if name in PUBLIC:
                continue
            if response.status_code == 200 and name not in PUBLIC:
                assert_no_leak(name, url, method, response)
            else:
                assert response.status_code in {302, 400, 401, 403, 404, 405, 422}, (
                    f"{method.upper()} {url} ({name}) answered {response.status_code} to {who}"
                )
    # Nothing the outsider posted changed anything.
    assert AuditLog.objects.exclude(action__startswith="auth.").count() == writes_before


def test_anonymous_gets_nothing(client, ctx):
    for name, url in all_urls(ctx):
        if name in PUBLIC | NO_PAGE:
            continue
        response = client.get(url)
        assert response.status_code in {302, 401, 405}, f"GET {url} ({name}) answered {response.status_code}"
        if response.status_code == 302:
            assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize(
    "role", ["sysadmin", "assessment", "supervision", "reporter", "grassroots", "monitor", "leader", "auditor",
             "member"]
)
def test_every_role_gets_no_server_error(client, ctx, role):
    login_as(client, ctx["users"][role])
    for name, url in all_urls(ctx):
        if name in {"logout", "person_reveal", "token_revoke"} or name.startswith("api:") and "import" in name:
            continue
        response = client.get(url)
        assert response.status_code in {200, 302, 403, 404, 405}, f"GET {url} ({name}) as {role}: {response.status_code}"
