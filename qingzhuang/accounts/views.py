from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingzhuang.accounts import services
from qingzhuang.accounts.forms import ChangePasswordForm, LoginForm, OtpTokenForm, TokenCreateForm
from qingzhuang.accounts.models import ApiToken


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _safe_next(request, fallback: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    if user_has_device(user, confirmed=True) and not request.user.is_verified():
        return redirect("two_factor_verify")
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
            return redirect("account")
        form.add_error("token", "验证码不正确，请确认手机时间准确后重试。")
    uri = device.config_url
    qr_svg = segno.make(uri, error="m").svg_data_uri(scale=4)
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/two_factor_setup.html", {"form": form, "qr": qr_svg, "secret": secret})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(token):
                otp_login(request, device)
                return redirect(_safe_next(request))
        form.add_error("token", "验证码不正确。")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")})


@login_required
def account(request):
    tokens = ApiToken.objects.filter(user=request.user)
    has_totp = user_has_device(request.user, confirmed=True)
    return render(
        request,
        "accounts/account.html",
        {"tokens": tokens, "has_totp": has_totp, "token_form": TokenCreateForm(), "new_token": None},
    )


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
        return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_POST
def token_create(request):
    form = TokenCreateForm(request.POST)
    tokens = ApiToken.objects.filter(user=request.user)
    new_token = None
    if form.is_valid():
        _, new_token = services.token_create(
            actor=request.user, user=request.user, name=form.cleaned_data["name"], request=request
        )
        form = TokenCreateForm()
    has_totp = user_has_device(request.user, confirmed=True)
    return render(
        request,
        "accounts/account.html",
        {"tokens": tokens, "has_totp": has_totp, "token_form": form, "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("未找到该令牌")
    services.token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("account")
