"""Benchmarks: ``make bench`` (``python -m bench [--quick] [NAME...]``; names: pages, ledger, assistant, assessment, supervision).

Each figure is printed as a ratio against a baseline measured in the same run on the same
database, so the numbers mean the same on a laptop and on a county server. Uses a fresh SQLite
database in a temporary folder (removed at the end), or PostgreSQL when ``QZ_BENCH_DATABASE_URL``
is set (``make bench`` ignores ``DATABASE_URL`` so that it never touches a real database)::

    QZ_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qz_bench make bench

The tables are created in that database, which should be a scratch one; the demo county is built
there once and kept for the next run. ``--quick`` (or ``QZ_BENCH_ROWS=N``) imports fewer rows than
the article's 720,000 (and indexes 4,000 policy passages instead of 20,000) for a fast check.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    names = [a for a in argv if not a.startswith("--")]
    os.environ.setdefault("QZ_ENV", "development")
    os.environ["DEBUG"] = "false"  # no query logging while timing
    if os.environ.get("QZ_BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["QZ_BENCH_DATABASE_URL"]
    if "--quick" in flags:
        os.environ.setdefault("QZ_BENCH_ROWS", "20000")
        os.environ.setdefault("QZ_BENCH_UNITS", "300")
        os.environ.setdefault("QZ_BENCH_PASSAGES", "4000")
    scratch = None
    if "QZ_DATA_DIR" not in os.environ:
        scratch = os.environ["QZ_DATA_DIR"] = tempfile.mkdtemp(prefix="qz-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingzhuang.settings")
    try:
        import django

        django.setup()
        # The trivial page is a 404: don't log a warning for each of its hundreds of fetches.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        from bench import bench_assessment, bench_assistant, bench_ledger, bench_pages, bench_supervision

        suites = {"pages": bench_pages.run, "ledger": bench_ledger.run, "assistant": bench_assistant.run,
                  "assessment": bench_assessment.run, "supervision": bench_supervision.run}
        unknown = [n for n in names if n not in suites]
        if unknown or flags - {"--quick"}:
            print(f"usage: python -m bench [--quick] [{'|'.join(suites)}...]", file=sys.stderr)
            return 2
        for name in names or list(suites):
            suites[name]()
        return 0
    finally:
        if scratch:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
