"""Audit of sign-in events (success, failure, lock-out and sign-out) and the password history."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver

from qingzhuang.accounts.passwords import remember_previous_password
from qingzhuang.orgs import audit

pre_save.connect(remember_previous_password, sender="accounts.User", dispatch_uid="qz_password_history")


def _user_for(username: str | None):
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="qz_audit_login")
def audit_login(sender, request, user, **kwargs):
    with transaction.atomic():
        audit.record(actor=user, action="auth.login", obj=user, unit=user.unit, request=request)


@receiver(user_logged_out, dispatch_uid="qz_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is None:
        return
    with transaction.atomic():
        audit.record(actor=user, action="auth.logout", obj=user, unit=user.unit, request=request)


@receiver(user_login_failed, dispatch_uid="qz_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    target = _user_for(username)
    with transaction.atomic():
        audit.record(
            actor=None,
            action="auth.login_failed",
            object_type="accounts.user",
            object_id=str(target.pk) if target else "",
            object_repr=str(username)[:150],
            unit=target.unit if target else None,
            request=request,
        )


@receiver(user_locked_out, dispatch_uid="qz_audit_locked_out")
def audit_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    target = _user_for(username)
    with transaction.atomic():
        audit.record(
            actor=None,
            action="auth.locked_out",
            object_type="accounts.user",
            object_id=str(target.pk) if target else "",
            object_repr=str(username or "")[:150],
            unit=target.unit if target else None,
            after={"ip": ip_address},
            request=request,
        )
