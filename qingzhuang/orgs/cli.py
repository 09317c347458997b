"""Shared parts of the import/export commands of every app: arguments, --as, errors and --json output."""

from __future__ import annotations

import json
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from qingzhuang.lib import tables
from qingzhuang.lib.results import ImportResult


def add_import_arguments(parser) -> None:
    parser.add_argument("file", help="xlsx、xls 或 csv 文件")
    parser.add_argument("--dry-run", action="store_true", help="预检：只检查并统计，不写入")
    parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出结果")
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该账号的权限和范围执行（默认：系统）")


def add_export_arguments(parser) -> None:
    parser.add_argument("-o", "--output", required=True, help="输出文件，扩展名 .xlsx 或 .csv 决定格式")
    parser.add_argument("--format", choices=["xlsx", "csv"], help="输出格式（默认按扩展名）")
    parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出结果")
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该账号的权限和范围执行（默认：系统）")


def fail(command: BaseCommand, options: dict, code: str, message: str) -> None:
    """Report one error (as JSON with --json) and exit non-zero."""
    if options.get("json"):
        command.stdout.write(json.dumps({"errors": [{"code": code, "message": message}]}, ensure_ascii=False))
    raise CommandError(message)


def actor_for(command: BaseCommand, options: dict):
    """The user named by --as, or None (the system, full scope)."""
    username = options.get("as_user")
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(command, options, "unknown_user", f"账号不存在或已停用：{username}")
    return user


def run_import(command: BaseCommand, service, options: dict) -> None:
    actor = actor_for(command, options)
    path = options["file"]
    if not os.path.isfile(path):
        fail(command, options, "not_found", f"文件不存在：{path}")
    try:
        result = service(actor=actor, path=path, dry_run=options["dry_run"], filename=os.path.basename(path))
    except PermissionDenied as exc:
        fail(command, options, "permission_denied", str(exc))
    if options["json"]:
        command.stdout.write(json.dumps(result.cli_json(), ensure_ascii=False))
    else:
        write_summary(command, result)
    if not result.ok:
        raise CommandError(f"导入未通过：{len(result.errors)} 个问题，没有写入任何数据")


def write_summary(command: BaseCommand, result: ImportResult) -> None:
    mode = "预检" if result.dry_run else "导入"
    verdict = "通过" if result.ok else "未通过"
    command.stdout.write(
        f"{mode}{verdict}：共 {result.total} 行，新增 {result.created}，更新 {result.updated}，"
        f"未变化 {result.unchanged}，有问题 {result.rejected} 行"
    )
    if result.ok and result.dry_run:
        command.stdout.write("预检未写入任何数据。")
    for problem in result.errors:
        where = f"第{problem.row}行" if problem.row else "文件"
        column = f"【{problem.column}】" if problem.column else ""
        value = f"“{problem.value}”" if problem.value else ""
        command.stdout.write(f"{where}{column}{value}：{problem.message}")


def run_export(command: BaseCommand, service, options: dict, noun: str) -> None:
    actor = actor_for(command, options)
    path = options["output"]
    fmt = options.get("format") or tables.format_from_name(path)
    if fmt is None:
        fail(command, options, "unknown_format", "无法从文件扩展名判断格式，请使用 .xlsx 或 .csv，或用 --format 指定")
    count = service(user=actor, path=path, fmt=fmt)
    if options.get("json"):
        command.stdout.write(json.dumps({"rows": count, "format": fmt, "output": path}, ensure_ascii=False))
    else:
        command.stdout.write(f"已导出 {count} {noun}：{path}")
