from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LedgerConfig(AppConfig):
    name = "qingzhuang.ledger"
    label = "ledger"
    verbose_name = "一套表"

    def ready(self) -> None:
        from qingzhuang.ledger import builtins

        post_migrate.connect(builtins.ensure_builtin_catalog_signal, dispatch_uid="qingzhuang.ledger.builtins")
