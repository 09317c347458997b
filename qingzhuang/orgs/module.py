"""What the orgs app adds to the platform (see ``qingzhuang/registry.py``)."""

from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 10  # lib 0 → orgs 10 → accounts, jobs, burden 20 → ledger 30 → modules 40 → web 50 → demo 60

MODULE = Module(
    label="orgs",
    title="组织与人员",
    urls=(("orgs/", "qingzhuang.orgs.urls"),),
    api=(("/", "qingzhuang.orgs.api:router"),),
    nav=(
        NavEntry("组织架构", "orgs:unit_tree", "diagram-3", group="数据", order=30),
        NavEntry("干部名录", "orgs:person_list", "people", group="数据", order=40),
        NavEntry("审计日志", "orgs:audit_list", "journal-text", group="系统", permission="orgs.view_audit", order=20),
    ),
    permissions={
        "sysadmin": ("orgs.manage_units", "orgs.manage_people"),
        "grassroots": ("orgs.manage_people", "orgs.view_personal_data"),
        "auditor": ("orgs.view_audit",),
    },
    audit_labels={
        "unit.create": "新增单位",
        "unit.update": "修改单位",
        "unit.import": "导入单位",
        "person.create": "新增干部",
        "person.update": "修改干部",
        "person.import": "导入干部",
        "person.reveal": "查看完整个人信息",
        "person.export": "导出完整个人信息",
        "grant.create": "授权访问范围",
    },
    todos="qingzhuang.orgs.workbench:todos",
    charts="qingzhuang.orgs.workbench:charts",
    demo=(DemoStep(order=10, run="qingzhuang.orgs.demo:seed_step", summary="qingzhuang.orgs.demo:summary"),),
    matrix="qingzhuang.orgs.tests.matrix",
)
