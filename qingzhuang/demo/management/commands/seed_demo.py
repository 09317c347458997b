"""``qingzhuang seed_demo [--scale small|seed] [--if-empty]``: build the demo county 青山县."""

from __future__ import annotations

import time
import unicodedata

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingzhuang.demo import seed as demo
from qingzhuang.orgs.demo import PASSWORD_ENV
from qingzhuang.orgs.models import Unit


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain-text table aligned for CJK characters (each counts two columns)."""
    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "生成演示县“青山县”：组织架构、干部和每个角色的演示账号（数据确定，每次相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=demo.SCALES, default="seed",
                            help="small：测试用的小县；seed：文章中的规模（5199名干部）。默认 seed。")
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有单位时什么也不做（而不是报错）。")

    def handle(self, *args, scale: str, if_empty: bool, **options):
        existing = Unit.objects.count()
        if existing and if_empty:
            self.stdout.write(f"演示县已存在（数据库中已有 {existing} 个单位），跳过生成。")
            return
        started = time.monotonic()
        try:
            result = demo.seed(scale)
        except demo.DemoExistsError as exc:
            raise CommandError(
                f"数据库中已有 {exc.args[0]} 个单位，不能重复生成演示县。"
                "如只想在空库时生成，请加 --if-empty；如需重建，请先清空数据库。"
            ) from None
        except ValidationError as exc:
            raise CommandError(f"演示账号创建失败：{'；'.join(exc.messages)}"
                               f"（演示密码可通过环境变量 {PASSWORD_ENV} 设置）") from None
        elapsed = time.monotonic() - started

        self.stdout.write(self.style.SUCCESS(
            f"已生成演示县“{result.units.root.name}”（规模 {scale}），用时 {elapsed:.1f} 秒。"))
        for line in demo.summaries(result):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write("演示账号：")
        rows = [(a.username, a.role, a.unit, result.password) for a in result.accounts]
        self.stdout.write(format_table(("用户名", "角色", "单位", "密码"), rows))
        self.stdout.write("")
        self.stdout.write("系统管理员须在首次登录时绑定动态验证码（TOTP 身份验证器）。")
        self.stdout.write(f"所有演示账号使用同一密码，仅供演示；可通过环境变量 {PASSWORD_ENV} 指定。")
