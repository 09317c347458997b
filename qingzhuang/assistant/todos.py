"""The assistant's workbench to-dos (``Module.todos``): policy files whose indexing failed, for those
who keep the library."""

from __future__ import annotations

from django.urls import reverse

from qingzhuang.assistant import access, services
from qingzhuang.assistant.models import DocumentStatus
from qingzhuang.registry import Todo


def todos(user) -> list[Todo]:
    if not services.can_manage(user):
        return []
    failed = access.visible_documents(user).filter(status=DocumentStatus.FAILED).count()
    if not failed:
        return []
    return [Todo("个政策文件索引失败", failed, reverse("assistant:policy_list"), tone="danger")]
