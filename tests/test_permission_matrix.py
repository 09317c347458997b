"""Every URL and API endpoint, requested as every role and as a sibling-unit user.

The targets are objects that belong to 甲镇 (the ``member``'s township). Users in 乙镇
(``outsider``) and users with no unit (``nobody``) must never get them: every answer is a
redirect to sign-in, 403, 404 or 405, and no page or JSON they get names 甲镇's units or people.
Each app names the objects and URL arguments to try in its matrix module (``Module.matrix`` in its
``module.py``, e.g. ``qingzhuang/ledger/tests/matrix.py``), and its public pages (``PUBLIC``, URL
names anyone may open); a new URL with arguments that no matrix module names makes this test fail.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from qingzhuang import registry
from qingzhuang.orgs.models import AuditLog

# Strings that only 甲镇's objects contain.
MARKERS = ("甲村一网格", "张三", "13812345678", "11010519491231002X", "1101**********002X", "138****5678")

# Public pages: anyone may open them (an app's matrix module adds its own as ``PUBLIC``).
PUBLIC = {"accounts:login", "web:healthz", "api:openapi-json", "api:openapi-view"}
PUBLIC |= {name for matrix in registry.matrix_modules() for name in getattr(matrix, "PUBLIC", ())}
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
    """Arguments that point at 甲镇's objects, per URL name, as each app's matrix module names them."""
    table = {}
    for matrix in registry.matrix_modules():
        table.update(matrix.targets(ctx))
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
    """甲镇's objects, made by each app's matrix module (``Module.matrix``), and the outsiders."""
    from conftest import make_user
    from qingzhuang.orgs.roles import ROLE_NAMES

    # The strongest outsider: every role at once, in the sibling township.
    users["sibling_all_roles"] = make_user("sibling_all_roles", county["town_b"], *ROLE_NAMES)
    context = {"users": users, "county": county, "people": people}
    for matrix in registry.matrix_modules():
        if hasattr(matrix, "objects"):
            context.update(matrix.objects(context))
    return context


def all_urls(ctx):
    urls = []
    for name, pattern, _ in iter_patterns():
        if "<" in pattern:
            args = url_args(name, ctx)
            if args is None:
                pytest.fail(f"URL {name} ({pattern}) takes arguments: name them in its app's tests/matrix.py")
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


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def assert_no_leak(name, url, method, response):
    body = body_of(response)
    for marker in MARKERS:
        assert marker not in body, f"{method} {url} ({name}) leaked {marker!r} with status {response.status_code}"


def writes():
    """Audit rows of changes: not sign-ins, and not the audited reads (exports of unmasked data of
    the user's own units, reveals), which an outsider may do in their own township."""
    return (AuditLog.objects.exclude(action__startswith="auth.").exclude(action__endswith=".export")
            .exclude(action__endswith=".reveal"))


@pytest.mark.parametrize("who", ["outsider", "sibling_all_roles", "nobody"])
def test_no_leak_to_other_units(client, ctx, who):
    user = ctx["users"][who]
    login_as(client, user)
    writes_before = writes().count()
    for name, url in all_urls(ctx):
        # Signing out would turn every later request into an anonymous one.
        if url.startswith("/static/") or name == "accounts:logout":
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
    # Nothing the outsider posted changed anything, and nothing they read was 甲镇's.
    assert writes().count() == writes_before
    town_a = ctx["county"]["town_a"].path
    assert not AuditLog.objects.filter(actor=user, unit__path__startswith=town_a).exists()


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
        if name in {"accounts:logout", "orgs:person_reveal", "accounts:token_revoke"} or name.startswith("api:") and "import" in name:
            continue
        response = client.get(url)
        assert response.status_code in {200, 301, 302, 403, 404, 405}, f"GET {url} ({name}) as {role}: {response.status_code}"
