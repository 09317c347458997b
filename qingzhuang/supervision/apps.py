from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """督查检查考核: the annual plan, one code per visit, caps, merged visits, results recognised
    once, anonymous evaluation, violations; 工作问效 tasks with yellow and red cards."""

    name = "qingzhuang.supervision"
    label = "supervision"
    verbose_name = "督查检查"

    def ready(self) -> None:
        from qingzhuang.burden.alerts import register_source
        from qingzhuang.burden.queries import register_removed
        from qingzhuang.supervision import queries_plans

        # The violations join the county's 减负预警 (burden alerts) page and overview.
        register_source("qingzhuang.supervision.violations:alerts")
        # Visits avoided by merged inspections are burden removed.
        register_removed(queries_plans.merges_removed)
