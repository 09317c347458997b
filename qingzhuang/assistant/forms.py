from __future__ import annotations

import re

from django import forms

from qingzhuang.assistant.models import Level

TAG_SPLIT_RE = re.compile(r"[,，、;；\s]+")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".docx,.pdf,.txt,.md,.html,.htm"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label="政策文件", help_text="可一次选择多个文件：docx、pdf（带文字层）、txt、md、html")


class PolicyEditForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    issuer = forms.CharField(label="发文机关", max_length=100, required=False)
    doc_number = forms.CharField(label="文号", max_length=100, required=False)
    issued_on = forms.DateField(label="成文日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    level = forms.ChoiceField(label="层级", choices=Level.choices)
    tags = forms.CharField(label="标签", max_length=200, required=False, help_text="多个标签用顿号或逗号分隔")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def clean_tags(self) -> list[str]:
        return [t for t in TAG_SPLIT_RE.split(self.cleaned_data.get("tags") or "") if t]


class SearchForm(forms.Form):
    q = forms.CharField(label="关键词", max_length=200, required=False)
    issuer = forms.CharField(label="发文机关", max_length=100, required=False)
    level = forms.ChoiceField(label="层级", choices=[("", "全部层级"), *Level.choices], required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(min_value=1, max_value=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data


class AskForm(forms.Form):
    q = forms.CharField(label="问题", max_length=500)
