"""Every write to accounts: keyword-only, atomic, audited.

Each service refuses, before it writes, an actor who may not do it: managing another account takes
``accounts.manage_users`` and a scope covering the account's unit (else the 404 of a missing
account); one's own password, tokens and second factor are one's own. ``actor`` None is the system
(demo seed, operator commands). The rules are those of the pages, decided in ``orgs.access`` and
``accounts.access``.
"""

from __future__ import annotations

from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingzhuang.accounts import access
from qingzhuang.accounts.models import ApiToken, User, hash_token, new_token_value
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Person, Unit
from qingzhuang.orgs.roles import ROLE_NAMES, SYSADMIN
from qingzhuang.orgs.services import MANAGE_USERS

UNIT_REQUIRED = {"unit": "请填写所属单位代码"}
OWN_PASSWORD_MESSAGE = "只能修改本人的密码"  # noqa: S105  (messages, not secrets)
OWN_TOKEN_MESSAGE = "只能为本人创建API令牌"  # noqa: S105
OWN_TOTP_MESSAGE = "只能为本人绑定动态验证码"


def _require_manager(actor, user: User) -> None:
    """An account administrator whose scope covers ``user``'s unit (checked on the row as stored)."""
    org_access.require_permission(actor, *MANAGE_USERS)
    org_access.require_account(actor, user)


def _require_unit(actor, unit: Unit | None) -> None:
    """An administrator places an account only in a unit of their scope (a unit-less account is
    nobody's to manage)."""
    if actor is None:
        return
    if unit is None:
        raise ValidationError(UNIT_REQUIRED)
    org_access.require_unit(actor, unit)


def _require_self(actor, user: User, message: str) -> None:
    if actor is not None and not access.is_self(actor, user):
        raise PermissionDenied(message)


def _user_dict(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "unit": user.unit.code if user.unit_id else None,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "is_active": user.is_active,
    }


def _check_roles(roles: list[str]) -> None:
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise ValidationError({"roles": f"未知角色：{'、'.join(unknown)}"})


def _check_not_self_lockout(*, actor, user: User, roles: list[str], is_active: bool) -> None:
    """An administrator cannot take away their own access (someone else has to)."""
    if actor is None or getattr(actor, "pk", None) != user.pk:
        return
    if not is_active:
        raise ValidationError({"is_active": "不能停用自己的账号"})
    if user.groups.filter(name=SYSADMIN).exists() and SYSADMIN not in roles:
        raise ValidationError({"roles": "不能取消自己的系统管理员角色"})


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    unit: Unit | None,
    roles: Iterable[str] = (),
    display_name: str = "",
    person: Person | None = None,
    request=None,
) -> User:
    org_access.require_permission(actor, *MANAGE_USERS)
    _require_unit(actor, unit)
    roles = list(roles)
    username, display_name = username.strip(), display_name.strip()
    _check_roles(roles)
    if not username:
        raise ValidationError({"username": "请填写用户名"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"账号“{username}”已存在"})
    if person is not None:
        person = Person.objects.select_for_update().get(pk=person.pk)
        org_access.require_person(actor, person)
        if person.user_id is not None:
            raise ValidationError({"person": f"干部“{person.name}”已关联登录账号"})
    user = User(username=username, unit=unit, display_name=display_name or (person.name if person else ""))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    after = _user_dict(user)
    if person is not None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        after["person"] = person.pk
    audit.record(actor=actor, action="user.create", obj=user, unit=unit, after=after, request=request)
    return user


@transaction.atomic
def user_update(
    *,
    actor,
    user: User,
    display_name: str,
    unit: Unit | None,
    roles: Iterable[str],
    is_active: bool,
    request=None,
) -> User:
    """Change an account's display name, unit, roles and whether it may sign in."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manager(actor, user)
    _require_unit(actor, unit)
    roles = list(roles)
    _check_roles(roles)
    _check_not_self_lockout(actor=actor, user=user, roles=roles, is_active=is_active)
    before = _user_dict(user)
    user.display_name, user.unit, user.is_active = display_name.strip(), unit, is_active
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "unit", "is_active"])
    user.groups.set(Group.objects.filter(name__in=roles))
    after = _user_dict(user)
    if after != before:
        audit.record(actor=actor, action="user.update", obj=user, unit=unit or user.unit,
                     before=before, after=after, request=request)
    return user


@transaction.atomic
def user_set_roles(*, actor, user: User, roles: Iterable[str], request=None) -> User:
    _require_manager(actor, user)
    roles = list(roles)
    _check_roles(roles)
    _check_not_self_lockout(actor=actor, user=user, roles=roles, is_active=user.is_active)
    before = _user_dict(user)
    user.groups.set(Group.objects.filter(name__in=roles))
    audit.record(actor=actor, action="user.set_roles", obj=user, unit=user.unit,
                 before=before, after=_user_dict(user), request=request)
    return user


@transaction.atomic
def user_change_password(*, actor, user: User, new_password: str, request=None) -> User:
    """A user changes their own password (an administrator uses ``user_reset_password``)."""
    _require_self(actor, user, OWN_PASSWORD_MESSAGE)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save()
    audit.record(actor=actor, action="user.change_password", obj=user, unit=user.unit, request=request)
    return user


@transaction.atomic
def user_reset_password(*, actor, user: User, new_password: str, request=None) -> User:
    """An administrator sets a new password for someone who forgot theirs (same rules apply)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manager(actor, user)
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(new_password)
    user.save()
    audit.record(actor=actor, action="user.reset_password", obj=user, unit=user.unit, request=request)
    return user


@transaction.atomic
def user_unlock(*, actor, user: User, request=None) -> int:
    """Clear the failed sign-in attempts that locked ``user`` out; returns how many were cleared."""
    _require_manager(actor, user)
    cleared = axes_reset(username=user.username)
    audit.record(actor=actor, action="user.unlock", obj=user, unit=user.unit,
                 after={"attempts_cleared": cleared}, request=request)
    return cleared


@transaction.atomic
def user_reset_totp(*, actor, user: User, request=None) -> int:
    """Remove every second-factor device of ``user`` (a lost phone); returns how many were removed."""
    _require_manager(actor, user)
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    audit.record(actor=actor, action="user.totp_reset", obj=user, unit=user.unit,
                 after={"devices_removed": len(devices)}, request=request)
    return len(devices)


@transaction.atomic
def token_create(*, actor, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Create a bearer token for ``user`` (oneself; the system for anyone); the raw value is returned
    once and never stored."""
    _require_self(actor, user, OWN_TOKEN_MESSAGE)
    name = name.strip()
    if not name:
        raise ValidationError("请填写令牌用途")
    raw = new_token_value()
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:10], digest=hash_token(raw))
    audit.record(actor=actor, action="token.create", obj=token, unit=user.unit,
                 after={"user": user.username, "name": token.name, "prefix": token.prefix}, request=request)
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken, request=None) -> ApiToken:
    """Revoke a token: one's own (another's answers like a missing one); the system any."""
    if actor is not None:
        token = access.get_token_or_404(actor, token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", obj=token, unit=token.user.unit,
                     after={"user": token.user.username, "prefix": token.prefix}, request=request)
    return token


@transaction.atomic
def totp_device_start(*, actor, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the set-up page (replaces any earlier unconfirmed one)."""
    _require_self(actor, user, OWN_TOTP_MESSAGE)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, actor, device: TOTPDevice, token: str, request=None) -> bool:
    _require_self(actor, device.user, OWN_TOTP_MESSAGE)
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    audit.record(actor=actor, action="user.totp_enable", obj=device.user, unit=device.user.unit, request=request)
    return True


@transaction.atomic
def totp_verify(*, user: User, token: str, request=None) -> TOTPDevice | None:
    """Check a sign-in code against the user's confirmed devices; a wrong code is audited."""
    token = token.strip()
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    audit.record(actor=user, action="auth.otp_failed", obj=user, unit=user.unit, request=request)
    return None
