"""The roles of the platform, as Django groups with permissions.

Groups are kept in step with this table after every ``migrate`` (see ``apps.py``), so a
deployment never has to create them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    description: str
    permissions: tuple[str, ...]


SYSADMIN = "系统管理员"
ASSESSMENT = "考核办"
SUPERVISION = "督查室"
REPORTER = "部门填报员"
GRASSROOTS = "乡镇村干部"
MONITOR = "减负监测员"
LEADER = "领导"
AUDITOR = "审计员"

ROLES: tuple[Role, ...] = (
    Role("sysadmin", SYSADMIN, "维护单位、账号、角色和系统设置",
         ("orgs.manage_units", "orgs.manage_people", "accounts.manage_users", "ledger.import_data",
          "assistant.manage_policies")),
    Role("assessment", ASSESSMENT, "考核方案、指标、抽查和成绩单", ()),
    Role("supervision", SUPERVISION, "审批督查检查计划、发放检查码、准入审批",
         ("ledger.approve_report", "assistant.manage_policies")),
    Role("reporter", REPORTER, "按月填报指标数据，维护本部门数据集",
         ("ledger.import_data", "ledger.define_report")),
    Role("grassroots", GRASSROOTS, "维护本单位基础数据，查看所有派给本单位的任务",
         ("orgs.manage_people", "orgs.view_personal_data", "ledger.import_data", "ledger.fill_demand")),
    Role("monitor", MONITOR, "登记减负线索，跟踪整改", ("assistant.manage_policies",)),
    Role("leader", LEADER, "只读查看驾驶舱", ()),
    Role("auditor", AUDITOR, "查阅审计日志（三员分立中的审计管理员）", ("orgs.view_audit",)),
)

ROLE_NAMES = tuple(role.name for role in ROLES)
ROLE_BY_KEY = {role.key: role for role in ROLES}


def user_roles(user) -> list[str]:
    """Names of the roles a user holds, in the order of ``ROLES``."""
    if not user.is_authenticated:
        return []
    held = {g.name for g in user.groups.all()}
    return [name for name in ROLE_NAMES if name in held]


def has_role(user, *names: str) -> bool:
    return bool(set(user_roles(user)) & set(names))
