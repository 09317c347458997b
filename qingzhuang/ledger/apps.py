from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LedgerConfig(AppConfig):
    name = "qingzhuang.ledger"
    label = "ledger"
    verbose_name = "一套表"

    def ready(self) -> None:
        from qingzhuang.burden.queries import register_kpis, register_removed
        from qingzhuang.ledger import builtins, queries

        post_migrate.connect(builtins.ensure_builtin_catalog_signal, dispatch_uid="qingzhuang.ledger.builtins")
        # Reports, duplicate fields and data not asked join the burden ledger's county figures, and
        # the fields not asked thanks to 找数据 its burden removed.
        register_kpis(queries.ledger_kpis)
        register_removed(queries.ledger_removed)
