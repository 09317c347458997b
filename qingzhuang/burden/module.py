"""The demand seam and the burden ledger (see ``qingzhuang/registry.py``)."""

from qingzhuang.orgs import roles
from qingzhuang.registry import Module, NavEntry

LAYER = 20

MODULE = Module(
    label="burden",
    title="减负",
    # The burden pages live under /burden/; their old paths under /ledger/burden/ redirect there.
    urls=(("burden/", "qingzhuang.burden.urls"), ("ledger/burden/", "qingzhuang.burden.urls_legacy")),
    api=(("/ledger/", "qingzhuang.burden.api:router"), ("/burden/", "qingzhuang.burden.api_ledger:router")),
    nav=(
        NavEntry("派给本单位的填报", "burden:demand_list", "list-check", group="减负", order=30,
                 permission="burden.fill_demand"),
        NavEntry("减负台账", "burden:burden", "bar-chart", group="减负", order=40),
        NavEntry("减负总览", "burden:overview", "speedometer2", group="减负", order=10,
                 roles=(roles.LEADER, roles.MONITOR, roles.SUPERVISION)),
        NavEntry("减负预警", "burden:alerts", "exclamation-triangle", group="减负", order=12,
                 roles=(roles.MONITOR, roles.SUPERVISION)),
    ),
    permissions={
        "grassroots": ("burden.fill_demand",),
        # The burden ledger's person-hours per kind of ask (the weights page).
        "monitor": ("burden.manage_weights",),
        "supervision": ("burden.manage_weights",),
    },
    audit_labels={"demand.place": "向基层下发填报任务", "demand.fill": "完成填报", "burden.weight": "修改任务估算工时"},
    todos="qingzhuang.burden.queries:todos",
    charts="qingzhuang.burden.queries:charts",
    matrix="qingzhuang.burden.tests.matrix",
)
