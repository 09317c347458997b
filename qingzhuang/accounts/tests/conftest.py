"""Helpers shared by the account tests."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP

LOGIN_URL = "/account/login/"


def totp_code(device) -> str:
    """The current six-digit code of a TOTP device, as the phone app would show it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def login_post(client):
    """A real POST of the login form, so that django-axes sees the request."""

    def post(username: str, password: str, **extra):
        return client.post(LOGIN_URL, {"username": username, "password": password, **extra})

    return post
