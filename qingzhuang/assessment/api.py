"""The assessment API, mounted at /api/v1/assessment/: schemes, runs, run diffs, spot checks, appeals."""

from __future__ import annotations

from ninja import Router

from qingzhuang.assessment.api_runs import appeals_router as runs_appeals_router
from qingzhuang.assessment.api_runs import router as runs_router

router = Router(tags=["无感考核"])
router.add_router("/runs", runs_router)
router.add_router("/appeals", runs_appeals_router)
