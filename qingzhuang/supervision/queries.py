"""Reads the supervision app registers with the platform (``Module.todos``): each part adds its own."""

from __future__ import annotations


def todos(user) -> list:
    """Workbench to-dos of every part of the app."""
    from qingzhuang.supervision import queries_plans

    found: list = []
    # --- plans ---
    found += queries_plans.todos(user)
    return found
