from django.core.management.base import BaseCommand

from qingzhuang.orgs import cli, imports


class Command(BaseCommand):
    help = "从 xlsx、xls 或 csv 文件导入组织架构（单位代码、单位名称、单位类型、上级单位代码）；全部成功或全部不导入"

    def add_arguments(self, parser):
        cli.add_import_arguments(parser)

    def handle(self, *args, **options):
        cli.run_import(self, imports.units_import, options)
