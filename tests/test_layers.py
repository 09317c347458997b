"""The layers hold: an app imports only from apps in lower layers (docs/architecture.md).

Each app's ``module.py`` declares its ``LAYER``; ``lib`` and ``registry`` are layer 0 and import no
app. A module of an app may import from its own app and from apps of a strictly lower layer —
never from one above it or beside it. Tests of an app follow the same rule, except that they may
sign in (``qingzhuang.accounts``: users, tokens) and use the demo county (``qingzhuang.demo``). The project package's own modules
(settings, urls, api, …) sit above everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

from qingzhuang.registry import _layer

PACKAGE = Path(__file__).resolve().parent.parent / "qingzhuang"
FOUNDATION = {"lib": 0, "registry": 0}
# What any app's tests may use whatever its layer: accounts and tokens to sign in, the demo county.
TEST_FIXTURES = {"accounts", "demo"}


def layers() -> dict[str, int]:
    found = dict(FOUNDATION)
    for path in PACKAGE.iterdir():
        if (path / "module.py").exists():
            found[path.name] = _layer(path / "module.py")
    return found


def imported_apps(source: Path) -> set[str]:
    """The first component below ``qingzhuang`` of every import in ``source``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
            if node.module == "qingzhuang":
                modules = [f"qingzhuang.{alias.name}" for alias in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "qingzhuang" and len(parts) > 1:
                names.add(parts[1])
    return names


def violations() -> list[str]:
    known = layers()
    problems = []
    for app, layer in sorted(known.items()):
        folder = PACKAGE / app
        if folder.is_dir():
            sources = sorted(folder.rglob("*.py"))
        else:
            sources = [p for p in [PACKAGE / f"{app}.py"] if p.exists()]
        for source in sources:
            in_tests = "tests" in source.relative_to(PACKAGE).parts
            for other in sorted(imported_apps(source) - {app}):
                if in_tests and other in TEST_FIXTURES:
                    continue
                if other not in known:
                    continue  # the project package's own modules (api, settings) are checked below
                if known[other] >= layer:
                    problems.append(f"{source.relative_to(PACKAGE.parent)} (layer {layer}) imports "
                                    f"qingzhuang.{other} (layer {known[other]})")
            top = imported_apps(source) & {"api", "urls", "settings", "test_settings", "wsgi", "asgi"}
            if top:
                problems.append(f"{source.relative_to(PACKAGE.parent)} imports the project package's "
                                f"{', '.join(sorted(top))}")
    return problems


def test_apps_import_only_lower_layers():
    assert violations() == []


def test_every_app_declares_a_layer():
    apps = [p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()]
    assert sorted(apps) == sorted(name for name in layers() if name not in FOUNDATION)


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: a lib module importing orgs is reported."""
    fake = tmp_path / "qingzhuang"
    (fake / "lib").mkdir(parents=True)
    (fake / "orgs").mkdir()
    (fake / "orgs" / "module.py").write_text("LAYER = 10\n", encoding="utf-8")
    (fake / "lib" / "bad.py").write_text("from qingzhuang.orgs.models import Unit\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", fake)
    assert violations() == ["qingzhuang/lib/bad.py (layer 0) imports qingzhuang.orgs (layer 10)"]
