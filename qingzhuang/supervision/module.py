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
        ("/supervision/visits", "qingzhuang.supervision.api_visits:router"),
        ("/supervision/violations", "qingzhuang.supervision.api_violations:router"),
        ("/supervision/tasks", "qingzhuang.supervision.api_tasks:router"),
    ),
    nav=(
        # The annual plan and merges.
        NavEntry("检查计划", "supervision:plan_list", "calendar-check", group="督查", order=10,
                 roles=(roles.REPORTER, roles.SUPERVISION, roles.LEADER, roles.MONITOR),
                 also=("supervision:item_create", "supervision:review_queue")),
        NavEntry("合并建议", "supervision:merge_list", "intersect", group="督查", order=12,
                 roles=(roles.SUPERVISION,)),
        # 一事一码: visits, codes, caps, evaluations; the public verification page.
        NavEntry("督查检查", "supervision:visit_list", "qr-code", group="督查", order=20,
                 roles=(roles.SUPERVISION, roles.REPORTER, roles.LEADER),
                 also=("supervision:visit_new",)),
        NavEntry("检查频次", "supervision:cap_page", "speedometer", group="督查", order=22,
                 roles=(roles.SUPERVISION,)),
        NavEntry("本单位检查", "supervision:unit_page", "calendar3", group="督查", order=24,
                 roles=(roles.GRASSROOTS,)),
        NavEntry("匿名评价", "supervision:evaluation_page", "star-half", group="督查", order=26,
                 roles=(roles.SUPERVISION, roles.REPORTER)),
        NavEntry("检查码核验", "supervision:verify_form", "patch-check", group="督查", order=28),
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
        # The annual plan and merges.
        "plan_item.create": "提出督查检查考核事项", "plan_item.update": "修改督查检查考核事项",
        "plan_item.submit": "提交督查检查事项审批", "plan_item.approve": "批准督查检查事项",
        "plan_item.reject": "驳回督查检查事项", "plan_year.explain": "说明年度督查检查总数超过上年",
        "merge.propose": "提出合并检查建议", "merge.accept": "采纳合并检查建议", "merge.reject": "不采纳合并检查建议",
        # 工作问效.
        "task.create": "交办工作问效任务", "task.update": "修改工作问效任务", "task.cancel": "撤销工作问效任务",
        "task.report": "报送任务进展", "task.approve": "审核通过任务进展", "task.return": "退回任务进展",
        "task.cards": "工作问效亮牌",
        "visit.cancel": "取消督查检查", "visit.result": "记录督查检查结果", "visit.unfiled": "反映未亮码检查",
        "cap.set": "设置检查频次上限",
    },
    demo=(
        DemoStep(order=50, run="qingzhuang.supervision.demo_plans:seed_step",
                 summary="qingzhuang.supervision.demo_plans:summary"),
        DemoStep(order=51, run="qingzhuang.supervision.demo_visits:seed_step",
                 summary="qingzhuang.supervision.demo_visits:summary"),
        DemoStep(order=52, run="qingzhuang.supervision.demo_tasks:seed_step",
                 summary="qingzhuang.supervision.demo_tasks:summary"),
    ),
    todos="qingzhuang.supervision.queries:todos",
    charts="qingzhuang.supervision.queries:charts",
    matrix="qingzhuang.supervision.tests.matrix",
)
