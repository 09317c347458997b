from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """督查检查考核: the annual plan, one code per visit, caps, merged visits, results recognised
    once, anonymous evaluation, violations; 工作问效 tasks with yellow and red cards."""

    name = "qingzhuang.supervision"
    label = "supervision"
    verbose_name = "督查检查"

    def ready(self) -> None:
        from qingzhuang.burden.queries import register_removed
        from qingzhuang.supervision import queries_plans

        # Visits avoided by merged inspections are burden removed.
        register_removed(queries_plans.merges_removed)
