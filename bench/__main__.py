"""Benchmarks: ``make bench`` (``python -m bench [NAME...]``).

Each figure is printed as a ratio against a baseline measured in the same run on the same
database, so the numbers mean the same on a laptop and on a county server. Uses a fresh SQLite
database in a temporary folder, or PostgreSQL when ``DATABASE_URL`` is set (its tables are
created in that database, which should be a scratch one).
"""

from __future__ import annotations

import os
import sys
import tempfile


def main(argv: list[str]) -> int:
    os.environ.setdefault("QZ_ENV", "development")
    os.environ["DEBUG"] = "false"  # no query logging while timing
    os.environ.setdefault("QZ_DATA_DIR", tempfile.mkdtemp(prefix="qz-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingzhuang.settings")
    import django

    django.setup()
    from bench import bench_pages

    suites = {"pages": bench_pages.run}
    chosen = argv or list(suites)
    for name in chosen:
        suites[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
