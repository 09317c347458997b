from __future__ import annotations

from django.apps import apps as global_apps


def sync_roles(sender, using="default", apps=global_apps, **kwargs) -> None:
    """Create the role groups and give them exactly the permissions the apps declare for them
    (``Module.permissions`` in each app's ``module.py``)."""
    from qingzhuang import registry
    from qingzhuang.orgs.roles import ROLES

    declared = registry.role_permissions()
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role.name)
        perms = []
        for dotted in sorted(declared.get(role.key, ())):
            app_label, codename = dotted.split(".")
            perm = Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is None:
                return  # permissions of a later app not created yet; the next post_migrate will do it
            perms.append(perm)
        group.permissions.set(perms)
