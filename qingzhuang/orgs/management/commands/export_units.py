from django.core.management.base import BaseCommand

from qingzhuang.orgs import cli, imports


class Command(BaseCommand):
    help = "导出组织架构（单位代码、单位名称、单位类型、上级单位代码）为 xlsx 或 csv"

    def add_arguments(self, parser):
        cli.add_export_arguments(parser)

    def handle(self, *args, **options):
        cli.run_export(self, imports.units_export, options, "个单位")
