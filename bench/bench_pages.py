"""Scoped pages at the article's scale (467 units, 5,199 cadres) against a trivial page.

The baseline is the trivial page of the same signed-in user: the 404 page, which goes through
the same middleware, session, navigation and base template but queries no data. The ratio is
what our scoping, queries and rows add on top of that.
"""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from bench.harness import median_seconds, report


def _client_for(username: str) -> Client:
    from qingzhuang.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _get(client: Client, url: str, status: int = 200):
    def fetch():
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)

    return fetch


def run() -> None:
    from qingzhuang.demo.seed import seed
    from qingzhuang.orgs import access
    from qingzhuang.orgs.models import Person, Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        seed("seed")
    print(f"[pages] {Unit.objects.count()} units, {Person.objects.count()} cadres")

    leader, village = _client_for("lingdao"), _client_for("cun")
    trivial = {c: median_seconds(_get(c, "/no-such-page/", 404)) for c in (leader, village)}
    cases = [
        ("干部名录 page, county leader (5,199 in scope)", leader, "/orgs/people/", 5),
        ("干部名录 page, village cadre (own village)", village, "/orgs/people/", 5),
        ("干部名录 search 网格员, county leader", leader, "/orgs/people/?q=%E7%BD%91%E6%A0%BC%E5%91%98", 5),
        ("组织架构 full tree, county leader (467 rows)", leader, "/orgs/units/", 10),
        ("首页, county leader", leader, "/", 5),
    ]
    for label, client, url, goal in cases:
        report(label, median_seconds(_get(client, url)), trivial[client], "trivial page", goal)

    from qingzhuang.accounts.models import User

    user = User.objects.get(username="cun")
    scoped = median_seconds(lambda: access.visible_people(user).count(), repeat=50)
    unscoped = median_seconds(lambda: Person.objects.filter(unit_id=user.unit_id).count(), repeat=50)
    report("scope filter (path prefix) count, village cadre", scoped, unscoped, "count by unit_id", 3)
