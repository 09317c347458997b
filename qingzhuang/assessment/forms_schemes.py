"""Forms of the scheme pages: upload, the editor (header, a formset of indicator rows), copy, adjustments."""

from __future__ import annotations

import json

from django import forms
from django.core.validators import FileExtensionValidator

from qingzhuang.assessment import schemefile
from qingzhuang.assessment.models import DAILY, EXAM, AdjustmentKind, Aggregate, Method, Missing

LINES_HELP = "每行一项，写作“名称：数值”"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="方案文件",
        validators=[FileExtensionValidator(["yaml", "yml", "json"], message="请上传 .yaml、.yml 或 .json 文件")],
        error_messages={"required": "请选择要上传的方案文件"},
    )


class CopyForm(forms.Form):
    code = forms.CharField(label="新方案代码", max_length=64, error_messages={"required": "请填写新方案代码"})
    year = forms.IntegerField(label="考核年度", error_messages={"required": "请填写考核年度",
                                                               "invalid": "考核年度应为整数"})


def parse_lines(text: str, label: str) -> list[tuple[str, str]]:
    """“名称：数值” lines as pairs; a ValidationError naming the first bad line."""
    pairs = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        separator = max(line.rfind("："), line.rfind(":"))
        if separator <= 0 or not line[separator + 1:].strip():
            raise forms.ValidationError(f"{label}第 {number} 行应写作“名称：数值”")
        pairs.append((line[:separator].strip(), line[separator + 1:].strip()))
    return pairs


def lines_of(pairs) -> str:
    return "\n".join(f"{name}：{schemefile._text(value)}" for name, value in pairs)


def params_text(params: dict) -> str:
    """Parameters as the editor shows them: ``target: 100000, cap: 1``; a formula quoted."""
    return ", ".join(
        f"{name}: {json.dumps(value, ensure_ascii=False) if name in schemefile.TEXT_PARAMS else schemefile._text(value)}"
        for name, value in (params or {}).items())


def parse_params(text: str) -> dict:
    text = (text or "").strip()
    if not text:
        return {}
    document, problems = schemefile.parse("{" + text + "}", "params.yaml")
    if problems or not isinstance(document, dict):
        raise forms.ValidationError("参数应写作“名称: 数值”，多个用逗号分隔，例如 target: 100000, cap: 1")
    return document


class HeaderForm(forms.Form):
    code = forms.CharField(label="方案代码", max_length=64)
    name = forms.CharField(label="方案名称", max_length=200)
    year = forms.IntegerField(label="考核年度", error_messages={"invalid": "考核年度应为整数"})
    target_kinds = forms.MultipleChoiceField(label="考核对象类型", widget=forms.CheckboxSelectMultiple,
                                             choices=[(label, label) for label in schemefile.KIND_VALUES],
                                             error_messages={"required": "考核对象类型至少要有一个"})
    daily = forms.CharField(label="平时成绩权重", max_length=20)
    exam = forms.CharField(label="期末考试权重", max_length=20)
    bonus = forms.CharField(label="加分项（上限）", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            help_text=LINES_HELP)
    deductions = forms.CharField(label="扣分项（上限）", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 help_text=LINES_HELP)
    grades = forms.CharField(label="等次（分数线，从高到低）", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=LINES_HELP)
    criteria = forms.CharField(label="期末考试评价维度（权重）", widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=LINES_HELP)
    exam_grades = forms.CharField(label="期末考试评价等次（分值）", widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=LINES_HELP)
    trend = forms.CharField(label="附加题指标（权重）", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            help_text="每行一项，写作“指标代码：权重”；不设附加题则留空")
    threshold = forms.CharField(label="附加题辅导线", max_length=20, required=False)

    LINE_FIELDS = {"bonus": "加分项", "deductions": "扣分项", "grades": "等次", "criteria": "评价维度",
                   "exam_grades": "评价等次", "trend": "附加题指标"}

    def clean(self):
        data = super().clean()
        for name, label in self.LINE_FIELDS.items():
            if name in data:
                try:
                    data[name] = parse_lines(data[name], label)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data

    @classmethod
    def initial_of(cls, document: dict) -> dict:
        exam = document["exam"]
        trend = document.get("trend") or {}
        return {
            "code": document["code"], "name": document["name"], "year": document["year"],
            "target_kinds": document["target_kinds"],
            "daily": schemefile._text(document["parts"][DAILY]), "exam": schemefile._text(document["parts"][EXAM]),
            "bonus": lines_of((i["name"], i["max"]) for i in document["bonus"]),
            "deductions": lines_of((i["name"], i["max"]) for i in document["deductions"]),
            "grades": lines_of((g["name"], g["min"]) for g in document["grades"]),
            "criteria": lines_of(exam["criteria"].items()), "exam_grades": lines_of(exam["grades"].items()),
            "trend": lines_of((trend.get("indicators") or {}).items()),
            "threshold": schemefile._text(trend["threshold"]) if trend else "",
        }


class IndicatorForm(forms.Form):
    indicator = forms.ChoiceField(label="指标")
    weight = forms.CharField(label="权重", max_length=20)
    aggregate = forms.ChoiceField(label="汇总方式", choices=Aggregate.choices)
    method = forms.ChoiceField(label="计分方法", choices=Method.choices)
    params = forms.CharField(label="参数", max_length=500, required=False)
    missing = forms.ChoiceField(label="缺报处理", choices=Missing.choices)

    def __init__(self, *args, indicator_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "（选择指标）"), *indicator_choices]

    def clean_params(self):
        return parse_params(self.cleaned_data.get("params", ""))

    @staticmethod
    def initial_of(row: dict) -> dict:
        return {"indicator": row["indicator"], "weight": schemefile._text(row["weight"]),
                "aggregate": row["aggregate"], "method": row["method"], "params": params_text(row["params"]),
                "missing": row["missing"]}


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1, can_delete=True, max_num=200, validate_max=True)


def document_from(header: HeaderForm, rows) -> dict:
    """The file document of a valid editor submission (validated by the service)."""
    data = header.cleaned_data
    document = {
        "code": data["code"].strip(), "name": data["name"], "year": data["year"],
        "target_kinds": list(data["target_kinds"]),
        "parts": {DAILY: data["daily"].strip(), EXAM: data["exam"].strip()},
        "indicators": [
            {"indicator": form.cleaned_data["indicator"], "weight": form.cleaned_data["weight"].strip(),
             "aggregate": form.cleaned_data["aggregate"], "method": form.cleaned_data["method"],
             "params": form.cleaned_data["params"], "missing": form.cleaned_data["missing"]}
            for form in rows
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("indicator")
        ],
        "bonus": [{"name": name, "max": value} for name, value in data["bonus"]],
        "deductions": [{"name": name, "max": value} for name, value in data["deductions"]],
        "grades": [{"name": name, "min": value} for name, value in data["grades"]],
        "exam": {"criteria": dict(data["criteria"]), "grades": dict(data["exam_grades"])},
    }
    if data["trend"] or (data.get("threshold") or "").strip():
        document["trend"] = {"indicators": dict(data["trend"]), "threshold": (data.get("threshold") or "").strip()}
    return document


class AdjustmentForm(forms.Form):
    unit = forms.ChoiceField(label="被考核单位", error_messages={"required": "请选择被考核单位"})
    kind = forms.ChoiceField(label="类别", choices=AdjustmentKind.choices)
    item = forms.ChoiceField(label="加减分项", required=False)
    points = forms.CharField(label="分值", max_length=20, required=False)
    reason = forms.CharField(label="事由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             error_messages={"required": "请填写事由"})
    evidence = forms.FileField(label="佐证材料（可选）", required=False)

    def __init__(self, *args, units=(), items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "（选择单位）"), *[(u.pk, u.name) for u in units]]
        self.fields["item"].choices = [("", "（一票否决不选）"),
                                       *[(i.pk, f"{i.get_kind_display()}：{i.name}（上限 {schemefile._text(i.max_points)} 分）")
                                         for i in items]]
