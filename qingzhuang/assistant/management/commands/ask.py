"""``qingzhuang ask "问题" [--json]`` / ``qingzhuang ask --file QUESTIONS.txt --json``: cited answers."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingzhuang.assistant.answers import ask


class Command(BaseCommand):
    help = "一问搜方案：从政策库中检索依据并给出带引用的回答"

    def add_arguments(self, parser) -> None:
        parser.add_argument("question", nargs="?", help="问题")
        parser.add_argument("--file", help="问题文件（UTF-8，每行一个问题）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（--file 时每个问题一行）")

    def fail(self, options: dict, code: str, message: str) -> None:
        if options["json"]:
            self.stdout.write(json.dumps({"errors": [{"code": code, "message": message}]}, ensure_ascii=False))
        raise CommandError(message)

    def handle(self, *args, **options) -> None:
        if bool(options["question"]) == bool(options["file"]):
            self.fail(options, "usage", "请给出一个问题，或用 --file 给出问题文件（二者选一）")
        if options["file"]:
            path = Path(options["file"])
            try:
                questions = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
            except (OSError, UnicodeDecodeError) as exc:
                self.fail(options, "unreadable", f"无法读取问题文件：{path}（{type(exc).__name__}）")
            questions = [q for q in questions if q]
        else:
            questions = [options["question"].strip()]
        for question in questions:
            answer = ask(None, question)
            if options["json"]:
                self.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False))
                continue
            self.stdout.write(f"问：{question}")
            self.stdout.write(f"答：{answer.answer}")
            for hit in answer.citations:
                self.stdout.write(f"  [{hit.n}] 《{hit.document}》{hit.heading}")
            for notice in answer.notices:
                self.stdout.write(f"  注：{notice}")
