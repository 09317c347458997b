"""督查检查考核 planning, 无扰督查 and 工作问效 (see ``qingzhuang/registry.py``)."""

from qingzhuang.orgs import roles
from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 40

MODULE = Module(
    label="supervision",
    title="督查检查",
    urls=(("supervision/", "qingzhuang.supervision.urls"),),
    api=(
        ("/supervision/violations", "qingzhuang.supervision.api_violations:router"),
        ("/supervision/tasks", "qingzhuang.supervision.api_tasks:router"),
    ),
    nav=(
        NavEntry("违规检查", "supervision:violations", "exclamation-octagon", group="督查", order=40,
                 roles=(roles.SUPERVISION, roles.MONITOR, roles.LEADER)),
        # 工作问效.
        NavEntry("工作问效", "supervision:task_list", "list-task", group="督查", order=60,
                 roles=(roles.SUPERVISION, roles.LEADER),
                 also=("supervision:task_overview", "supervision:task_cards", "supervision:task_create")),
        NavEntry("本单位任务", "supervision:task_mine", "clipboard-check", group="督查", order=61,
                 permission="supervision.report_task"),
    ),
    permissions={
        "supervision": ("supervision.approve_item", "supervision.manage_task"),
        "reporter": ("supervision.propose_item", "supervision.record_result", "supervision.report_task"),
        "grassroots": ("supervision.report_task",),
    },
    audit_labels={
        "visit.schedule": "安排督查检查", "visit.issue": "签发检查码",
        # 工作问效.
        "task.create": "交办工作问效任务", "task.update": "修改工作问效任务", "task.cancel": "撤销工作问效任务",
        "task.report": "报送任务进展", "task.approve": "审核通过任务进展", "task.return": "退回任务进展",
        "task.cards": "工作问效亮牌",
    },
    demo=(
        DemoStep(order=52, run="qingzhuang.supervision.demo_tasks:seed_step",
                 summary="qingzhuang.supervision.demo_tasks:summary"),
    ),
    todos="qingzhuang.supervision.queries:todos",
    charts="qingzhuang.supervision.queries:charts",
    matrix="qingzhuang.supervision.tests.matrix",
)
