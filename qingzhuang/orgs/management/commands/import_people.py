from django.core.management.base import BaseCommand

from qingzhuang.orgs import cli, imports


class Command(BaseCommand):
    help = "从 xlsx、xls 或 csv 文件导入干部名录（姓名、单位代码、职务、手机、公民身份号码）；全部成功或全部不导入"

    def add_arguments(self, parser):
        cli.add_import_arguments(parser)

    def handle(self, *args, **options):
        cli.run_import(self, imports.people_import, options)
