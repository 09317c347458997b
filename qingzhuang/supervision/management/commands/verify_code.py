"""``qingzhuang verify_code CODE [--json]``: verify a 检查码 the way the public page does
(``supervision.verify.verify``) and log the verification (channel "cli").

``--json`` prints the answer as one JSON document; without it, the verdict and the visit in
Chinese. Exit code 0 when the code is valid (the unit should cooperate), 1 when it is not.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.db import transaction

from qingzhuang.supervision.verify import verify


class Command(BaseCommand):
    help = "核验检查码：是否经督查室签发、在计划内、未超过被检查单位的频次上限（有效时退出码为 0，否则为 1）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", help="检查码（可带空格或短横线，不分大小写）")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出")

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            result = verify(options["code"], channel="cli")
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.write_text(result)
        if not result["valid"]:
            raise SystemExit(1)

    def write_text(self, result: dict) -> None:
        self.stdout.write("可以配合" if result["valid"] else "可不予配合")
        self.stdout.write(result["reason"])
        if result["unit"] is None:
            return
        self.stdout.write(f"检查码：{result['code']}")
        self.stdout.write(f"被检查单位：{result['unit']}")
        self.stdout.write(f"牵头部门：{result['lead']}　检查组：{result['team'] or '未填写'}　检查日期：{result['date']}")
        cap = result["cap"]
        self.stdout.write(f"频次：{cap['period']} 已签发 {cap['used']} 次，上限 {cap['limit']} 次")
        for item in result["items"]:
            self.stdout.write(f"- {item['title']}（{item['kind']}，{item['method']}）依据：{item['basis']}；"
                              f"要求提供的材料：{item['materials']}")
