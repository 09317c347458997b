"""``qingzhuang burden_ledger [--unit CODE] [--year YYYY] [--json]``: what each grassroots unit was
asked in a year (the burden ledger), by kind, in asks (项) and estimated person-hours (人·小时).

Runs as the system: without ``--unit`` every grassroots unit of the county asked at least once in
the year, in tree order; with ``--unit`` that unit only. ``--json`` prints one JSON list, the same
objects as ``GET /api/v1/burden/ledger``.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from qingzhuang.burden import queries
from qingzhuang.burden import queries_ledger as ledger
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit


class Command(BaseCommand):
    help = "减负台账：每个基层单位一年收到的任务项数和估算工时（人·小时），按类型列出"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--unit", metavar="CODE", help="只看这个乡镇（街道）、村（社区）或网格（单位代码）")
        parser.add_argument("--year", metavar="YYYY",
                            help="年份（默认：今年；今年还没有任务时为最近有任务的年份）")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 列表输出")

    def fail(self, options: dict, code: str, message: str, value: str = "") -> None:
        if options["json"]:
            self.stdout.write(json.dumps({"errors": [{"code": code, "value": value, "message": message}]},
                                         ensure_ascii=False))
        raise CommandError(message)

    def handle(self, *args, **options) -> None:
        year = self.year(options)
        if options["unit"] is not None:
            code = options["unit"].strip()
            unit = Unit.objects.filter(code=code).first()
            if unit is None:
                self.fail(options, "unknown_unit", f"没有单位代码：{code}", code)
            if unit.kind not in GRASSROOTS_KINDS:
                self.fail(options, "not_grassroots",
                          f"{unit.name}（{code}）不是乡镇（街道）、村（社区）或网格，没有减负台账", code)
            units = [unit]
        else:
            units = list(ledger.units_with_demands(Unit.objects.all(), year=year))
        result = ledger.summaries(units, year=year)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.write_text(result, year)

    def year(self, options: dict) -> int:
        text = options["year"]
        if text is None:
            return queries.default_year()
        text = text.strip()
        if not (text.isascii() and text.isdigit()) or not queries.FIRST_YEAR <= int(text) <= queries.LAST_YEAR:
            self.fail(options, "bad_year", queries.YEAR_MESSAGE, text)
        return int(text)

    def write_text(self, result: list[dict], year: int) -> None:
        if not result:
            self.stdout.write(f"{year}年没有向基层单位下发任务。")
            return
        for item in result:
            self.stdout.write(f"{item['unit_name']}（{item['unit']}）{year}年：{item['count']} 项，"
                              f"估算 {item['hours']} 人·小时")
            width = max([len(k["kind_name"]) for k in item["kinds"]] + [2])
            self.stdout.write(f"  {'类型'.ljust(width, '　')}  {'项数':>6}  {'人·小时':>10}")
            for kind in item["kinds"]:
                self.stdout.write(f"  {kind['kind_name'].ljust(width, '　')}  {kind['count']:>6}  {kind['hours']:>10}")
            self.stdout.write("")
        count = sum(item["count"] for item in result)
        hours = ledger.two_places(sum(ledger.two_places(item["hours"]) for item in result))
        self.stdout.write(f"共 {len(result)} 个单位，{count} 项，估算 {hours} 人·小时。"
                          "项：向一个单位下发一次；人·小时：按各类任务的估算工时折算的工作量。")
