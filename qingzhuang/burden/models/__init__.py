"""The burden app's models, one module per part: demands and weights (``demands``); more parts
(registries, clues, circulation) add their own module and are imported here."""

from qingzhuang.burden.models.demands import DEFAULT_HOURS, BurdenWeight, Demand, DemandKind, DemandStatus
from qingzhuang.burden.models.documents import (
    Circulation,
    CirculationKind,
    CirculationReceipt,
    CirculationReminder,
    Document,
    DocumentExplanation,
    DocumentKind,
)

__all__ = ["DEFAULT_HOURS", "BurdenWeight", "Demand", "DemandKind", "DemandStatus"]
__all__ += ["Circulation", "CirculationKind", "CirculationReceipt", "CirculationReminder", "Document",
            "DocumentExplanation", "DocumentKind"]
