"""``qingzhuang compute_scores SCHEME [--run N] [--json]``: a scheme's scorecards.

Without ``--run`` computes a new official run (inline, as the system); with ``--run N`` prints run N
of the scheme. ``--json`` prints a JSON list, one object per unit by rank::

    {"unit": "429901001000", "unit_name": "甲镇", "daily": "87.12", "exam": "84.00" | null,
     "bonus": "1.00", "deductions": "0.00", "total": "87.81", "rank": 1, "grade": "良好",
     "veto": [], "coaching": false, "flags": ["…"]}

(numbers are the Decimals as text with 2 places; ``exam`` is null without a spot check). Without
``--json`` it prints the run's number and a table: 名次, 单位代码, 单位名称, 平时, 期末, 加分, 扣分,
总分, 等次, 辅导 and the flags. An unknown scheme or run is an error on stderr (and, with ``--json``,
``{"errors": [...]}`` on stdout), exit status 1.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from qingzhuang.assessment.models import Run, Scheme
from qingzhuang.assessment.services.runs import line_json, run_compute, run_start


class Command(BaseCommand):
    help = "计算考核方案的成绩（新的正式计算批次），或用 --run 查看已有批次；--json 输出 JSON"

    def add_arguments(self, parser) -> None:
        parser.add_argument("scheme", help="考核方案代码")
        parser.add_argument("--run", type=int, help="查看该方案的第 N 批次，不重新计算")
        parser.add_argument("--json", action="store_true", help="以 JSON 列表输出每个单位的成绩")

    def _fail(self, options, code: str, value, message: str):
        if options["json"]:
            self.stdout.write(json.dumps({"errors": [{"row": None, "column": None, "value": value, "code": code,
                                                      "message": message}]}, ensure_ascii=False))
        raise CommandError(message)

    def handle(self, *args, **options) -> None:
        scheme = Scheme.objects.filter(code=options["scheme"]).first()
        if scheme is None:
            self._fail(options, "scheme_not_found", options["scheme"], f"未找到考核方案：{options['scheme']}")
        if options["run"] is not None:
            run = Run.objects.filter(scheme=scheme, number=options["run"]).first()
            if run is None:
                self._fail(options, "run_not_found", options["run"],
                           f"考核方案 {scheme.code} 没有第 {options['run']} 批次")
        else:
            try:
                run = run_start(actor=None, scheme=scheme, note="命令行计算", enqueue=False)
            except Exception as exc:  # a ValidationError: the scheme cannot be computed
                messages = getattr(exc, "messages", None) or [str(exc)]
                self._fail(options, "invalid_scheme", scheme.code, "；".join(messages))
            run_compute(run.pk)
            run.refresh_from_db()
        if not run.is_succeeded:
            self._fail(options, "run_not_succeeded", run.number,
                       f"第 {run.number} 批次未计算完成：{run.message or run.get_status_display()}")
        lines = list(run.lines.select_related("unit").order_by("rank", "unit__code"))
        if options["json"]:
            self.stdout.write(json.dumps([line_json(line) for line in lines], ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{scheme.name}（{scheme.code}）第 {run.number} 批次，{run.get_kind_display()}，"
                          f"{len(lines)} 个单位")
        self.stdout.write("名次\t单位代码\t单位名称\t平时\t期末\t加分\t扣分\t总分\t等次\t辅导\t提示")
        for line in lines:
            item = line_json(line)
            grade = item["grade"] + (f"（一票否决：{'、'.join(item['veto'])}）" if item["veto"] else "")
            self.stdout.write("\t".join([
                str(item["rank"]), item["unit"], item["unit_name"], item["daily"], item["exam"] or "—",
                item["bonus"], item["deductions"], item["total"], grade, "是" if item["coaching"] else "",
                "；".join(item["flags"]),
            ]))
