"""``qingzhuang reindex_policies [--all] [--json]``: index policy documents again.

Without ``--all`` only the documents that need it: indexed under other tokenizer rules (after an
upgrade changed jieba or the domain dictionary), failed (or left running by a dead worker), or never
indexed.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.db.models import Q

from qingzhuang.assistant import text as chinese
from qingzhuang.assistant.models import DocumentStatus, PolicyDocument
from qingzhuang.assistant.services import index_document
from qingzhuang.jobs import lifecycle


class Command(BaseCommand):
    help = "重新建立政策库索引（默认只处理词典更新后过时、索引失败或尚未索引的文件）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="全部文件都重新索引")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出结果")

    def handle(self, *args, **options) -> None:
        lifecycle.mark_if_stale(PolicyDocument.objects.all())  # indexing left by a dead worker: failed, redone
        documents = PolicyDocument.objects.order_by("pk")
        if not options["all"]:
            documents = documents.filter(~Q(tokenizer=chinese.SIGNATURE) | ~Q(status=DocumentStatus.SUCCEEDED))
        results = []
        for pk, title in documents.values_list("pk", "title"):
            status = index_document(pk)
            results.append({"id": pk, "title": title, "status": status})
            if not options["json"]:
                self.stdout.write(f"《{title}》：{DocumentStatus(status).label if status in DocumentStatus.values else status}")
        indexed = sum(1 for r in results if r["status"] == DocumentStatus.SUCCEEDED)
        if options["json"]:
            self.stdout.write(json.dumps({"documents": results, "indexed": indexed, "failed": len(results) - indexed},
                                         ensure_ascii=False))
        else:
            self.stdout.write(f"共 {len(results)} 个文件：索引成功 {indexed} 个")
