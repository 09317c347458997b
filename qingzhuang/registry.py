"""The module registry: each app says what it adds to the platform in one place, its ``module.py``.

An app of this project declares ``MODULE = Module(...)`` in ``qingzhuang/<app>/module.py``: its
pages and API routers, its menu entries, the permissions each role gets, the Chinese names of its
audit actions, its step of the demo county, its workbench to-dos and charts and the targets the permission
matrix test must try. Central code (settings, ``urls.py``, ``api.py``, the menu, the role groups,
the audit page, ``seed_demo``, the permission matrix) iterates over :func:`modules` and names no
app, so adding a module adds a folder and touches no central file.

This module sits at the bottom of the layers with ``lib``: it imports no app. Declarations name
callables by dotted path (``"qingzhuang.ledger.demo:seed_ledger"``) so that reading the registry
imports no models; :func:`load` resolves them when they are needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from pathlib import Path
from types import MappingProxyType
from typing import Any

# Menu groups, in menu order. A module's entry names one of them, or "" for a top-level entry.
NAV_GROUPS: tuple[tuple[str, str], ...] = (
    ("数据", "database"),
    ("考核", "clipboard-data"),
    ("督查", "shield-check"),
    ("减负", "feather"),
    ("AI社工", "robot"),
    ("系统", "gear"),
)
NAV_GROUP_NAMES = tuple(name for name, _ in NAV_GROUPS)


@dataclass(frozen=True)
class NavEntry:
    """One menu entry. ``url_name`` is namespaced (``"ledger:data_map"``)."""

    label: str
    url_name: str
    icon: str
    group: str = ""
    # Shown only to users holding this permission, and/or one of these role names.
    permission: str | None = None
    roles: tuple[str, ...] = ()
    # Other URL names whose pages belong to this entry (the longest matching URL prefix wins).
    also: tuple[str, ...] = ()
    order: int = 100

    def __post_init__(self) -> None:
        if self.group and self.group not in NAV_GROUP_NAMES:
            raise ValueError(f"unknown menu group {self.group!r}; one of {NAV_GROUP_NAMES}")


@dataclass(frozen=True)
class DemoStep:
    """A step of ``seed_demo``: ``run(result)`` adds the module's demo rows and returns counts.

    ``result`` is the demo's ``DemoResult`` (units, people, accounts, counts so far). Steps run
    in ``order`` inside one transaction; ``summary(result)`` returns the line ``seed_demo``
    prints for the module, or "" to print nothing.
    """

    order: int
    run: str
    summary: str | None = None


@dataclass(frozen=True)
class Module:
    """What one app adds to the platform. Every field is optional."""

    label: str  # the app label ("ledger"), also its URL namespace
    title: str = ""  # Chinese name, for documentation pages
    # (URL prefix, dotted module with ``urlpatterns`` and ``app_name``), mounted in urls.py.
    urls: tuple[tuple[str, str], ...] = ()
    # (API prefix under /api/v1/, "dotted.module:router"), added to the Ninja API in order.
    api: tuple[tuple[str, str], ...] = ()
    nav: tuple[NavEntry, ...] = ()
    # Role key (orgs.roles) → permissions ("app_label.codename") that role's group receives.
    permissions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Audit action → Chinese label shown on the audit page.
    audit_labels: Mapping[str, str] = field(default_factory=dict)
    demo: tuple[DemoStep, ...] = ()
    # "dotted.module:function": ``function(user) -> list[Todo]`` for the workbench.
    todos: str | None = None
    # "dotted.module:function": ``function(user) -> list[Chart]`` for the workbench: the charts
    # that matter to this user (an empty list when none does).
    charts: str | None = None
    # A dotted module (under the app's tests/) for the permission matrix test
    # (tests/test_permission_matrix.py): ``objects(ctx) -> dict`` creates objects of 甲镇 and
    # returns them by name (optional); ``targets(ctx) -> dict[url_name, kwargs]`` names, for each
    # of the module's URLs with arguments, the arguments that point at those objects.
    matrix: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "permissions", MappingProxyType(dict(self.permissions)))
        object.__setattr__(self, "audit_labels", MappingProxyType(dict(self.audit_labels)))


@dataclass(frozen=True)
class Todo:
    """A workbench to-do: "3 项待审批" with a link."""

    label: str
    count: int
    url: str
    tone: str = "primary"  # a Bootstrap colour: primary, warning, danger, secondary


@dataclass(frozen=True)
class Chart:
    """A workbench chart: an ECharts option built on the server, drawn by ``static/qz/charts.js``.

    ``key`` names the chart on the page (unique among all modules' charts: prefix it with the
    app label). ``note`` is the sentence under the chart saying what it shows. ``empty`` is set
    when there is nothing to draw: the page shows that sentence instead of an empty canvas.
    ``unit`` labels the numbers in tooltips ("项"); ``height`` is the chart's height in pixels.
    """

    key: str
    title: str
    option: Mapping[str, Any]
    note: str = ""
    empty: str = ""
    unit: str = ""
    height: int = 300


PACKAGE_DIR = Path(__file__).resolve().parent


def discover_apps() -> list[str]:
    """Dotted names of the project's apps: every package beside this file with a ``module.py``.

    Read by settings to build INSTALLED_APPS, so it looks at files only and imports nothing. The
    order is the layer order declared by each module file's ``LAYER`` line (lowest first), then
    the name: apps lower in the layers come first, so their templates and signals load first.
    """
    found = []
    for path in PACKAGE_DIR.iterdir():
        module_file = path / "module.py"
        if path.is_dir() and module_file.exists():
            found.append((_layer(module_file), path.name))
    return [f"{PACKAGE_DIR.name}.{name}" for _, name in sorted(found)]


def _layer(module_file: Path) -> int:
    for line in module_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("LAYER = "):
            return int(line.split("=", 1)[1].split("#", 1)[0].strip())
    raise ValueError(f"{module_file.parent.name}/module.py declares no LAYER = <number>")


@cache
def modules() -> tuple[Module, ...]:
    """Every installed app's ``MODULE``, in INSTALLED_APPS order."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        try:
            declared = import_module(f"{config.name}.module")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.module":
                raise
            continue
        found.append(declared.MODULE)
    return tuple(found)


def load(dotted: str) -> Any:
    """Resolve ``"package.module:attribute"``."""
    module_name, _, attribute = dotted.partition(":")
    return getattr(import_module(module_name), attribute)


def nav_entries() -> Iterator[NavEntry]:
    for module in modules():
        yield from module.nav


def role_permissions() -> dict[str, set[str]]:
    """Role key → every permission the modules give it."""
    result: dict[str, set[str]] = {}
    for module in modules():
        for role_key, perms in module.permissions.items():
            result.setdefault(role_key, set()).update(perms)
    return result


def audit_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for module in modules():
        labels.update(module.audit_labels)
    return labels


def demo_steps() -> list[tuple[Module, DemoStep]]:
    steps = [(module, step) for module in modules() for step in module.demo]
    return sorted(steps, key=lambda pair: pair[1].order)


def todo_providers() -> list[Callable]:
    return [load(module.todos) for module in modules() if module.todos]


def chart_providers() -> list[Callable]:
    return [load(module.charts) for module in modules() if module.charts]


def matrix_modules() -> list[Any]:
    return [import_module(module.matrix) for module in modules() if module.matrix]
