"""Small fixtures of the spot check and completeness tests: a scheme of 2025 for townships, photos."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qingzhuang.assessment.models import DEFAULT_EXAM_CRITERIA, DEFAULT_EXAM_GRADES, Scheme

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32

GOOD = {"开拓创新度": "好", "部门协同度": "较好", "群众满意度": "一般"}  # 30 + 24 + 24 = 78


def photo(name: str, content: bytes = JPEG, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_scheme(owner, *, code: str = "township-2025", year: int = 2025, kinds=("township", "street"),
                **fields) -> Scheme:
    return Scheme.objects.create(
        code=code, name=f"{year}年度乡镇（街道）综合考核", year=year, target_kinds=list(kinds),
        exam_criteria={k: str(v) for k, v in DEFAULT_EXAM_CRITERIA.items()},
        exam_grades={k: str(v) for k, v in DEFAULT_EXAM_GRADES.items()},
        grades=[{"name": "优秀", "min": "90"}, {"name": "较差", "min": "0"}], owner=owner, **fields)


@pytest.fixture
def scheme(county):
    return make_scheme(county["root"])


@pytest.fixture
def office(users):
    return users["assessment"]


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path_factory):
    """Photos go to a temporary MEDIA_ROOT, never into the project's var/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


DAY = dt.date(2025, 6, 3)
SCORE = Decimal("78")
