from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgsConfig(AppConfig):
    name = "qingzhuang.orgs"
    label = "orgs"
    verbose_name = "组织与人员"

    def ready(self) -> None:
        from qingzhuang.orgs import signals

        post_migrate.connect(signals.sync_roles, dispatch_uid="qingzhuang.orgs.sync_roles")
