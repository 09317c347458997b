from django.core.management.base import BaseCommand

from qingzhuang.burden.imports_registries import SPECS
from qingzhuang.burden.registry_import import registry_import
from qingzhuang.orgs import cli


class Command(BaseCommand):
    help = "从 xlsx、xls 或 csv 文件导入政务应用；全部成功或全部不导入（有基层单位时请用 --as 指定有下发范围的账号）"

    def add_arguments(self, parser):
        cli.add_import_arguments(parser)

    def handle(self, *args, **options):
        cli.run_import(self, lambda **kw: registry_import(SPECS["app"], **kw), options)
