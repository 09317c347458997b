"""The supervision app's models, one module per part: the annual plan and merges (``plans``),
visits, codes, caps, results and evaluations (``visits``), 工作问效 tasks (``tasks``)."""

from qingzhuang.supervision.models.plans import (
    ItemKind,
    MergeProposal,
    MergeStatus,
    Method,
    PlanItem,
    PlanYear,
    WindowKind,
)
from qingzhuang.supervision.models.tasks import (
    Card,
    CardKind,
    NodeStatus,
    ProgressReport,
    ReportFile,
    ReportStatus,
    Task,
    TaskNode,
    TaskStatus,
)
from qingzhuang.supervision.models.visits import (
    CapRule,
    CapSlot,
    Evaluation,
    Verification,
    VerifyResult,
    Visit,
    VisitResult,
    VisitStatus,
)

__all__ = ["ItemKind", "MergeProposal", "MergeStatus", "Method", "PlanItem", "PlanYear", "WindowKind"]
__all__ += ["CapRule", "CapSlot", "Evaluation", "Verification", "VerifyResult", "Visit", "VisitResult", "VisitStatus"]
__all__ += ["Card", "CardKind", "NodeStatus", "ProgressReport", "ReportFile", "ReportStatus", "Task", "TaskNode",
            "TaskStatus"]
