"""The assessment API, mounted at /api/v1/assessment/: schemes, runs, run diffs, spot checks, appeals."""

from __future__ import annotations

from ninja import Router

from qingzhuang.assessment.api_spot import completeness_router, spot_router

router = Router(tags=["无感考核"])
router.add_router("/spot-checks", spot_router)
router.add_router("/completeness", completeness_router)
