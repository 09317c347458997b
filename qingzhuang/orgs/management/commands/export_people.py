from django.core.management.base import BaseCommand

from qingzhuang.orgs import cli, imports


class Command(BaseCommand):
    help = "导出干部名录（姓名、单位代码、职务、手机、公民身份号码）为 xlsx 或 csv"

    def add_arguments(self, parser):
        cli.add_export_arguments(parser)

    def handle(self, *args, **options):
        cli.run_export(self, imports.people_export, options, "名干部")
