"""A checkout's ``.env``: the checkout's own commands work without exported variables, real
environment variables win, and without it the default profile still fails closed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from qingzhuang.settings import read_env_file

_SCRUB = ("DJANGO_SETTINGS_MODULE", "QZ_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG",
          "QZ_ENV_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run(tmp_path, *args: str, env_file=None, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(QZ_DATA_DIR=str(tmp_path / "var"), QZ_ENV_FILE=str(env_file or tmp_path / "absent.env"))
    env.update(extra)
    return subprocess.run(  # noqa: S603  (our own interpreter and module, fixed arguments)
        [sys.executable, "-m", "qingzhuang", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def write_env(tmp_path, text: str):
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


def test_checkout_with_env_file_runs_commands(tmp_path):
    env_file = write_env(tmp_path, "# written by make install\nQZ_ENV=development\n")
    result = run(tmp_path, "check", env_file=env_file)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_env_file_and_qz_env_refuses_as_before(tmp_path):
    result = run(tmp_path, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_real_environment_wins_over_env_file(tmp_path):
    env_file = write_env(tmp_path, "QZ_ENV=development\nexport ALLOWED_HOSTS='from-env-file.example'\n")
    code = "from django.conf import settings as s; print(s.QZ_ENV, s.ALLOWED_HOSTS)"
    result = run(tmp_path, "shell", "--no-imports", "-c", code, env_file=env_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "development ['from-env-file.example']"
    # QZ_ENV=production from the environment: still fails closed, whatever the .env says.
    result = run(tmp_path, "check", env_file=env_file, QZ_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_empty_env_file_setting_reads_nothing(tmp_path):
    write_env(tmp_path, "QZ_ENV=development\n")
    result = run(tmp_path, "check", env_file=None, QZ_ENV_FILE="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_read_env_file(tmp_path):
    path = write_env(tmp_path, '\n# comment\nA=1\nexport B = "two words"\nC=\nD=x=y\n')
    assert read_env_file(path) == {"A": "1", "B": "two words", "C": "", "D": "x=y"}
    assert read_env_file(tmp_path / "missing") == {}
    with pytest.raises(ImproperlyConfigured, match="not a KEY=value line"):
        read_env_file(write_env(tmp_path, "just words\n"))
