"""Fixtures and helpers of the 码上减负 tests: the county of the root conftest with a monitor, the
county 督查室, a township monitor of 乙镇, 县统计局's reporter and the cadres of 甲镇 and 乙镇.
The fixtures are imported by this folder's conftest.py."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from conftest import make_user
from qingzhuang.burden.services import clues as services
from qingzhuang.orgs.roles import GRASSROOTS, MONITOR, REPORTER, SUPERVISION


@pytest.fixture(autouse=True)
def clean_clue_cache():
    """Rate-limit counters live in the cache: every test starts and ends without any."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clue_county(county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return {
        **county,
        "monitor": make_user("jianfu", county["root"], MONITOR),
        "ducha": make_user("ducha", county["office"], SUPERVISION),
        "monitor_b": make_user("jianfu_b", county["town_b"], MONITOR),
        "stats_rep": make_user("tianbao", county["stats"], REPORTER),
        "town_a_user": make_user("xiangzhen", county["town_a"], GRASSROOTS),
        "town_b_user": make_user("xiangzhen_b", county["town_b"], GRASSROOTS),
        "cun": make_user("cun", county["village_a"], GRASSROOTS),
    }


def png(extra_chunks: bytes = b"") -> bytes:
    """A valid 1×1 PNG, with ``extra_chunks`` (e.g. a tEXt chunk) before its data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    data = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + extra_chunks + data + chunk(b"IEND", b"")


def text_chunk(key: str, value: str) -> bytes:
    data = key.encode("latin-1") + b"\x00" + value.encode("latin-1")
    return struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))


def upload(name: str = "现场照片.png", content: bytes | None = None, content_type: str = "image/png"):
    return SimpleUploadedFile(name, png() if content is None else content, content_type=content_type)


def submit(clue_county, *, actor=None, anonymous=True, **fields):
    values = {"category": "multi_reporting", "description": "三个部门要求重复报送低保数据",
              "placed_by": clue_county["stats"], "suffered_by": clue_county["village_a"]}
    values.update(fields)
    with transaction.atomic():
        return services.clue_submit(actor=actor, anonymous=anonymous, **values)


def accepted(clue_county, *, responsible=None, deadline: dt.date | None = None):
    clue, code = submit(clue_county)
    clue = services.clue_accept(actor=clue_county["monitor"], clue=clue, responsible=responsible or clue_county["town_a"],
                                deadline=deadline or timezone.localdate() + dt.timedelta(days=10))
    return clue, code


def rectified(clue_county, **kwargs):
    clue, code = accepted(clue_county, **kwargs)
    clue = services.clue_rectify(actor=clue_county["town_a_user"], clue=clue, text="已取消重复报表")
    return clue, code


@contextmanager
def on_day(day: dt.date):
    """Run as if it were noon of ``day`` (local time)."""
    moment = dt.datetime(day.year, day.month, day.day, 12, tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
