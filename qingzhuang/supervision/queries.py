"""The supervision app's reads for the workbench: each part's to-dos and charts, concatenated."""

from __future__ import annotations


def todos(user) -> list:
    from qingzhuang.supervision import queries_tasks

    return [*queries_tasks.todos(user)]


def charts(user) -> list:
    from qingzhuang.supervision import queries_tasks

    return [*queries_tasks.charts(user)]
