"""``qingzhuang add_policies PATH... [--json]``: add policy files (or folders of them) to the library."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingzhuang.assistant.services import policy_add

SUFFIXES = {".docx", ".pdf", ".txt", ".md", ".html", ".htm"}


class Command(BaseCommand):
    help = "把政策文件（docx、pdf、txt、md、html，或含这些文件的文件夹）加入政策库并建立索引"

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", help="文件或文件夹")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出结果")

    def handle(self, *args, **options) -> None:
        files: list[Path] = []
        missing = []
        for raw in options["paths"]:
            path = Path(raw)
            if path.is_dir():
                files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
            elif path.is_file():
                files.append(path)
            else:
                missing.append(raw)
        if missing:
            message = "找不到文件：" + "、".join(missing)
            if options["json"]:
                self.stdout.write(json.dumps({"errors": [{"code": "not_found", "value": m, "message": f"找不到文件：{m}"}
                                                         for m in missing]}, ensure_ascii=False))
            raise CommandError(message)
        results = []
        for path in files:
            result = policy_add(actor=None, path=path, filename=path.name, index_now=True)
            results.append(result.to_json(str(path)))
            if not options["json"]:
                if result.document is None:
                    self.stdout.write(f"{path}：未添加，{result.message}")
                elif not result.created:
                    self.stdout.write(f"{path}：{result.message}，未重复添加")
                else:
                    doc = result.document
                    self.stdout.write(f"{path}：已添加《{doc.title}》{doc.doc_number}，{doc.passage_count}个段落")
        added = sum(1 for r in results if r["created"])
        failed = [r for r in results if not r["ok"]]
        if options["json"]:
            payload = {"files": results, "added": added, "skipped": len(results) - added - len(failed),
                       "failed": len(failed)}
            if failed:
                payload["errors"] = [{"code": "unreadable", "value": r["file"], "message": r["message"]} for r in failed]
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            self.stdout.write(f"共 {len(results)} 个文件：新增 {added} 个，失败 {len(failed)} 个")
        if failed:
            raise CommandError(f"{len(failed)} 个文件无法添加")
