"""督查检查考核 planning, 无扰督查 and 工作问效 (see ``qingzhuang/registry.py``)."""

from qingzhuang.orgs import roles
from qingzhuang.registry import Module, NavEntry

LAYER = 40

MODULE = Module(
    label="supervision",
    title="督查检查",
    urls=(("supervision/", "qingzhuang.supervision.urls"),),
    api=(
        ("/supervision/violations", "qingzhuang.supervision.api_violations:router"),
    ),
    nav=(
        NavEntry("违规检查", "supervision:violations", "exclamation-octagon", group="督查", order=40,
                 roles=(roles.SUPERVISION, roles.MONITOR, roles.LEADER)),
    ),
    permissions={
        "supervision": ("supervision.approve_item", "supervision.manage_task"),
        "reporter": ("supervision.propose_item", "supervision.record_result", "supervision.report_task"),
        "grassroots": ("supervision.report_task",),
    },
    audit_labels={
        "visit.schedule": "安排督查检查", "visit.issue": "签发检查码",
    },
    matrix="qingzhuang.supervision.tests.matrix",
)
