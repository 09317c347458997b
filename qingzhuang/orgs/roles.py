"""The roles of the platform, as Django groups with permissions.

Groups are kept in step with this table after every ``migrate`` (see ``apps.py``), so a
deployment never has to create them by hand. The roles are fixed here; the permissions each role
gets are declared by the apps that define them, in their ``module.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    description: str

    @property
    def permissions(self) -> tuple[str, ...]:
        """What the apps give this role, each in its ``module.py`` (``Module.permissions``)."""
        from qingzhuang import registry

        return tuple(sorted(registry.role_permissions().get(self.key, ())))


SYSADMIN = "系统管理员"
ASSESSMENT = "考核办"
SUPERVISION = "督查室"
REPORTER = "部门填报员"
GRASSROOTS = "乡镇村干部"
MONITOR = "减负监测员"
LEADER = "领导"
AUDITOR = "审计员"

# What each role can do today, as the home page tells its holders: describe only pages that exist.
ROLES: tuple[Role, ...] = (
    Role("sysadmin", SYSADMIN, "维护单位、人员和账号，管理政策库"),
    Role("assessment", ASSESSMENT, "管理考核方案、期末考试记录和成绩计算发布，答复申诉；查阅全县一套表数据和指标库"),
    Role("supervision", SUPERVISION, "审批督查检查考核计划，签发检查码，设置检查频次上限，决定合并检查，查看违规检查和匿名评价，交办工作问效任务并审核进展；审批报表和数据需求的准入，查看全县减负台账并修改任务估算工时，受理和办结码上减负线索，管理政策库"),
    Role("reporter", REPORTER, "按月导入本部门指标数据，维护本部门数据集，提出报表和数据需求，登记本部门的会议、工作群和政务应用，报送交办本部门的减负线索整改情况；提出本部门的督查检查考核事项，安排检查并记录结果，报送工作问效任务进展"),
    Role("grassroots", GRASSROOTS, "维护本单位基础数据，查看并填报派给本单位的任务，报送交办本单位的减负线索整改情况，查看本单位考核成绩并申诉；查看本单位的督查检查次数，核验检查码并匿名评价，反映未出示检查码的检查，报送交办本单位的工作问效任务进展"),
    Role("monitor", MONITOR, "查看全县减负台账、总览和预警（含违规检查），修改任务估算工时，登记会议、工作群和政务应用，受理、交办和办结码上减负线索，管理政策库"),
    Role("leader", LEADER, "只读查看全县减负台账、一套表数据、已发布的考核成绩、督查检查计划、违规检查和工作问效"),
    Role("auditor", AUDITOR, "查阅审计日志（三员分立中的审计管理员）"),
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
