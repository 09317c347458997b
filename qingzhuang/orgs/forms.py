from __future__ import annotations

from django import forms

from qingzhuang.orgs import access
from qingzhuang.orgs.models import Person, Unit, UnitKind


class ScopedUnitField(forms.CharField):
    """A unit entered by its code; only units inside the user's scope are accepted."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        try:
            return access.visible_units(self.user).get(code=code.strip())
        except Unit.DoesNotExist:
            raise forms.ValidationError("单位代码不存在或不在您的管理范围内") from None


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if isinstance(field.widget, forms.CheckboxInput):
            css = "form-check-input"
        field.widget.attrs.setdefault("class", css)


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    unit = ScopedUnitField(label="单位代码", max_length=32)
    title = forms.CharField(label="职务", max_length=100, required=False)
    phone = forms.CharField(label="手机", max_length=20, required=False)
    id_number = forms.CharField(label="公民身份号码", max_length=25, required=False)
    is_active = forms.BooleanField(label="在岗", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].user = user
        self.fields["unit"].widget.attrs["list"] = "unit-codes"
        _style(self)

    @classmethod
    def initial_for(cls, person: Person) -> dict:
        return {"name": person.name, "unit": person.unit.code, "title": person.title, "phone": person.phone,
                "id_number": person.id_number, "is_active": person.is_active}


class UnitForm(forms.Form):
    code = forms.CharField(label="单位代码", max_length=32)
    name = forms.CharField(label="单位名称", max_length=100)
    kind = forms.ChoiceField(label="单位类型", choices=UnitKind.choices)
    parent = ScopedUnitField(label="上级单位代码", max_length=32)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].user = user
        self.fields["parent"].widget.attrs["list"] = "unit-codes"
        if editing:
            self.fields["code"].disabled = True
        _style(self)
