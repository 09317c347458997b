"""``qingzhuang find_data "字段A,字段B" [--under CODE] [--json]``: where the ledger already holds each field."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from qingzhuang.ledger import matching
from qingzhuang.orgs.models import Unit


class Command(BaseCommand):
    help = "向系统找数据：逐个字段给出已有（同一数据项）、相近（需确认）或未找到，及数据元素、数据集、责任单位、更新情况和记录数"

    def add_arguments(self, parser) -> None:
        parser.add_argument("fields", help="所需字段，用顿号、逗号、分号、斜杠或空格分隔")
        parser.add_argument("--under", metavar="CODE",
                            help="打算向该单位下的全部村（社区）索要（默认：全县所有村、社区），用于计算少要的数据项")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出结果")

    def fail(self, options: dict, code: str, message: str) -> None:
        if options["json"]:
            self.stdout.write(json.dumps({"errors": [{"code": code, "message": message}]}, ensure_ascii=False))
        raise CommandError(message)

    def handle(self, *args, **options) -> None:
        text = options["fields"]
        if not matching.split_fields(text):
            self.fail(options, "no_fields", "请至少给出一个字段，例如：身份证号、手机号")
        targets = matching.default_targets()
        if options["under"]:
            unit = Unit.objects.filter(code=options["under"]).first()
            if unit is None:
                self.fail(options, "unknown_unit", f"没有单位代码：{options['under']}")
            targets = matching.targets_under(unit)
        result = matching.find_result(text, target_units=targets.count())
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for item in result["fields"]:
            if item["outcome"] == matching.NONE:
                self.stdout.write(f"{item['field']}：{item['outcome_label']}，需基层填报（{item['reason']}）")
                continue
            self.stdout.write(f"{item['field']} → {item['element']}：{item['outcome_label']}"
                              f"（{item['reason']}，匹配度 {item['score']:.2f}）")
            for d in item["datasets"]:
                updated = (d["last_updated"] or "")[:10] or "从未更新"
                self.stdout.write(f"    {d['name']} [{d['code']}] 责任单位：{d['owner'] or '未定'}，"
                                  f"{d['update_period']}更新，最近 {updated}，{d['records']} 条")
        self.stdout.write(
            f"共 {len(result['fields'])} 个字段：已有（同一数据项）{result['held']} 个，相近（需确认）{result['related']} 个，"
            f"未找到 {result['unmatched']} 个；向 {result['target_units']} 个村（社区）索要时，可少要 {result['not_asked']} 项数据"
            f"（只算已有的字段）。"
        )
