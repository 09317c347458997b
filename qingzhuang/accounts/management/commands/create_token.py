"""``qingzhuang create_token USERNAME [--name 用途]``: a bearer token for a script, printed once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingzhuang.accounts import services
from qingzhuang.accounts.models import User


class Command(BaseCommand):
    help = "为账号创建 API 令牌（Authorization: Bearer …）。令牌只显示这一次，请妥善保存。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号的用户名")
        parser.add_argument("--name", default="命令行创建", help="令牌用途，如“数据同步脚本”")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在")
        if not user.is_active:
            raise CommandError(f"账号“{username}”已停用，不能创建令牌")
        try:
            token, raw = services.token_create(actor=None, user=user, name=name)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        # The raw value alone on stdout, so that a script can capture it; the note goes to stderr.
        self.stdout.write(raw)
        self.stderr.write(f"已为账号“{user.username}”创建令牌“{token.name}”（{token.prefix}…）。令牌只显示这一次。")
