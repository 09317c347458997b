"""Helpers of the 工作问效 tests: a township cadre of 甲镇, evidence uploads and a task factory."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_user
from qingzhuang.burden.tests.clue_world import png
from qingzhuang.supervision.services import tasks as services


@pytest.fixture
def tw(sv, county, settings, tmp_path):
    """The ``sv`` world, files under a temporary media root, and a cadre of 甲镇 (乡镇村干部)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QZ_TASK_YELLOW_DAYS = 3
    return {**county, **sv, "town_user": make_user("town_user", county["town_a"], "乡镇村干部")}


def upload(name: str = "进展.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if content is None else content, content_type="image/png")


NODES = [{"title": "完成方案", "due": dt.date(2025, 3, 31)}, {"title": "全部完成", "due": dt.date(2025, 6, 30),
                                                          "target_value": "100"}]


def make_task(world, *, assignee=None, nodes=None, actor=None, **extra):
    return services.task_create(actor=actor or world["office"], title=extra.pop("title", "统计数据质量提升"),
                                assignee=assignee or world["stats"], nodes=nodes or NODES, **extra)
