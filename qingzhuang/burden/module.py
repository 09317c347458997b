"""The demand seam and the burden ledger (see ``qingzhuang/registry.py``)."""

from qingzhuang.orgs import roles
from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 20

# Registries (会议登记, 工作群, 政务应用): who registers and corrects them.
REGISTRY_PERMISSIONS = ("burden.manage_meetings", "burden.manage_groups", "burden.manage_apps")
DOCUMENT_PERMISSIONS = ("burden.manage_documents", "burden.judge_documents", "burden.send_circulation")

MODULE = Module(
    label="burden",
    title="减负",
    # The burden pages live under /burden/; their old paths under /ledger/burden/ redirect there.
    urls=(("burden/", "qingzhuang.burden.urls"), ("ledger/burden/", "qingzhuang.burden.urls_legacy")),
    api=(
        ("/ledger/", "qingzhuang.burden.api:router"),
        ("/burden/", "qingzhuang.burden.api_ledger:router"),
        ("/burden/meetings", "qingzhuang.burden.api_registries:meetings_router"),
        ("/burden/groups", "qingzhuang.burden.api_registries:groups_router"),
        ("/burden/apps", "qingzhuang.burden.api_registries:apps_router"),
        ("/burden/clues", "qingzhuang.burden.api_clues:router"),
        ("/burden/documents", "qingzhuang.burden.api_documents:documents_router"),
        ("/burden/circulations", "qingzhuang.burden.api_documents:circulations_router"),
    ),
    nav=(
        NavEntry("派给本单位的填报", "burden:demand_list", "list-check", group="减负", order=30,
                 permission="burden.fill_demand"),
        NavEntry("减负台账", "burden:burden", "bar-chart", group="减负", order=40),
        NavEntry("减负总览", "burden:overview", "speedometer2", group="减负", order=10,
                 roles=(roles.LEADER, roles.MONITOR, roles.SUPERVISION)),
        NavEntry("减负预警", "burden:alerts", "exclamation-triangle", group="减负", order=12,
                 roles=(roles.MONITOR, roles.SUPERVISION)),
        NavEntry("发文登记", "burden:document_list", "file-earmark-text", group="减负", order=48),
        NavEntry("会议登记", "burden:meeting_list", "people", group="减负", order=50),
        NavEntry("工作群", "burden:group_list", "chat-dots", group="减负", order=51),
        NavEntry("政务应用", "burden:app_list", "phone", group="减负", order=52),
        # 码上减负 clues.
        NavEntry("减负线索", "burden:clue_list", "flag", group="减负", order=53,
                 roles=(roles.MONITOR, roles.SUPERVISION, roles.REPORTER, roles.GRASSROOTS),
                 also=("burden:clue_poster",)),
        NavEntry("一网协同", "burden:circulation_list", "send", group="减负", order=54),
        NavEntry("码上减负", "burden:clue_report", "qr-code", group="减负", order=55,
                 also=("burden:clue_track", "burden:clue_mine")),
    ),
    permissions={
        "grassroots": ("burden.fill_demand", "burden.rectify_clue", "burden.send_circulation"),
        "reporter": (*REGISTRY_PERMISSIONS, "burden.rectify_clue", "burden.manage_documents",
                     "burden.send_circulation"),
        # The burden ledger's person-hours per kind of ask (the weights page), the registries, and
        # 码上减负 clues: monitors and the 督查室 triage; the users of a responsible unit rectify.
        "supervision": (*REGISTRY_PERMISSIONS, *DOCUMENT_PERMISSIONS, "burden.manage_weights", "burden.triage_clue"),
        "monitor": (*REGISTRY_PERMISSIONS, *DOCUMENT_PERMISSIONS, "burden.manage_weights", "burden.triage_clue"),
    },
    audit_labels={
        "demand.place": "向基层下发填报任务", "demand.fill": "完成填报", "burden.weight": "修改任务估算工时",
        "meeting.create": "登记会议", "meeting.update": "更正会议", "meeting.import": "导入会议登记",
        "group.create": "登记工作群", "group.update": "更正工作群", "group.close": "解散工作群",
        "group.import": "导入工作群", "app.create": "登记政务应用", "app.update": "更正政务应用",
        "app.import": "导入政务应用",
        "clue.submit": "提交减负线索", "clue.accept": "受理并交办减负线索", "clue.dismiss": "不予受理减负线索",
        "document.create": "登记发文", "document.update": "修改发文登记", "document.judge": "认定可用通知代替",
        "document.explain": "说明发文数量超过上年", "document.import": "导入发文登记",
        "circulation.send": "一网协同发送", "circulation.read": "阅读收文", "circulation.remind": "催阅",
        "clue.rectify": "报送减负线索整改情况", "clue.return": "退回减负线索继续整改", "clue.close": "办结减负线索",
    },
    demo=(DemoStep(order=37, run="qingzhuang.burden.demo_registries:seed_step",
                   summary="qingzhuang.burden.demo_registries:summary"),
          DemoStep(order=38, run="qingzhuang.burden.demo_clues:seed_step",
                   summary="qingzhuang.burden.demo_clues:summary"),
          DemoStep(order=40, run="qingzhuang.burden.demo_documents:seed_step",
                   summary="qingzhuang.burden.demo_documents:summary"),),
    todos="qingzhuang.burden.queries:todos",
    charts="qingzhuang.burden.queries:charts",
    matrix="qingzhuang.burden.tests.matrix",
)
