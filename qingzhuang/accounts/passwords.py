"""Password rules (等保 level 3): at least eight characters, three of four character classes,
no reuse of the last five."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, is_password_usable
from django.core.exceptions import ValidationError


class MinimumLengthValidator:
    """Django's own validator has no Simplified Chinese message for its 5.2 wording; this one does."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                "密码太短，至少需要%(min_length)d个字符。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"密码至少{self.min_length}个字符。"


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.isupper() and c.isascii() for c in password),
            any(c.islower() and c.isascii() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊符号中的至少%(n)d类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、特殊符号中的至少{self.min_classes}类。"


class PasswordHistoryValidator:
    def __init__(self, history: int = 5):
        self.history = history

    def _recent(self, user):
        return list(user.password_history.values_list("password", flat=True)[: self.history])

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        hashes = self._recent(user)
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)
        if any(check_password(password, h) for h in hashes[: self.history]):
            raise ValidationError(
                "新密码不能与最近%(n)d次使用过的密码相同。", code="password_reused", params={"n": self.history}
            )

    def password_changed(self, password: str, user=None) -> None:
        # Called by Django after a changed password is saved; ``user.password`` is the new hash.
        if user is None or user.pk is None:
            return
        from qingzhuang.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[self.history :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return f"不能与最近{self.history}次使用过的密码相同。"


def remember_previous_password(sender, instance, raw=False, **kwargs) -> None:
    """``pre_save`` of the user model: keep the outgoing hash when a password is being changed.

    ``PasswordHistoryValidator.password_changed`` records each new password, but an account whose
    password was assigned without ``set_password`` (``UserManager.create_user``, bulk loads) has no
    history row for it; without this it would drop out of the history at the first change.
    """
    if raw or instance.pk is None or getattr(instance, "_password", None) is None:
        return
    from qingzhuang.accounts.models import PasswordHistory

    old = type(instance).objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old and is_password_usable(old) and not PasswordHistory.objects.filter(user_id=instance.pk, password=old).exists():
        PasswordHistory.objects.create(user_id=instance.pk, password=old)
