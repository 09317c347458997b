"""The one background-job life cycle (see ``qingzhuang/registry.py`` and ``jobs/lifecycle.py``)."""

from qingzhuang.registry import Module

LAYER = 20

MODULE = Module(
    label="jobs",
    title="后台任务",
    audit_labels={"jobs.stale": "后台任务中断（标记为失败）"},
)
