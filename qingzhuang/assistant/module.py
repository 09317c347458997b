"""What the AI社工 assistant adds to the platform (see ``qingzhuang/registry.py``)."""

from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 40

MODULE = Module(
    label="assistant",
    title="AI社工",
    urls=(("assistant/", "qingzhuang.assistant.urls"),),
    api=(("/assistant/", "qingzhuang.assistant.api:router"),),
    nav=(
        NavEntry("找政策", "assistant:policy_search", "search", group="AI社工", order=10),
        NavEntry("问政策", "assistant:policy_ask", "chat-left-quote", group="AI社工", order=20),
        NavEntry("一表做总结", "assistant:summary_wizard", "file-earmark-word", group="AI社工", order=30),
        NavEntry("政策库", "assistant:policy_list", "journal-bookmark", group="AI社工", order=40),
    ),
    permissions={
        "sysadmin": ("assistant.manage_policies",),
        "supervision": ("assistant.manage_policies",),
        "monitor": ("assistant.manage_policies",),
    },
    audit_labels={
        "assistant.policy.add": "添加政策文件",
        "assistant.policy.update": "修改政策文件信息",
        "assistant.policy.delete": "删除政策文件",
        "assistant.policy.index": "索引政策文件",
    },
    demo=(DemoStep(order=40, run="qingzhuang.assistant.demo:seed_step", summary="qingzhuang.assistant.demo:summary"),),
    matrix="qingzhuang.assistant.tests.matrix",
    todos="qingzhuang.assistant.todos:todos",
)
