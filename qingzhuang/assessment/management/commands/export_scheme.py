"""qingzhuang export_scheme CODE -o FILE: write a scheme as a file (YAML or JSON by the extension)."""

import json

from django.core.management.base import BaseCommand

from qingzhuang.assessment import schemefile
from qingzhuang.assessment.models import Scheme
from qingzhuang.orgs import cli

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


class Command(BaseCommand):
    help = "把考核方案导出为 YAML 或 JSON 文件（按扩展名 .yaml、.yml、.json）"

    def add_arguments(self, parser):
        parser.add_argument("code", help="方案代码，如 township-2025")
        parser.add_argument("-o", "--output", required=True, help="输出文件：.yaml、.yml 或 .json")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出结果")

    def handle(self, *args, **options):
        path = options["output"]
        fmt = next((value for ext, value in FORMATS.items() if path.lower().endswith(ext)), None)
        if fmt is None:
            cli.fail(self, options, "unknown_format", "无法从文件扩展名判断格式，请使用 .yaml、.yml 或 .json")
        scheme = Scheme.objects.filter(code=options["code"]).first()
        if scheme is None:
            cli.fail(self, options, "unknown_scheme", f"考核方案不存在：{options['code']}")
        text = schemefile.dump(schemefile.document_of(scheme), fmt)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        if options["json"]:
            self.stdout.write(json.dumps({"ok": True, "code": scheme.code, "format": fmt, "output": path},
                                         ensure_ascii=False))
        else:
            self.stdout.write(f"已导出考核方案 {scheme.name}（{scheme.code}）：{path}")
