"""无感考核 at province scale: 1,500 units × 60 indicators × 12 months (1.08 million values) scored.

A province of ``QZ_BENCH_UNITS`` townships (1,500; ``--quick`` 300) under its own root, one
reporting department, 60 indicators and 12 months of values each (written with the raw load of
the database), and a scheme of those 60 indicators using every scoring method. Then, in the same
run and on the same database:

(a) ours: a scorecard run end to end (``assessment.services.runs``: read the values with their
    sources, score, rank, grade and write one line per unit with every value frozen in it), in a
    child process so that its peak memory is its own (goal < 1 GiB); and the same without writing
    the lines (load and score only);
(b) the floor: the bare SQL aggregation of the same values (``SUM``/``AVG``/``COUNT`` grouped by
    unit and indicator, every row fetched) — goal: ours ≤ 3×;
(c) the naive implementation: per unit and indicator one ORM query of its months, aggregated and
    scored in Python, ranked at the end — goal: ours ≥ 20× faster.

The province stays in the bench database (a scratch one) for the next run.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction

from bench.harness import report

GiB = 1024**3
YEAR = 2025
INDICATORS = 60
ROOT_CODE = "BENCHPROV"
SCHEME_CODE = "bench-province"
# Methods in turn, with parameters that fit the generated values (level around 1,000).
METHODS = (
    ("ratio", {"target": "1200"}),
    ("target", {"target": "950"}),
    ("baseline", {"target": "1000", "reach": "80", "step": "2", "per": "10"}),
    ("rank", {"top": "100", "step": "0.05"}),
    ("efficacy", {"bad": "600", "good": "1400"}),
    ("minmax", {}),
    ("zscore", {"center": "80", "spread": "10"}),
)
AGGREGATES = ("sum", "mean", "last", "sum", "mean")


def units_wanted() -> int:
    return int(os.environ.get("QZ_BENCH_UNITS") or 1500)


def indicator_code(i: int) -> str:
    return f"BZ{i + 1:03d}"


# ---------------------------------------------------------------------------------------------
# The province


def build_province(count: int) -> None:
    """Units, indicators and 12 months of values, unless a province of ``count`` units is there."""
    from qingzhuang.ledger.models import Indicator, IndicatorValue
    from qingzhuang.orgs.models import Unit, UnitKind
    from qingzhuang.orgs.services import unit_path

    root = Unit.objects.filter(code=ROOT_CODE).first()
    if root is not None and Unit.objects.filter(parent=root, kind=UnitKind.TOWNSHIP).count() == count:
        return
    if root is not None:
        raise SystemExit(f"[assessment] the bench database holds a province of another size: use a new one "
                         f"(QZ_BENCH_UNITS={count})")
    start = time.perf_counter()
    rng = random.Random(20251231)
    with transaction.atomic():
        root = Unit(code=ROOT_CODE, name="基准测试省", kind=UnitKind.COUNTY, parent=None)
        root.path, root.depth = unit_path(None, ROOT_CODE), 0
        root.save()
        department = Unit(code=f"{ROOT_CODE}D", name="基准测试省统计局", kind=UnitKind.DEPARTMENT, parent=root)
        department.path, department.depth = unit_path(root, department.code), 1
        department.save()
        townships = []
        for n in range(count):
            unit = Unit(code=f"{ROOT_CODE}{n:05d}", name=f"基准乡镇{n + 1:04d}", kind=UnitKind.TOWNSHIP, parent=root)
            unit.path, unit.depth = unit_path(root, unit.code), 1
            townships.append(unit)
        Unit.objects.bulk_create(townships, batch_size=500)
        unit_ids = list(Unit.objects.filter(parent=root, kind=UnitKind.TOWNSHIP).order_by("code")
                        .values_list("pk", flat=True))
        Indicator.objects.bulk_create(
            Indicator(code=indicator_code(i), name=f"基准指标{i + 1:02d}", owner=department, measure_unit="万元",
                      direction="lower" if i % 7 == 6 else "higher") for i in range(INDICATORS))
        indicator_ids = list(Indicator.objects.filter(code__startswith="BZ").order_by("code")
                             .values_list("pk", flat=True))
    table = IndicatorValue._meta.db_table
    periods = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    now = "2026-01-10 00:00:00+00:00"

    def rows():
        for unit_id in unit_ids:
            level = rng.uniform(0.6, 1.4)
            for indicator_id in indicator_ids:
                for period in periods:
                    if rng.random() < 0.002:  # a few months not reported
                        continue
                    yield (unit_id, indicator_id, period, f"{1000 * level * rng.uniform(0.8, 1.2):.2f}", now)

    with transaction.atomic(), connection.cursor() as cursor:
        columns = "(unit_id, indicator_id, period, value, updated_at)"
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            batch = []
            for row in rows():
                batch.append(row)
                if len(batch) == 50_000:
                    cursor.executemany(f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s)", batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s)", batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    print(f"[assessment] built the province: {count:,} units × {INDICATORS} indicators × 12 months in "
          f"{time.perf_counter() - start:.1f} s")


def build_scheme():
    """A scheme of the 60 indicators (40 × 1.5 + 20 × 2 = 100), every method, one formula."""
    from qingzhuang.assessment.models import Scheme, SchemeIndicator
    from qingzhuang.ledger.models import Indicator
    from qingzhuang.orgs.models import Unit

    Scheme.objects.filter(code=SCHEME_CODE).exclude(runs__isnull=False).delete()
    scheme = Scheme.objects.filter(code=SCHEME_CODE).first()
    if scheme is not None:
        return scheme
    root = Unit.objects.get(code=ROOT_CODE)
    with transaction.atomic():
        scheme = Scheme.objects.create(
            code=SCHEME_CODE, name="基准测试省乡镇综合考核", year=YEAR, target_kinds=["township"], owner=root,
            exam_criteria={"开拓创新度": "30", "部门协同度": "30", "群众满意度": "40"},
            exam_grades={"好": "100", "较好": "80", "一般": "60", "较差": "40", "很差": "20"},
            grades=[{"name": "优秀", "min": "90"}, {"name": "良好", "min": "80"}, {"name": "一般", "min": "60"},
                    {"name": "较差", "min": "0"}])
        indicators = {i.code: i for i in Indicator.objects.filter(code__startswith="BZ")}
        rows = []
        for i in range(INDICATORS):
            method, params = METHODS[i % len(METHODS)]
            if i == INDICATORS - 1:
                method, params = "formula", {"expr": f"min(100, {indicator_code(0)} / {indicator_code(1)} * 80)"}
            rows.append(SchemeIndicator(
                scheme=scheme, position=i, indicator=indicators[indicator_code(i)],
                weight=Decimal("1.5") if i < 40 else Decimal("2"), aggregate=AGGREGATES[i % len(AGGREGATES)],
                method=method, params=params, missing=("zero", "reweight", "last")[i % 3]))
        SchemeIndicator.objects.bulk_create(rows)
    return scheme


# ---------------------------------------------------------------------------------------------
# The three ways


def floor_seconds(unit_ids: list[int], indicator_ids: list[int]) -> float:
    """The bare SQL aggregation of the same values, every group fetched."""
    from qingzhuang.ledger.models import IndicatorValue

    table = IndicatorValue._meta.db_table
    sql = (f"SELECT unit_id, indicator_id, SUM(value), AVG(value), COUNT(*) FROM {table} "
           f"WHERE indicator_id IN ({', '.join(map(str, indicator_ids))}) "
           f"AND period >= %s AND period <= %s AND unit_id IN ({', '.join(map(str, unit_ids))}) "
           "GROUP BY unit_id, indicator_id")
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [f"{YEAR}-01", f"{YEAR}-12"])
            fetched = cursor.fetchall()
        samples.append(time.perf_counter() - start)
    assert len(fetched) == len(unit_ids) * len(indicator_ids), len(fetched)
    return min(samples)


def read_seconds(unit_ids: list[int], indicator_ids: list[int]) -> float:
    """Only reading the same values raw (every row to Python, nothing done with them): what any
    implementation that keeps each value (as freezing a run's inputs does) pays at least."""
    from qingzhuang.ledger.models import IndicatorValue

    table = IndicatorValue._meta.db_table
    sql = (f"SELECT unit_id, indicator_id, period, value FROM {table} "  # noqa: S608
           f"WHERE indicator_id IN ({', '.join(map(str, indicator_ids))}) "
           f"AND period >= %s AND period <= %s AND unit_id IN ({', '.join(map(str, unit_ids))})")
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [f"{YEAR}-01", f"{YEAR}-12"])
            while cursor.fetchmany(5000):
                pass
        samples.append(time.perf_counter() - start)
    return min(samples)


def naive_seconds(scheme, unit_ids: list[int]) -> float:
    """Per unit and indicator one ORM query of the months, aggregated and scored in Python."""
    from qingzhuang.ledger.models import IndicatorValue

    rules = list(scheme.indicators.select_related("indicator").order_by("position"))
    start = time.perf_counter()
    aggregated: dict[int, dict[str, Decimal | None]] = {}
    for unit_id in unit_ids:
        row = aggregated[unit_id] = {}
        for rule in rules:
            values = list(IndicatorValue.objects.filter(unit_id=unit_id, indicator_id=rule.indicator_id,
                                                        period__startswith=f"{YEAR}-").order_by("period"))
            if not values:
                row[rule.indicator.code] = None
            elif rule.aggregate == "sum":
                row[rule.indicator.code] = sum((v.value for v in values), Decimal(0))
            elif rule.aggregate == "mean":
                row[rule.indicator.code] = sum((v.value for v in values), Decimal(0)) / len(values)
            else:
                row[rule.indicator.code] = values[-1].value
    totals = {}
    for unit_id, row in aggregated.items():
        total = Decimal(0)
        for rule in rules:
            x = row[rule.indicator.code]
            target = Decimal(str(rule.params.get("target", "1000")))
            s = Decimal(0) if x is None else min(Decimal(100), Decimal(100) * x / target)
            total += rule.weight * s / 100
        totals[unit_id] = total
    ranked = sorted(totals, key=lambda u: -totals[u])
    assert len(ranked) == len(unit_ids)
    return time.perf_counter() - start


def ours_in_child(scheme_code: str, mode: str) -> dict:
    connection.close()
    done = subprocess.run([sys.executable, "-m", "bench.bench_assessment", mode, scheme_code],
                          capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        return {"failed": (done.stderr or done.stdout).strip().splitlines()[-3:] or ["?"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_bytes() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(li for li in status.splitlines() if li.startswith("VmHWM:")).split()[1]) * 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(mode: str, scheme_code: str) -> None:
    """The child's side: a whole run (``run``) or load and score only (``score``); one JSON line."""
    import django

    django.setup()
    from qingzhuang.assessment import engine, inputs, runs_rules
    from qingzhuang.assessment.models import Scheme
    from qingzhuang.assessment.services import runs

    scheme = Scheme.objects.select_related("owner").get(code=scheme_code)
    start = time.perf_counter()
    if mode == "run":
        run = runs.run_start(actor=None, scheme=scheme, note="基准测试", enqueue=False)
        runs.run_compute(run.pk)
        run.refresh_from_db()
        lines = run.lines.count()
        ok = run.is_succeeded
    else:  # read the values (with their sources) and score them; no explanations, nothing written
        data = inputs.load(scheme)
        scores = engine.score(runs_rules.rules_of(scheme), {u.pk: runs.unit_inputs(data, u) for u in data.units})
        lines = len(scores)
        ok = True
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "lines": lines, "ok": ok, "peak_bytes": _peak_bytes()}))


def run() -> None:
    from qingzhuang.ledger.models import Indicator
    from qingzhuang.orgs.models import Unit, UnitKind

    call_command("migrate", verbosity=0)
    count = units_wanted()
    build_province(count)
    scheme = build_scheme()
    unit_ids = list(Unit.objects.filter(parent__code=ROOT_CODE, kind=UnitKind.TOWNSHIP).values_list("pk", flat=True))
    indicator_ids = list(Indicator.objects.filter(code__startswith="BZ").values_list("pk", flat=True))
    values = len(unit_ids) * len(indicator_ids) * 12
    print(f"[assessment] {connection.vendor}; {len(unit_ids):,} units × {len(indicator_ids)} indicators × 12 months "
          f"(about {values:,} values)")
    floor = floor_seconds(unit_ids, indicator_ids)
    read = read_seconds(unit_ids, indicator_ids)
    report("  reading the same values raw into Python (no aggregation, nothing kept)", read, floor,
           "the bare SQL aggregation", unit="s")
    scored = ours_in_child(scheme.code, "score")
    whole = ours_in_child(scheme.code, "run")
    naive = naive_seconds(scheme, unit_ids)
    for label, figures in (("load and score (no lines written)", scored), ("a whole run, lines written", whole)):
        if "failed" in figures or not figures.get("ok"):
            print(f"[assessment] {label} failed: {figures.get('failed')}")
            continue
        report(f"scorecards of {len(unit_ids):,} units, {label}", figures["seconds"], floor,
               "the bare SQL aggregation of the same values", 3, unit="s")
        speedup = naive / figures["seconds"]
        print(f"  naive per-unit ORM implementation: {naive:.2f} s → ours is {speedup:.1f}× faster  "
              f"goal ≥ 20× {'met' if speedup >= 20 else 'NOT met'}")
        peak = figures["peak_bytes"]
        print(f"  peak memory: {peak / 2**20:.0f} MiB  goal < 1024 MiB {'met' if peak < GiB else 'NOT met'}")


if __name__ == "__main__":
    if sys.argv[1:2] in (["run"], ["score"]):
        _child(sys.argv[1], sys.argv[2])
