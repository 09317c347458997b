"""What 无感考核 (assessment) adds to the platform (see ``qingzhuang/registry.py``)."""

from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 40

MANAGE = "assessment.manage_scheme"
VIEW_ALL = "assessment.view_all_runs"
FILE_APPEAL = "assessment.file_appeal"

MODULE = Module(
    label="assessment",
    title="无感考核",
    urls=(("assessment/", "qingzhuang.assessment.urls"),),
    api=(
        ("/assessment/", "qingzhuang.assessment.api:router"),
        ("/assessment/runs", "qingzhuang.assessment.api_runs:router"),
        ("/assessment/appeals", "qingzhuang.assessment.api_runs:appeals_router"),
    ),
    nav=(
        NavEntry("考核方案", "assessment:scheme_list", "journal-check", group="考核", permission=MANAGE, order=10),
        NavEntry("数据完整度", "assessment:completeness", "grid-3x3-gap", group="考核", permission=MANAGE, order=20),
        NavEntry("期末考试", "assessment:spotcheck_list", "phone", group="考核", permission=MANAGE, order=30,
                 also=("assessment:spotcheck_add",)),
        NavEntry("成绩单", "assessment:run_list", "bar-chart-line", group="考核", permission=VIEW_ALL, order=40),
        NavEntry("课后辅导", "assessment:coaching", "mortarboard", group="考核", permission=VIEW_ALL, order=50),
        NavEntry("本单位考核成绩", "assessment:my_lines", "award", group="考核", permission=FILE_APPEAL, order=55),
    ),
    permissions={
        "assessment": (MANAGE, VIEW_ALL),
        "leader": (VIEW_ALL,),
        "grassroots": (FILE_APPEAL,),
        "reporter": (FILE_APPEAL,),
    },
    audit_labels={
        "assessment.scheme.import": "导入考核方案",
        "assessment.scheme.update": "修改考核方案",
        "assessment.scheme.copy": "复制考核方案",
        "assessment.scheme.delete": "删除考核方案",
        "assessment.adjustment.add": "登记加减分或一票否决",
        "assessment.adjustment.delete": "删除加减分或一票否决记录",
        "assessment.spotcheck.add": "填写关键事项记录表",
        "assessment.spotcheck.delete": "删除关键事项记录",
        "assessment.run.start": "计算考核成绩",
        "assessment.run.publish": "发布考核成绩",
        "assessment.run.delete": "删除成绩计算批次",
        "assessment.appeal.file": "提出成绩申诉",
        "assessment.appeal.answer": "答复成绩申诉",
        "assessment.remind": "提醒部门报送指标数据",
        "assessment.export": "导出考核成绩",
    },
    demo=(DemoStep(order=45, run="qingzhuang.assessment.demo:seed_step", summary="qingzhuang.assessment.demo:summary"),),
    todos="qingzhuang.assessment.todos:todos",
    matrix="qingzhuang.assessment.tests.matrix",
)
