"""The supervision app's reads for the workbench: each part's to-dos and charts, concatenated."""

from __future__ import annotations


def todos(user) -> list:
    """Workbench to-dos of every part of the app."""
    from qingzhuang.supervision import queries_plans, queries_tasks

    return [*queries_plans.todos(user), *queries_tasks.todos(user)]


def charts(user) -> list:
    from qingzhuang.supervision import queries_tasks

    return [*queries_tasks.charts(user)]
