import json

from django.core.management.base import BaseCommand

from qingzhuang.ledger import exports
from qingzhuang.ledger.models import Dataset
from qingzhuang.lib import tables
from qingzhuang.orgs import cli


class Command(BaseCommand):
    help = "导出一套表数据集为 xlsx 或 csv（--as 账号时按其范围和脱敏权限导出）"

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="数据集代码，如 population、indicator_values")
        cli.add_export_arguments(parser)

    def handle(self, *args, **options):
        actor = cli.actor_for(self, options)
        dataset = Dataset.objects.filter(code=options["dataset"]).first()
        if dataset is None:
            cli.fail(self, options, "unknown_dataset", f"数据集不存在：{options['dataset']}")
        path = options["output"]
        fmt = options.get("format") or tables.format_from_name(path)
        if fmt is None:
            cli.fail(self, options, "unknown_format", "无法从文件扩展名判断格式，请使用 .xlsx 或 .csv，或用 --format 指定")
        count = exports.export_dataset(user=actor, dataset=dataset, target=path, fmt=fmt)
        if options.get("json"):
            self.stdout.write(json.dumps({"rows": count, "format": fmt, "output": path}, ensure_ascii=False))
        else:
            self.stdout.write(f"已导出 {count} 行：{path}")
