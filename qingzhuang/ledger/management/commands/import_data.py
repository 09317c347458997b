import json
import os

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from qingzhuang.ledger import imports
from qingzhuang.ledger.models import Dataset
from qingzhuang.orgs import cli


class Command(BaseCommand):
    help = "从 xlsx、xls 或 csv 文件导入一套表数据集（全部成功或全部不导入；--dry-run 只预检）"

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="数据集代码，如 population、indicator_values")
        cli.add_import_arguments(parser)
        parser.add_argument("--period", default="", help="期间 YYYY-MM：用于“期间”列缺失或为空的行，与之不同的行报错")

    def handle(self, *args, **options):
        actor = cli.actor_for(self, options)
        dataset = Dataset.objects.filter(code=options["dataset"]).first()
        if dataset is None:
            cli.fail(self, options, "unknown_dataset", f"数据集不存在：{options['dataset']}")
        path = options["file"]
        if not os.path.isfile(path):
            cli.fail(self, options, "not_found", f"文件不存在：{path}")
        try:
            result = imports.import_file(actor=actor, dataset=dataset, path=path, period=options["period"],
                                         dry_run=options["dry_run"], filename=os.path.basename(path))
        except PermissionDenied as exc:
            cli.fail(self, options, "permission_denied", str(exc))
        if options["json"]:
            self.stdout.write(json.dumps(result.cli_json(), ensure_ascii=False))
        else:
            cli.write_summary(self, result)
            if result.error_count > len(result.errors):
                self.stdout.write(f"（另有 {result.error_count - len(result.errors)} 个问题未列出）")
        if not result.ok:
            raise CommandError(f"导入未通过：{result.error_count} 个问题，没有写入任何数据")
