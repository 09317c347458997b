"""The 一套表 at the article's scale: a 720,000-row import and the dataset page.

(a) Import of a ``population`` CSV of ``QZ_BENCH_ROWS`` rows (720,000 by default; ``--quick``
    20,000) with full validation through ``ledger.imports.import_file``, against the raw load of
    the same rows measured in the same run: SQLite ``executemany`` of the same tuples into a bare
    table in one transaction, PostgreSQL ``COPY`` into a bare table. Goal ≤ 2×. The import runs
    in a child process so that its peak memory is its own: goal < 1 GiB.
(b) The population dataset page (filtered by a village, a search by ID, the first page) against
    the trivial page of the same signed-in user (the 404 page, as in ``bench_pages``). Goal ≤ 5×.

The CSV holds valid, new people of the demo county's villages and communities (IDs not in the
database yet), written to a temporary folder. On a database given by ``DATABASE_URL`` (see
``QZ_BENCH_DATABASE_URL``) the rows added here are deleted at the end, so the bench can run again.
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.harness import median_seconds, report

DEFAULT_ROWS = 720_000
QUICK_ROWS = 20_000
RAW_TABLE = "bench_raw_population"
GiB = 1024**3


def rows_wanted() -> int:
    return int(os.environ.get("QZ_BENCH_ROWS") or DEFAULT_ROWS)


# ---------------------------------------------------------------------------------------------
# The file


def write_population_csv(path: Path, rows: int) -> list[str]:
    """``rows`` new people of the demo county as the population dataset's CSV; returns the header."""
    from qingzhuang.ledger import demo as ledger_demo
    from qingzhuang.ledger.models import Dataset, Record
    from qingzhuang.orgs.models import Unit, UnitKind

    population = Dataset.objects.get(code="population")
    columns = list(population.columns.select_related("element").order_by("position"))
    header = [c.name for c in columns]
    elements = [c.element.code for c in columns]
    taken = set(Record.objects.filter(dataset=population).values_list("key", flat=True).iterator(chunk_size=20_000))
    subunits = list(Unit.objects.filter(kind__in=[UnitKind.VILLAGE, UnitKind.COMMUNITY])
                    .select_related("parent").order_by("code"))
    rng = random.Random("qingzhuang-bench/population")
    maker = ledger_demo.PopulationMaker(rng, taken_ids=taken)
    shares = ledger_demo.apportion(rows, [1.0] * len(subunits))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for unit, count in zip(subunits, shares, strict=True):
            addresses = ledger_demo.Addresses(rng, unit, unit.parent.name)
            for household in maker.households(unit, addresses, count):
                writer.writerows([[person.get(e, "") for e in elements] for person in household.members])
    return header


def read_tuples(path: Path) -> list[tuple[str, ...]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        return [tuple(row) for row in reader]


# ---------------------------------------------------------------------------------------------
# The raw load (baseline) and the import (in a child process)


def raw_load(tuples: list[tuple[str, ...]], width: int) -> float:
    """Seconds to load ``tuples`` into a bare table in one transaction (the database's fast path)."""
    names = [f"c{i}" for i in range(width)]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"CREATE TABLE {RAW_TABLE} ({', '.join(f'{n} text' for n in names)})")
    try:
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {RAW_TABLE} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in tuples:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * width)
                cursor.executemany(f"INSERT INTO {RAW_TABLE} VALUES ({marks})", tuples)
        return time.perf_counter() - start
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")


def write_floor(path: Path) -> float:
    """Seconds to insert the file's rows, already checked and encoded, into the records table with
    the engine's own writer (its indexes, constraints and JSON column), then roll back: the least
    any import into this data model can take, whatever its reading and validation cost."""
    from qingzhuang.ledger.imports import _db_datetime, _insert, _large_cache, _RecordWriter
    from qingzhuang.ledger.models import Dataset, Record
    from qingzhuang.orgs.models import Unit

    population = Dataset.objects.get(code="population")
    elements = [c.element.code for c in population.columns.select_related("element").order_by("position")]
    unit_ids = dict(Unit.objects.values_list("code", "pk"))
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            data = {e: v for e, v in zip(elements, row, strict=True) if v}
            # Keys that the import (run before) did not take.
            rows.append((population.pk, unit_ids[data["unit_code"]], "floor-" + data["id_number"], json.dumps(data),
                         1, None))
    with _large_cache(), transaction.atomic():
        now = _db_datetime(timezone.now())
        start = time.perf_counter()
        _insert(Record, _RecordWriter.CREATE_COLUMNS, (r + (now, now) for r in rows))
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def import_in_child(path: Path) -> dict:
    """Run ``import_file`` in a fresh interpreter (same settings and database); its result and figures."""
    connection.close()  # SQLite: no open handle of ours while the child writes
    done = subprocess.run([sys.executable, "-m", "bench.bench_ledger", "import", str(path)],
                          capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        return {"failed": (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # RUSAGE_CHILDREN counts the largest child so far, which at exec time also takes over the
    # high-water mark of the memory it replaced (ours, after seeding); the child's own VmHWM is
    # the import's. Use it where Linux gives it.
    figures.setdefault("peak_bytes", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    return figures


def _child_import(path: str) -> None:
    """The child's side: import the file, print one JSON line of figures."""
    import django

    django.setup()
    from qingzhuang.ledger.imports import import_file
    from qingzhuang.ledger.models import Dataset

    population = Dataset.objects.get(code="population")
    start = time.perf_counter()
    result = import_file(actor=None, dataset=population, path=path)
    seconds = time.perf_counter() - start
    figures = {"ok": result.ok, "created": result.created, "seconds": seconds, "error_count": len(result.errors),
               "errors": [str(getattr(p, "message", p)) for p in result.errors[:3]]}
    try:
        status = Path("/proc/self/status").read_text()
        figures["peak_bytes"] = int(next(li for li in status.splitlines() if li.startswith("VmHWM:")).split()[1]) * 1024
    except (OSError, StopIteration):
        pass
    print(json.dumps(figures))


def import_engine_available() -> bool:
    try:
        from qingzhuang.ledger.imports import import_file  # noqa: F401
    except ImportError:
        return False
    return True


def top_up(path: Path, header: list[str]) -> None:
    """Load the file's rows directly (no validation) so the page is measured at full size anyway."""
    from qingzhuang.ledger.demo import RecordWriter
    from qingzhuang.ledger.models import Dataset
    from qingzhuang.orgs.models import Unit

    population = Dataset.objects.get(code="population")
    elements = [c.element.code for c in population.columns.select_related("element").order_by("position")]
    unit_ids = dict(Unit.objects.values_list("code", "pk"))
    with open(path, newline="", encoding="utf-8") as f, transaction.atomic():
        reader = csv.reader(f)
        next(reader)
        with RecordWriter() as writer:
            for row in reader:
                data = {e: v for e, v in zip(elements, row, strict=True) if v}
                writer.add(population.pk, unit_ids[data["unit_code"]], data["id_number"], data)
        Dataset.objects.filter(pk=population.pk).update(record_count=population.record_count + sum(writer.counts.values()))


# ---------------------------------------------------------------------------------------------
# The dataset page


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


def bench_pages(rows_in_dataset: int) -> None:
    from qingzhuang.accounts.models import User
    from qingzhuang.ledger.models import Record

    leader, village = _client_for("lingdao"), _client_for("cun")
    base = "/ledger/datasets/population/"
    status = leader.get(base).status_code
    if status != 200:
        print(f"[ledger] dataset page {base} answered {status}: not available yet, page figures skipped")
        return
    village_unit = User.objects.select_related("unit").get(username="cun").unit
    some_id = Record.objects.filter(dataset__code="population", unit=village_unit).values_list("key", flat=True)[:1][0]
    trivial = {c: median_seconds(_get(c, "/no-such-page/", 404), repeat=15) for c in (leader, village)}
    n = f"{rows_in_dataset:,}"
    cases = [
        (f"人口基础信息 page filtered by a village, county leader ({n} rows)", leader,
         f"{base}?unit={village_unit.code}"),
        (f"人口基础信息 search by 公民身份号码, county leader ({n} rows)", leader, f"{base}?q={some_id}"),
        (f"人口基础信息 first page, county leader ({n} rows)", leader, base),
        (f"人口基础信息 page, village cadre (own village of {n} rows)", village, base),
    ]
    for label, client, url in cases:
        report(label, median_seconds(_get(client, url), repeat=10, warmup=2), trivial[client], "trivial page", 5)


# ---------------------------------------------------------------------------------------------


def run() -> None:
    from qingzhuang.demo.seed import seed
    from qingzhuang.ledger.models import Dataset, Record
    from qingzhuang.orgs.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        start = time.perf_counter()
        seed("seed")
        print(f"[ledger] built the demo county in {time.perf_counter() - start:.1f} s")
    population = Dataset.objects.get(code="population")
    last_seeded = Record.objects.filter(dataset=population).order_by("-id").values_list("id", flat=True).first() or 0
    rows = rows_wanted()
    print(f"[ledger] {Record.objects.count():,} records in the ledger ({population.record_count:,} people); "
          f"{connection.vendor}; import of {rows:,} new people")
    folder = Path(tempfile.mkdtemp(prefix="qz-bench-ledger-"))
    try:
        path = folder / "population.csv"
        start = time.perf_counter()
        header = write_population_csv(path, rows)
        print(f"[ledger] wrote {path.name} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - start:.1f} s")

        imported = False
        if not import_engine_available():
            print("[ledger] import engine not available (qingzhuang.ledger.imports.import_file): import figures skipped")
        else:
            figures = import_in_child(path)
            if "failed" in figures:
                print(f"[ledger] the import crashed: {figures['failed'][0]}")
            elif not figures["ok"] or figures["created"] != rows:
                print(f"[ledger] the import did not land: created {figures['created']:,} of {rows:,}; "
                      f"{figures['error_count']} problems, e.g. {figures['errors']}")
            else:
                imported = True
                tuples = read_tuples(path)
                baseline = raw_load(tuples, len(header))
                del tuples
                floor = write_floor(path)
                label = "COPY" if connection.vendor == "postgresql" else "executemany"
                report(f"import of {rows:,} population rows with full validation", figures["seconds"], baseline,
                       f"raw {label} of the same rows", 2, unit="s")
                report(f"  of which the floor: the same {rows:,} rows, checked and encoded, written into the "
                       "records table (its indexes, constraints, JSON column) and rolled back", floor, baseline,
                       f"raw {label} of the same rows", unit="s")
                peak = figures["peak_bytes"]
                verdict = "met" if peak < GiB else "NOT met"
                print(f"peak memory of the import: {peak / 2**20:.0f} MiB  goal < 1024 MiB {verdict}")
        if not imported:
            top_up(path, header)
        bench_pages(Record.objects.filter(dataset=population).count())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get("DATABASE_URL"):  # someone's scratch database: leave it as it was
            _remove_rows_after(population, last_seeded)


def _remove_rows_after(population, last_id: int) -> None:
    from qingzhuang.ledger.models import Dataset, Record, RecordChange

    records, changes = Record._meta.db_table, RecordChange._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {changes} WHERE record_id IN "
                       f"(SELECT id FROM {records} WHERE dataset_id = %s AND id > %s)", [population.pk, last_id])
        cursor.execute(f"DELETE FROM {records} WHERE dataset_id = %s AND id > %s", [population.pk, last_id])
        Dataset.objects.filter(pk=population.pk).update(record_count=Record.objects.filter(dataset=population).count())


if __name__ == "__main__":
    if sys.argv[1:2] == ["import"]:
        _child_import(sys.argv[2])
