from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingzhuang.accounts import access, queries, services
from qingzhuang.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    OtpTokenForm,
    PasswordResetForm,
    TokenCreateForm,
    UserCreateForm,
    UserEditForm,
)
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.roles import user_roles

PAGE_SIZE = 50
UNIT_OPTIONS_LIMIT = 1000


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # After a wrong password, tell the user how many attempts are left before the lock-out.
        # (The attempt that locks the account never shows this page: django-axes answers with
        # the lock-out page instead.)
        context = super().get_context_data(**kwargs)
        failures = getattr(self.request, "axes_failures_since_start", None)
        if failures is not None and settings.AXES_FAILURE_LIMIT - failures > 0:
            context["attempts_left"] = settings.AXES_FAILURE_LIMIT - failures
        return context


def _safe_next(request, fallback: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    if user_has_device(user, confirmed=True) and not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    device_id = request.session.get("qz_totp_setup")
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first() if device_id else None
    if device is None:
        device = services.totp_device_start(actor=user, user=user)
        request.session["qz_totp_setup"] = device.pk
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(actor=user, device=device, token=form.cleaned_data["token"], request=request):
            request.session.pop("qz_totp_setup", None)
            otp_login(request, device)
            messages.success(request, "已启用动态验证码，今后登录需输入身份验证器中的6位数字。")
            return redirect("accounts:account")
        form.add_error("token", "验证码不正确，请确认手机时间准确后重试。")
    uri = device.config_url
    qr_svg = segno.make(uri, error="m").svg_data_uri(scale=4)
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/two_factor_setup.html", {"form": form, "qr": qr_svg, "secret": secret})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if not user_has_device(request.user, confirmed=True):
        # Nothing to verify against: a system administrator has to set a device up first.
        return redirect("accounts:two_factor_setup") if not request.user.is_verified() else redirect(_safe_next(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_verify(user=request.user, token=form.cleaned_data["token"], request=request)
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", "验证码不正确。")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")})


def _account_page(request, *, token_form=None, new_token=None):
    return render(
        request,
        "accounts/account.html",
        {
            "tokens": access.visible_tokens(request.user),
            "has_totp": user_has_device(request.user, confirmed=True),
            "token_form": token_form or TokenCreateForm(),
            "new_token": new_token,
        },
    )


@login_required
@require_GET
def account(request):
    return _account_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_change_password(
            actor=request.user, user=request.user, new_password=form.cleaned_data["new_password1"], request=request
        )
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_POST
def token_create(request):
    form = TokenCreateForm(request.POST)
    new_token = None
    if form.is_valid():
        _, new_token = services.token_create(
            actor=request.user, user=request.user, name=form.cleaned_data["name"], request=request
        )
        form = TokenCreateForm()
    return _account_page(request, token_form=form, new_token=new_token)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = access.get_token_or_404(request.user, pk)
    services.token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("accounts:account")


# --- Account management (系统管理员, permission accounts.manage_users) ---------------------------

manage_users_required = permission_required("accounts.manage_users", raise_exception=True)


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, by field where the form has that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _unit_options(admin):
    return org_access.visible_units(admin).only("code", "name").order_by("path")[:UNIT_OPTIONS_LIMIT]


@login_required
@manage_users_required
@require_GET
def user_list(request):
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in dict(queries.STATUS_CHOICES):
        status = ""
    users = queries.search_users(request.user, q, status)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    locked = queries.locked_usernames(u.username for u in page)
    rows = [{"user": u, "roles": user_roles(u), "locked": u.username in locked} for u in page]
    return render(request, "accounts/user_list.html", {
        "page": page, "rows": rows, "q": q, "status": status, "status_choices": queries.STATUS_CHOICES})


@login_required
@manage_users_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    initial = {"unit": request.user.unit.code if request.user.unit_id else ""}
    form = UserCreateForm(request.POST or None, admin=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user, username=data["username"], password=data["password"], unit=data["unit"],
                roles=data["roles"], display_name=data["display_name"], person=data["person"], request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"账号“{user.username}”已创建。")
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "unit_options": _unit_options(request.user)})


@login_required
@manage_users_required
@require_http_methods(["GET", "POST"])
def user_detail(request, pk: int):
    target = access.get_managed_user_or_404(request.user, pk)
    initial = {
        "display_name": target.display_name,
        "unit": target.unit.code if target.unit_id else "",
        "roles": user_roles(target),
        "is_active": target.is_active,
    }
    form = UserEditForm(request.POST or None, admin=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user, user=target, display_name=data["display_name"], unit=data["unit"],
                roles=data["roles"], is_active=data["is_active"], request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"账号“{target.username}”已保存。")
            return redirect("accounts:user_detail", pk=target.pk)
    context = {
        "target": target,
        "form": form,
        "roles": user_roles(target),
        "locked": queries.is_locked_out(target.username),
        "unit_options": _unit_options(request.user),
        "person": getattr(target, "person", None),
    }
    return render(request, "accounts/user_detail.html", context)


@login_required
@manage_users_required
@require_http_methods(["GET", "POST"])
def user_reset_password(request, pk: int):
    target = access.get_managed_user_or_404(request.user, pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_reset_password(
                actor=request.user, user=target, new_password=form.cleaned_data["password1"], request=request
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("password1", message)
        else:
            messages.success(request, f"已重置账号“{target.username}”的密码，请将新密码当面告知本人。")
            return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_password.html", {"target": target, "form": form})


@login_required
@manage_users_required
@require_POST
def user_unlock(request, pk: int):
    target = access.get_managed_user_or_404(request.user, pk)
    services.user_unlock(actor=request.user, user=target, request=request)
    messages.success(request, f"账号“{target.username}”已解锁。")
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@manage_users_required
@require_POST
def user_reset_totp(request, pk: int):
    target = access.get_managed_user_or_404(request.user, pk)
    removed = services.user_reset_totp(actor=request.user, user=target, request=request)
    if removed:
        messages.success(request, f"已清除账号“{target.username}”的动态验证码设备，本人下次登录时需重新绑定。")
    else:
        messages.info(request, f"账号“{target.username}”未绑定动态验证码设备。")
    return redirect("accounts:user_detail", pk=target.pk)
