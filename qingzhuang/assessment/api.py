"""The assessment API, mounted at /api/v1/assessment/: schemes, runs, run diffs, spot checks, appeals."""

from __future__ import annotations

from ninja import Router

from qingzhuang.assessment.api_schemes import router as schemes_router

router = Router(tags=["无感考核"])
router.add_router("/schemes", schemes_router)
