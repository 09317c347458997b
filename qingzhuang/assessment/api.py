"""The assessment API, mounted at /api/v1/assessment/: schemes, runs, run diffs, spot checks, appeals."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["无感考核"])
