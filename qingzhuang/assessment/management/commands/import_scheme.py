"""qingzhuang import_scheme FILE [--json]: import a scheme file (YAML or JSON), all or nothing."""

import json
import os

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from qingzhuang.assessment.services.schemes import scheme_import
from qingzhuang.orgs import cli


class Command(BaseCommand):
    help = "从 YAML 或 JSON 文件导入考核方案（同代码的未锁定方案被替换；有任何问题则不导入）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="方案文件：.yaml、.yml 或 .json")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出结果")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该账号的权限执行（默认：系统）")

    def handle(self, *args, **options):
        actor = cli.actor_for(self, options)
        path = options["file"]
        if not os.path.isfile(path):
            cli.fail(self, options, "not_found", f"文件不存在：{path}")
        with open(path, "rb") as handle:
            raw = handle.read(1024 * 1024 + 1)
        try:
            result = scheme_import(actor=actor, text=raw, filename=os.path.basename(path))
        except PermissionDenied as exc:
            cli.fail(self, options, "permission_denied", str(exc))
        if result.ok:
            scheme = result.scheme
            count = scheme.indicators.count()
            if options["json"]:
                self.stdout.write(json.dumps({"ok": True, "code": scheme.code, "indicators": count},
                                             ensure_ascii=False))
            else:
                verb = "已替换" if result.updated else "已导入"
                self.stdout.write(f"{verb}考核方案 {scheme.name}（{scheme.code}）：{scheme.year} 年度，{count} 个指标")
            return
        if options["json"]:
            self.stdout.write(json.dumps(result.errors_json(), ensure_ascii=False))
        else:
            for problem in result.errors:
                where = f"第{problem.row}个指标" if problem.row else "文件"
                column = f"【{problem.column}】" if problem.column else ""
                value = f"“{problem.value}”" if problem.value else ""
                self.stdout.write(f"{where}{column}{value}：{problem.message}")
        raise CommandError(f"导入未通过：{len(result.errors)} 个问题，没有写入任何数据")
