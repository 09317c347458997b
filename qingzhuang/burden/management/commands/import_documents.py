from django.core.management.base import BaseCommand

from qingzhuang.burden.registry_import import registry_import
from qingzhuang.burden.services.documents import SPEC
from qingzhuang.orgs import cli


class Command(BaseCommand):
    help = ("从 xlsx、xls 或 csv 文件导入发文登记（全部成功或全部不导入；--dry-run 只预检）。"
            "下发到基层的文件会计入减负台账，须用 --as 指定登记人账号")

    def add_arguments(self, parser):
        cli.add_import_arguments(parser)

    def handle(self, *args, **options):
        def service(*, actor, path, dry_run, filename):
            return registry_import(SPEC, actor=actor, path=path, dry_run=dry_run, filename=filename)

        cli.run_import(self, service, options)
