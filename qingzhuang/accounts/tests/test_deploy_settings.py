"""Production settings: ``qingzhuang check --deploy`` is clean, and the profile fails closed."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

# Variables of the test process that would change what production settings do.
_SCRUB = ("DJANGO_SETTINGS_MODULE", "QZ_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG",
          "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "SESSION_IDLE_SECONDS",
          "DJANGO_ALLOW_ASYNC_UNSAFE")  # set by the browser tests in this process


def run_production(tmp_path, *args: str, **overrides: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(
        DJANGO_SETTINGS_MODULE="qingzhuang.settings",
        QZ_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 random characters
        ALLOWED_HOSTS="example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        QZ_DATA_DIR=str(tmp_path / "var"),
        QZ_ENV_FILE="",  # a developer's checkout .env must not change these tests
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(  # noqa: S603  (our own interpreter and module, fixed arguments)
        [sys.executable, "-m", "qingzhuang", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_check_deploy_is_clean(tmp_path):
    result = run_production(tmp_path, "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "ERRORS" not in output


def test_production_security_settings(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST,"
        " s.ALLOWED_HOSTS)"
    )
    result = run_production(tmp_path, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True True 1800 True ['example.gov.cn']"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set to a random string of at least 50 characters"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY must be set to a random string of at least 50 characters"),
        # What Django's deploy check would warn about (security.W009) is refused.
        ({"SECRET_KEY": "a" * 64}, "SECRET_KEY is too weak: it has fewer than 5 different characters"),
        ({"SECRET_KEY": "abcd" * 16}, "SECRET_KEY is too weak: it has fewer than 5 different characters"),
        ({"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(48)},
         "SECRET_KEY must not start with 'django-insecure'"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set (comma-separated host names)"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must be set (comma-separated host names)"),
        ({"DEBUG": "1"}, "DEBUG must not be on in production"),
    ],
)
def test_production_refuses_to_start(tmp_path, overrides, message):
    result = run_production(tmp_path, "check", **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_is_the_default_profile(tmp_path):
    result = run_production(tmp_path, "check", QZ_ENV=None, SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
