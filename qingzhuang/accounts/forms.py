from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator


def lockout_minutes() -> int:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        minutes = lockout_minutes()
        self.error_messages = {
            **self.error_messages,
            "invalid_login": (
                f"用户名或密码错误。连续失败{settings.AXES_FAILURE_LIMIT}次将锁定账号"
                + (f"{minutes}分钟。" if minutes else "，须由系统管理员解锁。")
            ),
        }
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="6位动态验证码",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))


# --- Account management (系统管理员) ---------------------------------------------------------

def _role_choices():
    from qingzhuang.orgs.roles import ROLES

    return [(role.name, f"{role.name} · {role.description}") for role in ROLES]


class _ScopedUnitField(forms.CharField):
    """A unit given by its code; only units inside the administrator's scope are accepted."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "所属单位代码")
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"class": "form-control", "list": "unit-options", "autocomplete": "off"})


class _ManagedUserForm(forms.Form):
    """Shared by the create and edit forms: ``admin`` is the administrator using the form."""

    display_name = forms.CharField(label="显示名称", max_length=50, required=False,
                                   widget=forms.TextInput(attrs={"class": "form-control"}))
    unit = _ScopedUnitField()
    roles = forms.MultipleChoiceField(label="角色", required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=())

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.admin = admin
        self.fields["roles"].choices = _role_choices()

    def clean_unit(self):
        from qingzhuang.orgs import access

        code = self.cleaned_data["unit"].strip()
        unit = access.visible_units(self.admin).filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(f"未找到单位代码“{code}”，或该单位不在您的管理范围内。")
        return unit


class UserCreateForm(_ManagedUserForm):
    username = forms.CharField(
        label="用户名", max_length=150,
        help_text="登录用的名字，只能包含字母、数字和 @ . + - _。",
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label="初始密码", strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )
    person = forms.IntegerField(
        label="关联干部编号", required=False, min_value=1,
        help_text="可选：干部名录中该干部的编号，账号将与之关联。",
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

    field_order = ["username", "display_name", "unit", "roles", "password", "person"]

    def clean_username(self):
        from qingzhuang.accounts.models import User

        username = self.cleaned_data["username"].strip()
        UnicodeUsernameValidator()(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"账号“{username}”已存在")
        return username

    def clean(self):
        # The password rules, checked here too so that every problem shows at once.
        from qingzhuang.accounts.models import User

        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(username=cleaned.get("username", ""), display_name=cleaned.get("display_name", ""))
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc.messages)
        return cleaned

    def clean_person(self):
        from qingzhuang.orgs import access

        pk = self.cleaned_data.get("person")
        if pk is None:
            return None
        person = access.visible_people(self.admin).filter(pk=pk).first()
        if person is None:
            raise forms.ValidationError("未找到该干部，或该干部不在您的管理范围内。")
        if person.user_id is not None:
            raise forms.ValidationError(f"干部“{person.name}”已关联登录账号。")
        return person


class UserEditForm(_ManagedUserForm):
    is_active = forms.BooleanField(label="启用（取消勾选即停用，停用后不能登录）", required=False,
                                   widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    field_order = ["display_name", "unit", "roles", "is_active"]


class PasswordResetForm(forms.Form):
    password1 = forms.CharField(
        label="新密码", strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="再次输入新密码", strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", "两次输入的密码不一致。")
        return cleaned
