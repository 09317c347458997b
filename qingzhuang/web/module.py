"""The shell: the home page (workbench), the menu and error pages (see ``qingzhuang/registry.py``)."""

from qingzhuang.registry import Module, NavEntry

LAYER = 50

MODULE = Module(
    label="web",
    title="工作台",
    urls=(("", "qingzhuang.web.urls"),),
    nav=(NavEntry("首页", "web:home", "house", order=0),),
)
