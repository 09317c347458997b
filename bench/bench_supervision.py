"""督查检查 at county scale: issuing codes within the cap, verifying a code, finding violations.

A county of ``QZ_BENCH_SV_UNITS`` townships (1,200; ``--quick`` 300) under its own root, one
department, the 督查室, 40 approved items over 2025. Then, in the same run and on the same database:

(a) issuing one code per township (cap slot taken with a conditional UPDATE, a fresh code, the
    demand placed in the burden ledger, the audit row) against the same issuing without the cap
    (the visit saved with its code, the demand and the audit row): what the race-safe cap costs —
    goal ≤ 1.3×;
(b) verifying a valid code (``verify.verify``: the visit, its items, the cap, the answer, the
    verification logged) against the floor: the bare SQL lookup of the visit by its code —
    goal ≤ 20× (one public page load is a handful of milliseconds either way);
(c) the year's violations (every rule) against reading the same visits and items raw —
    goal ≤ 5×.

The county stays in the bench database (a scratch one) for the next run; each run adds its own
visits in a new year so the figures do not depend on earlier runs.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from django.core.management import call_command
from django.db import connection, transaction

from bench.harness import median_seconds, report

ROOT_CODE = "BENCHSV"
ITEMS = 40


def units_wanted() -> int:
    if os.environ.get("QZ_BENCH_SV_UNITS"):
        return int(os.environ["QZ_BENCH_SV_UNITS"])
    return 300 if os.environ.get("QZ_BENCH_UNITS") else 1200


def build_county(count: int):
    from django.contrib.auth.models import Group

    from qingzhuang.accounts.models import User
    from qingzhuang.orgs.models import Unit, UnitKind
    from qingzhuang.orgs.services import unit_path

    root = Unit.objects.filter(code=ROOT_CODE).first()
    if root is None:
        with transaction.atomic():
            root = Unit(code=ROOT_CODE, name="基准测试县", kind=UnitKind.COUNTY, parent=None)
            root.path, root.depth = unit_path(None, ROOT_CODE), 0
            root.save()
            for code, name, kind in ((f"{ROOT_CODE}D", "基准测试县应急管理局", UnitKind.DEPARTMENT),
                                     (f"{ROOT_CODE}O", "基准测试县委办公室", UnitKind.PARTY)):
                unit = Unit(code=code, name=name, kind=kind, parent=root)
                unit.path, unit.depth = unit_path(root, code), 1
                unit.save()
            townships = []
            for n in range(count):
                unit = Unit(code=f"{ROOT_CODE}{n:05d}", name=f"基准镇{n + 1:04d}", kind=UnitKind.TOWNSHIP, parent=root)
                unit.path, unit.depth = unit_path(root, unit.code), 1
                townships.append(unit)
            Unit.objects.bulk_create(townships, batch_size=500)
            office = User.objects.create_user(username="bench-sv-office", password=None,
                                              unit=Unit.objects.get(code=f"{ROOT_CODE}O"))
            office.groups.set(Group.objects.filter(name="督查室"))
            department = User.objects.create_user(username="bench-sv-dept", password=None,
                                                  unit=Unit.objects.get(code=f"{ROOT_CODE}D"))
            department.groups.set(Group.objects.filter(name="部门填报员"))
    if Unit.objects.filter(parent=root, kind=UnitKind.TOWNSHIP).count() != count:
        raise SystemExit(f"[supervision] the bench database holds a county of another size: use a new one "
                         f"(QZ_BENCH_SV_UNITS={count})")
    return root


def next_year() -> int:
    from qingzhuang.supervision.models import PlanItem

    last = PlanItem.objects.filter(owner__code=f"{ROOT_CODE}D").order_by("-year").values_list("year", flat=True).first()
    return (last or 2029) + 1


def build_items(year: int):
    from qingzhuang.burden.admission import Admission
    from qingzhuang.orgs.models import Unit
    from qingzhuang.supervision import windows
    from qingzhuang.supervision.models import PlanItem

    owner = Unit.objects.get(code=f"{ROOT_CODE}D")
    items = []
    for n in range(ITEMS):
        window = f"{year}-Q{n % 4 + 1}"
        start, end = windows.bounds(window)
        items.append(PlanItem(owner=owner, year=year, title=f"基准检查事项{n + 1:02d}", basis="基准依据", kind="inspect",
                              matter=f"事项{n % 10}", target_kinds=["township"], window_kind="quarter", window=window,
                              window_start=start, window_end=end, admission=Admission.APPROVED))
    PlanItem.objects.bulk_create(items)
    return list(PlanItem.objects.filter(owner=owner, year=year).order_by("pk"))


def schedule(items, townships, day, user):
    from qingzhuang.supervision.services.visits import visit_create

    quarter_items = [i for i in items if i.window_start <= day <= i.window_end]
    return [visit_create(actor=user, items=[quarter_items[n % len(quarter_items)]], unit=unit, date=day)
            for n, unit in enumerate(townships)]


def issue_without_cap(visits, user) -> None:
    """The floor of issuing: what ``visit_issue`` does (the visit locked and read again, a fresh
    code, the demand, the audit row with the visit before and after), without the cap slot."""
    from django.utils import timezone

    from qingzhuang.burden.services import demand_place
    from qingzhuang.orgs import audit
    from qingzhuang.supervision import codes
    from qingzhuang.supervision.models import Visit, VisitStatus
    from qingzhuang.supervision.services.visits import visit_audit

    for scheduled in visits:
        with transaction.atomic():
            visit = Visit.objects.select_for_update(of=("self",)).select_related("unit", "lead").get(pk=scheduled.pk)
            before = visit_audit(visit)
            visit.code, visit.status, visit.issued_at, visit.issued_by = codes.new_code(), VisitStatus.ISSUED, timezone.now(), user
            visit.save()
            items = list(visit.items.order_by("pk"))
            demand_place(actor=user, source=visit, kind="inspection", units=[visit.unit],
                         title="、".join(i.title for i in items), placed_by=visit.lead, month=visit.date.strftime("%Y-%m"))
            audit.record(actor=user, action="visit.issue", obj=visit, unit=visit.unit, before=before,
                         after=visit_audit(visit))


def run() -> None:
    from qingzhuang.accounts.models import User
    from qingzhuang.orgs.models import Unit, UnitKind
    from qingzhuang.supervision import violations
    from qingzhuang.supervision.models import Visit
    from qingzhuang.supervision.services.visits import visit_issue

    call_command("migrate", verbosity=0)
    count = units_wanted()
    root = build_county(count)
    year = next_year()
    items = build_items(year)
    townships = list(Unit.objects.filter(parent=root, kind=UnitKind.TOWNSHIP).order_by("code"))
    office, department = User.objects.get(username="bench-sv-office"), User.objects.get(username="bench-sv-dept")
    print(f"[supervision] {connection.vendor}; {count:,} townships, {ITEMS} items in {year}")

    ours_visits = schedule(items, townships, dt.date(year, 2, 10), department)
    start = time.perf_counter()
    for visit in ours_visits:
        visit_issue(actor=office, visit=visit)
    ours = time.perf_counter() - start
    floor_visits = schedule(items, townships, dt.date(year, 5, 12), department)
    start = time.perf_counter()
    issue_without_cap(floor_visits, office)
    floor = time.perf_counter() - start
    report(f"(a) issuing {count:,} codes within the cap (one per township)", ours, floor,
           "the same issuing without the cap", 1.3, unit="s")

    from qingzhuang.supervision.verify import verify

    code = Visit.objects.filter(pk=ours_visits[len(ours_visits) // 2].pk).values_list("code", flat=True).get()
    table = Visit._meta.db_table

    def raw_lookup():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, unit_id, status, date, valid_until FROM {table} WHERE code = %s", [code])
            cursor.fetchone()

    def ours_verify():
        with transaction.atomic():
            answer = verify(code, channel="cli")
        assert answer["unit"], answer

    report("(b) verifying a valid code (answer and log)", median_seconds(ours_verify, repeat=200),
           median_seconds(raw_lookup, repeat=200), "the bare SQL lookup by code", 20)

    def raw_read():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT v.id, v.unit_id, v.lead_id, v.status, v.code, v.beyond_reason FROM {table} v "
                           f"WHERE v.date BETWEEN %s AND %s", [dt.date(year, 1, 1), dt.date(year, 12, 31)])
            cursor.fetchall()
            cursor.execute("SELECT id, owner_id, title, matter, window_start, window_end FROM supervision_planitem "
                           "WHERE year = %s", [year])
            cursor.fetchall()

    report(f"(c) the year's violations ({2 * count:,} visits, {ITEMS} items)",
           median_seconds(lambda: violations.alerts(year=year), repeat=5, warmup=1),
           median_seconds(raw_read, repeat=5, warmup=1), "reading the same rows raw", 5)
