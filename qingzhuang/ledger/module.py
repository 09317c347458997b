"""What the ledger (一套表) adds to the platform (see ``qingzhuang/registry.py``)."""

from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 30

MODULE = Module(
    label="ledger",
    title="一套表",
    urls=(("ledger/", "qingzhuang.ledger.urls"),),
    api=(
        ("/ledger/", "qingzhuang.ledger.api_read:router"),
        ("/ledger/", "qingzhuang.ledger.api_reports:router"),
        ("/ledger/", "qingzhuang.ledger.api:router"),
    ),
    nav=(
        NavEntry("一套表", "ledger:data_map", "table", group="数据", order=10),
        NavEntry("找数据", "ledger:find_data", "search", group="数据", order=20),
        NavEntry("报表清单", "ledger:report_list", "clipboard-check", group="减负", order=10),
        NavEntry("数据需求", "ledger:request_list", "inbox", group="减负", order=20),
    ),
    permissions={
        "sysadmin": ("ledger.import_data",),
        "supervision": ("ledger.approve_report",),
        "reporter": ("ledger.import_data", "ledger.define_report"),
        "grassroots": ("ledger.import_data",),
    },
    audit_labels={
        "ledger.import": "导入一套表数据",
        "ledger.export": "导出一套表数据（未脱敏）",
        "ledger.indicator_value.update": "修改指标数据",
        "record.reveal": "查看完整记录信息",
        "report.create": "新建报表",
        "report.update": "修改报表",
        "report.submit": "报表提交准入审批",
        "report.approve": "批准报表",
        "report.reject": "驳回报表",
        "report.register": "报表清单处理",
        "report.fill": "从一套表生成报表",
        "report.export": "导出报表",
        "report.send": "下发报表",
        "request.create": "提出数据需求",
        "request.update": "修改数据需求",
        "request.submit": "数据需求提交准入审批",
        "request.approve": "批准数据需求",
        "request.reject": "驳回数据需求",
        "request.send": "下发数据需求",
        "request.field_confirm": "确认相近字段由一套表提供",
        "request.field_unconfirm": "撤销相近字段的确认",
        "dataset.share": "共享数据集",
    },
    demo=(
        DemoStep(order=30, run="qingzhuang.ledger.demo:seed_step", summary="qingzhuang.ledger.demo:summary"),
        DemoStep(order=35, run="qingzhuang.ledger.demo_reports:seed_step",
                 summary="qingzhuang.ledger.demo_reports:summary"),
    ),
    matrix="qingzhuang.ledger.tests.matrix",
    todos="qingzhuang.ledger.todos:todos",
    charts="qingzhuang.ledger.queries.indicators:charts",
)
