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
        ("/burden/clues", "qingzhuang.burden.api_clues:router"),
    ),
    nav=(
        NavEntry("派给本单位的填报", "burden:demand_list", "list-check", group="减负", order=30,
                 permission="burden.fill_demand"),
        NavEntry("减负台账", "burden:burden", "bar-chart", group="减负", order=40),
        # 码上减负 clues.
        NavEntry("减负线索", "burden:clue_list", "flag", group="减负", order=50,
                 roles=("减负监测员", "督查室", "部门填报员", "乡镇村干部"),
                 also=("burden:clue_poster",)),
        NavEntry("码上减负", "burden:clue_report", "qr-code", group="减负", order=55,
                 also=("burden:clue_track", "burden:clue_mine")),
    ),
    permissions={
        "grassroots": ("burden.fill_demand", "burden.rectify_clue"),
        # 码上减负 clues: monitors and the 督查室 triage; the users of a responsible unit rectify.
        "monitor": ("burden.triage_clue",),
        "supervision": ("burden.triage_clue",),
        "reporter": ("burden.rectify_clue",),
    },
    audit_labels={
        "demand.place": "向基层下发填报任务", "demand.fill": "完成填报",
        "clue.submit": "提交减负线索", "clue.accept": "受理并交办减负线索", "clue.dismiss": "不予受理减负线索",
        "clue.rectify": "报送减负线索整改情况", "clue.return": "退回减负线索继续整改", "clue.close": "办结减负线索",
    },
    demo=(DemoStep(order=37, run="qingzhuang.burden.demo_clues:seed_step",
                   summary="qingzhuang.burden.demo_clues:summary"),),
    todos="qingzhuang.burden.queries:todos",
    charts="qingzhuang.burden.queries:charts",
    matrix="qingzhuang.burden.tests.matrix",
)
