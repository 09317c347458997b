"""The burden app's models, one module per part: demands and weights (``demands``); more parts
(registries, clues, circulation) add their own module and are imported here."""

from qingzhuang.burden.models.clues import (
    Clue,
    ClueAction,
    ClueCategory,
    ClueEvent,
    ClueFile,
    ClueResult,
    ClueStatus,
)
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
from qingzhuang.burden.models.registries import (
    APP_FEATURES,
    GRASSROOTS_LEVELS,
    LEVEL_TIERS,
    RULE_NAMES,
    AppStatus,
    AppUser,
    AttendLevel,
    GovApp,
    GroupPlatform,
    Meeting,
    MeetingKind,
    WorkGroup,
)

__all__ = ["DEFAULT_HOURS", "BurdenWeight", "Demand", "DemandKind", "DemandStatus"]
# Documents and 一网协同 circulation.
__all__ += ["Circulation", "CirculationKind", "CirculationReceipt", "CirculationReminder", "Document",
            "DocumentExplanation", "DocumentKind"]
# Registries: meetings, work groups, government apps.
__all__ += ["APP_FEATURES", "GRASSROOTS_LEVELS", "LEVEL_TIERS", "AppStatus", "AppUser", "AttendLevel", "GovApp",
            "GroupPlatform", "Meeting", "MeetingKind", "RULE_NAMES", "WorkGroup"]
# 码上减负 clues.
__all__ += ["Clue", "ClueAction", "ClueCategory", "ClueEvent", "ClueFile", "ClueResult", "ClueStatus"]
