"""Every write to accounts: keyword-only, atomic, audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingzhuang.accounts.models import ApiToken, User, hash_token, new_token_value
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Person, Unit
from qingzhuang.orgs.roles import ROLE_NAMES


def _user_dict(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "unit": user.unit.code if user.unit_id else None,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "is_active": user.is_active,
    }


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
    roles = list(roles)
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise ValidationError(f"未知角色：{'、'.join(unknown)}")
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"账号“{username}”已存在")
    user = User(username=username, unit=unit, display_name=display_name or (person.name if person else ""))
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    if person is not None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    audit.record(actor=actor, action="user.create", obj=user, unit=unit, after=_user_dict(user), request=request)
    return user


@transaction.atomic
def user_set_roles(*, actor, user: User, roles: Iterable[str], request=None) -> User:
    roles = list(roles)
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise ValidationError(f"未知角色：{'、'.join(unknown)}")
    before = _user_dict(user)
    user.groups.set(Group.objects.filter(name__in=roles))
    audit.record(actor=actor, action="user.set_roles", obj=user, unit=user.unit,
                 before=before, after=_user_dict(user), request=request)
    return user


@transaction.atomic
def user_change_password(*, actor, user: User, new_password: str, request=None) -> User:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save()
    audit.record(actor=actor, action="user.change_password", obj=user, unit=user.unit, request=request)
    return user


@transaction.atomic
def token_create(*, actor, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Create a bearer token; the raw value is returned once and never stored."""
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
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", obj=token, unit=token.user.unit,
                     after={"user": token.user.username, "prefix": token.prefix}, request=request)
    return token


@transaction.atomic
def totp_device_start(*, actor, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the set-up page (replaces any earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, actor, device: TOTPDevice, token: str, request=None) -> bool:
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    audit.record(actor=actor, action="user.totp_enable", obj=device.user, unit=device.user.unit, request=request)
    return True
