"""The demo county sits above every app: it runs the demo steps the apps declare."""

from qingzhuang.registry import Module

LAYER = 60

MODULE = Module(label="demo", title="演示县", audit_labels={"demo.seed": "生成演示数据"})
