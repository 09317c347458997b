"""The assessment API, mounted at /api/v1/assessment/: schemes, spot checks, completeness.

Runs, their lines and diffs, and appeals are mounted by ``module.py`` at /api/v1/assessment/runs
and /api/v1/assessment/appeals (``api_runs``).
"""

from __future__ import annotations

from ninja import Router

from qingzhuang.assessment.api_schemes import router as schemes_router
from qingzhuang.assessment.api_spot import completeness_router, spot_router

router = Router(tags=["无感考核"])
router.add_router("/schemes", schemes_router)
router.add_router("/spot-checks", spot_router)
router.add_router("/completeness", completeness_router)
