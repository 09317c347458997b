"""Alerts of the burden rule checks (《整治形式主义为基层减负若干规定》): one shape for every registry.

Each part of the app (documents, meetings, work groups, apps, …) checks its own rules and answers
``alerts(*, year) -> list[Alert]`` from its queries module; the monitor's alerts page and the
county overview list them all (``ALERT_SOURCES``), newest first. An alert names the rule, what
broke it, the unit responsible and a link to the object, in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Alert:
    rule: str  # a stable code: "document.too_long", "meeting.second_comprehensive", …
    rule_name: str  # Chinese name of the rule: "专项文件超过4000字"
    subject: str  # what broke it: "县农业农村局 青农发〔2025〕12号 关于……的通知"
    message: str  # why, with the figures: "专项文件 4,312 字，超过 4,000 字"
    unit_name: str  # the unit responsible (issuer, organiser, owner)
    url: str  # the object's page
    on: dt.date | None = None  # the date it happened (issued, held, created …)
    level: str = "warning"  # a Bootstrap colour: "danger" for a breach, "warning" to look at


# "dotted.module:function" of every part's ``alerts(*, year) -> list[Alert]``; a part adds its line.
ALERT_SOURCES: tuple[str, ...] = (
    "qingzhuang.burden.queries_registries:alerts",  # meetings, work groups, government apps
    "qingzhuang.burden.queries_documents:alerts",
)


# Sources of modules above this app (``register_source``, called from their ``AppConfig.ready``).
REGISTERED_SOURCES: list[str] = []


def register_source(source: str) -> None:
    """Add a module's ``"dotted.module:alerts"`` to the alerts (the supervision app's violations)."""
    if source not in REGISTERED_SOURCES:
        REGISTERED_SOURCES.append(source)


def _load(source: str) -> Callable[..., list[Alert]]:
    module, _, name = source.partition(":")
    return getattr(import_module(module), name)


def all_alerts(*, year: int) -> list[Alert]:
    """Every registered part's alerts of ``year``, newest first."""
    found = [alert for source in (*ALERT_SOURCES, *REGISTERED_SOURCES) for alert in _load(source)(year=year)]
    return sorted(found, key=lambda a: (a.on or dt.date.min, a.rule), reverse=True)
