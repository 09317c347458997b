"""The demand seam and the burden ledger (see ``qingzhuang/registry.py``)."""

from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 20

MODULE = Module(
    label="burden",
    title="减负",
    # The burden pages live under /burden/; their old paths under /ledger/burden/ redirect there.
    urls=(("burden/", "qingzhuang.burden.urls"), ("ledger/burden/", "qingzhuang.burden.urls_legacy")),
    api=(
        ("/ledger/", "qingzhuang.burden.api:router"),
        ("/burden/documents", "qingzhuang.burden.api_documents:documents_router"),
        ("/burden/circulations", "qingzhuang.burden.api_documents:circulations_router"),
    ),
    nav=(
        NavEntry("派给本单位的填报", "burden:demand_list", "list-check", group="减负", order=30,
                 permission="burden.fill_demand"),
        NavEntry("减负台账", "burden:burden", "bar-chart", group="减负", order=40),
        NavEntry("发文登记", "burden:document_list", "file-earmark-text", group="减负", order=50),
        NavEntry("一网协同", "burden:circulation_list", "send", group="减负", order=55),
    ),
    permissions={
        "grassroots": ("burden.fill_demand", "burden.send_circulation"),
        "reporter": ("burden.manage_documents", "burden.send_circulation"),
        "supervision": ("burden.manage_documents", "burden.judge_documents", "burden.send_circulation"),
        "monitor": ("burden.manage_documents", "burden.judge_documents", "burden.send_circulation"),
    },
    audit_labels={
        "demand.place": "向基层下发填报任务", "demand.fill": "完成填报",
        "document.create": "登记发文", "document.update": "修改发文登记", "document.judge": "认定可用通知代替",
        "document.explain": "说明发文数量超过上年", "document.import": "导入发文登记",
        "circulation.send": "一网协同发送", "circulation.read": "阅读收文", "circulation.remind": "催阅",
    },
    demo=(DemoStep(order=40, run="qingzhuang.burden.demo_documents:seed_step",
                   summary="qingzhuang.burden.demo_documents:summary"),),
    todos="qingzhuang.burden.queries:todos",
    charts="qingzhuang.burden.queries:charts",
    matrix="qingzhuang.burden.tests.matrix",
)
