"""The demo county's accounts: one login per role, all with the demo password (a demo step)."""

from __future__ import annotations

from qingzhuang.orgs.demo import DemoAccount, DemoResult, person_with_title
from qingzhuang.orgs.models import UnitKind


def seed_step(result: DemoResult) -> dict[str, int]:
    """One login per role, created through ``accounts.services.user_create``."""
    from qingzhuang.accounts.services import user_create
    from qingzhuang.orgs import roles
    from qingzhuang.orgs.signals import sync_roles

    sync_roles(sender=None)  # the role groups exist after migrate; make sure of it anyway
    units, people = result.units, result.people
    root = units.root
    office = units.by_name("县委办公室")
    organisation = units.by_name("县委组织部")
    stats = units.by_name("县统计局")
    township = next(t for t in units.townships if t.kind == UnitKind.TOWNSHIP)
    village = next(v for v in units.subunits if v.parent is township and v.kind == UnitKind.VILLAGE)
    person = person_with_title
    # username, role, unit (the root of the account's scope), person, office shown in the name
    plan = (
        ("admin", roles.SYSADMIN, root, None, "系统管理员"),
        ("kaohe", roles.ASSESSMENT, root, person(people, organisation, "综合考核科科长"), "县考核办"),
        ("ducha", roles.SUPERVISION, root, person(people, office, "督查室主任"), "县委督查室"),
        ("tianbao", roles.REPORTER, stats, person(people, stats, "综合股股长", "副局长"), "县统计局"),
        ("xiangzhen", roles.GRASSROOTS, township, person(people, township, "党政办主任"), township.name),
        ("cun", roles.GRASSROOTS, village,
         person(people, village, "村党支部书记、村委会主任", "村党支部书记"), village.name),
        ("jianfu", roles.MONITOR, root, person(people, office, "基层减负监测员", "副主任", "督查室主任"),
         "县减负监测"),
        ("lingdao", roles.LEADER, root, person(people, root, "县委副书记、县长"), "县长"),
        ("shenji", roles.AUDITOR, root, None, "审计管理员"),
    )
    for username, role, unit, holder, label in plan:
        display_name = f"{holder.name}（{label}）" if holder else label
        user_create(actor=None, username=username, password=result.password, unit=unit, roles=[role],
                    display_name=display_name, person=holder)
        result.accounts.append(DemoAccount(username=username, role=role, unit=unit.name, display_name=display_name))
    return {"accounts": len(plan)}
