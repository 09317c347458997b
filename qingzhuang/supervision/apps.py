from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """督查检查考核: the annual plan, one code per visit, caps, merged visits, results recognised
    once, anonymous evaluation, violations; 工作问效 tasks with yellow and red cards."""

    name = "qingzhuang.supervision"
    label = "supervision"
    verbose_name = "督查检查"
