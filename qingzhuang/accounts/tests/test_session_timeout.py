"""Idle time-out: a session ends 30 minutes after the last request."""

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def test_settings():
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def _session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_expired_session_is_logged_out(client, users):
    client.force_login(users["member"])
    assert client.get("/").status_code == 200
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/account/login/")


def test_idle_just_under_limit_keeps_session(client, users):
    client.force_login(users["member"])
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() + dt.timedelta(seconds=30))
    assert client.get("/").status_code == 200


def test_every_request_pushes_expiry_forward(client, users):
    client.force_login(users["member"])
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() + dt.timedelta(seconds=30))
    before = timezone.now()
    assert client.get("/").status_code == 200
    expiry = _session(client).expire_date
    assert before + dt.timedelta(seconds=1790) <= expiry <= timezone.now() + dt.timedelta(seconds=1800)


def test_api_with_expired_session_is_refused(client, users):
    client.force_login(users["member"])
    assert client.get("/api/v1/me").status_code == 200
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 401
