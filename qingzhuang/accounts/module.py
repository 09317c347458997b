"""What the accounts app adds to the platform (see ``qingzhuang/registry.py``)."""

from qingzhuang.registry import DemoStep, Module, NavEntry

LAYER = 20

MODULE = Module(
    label="accounts",
    title="账号与登录",
    urls=(("account/", "qingzhuang.accounts.urls"),),
    nav=(
        NavEntry("账号管理", "accounts:user_list", "person-badge", group="系统", permission="accounts.manage_users", order=10),
        NavEntry("我的账号", "accounts:account", "person-gear", group="系统", order=90),
    ),
    permissions={"sysadmin": ("accounts.manage_users",)},
    audit_labels={
        "auth.login": "登录",
        "auth.logout": "退出登录",
        "auth.login_failed": "登录失败",
        "auth.locked_out": "账号锁定",
        "auth.otp_failed": "动态验证码错误",
        "user.create": "新增账号",
        "user.update": "修改账号",
        "user.set_roles": "调整角色",
        "user.change_password": "修改密码",
        "user.reset_password": "重置密码",
        "user.unlock": "解除锁定",
        "user.totp_enable": "启用动态验证码",
        "user.totp_reset": "重置动态验证码",
        "token.create": "创建API令牌",
        "token.revoke": "吊销API令牌",
    },
    todos="qingzhuang.accounts.workbench:todos",
    charts="qingzhuang.accounts.workbench:charts",
    demo=(DemoStep(order=20, run="qingzhuang.accounts.demo:seed_step"),),
    matrix="qingzhuang.accounts.tests.matrix",
)
