"""``qingzhuang issue_task_cards [--date YYYY-MM-DD] [--json]``: issue the day's yellow and red cards
of 工作问效 (run daily, e.g. from cron at 00:30). Idempotent: a second run issues nothing new."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qingzhuang.supervision.services.tasks import cards_issue


class Command(BaseCommand):
    help = "工作问效亮牌：按时间节点亮黄牌（到期前若干天仍未通过）和红牌（逾期未通过），可重复运行"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天亮牌（YYYY-MM-DD，默认今天）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        issued = cards_issue(today=today, audit_run=True)
        if options["json"]:
            self.stdout.write(json.dumps({"date": today.isoformat(), **issued}, ensure_ascii=False))
        else:
            self.stdout.write(f"{today.isoformat()} 新亮黄牌 {issued['yellow']} 张、红牌 {issued['red']} 张")
