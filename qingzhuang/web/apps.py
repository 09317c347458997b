from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qingzhuang.web"
    label = "web"
    verbose_name = "门户"
