"""督查检查考核 planning, 无扰督查 and 工作问效 (see ``qingzhuang/registry.py``)."""

from qingzhuang.orgs import roles
from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 40

MODULE = Module(
    label="supervision",
    title="督查检查",
    urls=(("supervision/", "qingzhuang.supervision.urls"),),
    api=(
        ("/supervision/plans", "qingzhuang.supervision.api_plans:router"),
    ),
    nav=(
        # plans
        NavEntry("检查计划", "supervision:plan_list", "calendar-check", group="督查", order=10,
                 roles=(roles.REPORTER, roles.SUPERVISION, roles.LEADER, roles.MONITOR),
                 also=("supervision:item_create", "supervision:review_queue")),
        NavEntry("合并建议", "supervision:merge_list", "intersect", group="督查", order=12,
                 roles=(roles.SUPERVISION,)),
    ),
    permissions={
        "supervision": ("supervision.approve_item", "supervision.manage_task"),
        "reporter": ("supervision.propose_item", "supervision.record_result", "supervision.report_task"),
        "grassroots": ("supervision.report_task",),
    },
    audit_labels={
        "visit.schedule": "安排督查检查", "visit.issue": "签发检查码",
        # plans
        "plan_item.create": "提出督查检查考核事项", "plan_item.update": "修改督查检查考核事项",
        "plan_item.submit": "提交督查检查事项审批", "plan_item.approve": "批准督查检查事项",
        "plan_item.reject": "驳回督查检查事项", "plan_year.explain": "说明年度督查检查总数超过上年",
        "merge.propose": "提出合并检查建议", "merge.accept": "采纳合并检查建议", "merge.reject": "不采纳合并检查建议",
    },
    demo=(
        DemoStep(order=50, run="qingzhuang.supervision.demo_plans:seed_step",
                 summary="qingzhuang.supervision.demo_plans:summary"),
    ),
    todos="qingzhuang.supervision.queries:todos",
    matrix="qingzhuang.supervision.tests.matrix",
)
