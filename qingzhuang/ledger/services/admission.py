"""Admission steps of reports and data requests, on ``burden.admission`` (shared by every kind of
request placed on grassroots units). Kept as the ledger's names for its services."""

from qingzhuang.burden.admission import (  # noqa: F401
    ensure_sendable,
    require_manager,  # noqa: F401
    review,
    submit,
)
from qingzhuang.burden.admission import require_approver as _require_approver
from qingzhuang.burden.services import clean_targets, resolve_targets  # noqa: F401
from qingzhuang.ledger.models import Report


def require_approver(actor) -> None:
    """Reports and data requests share one approval permission (``ledger.approve_report``)."""
    _require_approver(actor, Report)
